import { GlassboxError } from "./errors.js";

/**
 * How large an input Glassbox reads before it refuses it: every decoder checks the sizes a file
 * declares against these before it allocates, so a small file cannot make it take gigabytes or
 * minutes. They are process-wide settings, like an image library's decompression-bomb limit: the
 * decoders take them as their defaults, `setInputLimits` (the CLI's `--input-limit NAME=VALUE`)
 * changes them, and a decoder's own argument overrides them for one call.
 */
export interface InputLimits {
  /**
   * Pixels of one image (width x height), read from the PNG or JPEG header: 25 megapixels (a 24 MP
   * camera's photos pass). Decoding takes up to 24 bytes a pixel (16-bit RGBA samples, then float
   * RGBA), so this bounds one image at about 600 MB.
   */
  imagePixels: number;
  /**
   * Lowest and highest WAV sample rates, in Hz: 1 kHz to 384 kHz. A clip is resampled to the
   * model's rate (16 kHz by default): a 1 Hz file would be stretched 16,000 times.
   */
  wavMinRate: number;
  wavMaxRate: number;
  /** WAV channels: 64. */
  wavChannels: number;
  /** WAV duration, in seconds: 10 minutes (38 MB of float samples at 16 kHz, 230 MB at 96 kHz). */
  wavSeconds: number;
  /** CSV columns: 200,000 (a 100,000-column table trains in about 4 s). */
  csvColumns: number;
  /** Characters of one CSV line: 16 M (a 100 MB cell took 2.5 GB to parse). */
  csvLineChars: number;
  /** Layers of a model file's architecture: 1000 (a 10,000-layer header took 46 s). */
  modelLayers: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  imagePixels: 25_000_000,
  wavMinRate: 1000,
  wavMaxRate: 384_000,
  wavChannels: 64,
  wavSeconds: 600,
  csvColumns: 200_000,
  csvLineChars: 1 << 24,
  modelLayers: 1000,
});

let current: Readonly<InputLimits> = DEFAULT_INPUT_LIMITS;

/** The limits in force. */
export function inputLimits(): Readonly<InputLimits> {
  return current;
}

/**
 * Changes some limits for the whole process; each must be a positive whole number. Returns the
 * limits that were in force before, to restore them.
 * @example setInputLimits({ imagePixels: 100_000_000 }) // read photos up to 100 MP
 */
export function setInputLimits(changes: Partial<InputLimits>): Readonly<InputLimits> {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (!(key in DEFAULT_INPUT_LIMITS))
      throw new GlassboxError("BAD_ARGUMENT", `unknown input limit "${key.slice(0, 40)}"; the limits are: ${Object.keys(DEFAULT_INPUT_LIMITS).join(", ")}`);
    if (!Number.isSafeInteger(value) || value < 1) throw new GlassboxError("BAD_ARGUMENT", `input limit ${key}: expected a whole number >= 1, got ${String(value).slice(0, 40)}`);
    next[key as keyof InputLimits] = value;
  }
  if (next.wavMinRate > next.wavMaxRate) throw new GlassboxError("BAD_ARGUMENT", `input limits: wavMinRate ${next.wavMinRate} is above wavMaxRate ${next.wavMaxRate}`);
  const before = current;
  current = Object.freeze(next);
  return before;
}

/** "image-pixels" <-> "imagePixels": the CLI's names of the limits. */
export function limitOption(key: keyof InputLimits): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * "image-pixels=50000000" (the CLI's --input-limit) -> { imagePixels: 50000000 }. The number may
 * be written 5e7 or 50_000_000; the names are the keys of InputLimits in kebab case.
 */
export function parseInputLimit(text: string): Partial<InputLimits> {
  const keys = Object.keys(DEFAULT_INPUT_LIMITS) as (keyof InputLimits)[];
  const names = keys.map(limitOption);
  const match = /^([a-z-]+)=([0-9_.e+]+)$/i.exec(text.trim());
  const key = match ? keys[names.indexOf(match[1].toLowerCase())] : undefined;
  if (!match || key === undefined) {
    throw new GlassboxError("BAD_ARGUMENT", `--input-limit: expected NAME=NUMBER with NAME one of ${names.join(", ")}, got "${text.slice(0, 100)}"`);
  }
  const value = Number(match[2].replace(/_/g, ""));
  if (!Number.isSafeInteger(value) || value < 1) throw new GlassboxError("BAD_ARGUMENT", `--input-limit ${match[1]}: expected a whole number >= 1, got "${match[2].slice(0, 40)}"`);
  return { [key]: value };
}
