import { binaryCrossEntropy } from "./binaryCrossEntropy.js";
import type { Loss } from "./loss.js";
import { huberLoss } from "./huber.js";
import { meanSquaredError } from "./meanSquaredError.js";
import { softmaxCrossEntropy } from "./softmaxCrossEntropy.js";

/**
 * How a network's last numbers (logits) become its answer, and so which loss trains it:
 * - "softmax": one probability per label, summing to 1 (cross-entropy);
 * - "sigmoid": one neuron for a yes/no question, the probability of the positive label (binary cross-entropy);
 * - "linear": the numbers themselves, for regression (mean squared error, or Huber).
 */
export type OutputKind = "softmax" | "sigmoid" | "linear";

/** A regression's loss: mean squared error, or Huber (squared up to one standard deviation, straight beyond). */
export type RegressionLoss = "mse" | "huber";
export const REGRESSION_LOSSES: readonly RegressionLoss[] = ["mse", "huber"];

/**
 * The loss that pairs with each output: softmax with cross-entropy, sigmoid with binary
 * cross-entropy (both from logits, numerically stable), linear with mean squared error or, when
 * asked, Huber. Class weights (one per label) make rare classes count more.
 */
export function lossFor(output: OutputKind, classWeights: Float32Array | null = null, regression: RegressionLoss = "mse"): Loss {
  switch (output) {
    case "softmax":
      return softmaxCrossEntropy(classWeights);
    case "sigmoid":
      return binaryCrossEntropy(classWeights);
    case "linear":
      return regression === "huber" ? huberLoss() : meanSquaredError();
  }
}

export type { Loss, Targets } from "./loss.js";
