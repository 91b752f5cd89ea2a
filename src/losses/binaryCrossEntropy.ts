import { requireLabels, type Loss } from "./loss.js";

/** -[t log σ(z) + (1 - t) log(1 - σ(z))] from the logit z, averaged with class weights. */
export function binaryCrossEntropy(classWeights: Float32Array | null): Loss {
  return {
    name: "binary_cross_entropy",
    compute: (backend, logits, targets, dLogits, out, at) => backend.binaryCrossEntropy(logits, requireLabels(targets, "binary cross-entropy"), classWeights, dLogits, out, at),
  };
}
