/** The storage types a backend may hold numbers in. Glassbox trains in float32; float64 is for checks. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A 2-D block of numbers, row-major `[rows, cols]`, owned by a backend.
 * Layers, losses and optimizers hold Matrices and hand them to backend kernels; only the
 * backend that made a Matrix looks at its numbers (read them with `backend.read`).
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
}

export function sizeOf(m: Matrix): number {
  return m.rows * m.cols;
}

export function shapeText(m: Matrix): string {
  return `[${m.rows}, ${m.cols}]`;
}

/** Throws unless `values` fills `m` exactly (for Backend.write). */
export function checkLength(m: Matrix, values: ArrayLike<number>): void {
  if (values.length !== m.rows * m.cols) {
    throw new Error(`expected ${m.rows * m.cols} values for a ${shapeText(m)} matrix, got ${values.length}`);
  }
}
