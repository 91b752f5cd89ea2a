import type { Network, OutputKind } from "../model/network.js";
import type { Mixture } from "../model/pass.js";
import { sigmoid } from "../tensor/scalar.js";
import type { FloatArray } from "../tensor/tensor.js";

/** Numbers per activation a probe aims for when it splits rows into chunks (4 MiB in float32). */
const CHUNK_NUMBERS = 1 << 20;

/**
 * Asks a network for f, its answer for one label, and for d f / d x, the gradient of that
 * answer with respect to the raw input row, through the network's public calls only:
 *
 *   raw x -> layers (standardisation included) -> logits -> f
 *
 * d f / d logits is written by hand (answerOf) and the network's backward pass carries it to
 * the raw input. Rows go through in chunks of at most `chunkRows`.
 */
export class Probe {
  readonly features: number;
  readonly outputs: number;
  readonly kind: OutputKind;
  /** Rows per forward/backward pass. */
  readonly chunkRows: number;
  private staged: FloatArray;

  constructor(readonly network: Network) {
    this.features = network.inputs;
    this.outputs = network.outputs;
    this.kind = network.spec.output;
    let widest = this.features;
    for (const layer of network.describe())
      widest = Math.max(
        widest,
        layer.outputShape.reduce((a, b) => a * b, 1),
      );
    this.chunkRows = Math.max(1, Math.min(8192, Math.floor(CHUNK_NUMBERS / widest)));
    this.staged = this.buffer(0);
  }

  /** The probe of `network`, made once and kept while the network lives. */
  static of(network: Network): Probe {
    let probe = probes.get(network);
    if (!probe) {
      probe = new Probe(network);
      probes.set(network, probe);
    }
    return probe;
  }

  /** rows: [n, features] raw -> logits: [n, outputs], as float64. */
  logits(rows: FloatArray, n: number): Float64Array {
    const out = new Float64Array(n * this.outputs);
    for (let start = 0; start < n; start += this.chunkRows) {
      const count = Math.min(this.chunkRows, n - start);
      out.set(this.network.logitsOf(this.rowsOf(rows, start, count), count), start * this.outputs);
    }
    return out;
  }

  /** rows: [n, features] raw, labels: [n] -> f per row. */
  answers(rows: FloatArray, n: number, labels: Int32Array): Float64Array {
    const logits = this.logits(rows, n);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = answerOf(this.network, logits, i * this.outputs, this.outputs, labels[i], null);
    return out;
  }

  /**
   * rows: [n, features] raw, labels: [n] -> d f / d raw row, handed to `each` chunk by chunk:
   * gradients: [count, features] for rows start..start+count (a fresh array the caller may keep or change).
   */
  gradients(rows: FloatArray, n: number, labels: Int32Array, each: (start: number, count: number, gradients: FloatArray) => void): void {
    for (let start = 0; start < n; start += this.chunkRows) {
      const count = Math.min(this.chunkRows, n - start);
      each(start, count, this.network.inputGradientOf(this.rowsOf(rows, start, count), count, this.slopes(labels, start, count)));
    }
  }

  /**
   * The n rows of a mixture (a straight path's: see Mixture), labels: [n], and sums: [n, k] ->
   * sum over rows i of sums[i, c] d f_i / d raw row i: [k, features], as float64.
   */
  summedGradients(mixture: Mixture, n: number, labels: Int32Array, sums: Float64Array, k: number): Float64Array {
    const out = new Float64Array(k * this.features);
    const m = mixture.count;
    const weights = Float64Array.from(mixture.weights);
    for (let start = 0; start < n; start += this.chunkRows) {
      const count = Math.min(this.chunkRows, n - start);
      const part = { points: mixture.points, count: m, weights: weights.subarray(start * m, (start + count) * m) };
      const chunkSums = { weights: sums.subarray(start * k, (start + count) * k), count: k };
      const g = this.network.summedInputGradientOf(part, count, this.slopes(labels, start, count), chunkSums);
      for (let i = 0; i < g.length; i++) out[i] += g[i];
    }
    return out;
  }

  /** dLogits for rows start..start+count: d f / d logits row by row, from the logits of the same forward pass. */
  private slopes(labels: Int32Array, start: number, count: number): (logits: FloatArray) => Float64Array {
    return (logits) => {
      const slope = new Float64Array(count * this.outputs);
      for (let i = 0; i < count; i++) answerOf(this.network, logits, i * this.outputs, this.outputs, labels[start + i], slope);
      return slope;
    };
  }

  /**
   * rows: [n, features] raw, dLogits: [n, outputs] -> the sum over the rows of dLogits_i ·
   * d logits / d raw row i: [features], as float64. With dLogits the integral of d f / d logits
   * over a stretch where the network is affine, this is that stretch's integrated gradient.
   */
  pulledBack(rows: FloatArray, n: number, dLogits: Float64Array): Float64Array {
    const f = this.features;
    const sum = new Float64Array(f);
    for (let start = 0; start < n; start += this.chunkRows) {
      const count = Math.min(this.chunkRows, n - start);
      const g = this.network.inputGradientOf(this.rowsOf(rows, start, count), count, dLogits.subarray(start * this.outputs, (start + count) * this.outputs));
      for (let i = 0; i < count; i++) for (let j = 0; j < f; j++) sum[j] += g[i * f + j];
    }
    return sum;
  }

  /** All gradients at once: [n, features] as float64 (for a few rows). */
  allGradients(rows: FloatArray, n: number, labels: Int32Array): Float64Array {
    const out = new Float64Array(n * this.features);
    this.gradients(rows, n, labels, (start, _count, g) => out.set(g, start * this.features));
    return out;
  }

  /** Rows start..start+count, in the backend's precision (float64 rows would only be rounded on the way in). */
  private rowsOf(rows: FloatArray, start: number, count: number): FloatArray {
    const f = this.features;
    const source = rows.subarray(start * f, (start + count) * f);
    if ((this.network.backend.dtype === "float64") === source instanceof Float64Array) return source;
    if (this.staged.length < count * f) this.staged = this.buffer(count * f);
    const staged = this.staged.subarray(0, count * f);
    staged.set(source);
    return staged;
  }

  /** A row buffer in the backend's precision. */
  buffer(size: number): FloatArray {
    return this.network.backend.dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  }
}

const probes = new WeakMap<Network, Probe>();

/**
 * f for `label` from one row of logits (at `offset`), in float64; writes d f / d logits to
 * `slope` (same offset) when given.
 * - softmax: f = p_label, d f / d z_j = p_label (e_label - p)_j;
 * - sigmoid (one logit z, p = sigmoid(z)): label 1 -> f = p, label 0 -> f = 1 - p, d f / d z = +-p (1 - p);
 * - linear: f = the value in the label's units, z_label * std + mean (see Network.valueOf), d f / d z = std e_label.
 */
export function answerOf(
  network: Pick<Network, "spec" | "valueOf" | "valueSlope">,
  logits: ArrayLike<number>,
  offset: number,
  outputs: number,
  label: number,
  slope: Float64Array | null,
): number {
  const kind = network.spec.output;
  if (kind === "linear") {
    if (slope) {
      for (let j = 0; j < outputs; j++) slope[offset + j] = 0;
      slope[offset + label] = network.valueSlope(label);
    }
    return network.valueOf(logits[offset + label], label);
  }
  if (kind === "sigmoid") {
    const p = sigmoid(logits[offset]);
    if (slope) slope[offset] = (label === 1 ? 1 : -1) * p * (1 - p);
    return label === 1 ? p : 1 - p;
  }
  let max = -Infinity;
  for (let j = 0; j < outputs; j++) max = Math.max(max, logits[offset + j]);
  let sum = 0;
  for (let j = 0; j < outputs; j++) sum += Math.exp(logits[offset + j] - max);
  const f = Math.exp(logits[offset + label] - max) / sum;
  if (slope) {
    for (let j = 0; j < outputs; j++) slope[offset + j] = -f * (Math.exp(logits[offset + j] - max) / sum);
    slope[offset + label] += f;
  }
  return f;
}

/** The label a row of logits predicts: softmax the largest, sigmoid 1 when p >= 0.5, linear output 0. */
export function predictedLabel(kind: OutputKind, logits: ArrayLike<number>, offset: number, outputs: number): number {
  if (kind === "linear") return 0;
  if (kind === "sigmoid") return logits[offset] >= 0 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < outputs; j++) if (logits[offset + j] > logits[offset + best]) best = j;
  return best;
}
