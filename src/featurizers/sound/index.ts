/**
 * The sound featurizer: a WAV clip -> a fixed number of features.
 *
 * A clip is resampled to the featurizer's rate, cut to a fixed-length window centred on where its
 * energy is, and then either kept as raw amplitudes or turned into a log mel spectrogram
 * ([frames, mels], frame-major), which a network separates sounds by far more easily.
 */
import { GlassboxError, check } from "../../errors.js";
import { fixedWindow, resample } from "./resample.js";
import { isPowerOfTwo, melSpectrogram, nextPowerOfTwo, spectrogramPlan, type SpectrogramPlan } from "./spectrogram.js";
import type { Clip } from "./wav.js";

export { decodeWav, encodeWav, type Clip } from "./wav.js";
export { fixedWindow, resample } from "./resample.js";

export interface SpectrogramState {
  frameSeconds: number;
  hopSeconds: number;
  fftSize: number;
  mels: number;
  minHz: number;
  maxHz: number;
}

/** Fitted state, saved as JSON inside the model file. */
export interface SoundState {
  kind: "sound";
  /** Samples per second every clip is resampled to. */
  rate: number;
  /** Length of the window of sound the features describe. */
  seconds: number;
  /** Mel spectrogram settings, or null for raw amplitude features. */
  spectrogram: SpectrogramState | null;
}

export interface SoundOptions {
  /** Samples per second clips are resampled to, a whole number from 1000 to 384000. Default 16000. */
  rate?: number;
  /** Seconds of sound to describe, centred on the clip's energy. Default 1. */
  seconds?: number;
  /** Log mel spectrogram features (true) or the samples themselves (false). Default true. */
  spectrogram?: boolean;
}

const MIN_RATE = 1000;
const MAX_RATE = 384000;
const MAX_SECONDS = 3600;

/**
 * A featurizer state for sound, with the defaults: 16000 samples a second, 1 s windows, and a
 * spectrogram of 25 ms Hann-windowed frames every 10 ms, FFT size the next power of two >= a
 * frame, 40 HTK mel bands from 20 Hz to rate/2. Nothing is learnt from data, so no clips are needed.
 * @example
 * soundFeatureCount(fitSound()) // 3920: 98 frames x 40 mel bands
 * soundFeatureCount(fitSound({ rate: 8000, seconds: 0.5, spectrogram: false })) // 4000 samples
 */
export function fitSound(options: SoundOptions = {}): SoundState {
  const rate = options.rate ?? 16000;
  const seconds = options.seconds ?? 1;
  check(Number.isInteger(rate) && rate >= MIN_RATE && rate <= MAX_RATE, `sound rate must be a whole number of samples per second from ${MIN_RATE} to ${MAX_RATE}, got ${rate}`);
  check(
    typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_SECONDS,
    `sound seconds must be a number above 0 and at most ${MAX_SECONDS}, got ${seconds}`,
  );
  check(Math.round(seconds * rate) >= 1, `sound seconds ${seconds} at ${rate} samples per second is less than one sample`);
  if (options.spectrogram === false) return { kind: "sound", rate, seconds, spectrogram: null };
  const frameSeconds = 0.025;
  return {
    kind: "sound",
    rate,
    seconds,
    spectrogram: {
      frameSeconds,
      hopSeconds: 0.01,
      fftSize: nextPowerOfTwo(Math.round(frameSeconds * rate)),
      mels: 40,
      minHz: 20,
      maxHz: rate / 2,
    },
  };
}

/** Samples in a window: round(seconds * rate). */
function windowLength(state: SoundState): number {
  return Math.round(state.seconds * state.rate);
}

function frameLength(state: SoundState, spectrogram: SpectrogramState): number {
  return Math.round(spectrogram.frameSeconds * state.rate);
}

function hopLength(state: SoundState, spectrogram: SpectrogramState): number {
  return Math.max(1, Math.round(spectrogram.hopSeconds * state.rate));
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** What is wrong with a state, or null when it is usable. */
function stateProblem(state: unknown): string | null {
  if (state === null || typeof state !== "object") return "expected an object";
  const s = state as Record<string, unknown>;
  if (s.kind !== "sound") return `kind is ${JSON.stringify(s.kind)}, expected "sound"`;
  const { rate, seconds, spectrogram } = s;
  if (!isNumber(rate) || !Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) return `rate ${String(rate)} is not a whole number from ${MIN_RATE} to ${MAX_RATE}`;
  if (!isNumber(seconds) || seconds <= 0 || seconds > MAX_SECONDS) return `seconds ${String(seconds)} is not a number above 0 and at most ${MAX_SECONDS}`;
  if (Math.round(seconds * rate) < 1) return `seconds ${seconds} is less than one sample`;
  if (spectrogram === null) return null;
  if (typeof spectrogram !== "object" || spectrogram === undefined) return "spectrogram must be an object or null";
  const p = spectrogram as Record<string, unknown>;
  for (const key of ["frameSeconds", "hopSeconds", "fftSize", "mels", "minHz", "maxHz"]) {
    if (!isNumber(p[key])) return `spectrogram.${key} is ${JSON.stringify(p[key])}, expected a finite number`;
  }
  const { frameSeconds, hopSeconds, fftSize, mels, minHz, maxHz } = p as unknown as SpectrogramState;
  const frame = Math.round(frameSeconds * rate);
  if (frameSeconds <= 0 || frame < 2) return `spectrogram.frameSeconds ${frameSeconds} gives ${frame} samples a frame, expected at least 2`;
  if (hopSeconds <= 0) return `spectrogram.hopSeconds ${hopSeconds} must be above 0`;
  if (!isPowerOfTwo(fftSize) || fftSize < frame) return `spectrogram.fftSize ${fftSize} is not a power of two >= the ${frame}-sample frame`;
  if (!Number.isInteger(mels) || mels < 1 || mels > fftSize / 2 + 1) return `spectrogram.mels ${mels} is not a whole number from 1 to ${fftSize / 2 + 1}`;
  if (minHz < 0 || maxHz <= minHz || maxHz > rate / 2) return `spectrogram band ${minHz}..${maxHz} Hz is not within 0..${rate / 2} Hz (half the rate) with minHz < maxHz`;
  return null;
}

/**
 * Checks a sound state read from a model file and returns a clean copy of it.
 * Throws BAD_MODEL_FILE, naming `source`, when it is broken.
 * @example
 * checkSoundState(JSON.parse(JSON.stringify(fitSound())), "m.safetensors").rate // 16000
 */
export function checkSoundState(state: unknown, source: string): SoundState {
  const problem = stateProblem(state);
  if (problem !== null) throw new GlassboxError("BAD_MODEL_FILE", `${source}: broken sound featurizer state: ${problem}`);
  const s = state as SoundState;
  const p = s.spectrogram;
  return {
    kind: "sound",
    rate: s.rate,
    seconds: s.seconds,
    spectrogram: p === null ? null : { frameSeconds: p.frameSeconds, hopSeconds: p.hopSeconds, fftSize: p.fftSize, mels: p.mels, minHz: p.minHz, maxHz: p.maxHz },
  };
}

interface Prepared {
  length: number;
  plan: SpectrogramPlan | null;
}

/** Plans (window, FFT twiddles, mel filters) by state, so each shape is set up once. */
const preparedCache = new Map<string, Prepared>();
const CACHE_SIZE = 8;

function prepare(state: SoundState): Prepared {
  const p = state.spectrogram;
  const key = JSON.stringify([state.rate, state.seconds, p && [p.frameSeconds, p.hopSeconds, p.fftSize, p.mels, p.minHz, p.maxHz]]);
  const cached = preparedCache.get(key);
  if (cached) return cached;
  const problem = stateProblem(state);
  check(problem === null, `broken sound featurizer state: ${problem}`);
  const length = windowLength(state);
  const plan = p === null ? null : spectrogramPlan(state.rate, length, frameLength(state, p), hopLength(state, p), p.fftSize, p.mels, p.minHz, p.maxHz);
  const prepared = { length, plan };
  if (preparedCache.size >= CACHE_SIZE) preparedCache.delete(preparedCache.keys().next().value as string);
  preparedCache.set(key, prepared);
  return prepared;
}

/**
 * One clip -> its features: resampled to state.rate, cut to the window around its energy, then
 * the log mel spectrogram [frames, mels] (frame-major) or the window's samples themselves.
 * @example
 * soundFeatures(fitSound(), { rate: 44100, samples: tone }).length // 3920
 */
export function soundFeatures(state: SoundState, clip: Clip): Float32Array {
  check(clip !== null && typeof clip === "object" && clip.samples instanceof Float32Array, "soundFeatures: expected a clip { rate, samples: Float32Array }");
  const prepared = prepare(state);
  const window = fixedWindow(resample(clip, state.rate).samples, prepared.length);
  if (prepared.plan === null) return window;
  const out = new Float32Array(prepared.plan.frames * prepared.plan.mels);
  melSpectrogram(prepared.plan, window, out);
  return out;
}

/** How many features soundFeatures returns for this state. */
export function soundFeatureCount(state: SoundState): number {
  const { length, plan } = prepare(state);
  return plan === null ? length : plan.frames * plan.mels;
}

/**
 * frames x mels, to draw the features as a picture, or null for amplitude features.
 * @example
 * spectrogramShape(fitSound()) // { frames: 98, mels: 40 }
 */
export function spectrogramShape(state: SoundState): { frames: number; mels: number } | null {
  const { plan } = prepare(state);
  return plan === null ? null : { frames: plan.frames, mels: plan.mels };
}

/**
 * Seconds as text with at least `minimum` decimals and as many more as `step` needs to tell
 * neighbours apart, trailing zeros beyond `minimum` dropped: 0.125 -> "0.125", 0.0000625 -> "0.00006".
 */
function secondsText(seconds: number, step: number, minimum: number): string {
  const decimals = Math.max(minimum, Math.ceil(-Math.log10(step)));
  let text = seconds.toFixed(decimals);
  while (decimals > minimum && text.endsWith("0") && text.length - text.indexOf(".") - 1 > minimum) text = text.slice(0, -1);
  return text;
}

/**
 * A name for each feature, for explanations: "t=0.125s" (time within the window) per sample, or
 * "t=0.30s 540Hz" (frame start time and band centre) per spectrogram cell. Times get more
 * decimals where the default ones would give two neighbours the same name.
 * @example
 * soundFeatureNames(fitSound())[0] // "t=0.00s 65Hz"
 * soundFeatureNames(fitSound({ spectrogram: false }))[2000] // "t=0.125s"
 */
export function soundFeatureNames(state: SoundState): string[] {
  const { length, plan } = prepare(state);
  const names: string[] = [];
  if (plan === null) {
    for (let i = 0; i < length; i++) names.push(`t=${secondsText(i / state.rate, 1 / state.rate, 3)}s`);
    return names;
  }
  for (let f = 0; f < plan.frames; f++) {
    const time = secondsText((f * plan.hop) / state.rate, plan.hop / state.rate, 2);
    for (let b = 0; b < plan.mels; b++) names.push(`t=${time}s ${Math.round(plan.bank.centres[b])}Hz`);
  }
  return names;
}
