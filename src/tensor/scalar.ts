/** Numerically stable logistic function 1 / (1 + e^-z), in float64: the one sigmoid every part of Glassbox uses. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * The smallest and largest of `values` (Infinity and -Infinity when empty) in one loop:
 * Math.min(...values) overflows the call stack on data-sized arrays.
 */
export function extent(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** The largest |value| (0 when empty); NaN when any value is NaN. */
export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (v > max || Number.isNaN(v)) max = v;
    if (Number.isNaN(max)) return NaN;
  }
  return max;
}

/**
 * Each column's mean and standard deviation (population, in float64) over `rows` of a row-major
 * [*, columns] array: the statistics standardisation uses, for features and regression targets
 * alike. A column whose deviation is within rounding of none (at most 1e-6 of max(1, |mean|))
 * gets std 0: the caller decides what a constant column means.
 */
export function columnStats(values: ArrayLike<number>, columns: number, rows: ArrayLike<number>): { mean: Float64Array; std: Float64Array } {
  const sum = new Float64Array(columns);
  const sumSquares = new Float64Array(columns);
  for (let r = 0; r < rows.length; r++) {
    const at = rows[r] * columns;
    for (let j = 0; j < columns; j++) {
      const v = values[at + j];
      sum[j] += v;
      sumSquares[j] += v * v;
    }
  }
  const n = Math.max(rows.length, 1);
  const mean = new Float64Array(columns);
  const std = new Float64Array(columns);
  for (let j = 0; j < columns; j++) {
    const m = sum[j] / n;
    const deviation = Math.sqrt(Math.max(sumSquares[j] / n - m * m, 0));
    mean[j] = m;
    std[j] = deviation > 1e-6 * Math.max(1, Math.abs(m)) ? deviation : 0;
  }
  return { mean, std };
}
