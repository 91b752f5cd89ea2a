// Shared by the explanation tests: small networks with chosen weights, synthetic data, an
// independent float64 forward pass (the oracle for f), rank correlation.
import type { Backend } from "../../src/backends/backend.js";
import type { Dataset } from "../../src/data/dataset.js";
import { Network, type NetworkSpec } from "../../src/model/network.js";
import { Random } from "../../src/tensor/random.js";

/**
 * A network of `spec` whose params are set from `values` (in params() order: weight [inputs, units], bias per layer).
 * With `standardization`, a standardize layer with that mean and std goes first.
 */
export function networkWithWeights(spec: NetworkSpec, backend: Backend, values: number[][], standardization?: { mean: number[]; std: number[] }): Network {
  const full = standardization ? { ...spec, layers: [{ type: "standardize" as const }, ...spec.layers] } : spec;
  const network = new Network(full, { backend });
  const params = network.params();
  if (params.length !== values.length) throw new Error(`expected ${params.length} parameter arrays, got ${values.length}`);
  params.forEach((p, i) => backend.write(p.value, values[i]));
  if (standardization)
    network.loadTensors(new Map([...params.map((p, i) => [p.name, values[i]] as const), ["layers.0.mean", standardization.mean], ["layers.0.std", standardization.std]]));
  return network;
}

/**
 * f(x) for `label` computed in plain float64 JavaScript from the network's tensors: standardisation,
 * dense layers (relu or linear only), dropout (nothing outside training), then softmax / sigmoid /
 * nothing. Independent of the engine's Probe, so it can check the engine's efficiency sums.
 */
export function oracleAnswer(network: Network, x: ArrayLike<number>, label: number): number {
  const tensors = new Map(network.tensors().map((t) => [t.name, network.backend.read(t.value)]));
  let h = Array.from(x);
  network.spec.layers.forEach((layer, index) => {
    if (layer.type === "standardize") {
      const mean = tensors.get(`layers.${index}.mean`) as ArrayLike<number>;
      const std = tensors.get(`layers.${index}.std`) as ArrayLike<number>;
      h = h.map((v, j) => (v - mean[j]) / std[j]);
      return;
    }
    if (layer.type !== "dense") return;
    const weight = tensors.get(`layers.${index}.weight`) as ArrayLike<number>;
    const bias = tensors.get(`layers.${index}.bias`) as ArrayLike<number>;
    const out = new Array<number>(layer.units).fill(0);
    for (let u = 0; u < layer.units; u++) {
      let z = bias[u];
      for (let i = 0; i < h.length; i++) z += h[i] * weight[i * layer.units + u];
      if (layer.activation === "relu") z = Math.max(0, z);
      else if (layer.activation !== "linear") throw new Error(`oracleAnswer handles relu and linear, not ${layer.activation}`);
      out[u] = z;
    }
    h = out;
  });
  if (network.spec.output === "linear") return h[label];
  if (network.spec.output === "sigmoid") {
    const p = 1 / (1 + Math.exp(-h[0]));
    return label === 1 ? p : 1 - p;
  }
  const max = Math.max(...h);
  const exps = h.map((z) => Math.exp(z - max));
  return exps[label] / exps.reduce((a, b) => a + b, 0);
}

/**
 * `rows` rows of `columns` standard-normal features, labelled by which of `classes` fixed
 * random directions has the largest |projection| (nonlinear: learnable by an MLP, not by a line).
 */
export function syntheticClasses(rows: number, columns: number, classes: number, seed: number): Dataset {
  const directions = new Random(12345);
  const w = Float64Array.from({ length: classes * columns }, () => directions.normal());
  const random = new Random(seed);
  const features = new Float32Array(rows * columns);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns; j++) features[r * columns + j] = 2 + 3 * random.normal(); // offset and scale: standardisation matters
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let j = 0; j < columns; j++) s += w[c * columns + j] * (features[r * columns + j] - 2);
      if (Math.abs(s) > bestScore) [best, bestScore] = [c, Math.abs(s)];
    }
    labels[r] = best;
  }
  const labelNames = Array.from({ length: classes }, (_, c) => `class ${c}`);
  return { features, rows, columns, featureNames: null, labels, labelNames, source: "synthetic" };
}

/** Spearman rank correlation (ties get their average rank): the trust checks' own. */
export { spearman } from "../../src/explain/checks.js";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
