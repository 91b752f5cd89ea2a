// Winograd F(2x2, 3x3) convolutions for NHWC (AssemblyScript): each 2x2 block of output pixels
// (a tile) reads a 4x4 block of input, and Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A computes its 4 outputs
// with 16 multiplies per channel and filter instead of 36. Over a batch the 16 products ⊙ become
// 16 matrix products, V[ξ]: [tiles, channels] · U[ξ]: [channels, filters] = M[ξ]: [tiles, filters]
// (gemmMany), between transforms that are additions only:
//
//   input    V[ξ](t, c) = (Bᵀ d B)[ξ] of tile t's 4x4 input block of channel c
//   filter   U[ξ](c, k) = (G g Gᵀ)[ξ] of filter k's 3x3 weights for channel c
//   output   y = Aᵀ M(t, k) A, plus the bias and the activation
//
// The backward pass is the adjoint of each step, so it is the exact gradient of the same sums:
// dM = A dY Aᵀ per tile, dU[ξ] = V[ξ]ᵀ · dM[ξ], dW = Gᵀ dU G, dV[ξ] = dM[ξ] · U[ξ]ᵀ and
// dX = B dV Bᵀ added over the overlapping 4x4 blocks. Every transform works on four channels (or
// filters) at a time, so both counts are multiples of 4 (winograd.ts on the JavaScript side
// decides which convolutions come here).
//
// The input is first copied into a zero-bordered image per example (`padded`, Hp x Wp = 2·tilesY
// + 2 by 2·tilesX + 2 pixels) so that every tile reads 16 pixels with no test; dX is summed in
// the same bordered image and its inside copied out. Matrix ξ of V, M, dM and dV starts at
// ξ · planeRows rows (the tiles and a spare row or more); tile t of example n (of a chunk starting at example nBase) is row
// ((n - nBase) · tilesY + ty) · tilesX + tx.
import { ACT_LEAKY_RELU, ACT_LINEAR, ACT_RELU, activateVector, fma } from "./math";

// Copies one example's image (height x width pixels at image) into its bordered image at p, or
// (`out`) the bordered image's inside back to the image. What falls outside the other is 0.
function bordered(image: usize, p: usize, height: i32, width: i32, channels: i32, padTop: i32, padLeft: i32, hp: i32, wp: i32, out: bool): void {
  const pixel = <usize>channels << 2;
  if (out) memory.fill(image, 0, <usize>height * width * pixel);
  else memory.fill(p, 0, <usize>hp * wp * pixel);
  const x0 = max(0, -padLeft);
  const x1 = min(width, wp - padLeft);
  if (x1 <= x0) return;
  for (let iy = max(0, -padTop); iy < min(height, hp - padTop); iy++) {
    const inside = p + (<usize>(iy + padTop) * wp + x0 + padLeft) * pixel;
    const row = image + (<usize>iy * width + x0) * pixel;
    if (out) memory.copy(row, inside, <usize>(x1 - x0) * pixel);
    else memory.copy(inside, row, <usize>(x1 - x0) * pixel);
  }
}

/** V for examples [n0, n1) of x: [batch, height, width, channels] (padded: a bordered image per example of the chunk). */
export function winogradInput(
  x: usize, padded: usize, v: usize, height: i32, width: i32, channels: i32, padTop: i32, padLeft: i32,
  tilesY: i32, tilesX: i32, planeRows: i32, nBase: i32, n0: i32, n1: i32,
): void {
  const hp = 2 * tilesY + 2, wp = 2 * tilesX + 2;
  const pixel = <usize>channels << 2;
  const line = <usize>wp * pixel;
  const plane = <usize>planeRows * pixel; // bytes from V[ξ] to V[ξ + 1]
  for (let n = n0; n < n1; n++) {
    const p = padded + <usize>(n - nBase) * hp * line;
    bordered(x + <usize>n * height * width * pixel, p, height, width, channels, padTop, padLeft, hp, wp, false);
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        const t = ((n - nBase) * tilesY + ty) * tilesX + tx;
        let out = v + <usize>t * pixel;
        let d = p + <usize>(2 * ty) * line + <usize>(2 * tx) * pixel;
        for (let c = 0; c < channels; c += 4, d += 16, out += 16) {
          // d B, row by row, then Bᵀ of the result: rᵢ = (dᵢ₀ - dᵢ₂, dᵢ₁ + dᵢ₂, dᵢ₂ - dᵢ₁, dᵢ₁ - dᵢ₃).
          for (let j = 0; j < 4; j++) {
            const r0 = columnB(d, pixel, j), r1 = columnB(d + line, pixel, j), r2 = columnB(d + 2 * line, pixel, j), r3 = columnB(d + 3 * line, pixel, j);
            const o = out + <usize>j * plane;
            v128.store(o, f32x4.sub(r0, r2));
            v128.store(o + 4 * plane, f32x4.add(r1, r2));
            v128.store(o + 8 * plane, f32x4.sub(r2, r1));
            v128.store(o + 12 * plane, f32x4.sub(r1, r3));
          }
        }
      }
    }
  }
}

// Entry j of one row of d B (the row's four pixels at row, `pixel` bytes apart).
@inline function columnB(row: usize, pixel: usize, j: i32): v128 {
  if (j == 0) return f32x4.sub(v128.load(row), v128.load(row + 2 * pixel));
  if (j == 1) return f32x4.add(v128.load(row + pixel), v128.load(row + 2 * pixel));
  if (j == 2) return f32x4.sub(v128.load(row + 2 * pixel), v128.load(row + pixel));
  return f32x4.sub(v128.load(row + pixel), v128.load(row + 3 * pixel));
}

/** y = act(Aᵀ M A + bias) for examples [n0, n1): y is [batch, outHeight, outWidth, filters]. */
export function winogradOutput(
  m: usize, y: usize, bias: usize, act: i32, filters: i32, outHeight: i32, outWidth: i32,
  tilesY: i32, tilesX: i32, planeRows: i32, nBase: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>filters << 2;
  const line = <usize>outWidth * pixel;
  const plane = <usize>planeRows * pixel;
  const fused = act == ACT_LINEAR || act == ACT_RELU || act == ACT_LEAKY_RELU;
  for (let n = n0; n < n1; n++) {
    for (let ty = 0; ty < tilesY; ty++) {
      const secondRow = 2 * ty + 1 < outHeight;
      for (let tx = 0; tx < tilesX; tx++) {
        const secondColumn = 2 * tx + 1 < outWidth;
        const t = ((n - nBase) * tilesY + ty) * tilesX + tx;
        let from = m + <usize>t * pixel;
        let to = y + <usize>n * outHeight * line + <usize>(2 * ty) * line + <usize>(2 * tx) * pixel;
        for (let k = 0; k < filters; k += 4, from += 16, to += 16) {
          // s = Aᵀ M: s₀ = M₀ + M₁ + M₂, s₁ = M₁ - M₂ - M₃ (rows of 4); y = s A likewise on columns.
          const s00 = rowSum(from, plane, 0), s01 = rowSum(from, plane, 1), s02 = rowSum(from, plane, 2), s03 = rowSum(from, plane, 3);
          const s10 = rowDiff(from, plane, 0), s11 = rowDiff(from, plane, 1), s12 = rowDiff(from, plane, 2), s13 = rowDiff(from, plane, 3);
          const b = bias == 0 ? f32x4.splat(0) : v128.load(bias + (<usize>k << 2));
          let y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), b);
          let y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), b);
          let y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), b);
          let y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), b);
          if (fused) {
            y00 = activateVector(y00, act);
            y01 = activateVector(y01, act);
            y10 = activateVector(y10, act);
            y11 = activateVector(y11, act);
          }
          v128.store(to, y00);
          if (secondColumn) v128.store(to + pixel, y01);
          if (secondRow) {
            v128.store(to + line, y10);
            if (secondColumn) v128.store(to + line + pixel, y11);
          }
        }
      }
    }
  }
}

// (Aᵀ M)₀ⱼ = M₀ⱼ + M₁ⱼ + M₂ⱼ and (Aᵀ M)₁ⱼ = M₁ⱼ - M₂ⱼ - M₃ⱼ, M₍ᵢⱼ₎ being matrix 4i + j.
@inline function rowSum(m: usize, plane: usize, j: i32): v128 {
  const at = m + <usize>j * plane;
  return f32x4.add(f32x4.add(v128.load(at), v128.load(at + 4 * plane)), v128.load(at + 8 * plane));
}

@inline function rowDiff(m: usize, plane: usize, j: i32): v128 {
  const at = m + <usize>j * plane;
  return f32x4.sub(f32x4.sub(v128.load(at + 4 * plane), v128.load(at + 8 * plane)), v128.load(at + 12 * plane));
}

/** dM = A dY Aᵀ per tile, for examples [n0, n1) of dy: [batch, outHeight, outWidth, filters] (outside the output: 0). */
export function winogradOutputAdjoint(
  dy: usize, dm: usize, filters: i32, outHeight: i32, outWidth: i32,
  tilesY: i32, tilesX: i32, planeRows: i32, nBase: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>filters << 2;
  const line = <usize>outWidth * pixel;
  const plane = <usize>planeRows * pixel;
  const all = i32x4.splat(-1), none = i32x4.splat(0);
  for (let n = n0; n < n1; n++) {
    for (let ty = 0; ty < tilesY; ty++) {
      const secondRow = 2 * ty + 1 < outHeight;
      for (let tx = 0; tx < tilesX; tx++) {
        const secondColumn = 2 * tx + 1 < outWidth;
        // Pixels past the output read the tile's first pixel, masked to 0.
        const g00 = dy + <usize>n * outHeight * line + <usize>(2 * ty) * line + <usize>(2 * tx) * pixel;
        const g01 = secondColumn ? g00 + pixel : g00;
        const g10 = secondRow ? g00 + line : g00;
        const g11 = secondRow && secondColumn ? g00 + line + pixel : g00;
        const m01 = secondColumn ? all : none, m10 = secondRow ? all : none, m11 = secondRow && secondColumn ? all : none;
        const t = ((n - nBase) * tilesY + ty) * tilesX + tx;
        const to = dm + <usize>t * pixel;
        for (let k: usize = 0; k < pixel; k += 16) {
          const a = v128.load(g00 + k), b = v128.and(v128.load(g01 + k), m01);
          const c = v128.and(v128.load(g10 + k), m10), d = v128.and(v128.load(g11 + k), m11);
          // Rows of A g: (g₀, g₀ + g₁, g₀ - g₁, -g₁); then the same on columns.
          adjointRow(to + k, plane, a, b);
          adjointRow(to + k + 4 * plane, plane, f32x4.add(a, c), f32x4.add(b, d));
          adjointRow(to + k + 8 * plane, plane, f32x4.sub(a, c), f32x4.sub(b, d));
          adjointRow(to + k + 12 * plane, plane, f32x4.neg(c), f32x4.neg(d));
        }
      }
    }
  }
}

// One row of A g Aᵀ from the row (u, w) of A g: (u, u + w, u - w, -w), into matrices 4i .. 4i + 3.
@inline function adjointRow(at: usize, plane: usize, u: v128, w: v128): void {
  v128.store(at, u);
  v128.store(at + plane, f32x4.add(u, w));
  v128.store(at + 2 * plane, f32x4.sub(u, w));
  v128.store(at + 3 * plane, f32x4.neg(w));
}

/** dx for examples [n0, n1) (overwritten): B dV Bᵀ of every tile, added up in each example's bordered image, whose inside is dx. */
export function winogradInputAdjoint(
  dv: usize, padded: usize, dx: usize, height: i32, width: i32, channels: i32, padTop: i32, padLeft: i32,
  tilesY: i32, tilesX: i32, planeRows: i32, nBase: i32, n0: i32, n1: i32,
): void {
  const hp = 2 * tilesY + 2, wp = 2 * tilesX + 2;
  const pixel = <usize>channels << 2;
  const line = <usize>wp * pixel;
  const plane = <usize>planeRows * pixel;
  for (let n = n0; n < n1; n++) {
    const p = padded + <usize>(n - nBase) * hp * line;
    memory.fill(p, 0, <usize>hp * line);
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        const t = ((n - nBase) * tilesY + ty) * tilesX + tx;
        const from = dv + <usize>t * pixel;
        const to = p + <usize>(2 * ty) * line + <usize>(2 * tx) * pixel;
        for (let c: usize = 0; c < pixel; c += 16) {
          // Row i of q = B dV: (dV₀, dV₁ - dV₂ + dV₃, dV₁ + dV₂ - dV₀, -dV₃)ᵢ; that row of q Bᵀ is the same on its columns.
          const at = from + c;
          for (let i = 0; i < 4; i++) {
            const q0 = rowB(at, plane, i), q1 = rowB(at + plane, plane, i), q2 = rowB(at + 2 * plane, plane, i), q3 = rowB(at + 3 * plane, plane, i);
            const row = to + c + <usize>i * line;
            addTo(row, q0);
            addTo(row + pixel, f32x4.add(f32x4.sub(q1, q2), q3));
            addTo(row + 2 * pixel, f32x4.sub(f32x4.add(q1, q2), q0));
            addTo(row + 3 * pixel, f32x4.neg(q3));
          }
        }
      }
    }
    // The inside of the bordered image is dx.
    bordered(dx + <usize>n * height * width * pixel, p, height, width, channels, padTop, padLeft, hp, wp, true);
  }
}

// Entry (i, j) of B dV from column j of dV: matrices j, 4 + j, 8 + j and 12 + j, the first at col.
@inline function rowB(col: usize, plane: usize, i: i32): v128 {
  if (i == 0) return v128.load(col);
  if (i == 1) return f32x4.add(f32x4.sub(v128.load(col + 4 * plane), v128.load(col + 8 * plane)), v128.load(col + 12 * plane));
  if (i == 2) return f32x4.sub(f32x4.add(v128.load(col + 4 * plane), v128.load(col + 8 * plane)), v128.load(col));
  return f32x4.neg(v128.load(col + 12 * plane));
}

@inline function addTo(at: usize, value: v128): void {
  v128.store(at, f32x4.add(v128.load(at), value));
}

/** U[ξ](c, k) = (G g Gᵀ)[ξ] of weight: [3, 3, channels, filters]. */
export function winogradFilter(w: usize, u: usize, channels: i32, filters: i32): void {
  const half = f32x4.splat(0.5);
  const tap = <usize>channels * filters << 2; // bytes from one of the 9 taps to the next
  const plane = tap;
  for (let at: usize = 0; at < tap; at += 16) {
    // G g (rows): (g₀, (g₀ + g₁ + g₂) / 2, (g₀ - g₁ + g₂) / 2, g₂); then the same on columns.
    for (let i = 0; i < 4; i++) {
      const r0 = rowG(w + at, 3 * tap, i, half), r1 = rowG(w + at + tap, 3 * tap, i, half), r2 = rowG(w + at + 2 * tap, 3 * tap, i, half);
      const o = u + at + <usize>(4 * i) * plane;
      v128.store(o, r0);
      v128.store(o + plane, f32x4.mul(f32x4.add(f32x4.add(r0, r1), r2), half));
      v128.store(o + 2 * plane, f32x4.mul(f32x4.add(f32x4.sub(r0, r1), r2), half));
      v128.store(o + 3 * plane, r2);
    }
  }
}

// Entry (i, j) of G g from column j of g: taps j, 3 + j and 6 + j (rowStep bytes apart), the first at col.
@inline function rowG(col: usize, rowStep: usize, i: i32, half: v128): v128 {
  if (i == 0) return v128.load(col);
  if (i == 3) return v128.load(col + 2 * rowStep);
  const g0 = v128.load(col), g1 = v128.load(col + rowStep), g2 = v128.load(col + 2 * rowStep);
  return f32x4.mul(i == 1 ? f32x4.add(f32x4.add(g0, g1), g2) : f32x4.add(f32x4.sub(g0, g1), g2), half);
}

/** dWeight: [3, 3, channels, filters] = Gᵀ dU G (overwritten). */
export function winogradFilterAdjoint(du: usize, dw: usize, channels: i32, filters: i32): void {
  const half = f32x4.splat(0.5);
  const plane = <usize>channels * filters << 2;
  for (let at: usize = 0; at < plane; at += 16) {
    // Gᵀ dU (rows): (dU₀ + (dU₁ + dU₂) / 2, (dU₁ - dU₂) / 2, (dU₁ + dU₂) / 2 + dU₃); then the same on columns.
    for (let a = 0; a < 3; a++) {
      const p0 = rowGt(du + at, 4 * plane, a, half), p1 = rowGt(du + at + plane, 4 * plane, a, half);
      const p2 = rowGt(du + at + 2 * plane, 4 * plane, a, half), p3 = rowGt(du + at + 3 * plane, 4 * plane, a, half);
      const o = dw + at + <usize>(3 * a) * plane;
      v128.store(o, f32x4.add(p0, f32x4.mul(f32x4.add(p1, p2), half)));
      v128.store(o + plane, f32x4.mul(f32x4.sub(p1, p2), half));
      v128.store(o + 2 * plane, f32x4.add(f32x4.mul(f32x4.add(p1, p2), half), p3));
    }
  }
}

// Entry (a, j) of Gᵀ dU from column j of dU: matrices j, 4 + j, 8 + j and 12 + j (rowStep bytes apart), the first at col.
@inline function rowGt(col: usize, rowStep: usize, a: i32, half: v128): v128 {
  const d1 = v128.load(col + rowStep), d2 = v128.load(col + 2 * rowStep);
  if (a == 0) return f32x4.add(v128.load(col), f32x4.mul(f32x4.add(d1, d2), half));
  if (a == 1) return f32x4.mul(f32x4.sub(d1, d2), half);
  return f32x4.add(f32x4.mul(f32x4.add(d1, d2), half), v128.load(col + 3 * rowStep));
}

/** dst[i] = src[i]ᵀ for `count` matrices of [rows, cols] stored one after another (the filter products' Uᵀ). */
export function transposeMany(src: usize, dst: usize, rows: i32, cols: i32, count: i32): void {
  const size = <usize>rows * cols << 2;
  for (let i = 0; i < count; i++) {
    const from = src + <usize>i * size, to = dst + <usize>i * size;
    for (let r = 0; r < rows; r++) {
      for (let col = 0; col < cols; col++) store<f32>(to + ((<usize>col * rows + r) << 2), load<f32>(from + ((<usize>r * cols + col) << 2)));
    }
  }
}

/**
 * Products [from, to) of a batch of equal-shaped ones: product i is c + i·strideC (+)= op(a + i·strideA)
 * · (b + i·strideB), each [m, n] with depth k (strides in floats, n a multiple of 4).
 *
 * The transformed tensors have few exact zeros, so these products skip none and pack nothing
 * (gemm.ts packs panels to drop zero steps and to stream long products from cache): a 2x16
 * tile reads its two rows of a and its sixteen columns of b where they lie and keeps the whole
 * depth in registers. The 16 products of the canonical CIFAR-10 CNN's shapes, one thread, against
 * gemm on the same products, GFLOP/s: 1024x32x64 24.0 / 16.3 (a depth of 32 does not pay for
 * packing), 512x64x128 39.6 / 33.0, 32x1024x64 with a transposed 30.3 / 27.9, 1024x64x32
 * 25.4 / 26.5, 64x512x128 31.6 / 33.2.
 */
export function gemmMany(
  a: usize, b: usize, c: usize, k: i32, lda: i32, ldb: i32, ldc: i32, transA: bool, accumulate: bool,
  m: i32, n: i32, strideA: i32, strideB: i32, strideC: i32, from: i32, to: i32,
): void {
  // Step p of row i of op(a) is at a + i·next + p·step (bytes).
  const step: usize = transA ? <usize>lda << 2 : 4;
  const next: usize = transA ? 4 : <usize>lda << 2;
  for (let q = from; q < to; q++) {
    const aq = a + ((<usize>q * strideA) << 2), bq = b + ((<usize>q * strideB) << 2), cq = c + ((<usize>q * strideC) << 2);
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      for (let i = 0; i < m; i += 2) {
        const second: usize = i + 1 < m ? next : 0; // an odd last row reads its own row twice and stores once
        tile2x16(aq + <usize>i * next, second, step, bq + (<usize>j << 2), <usize>ldb << 2, k, cq + ((<usize>i * ldc + j) << 2), <usize>ldc << 2, i + 1 < m, accumulate);
      }
    }
    for (; j < n; j += 4) {
      for (let i = 0; i < m; i += 2) {
        const second: usize = i + 1 < m ? next : 0;
        tile2x4(aq + <usize>i * next, second, step, bq + (<usize>j << 2), <usize>ldb << 2, k, cq + ((<usize>i * ldc + j) << 2), <usize>ldc << 2, i + 1 < m, accumulate);
      }
    }
  }
}

// c[0..2, 0..16] (+)= the two rows of a at pa and pa + second · the 16 columns of b at pb, over k steps.
function tile2x16(pa: usize, second: usize, step: usize, pb: usize, ldb: usize, k: i32, pc: usize, ldc: usize, two: bool, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
    let x = v128.load32_splat(pa);
    c00 = fma(x, b0, c00);
    c01 = fma(x, b1, c01);
    c02 = fma(x, b2, c02);
    c03 = fma(x, b3, c03);
    x = v128.load32_splat(pa + second);
    c10 = fma(x, b0, c10);
    c11 = fma(x, b1, c11);
    c12 = fma(x, b2, c12);
    c13 = fma(x, b3, c13);
    pa += step;
    pb += ldb;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(pc)); c01 = f32x4.add(c01, v128.load(pc, 16)); c02 = f32x4.add(c02, v128.load(pc, 32)); c03 = f32x4.add(c03, v128.load(pc, 48));
  }
  v128.store(pc, c00); v128.store(pc, c01, 16); v128.store(pc, c02, 32); v128.store(pc, c03, 48);
  if (!two) return;
  const pc1 = pc + ldc;
  if (accumulate) {
    c10 = f32x4.add(c10, v128.load(pc1)); c11 = f32x4.add(c11, v128.load(pc1, 16)); c12 = f32x4.add(c12, v128.load(pc1, 32)); c13 = f32x4.add(c13, v128.load(pc1, 48));
  }
  v128.store(pc1, c10); v128.store(pc1, c11, 16); v128.store(pc1, c12, 32); v128.store(pc1, c13, 48);
}

// The same for 4 columns (the last columns when n is not a multiple of 16).
function tile2x4(pa: usize, second: usize, step: usize, pb: usize, ldb: usize, k: i32, pc: usize, ldc: usize, two: bool, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    c0 = fma(v128.load32_splat(pa), b0, c0);
    c1 = fma(v128.load32_splat(pa + second), b0, c1);
    pa += step;
    pb += ldb;
  }
  if (accumulate) c0 = f32x4.add(c0, v128.load(pc));
  v128.store(pc, c0);
  if (!two) return;
  if (accumulate) c1 = f32x4.add(c1, v128.load(pc + ldc));
  v128.store(pc + ldc, c1);
}
