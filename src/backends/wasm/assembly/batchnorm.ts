// Batch normalisation over x: [rows, channels] (every pixel of every example is a row), four
// channels at a time in v128 lanes, the rest one at a time (AssemblyScript).
//
// Each lane is one channel and the rows are visited in order, so the float64 sums are the
// reference's sums (src/backends/reference/conv.ts), term for term: the batch mean, variance,
// invStd and running statistics are the same floats, and so is y, which is computed in float64
// lanes from the unrounded mean and invStd exactly as the reference writes it. The backward
// pass sums in float64 the same way; its dx uses sumDy / rows and sumDyXhat / rows worked out
// once per channel (the reference divides per row), within a float64 ulp of the reference's.
//
// Channels go in chunks of CHUNK (their float64 statistics live in scratch), rows in blocks of
// about 64 KiB that stay in cache while each group of four channels walks down them.
//
// Measured (64 x 28 x 28 rows x 32 channels, the size after the canonical first convolution),
// ms, best of 10: the reference loops over the wasm memory (what ran before) took 33.9 forward
// (training) and 40.9 backward on one thread; these kernels 3.2 and 4.3 on one thread, 2.2 and
// 2.9 on two (threads take ranges of channels). 12544 x 64: 23.1 / 31.3 -> 1.6 / 2.3 -> 1.2 / 1.6.
// Tried: y in float32 ((x - mean) * gamma invStd + beta, no longer the reference's float):
// the normalising pass alone 1.4-1.5 ms against 1.6-2.2 in float64, on a noisy machine. Kept
// float64: the pass is mostly memory traffic, and the same floats as the reference are worth it.

const CHUNK = 1024;
const BLOCK_BYTES = 1 << 16;

/** Bytes of scratch the batch norm kernels need: three float64 numbers per channel of a chunk. */
export function batchNormScratchBytes(): i32 {
  return CHUNK * 8 * 3;
}

@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

@inline function demotePair(low: v128, high: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
}

/** Rows per block for a chunk of `width` channels. */
function blockRows(width: i32): i32 {
  return max(1, BLOCK_BYTES / (width * 4));
}

// sums[c - c0] += the sum over rows of x[r, c] - centre[c - c0] (squared when `square`), for c in [c0, c1)
function sumRows(x: usize, stride: usize, rows: i32, c0: i32, c1: i32, centre: usize, square: bool, sums: usize): void {
  const block = blockRows(c1 - c0);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = min(rows, r0 + block);
    let c = c0;
    for (; c + 4 <= c1; c += 4) {
      const s = sums + (<usize>(c - c0) << 3);
      const m = centre + (<usize>(c - c0) << 3);
      const mLow = square ? v128.load(m) : f64x2.splat(0);
      const mHigh = square ? v128.load(m, 16) : f64x2.splat(0);
      let low = v128.load(s), high = v128.load(s, 16);
      let p = x + (<usize>c << 2) + <usize>r0 * stride;
      for (let r = r0; r < r1; r++, p += stride) {
        const v = v128.load(p);
        let a = f64x2.promote_low_f32x4(v), b = promoteHigh(v);
        if (square) {
          a = f64x2.sub(a, mLow);
          b = f64x2.sub(b, mHigh);
          a = f64x2.mul(a, a);
          b = f64x2.mul(b, b);
        }
        low = f64x2.add(low, a);
        high = f64x2.add(high, b);
      }
      v128.store(s, low);
      v128.store(s, high, 16);
    }
    for (; c < c1; c++) {
      const s = sums + (<usize>(c - c0) << 3);
      const m = square ? load<f64>(centre + (<usize>(c - c0) << 3)) : 0;
      let sum = load<f64>(s);
      let p = x + (<usize>c << 2) + <usize>r0 * stride;
      for (let r = r0; r < r1; r++, p += stride) {
        const d = <f64>load<f32>(p) - m;
        sum += square ? d * d : d;
      }
      store<f64>(s, sum);
    }
  }
}

/**
 * For channels [from, to), so that threads can share the channels (every number here is per
 * channel: no thread needs another's sums, and the result does not depend on the thread count).
 * y: [rows, channels] = gamma (x - mean) invStd + beta per channel, the batch's mean and biased
 * variance while training (the running statistics move by `momentum`, the variance by its
 * unbiased form), the running ones at inference; mean and invStd are written for backward.
 */
export function batchNormForward(
  x: usize, y: usize, rows: i32, channels: i32, gamma: usize, beta: usize, runningMean: usize, runningVar: usize,
  mean: usize, invStd: usize, training: bool, momentum: f64, epsilon: f64, scratch: usize, from: i32, to: i32,
): void {
  const means = scratch; // float64 mean of each channel of the chunk
  const invs = scratch + CHUNK * 8; // sums of squares, then float64 invStd
  const stride = <usize>channels << 2;
  for (let c0 = from; c0 < to; c0 += CHUNK) {
    const c1 = min(to, c0 + CHUNK);
    const width = c1 - c0;
    if (training) {
      memory.fill(means, 0, <usize>width * 8);
      memory.fill(invs, 0, <usize>width * 8);
      sumRows(x, stride, rows, c0, c1, 0, false, means);
      for (let i = 0; i < width; i++) store<f64>(means + (<usize>i << 3), load<f64>(means + (<usize>i << 3)) / rows);
      sumRows(x, stride, rows, c0, c1, means, true, invs);
    }
    for (let i = 0; i < width; i++) {
      const at = <usize>(c0 + i) << 2;
      let m: f64, variance: f64;
      if (training) {
        m = load<f64>(means + (<usize>i << 3));
        const squares = load<f64>(invs + (<usize>i << 3));
        variance = squares / rows;
        const unbiased = rows > 1 ? squares / (rows - 1) : variance;
        store<f32>(runningMean + at, <f32>((1 - momentum) * <f64>load<f32>(runningMean + at) + momentum * m));
        store<f32>(runningVar + at, <f32>((1 - momentum) * <f64>load<f32>(runningVar + at) + momentum * unbiased));
      } else {
        m = <f64>load<f32>(runningMean + at);
        variance = <f64>load<f32>(runningVar + at);
        store<f64>(means + (<usize>i << 3), m);
      }
      const inv = 1 / Math.sqrt(variance + epsilon);
      store<f64>(invs + (<usize>i << 3), inv);
      store<f32>(mean + at, <f32>m);
      store<f32>(invStd + at, <f32>inv);
    }
    normalizeRows(x, y, stride, rows, c0, c1, gamma, beta, means, invs);
  }
}

// y = gamma (x - mean) inv + beta for channels [c0, c1), in float64 as the reference evaluates it
function normalizeRows(x: usize, y: usize, stride: usize, rows: i32, c0: i32, c1: i32, gamma: usize, beta: usize, means: usize, invs: usize): void {
  const block = blockRows(c1 - c0);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = min(rows, r0 + block);
    let c = c0;
    for (; c + 4 <= c1; c += 4) {
      const i = <usize>(c - c0) << 3;
      const g = v128.load(gamma + (<usize>c << 2)), b = v128.load(beta + (<usize>c << 2));
      const gLow = f64x2.promote_low_f32x4(g), gHigh = promoteHigh(g);
      const bLow = f64x2.promote_low_f32x4(b), bHigh = promoteHigh(b);
      const mLow = v128.load(means + i), mHigh = v128.load(means + i, 16);
      const iLow = v128.load(invs + i), iHigh = v128.load(invs + i, 16);
      const offset = (<usize>c << 2) + <usize>r0 * stride;
      let p = x + offset, q = y + offset;
      for (let r = r0; r < r1; r++, p += stride, q += stride) {
        const v = v128.load(p);
        const low = f64x2.add(f64x2.mul(f64x2.mul(gLow, f64x2.sub(f64x2.promote_low_f32x4(v), mLow)), iLow), bLow);
        const high = f64x2.add(f64x2.mul(f64x2.mul(gHigh, f64x2.sub(promoteHigh(v), mHigh)), iHigh), bHigh);
        v128.store(q, demotePair(low, high));
      }
    }
    for (; c < c1; c++) {
      const i = <usize>(c - c0) << 3;
      const g = <f64>load<f32>(gamma + (<usize>c << 2)), b = <f64>load<f32>(beta + (<usize>c << 2));
      const m = load<f64>(means + i), inv = load<f64>(invs + i);
      const offset = (<usize>c << 2) + <usize>r0 * stride;
      let p = x + offset, q = y + offset;
      for (let r = r0; r < r1; r++, p += stride, q += stride) store<f32>(q, <f32>(g * (<f64>load<f32>(p) - m) * inv + b));
    }
  }
}

// sumDy[c - c0] += sum of dy, sumDyXhat[c - c0] += sum of dy (x - mean) invStd, for c in [c0, c1)
function gradientSums(x: usize, dy: usize, stride: usize, rows: i32, c0: i32, c1: i32, mean: usize, invStd: usize, sumDy: usize, sumDyXhat: usize): void {
  const block = blockRows(c1 - c0);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = min(rows, r0 + block);
    let c = c0;
    for (; c + 4 <= c1; c += 4) {
      const i = <usize>(c - c0) << 3;
      const m = v128.load(mean + (<usize>c << 2)), s = v128.load(invStd + (<usize>c << 2));
      const mLow = f64x2.promote_low_f32x4(m), mHigh = promoteHigh(m);
      const sLow = f64x2.promote_low_f32x4(s), sHigh = promoteHigh(s);
      let dLow = v128.load(sumDy + i), dHigh = v128.load(sumDy + i, 16);
      let xLow = v128.load(sumDyXhat + i), xHigh = v128.load(sumDyXhat + i, 16);
      const offset = (<usize>c << 2) + <usize>r0 * stride;
      let p = x + offset, q = dy + offset;
      for (let r = r0; r < r1; r++, p += stride, q += stride) {
        const v = v128.load(p), g = v128.load(q);
        const gLow = f64x2.promote_low_f32x4(g), gHigh = promoteHigh(g);
        dLow = f64x2.add(dLow, gLow);
        dHigh = f64x2.add(dHigh, gHigh);
        xLow = f64x2.add(xLow, f64x2.mul(f64x2.mul(gLow, f64x2.sub(f64x2.promote_low_f32x4(v), mLow)), sLow));
        xHigh = f64x2.add(xHigh, f64x2.mul(f64x2.mul(gHigh, f64x2.sub(promoteHigh(v), mHigh)), sHigh));
      }
      v128.store(sumDy + i, dLow);
      v128.store(sumDy + i, dHigh, 16);
      v128.store(sumDyXhat + i, xLow);
      v128.store(sumDyXhat + i, xHigh, 16);
    }
    for (; c < c1; c++) {
      const i = <usize>(c - c0) << 3;
      const m = <f64>load<f32>(mean + (<usize>c << 2)), s = <f64>load<f32>(invStd + (<usize>c << 2));
      let d = load<f64>(sumDy + i), dx = load<f64>(sumDyXhat + i);
      const offset = (<usize>c << 2) + <usize>r0 * stride;
      let p = x + offset, q = dy + offset;
      for (let r = r0; r < r1; r++, p += stride, q += stride) {
        const g = <f64>load<f32>(q);
        d += g;
        dx += g * (<f64>load<f32>(p) - m) * s;
      }
      store<f64>(sumDy + i, d);
      store<f64>(sumDyXhat + i, dx);
    }
  }
}

/**
 * For channels [from, to), like batchNormForward.
 * dBeta = sum dy, dGamma = sum dy xhat with xhat = (x - mean) invStd (both 0: not wanted, and at
 * inference then not summed); dx (0 for none) =
 * gamma invStd (dy - sumDy / rows - xhat sumDyXhat / rows) while training, gamma invStd dy at
 * inference (the layer is then affine).
 */
export function batchNormBackward(
  x: usize, dy: usize, dx: usize, rows: i32, channels: i32, gamma: usize, mean: usize, invStd: usize,
  dGamma: usize, dBeta: usize, training: bool, scratch: usize, from: i32, to: i32,
): void {
  const sumDy = scratch;
  const sumDyXhat = scratch + CHUNK * 8;
  const scaled = scratch + CHUNK * 16; // gamma invStd, in float64
  const stride = <usize>channels << 2;
  for (let c0 = from; c0 < to; c0 += CHUNK) {
    const c1 = min(to, c0 + CHUNK);
    const width = c1 - c0;
    memory.fill(sumDy, 0, <usize>width * 8);
    memory.fill(sumDyXhat, 0, <usize>width * 8);
    // The sums: the parameters' gradients (dGamma 0: not wanted), and what dx needs while training.
    if (dGamma != 0 || training) gradientSums(x, dy, stride, rows, c0, c1, mean, invStd, sumDy, sumDyXhat);
    for (let i = 0; i < width; i++) {
      const at = <usize>(c0 + i) << 2;
      const j = <usize>i << 3;
      const d = load<f64>(sumDy + j), dh = load<f64>(sumDyXhat + j);
      if (dBeta != 0) store<f32>(dBeta + at, <f32>d);
      if (dGamma != 0) store<f32>(dGamma + at, <f32>dh);
      store<f64>(sumDy + j, training ? d / rows : 0);
      store<f64>(sumDyXhat + j, training ? dh / rows : 0);
      store<f64>(scaled + j, <f64>load<f32>(gamma + at) * <f64>load<f32>(invStd + at));
    }
    if (dx != 0) inputGradient(x, dy, dx, stride, rows, c0, c1, mean, invStd, sumDy, sumDyXhat, scaled, training);
  }
}

// dx = scaled (dy - (meanDy + xhat meanDyXhat)) for channels [c0, c1), in float64 lanes; at
// inference scaled dy (so that a NaN x, whose xhat would be NaN, does not reach dx)
function inputGradient(
  x: usize, dy: usize, dx: usize, stride: usize, rows: i32, c0: i32, c1: i32, mean: usize, invStd: usize,
  meanDy: usize, meanDyXhat: usize, scaled: usize, training: bool,
): void {
  const block = blockRows(c1 - c0);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = min(rows, r0 + block);
    let c = c0;
    for (; c + 4 <= c1; c += 4) {
      const i = <usize>(c - c0) << 3;
      const m = v128.load(mean + (<usize>c << 2)), s = v128.load(invStd + (<usize>c << 2));
      const mLow = f64x2.promote_low_f32x4(m), mHigh = promoteHigh(m);
      const sLow = f64x2.promote_low_f32x4(s), sHigh = promoteHigh(s);
      const bLow = v128.load(meanDy + i), bHigh = v128.load(meanDy + i, 16);
      const hLow = v128.load(meanDyXhat + i), hHigh = v128.load(meanDyXhat + i, 16);
      const aLow = v128.load(scaled + i), aHigh = v128.load(scaled + i, 16);
      const offset = (<usize>c << 2) + <usize>r0 * stride;
      let p = x + offset, q = dy + offset, o = dx + offset;
      for (let r = r0; r < r1; r++, p += stride, q += stride, o += stride) {
        const v = v128.load(p), g = v128.load(q);
        const xLow = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), mLow), sLow);
        const xHigh = f64x2.mul(f64x2.sub(promoteHigh(v), mHigh), sHigh);
        const through = training ? f64x2.add(bLow, f64x2.mul(xLow, hLow)) : f64x2.splat(0);
        const throughHigh = training ? f64x2.add(bHigh, f64x2.mul(xHigh, hHigh)) : f64x2.splat(0);
        const low = f64x2.mul(aLow, f64x2.sub(f64x2.promote_low_f32x4(g), through));
        const high = f64x2.mul(aHigh, f64x2.sub(promoteHigh(g), throughHigh));
        v128.store(o, demotePair(low, high));
      }
    }
    for (; c < c1; c++) {
      const i = <usize>(c - c0) << 3;
      const m = <f64>load<f32>(mean + (<usize>c << 2)), s = <f64>load<f32>(invStd + (<usize>c << 2));
      const b = load<f64>(meanDy + i), h = load<f64>(meanDyXhat + i), a = load<f64>(scaled + i);
      const offset = (<usize>c << 2) + <usize>r0 * stride;
      let p = x + offset, q = dy + offset, o = dx + offset;
      for (let r = r0; r < r1; r++, p += stride, q += stride, o += stride) {
        const through = training ? b + (<f64>load<f32>(p) - m) * s * h : 0;
        store<f32>(o, <f32>(a * (<f64>load<f32>(q) - through)));
      }
    }
  }
}
