// Integrated gradients on a Fashion-MNIST classifier trained here (the embedded subset):
// faithfulness (deleting the pixels IG ranks first hurts the answer far faster than deleting
// random pixels) and the model-randomisation sanity check (attributions depend on the weights).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createWasmBackend, type WasmBackend } from "../../src/backends/wasm/index.js";
import { featureRows, type Dataset } from "../../src/data/dataset.js";
import { loadIdxDirectory } from "../../src/data/files.js";
import { explainBatch, type Explanation } from "../../src/explain/index.js";
import type { Network } from "../../src/model/network.js";
import { createMlp } from "../../src/model/mlp.js";
import { Random, permutation } from "../../src/tensor/random.js";
import { fit } from "../../src/train/fit.js";
import { restore, snapshot } from "../../src/train/snapshot.js";
import { median, spearman } from "./helpers.js";

const dir = fileURLToPath(new URL("../../data/fashion-mnist-small", import.meta.url));
const PIXELS = 784;
const IMAGES = 500;

let wasm: WasmBackend;
let network: Network;
let testSet: Dataset;
let explanations: Explanation[];

before(async () => {
  const backend = await createWasmBackend({ threads: 2 });
  assert.ok(backend, "the wasm backend loads in Node 20");
  wasm = backend;
  const trainSet = await loadIdxDirectory(dir, "train");
  testSet = await loadIdxDirectory(dir, "test");
  network = createMlp({ inputs: [28, 28, 1], hidden: [128], labels: trainSet.labelNames, seed: 1, backend: wasm });
  await fit(network, trainSet, { epochs: 2, lr: 0.002, seed: 1, validation: 0 });
  explanations = explainBatch(network, featureRows(testSet, 0, IMAGES), IMAGES, { method: "ig", steps: 64 });
});
after(() => wasm?.close());

/**
 * Deletion curves: for each image, the probability of its label after setting 0, 1, ..., 28
 * blocks of 28 pixels to 0 in its order; returns the mean area under the curves (trapezoid rule
 * over x in [0, 1]). All curves go through network.predict as one batch.
 */
function meanDeletionArea(images: Float32Array, labels: number[], orders: ArrayLike<number>[]): number {
  const steps = 28;
  const count = labels.length;
  const rows = new Float32Array(count * (steps + 1) * PIXELS);
  for (let i = 0; i < count; i++) {
    const current = images.slice(i * PIXELS, (i + 1) * PIXELS);
    for (let s = 0; s <= steps; s++) {
      rows.set(current, (i * (steps + 1) + s) * PIXELS);
      for (let k = s * 28; k < (s + 1) * 28 && k < PIXELS; k++) current[orders[i][k]] = 0;
    }
  }
  const p = network.predict(rows, count * (steps + 1));
  const outputs = network.outputs;
  let area = 0;
  for (let i = 0; i < count; i++) {
    const at = (s: number) => p[(i * (steps + 1) + s) * outputs + labels[i]];
    for (let s = 0; s < steps; s++) area += (at(s) + at(s + 1)) / 2 / steps;
  }
  return area / count;
}

test("faithfulness: deleting pixels in IG order leaves <= 0.6x the area under the probability curve of a random order (500 images)", (t) => {
  const random = new Random(21);
  const images = featureRows(testSet, 0, IMAGES);
  const labels = explanations.map((e) => e.labelIndex);
  const byAttribution = explanations.map((e) => Array.from({ length: PIXELS }, (_, j) => j).sort((a, b) => e.attributions[b] - e.attributions[a]));
  const randomOrders = explanations.map(() => permutation(PIXELS, random));
  const igArea = meanDeletionArea(images, labels, byAttribution);
  const randomArea = meanDeletionArea(images, labels, randomOrders);
  t.diagnostic(`area: IG order ${igArea.toFixed(3)}, random order ${randomArea.toFixed(3)}, ratio ${(igArea / randomArea).toFixed(3)}`);
  assert.ok(randomArea > 0.3, `a random order should leave the answer standing for a while: area ${randomArea}`);
  assert.ok(igArea <= 0.6 * randomArea, `IG order area ${igArea.toFixed(3)}, random order ${randomArea.toFixed(3)} (ratio ${(igArea / randomArea).toFixed(2)})`);
});

test("sanity: re-initialised weights change the attributions: median Spearman of |attribution|, trained vs re-initialised, < 0.5", (t) => {
  // Saliency is compared over all 784 pixels. IG is compared over the pixels the image has
  // (x != baseline 0): on the others IG is 0 by construction, (x - baseline) * anything, for any
  // weights, and those shared zeros alone push the all-pixel correlation to ~0.9.
  const count = 100;
  const images = featureRows(testSet, 0, count);
  const labelOf = (i: number) => explanations[i].labelIndex;
  const explainEach = (method: "ig" | "saliency") =>
    Array.from({ length: count }, (_, i) => explainBatch(network, images.subarray(i * PIXELS, (i + 1) * PIXELS), 1, { method, label: labelOf(i) })[0]);
  const trainedSaliency = explainEach("saliency");
  const trained = snapshot(network);
  network.initialize(new Random(777));
  let randomIg: Explanation[];
  let randomSaliency: Explanation[];
  try {
    randomIg = explainEach("ig");
    randomSaliency = explainEach("saliency");
  } finally {
    restore(network, trained);
  }
  const saliency = median(trainedSaliency.map((e, i) => spearman(e.attributions, randomSaliency[i].attributions)));
  const ig = median(
    randomIg.map((r, i) => {
      const present = Array.from({ length: PIXELS }, (_, j) => j).filter((j) => images[i * PIXELS + j] !== 0);
      return spearman(
        present.map((j) => Math.abs(explanations[i].attributions[j])),
        present.map((j) => Math.abs(r.attributions[j])),
      );
    }),
  );
  t.diagnostic(`median Spearman: saliency ${saliency.toFixed(3)}, IG over present pixels ${ig.toFixed(3)}`);
  assert.ok(saliency < 0.5, `saliency: median Spearman correlation ${saliency.toFixed(3)}`);
  assert.ok(ig < 0.5, `integrated gradients: median Spearman correlation ${ig.toFixed(3)} over the pixels each image has`);
});
