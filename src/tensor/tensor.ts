/** The storage types a backend may hold numbers in. Glassbox trains in float32; float64 is for checks. */
export type FloatArray = Float32Array | Float64Array;

/**
 * The sizes of a tensor's axes, outermost first. Per-example shapes leave out the batch axis:
 * a 28x28 gray image is [28, 28, 1] (height, width, channels: NHWC), a table row [features].
 */
export type Shape = readonly number[];

/**
 * A block of numbers with a shape, row-major, owned by a backend. Layers, losses and optimizers
 * hold tensors and hand them to backend kernels; only the backend that made a tensor looks at
 * its numbers (read them with `backend.read`).
 *
 * Every tensor is also a 2-D matrix: `rows` is the size of its first axis (the batch axis of
 * activations) and `cols` the product of the others. That view is what the matrix kernels take.
 */
export interface Tensor {
  readonly shape: Shape;
  readonly rows: number;
  readonly cols: number;
}

/** A tensor seen as a 2-D matrix [rows, cols] by a kernel (GEMM, element-wise): the same object. */
export type Matrix = Tensor;

/** A trainable tensor and its gradient, which the backward pass overwrites. */
export interface Param {
  readonly name: string; // e.g. "layers.0.weight"
  readonly value: Tensor;
  readonly grad: Tensor;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The matrix view of a shape: [first axis, product of the rest]; a scalar is [1, 1]. */
export function matrixOf(shape: Shape): { rows: number; cols: number } {
  if (shape.length === 0) return { rows: 1, cols: 1 };
  return { rows: shape[0], cols: sizeOf(shape.slice(1)) };
}

export function shapeText(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws unless every axis is a positive whole number. */
export function checkShape(shape: Shape): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`a shape is a list of positive whole numbers, got ${JSON.stringify(shape)}`);
  }
}

/** Throws unless `values` fills `t` exactly (for Backend.write). */
export function checkLength(t: Tensor, values: ArrayLike<number>): void {
  if (values.length !== t.rows * t.cols) {
    throw new Error(`expected ${t.rows * t.cols} values for a ${shapeText(t.shape)} tensor, got ${values.length}`);
  }
}
