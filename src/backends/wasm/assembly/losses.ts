// Loss kernels: mean loss returned, gradient written. Weighted means are sum(w_i l_i) / sum(w_i).
import { sigmoid } from "./math";

// logits: [batch, classes], labels: i32 [batch], weights: f32 [classes] or 0 -> dLogits
export function softmaxCrossEntropy(logits: usize, batch: i32, classes: i32, labels: usize, weights: usize, dLogits: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < batch; i++) total += weights == 0 ? 1 : <f64>load<f32>(weights + (<usize>load<i32>(labels + (<usize>i << 2)) << 2));
  if (total == 0) {
    memory.fill(dLogits, 0, <usize>batch * classes << 2); // every row weighs 0: nothing to learn
    return 0;
  }
  let loss: f64 = 0;
  for (let i = 0; i < batch; i++) {
    const row = logits + ((<usize>i * classes) << 2);
    const drow = dLogits + ((<usize>i * classes) << 2);
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, <f64>load<f32>(row + (<usize>j << 2)));
    let sumExp: f64 = 0;
    for (let j = 0; j < classes; j++) sumExp += Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - max);
    const logSumExp = max + Math.log(sumExp);
    const label = load<i32>(labels + (<usize>i << 2));
    const w = (weights == 0 ? 1 : <f64>load<f32>(weights + (<usize>label << 2))) / total;
    loss += w * (logSumExp - <f64>load<f32>(row + (<usize>label << 2)));
    for (let j = 0; j < classes; j++) {
      const p = Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - logSumExp);
      store<f32>(drow + (<usize>j << 2), <f32>(w * (p - (j == label ? 1 : 0))));
    }
  }
  return loss;
}

// logits: [batch, 1], labels 0/1: i32 [batch] -> dLogits
export function binaryCrossEntropy(logits: usize, batch: i32, labels: usize, weights: usize, dLogits: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < batch; i++) total += weights == 0 ? 1 : <f64>load<f32>(weights + (<usize>load<i32>(labels + (<usize>i << 2)) << 2));
  if (total == 0) {
    memory.fill(dLogits, 0, <usize>batch << 2);
    return 0;
  }
  let loss: f64 = 0;
  for (let i = 0; i < batch; i++) {
    const z = <f64>load<f32>(logits + (<usize>i << 2));
    const t = load<i32>(labels + (<usize>i << 2));
    const w = (weights == 0 ? 1 : <f64>load<f32>(weights + (<usize>t << 2))) / total;
    loss += w * (Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z))));
    store<f32>(dLogits + (<usize>i << 2), <f32>(w * (sigmoid(z) - t)));
  }
  return loss;
}

// prediction, targets: [count] -> dPrediction, the Huber loss with threshold delta
export function huberLoss(prediction: usize, targets: usize, delta: f64, count: i32, dPrediction: usize): f64 {
  let loss: f64 = 0;
  for (let i = 0; i < count; i++) {
    const at = <usize>i << 2;
    const r = <f64>load<f32>(prediction + at) - <f64>load<f32>(targets + at);
    const size = Math.abs(r);
    loss += size <= delta ? 0.5 * r * r : delta * (size - 0.5 * delta);
    store<f32>(dPrediction + at, <f32>(Math.max(-delta, Math.min(delta, r)) / count));
  }
  return loss / count;
}

// prediction, targets: [count] -> dPrediction
export function meanSquaredError(prediction: usize, targets: usize, count: i32, dPrediction: usize): f64 {
  let loss: f64 = 0;
  for (let i = 0; i < count; i++) {
    const at = <usize>i << 2;
    const diff = <f64>load<f32>(prediction + at) - <f64>load<f32>(targets + at);
    loss += diff * diff;
    store<f32>(dPrediction + at, <f32>(2 * diff / count));
  }
  return loss / count;
}
