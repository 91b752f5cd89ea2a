import { requireLabels, type Loss } from "./loss.js";

/** -log(softmax(logits)[label]), averaged with class weights; fused with softmax for stability. */
export function softmaxCrossEntropy(classWeights: Float32Array | null): Loss {
  return {
    name: "softmax_cross_entropy",
    compute: (backend, logits, targets, dLogits, out, at) => backend.softmaxCrossEntropy(logits, requireLabels(targets, "softmax cross-entropy"), classWeights, dLogits, out, at),
  };
}
