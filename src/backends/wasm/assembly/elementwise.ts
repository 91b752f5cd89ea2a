// Element-wise and row-wise kernels: activations and their derivatives, bias gradients,
// dropout, products, scaling and sums of squares. Pointers are byte offsets into the shared memory.
import { ACT_LEAKY_RELU, ACT_LINEAR, ACT_RELU, ACT_SOFTMAX, LEAKY_SLOPE, activateScalar, activateVector, derivativeScalar, hashBits } from "./math";

// y: [rows, cols] = act(z); softmax works on each row.
export function activate(z: usize, y: usize, rows: i32, cols: i32, act: i32): void {
  const count = rows * cols;
  if (act == ACT_SOFTMAX) {
    for (let r = 0; r < rows; r++) softmaxRow(z + ((<usize>r * cols) << 2), y + ((<usize>r * cols) << 2), cols);
    return;
  }
  let i = 0;
  if (act == ACT_RELU || act == ACT_LINEAR || act == ACT_LEAKY_RELU) {
    for (; i + 4 <= count; i += 4) v128.store(y + (<usize>i << 2), activateVector(v128.load(z + (<usize>i << 2)), act));
  }
  for (; i < count; i++) {
    const at = <usize>i << 2;
    store<f32>(y + at, <f32>activateScalar(act, <f64>load<f32>(z + at)));
  }
}

function softmaxRow(z: usize, y: usize, cols: i32): void {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, <f64>load<f32>(z + (<usize>j << 2)));
  let sum: f64 = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(<f64>load<f32>(z + (<usize>j << 2)) - max);
  for (let j = 0; j < cols; j++) store<f32>(y + (<usize>j << 2), <f32>(Math.exp(<f64>load<f32>(z + (<usize>j << 2)) - max) / sum));
}

// dz: [rows, cols] = dy * act'(z) (softmax: y * (dy - sum(dy * y)) per row)
export function activationBackward(z: usize, y: usize, dy: usize, dz: usize, rows: i32, cols: i32, act: i32): void {
  const count = rows * cols;
  if (act == ACT_SOFTMAX) {
    for (let r = 0; r < rows; r++) {
      const row = <usize>r * cols << 2;
      let dot: f64 = 0;
      for (let j = 0; j < cols; j++) dot += <f64>load<f32>(dy + row + (<usize>j << 2)) * <f64>load<f32>(y + row + (<usize>j << 2));
      for (let j = 0; j < cols; j++) {
        const at = row + (<usize>j << 2);
        store<f32>(dz + at, <f32>(<f64>load<f32>(y + at) * (<f64>load<f32>(dy + at) - dot)));
      }
    }
    return;
  }
  let i = 0;
  if (act == ACT_RELU || act == ACT_LINEAR || act == ACT_LEAKY_RELU) {
    const zero = f32x4.splat(0);
    const slope = f32x4.splat(LEAKY_SLOPE);
    for (; i + 4 <= count; i += 4) {
      const at = <usize>i << 2;
      const g = v128.load(dy + at);
      const positive = f32x4.gt(v128.load(z + at), zero);
      let out = g;
      if (act == ACT_RELU) out = v128.and(g, positive);
      else if (act == ACT_LEAKY_RELU) out = v128.bitselect(g, f32x4.mul(g, slope), positive);
      v128.store(dz + at, out);
    }
  }
  for (; i < count; i++) {
    const at = <usize>i << 2;
    const d = derivativeScalar(act, <f64>load<f32>(z + at), <f64>load<f32>(y + at));
    store<f32>(dz + at, <f32>(<f64>load<f32>(dy + at) * d));
  }
}

// db: [1, cols] = column sums of dz: [rows, cols], each column summed down the rows in order.
// Sixteen columns (four independent chains of adds) at a time, over blocks of rows that stay in
// cache: with one chain per four columns, a convolution's 50176 x 32 bias gradient took 1.9 ms
// (the add's latency, row after row); this way 0.5 ms, the same floats.
export function columnSums(dz: usize, db: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 2;
  const block = max(1, (1 << 16) / (cols * 4));
  memory.fill(db, 0, stride);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = min(rows, r0 + block);
    let j = 0;
    for (; j + 16 <= cols; j += 16) {
      const out = db + (<usize>j << 2);
      let s0 = v128.load(out), s1 = v128.load(out, 16), s2 = v128.load(out, 32), s3 = v128.load(out, 48);
      let p = dz + <usize>r0 * stride + (<usize>j << 2);
      for (let r = r0; r < r1; r++, p += stride) {
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32));
        s3 = f32x4.add(s3, v128.load(p, 48));
      }
      v128.store(out, s0);
      v128.store(out, s1, 16);
      v128.store(out, s2, 32);
      v128.store(out, s3, 48);
    }
    for (; j + 4 <= cols; j += 4) {
      const out = db + (<usize>j << 2);
      let sum = v128.load(out);
      let p = dz + <usize>r0 * stride + (<usize>j << 2);
      for (let r = r0; r < r1; r++, p += stride) sum = f32x4.add(sum, v128.load(p));
      v128.store(out, sum);
    }
    for (; j < cols; j++) {
      const out = db + (<usize>j << 2);
      let sum = load<f32>(out);
      let p = dz + <usize>r0 * stride + (<usize>j << 2);
      for (let r = r0; r < r1; r++, p += stride) sum += load<f32>(p);
      store<f32>(out, sum);
    }
  }
}

// mask = 0 with probability rate, else 1/(1-rate), from hash(seed, index); y = x * mask
export function dropout(x: usize, mask: usize, y: usize, count: i32, rate: f64, seed: u32): void {
  const keep = <f32>(1 / (1 - rate));
  for (let i = 0; i < count; i++) {
    const at = <usize>i << 2;
    const drop = <f64>hashBits(seed, <u32>i) / 4294967296.0 < rate;
    const m: f32 = drop ? 0 : keep;
    store<f32>(mask + at, m);
    store<f32>(y + at, load<f32>(x + at) * m);
  }
}

// out = a * b
export function multiply(a: usize, b: usize, out: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, f32x4.mul(v128.load(a + at), v128.load(b + at)));
  }
  for (; i < count; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(a + at) * load<f32>(b + at));
  }
}

// m *= factor
export function scale(m: usize, count: i32, factor: f32): void {
  const f = f32x4.splat(factor);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = <usize>i << 2;
    v128.store(m + at, f32x4.mul(v128.load(m + at), f));
  }
  for (; i < count; i++) {
    const at = <usize>i << 2;
    store<f32>(m + at, load<f32>(m + at) * factor);
  }
}

// sum of squares, in float64 lanes (as the reference), so large gradients overflow no sooner
export function sumOfSquares(m: usize, count: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const v = v128.load(m + (<usize>i << 2));
    const low = f64x2.promote_low_f32x4(v);
    const high = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    acc0 = f64x2.add(acc0, f64x2.mul(low, low));
    acc1 = f64x2.add(acc1, f64x2.mul(high, high));
  }
  const sum = f64x2.add(acc0, acc1);
  let total = f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
  for (; i < count; i++) {
    const v = <f64>load<f32>(m + (<usize>i << 2));
    total += v * v;
  }
  return total;
}
