// Matrix product with packed panels and a 2x16 register-blocked microkernel (AssemblyScript).
// c: [m, n] = op(a): [m, k] · op(b): [k, n] (+ c), computed for rows [i0, i1) and columns
// [j0, j1) so that threads can share one product without sharing an output element.
//
// Steps where both rows of an a panel are zero are dropped from the panel before the kernel
// runs (see packA): inputs such as images on a dark background, word counts, one-hot
// columns and activations after relu have many. The result is the same float for float, since
// 0·b + c = c for finite b; only the work shrinks. Two rows by sixteen columns rather than four
// by eight: the same loads per multiply-add, and two rows are both zero more often than four
// (a third of the steps of a Fashion-MNIST batch, against a fifth). The price is a load of the
// step's offset in b per step: a product with no zero at all takes 1.06-1.13 times as long as
// with the 4x8 kernel that dropped nothing (measured figures in the README, "Zeros are skipped").
//
// Tried and not kept: a 5x8 tile (ten accumulators, two fused multiply-adds per cycle with no
// stall; in a loop over L1 panels 32.8 GFLOP/s against 23.6 for this 2x16), packed whole unless
// a third of a 5-row panel's steps were zero. Measured against this kernel in one process,
// best of 10, one thread: the canonical CNNs' conv products took 0.91-0.99 of the time and the
// MLP's 0.88-0.94, but Fashion-MNIST images times W1 took 1.25-1.37 and a 1%-nonzero bag of
// words 1.38 (five rows are all zero less often than two, and packing five strided rows is
// scalar). Both its step loops had to be exported functions: inlined into gemm, V8 spilled two
// accumulators to the stack every step and it ran no faster than this kernel.
import { ACT_LINEAR, ACT_LEAKY_RELU, ACT_RELU, LEAKY_SLOPE, activateVector, fma } from "./math";

const MR = 2; // rows of a microkernel tile
const NR = 16; // columns of a microkernel tile (four v128)
const KC = 256; // depth of a packed block: a 2 x KC panel of a and a KC x 16 panel of b stay in L1
const MC = 128; // rows of a packed block of a (MC x KC floats = 128 KiB, in L2)
const NC = 512; // columns of a packed block of b (KC x NC floats = 512 KiB, in L2)
const PANELS = MC / MR; // a panels in a block
const B_STEP = NR * 4; // bytes of one step of a packed b panel: what a kept step's offset counts in

/** Bytes of scratch one thread needs: packed a, packed b, one tile, and each a panel's kept steps. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR + PANELS * KC + PANELS) * 4;
}

// Packs op(a)[i0 .. i0+mc, p0 .. p0+kc] into panels of MR = 2 rows, keeping only the steps where
// the two floats are not both zero (or minus zero): panel q holds its kept steps' pairs from
// dst + q * kc * 8, the byte offset of each kept step in a packed b panel from kept + q * KC * 4,
// and their count at counts + q * 4.
function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize, kept: usize, counts: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const i = i0 + ir;
    const panel = ir / MR;
    const pairs = dst + ((<usize>ir * kc) << 2);
    const steps = kept + ((<usize>panel * KC) << 2);
    let n: usize = 0;
    if (rows == MR && transA) {
      // op(a)[i + r, p] = a[p, i + r]: two contiguous floats
      let src = a + ((<usize>p0 * lda + i) << 2);
      const stride = <usize>lda << 2;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const lo = i64x2.replace_lane(i64x2.splat(load<u64>(src)), 1, load<u64>(src + stride));
        const hi = i64x2.replace_lane(i64x2.splat(load<u64>(src + 2 * stride)), 1, load<u64>(src + 3 * stride));
        n = keepFourSteps(pairs, steps, n, p, lo, hi);
        src += 4 * stride;
      }
      for (; p < kc; p++) {
        n = keepStep(pairs, steps, n, p, load<u64>(src));
        src += stride;
      }
    } else if (rows == MR) {
      let r0 = a + ((<usize>i * lda + p0) << 2);
      const r1 = <usize>lda << 2; // from row i to row i + 1
      let p = 0;
      // Four steps of both rows at a time, paired up in registers.
      for (; p + 4 <= kc; p += 4) {
        const x0 = v128.load(r0), x1 = v128.load(r0 + r1);
        n = keepFourSteps(pairs, steps, n, p, v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), v128.shuffle<f32>(x0, x1, 2, 6, 3, 7));
        r0 += 16;
      }
      for (; p < kc; p++) {
        n = keepStep(pairs, steps, n, p, <u64>load<u32>(r0) | (<u64>load<u32>(r0 + r1) << 32));
        r0 += 4;
      }
    } else {
      // One row left: the other float of each pair is zero.
      for (let p = 0; p < kc; p++) {
        const pp = p0 + p;
        const v = transA ? load<u32>(a + ((<usize>pp * lda + i) << 2)) : load<u32>(a + ((<usize>i * lda + pp) << 2));
        n = keepStep(pairs, steps, n, p, <u64>v);
      }
    }
    store<i32>(counts + (<usize>panel << 2), <i32>n);
  }
}

// Steps p .. p + 3 (their pairs in lo and hi): keepStep for each, with short ways for four kept
// steps (dense data) and four dropped ones (an image's background), which come in runs.
@inline function keepFourSteps(pairs: usize, steps: usize, n: usize, p: i32, lo: v128, hi: v128): usize {
  const magnitude = i32x4.splat(0x7fffffff);
  const keepLo = i64x2.ne(v128.and(lo, magnitude), i64x2.splat(0));
  const keepHi = i64x2.ne(v128.and(hi, magnitude), i64x2.splat(0));
  if (i64x2.all_true(v128.and(keepLo, keepHi))) {
    v128.store(pairs + (n << 3), lo);
    v128.store(pairs + (n << 3), hi, 16);
    v128.store(steps + (n << 2), i32x4.add(i32x4.splat(p * B_STEP), i32x4(0, B_STEP, 2 * B_STEP, 3 * B_STEP)));
    return n + 4;
  }
  if (!v128.any_true(v128.or(keepLo, keepHi))) return n;
  n = keepStep(pairs, steps, n, p, i64x2.extract_lane(lo, 0));
  n = keepStep(pairs, steps, n, p + 1, i64x2.extract_lane(lo, 1));
  n = keepStep(pairs, steps, n, p + 2, i64x2.extract_lane(hi, 0));
  return keepStep(pairs, steps, n, p + 3, i64x2.extract_lane(hi, 1));
}

// Writes step p's pair (two floats' bits) as kept step n and returns n + 1, or n when both are
// zero. Branch-free: the writes always happen, and the next kept step overwrites a dropped one.
@inline function keepStep(pairs: usize, steps: usize, n: usize, p: i32, pair: u64): usize {
  store<u64>(pairs + (n << 3), pair);
  store<u32>(steps + (n << 2), <u32>(p * B_STEP));
  return n + <usize>((pair & 0x7fffffff7fffffff) != 0);
}

// Packs op(b)[p0 .. p0+kc, j0 .. j0+nc] into panels of NR columns: for each p, NR consecutive floats.
function packB(b: usize, ldb: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const j = j0 + jr;
    if (cols == NR && !transB) {
      let src = b + ((<usize>p0 * ldb + j) << 2);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        v128.store(dst, v128.load(src, 32), 32);
        v128.store(dst, v128.load(src, 48), 48);
        src += <usize>ldb << 2;
        dst += 64;
      }
    } else if (cols == NR) {
      // op(b)[p, j + c] = b[j + c, p]: gather one float from each of 16 rows
      const stride = <usize>ldb << 2;
      let src = b + ((<usize>j * ldb + p0) << 2);
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), load<f32>(src + <usize>c * stride));
        src += 4;
        dst += 64;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const pp = p0 + p;
        for (let c = 0; c < NR; c++) {
          let v: f32 = 0;
          if (c < cols) v = transB ? load<f32>(b + ((<usize>(j + c) * ldb + pp) << 2)) : load<f32>(b + ((<usize>pp * ldb + j + c) << 2));
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

// One MR x NR tile: c (+)= a-panel · b-panel over the panel's kept steps (packA): `n`
// pairs of a at ap, and for each the byte offset of its step in the b panel at `kept`. The loop
// keeps its eight accumulators in registers and nothing else; the tile then goes through `tile`
// (MR x NR floats of scratch) to storeTile, so the register allocator sees a small loop.
function kernel(
  ap: usize, bp: usize, kept: usize, n: i32, c: usize, ldc: i32, rows: i32, cols: i32,
  add: bool, last: bool, bias: usize, act: i32, y: usize, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  const end = kept + (<usize>n << 2);
  for (; kept < end; kept += 4) {
    const q = bp + <usize>load<u32>(kept);
    const b0 = v128.load(q), b1 = v128.load(q, 16), b2 = v128.load(q, 32), b3 = v128.load(q, 48);
    let a = v128.load32_splat(ap);
    c00 = fma(a, b0, c00);
    c01 = fma(a, b1, c01);
    c02 = fma(a, b2, c02);
    c03 = fma(a, b3, c03);
    a = v128.load32_splat(ap, 4);
    c10 = fma(a, b0, c10);
    c11 = fma(a, b1, c11);
    c12 = fma(a, b2, c12);
    c13 = fma(a, b3, c13);
    ap += 8;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c02, 32); v128.store(tile, c03, 48);
  v128.store(tile, c10, 64); v128.store(tile, c11, 80); v128.store(tile, c12, 96); v128.store(tile, c13, 112);
  storeTile(tile, c, ldc, rows, cols, add, last, bias, act, y);
}

// Writes a computed tile to c (adding c's old values when `add`). On the last block, adds the bias
// and writes y = act(c) for the activations that need no transcendental (linear, relu, leaky
// relu); when y is c itself (the layer keeps no separate pre-activation) it is stored once.
function storeTile(tile: usize, c: usize, ldc: i32, rows: i32, cols: i32, add: bool, last: bool, bias: usize, act: i32, y: usize): void {
  const epilogue = last && y != 0 && (act == ACT_RELU || act == ACT_LEAKY_RELU || act == ACT_LINEAR);
  if (cols == NR) {
    const stride = <usize>ldc << 2;
    const withBias = last && bias != 0;
    for (let r = 0; r < rows; r++) {
      const row = c + <usize>r * stride;
      const from = tile + (<usize>r * NR << 2);
      let v0 = v128.load(from), v1 = v128.load(from, 16), v2 = v128.load(from, 32), v3 = v128.load(from, 48);
      if (add) {
        v0 = f32x4.add(v0, v128.load(row));
        v1 = f32x4.add(v1, v128.load(row, 16));
        v2 = f32x4.add(v2, v128.load(row, 32));
        v3 = f32x4.add(v3, v128.load(row, 48));
      }
      if (withBias) {
        v0 = f32x4.add(v0, v128.load(bias));
        v1 = f32x4.add(v1, v128.load(bias, 16));
        v2 = f32x4.add(v2, v128.load(bias, 32));
        v3 = f32x4.add(v3, v128.load(bias, 48));
      }
      if (!(epilogue && y == c)) {
        v128.store(row, v0);
        v128.store(row, v1, 16);
        v128.store(row, v2, 32);
        v128.store(row, v3, 48);
      }
      if (epilogue) {
        const out = y + <usize>r * stride;
        v128.store(out, activateVector(v0, act));
        v128.store(out, activateVector(v1, act), 16);
        v128.store(out, activateVector(v2, act), 32);
        v128.store(out, activateVector(v3, act), 48);
      }
    }
    return;
  }
  // Partial tile: element by element.
  for (let r = 0; r < rows; r++) {
    for (let col = 0; col < cols; col++) {
      const dst = c + ((<usize>r * ldc + col) << 2);
      let v = load<f32>(tile + ((<usize>r * NR + col) << 2));
      if (add) v += load<f32>(dst);
      if (last && bias != 0) v += load<f32>(bias + (<usize>col << 2));
      store<f32>(dst, v);
      if (epilogue) {
        if (act == ACT_RELU) v = max(v, 0);
        else if (act == ACT_LEAKY_RELU) v = v > 0 ? v : v * LEAKY_SLOPE;
        store<f32>(y + ((<usize>r * ldc + col) << 2), v);
      }
    }
  }
}

/**
 * c[i0:i1, j0:j1] (+)= op(a)·op(b) with leading dimensions lda, ldb, ldc (row strides, in floats).
 * bias (0 for none) is added on the last block; y (0 for none, same layout as c) receives act(c)
 * for linear, relu and leaky relu.
 */
export function gemm(
  a: usize, b: usize, c: usize, k: i32, lda: i32, ldb: i32, ldc: i32,
  transA: bool, transB: bool, accumulate: bool, bias: usize, act: i32, y: usize,
  i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize,
): void {
  const apack = scratch;
  const bpack = scratch + ((MC * KC) << 2);
  const tile = bpack + ((KC * NC) << 2);
  const kept = tile + ((MR * NR) << 2); // PANELS lists of up to KC step offsets
  const keptCounts = kept + ((PANELS * KC) << 2);
  if (k == 0) {
    for (let i = i0; i < i1; i++) {
      for (let j = j0; j < j1; j++) {
        if (!accumulate) store<f32>(c + ((<usize>i * ldc + j) << 2), 0);
      }
    }
    return;
  }
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    // Blocks of equal depth (784 = 4 x 196, not 3 x 256 + 16): no thin last block.
    const depth = (k + ((k + KC - 1) / KC) - 1) / ((k + KC - 1) / KC);
    for (let pc = 0; pc < k; pc += depth) {
      const kc = min(depth, k - pc);
      const add = accumulate || pc > 0;
      const last = pc + kc >= k;
      packB(b, ldb, transB, pc, kc, jc, nc, bpack);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(a, lda, transA, ic, mc, pc, kc, apack, kept, keptCounts);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const j = jc + jr;
          const biasAt = bias == 0 ? 0 : bias + (<usize>j << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const offset = (<usize>(ic + ir) * ldc + j) << 2;
            const panel = ir / MR;
            kernel(
              apack + ((<usize>ir * kc) << 2), bpack + ((<usize>jr * kc) << 2),
              kept + ((<usize>panel * KC) << 2), load<i32>(keptCounts + (<usize>panel << 2)), c + offset, ldc, rows, cols, add, last, biasAt, act, y == 0 ? 0 : y + offset, tile,
            );
          }
        }
      }
    }
  }
}
