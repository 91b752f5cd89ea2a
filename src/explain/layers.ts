import { GlassboxError } from "../errors.js";
import { labelIndexOf } from "../model/labels.js";
import type { Network } from "../model/network.js";
import { sizeOf, type FloatArray } from "../tensor/tensor.js";
import { featurizerOf } from "../featurizers/index.js";
import { explanationPng } from "./present.js";
import { answerOf, predictedLabel, Probe } from "./probe.js";

/** Explanations of a hidden layer: which of its neurons (or channels) made the answer. */

export interface LayerOptions {
  /** The layer, by its index in the layer table (`glassbox inspect`). Default: see each method. */
  layer?: number;
  /** The label explained, by index or name. Default: the predicted one. */
  label?: number | string;
}

/** Grad-CAM of one image: where in the picture the layer saw evidence for the label. */
export interface GradCam {
  label: string;
  labelIndex: number;
  layer: number;
  /** The layer's output grid: [height, width] of the map. */
  height: number;
  width: number;
  /** Each channel's weight: the mean over the grid of d score / d activation. */
  weights: Float64Array;
  /** relu(sum over channels of weight * activation): [height, width], row-major. */
  map: Float64Array;
  /** The map resized to the input image (bilinear, pixel centres aligned): [inputHeight, inputWidth]. */
  upsampled: Float64Array;
}

/**
 * Grad-CAM (Selvaraju et al. 2017): for a layer with an image-shaped output A: [h, w, channels],
 * weight_k = the mean over the grid of d y / d A_k, and map = relu(sum_k weight_k A_k), where y
 * is the label's score before the softmax (the logit; for a sigmoid's "no" label, minus the
 * logit; for a linear output, the output). Captum's LayerGradCam with relu_attributions gives
 * the same map. The default layer is the last convolution's output after the batch norm and
 * activation that follow it, so the map reads rectified features, as in the paper's networks.
 */
export function gradCam(network: Network, input: Float32Array, options: LayerOptions = {}): GradCam {
  network.checkFeatures(input, 1);
  const layer = options.layer ?? lastConvolutionBlock(network);
  const shape = network.describe()[layer]?.outputShape;
  if (shape?.length !== 3) {
    throw new GlassboxError("BAD_ARGUMENT", `Grad-CAM needs a layer whose output is a grid [height, width, channels]; layer ${layer} gives [${shape?.join(", ") ?? "nothing"}]`);
  }
  const [height, width, channels] = shape;
  const probe = Probe.of(network);
  let labelIndex = options.label === undefined ? -1 : labelIndexOf(network.labels, options.label);
  // The label's score, chosen from the logits of the same forward pass when none is given.
  const slopeOf = (logits: FloatArray): Float64Array => {
    if (labelIndex < 0) labelIndex = predictedLabel(probe.kind, logits, 0, probe.outputs);
    const slope = new Float64Array(probe.outputs);
    if (probe.kind === "sigmoid") slope[0] = labelIndex === 1 ? 1 : -1;
    else slope[labelIndex] = network.valueSlope(labelIndex); // 1 for a classifier's logit; a regression's value in its units
    return slope;
  };
  const { output, gradient } = network.layerGradientOf(input, 1, slopeOf, layer);
  const cells = height * width;
  const weights = new Float64Array(channels);
  for (let p = 0; p < cells; p++) for (let k = 0; k < channels; k++) weights[k] += gradient[p * channels + k] / cells;
  const map = new Float64Array(cells);
  for (let p = 0; p < cells; p++) {
    let sum = 0;
    for (let k = 0; k < channels; k++) sum += weights[k] * output[p * channels + k];
    map[p] = Math.max(0, sum);
  }
  const [inputHeight, inputWidth] = network.inputShape;
  const upsampled = network.inputShape.length === 3 ? resizeBilinear(map, height, width, inputHeight, inputWidth) : map.slice();
  return { label: network.labels[labelIndex], labelIndex, layer, height, width, weights, map, upsampled };
}

/** The layer Grad-CAM reads by default: the last convolution, past the batch norm and activation right after it. */
export function lastConvolutionBlock(network: Network): number {
  const blocks = convolutionBlocks(network);
  if (blocks.length === 0) throw new GlassboxError("BAD_ARGUMENT", "Grad-CAM needs a convolutional network; this one has no conv layer (try --method ig)");
  return blocks[blocks.length - 1].end;
}

/** Each convolution (its layer index) and the layer that ends its block: past the batch norm and activation right after it. */
export function convolutionBlocks(network: Network): { conv: number; end: number }[] {
  const types = network.describe().map((d) => d.type);
  const blocks: { conv: number; end: number }[] = [];
  types.forEach((type, conv) => {
    if (type !== "conv2d") return;
    let end = conv;
    if (types[end + 1] === "batchnorm") end++;
    if (types[end + 1] === "activation") end++;
    blocks.push({ conv, end });
  });
  return blocks;
}

/**
 * A [h, w] grid resized to [H, W] by bilinear interpolation with pixel centres aligned (as
 * PyTorch's interpolate with align_corners=False): output pixel y samples the grid at
 * (y + 0.5) h / H - 0.5, clamped to the edge cells.
 */
export function resizeBilinear(grid: ArrayLike<number>, h: number, w: number, H: number, W: number): Float64Array {
  const out = new Float64Array(H * W);
  const at = (i: number, size: number, target: number): [number, number, number] => {
    const x = Math.min(Math.max(((i + 0.5) * size) / target - 0.5, 0), size - 1);
    const low = Math.floor(x);
    return [low, Math.min(low + 1, size - 1), x - low];
  };
  for (let y = 0; y < H; y++) {
    const [y0, y1, fy] = at(y, h, H);
    for (let x = 0; x < W; x++) {
      const [x0, x1, fx] = at(x, w, W);
      const top = grid[y0 * w + x0] * (1 - fx) + grid[y0 * w + x1] * fx;
      const bottom = grid[y1 * w + x0] * (1 - fx) + grid[y1 * w + x1] * fx;
      out[y * W + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Conductance of one input: how much each neuron (or channel) of a hidden layer carried the answer. */
export interface Conductance {
  label: string;
  labelIndex: number;
  layer: number;
  /** One value per neuron of a dense layer, per channel of an image-shaped layer (summed over the grid). */
  values: Float64Array;
  /** f(input) and f(baseline), f the answer as explain gives it (a probability for classifiers). */
  output: number;
  baselineOutput: number;
  /** |sum of values - (output - baselineOutput)|: how far the sum is from adding up. */
  delta: number;
  /** Points evaluated on the path: steps + 1, and those refinement added. */
  points: number;
}

/** Conductance evaluates at most this many points per step (plus one): what servers cap its steps by. */
export const CONDUCTANCE_POINTS_PER_STEP = 16;

/** How far conductance's sum may miss f(input) - f(baseline), relative, before the path is refined: half of 1e-3. */
const TOLERANCE = 5e-4;

/** One point of the path: t, the answer f, the layer's output y and d f / d y there. */
interface PathPoint {
  t: number;
  f: number;
  y: FloatArray;
  g: FloatArray;
}

/**
 * Conductance (Dhamdhere et al. 2018, Captum's LayerConductance): integrated gradients carried
 * through the layer. On the straight path x(t) = baseline + t (input - baseline), neuron j
 * conducts the integral of d f / d y_j times d y_j / d t; over an interval [a, b] of the path
 * that is g_j(m) (y_j(b) - y_j(a)) by the midpoint rule, m = (a + b) / 2. Summed over the layer
 * this is f(b) - f(a) up to the rule's error, which each interval shows (its residual).
 *
 * The error is second order where the network is smooth, but a ReLU or max pool switching
 * inside an interval makes it first order, and so does the baseline itself when it is all
 * zeros: there every pooling window ties, and the gradient at t = 0 is not the one just after
 * it (the trapezoid rule, which uses it, missed completeness by 0.7% at 64 even steps on a small
 * CNN; the midpoint rule never reads it). So the path starts with `steps` even intervals
 * (default 32: 65 points, against Captum's 51 at its default 50 steps), and the intervals with
 * the largest residuals are halved, up to 32 at a time, until the residuals add up to at most
 * TOLERANCE of f(input) - f(baseline) or the path has 16 steps + 1 points. On the canonical
 * Fashion-MNIST CNN (trained) that budget is mostly spent: about 470 points, and 3 to 4 images
 * in 30 still miss by more than 1e-3, where ReLU switches pile up. An image-shaped layer's
 * values are per channel, summed over its grid. Default layer: the first hidden layer with
 * neurons (a dense layer, or a convolution block's output).
 */
export function conductance(network: Network, input: Float32Array, options: LayerOptions & { steps?: number; baseline?: Float32Array } = {}): Conductance {
  network.checkFeatures(input, 1);
  const layers = network.describe();
  const layer = options.layer ?? layers.findIndex((d) => d.units !== null || d.type === "activation");
  if (layer < 0 || layer >= layers.length - 1) {
    throw new GlassboxError("BAD_ARGUMENT", `conductance needs a hidden layer: 0 to ${layers.length - 2} (the last layer is the output), got ${layer}`);
  }
  const steps = options.steps ?? 32;
  if (!Number.isInteger(steps) || steps < 1 || steps > 4096) throw new GlassboxError("BAD_ARGUMENT", `steps: expected a whole number from 1 to 4096, got ${steps}`);
  const baseline = options.baseline ?? new Float32Array(network.inputs);
  network.checkFeatures(baseline, 1);
  const probe = Probe.of(network);
  const end = probe.logits(input, 1);
  const labelIndex = options.label === undefined ? predictedLabel(probe.kind, end, 0, probe.outputs) : labelIndexOf(network.labels, options.label);
  const evaluate = (ts: number[]): PathPoint[] => pathPoints(network, probe, input, baseline, labelIndex, layer, ts);

  const shape = layers[layer].outputShape;
  const channels = shape.length === 3 ? shape[2] : sizeOf(shape);
  const first = evaluate(Array.from({ length: 2 * steps + 1 }, (_, i) => i / (2 * steps)));
  let intervals = Array.from({ length: steps }, (_, i) => interval(first[2 * i], first[2 * i + 1], first[2 * i + 2], channels));
  const [baselineOutput, output] = [first[0].f, first[2 * steps].f];
  const budget = CONDUCTANCE_POINTS_PER_STEP * steps + 1;
  let points = first.length;
  for (;;) {
    const missing = Math.abs(intervals.reduce((sum, s) => sum + s.residual, 0));
    const halve = Math.min(32, Math.floor((budget - points) / 2));
    if (missing <= TOLERANCE * Math.abs(output - baselineOutput) || halve <= 0) break;
    const worst = new Set(
      intervals
        .map((s, i) => [Math.abs(s.residual), i] as const)
        .sort((x, y) => y[0] - x[0])
        .slice(0, halve)
        .map(([, i]) => i),
    );
    const halved = intervals.filter((_, i) => worst.has(i));
    const quarters = evaluate(halved.flatMap(({ a, b }) => [(3 * a.t + b.t) / 4, (a.t + 3 * b.t) / 4]));
    points += quarters.length;
    const split = new Map(halved.map((s, q) => [s, [interval(s.a, quarters[2 * q], s.m, channels), interval(s.m, quarters[2 * q + 1], s.b, channels)]]));
    intervals = intervals.flatMap((s) => split.get(s) ?? [s]);
  }

  const values = new Float64Array(channels);
  for (const s of intervals) for (let k = 0; k < channels; k++) values[k] += s.shares[k];
  const total = values.reduce((sum, v) => sum + v, 0);
  return {
    label: network.labels[labelIndex],
    labelIndex,
    layer,
    values,
    output,
    baselineOutput,
    delta: Math.abs(total - (output - baselineOutput)),
    points,
  };
}

/** An interval [a, b] of the path with midpoint m: each channel's midpoint-rule share, and what the shares miss of f(b) - f(a). */
interface Interval {
  a: PathPoint;
  m: PathPoint;
  b: PathPoint;
  shares: Float64Array;
  residual: number;
}

/** The midpoint rule on [a, b]: channel k's share is the sum over its cells of g(m) (y(b) - y(a)). */
function interval(a: PathPoint, m: PathPoint, b: PathPoint, channels: number): Interval {
  const shares = new Float64Array(channels);
  const [g, from, to] = [m.g, a.y, b.y];
  for (let e = 0; e < g.length; e += channels) for (let k = 0; k < channels; k++) shares[k] += g[e + k] * (to[e + k] - from[e + k]);
  let sum = 0;
  for (let k = 0; k < channels; k++) sum += shares[k];
  return { a, m, b, shares, residual: b.f - a.f - sum };
}

/** The path's points at `ts`, evaluated in chunks of the probe's size. */
function pathPoints(network: Network, probe: Probe, input: Float32Array, baseline: Float32Array, label: number, layer: number, ts: number[]): PathPoint[] {
  const outputs = probe.outputs;
  const points: PathPoint[] = [];
  // Each point of the path is a mixture of its two ends: (1 - t) baseline + t input.
  const ends = probe.buffer(2 * network.inputs);
  ends.set(baseline);
  ends.set(input, network.inputs);
  for (let start = 0; start < ts.length; start += probe.chunkRows) {
    const count = Math.min(probe.chunkRows, ts.length - start);
    const weights = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) [weights[2 * i], weights[2 * i + 1]] = [1 - ts[start + i], ts[start + i]];
    let answers: number[] = [];
    const slopeOf = (logits: FloatArray): Float64Array => {
      const slope = new Float64Array(count * outputs);
      answers = Array.from({ length: count }, (_, i) => answerOf(probe.network, logits, i * outputs, outputs, label, slope));
      return slope;
    };
    const { output, gradient } = network.layerGradientOf({ points: ends, count: 2, weights }, count, slopeOf, layer);
    const size = output.length / count;
    for (let i = 0; i < count; i++) {
      points.push({ t: ts[start + i], f: answers[i], y: output.subarray(i * size, (i + 1) * size), g: gradient.subarray(i * size, (i + 1) * size) });
    }
  }
  return points;
}

/** Grad-CAM as JSON: what `glassbox explain --method gradcam --json` prints and the server answers. */
export function gradCamRecord(cam: GradCam): { method: "gradcam"; label: string; layer: number; height: number; width: number; map: number[] } {
  return { method: "gradcam", label: cam.label, layer: cam.layer, height: cam.height, width: cam.width, map: Array.from(cam.map) };
}

/** Grad-CAM drawn over the image (resized bilinearly, at least 256 px on its long side), or null for a model that does not read images. */
export function gradCamPng(network: Network, input: Float32Array, cam: GradCam): Uint8Array | null {
  const state = featurizerOf(network);
  if (state?.kind !== "image") return null;
  // One number per pixel, in its first channel's place: the picture sums a pixel's channels.
  const heat = new Float32Array(network.inputs);
  cam.upsampled.forEach((v, p) => (heat[p * state.channels] = v));
  return explanationPng(state, input, heat, 1, `Grad-CAM (layer ${cam.layer}) for "${cam.label}"`);
}

/** Conductance as JSON, neurons (or channels, numbered from 1) by |value|: the CLI's --json and the server's answer. */
export function conductanceRecord(network: Network, c: Conductance): Record<string, unknown> {
  const unit = network.describe()[c.layer].outputShape.length === 3 ? "channel" : "neuron";
  const ranked = Array.from(c.values, (value, k) => ({ [unit]: k + 1, value })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  return {
    method: "conductance",
    label: c.label,
    layer: c.layer,
    output: c.output,
    baseline_output: c.baselineOutput,
    delta: c.delta,
    points: c.points,
    unit,
    [`${unit}s`]: ranked,
  };
}
