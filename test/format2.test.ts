// Model files of format 2, made by the last Glassbox that wrote them (test/fixtures/format2.md),
// still load and answer exactly as they did then.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { loadIdxDirectory } from "../src/data/files.js";
import { explain } from "../src/explain/index.js";
import { decodeModel } from "../src/io/modelFile.js";
import { loadModel } from "../src/io/disk.js";
import { decodeSafetensors, encodeSafetensors } from "../src/io/safetensors.js";
import { classify } from "../src/model/classify.js";
import { errorCode } from "./helpers/errors.js";
import { ROOT, SMALL } from "./helpers/glassbox.js";
import { featureRows } from "../src/data/dataset.js";

const FIXTURES = join(ROOT, "test/fixtures");
const expected = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"));

test("format 2, Fashion-MNIST image model: the same probabilities bit for bit on the reference backend", async () => {
  const network = loadModel(join(FIXTURES, "format2-fashion.safetensors"));
  const want = expected("format2-fashion");
  const test = await loadIdxDirectory(SMALL, "test");
  const rows = featureRows(test, 0, want.rows);
  assert.deepEqual(Array.from(network.predict(rows, want.rows)), want.probabilities);
  assert.deepEqual(
    classify(network, rows, want.rows, 1).map((p) => p.label),
    want.labels,
  );
  assert.deepEqual([...network.inputShape], [28, 28, 1], "the image featurizer gives the input its shape");
  assert.deepEqual(
    network.describe().map((l) => l.type),
    ["dense", "dropout", "dense", "dropout", "dense"],
  );
});

test("format 2, Fashion-MNIST image model on wasm: within float32 GEMM rounding of the same answers", async () => {
  const backend = await createWasmBackend({ threads: 1 });
  if (!backend) return;
  try {
    const network = loadModel(join(FIXTURES, "format2-fashion.safetensors"), backend);
    const want = expected("format2-fashion");
    const test = await loadIdxDirectory(SMALL, "test");
    const got = network.predict(featureRows(test, 0, want.rows), want.rows);
    // Sums of 784 float32 products in another order: about 1e-6 on a probability.
    got.forEach((p, i) => assert.ok(Math.abs(p - want.probabilities[i]) < 1e-5, `probability ${i}: ${p} vs ${want.probabilities[i]}`));
  } finally {
    backend.close();
  }
});

test("format 2, standardised table model: the same probabilities bit for bit, its standardisation a layer, its background kept", () => {
  const network = loadModel(join(FIXTURES, "format2-table.safetensors"));
  const want = expected("format2-table");
  const features = Float32Array.from(want.features);
  assert.deepEqual(Array.from(network.predict(features, want.rows)), want.probabilities);
  assert.deepEqual(
    network.describe().map((l) => l.type),
    ["standardize", "dense", "dense"],
  );
  assert.equal(network.spec.output, "sigmoid");
  assert.equal(network.background?.rows, 30);
  assert.equal(network.about.featurizer?.kind, "table");
  const file = decodeSafetensors(readFileSync(join(FIXTURES, "format2-table.safetensors")), "m");
  const kept = file.tensors.find((t) => t.name === "background");
  assert.deepEqual(network.background?.features, kept?.data);
});

test("format 2: a file with only half of its standardisation is refused, not read without it", () => {
  const file = decodeSafetensors(readFileSync(join(FIXTURES, "format2-table.safetensors")), "m");
  const halved = encodeSafetensors({ ...file, tensors: file.tensors.filter((t) => t.name !== "normalization.mean") });
  assert.match(
    errorCode(() => decodeModel(halved, "old.safetensors")),
    /BAD_MODEL_FILE: old.safetensors: .*holds "normalization.std" without "normalization.mean"/,
  );
});

test("format 2 image model: occlusion uses 4x4 windows of its 28x28 input (49 players)", async () => {
  const network = loadModel(join(FIXTURES, "format2-fashion.safetensors"));
  const test = await loadIdxDirectory(SMALL, "test");
  assert.equal(explain(network, featureRows(test, 0, 1), { method: "occlusion" }).steps, 49);
});
