// Unit checks of saliency, gradient x input, SmoothGrad and occlusion on models whose answers are
// known in closed form, on the reference and wasm backends; labels and errors.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { createWasmBackend } from "../../src/backends/wasm/index.js";
import { explain } from "../../src/explain/index.js";
import { GlassboxError } from "../../src/errors.js";
import type { NetworkSpec } from "../../src/model/network.js";
import { createMlp } from "../../src/model/mlp.js";
import { maxAbsDifference, networkWithWeights } from "./helpers.js";

const wasm = await createWasmBackend({ threads: 1 });
after(() => wasm?.close());

function backends(): Backend[] {
  assert.ok(wasm, "the wasm backend loads in Node 20");
  return [createReferenceBackend(), wasm];
}

const linearSpec = (inputs: number): NetworkSpec => ({
  inputShape: [inputs],
  layers: [{ type: "dense", units: 1, activation: "linear" }],
  output: "linear",
  labels: ["y"],
});

test("saliency and gradient x input on a standardised linear model: |w / std| and w / std (x - baseline), delta 0", () => {
  const w = [2, -1, 0.5];
  for (const backend of backends()) {
    const std = [2, 4, 0.5];
    const network = networkWithWeights(linearSpec(3), backend, [w, [1]], { mean: [1, 2, 3], std });
    const x = Float32Array.of(3, -1, 4);
    const baseline = Float32Array.of(1, 1, 1);
    const slope = w.map((wj, j) => wj / std[j]); // d f / d raw x_j
    const s = explain(network, x, { method: "saliency" });
    // float32 weights and one division: 1e-6 relative to slopes of order 1
    assert.ok(maxAbsDifference(s.attributions, slope.map(Math.abs)) < 1e-6, `${backend.name} saliency ${s.attributions}`);
    const g = explain(network, x, { method: "gradxinput", baseline });
    const want = slope.map((d, j) => d * (x[j] - baseline[j]));
    assert.ok(maxAbsDifference(g.attributions, want) < 1e-5, `${backend.name} gradxinput ${g.attributions}`);
    assert.ok(g.delta < 1e-5, `${backend.name}: gradient x input is exact on a linear model, delta ${g.delta}`);
    assert.equal(g.steps, 1);
  }
});

test("smoothgrad: seeded and reproducible; on f = relu(x) at x = 0 the mean gradient is P(noise > 0) = 1/2", () => {
  const spec: NetworkSpec = {
    inputShape: [1],
    layers: [
      { type: "dense", units: 1, activation: "relu" },
      { type: "dense", units: 1, activation: "linear" },
    ],
    output: "linear",
    labels: ["y"],
  };
  for (const backend of backends()) {
    const network = networkWithWeights(spec, backend, [[1], [0], [1], [0]]);
    const x = Float32Array.of(0);
    // A constant row has range 1 by convention, so noise 1 is a standard normal.
    const a = explain(network, x, { method: "smoothgrad", samples: 2000, noise: 1, seed: 5 });
    const b = explain(network, x, { method: "smoothgrad", samples: 2000, noise: 1, seed: 5 });
    const c = explain(network, x, { method: "smoothgrad", samples: 2000, noise: 1, seed: 6 });
    assert.deepEqual(a.attributions, b.attributions, "same seed, same answer");
    assert.notDeepEqual(a.attributions, c.attributions, "another seed, other noise");
    // A binomial(2000, 1/2) fraction: standard deviation 0.011; 0.05 is 4.5 of them.
    assert.ok(Math.abs(a.attributions[0] - 0.5) < 0.05, `${backend.name}: ${a.attributions[0]}`);
    assert.equal(a.steps, 2000);
    const still = explain(network, Float32Array.of(0.3), { method: "smoothgrad", noise: 0 });
    assert.equal(still.attributions[0], 1, "no noise: the plain gradient");
  }
});

test("occlusion on a 6x6 image: a model that reads only the 2x2 region at rows 0-1, columns 4-5 lights only that region", () => {
  const region = [4, 5, 10, 11]; // (y * 6 + x) for y in 0..1, x in 4..5
  const weight = new Array<number>(36 * 2).fill(0);
  for (const j of region) weight[j * 2] = 1; // output 0 sums the region; output 1 is constant
  const spec: NetworkSpec = {
    inputShape: [6, 6, 1],
    layers: [{ type: "dense", units: 2, activation: "linear" }],
    output: "softmax",
    labels: ["region", "rest"],
  };
  for (const backend of backends()) {
    const network = networkWithWeights(spec, backend, [weight, [0, 1]]);
    const image = new Float32Array(36).fill(1);
    const e = explain(network, image, { method: "occlusion", window: 2, stride: 2, label: "region" });
    assert.equal(e.steps, 9, "3 x 3 windows");
    for (let j = 0; j < 36; j++) {
      if (region.includes(j)) assert.ok(e.attributions[j] > 0.1, `${backend.name}: pixel ${j} in the region: ${e.attributions[j]}`);
      else assert.equal(e.attributions[j], 0, `${backend.name}: pixel ${j} outside the region`);
    }
    // One window covers the region: its drop f(x) - f(occluded), spread over its 4 pixels.
    const drop = e.output - 1 / (1 + Math.exp(1)); // occluded: logits (0, 1)
    assert.ok(Math.abs(e.attributions[4] - drop / 4) < 1e-6, `${backend.name}: ${e.attributions[4]} vs ${drop / 4}`);
    // Overlapping windows (3x3, stride 1, 16 of them) still light nothing outside columns 2..5, rows 0..3.
    const wide = explain(network, image, { method: "occlusion", window: 3, stride: 1, label: 0 });
    assert.equal(wide.steps, 16);
    for (let j = 0; j < 36; j++) {
      const [y, x] = [Math.floor(j / 6), j % 6];
      if (y > 3 || x < 2) assert.equal(wide.attributions[j], 0, `pixel (${y}, ${x})`);
    }
  }
});

test("occlusion on a flat row, window 1: f(x) - f(x with feature j at the baseline), checked with network.predict", () => {
  const network = createMlp({ inputs: 5, hidden: [6], labels: ["a", "b", "c"], seed: 4 });
  const x = Float32Array.of(1, -2, 0.5, 3, -1);
  const e = explain(network, x, { method: "occlusion", label: "c" });
  for (let j = 0; j < 5; j++) {
    const occluded = x.slice();
    occluded[j] = 0;
    const want = network.predict(x, 1)[2] - network.predict(occluded, 1)[2];
    assert.ok(Math.abs(e.attributions[j] - want) < 1e-6, `feature ${j}: ${e.attributions[j]} vs ${want}`);
  }
});

test("labels: by name or index, predicted by default; sigmoid label 0 explains 1 - p; unknown labels and bad shapes are errors with codes", () => {
  const network = createMlp({ inputs: 3, hidden: [4], labels: ["no", "yes"], output: "sigmoid", seed: 3 });
  const x = Float32Array.of(0.5, -1, 2);
  const p = network.predict(x, 1)[0];
  const yes = explain(network, x, { label: "yes" });
  const no = explain(network, x, { label: 0 });
  assert.equal(yes.labelIndex, 1);
  assert.ok(Math.abs(yes.output - p) < 1e-6 && Math.abs(no.output - (1 - p)) < 1e-6);
  assert.ok(
    maxAbsDifference(
      no.attributions,
      yes.attributions.map((a) => -a),
    ) < 1e-6,
    "d(1 - p) = -dp",
  );
  assert.equal(explain(network, x).label, p >= 0.5 ? "yes" : "no");
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      return error instanceof GlassboxError ? error.code : "not a GlassboxError";
    }
    return "no error";
  };
  assert.equal(
    code(() => explain(network, x, { label: "maybe" })),
    "UNKNOWN_LABEL",
  );
  assert.equal(
    code(() => explain(network, x, { label: 2 })),
    "BAD_ARGUMENT",
  );
  assert.equal(
    code(() => explain(network, Float32Array.of(1, 2))),
    "SHAPE_MISMATCH",
  );
  assert.equal(
    code(() => explain(network, x, { steps: 0 })),
    "BAD_ARGUMENT",
  );
  assert.equal(
    code(() => explain(network, x, { method: "shap", exactLimit: 0, samples: 4 })),
    "BAD_ARGUMENT",
  );
});
