import { binaryCrossEntropy } from "./binaryCrossEntropy.js";
import type { Loss } from "./loss.js";
import { meanSquaredError } from "./meanSquaredError.js";
import { softmaxCrossEntropy } from "./softmaxCrossEntropy.js";

/**
 * How a network's last numbers (logits) become its answer, and so which loss trains it:
 * - "softmax": one probability per label, summing to 1 (cross-entropy);
 * - "sigmoid": one neuron for a yes/no question, the probability of the positive label (binary cross-entropy);
 * - "linear": the numbers themselves, for regression (mean squared error).
 */
export type OutputKind = "softmax" | "sigmoid" | "linear";

/**
 * The loss that pairs with each output: softmax with cross-entropy, sigmoid with binary
 * cross-entropy (both from logits, numerically stable), linear with mean squared error.
 * Class weights (one per label) make rare classes count more.
 */
export function lossFor(output: OutputKind, classWeights: Float32Array | null = null): Loss {
  switch (output) {
    case "softmax":
      return softmaxCrossEntropy(classWeights);
    case "sigmoid":
      return binaryCrossEntropy(classWeights);
    case "linear":
      return meanSquaredError();
  }
}

export type { Loss, Targets } from "./loss.js";
