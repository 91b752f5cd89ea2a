import type { Dataset } from "./dataset.js";

/** Per-feature standardisation (x - mean) / std, with statistics from the training rows. */
export interface Normalization {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Mean and standard deviation of each column over the rows `rowIndices` (default: all rows).
 * A constant column gets std 1, so it maps to 0 instead of dividing by zero.
 */
export function fitNormalization(data: Dataset, rowIndices?: ArrayLike<number>): Normalization {
  const { columns, features } = data;
  const rows = rowIndices ? rowIndices.length : data.rows;
  const sum = new Float64Array(columns);
  const sumSquares = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    const i = rowIndices ? rowIndices[r] : r;
    for (let j = 0; j < columns; j++) {
      const v = features[i * columns + j];
      sum[j] += v;
      sumSquares[j] += v * v;
    }
  }
  const mean = new Float32Array(columns);
  const std = new Float32Array(columns);
  for (let j = 0; j < columns; j++) {
    const m = sum[j] / Math.max(rows, 1);
    const variance = Math.max(sumSquares[j] / Math.max(rows, 1) - m * m, 0);
    mean[j] = m;
    std[j] = Math.sqrt(variance) > 1e-6 * Math.max(1, Math.abs(m)) ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}

/** A standardised copy of row-major features. */
export function normalizeRows(features: Float32Array, { mean, std }: Normalization): Float32Array {
  const columns = mean.length;
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const j = i % columns;
    out[i] = (features[i] - mean[j]) / std[j];
  }
  return out;
}
