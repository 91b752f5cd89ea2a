import { GlassboxError, check } from "../errors.js";
import { labelIndexOf } from "../model/labels.js";
import type { Network } from "../model/network.js";
import type { FloatArray } from "../tensor/tensor.js";
import { gradientTimesInput, saliency, smoothGrad } from "./gradients.js";
import { exactIntegratedGradients } from "./exactPath.js";
import { integratedGradients } from "./integratedGradients.js";
import type { Job, MethodResult } from "./job.js";
import { occlusion } from "./occlusion.js";
import { isImageShape, occlusionWindows, playersFromGroups, type Players } from "./players.js";
import { Probe, answerOf, predictedLabel } from "./probe.js";
import { shap } from "./shapley.js";
import { EXPLAIN_METHODS, type ExplainMethod, type ExplainOptions, type Explanation } from "./types.js";

/** The most players exact Shapley values may enumerate (2^20 coalitions). */
const MAX_EXACT_PLAYERS = 20;

/**
 * Explains the network's answer for one raw feature row (as network.predict takes it).
 * @example
 * const e = explain(network, image, { method: "ig" });
 * e.label // "Ankle boot"; e.attributions.length // 784; e.delta // ~1e-4 (sum of attributions vs output - baselineOutput)
 */
export function explain(network: Network, input: Float32Array, options: ExplainOptions = {}): Explanation {
  if (input.length !== network.inputs) {
    throw new GlassboxError("SHAPE_MISMATCH", `expected one row of ${network.inputs} features to explain, got ${input.length} numbers`);
  }
  return explainBatch(network, input, 1, options)[0];
}

/**
 * Explains several raw feature rows ([rows, features], row-major) at once: the same answers as
 * `explain` row by row, with the model evaluations of many rows batched together.
 * @example
 * explainBatch(network, testSet.features.subarray(0, 10 * 784), 10, { method: "ig", steps: 32 }).length // 10
 */
export function explainBatch(network: Network, inputs: Float32Array, rows: number, options: ExplainOptions = {}): Explanation[] {
  check(Number.isInteger(rows) && rows >= 0, `rows must be a whole number, got ${rows}`);
  network.checkFeatures(inputs, rows);
  const method = options.method ?? "ig";
  check(EXPLAIN_METHODS.includes(method), `unknown explanation method "${method}"; expected one of ${EXPLAIN_METHODS.join(", ")}`);
  const probe = Probe.of(network);
  const features = network.inputs;
  const baseline = options.baseline ?? new Float32Array(features);
  if (baseline.length !== features) {
    throw new GlassboxError("SHAPE_MISMATCH", `the baseline must be one row of ${features} features, got ${baseline.length} numbers`);
  }

  // One forward pass over the inputs gives each row's label (predicted unless asked) and f(x).
  const logits = probe.logits(inputs, rows);
  const asked = options.label === undefined ? null : labelIndexOf(network.labels, options.label);
  const labels = new Int32Array(rows);
  const outputs = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = asked ?? predictedLabel(probe.kind, logits, r * probe.outputs, probe.outputs);
    outputs[r] = answerOf(probe.network, logits, r * probe.outputs, probe.outputs, labels[r], null);
  }
  const job: Job = { probe, inputs, rows, labels, baseline, outputs };
  const { result, players } = run(method, job, network, options);

  let baselineOutputs = result.baselineOutputs;
  if (!baselineOutputs) {
    const baseLogits = probe.logits(baseline, 1);
    baselineOutputs = Float64Array.from(labels, (label) => answerOf(probe.network, baseLogits, 0, probe.outputs, label, null));
  }
  const float64 = network.backend.dtype === "float64";
  const copy = (values: Float64Array): FloatArray => (float64 ? values.slice() : Float32Array.from(values));
  const explanations: Explanation[] = [];
  for (let r = 0; r < rows; r++) {
    const attributions = result.attributions.subarray(r * features, (r + 1) * features);
    const count = players?.members.length ?? 0;
    const values = result.playerValues ? result.playerValues.subarray(r * count, (r + 1) * count) : null;
    const total = sum(values ?? attributions);
    explanations.push({
      method,
      label: network.labels[labels[r]],
      labelIndex: labels[r],
      attributions: copy(attributions),
      groupAttributions: values && players && players.groups > 0 ? copy(values.subarray(0, players.groups)) : null,
      output: outputs[r],
      baselineOutput: baselineOutputs[r],
      delta: Math.abs(total - (outputs[r] - baselineOutputs[r])),
      steps: result.stepsPerRow ? result.stepsPerRow[r] : result.steps,
    });
  }
  return explanations;
}

function run(method: ExplainMethod, job: Job, network: Network, options: ExplainOptions): { result: MethodResult; players: Players | null } {
  const features = network.inputs;
  const image = isImageShape(network.inputShape);
  switch (method) {
    case "saliency":
      return { result: saliency(job), players: null };
    case "gradxinput":
      return { result: gradientTimesInput(job), players: null };
    case "ig":
      if (options.exact) return { result: exactIntegratedGradients(job, network), players: null };
      return { result: integratedGradients(job, count(options.steps, 64, "steps")), players: null };
    case "smoothgrad": {
      const noise = options.noise ?? 0.15;
      check(Number.isFinite(noise) && noise >= 0, `noise must be a number >= 0 (a fraction of the input's range), got ${noise}`);
      const samples = count(options.samples, 32, "samples");
      return { result: smoothGrad(job, { samples, noise, seed: options.seed ?? 1 }), players: null };
    }
    case "occlusion": {
      let players: Players;
      if (options.groups) {
        players = playersFromGroups(options.groups, features, image);
      } else {
        const window = count(options.window, image ? 4 : 1, "window");
        players = occlusionWindows(network.inputShape, window, count(options.stride, window, "stride"));
      }
      return { result: occlusion(job, players), players };
    }
    case "shap": {
      const exactLimit = options.exactLimit ?? 12;
      check(
        Number.isInteger(exactLimit) && exactLimit >= 0 && exactLimit <= MAX_EXACT_PLAYERS,
        `exactLimit must be a whole number from 0 to ${MAX_EXACT_PLAYERS} (2^${MAX_EXACT_PLAYERS} coalitions), got ${exactLimit}`,
      );
      const samples = count(options.samples, 2048, "samples");
      const players = options.groups ? playersFromGroups(options.groups, features, image) : shapPlayers(network.inputShape, samples);
      const n = players.members.length;
      if (n > exactLimit) {
        check(samples >= 2 * n, `KernelSHAP over ${n} players needs at least ${2 * n} samples (2 per player), got ${samples}; raise samples or group features`);
      }
      const background = options.background ?? { features: job.baseline, rows: 1 };
      check(Number.isInteger(background.rows) && background.rows >= 1, `the background needs at least one row, got ${background.rows}`);
      if (background.features.length !== background.rows * features) {
        throw new GlassboxError("SHAPE_MISMATCH", `the background holds ${background.features.length} numbers; expected ${background.rows} rows of ${features} features`);
      }
      const result = shap(job, players, {
        background: background.features,
        backgroundRows: background.rows,
        exactLimit,
        samples,
        seed: options.seed ?? 1,
      });
      return { result, players };
    }
  }
}

/**
 * SHAP's players when no groups are given: every feature alone, unless the input is a grid (an
 * image, or a spectrogram's frames x bands) with more cells than `samples` coalitions can
 * estimate (2 per player). Then square patches, as occlusion uses, of the smallest side (2, 4,
 * 8...) that leaves few enough: at the default 2048 samples a 32x32 colour image and a 98x40
 * spectrogram both get 2x2 patches (256 and 980 players). Each patch's value is spread over its
 * cells, so the attributions still add up to the change.
 */
function shapPlayers(shape: readonly number[], samples: number): Players {
  const features = shape.reduce((a, b) => a * b, 1);
  const grid = shape.length === 3 ? shape : shape.length === 2 ? [...shape, 1] : null;
  if (!grid || features <= samples / 2) return playersFromGroups([], features, shape.length === 3);
  for (let side = 2; ; side *= 2) {
    const players = occlusionWindows(grid, side, side);
    if (players.members.length <= samples / 2 || side >= Math.max(grid[0], grid[1])) return players;
  }
}

function count(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  check(Number.isInteger(n) && n >= 1, `${name} must be a whole number >= 1, got ${n}`);
  return n;
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
