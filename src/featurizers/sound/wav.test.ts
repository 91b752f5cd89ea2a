import { test } from "node:test";
import assert from "node:assert/strict";
import wavefile from "wavefile";
import { GlassboxError } from "../../errors.js";
import { decodeWav, encodeWav } from "./index.js";
import { failure } from "../../../test/helpers/errors.js";
import { random } from "../../../test/helpers/random.js";

/** A WAV written by wavefile from samples in its own integer (or float) units. */
function wavBytes(channels: number, rate: number, depth: string, samples: ArrayLike<number> | ArrayLike<number>[]): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, rate, depth, samples);
  return wav.toBuffer();
}

const TEST_VALUES = [-1, -0.75, -0.5, -0.123456789, 0, 0.001, 0.3, 0.5, 0.987654321, 0.999];

test("PCM 8/16/24/32-bit and float 32/64-bit WAVs decode to the written samples", () => {
  for (const bits of [8, 16, 24, 32]) {
    const scale = 2 ** (bits - 1);
    // wavefile takes integer levels: signed for 16..32 bits, unsigned with 128 as zero for 8 bits.
    const levels = TEST_VALUES.map((x) => Math.min(scale - 1, Math.round(x * scale)) + (bits === 8 ? 128 : 0));
    const clip = decodeWav(wavBytes(1, 22050, String(bits), levels), `pcm${bits}.wav`);
    assert.equal(clip.rate, 22050);
    assert.equal(clip.samples.length, TEST_VALUES.length);
    TEST_VALUES.forEach((x, i) => {
      // Exactly the written level (1e-7 covers float32 storage of 24/32-bit levels), and so within
      // one quantisation step of the value (half a step from rounding, one where 0.999 clips to the top level).
      assert.ok(Math.abs(clip.samples[i] - (levels[i] - (bits === 8 ? 128 : 0)) / scale) <= 1e-7, `${bits}-bit sample ${i}`);
      assert.ok(Math.abs(clip.samples[i] - x) <= 1 / scale + 1e-7, `${bits}-bit sample ${i}: ${clip.samples[i]} vs ${x}`);
    });
  }
  for (const depth of ["32f", "64"]) {
    const clip = decodeWav(wavBytes(1, 8000, depth, TEST_VALUES), `${depth}.wav`);
    // Float WAVs hold the values themselves; only float32 storage rounds them (relative 6e-8).
    TEST_VALUES.forEach((x, i) => assert.ok(Math.abs(clip.samples[i] - x) <= 1e-7, `${depth} sample ${i}`));
  }
});

test("integer PCM extremes map to exactly -1, 0 and just under 1; 8-bit is unsigned", () => {
  assert.deepEqual(Array.from(decodeWav(wavBytes(1, 8000, "8", [0, 128, 255]), "a.wav").samples), [-1, 0, 127 / 128]);
  assert.deepEqual(Array.from(decodeWav(wavBytes(1, 8000, "16", [-32768, 0, 16384]), "a.wav").samples), [-1, 0, 0.5]);
  assert.deepEqual(Array.from(decodeWav(wavBytes(1, 8000, "24", [-8388608, 4194304, -1]), "a.wav").samples), [-1, 0.5, Math.fround(-1 / 8388608)]);
  assert.deepEqual(Array.from(decodeWav(wavBytes(1, 8000, "32", [-2147483648, 1073741824]), "a.wav").samples), [-1, 0.5]);
});

test("stereo mixes to the mean of the two channels", () => {
  const left = [1000, -32768, 32767, 0, 123];
  const right = [-1000, -32768, 0, 20000, 321];
  const clip = decodeWav(wavBytes(2, 44100, "16", [left, right]), "stereo.wav");
  assert.equal(clip.rate, 44100);
  // Exact: both the levels and their mean are representable in float32.
  assert.deepEqual(
    Array.from(clip.samples),
    left.map((l, i) => (l + right[i]) / 2 / 32768),
  );
  const floats = decodeWav(
    wavBytes(2, 8000, "32f", [
      [0.5, -1],
      [0.25, 1],
    ]),
    "stereo-float.wav",
  );
  assert.deepEqual(Array.from(floats.samples), [0.375, 0]);
});

test("a WAV_FORMAT_EXTENSIBLE float file decodes as float, not as integers", () => {
  const bytes = rawWav({ format: 0xfffe, channels: 1, bits: 32, subformat: 3 }, new Float32Array([0.25, -0.5]));
  assert.deepEqual(Array.from(decodeWav(bytes, "ext.wav").samples), [0.25, -0.5]);
});

/** A hand-built little-endian WAV, to make headers wavefile would refuse to write. */
function rawWav(fmt: { format: number; channels: number; bits: number; blockAlign?: number; subformat?: number }, data: Float32Array | Int16Array): Uint8Array {
  const fmtSize = fmt.subformat === undefined ? 16 : 40;
  const dataBytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bytes = new Uint8Array(12 + 8 + fmtSize + 8 + dataBytes.length);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, fmt.format, true);
  view.setUint16(22, fmt.channels, true);
  view.setUint32(24, 8000, true);
  const blockAlign = fmt.blockAlign ?? (fmt.channels * fmt.bits) / 8;
  view.setUint32(28, 8000 * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, fmt.bits, true);
  if (fmt.subformat !== undefined) {
    view.setUint16(36, 22, true);
    view.setUint16(38, fmt.bits, true);
    view.setUint32(40, 4, true);
    view.setUint32(44, fmt.subformat, true);
    view.setUint32(48, 0x00100000, true);
    view.setUint32(52, 0xaa000080, true);
    view.setUint32(56, 0x719b3800, true);
  }
  const dataAt = 20 + fmtSize;
  ascii(dataAt, "data");
  view.setUint32(dataAt + 4, dataBytes.length, true);
  bytes.set(dataBytes, dataAt + 8);
  return bytes;
}

test("encodeWav writes 16-bit mono PCM that decodes back within half a level", () => {
  const samples = new Float32Array([0, 0.5, -0.5, 1, -1, 0.123, 1.5, -2]);
  const bytes = encodeWav({ rate: 16000, samples });
  assert.equal(bytes.length, 44 + 2 * samples.length);
  const clip = decodeWav(bytes, "round-trip.wav");
  assert.equal(clip.rate, 16000);
  // Rounding to 1/32768 steps gives at most half a step; 1 and 1.5 clip to the top level 32767/32768.
  const expected = [0, 0.5, -0.5, 32767 / 32768, -1, 0.123, 32767 / 32768, -1];
  expected.forEach((x, i) => assert.ok(Math.abs(clip.samples[i] - x) <= 0.5 / 32768 + 1e-7, `sample ${i}: ${clip.samples[i]} vs ${x}`));
  assert.equal(failure(() => encodeWav({ rate: 0, samples })).code, "BAD_ARGUMENT");
  assert.equal(failure(() => encodeWav({ rate: 8000, samples: new Float32Array([NaN]) })).code, "BAD_ARGUMENT");
});

test("corrupt, truncated, empty, non-WAV and unsupported files are BAD_DATA naming the source", () => {
  const good = wavBytes(1, 8000, "16", [1, 2, 3, 4]);
  const cases: [Uint8Array, RegExp][] = [
    [new TextEncoder().encode("this is plain text, not a sound file"), /^notes\.wav: not a readable WAV file/],
    [new Uint8Array(0), /^notes\.wav: not a WAV file: 0 bytes/],
    [good.subarray(0, good.length - 1), /^notes\.wav: truncated: the 'data' chunk declares 8 bytes but only 7/],
    [good.subarray(0, 44), /^notes\.wav: truncated/],
    [good.subarray(0, 36), /^notes\.wav: not a readable WAV file.*"data" chunk/],
    [wavBytes(1, 8000, "16", []), /^notes\.wav: the WAV file holds no samples/],
    [wavBytes(1, 1, "16", [1, 2, 3]), /^notes\.wav: sample rate 1 Hz; expected 1000 to 384000 Hz \(the input limits wav-min-rate and wav-max-rate\)$/],
    [wavBytes(1, 7, "16", [1, 2, 3]), /^notes\.wav: sample rate 7 Hz; expected 1000 to 384000 Hz \(the input limits wav-min-rate and wav-max-rate\)$/],
    [wavBytes(1, 2 ** 31 - 1, "16", [1, 2, 3]), /^notes\.wav: sample rate 2147483647 Hz; expected 1000 to 384000 Hz \(the input limits wav-min-rate and wav-max-rate\)$/],
    [
      wavBytes(1, 1000, "8", new Array(601_000).fill(128)),
      /^notes\.wav: 601\.0 seconds of sound; expected at most 600 \(cut it into clips, or raise the input limit wav-seconds\)$/,
    ],
    [rawWav({ format: 1, channels: 65, bits: 16, blockAlign: 130 }, new Int16Array(130)), /^notes\.wav: 65 channels; expected at most 64 \(the input limit wav-channels\)$/],
    [muLaw(), /^notes\.wav: unsupported WAV encoding mu-law/],
    [wavBytes(1, 8000, "12", [1, 2]), /^notes\.wav: unsupported WAV layout: 12-bit samples in 16-bit containers/],
    [rawWav({ format: 1, channels: 1, bits: 16, blockAlign: 4 }, new Int16Array(4)), /^notes\.wav: broken 'fmt ' chunk: block align 4, expected 2/],
    [rawWav({ format: 1, channels: 0, bits: 16, blockAlign: 0 }, new Int16Array(4)), /^notes\.wav: broken 'fmt ' chunk: 0 channels/],
    [rawWav({ format: 1, channels: 1, bits: 12, blockAlign: 2 }, new Int16Array(4)), /^notes\.wav: unsupported PCM bit depth 12/],
    [rawWav({ format: 3, channels: 1, bits: 16 }, new Int16Array(4)), /^notes\.wav: unsupported float bit depth 16/],
    [rawWav({ format: 3, channels: 1, bits: 32 }, new Float32Array([0, Infinity])), /^notes\.wav: sample 1 is not a finite number/],
    [rawWav({ format: 1, channels: 2, bits: 16 }, new Int16Array(3)), /^notes\.wav: truncated: .*6 bytes, not a whole number of 4-byte frames/],
  ];
  for (const [bytes, message] of cases) {
    const error = failure(() => decodeWav(bytes, "notes.wav"));
    assert.equal(error.code, "BAD_DATA");
    assert.match(error.message, message);
  }
});

function muLaw(): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 8000, "16", [0, 100, -100]);
  wav.toMuLaw();
  return wav.toBuffer();
}

test("randomly damaged WAV bytes give either finite samples or BAD_DATA, never another error", () => {
  const next = random(7);
  const good = wavBytes(2, 8000, "16", [
    [1, 2, 3, 4, 5, 6],
    [-1, -2, -3, -4, -5, -6],
  ]);
  let failures = 0;
  for (let trial = 0; trial < 400; trial++) {
    const bytes = good.slice(0, trial % 4 === 0 ? Math.floor(next() * good.length) : good.length);
    for (let flips = 1 + Math.floor(next() * 3); flips > 0; flips--) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
    try {
      const clip = decodeWav(bytes, "damaged.wav");
      assert.ok(clip.samples.length > 0 && clip.samples.every(Number.isFinite) && clip.rate > 0);
    } catch (error) {
      assert.ok(error instanceof GlassboxError && error.code === "BAD_DATA", `trial ${trial}: ${String(error)}`);
      assert.match(error.message, /^damaged\.wav: /);
      failures++;
    }
  }
  assert.ok(failures > 50, `only ${failures} of 400 damaged files were refused`);
});
