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
