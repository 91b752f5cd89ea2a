// Shapley values: exact enumeration against an independent float64 oracle, KernelSHAP against
// exact, groups on a linear model (where Shapley values are known in closed form).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { explain } from "../../src/explain/index.js";
import type { Network } from "../../src/model/network.js";
import { createMlp } from "../../src/model/mlp.js";
import { Random } from "../../src/tensor/random.js";
import { maxAbsDifference, networkWithWeights, oracleAnswer, sum } from "./helpers.js";

const float64 = createReferenceBackend({ dtype: "float64" });

function randomRows(rows: number, columns: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: rows * columns }, () => random.normal());
}

/** An untrained but varied 6-8-3 softmax MLP whose first layer ignores feature `ignored`. */
function sixFeatureModel(ignored: number): Network {
  const network = createMlp({ inputs: 6, hidden: [8], labels: ["a", "b", "c"], seed: 7, backend: float64 });
  const weight = network.params()[0];
  const values = float64.read(weight.value);
  values.fill(0, ignored * 8, (ignored + 1) * 8); // row `ignored` of [6, 8]: no path from that feature
  float64.write(weight.value, values);
  return network;
}

test("exact Shapley (float64): efficiency within 1e-9 of an independent oracle, an ignored feature gets exactly 0", () => {
  const network = sixFeatureModel(4);
  const x = randomRows(1, 6, 1).map((v) => 2 * v);
  const background = { features: randomRows(20, 6, 2), rows: 20 };
  const e = explain(network, x, { method: "shap", background });
  const label = e.labelIndex;
  let meanBackground = 0;
  for (let b = 0; b < 20; b++) meanBackground += oracleAnswer(network, background.features.subarray(b * 6, (b + 1) * 6), label) / 20;
  const want = oracleAnswer(network, x, label) - meanBackground;
  const total = sum(e.attributions);
  assert.ok(e.attributions instanceof Float64Array, "a float64 backend gives float64 attributions");
  // Float64 throughout: 64 coalitions x 20 rows of rounding leave ~1e-15; 1e-9 is the acceptance bound.
  assert.ok(Math.abs(total - want) < 1e-9, `sum ${total}, oracle ${want}`);
  assert.ok(Math.abs(e.baselineOutput - meanBackground) < 1e-12, "baselineOutput is the mean answer on the background");
  assert.equal(e.attributions[4], 0);
  assert.ok(Math.abs(want) > 0.05, `the check needs an answer that moves: ${want}`);
  assert.ok(
    e.attributions.every((a, j) => j === 4 || a !== 0),
    "every other feature plays a part",
  );
  assert.equal(e.steps, 64);
});

test("KernelSHAP matches exact Shapley within 1e-2: all coalitions (6 features) and sampled (10 features, 300 of 1022)", () => {
  const six = sixFeatureModel(4);
  const x6 = randomRows(1, 6, 3);
  const background6 = { features: randomRows(10, 6, 4), rows: 10 };
  const exact6 = explain(six, x6, { method: "shap", background: background6 });
  const kernel6 = explain(six, x6, { method: "shap", background: background6, exactLimit: 0 });
  // With every coalition present the least-squares fit IS the Shapley value: float64 rounding only.
  assert.ok(maxAbsDifference(exact6.attributions, kernel6.attributions) < 1e-9, `6 features: ${maxAbsDifference(exact6.attributions, kernel6.attributions)}`);
  assert.equal(kernel6.steps, 64);

  const ten = createMlp({ inputs: 10, hidden: [12], labels: ["a", "b"], output: "sigmoid", seed: 9, backend: float64 });
  const x10 = randomRows(1, 10, 5).map((v) => 1.5 * v);
  const background10 = { features: randomRows(8, 10, 6), rows: 8 };
  const exact = explain(ten, x10, { method: "shap", background: background10, label: 1 });
  const kernel = explain(ten, x10, { method: "shap", background: background10, label: 1, exactLimit: 0, samples: 300, seed: 3 });
  const error = maxAbsDifference(exact.attributions, kernel.attributions);
  assert.ok(error < 1e-2, `10 features, 300 samples: max error ${error} (values up to ${Math.max(...exact.attributions.map(Math.abs))})`);
  assert.ok(kernel.delta < 1e-12, "KernelSHAP keeps efficiency exactly (it is a constraint)");
  assert.ok(error > 0, "sampling does not reproduce exact values bit for bit: the sampled path ran");
});

test("shap groups on a linear model: a group's value is the sum of its members' (w_j (x_j - mean b_j)); table features in a group hold 0", () => {
  const spec = { inputShape: [4], layers: [{ type: "dense" as const, units: 1, activation: "linear" as const }], output: "linear" as const, labels: ["y"] };
  const w = [0.5, -2, 1, 3];
  const network = networkWithWeights(spec, float64, [w, [0.25]]);
  const x = Float32Array.of(1, 2, 3, 4);
  const background = { features: Float32Array.of(0, 0, 0, 0, 2, 2, 2, 2), rows: 2 }; // mean 1 per feature
  const e = explain(network, x, { method: "shap", background, groups: [[1, 3]] });
  const expected = w.map((wj, j) => wj * (x[j] - 1));
  assert.ok(e.groupAttributions, "groups give group attributions");
  assert.equal(e.groupAttributions.length, 1);
  assert.ok(Math.abs(e.groupAttributions[0] - (expected[1] + expected[3])) < 1e-12, `group ${e.groupAttributions[0]}`);
  assert.ok(Math.abs(e.attributions[0] - expected[0]) < 1e-12 && Math.abs(e.attributions[2] - expected[2]) < 1e-12);
  assert.equal(e.attributions[1], 0);
  assert.equal(e.attributions[3], 0);
  assert.ok(e.delta < 1e-12);
  assert.throws(() => explain(network, x, { method: "shap", groups: [[0, 1], [1]] }), /feature 1 is in groups\[0\] and groups\[1\]/);
});

test("shap on a grid with more cells than its samples can estimate takes square patches: a 32x32x3 image and a 98x40 spectrogram-shaped input add up and share each patch", () => {
  for (const inputs of [
    [32, 32, 3],
    [98, 40],
  ]) {
    const network = createMlp({ inputs, hidden: [6], labels: ["a", "b"], seed: 3, backend: float64 });
    const features = inputs.reduce((a, b) => a * b, 1);
    const x = Float32Array.from(randomRows(1, features, 4), (v) => Math.abs(v));
    const e = explain(network, x, { method: "shap", samples: 2048 });
    // 2x2 patches: 256 players for the image, 49 x 20 = 980 for the spectrogram, each at most 1024 (2 samples a player).
    const total = sum(e.attributions);
    assert.ok(Math.abs(total - (e.output - e.baselineOutput)) <= 1e-6, `${inputs.join("x")}: the values add up (${total} vs ${e.output - e.baselineOutput})`);
    const channels = inputs[2] ?? 1;
    const width = inputs[1];
    const cell = (y: number, x0: number, c = 0) => e.attributions[(y * width + x0) * channels + c];
    assert.equal(cell(0, 0), cell(1, 1), `${inputs.join("x")}: one patch, one share per cell`);
    assert.equal(cell(0, 0, channels - 1), cell(1, 0, channels - 1));
    assert.notEqual(cell(0, 0), cell(0, 2), "the next patch has its own value");
  }
  // A plain row with too many features still asks for groups or more samples.
  const wide = createMlp({ inputs: 3000, hidden: [4], labels: ["a", "b"], seed: 3, backend: float64 });
  assert.throws(() => explain(wide, new Float32Array(3000).fill(1), { method: "shap" }), /KernelSHAP over 3000 players needs at least 6000 samples/);
});
