import type { FloatArray } from "../../tensor/tensor.js";
import { sigmoid } from "./scalar.js";

/**
 * Loss kernels: each returns the mean loss and writes d loss / d input.
 * Weighted means follow sum(w_i * l_i) / sum(w_i), with w_i the weight of row i's class; a batch
 * whose rows all weigh 0 has loss 0 and gradient 0.
 */

function nothingToLearn(dLogits: FloatArray, count: number): number {
  dLogits.fill(0, 0, count);
  return 0;
}

// logits: [batch, classes], labels: [batch] -> loss; dLogits: [batch, classes]
export function softmaxCrossEntropy(logits: FloatArray, batch: number, classes: number, labels: Int32Array, classWeights: Float32Array | null, dLogits: FloatArray): number {
  let totalWeight = 0;
  for (let i = 0; i < batch; i++) totalWeight += classWeights ? classWeights[labels[i]] : 1;
  if (totalWeight === 0) return nothingToLearn(dLogits, batch * classes);
  let loss = 0;
  for (let i = 0; i < batch; i++) {
    const start = i * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, logits[start + j]);
    let sumExp = 0;
    for (let j = 0; j < classes; j++) sumExp += Math.exp(logits[start + j] - max);
    const logSumExp = max + Math.log(sumExp);
    const label = labels[i];
    const w = (classWeights ? classWeights[label] : 1) / totalWeight;
    loss += w * (logSumExp - logits[start + label]);
    for (let j = 0; j < classes; j++) {
      const p = Math.exp(logits[start + j] - logSumExp);
      dLogits[start + j] = w * (p - (j === label ? 1 : 0));
    }
  }
  return loss;
}

// logits: [batch, 1], labels 0/1: [batch] -> loss; dLogits: [batch, 1]
export function binaryCrossEntropy(logits: FloatArray, batch: number, labels: Int32Array, classWeights: Float32Array | null, dLogits: FloatArray): number {
  let totalWeight = 0;
  for (let i = 0; i < batch; i++) totalWeight += classWeights ? classWeights[labels[i]] : 1;
  if (totalWeight === 0) return nothingToLearn(dLogits, batch);
  let loss = 0;
  for (let i = 0; i < batch; i++) {
    const z = logits[i];
    const t = labels[i];
    const w = (classWeights ? classWeights[t] : 1) / totalWeight;
    // -[t log s(z) + (1-t) log(1-s(z))] = max(z, 0) - z*t + log(1 + exp(-|z|))
    loss += w * (Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z))));
    dLogits[i] = w * (sigmoid(z) - t);
  }
  return loss;
}

// prediction, targets: [batch, outputs] -> loss; dPrediction: [batch, outputs]
export function huberLoss(prediction: FloatArray, targets: FloatArray, delta: number, count: number, dPrediction: FloatArray): number {
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const r = prediction[i] - targets[i];
    const size = Math.abs(r);
    loss += size <= delta ? 0.5 * r * r : delta * (size - 0.5 * delta);
    dPrediction[i] = Math.max(-delta, Math.min(delta, r)) / count;
  }
  return loss / count;
}

export function meanSquaredError(prediction: FloatArray, targets: FloatArray, count: number, dPrediction: FloatArray): number {
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const diff = prediction[i] - targets[i];
    loss += diff * diff;
    dPrediction[i] = (2 * diff) / count;
  }
  return loss / count;
}
