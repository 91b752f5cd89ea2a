import { GlassboxError } from "../errors.js";
import { Network } from "../model/network.js";
import { permutation, Random } from "../tensor/random.js";
import { predictedClasses } from "../model/classify.js";
import { baselineFor } from "./baseline.js";
import { explainBatch } from "./explain.js";
import { gradCam } from "./layers.js";
import { Probe, answerOf } from "./probe.js";
import type { ExplainMethod } from "./types.js";

/** Methods the trust checks can judge: the attribution methods, and Grad-CAM for convolutional networks. */
export type CheckedMethod = ExplainMethod | "gradcam";

/** One method's trust checks over a sample of inputs. */
export interface MethodCheck {
  method: CheckedMethod;
  rows: number;
  /**
   * Deletion: the area under the label's probability as the most important features (by the
   * method) are set to the baseline, a tenth at a time, over the area for a random order; only
   * features where the input differs from the baseline count. Below 1 means the method found
   * what matters; at most 0.6 passes.
   */
  deletionRatio: number;
  /** Insertion: the same, adding the features to the baseline in order; above 1 is good. */
  insertionRatio: number;
  /**
   * Model randomisation (Adebayo et al. 2018): the mean rank correlation of |attribution| between
   * the trained model and the same architecture with fresh random weights, over the features
   * where the input differs from the baseline. An explanation that barely changes (correlation at
   * or above 0.5) does not depend on what the model learnt.
   */
  randomisationCorrelation: number;
  passed: { deletion: boolean; randomisation: boolean };
}

/** Fractions of the features removed (or inserted) at each point of a curve: 0, 0.1, ..., 1. */
const FRACTIONS = Array.from({ length: 11 }, (_, i) => i / 10);

/**
 * Runs the deletion and insertion curves and the model-randomisation check for each method on
 * `rows` inputs ([rows, features], raw), each explained for its predicted label against the
 * model's baseline. Random orders and the randomised model are seeded. By default the methods are
 * integrated gradients and saliency, and Grad-CAM for a convolutional network.
 */
export function checkExplanations(network: Network, inputs: Float32Array, rows: number, methods: CheckedMethod[] = checkedByDefault(network), seed = 1): MethodCheck[] {
  if (network.spec.output === "linear") throw new GlassboxError("BAD_ARGUMENT", "the trust checks follow a classifier's probability; this model is a regression model");
  network.checkFeatures(inputs, rows);
  const shared = baselineFor(network);
  const baseline = shared.baseline ?? new Float32Array(network.inputs);
  const randomised = randomisedCopy(network, seed + 1000);
  const random = new Random(seed);
  const f = network.inputs;
  const randomOrders = Array.from({ length: rows }, (_, r) => {
    const movable = movableFeatures(inputs.subarray(r * f, (r + 1) * f), baseline);
    return Int32Array.from(permutation(movable.length, random), (k) => movable[k]);
  });
  const labels = predictedClasses(network.predict(inputs, rows), rows, network.outputs, network.threshold);
  const randomCurves = curves(network, inputs, rows, baseline, labels, (r) => randomOrders[r]);
  return methods.map((method) => {
    const trained = attributionsOf(network, inputs, rows, labels, method, shared);
    const fresh = attributionsOf(randomised, inputs, rows, labels, method, shared);
    const byMethod = curves(network, inputs, rows, baseline, labels, (r) => orderOf(trained[r], inputs.subarray(r * f, (r + 1) * f), baseline));
    const deletionRatio = byMethod.deletion / randomCurves.deletion;
    const insertionRatio = byMethod.insertion / randomCurves.insertion;
    const randomisationCorrelation =
      trained.reduce((sum, a, r) => sum + movableCorrelation(a, fresh[r], inputs.subarray(r * network.inputs, (r + 1) * network.inputs), baseline), 0) / rows;
    return { method, rows, deletionRatio, insertionRatio, randomisationCorrelation, passed: { deletion: deletionRatio <= 0.6, randomisation: randomisationCorrelation < 0.5 } };
  });
}

function checkedByDefault(network: Network): CheckedMethod[] {
  return ["ig", "saliency", ...(network.describe().some((d) => d.type === "conv2d") ? (["gradcam"] as const) : [])];
}

/**
 * The same architecture with fresh random weights; statistics learnt from data rather than by
 * gradients (a standardize layer's) are kept, so the inputs mean the same to both.
 */
function randomisedCopy(network: Network, seed: number): Network {
  const copy = new Network(network.spec, { backend: network.backend, about: network.about });
  copy.initialize(new Random(seed));
  network.layers.forEach((layer, i) => {
    if (!layer.adapt) return;
    copy.layers[i].tensors().forEach((t, k) => network.backend.write(t.value, network.backend.read(layer.tensors()[k].value)));
    copy.layers[i].loaded?.();
  });
  return copy;
}

/** Each row's attributions, one number per feature (Grad-CAM: the upsampled map, spread over a pixel's channels). */
function attributionsOf(network: Network, inputs: Float32Array, rows: number, labels: Int32Array, method: CheckedMethod, shared: ReturnType<typeof baselineFor>): Float64Array[] {
  const f = network.inputs;
  if (method === "gradcam") {
    const channels = network.inputShape.length === 3 ? network.inputShape[2] : 1;
    return Array.from({ length: rows }, (_, r) => {
      const cam = gradCam(network, inputs.subarray(r * f, (r + 1) * f), { label: labels[r] });
      const out = new Float64Array(f);
      for (let j = 0; j < f; j++) out[j] = cam.upsampled[Math.floor(j / channels)];
      return out;
    });
  }
  return Array.from({ length: rows }, (_, r) =>
    Float64Array.from(explainBatch(network, inputs.subarray(r * f, (r + 1) * f), 1, { method, label: labels[r], ...shared })[0].attributions),
  );
}

/**
 * The rank correlation of |a| and |b| over the features where the input differs from the
 * baseline. Where it does not, methods that multiply by (input - baseline), such as integrated
 * gradients, give 0 under any model: on a dark-background image those zeros alone made a trained
 * and a random model's attributions correlate at 0.89.
 */
function movableCorrelation(a: Float64Array, b: Float64Array, input: Float32Array, baseline: Float32Array): number {
  const kept = movableFeatures(input, baseline);
  return spearman(
    kept.map((j) => Math.abs(a[j])),
    kept.map((j) => Math.abs(b[j])),
  );
}

/**
 * The features where the input differs from the baseline: the only ones deleting or inserting
 * changes. The curves step through these, for every method and the random order alike: counting
 * a dark image's background as steps would reward a method for ranking it last, which integrated
 * gradients do by construction (they are 0 there) and Grad-CAM, whose map covers it, does not.
 */
function movableFeatures(input: Float32Array, baseline: Float32Array): number[] {
  const kept: number[] = [];
  for (let j = 0; j < input.length; j++) if (input[j] !== baseline[j]) kept.push(j);
  return kept;
}

/** The movable features from the most to the least important (ties in feature order). */
function orderOf(attributions: Float64Array, input: Float32Array, baseline: Float32Array): Int32Array {
  return Int32Array.from(movableFeatures(input, baseline)).sort((a, b) => attributions[b] - attributions[a] || a - b);
}

/** Mean areas of the deletion and insertion curves of the label's probability, features taken in `order(row)`. */
function curves(
  network: Network,
  inputs: Float32Array,
  rows: number,
  baseline: Float32Array,
  labels: Int32Array,
  order: (row: number) => Int32Array,
): { deletion: number; insertion: number } {
  const f = network.inputs;
  const points = FRACTIONS.length;
  const probe = Probe.of(network);
  const batch = new Float32Array(2 * points * f);
  let deletion = 0;
  let insertion = 0;
  for (let r = 0; r < rows; r++) {
    const x = inputs.subarray(r * f, (r + 1) * f);
    const ranked = order(r);
    for (let i = 0; i < points; i++) {
      const removed = Math.round(FRACTIONS[i] * ranked.length);
      const del = batch.subarray(i * f, (i + 1) * f);
      const ins = batch.subarray((points + i) * f, (points + i + 1) * f);
      del.set(x);
      ins.set(baseline);
      for (let k = 0; k < removed; k++) {
        del[ranked[k]] = baseline[ranked[k]];
        ins[ranked[k]] = x[ranked[k]];
      }
    }
    const logits = probe.logits(batch, 2 * points);
    const p = (i: number) => answerOf(probe.network, logits, i * probe.outputs, probe.outputs, labels[r], null);
    for (let i = 0; i + 1 < points; i++) {
      deletion += (p(i) + p(i + 1)) / 2 / (points - 1);
      insertion += (p(points + i) + p(points + i + 1)) / 2 / (points - 1);
    }
  }
  return { deletion: deletion / rows, insertion: insertion / rows };
}

/** Spearman's rank correlation (average ranks for ties). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  const mean = (n - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

function ranks(values: ArrayLike<number>): Float64Array {
  const order = Int32Array.from({ length: values.length }, (_, i) => i).sort((x, y) => values[x] - values[y]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) out[order[k]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}
