/**
 * Ridge regression in closed form, in float64: the weights w [columns, outputs] and intercept b
 * [outputs] that minimise Σ (y - x·w - b)² + λ |w|² over the rows (the intercept not penalised).
 * The bag of table networks blends it in (bag.ts): a near-linear table is what least squares does
 * best, and a hidden layer trained by Adam only approaches it.
 */
export interface LinearModel {
  columns: number;
  outputs: number;
  /** [columns, outputs], row-major. */
  weights: Float64Array;
  /** [outputs] */
  bias: Float64Array;
}

/** The sums a ridge fit needs, made once for every λ tried: the centred columns' Gram matrix and cross products. */
export interface RidgeSums {
  columns: number;
  outputs: number;
  /** [columns, columns] Σ (x - x̄)ᵀ(x - x̄) */
  gram: Float64Array;
  /** [columns, outputs] Σ (x - x̄)ᵀ(y - ȳ) */
  cross: Float64Array;
  xMean: Float64Array;
  yMean: Float64Array;
}

/** x: [rows, columns], y: [rows, outputs] -> the sums of ridgeFit. */
export function ridgeSums(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, columns: number, outputs: number): RidgeSums {
  const xMean = new Float64Array(columns);
  const yMean = new Float64Array(outputs);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns; j++) xMean[j] += x[r * columns + j] / rows;
    for (let k = 0; k < outputs; k++) yMean[k] += y[r * outputs + k] / rows;
  }
  const gram = new Float64Array(columns * columns);
  const cross = new Float64Array(columns * outputs);
  const xc = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns; j++) xc[j] = x[r * columns + j] - xMean[j];
    for (let i = 0; i < columns; i++) {
      const xi = xc[i];
      if (xi === 0) continue;
      for (let j = i; j < columns; j++) gram[i * columns + j] += xi * xc[j];
      for (let k = 0; k < outputs; k++) cross[i * outputs + k] += xi * (y[r * outputs + k] - yMean[k]);
    }
  }
  for (let i = 0; i < columns; i++) for (let j = 0; j < i; j++) gram[i * columns + j] = gram[j * columns + i];
  return { columns, outputs, gram, cross, xMean, yMean };
}

/** The ridge solution for λ > 0, by Cholesky factorisation of Gram + λI (positive definite for any λ > 0). */
export function ridgeFit(sums: RidgeSums, lambda: number): LinearModel {
  const { columns: n, outputs, gram, cross, xMean, yMean } = sums;
  if (!(lambda > 0)) throw new RangeError(`ridge: lambda must be > 0, got ${lambda}`);
  // L Lᵀ = Gram + λI, L lower triangular.
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = gram[i * n + j] + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, Number.MIN_VALUE)) : s / l[j * n + j];
    }
  }
  const weights = new Float64Array(n * outputs);
  const z = new Float64Array(n);
  for (let k = 0; k < outputs; k++) {
    for (let i = 0; i < n; i++) {
      let s = cross[i * outputs + k];
      for (let j = 0; j < i; j++) s -= l[i * n + j] * z[j];
      z[i] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let j = i + 1; j < n; j++) s -= l[j * n + i] * weights[j * outputs + k];
      weights[i * outputs + k] = s / l[i * n + i];
    }
  }
  const bias = Float64Array.from(yMean, (m, k) => {
    let s = m;
    for (let j = 0; j < n; j++) s -= xMean[j] * weights[j * outputs + k];
    return s;
  });
  return { columns: n, outputs, weights, bias };
}

/** x: [rows, columns] -> [rows, outputs] */
export function linearPredict(model: LinearModel, x: ArrayLike<number>, rows: number): Float64Array {
  const { columns, outputs, weights, bias } = model;
  const out = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < outputs; k++) {
      let s = bias[k];
      for (let j = 0; j < columns; j++) s += x[r * columns + j] * weights[j * outputs + k];
      out[r * outputs + k] = s;
    }
  }
  return out;
}
