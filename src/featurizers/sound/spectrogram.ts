/**
 * The mel spectrogram: how much energy a sound has in each band of pitch, frame by frame.
 *
 * Each frame of samples is tapered by a Hann window, zero-padded to a power of two and turned into
 * a power spectrum by a radix-2 fast Fourier transform (FFT). Triangular filters spaced evenly on
 * the mel scale (which follows how people hear pitch: fine steps low down, coarse ones high up)
 * add the spectrum up into a few bands, and the features are the natural log of the band energies.
 */

/** Twiddle factors and bit-reversal order for a complex FFT of one power-of-two size. */
export interface FftPlan {
  size: number;
  /** cos(2*pi*j/size) and sin(2*pi*j/size) for j < size/2. */
  cos: Float64Array;
  sin: Float64Array;
  /** bitReverse[i]: where sample i goes before the butterflies. */
  bitReverse: Uint32Array;
}

/** Whether n is 1, 2, 4, 8, ... */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

export function fftPlan(size: number): FftPlan {
  if (!isPowerOfTwo(size)) throw new RangeError(`FFT size must be a power of two, got ${size}`);
  const half = Math.max(1, size / 2);
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let j = 0; j < half; j++) {
    cos[j] = Math.cos((2 * Math.PI * j) / size);
    sin[j] = Math.sin((2 * Math.PI * j) / size);
  }
  const bits = Math.round(Math.log2(size));
  const bitReverse = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitReverse[i] = r;
  }
  return { size, cos, sin, bitReverse };
}

/**
 * In-place forward DFT, X[k] = sum_n x[n] * exp(-2*pi*i*k*n/size), by iterative radix-2
 * decimation in time. re, im: [size] -> their transform.
 */
export function fftInPlace(plan: FftPlan, re: Float64Array, im: Float64Array): void {
  const { size, cos, sin, bitReverse } = plan;
  for (let i = 0; i < size; i++) {
    const j = bitReverse[i];
    if (j > i) {
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
    }
  }
  // First stage (pairs): the twiddle is 1, so no multiplications.
  for (let a = 0; a + 1 < size; a += 2) {
    const br = re[a + 1];
    const bi = im[a + 1];
    re[a + 1] = re[a] - br;
    im[a + 1] = im[a] - bi;
    re[a] += br;
    im[a] += bi;
  }
  for (let length = 4; length <= size; length *= 2) {
    const halfLength = length / 2;
    const stride = size / length; // twiddle index step for this stage
    for (let j = 0; j < halfLength; j++) {
      const wr = cos[j * stride];
      const wi = -sin[j * stride];
      for (let a = j; a < size; a += length) {
        const b = a + halfLength;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/**
 * Power spectrum |X[k]|^2, k = 0..size/2, of a real signal of `size` samples, computed with one
 * complex FFT of half the size: even samples go in the real part, odd ones in the imaginary part,
 * and the two interleaved spectra are separated afterwards.
 */
export class PowerSpectrum {
  readonly size: number;
  private readonly half: FftPlan;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!isPowerOfTwo(size) || size < 2) throw new RangeError(`spectrum size must be a power of two >= 2, got ${size}`);
    this.size = size;
    const m = size / 2;
    this.half = fftPlan(m);
    this.cos = new Float64Array(m + 1);
    this.sin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
  }

  /** signal: [size] -> power: [size/2 + 1]. */
  compute(signal: Float64Array, power: Float64Array): void {
    const m = this.size / 2;
    const { re, im, cos, sin } = this;
    for (let n = 0; n < m; n++) {
      re[n] = signal[2 * n];
      im[n] = signal[2 * n + 1];
    }
    fftInPlace(this.half, re, im);
    for (let k = 0; k <= m; k++) {
      const a = k === m ? 0 : k; // Z is periodic with period m
      const b = k === 0 ? 0 : m - k;
      const zr = re[a];
      const zi = im[a];
      const yr = re[b];
      const yi = im[b];
      // Even part E = (Z[k] + conj Z[m-k]) / 2, odd part O = (Z[k] - conj Z[m-k]) / 2i.
      const er = (zr + yr) / 2;
      const ei = (zi - yi) / 2;
      const or = (zi + yi) / 2;
      const oi = -(zr - yr) / 2;
      // X[k] = E + exp(-2*pi*i*k/size) * O
      const xr = er + cos[k] * or + sin[k] * oi;
      const xi = ei + cos[k] * oi - sin[k] * or;
      power[k] = xr * xr + xi * xi;
    }
  }
}

/** HTK mel scale. */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Triangular mel filters over the bins of a power spectrum, stored sparsely. */
export interface MelFilterbank {
  /** Centre frequency of each band, Hz. */
  centres: Float64Array;
  /** First spectrum bin of each band, and its weights (one per bin from there). */
  firstBin: Int32Array;
  weights: Float64Array[];
}

/**
 * `mels` triangular filters with corners evenly spaced on the mel scale from minHz to maxHz; each
 * rises from 0 at its lower corner to 1 at its centre and falls back to 0 at its upper corner (the
 * neighbours' centres). Bin k of an fftSize-point spectrum sits at k * rate / fftSize Hz.
 * A band narrower than the bin spacing may catch no bin at all; its energy is then always 0.
 */
export function melFilterbank(rate: number, fftSize: number, mels: number, minHz: number, maxHz: number): MelFilterbank {
  const lowMel = hzToMel(minHz);
  const highMel = hzToMel(maxHz);
  const corners = new Float64Array(mels + 2);
  for (let i = 0; i < mels + 2; i++) corners[i] = melToHz(lowMel + ((highMel - lowMel) * i) / (mels + 1));
  const bins = fftSize / 2 + 1;
  const binHz = rate / fftSize;
  const centres = new Float64Array(mels);
  const firstBin = new Int32Array(mels);
  const weights: Float64Array[] = [];
  for (let b = 0; b < mels; b++) {
    const lower = corners[b];
    const centre = corners[b + 1];
    const upper = corners[b + 2];
    centres[b] = centre;
    const first = Math.min(bins, Math.max(0, Math.floor(lower / binHz) + 1));
    const last = Math.min(bins - 1, Math.ceil(upper / binHz) - 1);
    const w = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      const hz = k * binHz;
      const rising = (hz - lower) / (centre - lower);
      const falling = (upper - hz) / (upper - centre);
      w[k - first] = Math.max(0, Math.min(rising, falling));
    }
    firstBin[b] = first;
    weights.push(w);
  }
  return { centres, firstBin, weights };
}

/** Everything a spectrogram of one shape needs, computed once and reused. */
export interface SpectrogramPlan {
  frameLength: number;
  hop: number;
  frames: number;
  mels: number;
  /** Periodic Hann window, [frameLength]. */
  window: Float64Array;
  spectrum: PowerSpectrum;
  bank: MelFilterbank;
  /** Scratch: one zero-padded frame [fftSize] and its power spectrum [fftSize/2 + 1]. */
  frame: Float64Array;
  power: Float64Array;
}

/** Frames that fit in `length` samples: 1 + floor((length - frameLength) / hop), at least 1. */
export function frameCount(length: number, frameLength: number, hop: number): number {
  return Math.max(1, 1 + Math.floor((length - frameLength) / hop));
}

export function spectrogramPlan(rate: number, length: number, frameLength: number, hop: number, fftSize: number, mels: number, minHz: number, maxHz: number): SpectrogramPlan {
  const window = new Float64Array(frameLength);
  for (let n = 0; n < frameLength; n++) window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / frameLength);
  return {
    frameLength,
    hop,
    frames: frameCount(length, frameLength, hop),
    mels,
    window,
    spectrum: new PowerSpectrum(fftSize),
    bank: melFilterbank(rate, fftSize, mels, minHz, maxHz),
    frame: new Float64Array(fftSize),
    power: new Float64Array(fftSize / 2 + 1),
  };
}

/** Floor added to every band energy before the log, so silence gives ln(1e-6) and not -infinity. */
export const LOG_FLOOR = 1e-6;

/**
 * samples: [length] -> features: [frames, mels], frame-major, ln(band energy + 1e-6), where band
 * energy is the filter-weighted sum of |X[k]|^2 of the Hann-windowed frame (samples in -1..1, no
 * normalisation by frame length). Samples past the end of `samples` count as zeros.
 */
export function melSpectrogram(plan: SpectrogramPlan, samples: Float32Array, out: Float32Array): void {
  const { frameLength, hop, frames, mels, window, frame, power, spectrum, bank } = plan;
  for (let f = 0; f < frames; f++) {
    const start = f * hop;
    const available = Math.max(0, Math.min(frameLength, samples.length - start));
    for (let n = 0; n < available; n++) frame[n] = samples[start + n] * window[n];
    frame.fill(0, available);
    spectrum.compute(frame, power);
    for (let b = 0; b < mels; b++) {
      const w = bank.weights[b];
      const first = bank.firstBin[b];
      let energy = 0;
      for (let i = 0; i < w.length; i++) energy += w[i] * power[first + i];
      out[f * mels + b] = Math.log(energy + LOG_FLOOR);
    }
  }
}
