import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { mkdtempSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeIdx, parseIdx } from "./idx.js";
import { loadIdxDirectory } from "./files.js";
import { featureRows } from "./dataset.js";

test("IDX round trip: dimensions and bytes", () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
  const parsed = parseIdx(encodeIdx([2, 3, 4], data), "mem");
  assert.deepEqual(parsed.dims, [2, 3, 4]);
  assert.deepEqual(parsed.data, data);
});

test("truncated or foreign IDX files are refused with the reason", () => {
  const bytes = encodeIdx([2, 3], new Uint8Array(6));
  assert.throws(() => parseIdx(bytes.subarray(0, bytes.length - 1), "x.idx"), /x.idx is not a valid IDX file: the header promises 2x3 = 6 values, the file holds 5/);
  assert.throws(() => parseIdx(new TextEncoder().encode("hello world"), "x.idx"), /two zero bytes/);
  const floats = bytes.slice();
  floats[2] = 0x0d;
  assert.throws(() => parseIdx(floats, "x.idx"), /expected element type 0x08/);
});

test("the embedded Fashion-MNIST subset loads with its label names (gzip)", async () => {
  const dir = fileURLToPath(new URL("../../data/fashion-mnist-small", import.meta.url));
  const data = await loadIdxDirectory(dir, "test");
  assert.equal(data.rows, 2000);
  assert.equal(data.columns, 784);
  assert.equal(data.labelNames[9], "Ankle boot");
  assert.deepEqual(data.input, { kind: "image", height: 28, width: 28, channels: 1 });
  assert.equal(data.labels?.[0], 9); // the first Fashion-MNIST test image is an ankle boot
  assert.ok(data.features instanceof Uint8Array, "pixels are held as bytes");
  assert.ok(featureRows(data).every((v) => v >= 0 && v <= 1));
});

test("an IDX directory of uncompressed files, without labels.txt, names classes by number", async () => {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-idx-"));
  writeFileSync(join(dir, "train-images-idx3-ubyte"), encodeIdx([3, 2, 2], Uint8Array.of(0, 255, 0, 255, 1, 2, 3, 4, 9, 9, 9, 9)));
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), encodeIdx([3], Uint8Array.of(0, 2, 1)));
  const data = await loadIdxDirectory(dir, "train");
  assert.deepEqual(data.labelNames, ["0", "1", "2"]);
  assert.deepEqual(Array.from(data.labels ?? []), [0, 2, 1]);
  assert.deepEqual(Array.from(data.features.subarray(0, 5)), [0, 255, 0, 255, 1], "the file's bytes, held as they are");
  assert.deepEqual(
    Array.from(featureRows(data, 1, 1)),
    [1, 2, 3, 4].map((b) => Math.fround(b / 255)),
    "as floats: byte / 255",
  );
  assert.equal(featureRows(data)[1], 1);
  assert.equal(data.columns, 4);
  writeFileSync(join(dir, "t10k-images-idx3-ubyte"), encodeIdx([2, 2, 2], new Uint8Array(8)));
  writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), encodeIdx([3], new Uint8Array(3)));
  await assert.rejects(loadIdxDirectory(dir, "test"), /expected 2 labels \(one per image in .*t10k-images-idx3-ubyte\), got \[3\]/);
  // A gzipped image file cut short is reported as truncated.
  writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(encodeIdx([2, 2, 2], new Uint8Array(8))).subarray(0, 20));
  await assert.rejects(loadIdxDirectory(dir, "test"), /t10k-images-idx3-ubyte.gz: (unexpected end of file|.*truncated)/);
});
