// Matrix product with packed panels and a 4x8 register-blocked microkernel (AssemblyScript).
// c: [m, n] = op(a): [m, k] · op(b): [k, n] (+ c), computed for rows [i0, i1) and columns
// [j0, j1) so that threads can share one product without sharing an output element.
//
// Measured and not kept: dropping the steps where a packed panel of a is all zero (with 4x8
// tiles, and with 2x16 tiles, which skip a third of the steps of a Fashion-MNIST batch). Loading
// each step's offset in b made every kept step slower by about what the skipped ones saved:
// classifying 10k images took 0.95-0.99 of the time, and dense products 1.07-1.3 times as long.
import { ACT_LINEAR, ACT_LEAKY_RELU, ACT_RELU, LEAKY_SLOPE, activateVector } from "./math";

const MR = 4; // rows of a microkernel tile
const NR = 8; // columns of a microkernel tile (two v128)
const KC = 256; // depth of a packed block: a 4 x KC panel of a and a KC x 8 panel of b stay in L1
const MC = 128; // rows of a packed block of a (MC x KC floats = 128 KiB, in L2)
const NC = 512; // columns of a packed block of b (KC x NC floats = 512 KiB, in L2)

/** Bytes of scratch one thread needs: packed a, packed b and one tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// Packs op(a)[i0 .. i0+mc, p0 .. p0+kc] into panels of MR rows: for each p, MR consecutive floats.
function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const i = i0 + ir;
    if (rows == MR && transA) {
      // op(a)[i + r, p] = a[p, i + r]: four contiguous floats
      let src = a + ((<usize>p0 * lda + i) << 2);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        src += <usize>lda << 2;
        dst += 16;
      }
    } else if (rows == MR) {
      let r0 = a + ((<usize>i * lda + p0) << 2);
      const stride = <usize>lda << 2;
      let p = 0;
      // Four rows by four steps at a time: load 4x4, transpose in registers, store 4 steps.
      for (; p + 4 <= kc; p += 4) {
        const x0 = v128.load(r0), x1 = v128.load(r0 + stride), x2 = v128.load(r0 + 2 * stride), x3 = v128.load(r0 + 3 * stride);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
        r0 += 16;
        dst += 64;
      }
      for (; p < kc; p++) {
        store<f32>(dst, load<f32>(r0));
        store<f32>(dst, load<f32>(r0 + stride), 4);
        store<f32>(dst, load<f32>(r0 + 2 * stride), 8);
        store<f32>(dst, load<f32>(r0 + 3 * stride), 12);
        r0 += 4;
        dst += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f32 = 0;
          if (r < rows) {
            const pp = p0 + p;
            v = transA ? load<f32>(a + ((<usize>pp * lda + i + r) << 2)) : load<f32>(a + ((<usize>(i + r) * lda + pp) << 2));
          }
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
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
        src += <usize>ldb << 2;
        dst += 32;
      }
    } else if (cols == NR) {
      // op(b)[p, j + c] = b[j + c, p]: gather one float from each of 8 rows
      const stride = <usize>ldb << 2;
      let src = b + ((<usize>j * ldb + p0) << 2);
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), load<f32>(src + <usize>c * stride));
        src += 4;
        dst += 32;
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


// One MR x NR tile: c (+)= a-panel · b-panel over kc. The loop keeps its eight accumulators in
// registers and nothing else; the tile then goes through `tile` (MR x NR floats of scratch) to
// storeTile, so the register allocator sees a small loop.
function kernel(
  ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32,
  add: bool, last: bool, bias: usize, act: i32, y: usize, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = fma(a, b0, c00);
    c01 = fma(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = fma(a, b0, c10);
    c11 = fma(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = fma(a, b0, c20);
    c21 = fma(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = fma(a, b0, c30);
    c31 = fma(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  storeTile(tile, c, ldc, rows, cols, add, last, bias, act, y);
}

// Writes a computed tile to c (adding c's old values when `add`). On the last block, adds the bias
// and writes y = act(c) for the activations that need no transcendental (linear, relu, leaky
// relu); when y is c itself (the layer keeps no separate pre-activation) it is stored once.
function storeTile(tile: usize, c: usize, ldc: i32, rows: i32, cols: i32, add: bool, last: bool, bias: usize, act: i32, y: usize): void {
  const epilogue = last && y != 0 && (act == ACT_RELU || act == ACT_LEAKY_RELU || act == ACT_LINEAR);
  if (rows == MR && cols == NR) {
    const stride = <usize>ldc << 2;
    const bias0 = last && bias != 0 ? v128.load(bias) : f32x4.splat(0);
    const bias1 = last && bias != 0 ? v128.load(bias, 16) : f32x4.splat(0);
    for (let r = 0; r < MR; r++) {
      const row = c + <usize>r * stride;
      let v0 = v128.load(tile + (<usize>r << 5));
      let v1 = v128.load(tile + (<usize>r << 5), 16);
      if (add) {
        v0 = f32x4.add(v0, v128.load(row));
        v1 = f32x4.add(v1, v128.load(row, 16));
      }
      v0 = f32x4.add(v0, bias0);
      v1 = f32x4.add(v1, bias1);
      if (!(epilogue && y == c)) {
        v128.store(row, v0);
        v128.store(row, v1, 16);
      }
      if (epilogue) {
        const out = y + <usize>r * stride;
        v128.store(out, activateVector(v0, act));
        v128.store(out, activateVector(v1, act), 16);
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
        packA(a, lda, transA, ic, mc, pc, kc, apack);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const j = jc + jr;
          const biasAt = bias == 0 ? 0 : bias + (<usize>j << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const offset = (<usize>(ic + ir) * ldc + j) << 2;
            kernel(
              apack + ((<usize>ir * kc) << 2), bpack + ((<usize>jr * kc) << 2), kc,
              c + offset, ldc, rows, cols, add, last, biasAt, act, y == 0 ? 0 : y + offset, tile,
            );
          }
        }
      }
    }
  }
}
