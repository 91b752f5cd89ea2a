import type { WindowGeometry } from "../backend.js";
import { spread } from "./batchnorm.js";
import { type Binding, type Gpu, kernel } from "./gpu.js";
import { gemmGrid, gemmKernel } from "./shaders.js";

/**
 * The windowed kernels of the webgpu backend: convolution and pooling over NHWC arrays, each
 * computing what src/backends/reference/conv.ts computes (in f32). x[n, y, x, c] is at
 * ((n * height + y) * width + x) * channels + c; a weight w[ky, kx, c, k] at
 * ((ky * sizeX + kx) * channels + c) * filters + k. Padding (conv only) reads as 0.
 *
 * Outputs are bound before inputs: a buffer bound twice in one launch is bound as a copy the
 * second time (gpu.ts), so an input that is also an output is read as it was before the launch.
 */
export { batchNormBackward, batchNormForward } from "./batchnorm.js";

/** The geometry as the first words of every params struct here. */
const GEOMETRY = "batch: u32, height: u32, width: u32, channels: u32, sizeY: u32, sizeX: u32, stride: u32, padTop: u32, padLeft: u32, outHeight: u32, outWidth: u32";
const words = (g: WindowGeometry): number[] => [g.batch, g.height, g.width, g.channels, g.sizeY, g.sizeX, g.stride, g.padTop, g.padLeft, g.outHeight, g.outWidth];

/** The smallest power of two >= n, at most `cap`. */
const lanesFor = (n: number, cap: number): number => Math.min(cap, 2 ** Math.ceil(Math.log2(Math.max(n, 1))));

/**
 * WGSL shared by the window kernels: the input pixel a padded coordinate falls on (-1 outside),
 * and the range of output rows/columns whose window covers input coordinate `at` (end exclusive).
 */
const COMMON = /* wgsl */ `
fn inputAt(o: u32, k: u32, pad: u32, extent: u32) -> i32 {
  let i = i32(o * p.stride + k) - i32(pad);
  return select(-1, i, i >= 0 && i < i32(extent));
}
fn covering(at: u32, pad: u32, size: u32, outExtent: u32) -> vec2u {
  let padded = at + pad; // >= 0
  var first = 0u;
  if (padded + 1u > size) { first = (padded + 1u - size + p.stride - 1u) / p.stride; }
  return vec2u(first, min(padded / p.stride + 1u, outExtent));
}
`;

/** One invocation per output value: bias + the sum over the taps inside the image and the channels. */
const CONV_FORWARD = kernel(
  "window_convForward",
  `${GEOMETRY}, filters: u32`,
  ["y", "<x", "<weight", "<bias"],
  COMMON +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.batch * p.outHeight * p.outWidth * p.filters) { return; }
  let k = i % p.filters;
  let q = i / p.filters;
  let ox = q % p.outWidth;
  let oy = (q / p.outWidth) % p.outHeight;
  let n = q / (p.outWidth * p.outHeight);
  var sum = bias[k];
  for (var ky = 0u; ky < p.sizeY; ky++) {
    let iy = inputAt(oy, ky, p.padTop, p.height);
    if (iy < 0) { continue; }
    for (var kx = 0u; kx < p.sizeX; kx++) {
      let ix = inputAt(ox, kx, p.padLeft, p.width);
      if (ix < 0) { continue; }
      let input = ((n * p.height + u32(iy)) * p.width + u32(ix)) * p.channels;
      let w = (ky * p.sizeX + kx) * p.channels * p.filters + k;
      for (var c = 0u; c < p.channels; c++) { sum += x[input + c] * weight[w + c * p.filters]; }
    }
  }
  y[i] = sum;
}`,
);

/**
 * dWeight and dBias: a workgroup per (weight row (ky, kx, c) or the bias row, block of `lanes`
 * filters); lane = filter within the block, the 256 / lanes slices stride over the output pixels
 * of the batch and are summed through workgroup memory. Rows tcStart .. tcStart + tcCount - 1;
 * row sizeY * sizeX * channels is dBias.
 */
const CONV_PARAMS = kernel(
  "window_convParams",
  `${GEOMETRY}, filters: u32, lanes: u32, tcStart: u32, tcCount: u32`,
  ["dWeight", "dBias", "<x", "<dy"],
  COMMON +
    /* wgsl */ `
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) l: u32) {
  let task = wg.x + wg.y * nwg.x;
  let blocks = (p.filters + p.lanes - 1u) / p.lanes;
  if (task >= p.tcCount * blocks) { return; }
  let tc = p.tcStart + task / blocks;
  let lane = l % p.lanes;
  let slice = l / p.lanes;
  let slices = 256u / p.lanes;
  let k = (task % blocks) * p.lanes + lane;
  let rows = p.sizeY * p.sizeX * p.channels;
  let pixels = p.batch * p.outHeight * p.outWidth;
  var sum = 0.0;
  if (k < p.filters) {
    if (tc == rows) {
      for (var q = slice; q < pixels; q += slices) { sum += dy[q * p.filters + k]; }
    } else {
      let c = tc % p.channels;
      let kx = (tc / p.channels) % p.sizeX;
      let ky = tc / (p.channels * p.sizeX);
      for (var q = slice; q < pixels; q += slices) {
        let ox = q % p.outWidth;
        let oy = (q / p.outWidth) % p.outHeight;
        let iy = inputAt(oy, ky, p.padTop, p.height);
        let ix = inputAt(ox, kx, p.padLeft, p.width);
        if (iy < 0 || ix < 0) { continue; }
        let n = q / (p.outWidth * p.outHeight);
        sum += x[((n * p.height + u32(iy)) * p.width + u32(ix)) * p.channels + c] * dy[q * p.filters + k];
      }
    }
  }
  part[l] = sum;
  workgroupBarrier();
  for (var s = slices / 2u; s > 0u; s = s / 2u) {
    if (slice < s) { part[l] += part[l + s * p.lanes]; }
    workgroupBarrier();
  }
  if (slice == 0u && k < p.filters) {
    if (tc == rows) { dBias[k] = part[lane]; } else { dWeight[tc * p.filters + k] = part[lane]; }
  }
}`,
);

/** dx: one invocation per input value, summing weight * dy over the output pixels whose window covers it. */
const CONV_DX = kernel(
  "window_convDx",
  `${GEOMETRY}, filters: u32`,
  ["dx", "<weight", "<dy"],
  COMMON +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.batch * p.height * p.width * p.channels) { return; }
  let c = i % p.channels;
  let q = i / p.channels;
  let ix = q % p.width;
  let iy = (q / p.width) % p.height;
  let n = q / (p.width * p.height);
  let rowsOut = covering(iy, p.padTop, p.sizeY, p.outHeight);
  let colsOut = covering(ix, p.padLeft, p.sizeX, p.outWidth);
  var sum = 0.0;
  for (var oy = rowsOut.x; oy < rowsOut.y; oy++) {
    let ky = iy + p.padTop - oy * p.stride;
    for (var ox = colsOut.x; ox < colsOut.y; ox++) {
      let kx = ix + p.padLeft - ox * p.stride;
      let w = ((ky * p.sizeX + kx) * p.channels + c) * p.filters;
      let d = ((n * p.outHeight + oy) * p.outWidth + ox) * p.filters;
      for (var k = 0u; k < p.filters; k++) { sum += weight[w + k] * dy[d + k]; }
    }
  }
  dx[i] = sum;
}`,
);

/** The window of output pixel `pixel` at tap `tap` (ky, kx, c), 0 in the padding: a row of the unfolded input. */
const WINDOW_VALUE = /* wgsl */ `
fn windowValue(pixel: u32, tap: u32) -> f32 {
  let c = tap % p.channels;
  let kx = (tap / p.channels) % p.sizeX;
  let ky = tap / (p.channels * p.sizeX);
  let ox = pixel % p.outWidth;
  let oy = (pixel / p.outWidth) % p.outHeight;
  let n = pixel / (p.outWidth * p.outHeight);
  let iy = inputAt(oy, ky, p.padTop, p.height);
  let ix = inputAt(ox, kx, p.padLeft, p.width);
  if (iy < 0 || ix < 0) { return 0.0; }
  return a[((n * p.height + u32(iy)) * p.width + u32(ix)) * p.channels + c];
}
`;

/**
 * The convolution as products read in place (no unfolded copy), with the weight as the matrix
 * [sizeY * sizeX * channels, filters] it is stored as:
 * - forward, y [pixels, filters] = windows [pixels, taps] x weight, plus the bias and activation;
 * - dWeight [taps, filters] = windows^T x dy [pixels, filters].
 * Used where a window has GEMM_TAPS taps or more; below that (a first layer: 9 or 27 taps) most
 * of each 64x64x16 step would multiply padding, and the direct kernels are faster (SwiftShader:
 * 649 ms against 1,974 ms for the forward pass of 28x28x1 -> 32 on a batch of 64; 14x14x32 -> 64:
 * 2,325 ms direct, 1,563 ms as a product). The direct dx kernel is kept for every layer: as a
 * product it was slower on two of three such layers.
 */
const GEMM_TAPS = 64;
/** transA 1: the windows transposed, [taps, pixels] (dWeight); loaded along the taps, consecutive addresses of x. */
const CONV_GEMM = gemmKernel(
  "window_convGemm",
  `${GEOMETRY}, filters: u32`,
  COMMON +
    WINDOW_VALUE +
    /* wgsl */ `
fn aAt(i: u32, q: u32) -> f32 {
  if (i >= p.m || q >= p.k) { return 0.0; }
  if (p.transA == 1u) { return windowValue(q, i); }
  return windowValue(i, q);
}
fn bAt(q: u32, j: u32) -> f32 {
  if (q >= p.k || j >= p.n) { return 0.0; }
  return b[q * p.n + j];
}
`,
);

/** The params of a window product: the gemmKernel words, then the geometry and the filters. */
function product(m: number, k: number, n: number, transA: boolean, transB: boolean, bias: boolean, act: number, g: WindowGeometry, filters: number): number[] {
  return [m, k, n, +transA, +transB, 0, +bias, act, ...words(g), filters];
}

/** y = act(the convolution + bias); `act` is an ACTIVATION_CODES code (0: linear; the direct kernel's caller activates). */
export function convForward(gpu: Gpu, x: Binding, weight: Binding, bias: Binding, y: Binding, g: WindowGeometry, filters: number, act: number): boolean {
  const pixels = g.batch * g.outHeight * g.outWidth;
  const taps = g.sizeY * g.sizeX * g.channels;
  if (taps >= GEMM_TAPS) {
    gpu.dispatch(CONV_GEMM, [x, weight, y, bias], product(pixels, taps, filters, false, false, true, act, g, filters), gemmGrid(pixels, filters));
    return true;
  }
  gpu.dispatch1d(CONV_FORWARD, [y, x, weight, bias], [...words(g), filters], pixels * filters);
  return false;
}

export function convBackward(
  gpu: Gpu,
  x: Binding,
  weight: Binding,
  dy: Binding,
  dWeight: Binding | null,
  dBias: Binding | null,
  dx: Binding | null,
  g: WindowGeometry,
  filters: number,
): void {
  const rows = g.sizeY * g.sizeX * g.channels;
  const gemm = dWeight !== null && rows >= GEMM_TAPS;
  // dWeight = windows^T x dy (transA).
  if (gemm) gpu.dispatch(CONV_GEMM, [x, dy, dWeight, null], product(rows, g.batch * g.outHeight * g.outWidth, filters, true, false, false, 0, g, filters), gemmGrid(rows, filters));
  const weights = dWeight !== null && !gemm;
  if (weights || dBias) {
    const lanes = lanesFor(filters, 64);
    const tcStart = weights ? 0 : rows;
    const tcCount = (weights ? rows : 0) + (dBias ? 1 : 0);
    const tasks = tcCount * Math.ceil(filters / lanes);
    gpu.dispatch(CONV_PARAMS, [weights ? dWeight : null, dBias, x, dy], [...words(g), filters, lanes, tcStart, tcCount], spread(tasks));
  }
  if (dx) gpu.dispatch1d(CONV_DX, [dx, weight, dy], [...words(g), filters], g.batch * g.height * g.width * g.channels);
}

/**
 * Pooling (one invocation per value). A window's best: the input index of its first largest value
 * (row-major taps), NaN winning and staying as in the reference's maxPositions; -1 for a window
 * with no tap inside. NaN is tested on the bits, as WGSL may assume floats are never NaN.
 */
const POOL = /* wgsl */ `
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn best(n: u32, oy: u32, ox: u32, c: u32) -> i32 {
  var at = -1;
  var top = 0.0;
  for (var ky = 0u; ky < p.sizeY; ky++) {
    let iy = inputAt(oy, ky, p.padTop, p.height);
    if (iy < 0) { continue; }
    for (var kx = 0u; kx < p.sizeX; kx++) {
      let ix = inputAt(ox, kx, p.padLeft, p.width);
      if (ix < 0) { continue; }
      let j = ((n * p.height + u32(iy)) * p.width + u32(ix)) * p.channels + c;
      let v = x[j];
      if (at < 0 || (!isNan(top) && (isNan(v) || v > top))) {
        at = i32(j);
        top = v;
      }
    }
  }
  return at;
}
`;

/** Op 0 max, 1 average (the sum over the taps inside, over the full window area). */
const POOL_FORWARD = kernel(
  "window_poolForward",
  `${GEOMETRY}, op: u32`,
  ["y", "<x"],
  COMMON +
    POOL +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.batch * p.outHeight * p.outWidth * p.channels) { return; }
  let c = i % p.channels;
  let q = i / p.channels;
  let ox = q % p.outWidth;
  let oy = (q / p.outWidth) % p.outHeight;
  let n = q / (p.outWidth * p.outHeight);
  if (p.op == 0u) {
    let at = best(n, oy, ox, c);
    y[i] = select(0.0, x[u32(max(at, 0))], at >= 0);
    return;
  }
  var sum = 0.0;
  for (var ky = 0u; ky < p.sizeY; ky++) {
    let iy = inputAt(oy, ky, p.padTop, p.height);
    if (iy < 0) { continue; }
    for (var kx = 0u; kx < p.sizeX; kx++) {
      let ix = inputAt(ox, kx, p.padLeft, p.width);
      if (ix < 0) { continue; }
      sum += x[((n * p.height + u32(iy)) * p.width + u32(ix)) * p.channels + c];
    }
  }
  y[i] = sum / f32(p.sizeY * p.sizeX);
}`,
);

/** dx: one invocation per input value over the windows covering it; op 0 max (where it is the window's best), 1 average. */
const POOL_BACKWARD = kernel(
  "window_poolBackward",
  `${GEOMETRY}, op: u32`,
  ["dx", "<x", "<dy"],
  COMMON +
    POOL +
    /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.batch * p.height * p.width * p.channels) { return; }
  let c = i % p.channels;
  let q = i / p.channels;
  let ix = q % p.width;
  let iy = (q / p.width) % p.height;
  let n = q / (p.width * p.height);
  let rowsOut = covering(iy, p.padTop, p.sizeY, p.outHeight);
  let colsOut = covering(ix, p.padLeft, p.sizeX, p.outWidth);
  let area = f32(p.sizeY * p.sizeX);
  var sum = 0.0;
  for (var oy = rowsOut.x; oy < rowsOut.y; oy++) {
    for (var ox = colsOut.x; ox < colsOut.y; ox++) {
      let d = dy[((n * p.outHeight + oy) * p.outWidth + ox) * p.channels + c];
      if (p.op == 1u) { sum += d / area; } else if (best(n, oy, ox, c) == i32(i)) { sum += d; }
    }
  }
  dx[i] = sum;
}`,
);

export function maxPoolForward(gpu: Gpu, x: Binding, y: Binding, g: WindowGeometry): void {
  gpu.dispatch1d(POOL_FORWARD, [y, x], [...words(g), 0], g.batch * g.outHeight * g.outWidth * g.channels);
}

export function maxPoolBackward(gpu: Gpu, x: Binding, dy: Binding, dx: Binding, g: WindowGeometry): void {
  gpu.dispatch1d(POOL_BACKWARD, [dx, x, dy], [...words(g), 0], g.batch * g.height * g.width * g.channels);
}

export function avgPoolForward(gpu: Gpu, x: Binding, y: Binding, g: WindowGeometry): void {
  gpu.dispatch1d(POOL_FORWARD, [y, x], [...words(g), 1], g.batch * g.outHeight * g.outWidth * g.channels);
}

/** The average pool's backward reads no x (its slot is left unbound). */
export function avgPoolBackward(gpu: Gpu, dy: Binding, dx: Binding, g: WindowGeometry): void {
  gpu.dispatch1d(POOL_BACKWARD, [dx, null, dy], [...words(g), 1], g.batch * g.height * g.width * g.channels);
}
