// Integrated gradients: the two toy networks of the integrated-gradients paper (exact answers
// known), and completeness on a trained MLP.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { createWasmBackend } from "../../src/backends/wasm/index.js";
import { explain, explainBatch } from "../../src/explain/index.js";
import type { Network, NetworkSpec } from "../../src/model/network.js";
import { createMlp } from "../../src/model/mlp.js";
import { fit } from "../../src/train/fit.js";
import { median, networkWithWeights, syntheticClasses } from "./helpers.js";
import { featureRows } from "../../src/data/dataset.js";

const wasm = await createWasmBackend({ threads: 1 });
after(() => wasm?.close());

const toySpec: NetworkSpec = {
  inputShape: [2],
  layers: [
    { type: "dense", units: 2, activation: "relu" },
    { type: "dense", units: 1, activation: "relu" },
  ],
  output: "linear",
  labels: ["f"],
};

// f1(x) = ReLU(ReLU(x1) - 1 - ReLU(x2)): hidden = (ReLU(x1), ReLU(x2)), out = ReLU(h1 - h2 - 1)
const f1 = [[1, 0, 0, 1], [0, 0], [1, -1], [-1]];
// f2(x) = ReLU(ReLU(x1 - 1) - ReLU(x2)): hidden = (ReLU(x1 - 1), ReLU(x2)), out = ReLU(h1 - h2)
const f2 = [[1, 0, 0, 1], [-1, 0], [1, -1], [0]];

test("IG on the paper's toy networks f1, f2 at x = (3, 1), baseline 0: [1.5, -0.5] on every backend", () => {
  const backends: Backend[] = [createReferenceBackend({ dtype: "float64" }), createReferenceBackend()];
  assert.ok(wasm, "the wasm backend loads in Node 20");
  backends.push(wasm);
  for (const backend of backends) {
    for (const [name, weights] of [
      ["f1", f1],
      ["f2", f2],
    ] as const) {
      const network = networkWithWeights(toySpec, backend, weights);
      const e = explain(network, Float32Array.of(3, 1), { method: "ig" });
      const where = `${name} on ${backend.name}/${backend.dtype}`;
      // Both paths have one kink at alpha = 1/2, which 64 midpoints split exactly in half: the
      // answer is exact up to float32 rounding (1e-3 is the acceptance tolerance).
      assert.ok(Math.abs(e.attributions[0] - 1.5) < 1e-3, `${where}: got ${e.attributions[0]} for x1`);
      assert.ok(Math.abs(e.attributions[1] + 0.5) < 1e-3, `${where}: got ${e.attributions[1]} for x2`);
      assert.ok(Math.abs(e.output - 1) < 1e-6 && Math.abs(e.baselineOutput) < 1e-6, `${where}: f(x) = 1, f(0) = 0`);
      assert.ok(e.delta < 1e-5, `${where}: completeness, delta ${e.delta}`);
      assert.equal(e.steps, 64);
      assert.equal(e.label, "f");
    }
  }
});

test("IG completeness on a trained MLP: |delta| <= 1e-3 max(1, |f(x) - f(0)|) for >= 99% of 1,000 inputs", async () => {
  // A smooth (gelu) MLP: along the path f is smooth and 64 Gauss-Legendre points integrate it
  // to ~1e-5. (On a ReLU MLP every kink the path crosses costs O(1/steps): see the next test.)
  const train = syntheticClasses(3000, 8, 3, 1);
  assert.ok(wasm, "the wasm backend loads in Node 20");
  const network = createMlp({ inputs: 8, hidden: [32, 16], activation: "gelu", labels: train.labelNames, seed: 2, backend: wasm, standardize: true });
  await fit(network, train, { epochs: 20, lr: 0.01, seed: 2, validation: 0 });
  const inputs = syntheticClasses(1000, 8, 3, 2);
  const explanations = explainBatch(network, featureRows(inputs), inputs.rows, { method: "ig", steps: 64 });
  const predicted = network.predict(featureRows(inputs), inputs.rows);
  let within = 0;
  let moved = 0;
  explanations.forEach((e, r) => {
    // f(x) as the engine reports it agrees with network.predict (float32 softmax: 1e-5).
    assert.ok(Math.abs(e.output - predicted[r * 3 + e.labelIndex]) < 1e-5, `row ${r}: output ${e.output}`);
    const change = e.output - e.baselineOutput;
    if (Math.abs(change) > 0.05) moved++;
    let sum = 0;
    for (const a of e.attributions) sum += a;
    if (Math.abs(sum - change) <= 1e-3 * Math.max(1, Math.abs(change))) within++;
  });
  assert.ok(moved > 500, `the model must have learnt something for the check to mean anything: ${moved} of 1000 inputs move f by > 0.05`);
  assert.ok(within >= 990, `only ${within} of 1000 inputs meet completeness`);
});

/** One ReLU MLP trained on synthetic classes, shared by the tests that need kinks on the path. */
let relu: Network | null = null;
async function trainedRelu(): Promise<Network> {
  if (relu) return relu;
  const train = syntheticClasses(3000, 8, 3, 1);
  assert.ok(wasm, "the wasm backend loads in Node 20");
  relu = createMlp({ inputs: 8, hidden: [32, 16], labels: train.labelNames, seed: 2, backend: wasm, standardize: true });
  await fit(relu, train, { epochs: 20, lr: 0.01, seed: 2, validation: 0 });
  return relu;
}

test("IG on a trained ReLU MLP converges: the median |delta| at 512 steps is under a quarter of that at 64", async () => {
  const network = await trainedRelu();
  const inputs = syntheticClasses(200, 8, 3, 2);
  const medianDelta = (steps: number) => median(explainBatch(network, featureRows(inputs), inputs.rows, { method: "ig", steps }).map((e) => e.delta));
  const coarse = medianDelta(64);
  const fine = medianDelta(512);
  // Kinks give an error ~ 1/steps: 8x the steps should give ~1/8 of the error; 1/4 leaves room.
  assert.ok(coarse > 0 && fine < coarse / 4, `median |delta| ${coarse} at 64 steps, ${fine} at 512`);
});

test("exact IG on a trained ReLU MLP: completeness for >= 99% of 1,000 inputs, and the limit of ever finer steps", async () => {
  const network = await trainedRelu();
  const inputs = syntheticClasses(1000, 8, 3, 2);
  const exact = explainBatch(network, featureRows(inputs), inputs.rows, { method: "ig", exact: true });
  const within = exact.filter((e) => e.delta <= 1e-3 * Math.max(1, Math.abs(e.output - e.baselineOutput))).length;
  assert.ok(within >= 990, `only ${within} of 1000 inputs meet completeness`);
  assert.ok(
    exact.some((e) => e.steps > 2),
    "the paths cross kinks, so they are split into pieces",
  );
  // The plain rule converges to the same attributions: 8192 points leave an error ~1e-4 of the largest.
  for (const r of [0, 1, 2]) {
    const fine = explain(network, featureRows(inputs, r, 1), { method: "ig", steps: 8192 });
    const largest = Math.max(...Array.from(fine.attributions, Math.abs));
    exact[r].attributions.forEach((a, j) => assert.ok(Math.abs(a - fine.attributions[j]) <= 2e-3 * largest + 1e-6, `row ${r} feature ${j}: ${a} vs ${fine.attributions[j]}`));
  }
  // On the paper's toy network f1 (two ReLU layers) the answer is [1.5, -0.5] again.
  const toy = networkWithWeights(toySpec, createReferenceBackend({ dtype: "float64" }), f1);
  const e = explain(toy, Float32Array.of(3, 1), { method: "ig", exact: true });
  assert.ok(Math.abs(e.attributions[0] - 1.5) < 1e-9 && Math.abs(e.attributions[1] + 0.5) < 1e-9, `${e.attributions}`);
  assert.throws(
    () => explain(createMlp({ inputs: 2, hidden: [3], activation: "tanh", labels: ["a", "b"] }), Float32Array.of(1, 1), { method: "ig", exact: true }),
    /need piecewise-linear layers/,
  );
});
