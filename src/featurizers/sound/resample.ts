/**
 * Changing a clip's sample rate, and cutting a fixed-length window out of it.
 *
 * Resampling is band-limited interpolation: each output sample is a weighted sum of the input
 * samples around its position, weighted by a low-pass filter (a sinc cut off at half the lower of
 * the two rates, tapered by a Blackman window). Frequencies the new rate cannot represent are
 * removed before they can fold back (alias) as false lower tones.
 */
import { check } from "../../errors.js";
import type { Clip } from "./wav.js";

/** Zero crossings of the sinc on each side of the centre: more gives a sharper cut-off and costs more. */
const ZERO_CROSSINGS = 16;
/** Kernel table entries per zero crossing; linear interpolation between them is accurate to about 1e-5. */
const TABLE_STEPS = 512;

let kernelTable: Float64Array | null = null;

/**
 * The low-pass kernel on one side of the centre, tabulated at u = i / TABLE_STEPS for
 * u = 0..ZERO_CROSSINGS (u in zero crossings): sinc(u) * blackman(u / ZERO_CROSSINGS).
 */
function kernel(): Float64Array {
  if (kernelTable) return kernelTable;
  const size = ZERO_CROSSINGS * TABLE_STEPS + 2;
  const table = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const u = i / TABLE_STEPS;
    if (u >= ZERO_CROSSINGS) continue;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    const r = u / ZERO_CROSSINGS; // 0 at the centre, 1 at the edge
    const blackman = 0.42 + 0.5 * Math.cos(Math.PI * r) + 0.08 * Math.cos(2 * Math.PI * r);
    table[i] = sinc * blackman;
  }
  kernelTable = table;
  return table;
}

/**
 * Resamples a clip to `rate` samples per second with a windowed-sinc low-pass at
 * min(clip.rate, rate) / 2. Returns the clip itself when the rates already match.
 * The output has round(length * rate / clip.rate) samples (at least 1 for a non-empty clip);
 * beyond the clip's ends the input counts as silence.
 * @example
 * resample({ rate: 44100, samples: new Float32Array(44100) }, 16000).samples.length // 16000
 */
export function resample(clip: Clip, rate: number): Clip {
  check(Number.isInteger(rate) && rate > 0, `resample: the target rate must be a positive whole number of samples per second, got ${rate}`);
  check(Number.isFinite(clip.rate) && clip.rate > 0, `resample: the clip's rate must be a positive number, got ${clip.rate}`);
  if (clip.rate === rate) return clip;
  const input = clip.samples;
  const n = input.length;
  const outLength = n === 0 ? 0 : Math.max(1, Math.round((n * rate) / clip.rate));
  const output = new Float32Array(outLength);
  const table = kernel();
  const step = clip.rate / rate; // input samples per output sample
  // The cut-off as a fraction of the input rate's Nyquist: 1 when upsampling, rate/clip.rate when downsampling.
  const cutoff = Math.min(1, rate / clip.rate);
  const halfWidth = ZERO_CROSSINGS / cutoff; // kernel reach, in input samples
  const tableScale = cutoff * TABLE_STEPS; // input-sample distance -> table position
  for (let j = 0; j < outLength; j++) {
    const t = j * step;
    const first = Math.max(0, Math.ceil(t - halfWidth));
    const last = Math.min(n - 1, Math.floor(t + halfWidth));
    const middle = Math.min(last, Math.floor(t));
    let sum = 0;
    // Left of t the distance to the kernel centre shrinks by one input sample per step, right of it it grows.
    let position = (t - first) * tableScale;
    for (let k = first; k <= middle; k++, position -= tableScale) {
      const index = position | 0;
      if (index < table.length - 1) sum += input[k] * (table[index] + (position - index) * (table[index + 1] - table[index]));
    }
    position = (middle + 1 - t) * tableScale;
    for (let k = middle + 1; k <= last; k++, position += tableScale) {
      const index = position | 0;
      if (index < table.length - 1) sum += input[k] * (table[index] + (position - index) * (table[index + 1] - table[index]));
    }
    output[j] = sum * cutoff;
  }
  return { rate, samples: output };
}

/**
 * A window of `length` samples centred on the clip's energy centroid (sum t*x^2 / sum x^2, t the
 * sample index); where it runs past either end of the clip it is filled with zeros. A silent clip
 * is centred on its middle, so a clip of exactly `length` samples of steady sound comes back as is.
 * @example
 * fixedWindow(new Float32Array([0, 0, 0, 0, 1, 1]), 4) // [0, 1, 1, 0]: the burst (centroid 4.5) lands mid-window
 */
export function fixedWindow(samples: Float32Array, length: number): Float32Array {
  check(Number.isInteger(length) && length > 0, `fixedWindow: the length must be a positive whole number of samples, got ${length}`);
  const n = samples.length;
  let energy = 0;
  let moment = 0;
  for (let t = 0; t < n; t++) {
    const power = samples[t] * samples[t];
    energy += power;
    moment += t * power;
  }
  const centre = energy > 0 && Number.isFinite(moment / energy) ? moment / energy : (n - 1) / 2;
  const start = Math.round(centre - (length - 1) / 2);
  const window = new Float32Array(length);
  const from = Math.max(0, start);
  const to = Math.min(n, start + length);
  if (to > from) window.set(samples.subarray(from, to), from - start);
  return window;
}
