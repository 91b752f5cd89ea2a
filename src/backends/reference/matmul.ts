import type { FloatArray } from "../../tensor/tensor.js";

/**
 * c: [m, n] = op(a)·op(b) (+ c when accumulate), op(a): [m, k], op(b): [k, n], sums in float64.
 * a is stored [m, k] (or [k, m] when transA); b is stored [k, n] (or [n, k] when transB).
 */
export function matmul(a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate: boolean): void {
  // Element (i, p) of op(a) is a[i*aRow + p*aCol]; element (p, j) of op(b) is b[p*bRow + j*bCol].
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  if (transB) {
    // Rows of b are columns of op(b): each output is a dot product of two contiguous runs.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        const bStart = j * k;
        for (let p = 0; p < k; p++) sum += a[i * aRow + p * aCol] * b[bStart + p];
        c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
      }
    }
    return;
  }
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[i * aRow + p * aCol];
      const bStart = p * n;
      for (let j = 0; j < n; j++) row[j] += av * b[bStart + j];
    }
    const cStart = i * n;
    for (let j = 0; j < n; j++) c[cStart + j] = accumulate ? c[cStart + j] + row[j] : row[j];
  }
}
