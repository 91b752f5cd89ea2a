import type { WindowGeometry } from "../backend.js";

/**
 * im2col for NHWC: every output pixel's window becomes one row of `cols`, [batch * outHeight *
 * outWidth, sizeY * sizeX * channels], in the weight's (ky, kx, c) order, so that the convolution
 * is one matrix product cols · weight: [sizeY * sizeX * channels, filters] on the wasm GEMM, which
 * writes the NHWC output directly. Taps in the padding are 0. In NHWC a window's row of taps is
 * sizeX * channels contiguous floats of the input, so each is one copy when it lies inside.
 *
 * Why im2col first: the GEMM already runs near one core's peak and splits across threads; the
 * copy costs memory traffic of sizeY * sizeX times the input, small next to the product for the
 * canonical networks' 3x3 convolutions over 1-128 channels.
 */
export function im2col(f: Float32Array, x: number, cols: number, g: WindowGeometry): void {
  const row = g.sizeY * g.sizeX * g.channels;
  const span = g.sizeX * g.channels;
  let out = cols;
  for (let n = 0; n < g.batch; n++) {
    const image = x + n * g.height * g.width * g.channels;
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, out += row) {
        const left = ox * g.stride - g.padLeft;
        const inside = left >= 0 && left + g.sizeX <= g.width;
        for (let ky = 0; ky < g.sizeY; ky++) {
          const iy = oy * g.stride + ky - g.padTop;
          const to = out + ky * span;
          if (iy < 0 || iy >= g.height) {
            f.fill(0, to, to + span);
          } else if (inside) {
            const from = image + (iy * g.width + left) * g.channels;
            f.copyWithin(to, from, from + span);
          } else {
            for (let kx = 0; kx < g.sizeX; kx++) {
              const ix = left + kx;
              const tap = to + kx * g.channels;
              if (ix < 0 || ix >= g.width) f.fill(0, tap, tap + g.channels);
              else f.copyWithin(tap, image + (iy * g.width + ix) * g.channels, image + (iy * g.width + ix + 1) * g.channels);
            }
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: dx = the sum, over the windows that read each input value, of its entries in dCols (dx is overwritten). */
export function col2im(f: Float32Array, dCols: number, dx: number, g: WindowGeometry): void {
  const row = g.sizeY * g.sizeX * g.channels;
  // Sums in float64: a pixel takes up to sizeY * sizeX contributions.
  const sums = new Float64Array(g.batch * g.height * g.width * g.channels);
  let at = dCols;
  for (let n = 0; n < g.batch; n++) {
    const image = n * g.height * g.width * g.channels;
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, at += row) {
        for (let ky = 0; ky < g.sizeY; ky++) {
          const iy = oy * g.stride + ky - g.padTop;
          if (iy < 0 || iy >= g.height) continue;
          for (let kx = 0; kx < g.sizeX; kx++) {
            const ix = ox * g.stride + kx - g.padLeft;
            if (ix < 0 || ix >= g.width) continue;
            const to = image + (iy * g.width + ix) * g.channels;
            const from = at + (ky * g.sizeX + kx) * g.channels;
            for (let c = 0; c < g.channels; c++) sums[to + c] += f[from + c];
          }
        }
      }
    }
  }
  f.set(sums, dx);
}
