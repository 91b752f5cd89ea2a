import type { FloatArray, Matrix } from "../tensor/matrix.js";

/** The squashing functions a layer of neurons can apply to its weighted sums. */
export const ACTIVATIONS = ["linear", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Slope of leaky ReLU for negative inputs. */
export const LEAKY_RELU_SLOPE = 0.01;

export interface DenseForwardArgs {
  x: Matrix; // [batch, inputs]
  weight: Matrix; // [inputs, units]
  bias: Matrix; // [1, units]
  z: Matrix; // [batch, units] out: x·weight + bias (kept for the backward pass)
  y: Matrix; // [batch, units] out: activation(z)
  activation: Activation;
}

export interface DenseBackwardArgs {
  x: Matrix; // [batch, inputs]   the layer's input in the forward pass
  weight: Matrix; // [inputs, units]
  z: Matrix; // [batch, units]   pre-activation from the forward pass
  y: Matrix; // [batch, units]   output from the forward pass
  dy: Matrix; // [batch, units]   d loss / d y
  dz: Matrix; // [batch, units]   out: d loss / d z (scratch the backend may also read)
  dWeight: Matrix; // [inputs, units] out: d loss / d weight (overwritten)
  dBias: Matrix; // [1, units]      out: d loss / d bias (overwritten)
  dx: Matrix | null; // [batch, inputs] out: d loss / d x, or null when not needed
  activation: Activation;
}

export interface SgdArgs {
  lr: number;
  momentum: number; // 0 for plain SGD
  nesterov: boolean;
  weightDecay: number; // L2: grad += weightDecay * param
}

export interface AdamArgs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  decoupled: boolean; // AdamW: param *= 1 - lr*weightDecay instead of adding to the gradient
  step: number; // 1 on the first update (for bias correction)
}

/**
 * The kernel contract. Everything numeric in Glassbox goes through these methods, so a backend
 * is added by implementing them and passing test/conformance. `reference` is the executable spec.
 *
 * Shapes are written `[rows, cols]`; a kernel may assume its arguments have the shapes stated
 * (callers check user input before it reaches a kernel).
 */
export interface Backend {
  readonly name: string;
  readonly dtype: "float32" | "float64";

  /** A zero-filled matrix. */
  matrix(rows: number, cols: number): Matrix;
  /** The first `rows` rows of `m`, sharing its storage (for a last, smaller batch). */
  view(m: Matrix, rows: number): Matrix;
  /** Copies `values` (row-major, length rows*cols) into `m`. */
  write(m: Matrix, values: ArrayLike<number>): void;
  /** A copy of the numbers in `m`. */
  read(m: Matrix): FloatArray;
  /** dst = src (same shape). */
  copy(src: Matrix, dst: Matrix): void;

  /** c: [m, n] = op(a)·op(b) (+ c when accumulate); op transposes when asked. op(a): [m, k], op(b): [k, n]. */
  matmul(a: Matrix, b: Matrix, c: Matrix, transA: boolean, transB: boolean, accumulate: boolean): void;
  /**
   * A dense layer's forward pass: z = x·weight + bias; y = activation(z). For relu, leaky_relu
   * and linear, z and y may be the same matrix (then it ends holding y).
   */
  denseForward(args: DenseForwardArgs): void;
  /**
   * A dense layer's backward pass: dz from dy through the activation, then dWeight, dBias and dx.
   * For relu, leaky_relu and linear, `z` may be the forward output (same sign as the pre-activation).
   */
  denseBackward(args: DenseBackwardArgs): void;
  /** y: [rows, cols] = activation(z) row by row (softmax is per row). */
  activate(z: Matrix, y: Matrix, activation: Activation): void;

  /** Inverted dropout: mask = 0 with probability `rate`, else 1/(1-rate), drawn from hash(seed, index); y = x * mask. */
  dropout(x: Matrix, mask: Matrix, y: Matrix, rate: number, seed: number): void;
  /** out = a * b element-wise (same shapes). */
  multiply(a: Matrix, b: Matrix, out: Matrix): void;

  /**
   * Softmax cross-entropy from logits: [batch, classes], fused and stable.
   * Returns the weighted mean loss sum(w[y_i] * l_i) / sum(w[y_i]); writes its gradient to dLogits.
   */
  softmaxCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix): number;
  /** Binary cross-entropy from logits: [batch, 1] and labels 0/1, weighted like softmaxCrossEntropy. */
  binaryCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix): number;
  /** Mean squared error over all elements of prediction: [batch, outputs] against targets of the same shape. */
  meanSquaredError(prediction: Matrix, targets: Matrix, dPrediction: Matrix): number;

  /** Sum of squares of all elements (non-finite if any element is). */
  sumOfSquares(m: Matrix): number;
  /** m *= factor. */
  scale(m: Matrix, factor: number): void;
  /** One SGD step in place: param, grad and (when momentum > 0) velocity have the same shape. */
  sgdStep(param: Matrix, grad: Matrix, velocity: Matrix | null, args: SgdArgs): void;
  /** One Adam or AdamW step in place. */
  adamStep(param: Matrix, grad: Matrix, m: Matrix, v: Matrix, args: AdamArgs): void;
}
