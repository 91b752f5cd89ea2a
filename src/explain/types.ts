import type { FloatArray } from "../tensor/tensor.js";

/**
 * How an explanation is computed:
 * - "saliency": |d f / d x| at the input (how sensitive the answer is to each feature);
 * - "gradxinput": (x - baseline) * d f / d x (exact for a linear model);
 * - "ig": integrated gradients, (x - baseline) * the mean gradient on the straight path baseline -> x;
 * - "smoothgrad": the mean gradient over noisy copies of the input (signed, not absolute);
 * - "occlusion": how much the answer drops when a window of features is set to the baseline;
 * - "shap": Shapley values of the features (exact, or KernelSHAP for many features).
 */
export type ExplainMethod = "saliency" | "gradxinput" | "ig" | "smoothgrad" | "occlusion" | "shap";

export const EXPLAIN_METHODS: readonly ExplainMethod[] = ["saliency", "gradxinput", "ig", "smoothgrad", "occlusion", "shap"];

/** Options of `explain` and `explainBatch`; every field has a default. */
export interface ExplainOptions {
  /** Default "ig". */
  method?: ExplainMethod;
  /**
   * The label whose answer is explained, by index or name. Default: the predicted label
   * (softmax: the most probable; sigmoid: labels[1] when p >= 0.5, else labels[0];
   * linear: output 0, as a regression has no "predicted" output).
   */
  label?: number | string;
  /** One raw feature row the input is compared with. Default: all zeros. */
  baseline?: Float32Array;
  /** shap: rows whose features stand in for the absent players. Default: the baseline row alone. */
  background?: { features: Float32Array; rows: number };
  /** ig: points on the path from the baseline to the input. Default 64. */
  steps?: number;
  /**
   * ig on networks of ReLU, leaky ReLU and linear layers: split the path where the network
   * bends and integrate each piece exactly (completeness to rounding) instead of using `steps`
   * points. Costs one backward row per piece, a few hundred on a 784-256-128-10 MLP. Default false.
   */
  exact?: boolean;
  /** smoothgrad: noisy copies per input (default 32); shap: coalitions KernelSHAP samples (default 2048). */
  samples?: number;
  /** smoothgrad: noise standard deviation as a fraction of the input's range (max - min). Default 0.15. */
  noise?: number;
  /**
   * occlusion: side of the square window (images: networks whose input shape is [height, width, channels]) or run of
   * consecutive features (other rows). Default 4 for images, 1 otherwise.
   */
  window?: number;
  /** occlusion: distance between windows. Default: the window (no overlap). */
  stride?: number;
  /**
   * shap and occlusion: features that count as one player (e.g. the one-hot columns of one
   * category, or the pixels of a region). Features in no group are players of their own.
   */
  groups?: number[][];
  /** shap: exact Shapley values when there are at most this many players, KernelSHAP beyond. Default 12, at most 20. */
  exactLimit?: number;
  /** smoothgrad noise and KernelSHAP sampling. Default 1. Each input starts from this seed. */
  seed?: number;
}

/** Why the model gave its answer for one input, feature by feature. */
export interface Explanation {
  method: ExplainMethod;
  /** The explained label's name and index. */
  label: string;
  labelIndex: number;
  /**
   * One number per feature: its share of (output - baselineOutput) for ig, gradxinput and
   * shap; the sensitivity for saliency and smoothgrad; the (spread) drop for occlusion.
   * Features inside a user-given group: on images the group's value is spread equally over its
   * pixels (so a heat map still adds up); on other inputs they hold 0 and the value is only in
   * `groupAttributions` (a one-hot column has no value of its own).
   * Float64Array when the network runs on a float64 backend, Float32Array otherwise.
   */
  attributions: FloatArray;
  /** One number per entry of options.groups (shap, occlusion), or null without groups. */
  groupAttributions: FloatArray | null;
  /** f(input): the probability of the label (softmax, sigmoid) or the output value (linear). */
  output: number;
  /** f(baseline); for shap the mean of f over the background rows. */
  baselineOutput: number;
  /**
   * |sum of the attributions (per player, for groups) - (output - baselineOutput)|. Near 0 only
   * where the method promises it: ig (up to the path integral's error), shap, and gradxinput
   * on a linear model.
   */
  delta: number;
  /** Model evaluations per input: ig steps (exact ig: pieces of the path), smoothgrad samples, occlusion windows, shap coalitions; 1 for saliency and gradxinput. */
  steps: number;
}
