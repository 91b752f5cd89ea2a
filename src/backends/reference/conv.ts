import type { FloatArray } from "../../tensor/tensor.js";
import type { WindowGeometry } from "../backend.js";

/**
 * Convolution, pooling and batch normalisation as direct loops over NHWC arrays, summing in
 * float64: the specification the fast kernels are tested against. x[n, y, x, c] is at
 * ((n * height + y) * width + x) * channels + c; a weight w[ky, kx, c, k] at ((ky * sizeX + kx) * channels + c) * filters + k.
 */

/** Calls `each` for every (example, output pixel, window tap) whose tap falls inside the image (padding reads as 0). */
function forEachTap(g: WindowGeometry, each: (n: number, oy: number, ox: number, iy: number, ix: number, ky: number, kx: number) => void): void {
  for (let n = 0; n < g.batch; n++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let ky = 0; ky < g.sizeY; ky++) {
          const iy = oy * g.stride + ky - g.padTop;
          if (iy < 0 || iy >= g.height) continue;
          for (let kx = 0; kx < g.sizeX; kx++) {
            const ix = ox * g.stride + kx - g.padLeft;
            if (ix < 0 || ix >= g.width) continue;
            each(n, oy, ox, iy, ix, ky, kx);
          }
        }
      }
    }
  }
}

const pixel = (g: WindowGeometry, n: number, y: number, x: number): number => ((n * g.height + y) * g.width + x) * g.channels;
const outPixel = (g: WindowGeometry, n: number, y: number, x: number, depth: number): number => ((n * g.outHeight + y) * g.outWidth + x) * depth;

// y: [batch, outHeight, outWidth, filters] = bias + sum over taps and channels of x * weight
export function convForward(x: FloatArray, weight: FloatArray, bias: FloatArray, y: FloatArray, g: WindowGeometry, filters: number): void {
  const sums = new Float64Array(y.length);
  for (let i = 0; i < sums.length; i++) sums[i] = bias[i % filters];
  forEachTap(g, (n, oy, ox, iy, ix, ky, kx) => {
    const out = outPixel(g, n, oy, ox, filters);
    const input = pixel(g, n, iy, ix);
    const taps = (ky * g.sizeX + kx) * g.channels;
    for (let c = 0; c < g.channels; c++) {
      const v = x[input + c];
      const w = (taps + c) * filters;
      for (let k = 0; k < filters; k++) sums[out + k] += v * weight[w + k];
    }
  });
  y.set(sums);
}

// dWeight = sum of x * dy over the taps that used each weight; dBias = sum of dy; dx = sum of weight * dy
export function convBackward(
  x: FloatArray,
  weight: FloatArray,
  dy: FloatArray,
  dWeight: FloatArray | null,
  dBias: FloatArray | null,
  dx: FloatArray | null,
  g: WindowGeometry,
  filters: number,
): void {
  const dw = new Float64Array(weight.length);
  const db = new Float64Array(filters);
  const dxs = dx ? new Float64Array(dx.length) : null;
  for (let i = 0; i < dy.length; i++) db[i % filters] += dy[i];
  forEachTap(g, (n, oy, ox, iy, ix, ky, kx) => {
    const out = outPixel(g, n, oy, ox, filters);
    const input = pixel(g, n, iy, ix);
    const taps = (ky * g.sizeX + kx) * g.channels;
    for (let c = 0; c < g.channels; c++) {
      const v = x[input + c];
      const w = (taps + c) * filters;
      let back = 0;
      for (let k = 0; k < filters; k++) {
        dw[w + k] += v * dy[out + k];
        back += weight[w + k] * dy[out + k];
      }
      if (dxs) dxs[input + c] += back;
    }
  });
  dWeight?.set(dw);
  dBias?.set(db);
  if (dx && dxs) dx.set(dxs);
}

/** For each output value, the input index of its window's first largest value (row-major taps). */
function maxPositions(x: FloatArray, g: WindowGeometry): Int32Array {
  const best = new Int32Array(g.batch * g.outHeight * g.outWidth * g.channels).fill(-1);
  forEachTap(g, (n, oy, ox, iy, ix) => {
    const out = outPixel(g, n, oy, ox, g.channels);
    const input = pixel(g, n, iy, ix);
    for (let c = 0; c < g.channels; c++) {
      const b = best[out + c];
      // NaN wins and stays, so a NaN input gives a NaN output as in the other kernels.
      if (b < 0 || x[input + c] > x[b] || (Number.isNaN(x[input + c]) && !Number.isNaN(x[b]))) best[out + c] = input + c;
    }
  });
  return best;
}

export function maxPoolForward(x: FloatArray, y: FloatArray, g: WindowGeometry): void {
  const best = maxPositions(x, g);
  for (let i = 0; i < y.length; i++) y[i] = x[best[i]];
}

export function maxPoolBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, g: WindowGeometry): void {
  const best = maxPositions(x, g);
  const sums = new Float64Array(dx.length);
  for (let i = 0; i < dy.length; i++) sums[best[i]] += dy[i];
  dx.set(sums);
}

export function avgPoolForward(x: FloatArray, y: FloatArray, g: WindowGeometry): void {
  const sums = new Float64Array(y.length);
  forEachTap(g, (n, oy, ox, iy, ix) => {
    const out = outPixel(g, n, oy, ox, g.channels);
    const input = pixel(g, n, iy, ix);
    for (let c = 0; c < g.channels; c++) sums[out + c] += x[input + c];
  });
  const area = g.sizeY * g.sizeX;
  for (let i = 0; i < y.length; i++) y[i] = sums[i] / area;
}

export function avgPoolBackward(dy: FloatArray, dx: FloatArray, g: WindowGeometry): void {
  const sums = new Float64Array(dx.length);
  const area = g.sizeY * g.sizeX;
  forEachTap(g, (n, oy, ox, iy, ix) => {
    const out = outPixel(g, n, oy, ox, g.channels);
    const input = pixel(g, n, iy, ix);
    for (let c = 0; c < g.channels; c++) sums[input + c] += dy[out + c] / area;
  });
  dx.set(sums);
}

/**
 * Batch normalisation over rows: [rows, channels]. While training: mean and biased variance of
 * each channel over the rows; the running statistics move by `momentum` (the variance by its
 * unbiased form, as PyTorch does). At inference: the running statistics.
 */
export function batchNormForward(
  x: FloatArray,
  rows: number,
  channels: number,
  gamma: FloatArray,
  beta: FloatArray,
  runningMean: FloatArray,
  runningVar: FloatArray,
  mean: FloatArray,
  invStd: FloatArray,
  y: FloatArray,
  training: boolean,
  momentum: number,
  epsilon: number,
): void {
  for (let c = 0; c < channels; c++) {
    let m: number;
    let inv: number;
    if (training) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += x[r * channels + c];
      m = sum / rows;
      let squares = 0;
      for (let r = 0; r < rows; r++) squares += (x[r * channels + c] - m) ** 2;
      const variance = squares / rows;
      inv = 1 / Math.sqrt(variance + epsilon);
      mean[c] = m;
      invStd[c] = inv;
      runningMean[c] = (1 - momentum) * runningMean[c] + momentum * m;
      runningVar[c] = (1 - momentum) * runningVar[c] + momentum * (rows > 1 ? squares / (rows - 1) : variance);
    } else {
      m = runningMean[c];
      inv = 1 / Math.sqrt(runningVar[c] + epsilon);
      mean[c] = m;
      invStd[c] = inv;
    }
    for (let r = 0; r < rows; r++) y[r * channels + c] = gamma[c] * (x[r * channels + c] - m) * inv + beta[c];
  }
}

// With xhat = (x - mean) invStd: dBeta = sum dy, dGamma = sum dy xhat, and while training
// dx = gamma invStd (dy - dBeta / rows - xhat dGamma / rows); at inference dx = gamma invStd dy.
export function batchNormBackward(
  x: FloatArray,
  rows: number,
  channels: number,
  gamma: FloatArray,
  mean: FloatArray,
  invStd: FloatArray,
  dy: FloatArray,
  dx: FloatArray | null,
  dGamma: FloatArray | null,
  dBeta: FloatArray | null,
  training: boolean,
): void {
  for (let c = 0; c < channels; c++) {
    let sumDy = 0;
    let sumDyXhat = 0;
    // The sums: the parameters' gradients, and what dx needs while training (at inference dx needs none).
    if (dGamma || training) {
      for (let r = 0; r < rows; r++) {
        const g = dy[r * channels + c];
        sumDy += g;
        sumDyXhat += g * (x[r * channels + c] - mean[c]) * invStd[c];
      }
    }
    if (dBeta) dBeta[c] = sumDy;
    if (dGamma) dGamma[c] = sumDyXhat;
    if (!dx) continue;
    for (let r = 0; r < rows; r++) {
      const xhat = (x[r * channels + c] - mean[c]) * invStd[c];
      const through = training ? sumDy / rows + (xhat * sumDyXhat) / rows : 0;
      dx[r * channels + c] = gamma[c] * invStd[c] * (dy[r * channels + c] - through);
    }
  }
}
