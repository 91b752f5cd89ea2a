import { type Kernel, kernel, MAX_GROUPS } from "./gpu.js";

/**
 * The WGSL kernels of the webgpu backend other than the windowed ones (window.ts): matrix
 * products, element-wise maps, row-wise softmax, the fused losses, reductions and optimizer
 * steps. Each computes what the reference backend's loop of the same name computes, in f32.
 */

/** Activation codes shared by the host (index.ts) and the shaders. */
export const ACTIVATION_CODES = { linear: 0, relu: 1, leaky_relu: 2, sigmoid: 3, tanh: 4, gelu: 5, softmax: 6 } as const;

const SCALAR = /* wgsl */ `
fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
  let e = exp(z);
  return e / (1.0 + e);
}
fn tanh_(z: f32) -> f32 {
  let e = exp(-2.0 * abs(z));
  let t = (1.0 - e) / (1.0 + e);
  return select(t, -t, z < 0.0);
}
// erf to about 1.5e-7 (Abramowitz and Stegun 7.1.26)
fn erf_(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
  return select(y, -y, x < 0.0);
}
fn cdf(z: f32) -> f32 { return 0.5 * (1.0 + erf_(z * 0.70710678118654752)); }
fn act(kind: u32, z: f32) -> f32 {
  switch kind {
    case 1u: { return select(z, 0.0, z <= 0.0); }
    case 2u: { return select(0.01 * z, z, z > 0.0); }
    case 3u: { return sigmoid(z); }
    case 4u: { return tanh_(z); }
    case 5u: { return z * cdf(z); }
    default: { return z; }
  }
}
fn slope(kind: u32, z: f32, y: f32) -> f32 {
  switch kind {
    case 1u: { return select(0.0, 1.0, z > 0.0); }
    case 2u: { return select(0.01, 1.0, z > 0.0); }
    case 3u: { return y * (1.0 - y); }
    case 4u: { return 1.0 - y * y; }
    case 5u: { return cdf(z) + z * 0.3989422804014327 * exp(-0.5 * z * z); }
    default: { return 1.0; }
  }
}
`;

/** The operands of a dense product: a [m, k] ([k, m] when transA), b [k, n] ([n, k] when transB). */
const DENSE_OPERANDS = /* wgsl */ `
fn aAt(i: u32, q: u32) -> f32 {
  if (i >= p.m || q >= p.k) { return 0.0; }
  if (p.transA == 1u) { return a[q * p.m + i]; }
  return a[i * p.k + q];
}
fn bAt(q: u32, j: u32) -> f32 {
  if (q >= p.k || j >= p.n) { return 0.0; }
  if (p.transB == 1u) { return b[j * p.k + q]; }
  return b[q * p.n + j];
}
`;

/**
 * A product kernel, c = act(a b (+ c when accumulate) (+ bias[col])), c [m, n] row-major: 64x64
 * tiles of c per workgroup of 16x16, each invocation 4x4 outputs, k in steps of 16 through
 * workgroup memory. `operands` defines aAt(i, q) and bAt(q, j), 0 outside the matrices: the
 * dense matrices (MATMUL), or an image's windows read in place (window.ts: a convolution as a
 * product, with no unfolded copy). transA (transB) says that consecutive i (q) are consecutive
 * addresses, so that the tiles are loaded in that order.
 */
export function gemmKernel(name: string, extraParams: string, operands: string): Kernel {
  return kernel(
    name,
    `m: u32, k: u32, n: u32, transA: u32, transB: u32, accumulate: u32, bias: u32, act: u32${extraParams ? `, ${extraParams}` : ""}`,
    ["<a", "<b", "c", "<bias"],
    SCALAR +
      operands +
      /* wgsl */ `
var<workgroup> tileA: array<f32, 1024>; // [16][64]: tileA[q * 64 + row]
var<workgroup> tileB: array<f32, 1024>; // [16][64]: tileB[q * 64 + col]
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let row0 = (wg.y + wg.z * nwg.y) * 64u;
  if (row0 >= p.m) { return; }
  let col0 = wg.x * 64u;
  let t = l.y * 16u + l.x;
  // Each invocation's 4x4 sums as four rows of vec4: no private array indexed at run time, which
  // some compilers (SwiftShader's among them) keep in memory.
  var c0 = vec4f(0.0);
  var c1 = vec4f(0.0);
  var c2 = vec4f(0.0);
  var c3 = vec4f(0.0);
  for (var q0 = 0u; q0 < p.k; q0 += 16u) {
    for (var e = 0u; e < 4u; e++) {
      let idx = t + e * 256u;
      // read along the stored rows: consecutive invocations read consecutive addresses
      if (p.transA == 1u) { tileA[(idx / 64u) * 64u + idx % 64u] = aAt(row0 + idx % 64u, q0 + idx / 64u); }
      else { tileA[(idx % 16u) * 64u + idx / 16u] = aAt(row0 + idx / 16u, q0 + idx % 16u); }
      if (p.transB == 1u) { tileB[(idx % 16u) * 64u + idx / 16u] = bAt(q0 + idx % 16u, col0 + idx / 16u); }
      else { tileB[(idx / 64u) * 64u + idx % 64u] = bAt(q0 + idx / 64u, col0 + idx % 64u); }
    }
    workgroupBarrier();
    for (var q = 0u; q < 16u; q++) {
      let ai = q * 64u + l.y * 4u;
      let bi = q * 64u + l.x * 4u;
      let bv = vec4f(tileB[bi], tileB[bi + 1u], tileB[bi + 2u], tileB[bi + 3u]);
      c0 = fma(vec4f(tileA[ai]), bv, c0);
      c1 = fma(vec4f(tileA[ai + 1u]), bv, c1);
      c2 = fma(vec4f(tileA[ai + 2u]), bv, c2);
      c3 = fma(vec4f(tileA[ai + 3u]), bv, c3);
    }
    workgroupBarrier();
  }
  var acc = array<vec4f, 4>(c0, c1, c2, c3);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + l.y * 4u + i;
    if (row >= p.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + l.x * 4u + j;
      if (col >= p.n) { continue; }
      var v = acc[i][j];
      if (p.accumulate == 1u) { v += c[row * p.n + col]; }
      if (p.bias == 1u) { v += bias[col]; }
      c[row * p.n + col] = act(p.act, v);
    }
  }
}`,
  );
}

export const MATMUL = gemmKernel("matmul", "", DENSE_OPERANDS);

/** The workgroups of a gemmKernel launch for c [m, n]: column tiles along x, row tiles along y, then z. */
export function gemmGrid(m: number, n: number): [number, number, number] {
  const rowTiles = Math.ceil(m / 64);
  const y = Math.min(rowTiles, MAX_GROUPS);
  return [Math.ceil(n / 64), y, Math.ceil(rowTiles / y)];
}

/** y = act(z), element-wise (in place on y when inPlace). */
export const ACTIVATE = kernel(
  "activate",
  "size: u32, kind: u32, inPlace: u32",
  ["<z", "y"],
  SCALAR +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let i = flat(g, n);
  if (i < p.size) { y[i] = act(p.kind, select(z[i], y[i], p.inPlace == 1u)); }
}`,
);

/** dz = dy * act'(z, y), element-wise. */
export const ACTIVATION_BACKWARD = kernel(
  "activationBackward",
  "size: u32, kind: u32",
  ["<z", "<y", "<dy", "dz"],
  SCALAR +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let i = flat(g, n);
  if (i < p.size) { dz[i] = dy[i] * slope(p.kind, z[i], y[i]); }
}`,
);

/** Softmax backward of each row (one invocation a row): dz = y (dy - sum(dy y)). */
export const SOFTMAX_BACKWARD = kernel(
  "softmaxBackward",
  "rows: u32, cols: u32",
  ["<y", "<dy", "dz"],
  /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let r = flat(g, n);
  if (r >= p.rows) { return; }
  let s = r * p.cols;
  var dot = 0.0;
  for (var j = 0u; j < p.cols; j++) { dot += dy[s + j] * y[s + j]; }
  for (var j = 0u; j < p.cols; j++) { dz[s + j] = y[s + j] * (dy[s + j] - dot); }
}`,
);

/** Softmax of each row (one invocation a row; in place when z and y are one buffer: the row is read before it is written). */
export const SOFTMAX = kernel(
  "softmax",
  "rows: u32, cols: u32, inPlace: u32",
  ["<z", "y"],
  /* wgsl */ `
fn zAt(i: u32) -> f32 { return select(z[i], y[i], p.inPlace == 1u); }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let r = flat(g, n);
  if (r >= p.rows) { return; }
  let s = r * p.cols;
  var top = zAt(s);
  for (var j = 1u; j < p.cols; j++) { top = max(top, zAt(s + j)); }
  var sum = 0.0;
  for (var j = 0u; j < p.cols; j++) { sum += exp(zAt(s + j) - top); }
  for (var j = 0u; j < p.cols; j++) { y[s + j] = exp(zAt(s + j) - top) / sum; }
}`,
);

/** Column sums of a [rows, cols] matrix (a dense layer's bias gradient). */
export const COLUMN_SUMS = kernel(
  "columnSums",
  "rows: u32, cols: u32",
  ["<m", "out"],
  /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let j = flat(g, n);
  if (j >= p.cols) { return; }
  var sum = 0.0;
  for (var i = 0u; i < p.rows; i++) { sum += m[i * p.cols + j]; }
  out[j] = sum;
}`,
);

/**
 * Element-wise maps over `size` values: op 0 standardize, 1 its backward, 2 multiply, 3 scale
 * (out in place), 4 dropout (writes mask), 5 clip to a norm (out in place, the sum of squares in b).
 */
export const ELEMENTWISE = kernel(
  "elementwise",
  "size: u32, cols: u32, op: u32, word: u32, value: f32, at: u32",
  ["<a", "<b", "<c", "mask", "out"],
  /* wgsl */ `
fn mix(v: u32) -> u32 {
  var z = (v ^ (v >> 16u)) * 0x85ebca6bu;
  z = (z ^ (z >> 13u)) * 0xc2b2ae35u;
  return z ^ (z >> 16u);
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) n: vec3u) {
  let i = flat(g, n);
  if (i >= p.size) { return; }
  switch p.op {
    case 0u: { out[i] = (a[i] - b[i % p.cols]) / c[i % p.cols]; }
    case 1u: { out[i] = a[i] / c[i % p.cols]; }
    case 2u: { out[i] = a[i] * b[i]; }
    case 3u: { out[i] = out[i] * p.value; }
    case 4u: {
      // p.word: the seed; kept when hash >= rate * 2^32 (p.at holds that bound), scaled by p.value
      let keep = select(p.value, 0.0, mix(p.word ^ (i * 0x9e3779b9u)) < p.at);
      mask[i] = keep;
      out[i] = a[i] * keep;
    }
    default: {
      let factor = p.value / (sqrt(b[p.at]) + 1e-6);
      if (factor < 1.0) { out[i] = out[i] * factor; }
    }
  }
}`,
);
