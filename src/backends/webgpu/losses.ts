import { kernel } from "./gpu.js";

/**
 * Kernels that reduce to one number written at out[at]: the fused losses, the count of correct
 * answers and the sum of squares. One workgroup of 256 invocations strides over the rows and
 * sums in workgroup memory (the batches a loss sees are small; a sum of squares may be large,
 * and is still one workgroup: it runs once a step per parameter tensor).
 */

const REDUCE = /* wgsl */ `
var<workgroup> partial: array<f32, 256>;
fn total(t: u32, v: f32) -> f32 {
  partial[t] = v;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half = half >> 1u) {
    if (t < half) { partial[t] += partial[t + half]; }
    workgroupBarrier();
  }
  let sum = partial[0];
  workgroupBarrier();
  return sum;
}
fn weightOf(label: i32) -> f32 { return select(1.0, weights[label], p.weighted == 1u); }
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
  let e = exp(z);
  return e / (1.0 + e);
}
`;

/**
 * kind 0 softmax cross-entropy, 1 binary cross-entropy (from logits, weighted by the label's
 * class weight), 2 mean squared error, 3 Huber (delta), 4 count correct (threshold for one column).
 */
export const LOSS = kernel(
  "loss",
  "rows: u32, cols: u32, kind: u32, weighted: u32, at: u32, value: f32",
  ["<x", "<labels:i32", "<weights", "<targets", "dx", "out"],
  REDUCE +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) l: vec3u) {
  let t = l.x;
  var sum = 0.0;
  if (p.kind == 4u) {
    for (var i = t; i < p.rows; i += 256u) {
      var best = 0u;
      if (p.cols == 1u) { best = select(0u, 1u, x[i] >= p.value); }
      else { for (var j = 1u; j < p.cols; j++) { if (x[i * p.cols + j] > x[i * p.cols + best]) { best = j; } } }
      if (i32(best) == labels[i]) { sum += 1.0; }
    }
    let correct = total(t, sum);
    if (t == 0u) { out[p.at] = correct; }
    return;
  }
  if (p.kind >= 2u) {
    let count = p.rows * p.cols;
    for (var i = t; i < count; i += 256u) {
      let r = x[i] - targets[i];
      if (p.kind == 2u) {
        sum += r * r;
        dx[i] = 2.0 * r / f32(count);
      } else {
        let size = abs(r);
        sum += select(p.value * (size - 0.5 * p.value), 0.5 * r * r, size <= p.value);
        dx[i] = clamp(r, -p.value, p.value) / f32(count);
      }
    }
    let loss = total(t, sum);
    if (t == 0u) { out[p.at] = loss / f32(count); }
    return;
  }
  for (var i = t; i < p.rows; i += 256u) { sum += weightOf(labels[i]); }
  let weight = total(t, sum);
  sum = 0.0;
  for (var i = t; i < p.rows; i += 256u) {
    let s = i * p.cols;
    let label = labels[i];
    if (weight == 0.0) {
      for (var j = 0u; j < p.cols; j++) { dx[s + j] = 0.0; }
      continue;
    }
    let w = weightOf(label) / weight;
    if (p.kind == 1u) {
      let z = x[i];
      let y = f32(label);
      sum += w * (max(z, 0.0) - z * y + log1p_(exp(-abs(z))));
      dx[i] = w * (sigmoid(z) - y);
      continue;
    }
    var top = x[s];
    for (var j = 1u; j < p.cols; j++) { top = max(top, x[s + j]); }
    var e = 0.0;
    for (var j = 0u; j < p.cols; j++) { e += exp(x[s + j] - top); }
    let lse = top + log(e);
    sum += w * (lse - x[s + u32(label)]);
    for (var j = 0u; j < p.cols; j++) { dx[s + j] = w * (exp(x[s + j] - lse) - select(0.0, 1.0, j == u32(label))); }
  }
  let loss = total(t, sum);
  if (t == 0u) { out[p.at] = loss; }
}`,
);

/** out[at] = (out[at] when accumulate) + the sum of squares of m. */
export const SUM_OF_SQUARES = kernel(
  "sumOfSquares",
  "size: u32, at: u32, accumulate: u32",
  ["<m", "out"],
  /* wgsl */ `
var<workgroup> partial: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) l: vec3u) {
  let t = l.x;
  var sum = 0.0;
  for (var i = t; i < p.size; i += 256u) { sum += m[i] * m[i]; }
  partial[t] = sum;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half = half >> 1u) {
    if (t < half) { partial[t] += partial[t + half]; }
    workgroupBarrier();
  }
  if (t == 0u) { out[p.at] = select(0.0, out[p.at], p.accumulate == 1u) + partial[0]; }
}`,
);

/** SGD (kind 0, with momentum when velocity is used) or Adam / AdamW (kind 1) in place. */
export const OPTIMIZER = kernel(
  "optimizer",
  "size: u32, kind: u32, momentumOn: u32, nesterov: u32, decoupled: u32, lr: f32, momentum: f32, weightDecay: f32, beta1: f32, beta2: f32, epsilon: f32, stepSize: f32, correction2: f32",
  ["param", "<grad", "m", "v"],
  /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let i = flat(g, n);
  if (i >= p.size) { return; }
  if (p.kind == 0u) {
    var step = grad[i] + p.weightDecay * param[i];
    if (p.momentumOn == 1u) {
      m[i] = p.momentum * m[i] + step;
      step = select(m[i], step + p.momentum * m[i], p.nesterov == 1u);
    }
    param[i] -= p.lr * step;
    return;
  }
  var gi = grad[i];
  if (p.decoupled == 1u) { param[i] *= 1.0 - p.lr * p.weightDecay; } else { gi += p.weightDecay * param[i]; }
  m[i] = p.beta1 * m[i] + (1.0 - p.beta1) * gi;
  v[i] = p.beta2 * v[i] + (1.0 - p.beta2) * gi * gi;
  param[i] -= p.stepSize * m[i] / (sqrt(v[i]) / p.correction2 + p.epsilon);
}`,
);
