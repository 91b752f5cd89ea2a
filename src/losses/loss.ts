import type { Backend } from "../backends/backend.js";
import type { Matrix } from "../tensor/matrix.js";
import type { OutputKind } from "../model/network.js";
import { binaryCrossEntropy } from "./binaryCrossEntropy.js";
import { meanSquaredError } from "./meanSquaredError.js";
import { softmaxCrossEntropy } from "./softmaxCrossEntropy.js";

/** What a batch should have produced: class indices (classification) or values (regression). */
export interface Targets {
  labels: Int32Array | null; // [batch]
  values: Matrix | null; // [batch, outputs]
}

/** A loss takes the logits of a batch, returns the mean loss and writes d loss / d logits. */
export interface Loss {
  readonly name: "softmax_cross_entropy" | "binary_cross_entropy" | "mean_squared_error";
  compute(backend: Backend, logits: Matrix, targets: Targets, dLogits: Matrix): number;
}

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

export function requireLabels(targets: Targets, loss: string): Int32Array {
  if (!targets.labels) throw new Error(`${loss} needs class labels`);
  return targets.labels;
}
