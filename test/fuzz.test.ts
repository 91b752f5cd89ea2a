// Seeded fuzzing of every decoder a user's file meets: PNG, JPEG, WAV and CSV. Each case is a
// valid file with a few bytes changed (or cut, or a header field set to an extreme); decoding
// it must give a valid result or a GlassboxError, never another exception. The model file has
// its own fuzz test (src/io/modelFile.test.ts). Set FUZZ_CASES for a longer run (npm run fuzz).
import { test } from "node:test";
import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { parseCsvDataset } from "../src/data/csv.js";
import { GlassboxError } from "../src/errors.js";
import { decodeImage, encodePng } from "../src/featurizers/image/index.js";
import { decodeWav, encodeWav } from "../src/featurizers/sound/index.js";
import { parseCsvTable } from "../src/featurizers/table/csv.js";
import { random } from "./helpers/random.js";

const CASES = Number(process.env.FUZZ_CASES ?? 250);

/** A copy of `bytes` damaged one of four ways: flipped bytes, a cut, a run of 0xff, or a 32-bit field set to an extreme. */
function damage(bytes: Uint8Array, next: () => number): Uint8Array {
  const at = (): number => Math.floor(next() * bytes.length);
  const way = Math.floor(next() * 4);
  if (way === 1) return bytes.slice(0, at());
  const out = bytes.slice();
  if (way === 0) for (let flips = 1 + Math.floor(next() * 4); flips > 0; flips--) out[at()] = Math.floor(next() * 256);
  else if (way === 2) out.fill(0xff, at(), at() + 1 + Math.floor(next() * 8));
  else {
    const where = Math.min(at(), Math.max(0, out.length - 4));
    const extreme = [0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 10000][Math.floor(next() * 6)];
    new DataView(out.buffer).setUint32(where, extreme, next() < 0.5);
  }
  return out;
}

/** Runs `decode` on CASES damaged copies of `good`; returns how many were accepted and refused. */
function fuzz(name: string, good: Uint8Array, seed: number, decode: (bytes: Uint8Array) => void): { accepted: number; refused: number } {
  const next = random(seed);
  const outcome = { accepted: 0, refused: 0 };
  decode(good); // the undamaged file decodes
  for (let i = 0; i < CASES; i++) {
    const bytes = damage(good, next);
    try {
      decode(bytes);
      outcome.accepted++;
    } catch (error) {
      assert.ok(error instanceof GlassboxError, `${name} case ${i} (seed ${seed}) threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message?.slice(0, 300)}`);
      assert.ok(error.message.length < 1000, `${name} case ${i}: a ${error.message.length}-character message`);
      outcome.refused++;
    }
  }
  return outcome;
}

/** A 12x9 picture with some structure, as RGBA bytes. */
function picture(): Uint8Array {
  const rgba = new Uint8Array(12 * 9 * 4);
  for (let p = 0; p < 12 * 9; p++) rgba.set([(p * 37) % 256, (p * 11) % 256, (p * 5) % 256, 255], p * 4);
  return rgba;
}

test(`fuzz: ${CASES} damaged PNGs decode or give a GlassboxError`, () => {
  const outcome = fuzz("PNG", encodePng(12, 9, picture()), 11, (bytes) => decodeImage(bytes, "fuzz.png"));
  assert.ok(outcome.refused > CASES / 4, JSON.stringify(outcome));
});

test(`fuzz: ${CASES} damaged JPEGs decode or give a GlassboxError`, () => {
  const good = new Uint8Array(jpeg.encode({ width: 12, height: 9, data: Buffer.from(picture()) }, 90).data);
  const outcome = fuzz("JPEG", good, 12, (bytes) => decodeImage(bytes, "fuzz.jpg"));
  assert.ok(outcome.refused > 0, JSON.stringify(outcome));
});

test(`fuzz: ${CASES} damaged WAVs decode or give a GlassboxError`, () => {
  const good = encodeWav({ rate: 8000, samples: Float32Array.from({ length: 400 }, (_, i) => Math.sin(i / 7)) });
  const outcome = fuzz("WAV", good, 13, (bytes) => {
    const clip = decodeWav(bytes, "fuzz.wav");
    assert.ok(clip.samples.every(Number.isFinite), "decoded samples are finite");
  });
  assert.ok(outcome.refused > CASES / 4, JSON.stringify(outcome));
});

test(`fuzz: ${CASES} damaged CSVs parse or give a GlassboxError`, () => {
  const rows = [
    "sepal,petal,species",
    ...Array.from({ length: 30 }, (_, i) => `${(5 + (i % 3) * 0.6).toFixed(2)},${(1.5 + (i % 3) * 2).toFixed(2)},${["setosa", "versicolor", "virginica"][i % 3]}`),
  ];
  const good = new TextEncoder().encode(`${rows.join("\n")}\n`);
  const outcome = fuzz("CSV", good, 14, (bytes) => {
    const text = new TextDecoder().decode(bytes);
    parseCsvTable(text, "fuzz.csv");
    parseCsvDataset(text, { source: "fuzz.csv" });
  });
  assert.ok(outcome.refused > 0, JSON.stringify(outcome));
});
