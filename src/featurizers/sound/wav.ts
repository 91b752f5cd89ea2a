/**
 * WAV bytes <-> a mono clip of samples in -1..1.
 *
 * The `wavefile` package reads the RIFF structure (RIFF, RIFX or RF64 container, the 'fmt ' and
 * 'data' chunks); Glassbox then checks every header field it relies on and turns the sample bytes
 * into numbers itself, so that a broken file always ends in one clear BAD_DATA error and never in
 * silently wrong numbers. No Node-only API is used: the web app decodes with the same code.
 */
import * as wavefileModule from "wavefile";
import { GlassboxError, check } from "../../errors.js";
import { inputLimits, type InputLimits } from "../../limits.js";

/** A mono sound clip: `rate` samples per second, each in -1..1. */
export interface Clip {
  rate: number;
  samples: Float32Array;
}

type WaveFileClass = typeof wavefileModule.WaveFile;

// Node loads wavefile's CommonJS build, whose exports sit on `default`; bundlers for browsers
// read its ES module build, which exports `WaveFile` by name. Accept either shape.
const WaveFile: WaveFileClass =
  (wavefileModule as { WaveFile?: WaveFileClass }).WaveFile ?? (wavefileModule as unknown as { default: { WaveFile: WaveFileClass } }).default.WaveFile;

/** The 'fmt ' chunk fields as wavefile fills them in. */
interface FmtChunk {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** WAVE_FORMAT_EXTENSIBLE only: bits that carry sound in each container of bitsPerSample. */
  validBitsPerSample?: number;
  subformat?: number[];
}

/** The parts of a parsed WaveFile read here (wavefile types them only as `object`). */
interface ParsedWav {
  container: string;
  fmt: FmtChunk;
  data: { chunkSize: number; samples: Uint8Array };
  ds64: { dataSizeHigh: number; dataSizeLow: number };
}

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Record<number, string> = { 2: "MS ADPCM", 6: "A-law", 7: "mu-law", 17: "IMA ADPCM", 85: "MP3" };

function bad(source: string, reason: string): GlassboxError {
  return new GlassboxError("BAD_DATA", `${source}: ${reason}`);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/**
 * Decodes a WAV file: PCM 8/16/24/32-bit (8-bit is unsigned, 128 is silence) or IEEE float
 * 32/64-bit, any number of channels, which are averaged into one. Integer samples are divided by
 * 2^(bits-1), so they land in -1..1; float samples are kept as they are (and must be finite).
 * Throws BAD_DATA, naming `source`, for anything else: not a WAV file, a missing or broken
 * header, an unsupported encoding, a data chunk cut short, or no samples at all.
 * @example
 * decodeWav(encodeWav({ rate: 8000, samples: new Float32Array([0, 0.5]) }), "a.wav") // { rate: 8000, samples: [0, 0.5] }
 */
export function decodeWav(bytes: Uint8Array, source: string, limits: InputLimits = inputLimits()): Clip {
  if (!(bytes instanceof Uint8Array)) throw bad(source, "expected the bytes of a WAV file (a Uint8Array)");
  if (bytes.length < 12) throw bad(source, `not a WAV file: ${bytes.length} bytes is too short for a RIFF/WAVE header (12 bytes)`);
  const wav = new WaveFile() as unknown as ParsedWav & { fromBuffer(bytes: Uint8Array): void };
  try {
    wav.fromBuffer(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw bad(source, `not a readable WAV file (expected a RIFF/WAVE header with 'fmt ' and 'data' chunks): ${reason}`);
  }
  const fmt = wav.fmt;
  const format = fmt.audioFormat === EXTENSIBLE && Array.isArray(fmt.subformat) ? fmt.subformat[0] : fmt.audioFormat;
  const bits = fmt.bitsPerSample;
  const channels = fmt.numChannels;
  if (format !== PCM && format !== IEEE_FLOAT) {
    const name = FORMAT_NAMES[format] ?? `format code ${format}`;
    throw bad(source, `unsupported WAV encoding ${name}; expected PCM (8/16/24/32-bit) or IEEE float (32/64-bit)`);
  }
  if (format === PCM && ![8, 16, 24, 32].includes(bits)) {
    throw bad(source, `unsupported PCM bit depth ${bits}; expected 8, 16, 24 or 32`);
  }
  if (format === IEEE_FLOAT && bits !== 32 && bits !== 64) {
    throw bad(source, `unsupported float bit depth ${bits}; expected 32 or 64`);
  }
  const valid = fmt.validBitsPerSample;
  if (fmt.audioFormat === EXTENSIBLE && typeof valid === "number" && valid !== 0 && valid !== bits) {
    // Writers disagree on where the valid bits sit in the container, so any reading could be wrong.
    throw bad(source, `unsupported WAV layout: ${valid}-bit samples in ${bits}-bit containers; expected 8, 16, 24 or 32-bit samples that fill their containers`);
  }
  if (!isCount(channels)) throw bad(source, `broken 'fmt ' chunk: ${channels} channels`);
  if (!isCount(fmt.sampleRate)) throw bad(source, `broken 'fmt ' chunk: sample rate ${fmt.sampleRate}`);
  if (fmt.sampleRate < limits.wavMinRate || fmt.sampleRate > limits.wavMaxRate) {
    throw bad(source, `sample rate ${fmt.sampleRate} Hz; expected ${limits.wavMinRate} to ${limits.wavMaxRate} Hz (the input limits wav-min-rate and wav-max-rate)`);
  }
  if (channels > limits.wavChannels) throw bad(source, `${channels} channels; expected at most ${limits.wavChannels} (the input limit wav-channels)`);
  const bytesPerSample = bits / 8;
  const frameBytes = bytesPerSample * channels;
  if (fmt.blockAlign !== frameBytes) {
    throw bad(source, `broken 'fmt ' chunk: block align ${fmt.blockAlign}, expected ${frameBytes} (${channels} channels of ${bits} bits)`);
  }

  let data = wav.data.samples;
  let declared = wav.data.chunkSize;
  if (wav.container === "RF64" && declared === 0xffffffff) {
    declared = wav.ds64.dataSizeHigh * 2 ** 32 + wav.ds64.dataSizeLow;
  }
  if (data.length < declared) {
    throw bad(source, `truncated: the 'data' chunk declares ${declared} bytes but only ${data.length} are present`);
  }
  data = data.subarray(0, declared);
  if (data.length % frameBytes !== 0) {
    throw bad(source, `truncated: the 'data' chunk holds ${data.length} bytes, not a whole number of ${frameBytes}-byte frames`);
  }
  const frames = data.length / frameBytes;
  if (frames === 0) throw bad(source, "the WAV file holds no samples");
  if (frames > limits.wavSeconds * fmt.sampleRate) {
    throw bad(source, `${(frames / fmt.sampleRate).toFixed(1)} seconds of sound; expected at most ${limits.wavSeconds} (cut it into clips, or raise the input limit wav-seconds)`);
  }

  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = sampleReader(view, format, bits, wav.container !== "RIFX");
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read((i * channels + c) * bytesPerSample);
    samples[i] = sum / channels;
  }
  if (format === IEEE_FLOAT) {
    for (let i = 0; i < frames; i++) {
      if (!Number.isFinite(samples[i])) throw bad(source, `sample ${i} is not a finite number (${samples[i]})`);
    }
  }
  return { rate: fmt.sampleRate, samples };
}

/** Returns a function reading one sample at a byte offset, scaled to -1..1 for integer PCM. */
function sampleReader(view: DataView, format: number, bits: number, little: boolean): (offset: number) => number {
  if (format === IEEE_FLOAT) {
    return bits === 32 ? (o) => view.getFloat32(o, little) : (o) => view.getFloat64(o, little);
  }
  switch (bits) {
    case 8:
      return (o) => (view.getUint8(o) - 128) / 128;
    case 16:
      return (o) => view.getInt16(o, little) / 32768;
    case 24:
      return little
        ? (o) => ((view.getInt8(o + 2) << 16) | (view.getUint8(o + 1) << 8) | view.getUint8(o)) / 8388608
        : (o) => ((view.getInt8(o) << 16) | (view.getUint8(o + 1) << 8) | view.getUint8(o + 2)) / 8388608;
    default:
      return (o) => view.getInt32(o, little) / 2147483648;
  }
}

/**
 * Writes a clip as a 16-bit PCM mono WAV file. Samples are clamped to -1..1 and rounded to the
 * nearest of the 65536 levels (x * 32768), so decodeWav gives them back within 1/65536.
 * @example
 * encodeWav({ rate: 16000, samples: new Float32Array(16000) }).length // 32044 (44-byte header + 2 bytes a sample)
 */
export function encodeWav(clip: Clip): Uint8Array {
  check(clip !== null && typeof clip === "object" && clip.samples instanceof Float32Array, "encodeWav: expected a clip { rate, samples: Float32Array }");
  check(isCount(clip.rate), `encodeWav: the sample rate must be a positive whole number, got ${clip.rate}`);
  const { samples } = clip;
  const levels = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    check(Number.isFinite(x), `encodeWav: sample ${i} is not a finite number (${x})`);
    levels[i] = Math.max(-32768, Math.min(32767, Math.round(x * 32768)));
  }
  const wav = new WaveFile();
  wav.fromScratch(1, clip.rate, "16", levels);
  return wav.toBuffer();
}
