import type { FloatArray, Matrix, Shape, Tensor } from "../tensor/tensor.js";

/** The squashing functions a layer of neurons can apply to its weighted sums. */
export const ACTIVATIONS = ["linear", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Slope of leaky ReLU for negative inputs. */
export const LEAKY_RELU_SLOPE = 0.01;

export interface DenseForwardArgs {
  x: Matrix; // [batch, inputs]
  weight: Matrix; // [inputs, units]
  bias: Matrix; // [units]
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
  dWeight: Matrix | null; // [inputs, units] out: d loss / d weight (overwritten), or null when only dx is wanted (explanations)
  dBias: Matrix | null; // [units]         out: d loss / d bias (overwritten), or null likewise
  dx: Matrix | null; // [batch, inputs] out: d loss / d x, or null when not needed
  activation: Activation;
}

/**
 * Where a convolution or a pooling window reads: examples are NHWC, [batch, height, width, channels].
 * Windows of size x size (pooling: sizeY x sizeX) every `stride` pixels, starting padTop / padLeft
 * pixels above and left of the image (the padding reads as 0; pooling has none).
 */
export interface WindowGeometry {
  batch: number;
  height: number;
  width: number;
  channels: number;
  sizeY: number;
  sizeX: number;
  stride: number;
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

export interface ConvForwardArgs {
  x: Tensor; // [batch, height, width, channels]
  weight: Tensor; // [sizeY, sizeX, channels, filters]
  bias: Tensor; // [filters]
  y: Tensor; // [batch, outHeight, outWidth, filters] out
  geometry: WindowGeometry;
  /** Applied to the sums (default linear): inference runs a convolution, its batch norm and its activation as one pass. */
  activation?: Exclude<Activation, "softmax">;
}

export interface ConvBackwardArgs {
  x: Tensor; // [batch, height, width, channels]  the layer's input in the forward pass
  weight: Tensor; // [sizeY, sizeX, channels, filters]
  dy: Tensor; // [batch, outHeight, outWidth, filters]
  dWeight: Tensor | null; // out (overwritten), or null when only dx is wanted (explanations)
  dBias: Tensor | null; // [filters] out (overwritten), or null likewise
  dx: Tensor | null; // [batch, height, width, channels] out, or null when not needed
  geometry: WindowGeometry;
}

export interface BatchNormArgs {
  x: Matrix; // [rows, channels]: every pixel of every example is a row
  gamma: Tensor; // [channels]
  beta: Tensor; // [channels]
  runningMean: Tensor; // [channels] read at inference; updated while training
  runningVar: Tensor; // [channels]
  mean: Tensor; // [channels] out: the mean used (the batch's while training, the running one at inference), kept for backward
  invStd: Tensor; // [channels] out: 1 / sqrt(variance used + epsilon)
  y: Matrix; // [rows, channels] out
  training: boolean;
  momentum: number; // running = (1 - momentum) running + momentum batch (the running variance takes the unbiased batch variance)
  epsilon: number;
}

export interface BatchNormBackwardArgs {
  x: Matrix; // [rows, channels]
  gamma: Tensor;
  mean: Tensor; // from the training forward pass
  invStd: Tensor;
  dy: Matrix; // [rows, channels]
  dx: Matrix | null; // out
  dGamma: Tensor | null; // out (overwritten), or null with dBeta when only dx is wanted (explanations)
  dBeta: Tensor | null; // out (overwritten), or null likewise
  /** Whether the forward pass used batch statistics (then dx flows through them too); at inference the layer is affine. */
  training: boolean;
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
 * Shapes are written `[rows, cols]` for the matrix view of a tensor (see Tensor); a kernel may
 * assume its arguments have the shapes stated (callers check user input before it reaches a kernel).
 *
 * Nothing here forces the host to wait for the device: kernels return nothing, and the numbers
 * a training loop watches (losses, gradient norms, correct answers) are written into small
 * tensors that the loop reads back with `readAsync` when it chooses (every N steps, `fit`).
 * `read` is the synchronous form; CPU backends answer it at once.
 */
export interface Backend {
  readonly name: string;
  readonly dtype: "float32" | "float64";
  /**
   * True when the numbers live on a device (a GPU) and come back only asynchronously: `read`
   * then throws, and callers use `readAsync`. CPU backends answer both.
   */
  readonly device: boolean;

  /** A zero-filled tensor of this shape. */
  tensor(shape: Shape): Tensor;
  /** A zero-filled [rows, cols] tensor. */
  matrix(rows: number, cols: number): Matrix;
  /** The first `rows` entries of t's first axis, sharing its storage (for a last, smaller batch). */
  view(t: Tensor, rows: number): Tensor;
  /** The same numbers under another shape of the same size, sharing storage. */
  reshape(t: Tensor, shape: Shape): Tensor;
  /** Copies `values` (row-major, length = size) into `t`. */
  write(t: Tensor, values: ArrayLike<number>): void;
  /** A copy of the numbers in `t`, now (a device backend throws: see `device`). */
  read(t: Tensor): FloatArray;
  /** A copy of the numbers in `t` once the kernels before it have run (a device backend waits for its queue). */
  readAsync(t: Tensor): Promise<FloatArray>;
  /** dst = src (same size). */
  copy(src: Tensor, dst: Tensor): void;

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
  /** dz = dy * activation'(z), from z and y = activation(z) (softmax: per row, y (dy - sum(dy y))). */
  activationBackward(z: Matrix, y: Matrix, dy: Matrix, dz: Matrix, activation: Activation): void;

  /** A convolution's forward pass: y = bias + the sum over each window of x times the weights, per filter. */
  convForward(args: ConvForwardArgs): void;
  /** Its backward pass: dWeight, dBias and (when asked) dx from dy. */
  convBackward(args: ConvBackwardArgs): void;
  /** y: [batch, outHeight, outWidth, channels] = the largest x in each window. */
  maxPoolForward(x: Tensor, y: Tensor, geometry: WindowGeometry): void;
  /** dx = dy routed to the first largest x of each window (row-major order), summed where windows overlap. */
  maxPoolBackward(x: Tensor, dy: Tensor, dx: Tensor, geometry: WindowGeometry): void;
  /** y = the mean of x in each window. */
  avgPoolForward(x: Tensor, y: Tensor, geometry: WindowGeometry): void;
  /** dx = dy / window size spread over each window, summed where windows overlap. */
  avgPoolBackward(dy: Tensor, dx: Tensor, geometry: WindowGeometry): void;
  /** Batch normalisation per channel: y = gamma (x - mean) / sqrt(var + epsilon) + beta (batch statistics while training, running ones at inference). */
  batchNormForward(args: BatchNormArgs): void;
  /** Its backward pass through the batch statistics. */
  batchNormBackward(args: BatchNormBackwardArgs): void;

  /** y: [rows, cols] = (x - mean) / std per column; mean, std: [cols]. Computed as (x - mean) / std, not x * (1 / std). */
  standardize(x: Matrix, mean: Tensor, std: Tensor, y: Matrix): void;
  /** dx: [rows, cols] = dy / std per column (the gradient through standardize). */
  standardizeBackward(dy: Matrix, std: Tensor, dx: Matrix): void;

  /** Inverted dropout: mask = 0 with probability `rate`, else 1/(1-rate), drawn from hash(seed, index); y = x * mask. */
  dropout(x: Matrix, mask: Matrix, y: Matrix, rate: number, seed: number): void;
  /** out = a * b element-wise (same shapes). */
  multiply(a: Matrix, b: Matrix, out: Matrix): void;

  /**
   * Softmax cross-entropy from logits: [batch, classes], fused and stable. Writes the weighted
   * mean loss sum(w[y_i] * l_i) / sum(w[y_i]) to out[at] and its gradient to dLogits.
   */
  softmaxCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, at: number): void;
  /** Binary cross-entropy from logits: [batch, 1] and labels 0/1, weighted like softmaxCrossEntropy; loss to out[at]. */
  binaryCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, at: number): void;
  /** Mean squared error over all elements of prediction: [batch, outputs] against targets of the same shape; loss to out[at]. */
  meanSquaredError(prediction: Matrix, targets: Matrix, dPrediction: Matrix, out: Tensor, at: number): void;
  /**
   * Huber loss over all elements, r = prediction - targets: r² / 2 where |r| <= delta, else
   * delta (|r| - delta / 2), averaged; its gradient (r, clipped to +-delta, over the count) to
   * dPrediction and the loss to out[at].
   */
  huberLoss(prediction: Matrix, targets: Matrix, delta: number, dPrediction: Matrix, out: Tensor, at: number): void;
  /**
   * out[at] = how many rows of scores: [batch, classes] pick their label: the first largest score,
   * or for one column (a sigmoid's logit) 1 when the score is >= `threshold`, else 0.
   */
  countCorrect(scores: Matrix, labels: Int32Array, threshold: number, out: Tensor, at: number): void;

  /** out[at] = (out[at] when accumulate, else 0) + the sum of squares of all elements of m (non-finite if any element is). */
  sumOfSquares(m: Tensor, out: Tensor, at: number, accumulate: boolean): void;
  /** m *= factor. */
  scale(m: Tensor, factor: number): void;
  /**
   * Gradient clipping by a global norm held on the device: with norm = sqrt(sumOfSquares[at]),
   * m *= maxNorm / (norm + 1e-6) when that factor is below 1 (PyTorch's clip_grad_norm_), else m is unchanged.
   */
  clipToNorm(m: Tensor, sumOfSquares: Tensor, at: number, maxNorm: number): void;
  /** One SGD step in place: param, grad and (when momentum > 0) velocity have the same shape. */
  sgdStep(param: Tensor, grad: Tensor, velocity: Tensor | null, args: SgdArgs): void;
  /** One Adam or AdamW step in place. */
  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, args: AdamArgs): void;
}
