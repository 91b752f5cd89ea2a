import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSoundState, fitSound, fixedWindow, resample, soundFeatureCount, soundFeatureNames, soundFeatures, spectrogramShape, type Clip } from "./index.js";
import { PowerSpectrum, fftInPlace, fftPlan, hzToMel, melToHz } from "./spectrogram.js";
import { failure } from "../../../test/helpers/errors.js";
import { random } from "../../../test/helpers/random.js";

function tone(hz: number, rate: number, seconds: number, amplitude = 1): Clip {
  const samples = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < samples.length; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return { rate, samples };
}

function rms(samples: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (to - from));
}

function argmax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from;
  for (let i = from; i < to; i++) if (values[i] > values[best]) best = i;
  return best - from;
}

/** Frequency from the sign changes of samples[from..to) at `rate`. */
function zeroCrossingHz(samples: Float32Array, rate: number, from: number, to: number): number {
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (samples[i - 1] < 0 !== samples[i] < 0) crossings++;
  return (crossings / 2) * (rate / (to - from));
}

test("resampling 44100 -> 16000 keeps a 440 Hz tone's pitch and loudness", () => {
  const out = resample(tone(440, 44100, 1), 16000);
  assert.equal(out.rate, 16000);
  assert.equal(out.samples.length, 16000);
  // Away from the edges (where the filter sees zeros); one crossing more or less over 0.875 s is 0.6 Hz.
  assert.ok(Math.abs(zeroCrossingHz(out.samples, 16000, 1000, 15000) - 440) <= 1.5);
  // A passband tone keeps its RMS of 1/sqrt(2); the filter's passband ripple is about 1e-5, so 1e-3 is loose.
  assert.ok(Math.abs(rms(out.samples, 1000, 15000) - Math.SQRT1_2) < 1e-3);
});

test("resampling 44100 -> 8000 removes a 7000 Hz tone instead of aliasing it to 1000 Hz", () => {
  const high = tone(7000, 44100, 1);
  const out = resample(high, 8000);
  assert.equal(out.samples.length, 8000);
  // Naive decimation (every 5.5125th sample) keeps the tone at full strength as a 1000 Hz alias...
  const picked = new Float32Array(8000).map((_, j) => high.samples[Math.round((j * 44100) / 8000)] ?? 0);
  assert.ok(rms(picked, 500, 7500) > 0.5);
  // ... the low-pass cuts it by more than 70 dB (RMS 0.707 -> under 1e-4; a Blackman-windowed sinc
  // stops about 74 dB, and 7000 Hz lies far past the 4000 Hz cut-off).
  assert.ok(rms(out.samples, 500, 7500) < 1e-4, `RMS ${rms(out.samples, 500, 7500)}`);
  // While a 1000 Hz tone passes the same filter untouched.
  assert.ok(Math.abs(rms(resample(tone(1000, 44100, 1), 8000).samples, 500, 7500) - Math.SQRT1_2) < 1e-3);
});

test("upsampling 8000 -> 16000 interpolates a tone; equal rates return the clip itself", () => {
  const clip = tone(1000, 8000, 0.5);
  const out = resample(clip, 16000);
  const exact = tone(1000, 16000, 0.5);
  let worst = 0;
  for (let i = 400; i < 7600; i++) worst = Math.max(worst, Math.abs(out.samples[i] - exact.samples[i]));
  // Blackman-windowed sinc passband error plus the kernel table's linear interpolation come to about
  // 2e-5 at a quarter of the band; 2e-4 leaves room, and a crude (linear) interpolator would miss it.
  assert.ok(worst < 2e-4, `worst error ${worst}`);
  assert.equal(resample(clip, 8000), clip);
  assert.equal(failure(() => resample(clip, 0)).code, "BAD_ARGUMENT");
});

test("fixedWindow centres a short burst near the clip's end and zero-pads past it", () => {
  const samples = new Float32Array(16000);
  for (let i = 14000; i < 14800; i++) samples[i] = Math.sin(i / 3);
  const window = fixedWindow(samples, 8000);
  assert.equal(window.length, 8000);
  let energy = 0;
  let moment = 0;
  for (let t = 0; t < window.length; t++) {
    energy += window[t] * window[t];
    moment += t * window[t] * window[t];
  }
  // The whole burst is kept, and its centroid sits mid-window to within a sample of rounding.
  assert.ok(Math.abs(energy - rms(samples, 0, 16000) ** 2 * 16000) < 1e-3);
  assert.ok(Math.abs(moment / energy - 3999.5) <= 1);
  // The window runs from about sample 10400 to 18400: its last ~2400 samples are padding.
  assert.ok(window.subarray(5700).every((x) => x === 0));
  assert.deepEqual(Array.from(fixedWindow(new Float32Array([0, 0, 0, 0, 1, 1]), 4)), [0, 1, 1, 0]);
  // A steady clip of exactly the window's length, and a silent one, come back unchanged in place.
  assert.deepEqual(Array.from(fixedWindow(new Float32Array([1, 1, 1, 1, 1]), 5)), [1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(fixedWindow(new Float32Array(3), 5)), [0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(fixedWindow(new Float32Array([1, 0.5, 1]), 5)), [0, 1, 0.5, 1, 0]);
});

/** The DFT by its definition, in float64. */
function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * ((k * t) % n)) / n;
      outRe[k] += re[t] * Math.cos(angle) - im[t] * Math.sin(angle);
      outIm[k] += re[t] * Math.sin(angle) + im[t] * Math.cos(angle);
    }
  }
  return [outRe, outIm];
}

test("the FFT matches a naive DFT on random complex input", () => {
  const next = random(42);
  for (const size of [1, 2, 4, 8, 64, 512]) {
    const re = new Float64Array(size).map(() => next() * 2 - 1);
    const im = new Float64Array(size).map(() => next() * 2 - 1);
    const [wantRe, wantIm] = naiveDft(re, im);
    fftInPlace(fftPlan(size), re, im);
    // Both are float64; rounding errors grow like size * 1e-16, far below 1e-9.
    for (let k = 0; k < size; k++) {
      assert.ok(Math.abs(re[k] - wantRe[k]) < 1e-9 && Math.abs(im[k] - wantIm[k]) < 1e-9, `size ${size}, bin ${k}`);
    }
  }
});

test("the real-input power spectrum matches |naive DFT|^2", () => {
  const next = random(3);
  for (const size of [2, 4, 16, 512]) {
    const signal = new Float64Array(size).map(() => next() * 2 - 1);
    const [re, im] = naiveDft(signal, new Float64Array(size));
    const power = new Float64Array(size / 2 + 1);
    new PowerSpectrum(size).compute(signal, power);
    // Powers reach about size; 1e-9 relative to that is still a million times float64 rounding.
    for (let k = 0; k <= size / 2; k++) assert.ok(Math.abs(power[k] - (re[k] ** 2 + im[k] ** 2)) < 1e-9 * size, `size ${size}, bin ${k}`);
  }
});

test("default state: 98 frames x 40 mels, with names per frame and band", () => {
  const state = fitSound();
  assert.deepEqual(state, {
    kind: "sound",
    rate: 16000,
    seconds: 1,
    spectrogram: { frameSeconds: 0.025, hopSeconds: 0.01, fftSize: 512, mels: 40, minHz: 20, maxHz: 8000 },
  });
  assert.deepEqual(spectrogramShape(state), { frames: 98, mels: 40 });
  assert.equal(soundFeatureCount(state), 3920);
  const names = soundFeatureNames(state);
  assert.equal(names.length, 3920);
  assert.equal(new Set(names).size, 3920);
  // Band 0 centre: one 41st of the way from mel(20) to mel(8000), back in Hz.
  const centre0 = Math.round(melToHz(hzToMel(20) + (hzToMel(8000) - hzToMel(20)) / 41));
  assert.equal(names[0], `t=0.00s ${centre0}Hz`);
  assert.match(names[30 * 40 + 39], /^t=0\.30s \d+Hz$/);
  // 1 + floor((4000 - 200) / 80) frames of 200 samples every 80 at 8000 Hz for 0.5 s; FFT 256.
  const small = fitSound({ rate: 8000, seconds: 0.5 });
  assert.equal(small.spectrogram?.fftSize, 256);
  assert.deepEqual(spectrogramShape(small), { frames: 48, mels: 40 });
  // A window shorter than one frame still gives one (zero-padded) frame.
  assert.deepEqual(spectrogramShape(fitSound({ seconds: 0.01 })), { frames: 1, mels: 40 });
});

test("amplitude features are the centred window of samples at the state's rate", () => {
  const state = fitSound({ rate: 8000, seconds: 0.5, spectrogram: false });
  assert.equal(spectrogramShape(state), null);
  assert.equal(soundFeatureCount(state), 4000);
  const names = soundFeatureNames(state);
  assert.equal(names[1000], "t=0.125s");
  assert.equal(names[0], "t=0.000s");
  assert.equal(new Set(names).size, 4000);
  assert.equal(soundFeatureNames(fitSound({ spectrogram: false }))[2000], "t=0.125s");
  const clip = tone(300, 16000, 1, 0.5);
  const features = soundFeatures(state, clip);
  assert.deepEqual(Array.from(features), Array.from(fixedWindow(resample(clip, 8000).samples, 4000)));
});

/** Mean log energy per band over all frames. */
function bandMeans(features: Float32Array, mels: number): number[] {
  const means = new Array<number>(mels).fill(0);
  const frames = features.length / mels;
  for (let i = 0; i < features.length; i++) means[i % mels] += features[i] / frames;
  return means;
}

test("a 1000 Hz tone peaks, in every frame, in the mel band whose centre is nearest 1000 Hz", () => {
  const state = fitSound();
  const features = soundFeatures(state, tone(1000, 16000, 1, 0.5));
  assert.equal(features.length, 3920);
  const low = hzToMel(20);
  const step = (hzToMel(8000) - low) / 41;
  const expected = Math.round((hzToMel(1000) - low) / step) - 1; // band b is centred at low + (b + 1) * step
  const centres = soundFeatureNames(state)
    .slice(0, 40)
    .map((n) => Number(/ (\d+)Hz$/.exec(n)?.[1]));
  assert.ok(centres[expected - 1] < 1000 && 1000 < centres[expected + 1]);
  for (let f = 0; f < 98; f++) assert.equal(argmax(features, f * 40, f * 40 + 40), expected, `frame ${f}`);
  // The same tone recorded at 44100 Hz gives the same picture after resampling.
  const fromCd = soundFeatures(state, tone(1000, 44100, 1, 0.5));
  for (let f = 0; f < 98; f++) assert.equal(argmax(fromCd, f * 40, f * 40 + 40), expected, `44.1 kHz frame ${f}`);
  // Silence is the log floor, ln(1e-6), in every cell.
  assert.ok(soundFeatures(state, { rate: 16000, samples: new Float32Array(16000) }).every((x) => Math.abs(x - Math.log(1e-6)) < 1e-5));
});

test("a rising chirp's peak band rises over time", () => {
  const rate = 16000;
  const samples = new Float32Array(rate);
  for (let i = 0; i < rate; i++) {
    const t = i / rate;
    samples[i] = 0.5 * Math.sin(2 * Math.PI * (200 * t + ((6000 - 200) / 2) * t * t)); // 200 -> 6000 Hz in 1 s
  }
  const features = soundFeatures(fitSound(), { rate, samples });
  const peaks = Array.from({ length: 98 }, (_, f) => argmax(features, f * 40, f * 40 + 40));
  let falls = 0;
  for (let f = 1; f < 98; f++) if (peaks[f] < peaks[f - 1]) falls++;
  assert.equal(falls, 0, `peak bands: ${peaks.join(" ")}`);
  assert.ok(peaks[0] <= 8 && peaks[97] >= 35, `first ${peaks[0]}, last ${peaks[97]}`);
});

test("white noise spreads over every band while a tone does not", () => {
  const next = random(11);
  const noise = new Float32Array(16000).map(() => next() - 0.5);
  const noiseMeans = bandMeans(soundFeatures(fitSound(), { rate: 16000, samples: noise }), 40);
  const toneMeans = bandMeans(soundFeatures(fitSound(), tone(1000, 16000, 1, 0.29)), 40);
  // Same RMS (0.29 / sqrt 2 ~ 1/sqrt 12). Noise: wider bands gather more bins, but every band stays
  // within ln(bins ratio ~ 30) + a margin of the loudest; a tone leaves far bands near the floor.
  const spread = (means: number[]) => Math.max(...means) - Math.min(...means);
  assert.ok(spread(noiseMeans) < 6, `noise spread ${spread(noiseMeans)}`);
  assert.ok(spread(toneMeans) > 15, `tone spread ${spread(toneMeans)}`);
});

test("fitSound refuses bad options", () => {
  for (const options of [{ rate: 44100.5 }, { rate: 10 }, { seconds: 0 }, { seconds: Number.NaN }, { rate: 1000, seconds: 0.0001 }]) {
    assert.equal(failure(() => fitSound(options)).code, "BAD_ARGUMENT", JSON.stringify(options));
  }
});

test("checkSoundState accepts a saved state and refuses broken ones as BAD_MODEL_FILE", () => {
  for (const state of [fitSound(), fitSound({ spectrogram: false, rate: 8000, seconds: 2 })]) {
    assert.deepEqual(checkSoundState(JSON.parse(JSON.stringify(state)), "m.safetensors"), state);
  }
  const good = fitSound();
  const broken: [unknown, RegExp][] = [
    [null, /expected an object/],
    [{ ...good, kind: "image" }, /kind is "image"/],
    [{ ...good, rate: null }, /rate null/],
    [{ ...good, seconds: -1 }, /seconds -1/],
    [{ ...good, spectrogram: "yes" }, /spectrogram must be an object or null/],
    [{ ...good, spectrogram: { ...good.spectrogram, fftSize: 500 } }, /fftSize 500 is not a power of two/],
    [{ ...good, spectrogram: { ...good.spectrogram, fftSize: 256 } }, /fftSize 256 is not a power of two >= the 400-sample frame/],
    [{ ...good, spectrogram: { ...good.spectrogram, mels: 0 } }, /mels 0/],
    [{ ...good, spectrogram: { ...good.spectrogram, maxHz: 9000 } }, /band 20\.\.9000 Hz/],
    [{ ...good, spectrogram: { ...good.spectrogram, hopSeconds: undefined } }, /hopSeconds is undefined/],
  ];
  for (const [state, message] of broken) {
    const error = failure(() => checkSoundState(state, "m.safetensors"));
    assert.equal(error.code, "BAD_MODEL_FILE");
    assert.match(error.message, /^m\.safetensors: broken sound featurizer state: /);
    assert.match(error.message, message);
  }
});
