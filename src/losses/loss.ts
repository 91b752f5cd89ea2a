import type { Backend } from "../backends/backend.js";
import type { Matrix, Tensor } from "../tensor/tensor.js";

/** What a batch should have produced: class indices (classification) or values (regression). */
export interface Targets {
  labels: Int32Array | null; // [batch]
  values: Matrix | null; // [batch, outputs]
}

/**
 * A loss takes the logits of a batch, writes the mean loss to out[at] (it stays on the device
 * until the training loop reads it) and writes d loss / d logits.
 */
export interface Loss {
  readonly name: "softmax_cross_entropy" | "binary_cross_entropy" | "mean_squared_error" | "huber";
  compute(backend: Backend, logits: Matrix, targets: Targets, dLogits: Matrix, out: Tensor, at: number): void;
}

export function requireLabels(targets: Targets, loss: string): Int32Array {
  if (!targets.labels) throw new Error(`${loss} needs class labels`);
  return targets.labels;
}
