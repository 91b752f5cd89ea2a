import { type Binding, f32, type Gpu, kernel, MAX_GROUPS } from "./gpu.js";

/** Workgroups for `count` workgroup-sized tasks, spread over x and y (a kernel's task is wg.x + wg.y * nwg.x). */
export function spread(count: number): [number, number, number] {
  const x = Math.min(Math.max(count, 1), MAX_GROUPS);
  return [x, Math.ceil(count / x), 1];
}

/**
 * Batch normalisation over [rows, channels], as src/backends/reference/conv.ts computes it (in
 * f32): a workgroup of 256 per block of `lanes` channels (lane = channel within the block; the
 * 256 / lanes slices stride over the rows and are summed through workgroup memory). One channel
 * a workgroup unless there are enough channels to keep the GPU busy with wider blocks, whose
 * neighbouring lanes read neighbouring values.
 */
const lanesFor = (channels: number): number => (channels >= 2048 ? 8 : channels >= 1024 ? 4 : channels >= 512 ? 2 : 1);

/** The lane's total of `v` over the slices, for every invocation; call from uniform control flow. */
const REDUCE = /* wgsl */ `
var<workgroup> part: array<f32, 256>;
fn reduce(l: u32, v: f32) -> f32 {
  part[l] = v;
  workgroupBarrier();
  for (var s = 128u / p.lanes; s > 0u; s = s / 2u) {
    if (l / p.lanes < s) { part[l] += part[l + s * p.lanes]; }
    workgroupBarrier();
  }
  let total = part[l % p.lanes];
  workgroupBarrier();
  return total;
}
`;

/**
 * Training: the batch mean and biased variance (two passes), the running statistics moved by
 * momentum (the variance by its unbiased form); inference: the running statistics. Then y.
 */
const FORWARD = kernel(
  "window_batchNormForward",
  "rows: u32, channels: u32, lanes: u32, training: u32, momentum: f32, epsilon: f32",
  ["y", "mean", "invStd", "runningMean", "runningVar", "<x", "<gamma", "<beta"],
  REDUCE +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) l: u32) {
  let block = wg.x + wg.y * nwg.x;
  if (block * p.lanes >= p.channels) { return; }
  let c = block * p.lanes + l % p.lanes;
  let slice = l / p.lanes;
  let slices = 256u / p.lanes;
  let valid = c < p.channels;
  let cc = min(c, p.channels - 1u);
  var m: f32;
  var inv: f32;
  if (p.training == 1u) {
    var sum = 0.0;
    if (valid) { for (var r = slice; r < p.rows; r += slices) { sum += x[r * p.channels + c]; } }
    m = reduce(l, sum) / f32(p.rows);
    var squares = 0.0;
    if (valid) {
      for (var r = slice; r < p.rows; r += slices) {
        let d = x[r * p.channels + c] - m;
        squares += d * d;
      }
    }
    let total = reduce(l, squares);
    let variance = total / f32(p.rows);
    inv = 1.0 / sqrt(variance + p.epsilon);
    if (valid && slice == 0u) {
      mean[c] = m;
      invStd[c] = inv;
      let unbiased = select(variance, total / f32(p.rows - 1u), p.rows > 1u);
      runningMean[c] = (1.0 - p.momentum) * runningMean[c] + p.momentum * m;
      runningVar[c] = (1.0 - p.momentum) * runningVar[c] + p.momentum * unbiased;
    }
  } else {
    m = runningMean[cc];
    inv = 1.0 / sqrt(runningVar[cc] + p.epsilon);
    if (valid && slice == 0u) {
      mean[c] = m;
      invStd[c] = inv;
    }
  }
  if (valid) {
    let scale = gamma[c];
    let shift = beta[c];
    for (var r = slice; r < p.rows; r += slices) { y[r * p.channels + c] = scale * (x[r * p.channels + c] - m) * inv + shift; }
  }
}`,
);

/**
 * dBeta = sum dy, dGamma = sum dy xhat (summed when dGamma is wanted or while training, else 0 as
 * in the reference); dx = gamma invStd (dy - dBeta / rows - xhat dGamma / rows) while training,
 * gamma invStd dy at inference. has: bit 0 dx, 1 dGamma, 2 dBeta.
 */
const BACKWARD = kernel(
  "window_batchNormBackward",
  "rows: u32, channels: u32, lanes: u32, training: u32, has: u32",
  ["dx", "dGamma", "dBeta", "<x", "<gamma", "<mean", "<invStd", "<dy"],
  REDUCE +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) l: u32) {
  let block = wg.x + wg.y * nwg.x;
  if (block * p.lanes >= p.channels) { return; }
  let c = block * p.lanes + l % p.lanes;
  let slice = l / p.lanes;
  let slices = 256u / p.lanes;
  let valid = c < p.channels;
  let cc = min(c, p.channels - 1u);
  let m = mean[cc];
  let inv = invStd[cc];
  var sumDy = 0.0;
  var sumDyXhat = 0.0;
  if (p.training == 1u || (p.has & 2u) != 0u) {
    var a = 0.0;
    var b = 0.0;
    if (valid) {
      for (var r = slice; r < p.rows; r += slices) {
        let g = dy[r * p.channels + c];
        a += g;
        b += g * (x[r * p.channels + c] - m) * inv;
      }
    }
    sumDy = reduce(l, a);
    sumDyXhat = reduce(l, b);
  }
  if (valid && slice == 0u) {
    if ((p.has & 4u) != 0u) { dBeta[c] = sumDy; }
    if ((p.has & 2u) != 0u) { dGamma[c] = sumDyXhat; }
  }
  if (valid && (p.has & 1u) != 0u) {
    let rows = f32(p.rows);
    let scale = gamma[c] * inv;
    for (var r = slice; r < p.rows; r += slices) {
      let i = r * p.channels + c;
      let xhat = (x[i] - m) * inv;
      let through = select(0.0, sumDy / rows + (xhat * sumDyXhat) / rows, p.training == 1u);
      dx[i] = scale * (dy[i] - through);
    }
  }
}`,
);

export function batchNormForward(
  gpu: Gpu,
  a: {
    x: Binding;
    rows: number;
    channels: number;
    gamma: Binding;
    beta: Binding;
    runningMean: Binding;
    runningVar: Binding;
    mean: Binding;
    invStd: Binding;
    y: Binding;
    training: boolean;
    momentum: number;
    epsilon: number;
  },
): void {
  const lanes = lanesFor(a.channels);
  const params = [a.rows, a.channels, lanes, a.training ? 1 : 0, f32(a.momentum), f32(a.epsilon)];
  gpu.dispatch(FORWARD, [a.y, a.mean, a.invStd, a.runningMean, a.runningVar, a.x, a.gamma, a.beta], params, spread(Math.ceil(a.channels / lanes)));
}

export function batchNormBackward(
  gpu: Gpu,
  a: {
    x: Binding;
    rows: number;
    channels: number;
    gamma: Binding;
    mean: Binding;
    invStd: Binding;
    dy: Binding;
    dx: Binding | null;
    dGamma: Binding | null;
    dBeta: Binding | null;
    training: boolean;
  },
): void {
  if (!a.dx && !a.dGamma && !a.dBeta) return;
  const lanes = lanesFor(a.channels);
  const has = (a.dx ? 1 : 0) | (a.dGamma ? 2 : 0) | (a.dBeta ? 4 : 0);
  const params = [a.rows, a.channels, lanes, a.training ? 1 : 0, has];
  gpu.dispatch(BACKWARD, [a.dx, a.dGamma, a.dBeta, a.x, a.gamma, a.mean, a.invStd, a.dy], params, spread(Math.ceil(a.channels / lanes)));
}
