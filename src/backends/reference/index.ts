import type {
  AdamArgs,
  Activation,
  Backend,
  BatchNormArgs,
  BatchNormBackwardArgs,
  ConvBackwardArgs,
  ConvForwardArgs,
  DenseBackwardArgs,
  DenseForwardArgs,
  SgdArgs,
  WindowGeometry,
} from "../backend.js";
import * as conv from "./conv.js";
import { checkLength, matrixOf, sizeOf, type FloatArray, type Matrix, type Shape, type Tensor } from "../../tensor/tensor.js";
import { hashUniform } from "../../tensor/random.js";
import { matmul } from "./matmul.js";
import { binaryCrossEntropy, huberLoss, meanSquaredError, softmaxCrossEntropy } from "./losses.js";
import { activateScalar, derivativeScalar } from "./scalar.js";

/** A tensor of the reference backend: a plain typed array. */
class ReferenceTensor implements Tensor {
  readonly rows: number;
  readonly cols: number;

  constructor(
    readonly shape: Shape,
    readonly data: FloatArray,
  ) {
    ({ rows: this.rows, cols: this.cols } = matrixOf(shape));
  }
}

export interface ReferenceOptions {
  /** "float32" (default) to train like every other backend, "float64" for gradient checks. */
  dtype?: "float32" | "float64";
}

/**
 * The reference backend: plain loops over typed arrays, sums in float64. It is the executable
 * specification of every kernel; it is kept simple, not fast.
 * @example createReferenceBackend().name // "reference"
 */
export function createReferenceBackend(options: ReferenceOptions = {}): Backend {
  return new ReferenceBackend(options.dtype ?? "float32");
}

class ReferenceBackend implements Backend {
  readonly name = "reference";
  readonly device = false;

  constructor(readonly dtype: "float32" | "float64") {}

  tensor(shape: Shape): Tensor {
    const size = sizeOf(shape);
    return new ReferenceTensor([...shape], this.dtype === "float64" ? new Float64Array(size) : new Float32Array(size));
  }

  matrix(rows: number, cols: number): Matrix {
    return this.tensor([rows, cols]);
  }

  view(t: Tensor, rows: number): Tensor {
    if (rows === t.rows) return t;
    return new ReferenceTensor([rows, ...t.shape.slice(1)], data(t).subarray(0, rows * t.cols));
  }

  reshape(t: Tensor, shape: Shape): Tensor {
    if (sizeOf(shape) !== t.rows * t.cols) throw new Error(`cannot reshape [${t.shape.join(", ")}] to [${shape.join(", ")}]`);
    return new ReferenceTensor([...shape], data(t));
  }

  write(t: Tensor, values: ArrayLike<number>): void {
    checkLength(t, values);
    data(t).set(values);
  }

  read(t: Tensor): FloatArray {
    return data(t).slice();
  }

  async readAsync(t: Tensor): Promise<FloatArray> {
    return this.read(t);
  }

  copy(src: Tensor, dst: Tensor): void {
    data(dst).set(data(src));
  }

  matmul(a: Matrix, b: Matrix, c: Matrix, transA: boolean, transB: boolean, accumulate: boolean): void {
    const k = transA ? a.rows : a.cols;
    matmul(data(a), data(b), data(c), c.rows, k, c.cols, transA, transB, accumulate);
  }

  denseForward({ x, weight, bias, z, y, activation }: DenseForwardArgs): void {
    matmul(data(x), data(weight), data(z), x.rows, x.cols, weight.cols, false, false, false);
    const zd = data(z);
    const bd = data(bias);
    for (let i = 0; i < z.rows; i++) {
      for (let j = 0; j < z.cols; j++) zd[i * z.cols + j] += bd[j];
    }
    this.activate(z, y, activation);
  }

  denseBackward(args: DenseBackwardArgs): void {
    const { x, weight, z, y, dy, dz, dWeight, dBias, dx, activation } = args;
    activationBackward(data(z), data(y), data(dy), data(dz), z.rows, z.cols, activation);
    // dWeight: [inputs, units] = xᵀ·dz; dBias: [1, units] = column sums of dz; dx: [batch, inputs] = dz·weightᵀ
    if (dWeight) matmul(data(x), data(dz), data(dWeight), x.cols, x.rows, dz.cols, true, false, false);
    const dzd = data(dz);
    if (dBias) {
      const db = data(dBias);
      for (let j = 0; j < dz.cols; j++) {
        let sum = 0;
        for (let i = 0; i < dz.rows; i++) sum += dzd[i * dz.cols + j];
        db[j] = sum;
      }
    }
    if (dx) matmul(dzd, data(weight), data(dx), dz.rows, dz.cols, weight.rows, false, true, false);
  }

  activate(z: Matrix, y: Matrix, activation: Activation): void {
    const zd = data(z);
    const yd = data(y);
    if (activation === "softmax") {
      softmaxRows(zd, yd, z.rows, z.cols);
      return;
    }
    for (let i = 0; i < zd.length; i++) yd[i] = activateScalar(activation, zd[i]);
  }

  activationBackward(z: Matrix, y: Matrix, dy: Matrix, dz: Matrix, activation: Activation): void {
    activationBackward(data(z), data(y), data(dy), data(dz), z.rows, z.cols, activation);
  }

  convForward({ x, weight, bias, y, geometry, activation = "linear" }: ConvForwardArgs): void {
    conv.convForward(data(x), data(weight), data(bias), data(y), geometry, bias.rows);
    if (activation !== "linear") this.activate(y, y, activation);
  }

  convBackward({ x, weight, dy, dWeight, dBias, dx, geometry }: ConvBackwardArgs): void {
    conv.convBackward(
      data(x),
      data(weight),
      data(dy),
      dWeight ? data(dWeight) : null,
      dBias ? data(dBias) : null,
      dx ? data(dx) : null,
      geometry,
      weight.shape[weight.shape.length - 1],
    );
  }

  maxPoolForward(x: Tensor, y: Tensor, geometry: WindowGeometry): void {
    conv.maxPoolForward(data(x), data(y), geometry);
  }

  maxPoolBackward(x: Tensor, dy: Tensor, dx: Tensor, geometry: WindowGeometry): void {
    conv.maxPoolBackward(data(x), data(dy), data(dx), geometry);
  }

  avgPoolForward(x: Tensor, y: Tensor, geometry: WindowGeometry): void {
    conv.avgPoolForward(data(x), data(y), geometry);
  }

  avgPoolBackward(dy: Tensor, dx: Tensor, geometry: WindowGeometry): void {
    conv.avgPoolBackward(data(dy), data(dx), geometry);
  }

  batchNormForward(a: BatchNormArgs): void {
    conv.batchNormForward(
      data(a.x),
      a.x.rows,
      a.x.cols,
      data(a.gamma),
      data(a.beta),
      data(a.runningMean),
      data(a.runningVar),
      data(a.mean),
      data(a.invStd),
      data(a.y),
      a.training,
      a.momentum,
      a.epsilon,
    );
  }

  batchNormBackward(a: BatchNormBackwardArgs): void {
    conv.batchNormBackward(
      data(a.x),
      a.x.rows,
      a.x.cols,
      data(a.gamma),
      data(a.mean),
      data(a.invStd),
      data(a.dy),
      a.dx ? data(a.dx) : null,
      a.dGamma ? data(a.dGamma) : null,
      a.dBeta ? data(a.dBeta) : null,
      a.training,
    );
  }

  standardize(x: Matrix, mean: Tensor, std: Tensor, y: Matrix): void {
    const xd = data(x);
    const md = data(mean);
    const sd = data(std);
    const yd = data(y);
    const cols = x.cols;
    for (let i = 0; i < xd.length; i++) yd[i] = (xd[i] - md[i % cols]) / sd[i % cols];
  }

  standardizeBackward(dy: Matrix, std: Tensor, dx: Matrix): void {
    const g = data(dy);
    const sd = data(std);
    const out = data(dx);
    const cols = dy.cols;
    for (let i = 0; i < g.length; i++) out[i] = g[i] / sd[i % cols];
  }

  dropout(x: Matrix, mask: Matrix, y: Matrix, rate: number, seed: number): void {
    const xd = data(x);
    const md = data(mask);
    const yd = data(y);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < xd.length; i++) {
      md[i] = hashUniform(seed, i) < rate ? 0 : keep;
      yd[i] = xd[i] * md[i];
    }
  }

  multiply(a: Matrix, b: Matrix, out: Matrix): void {
    const ad = data(a);
    const bd = data(b);
    const od = data(out);
    for (let i = 0; i < od.length; i++) od[i] = ad[i] * bd[i];
  }

  softmaxCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, at: number): void {
    data(out)[at] = softmaxCrossEntropy(data(logits), logits.rows, logits.cols, labels, classWeights, data(dLogits));
  }

  binaryCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, at: number): void {
    data(out)[at] = binaryCrossEntropy(data(logits), logits.rows, labels, classWeights, data(dLogits));
  }

  meanSquaredError(prediction: Matrix, targets: Matrix, dPrediction: Matrix, out: Tensor, at: number): void {
    data(out)[at] = meanSquaredError(data(prediction), data(targets), prediction.rows * prediction.cols, data(dPrediction));
  }

  huberLoss(prediction: Matrix, targets: Matrix, delta: number, dPrediction: Matrix, out: Tensor, at: number): void {
    data(out)[at] = huberLoss(data(prediction), data(targets), delta, prediction.rows * prediction.cols, data(dPrediction));
  }

  countCorrect(scores: Matrix, labels: Int32Array, threshold: number, out: Tensor, at: number): void {
    const s = data(scores);
    const cols = scores.cols;
    let correct = 0;
    for (let i = 0; i < scores.rows; i++) {
      let best = 0;
      if (cols === 1) best = s[i] >= threshold ? 1 : 0;
      else for (let j = 1; j < cols; j++) if (s[i * cols + j] > s[i * cols + best]) best = j;
      if (best === labels[i]) correct++;
    }
    data(out)[at] = correct;
  }

  sumOfSquares(m: Tensor, out: Tensor, at: number, accumulate: boolean): void {
    let sum = 0;
    for (const v of data(m)) sum += v * v;
    const o = data(out);
    o[at] = (accumulate ? o[at] : 0) + sum;
  }

  clipToNorm(m: Tensor, sumOfSquares: Tensor, at: number, maxNorm: number): void {
    const factor = maxNorm / (Math.sqrt(data(sumOfSquares)[at]) + 1e-6);
    if (factor < 1) this.scale(m, factor);
  }

  scale(m: Tensor, factor: number): void {
    const d = data(m);
    for (let i = 0; i < d.length; i++) d[i] *= factor;
  }

  sgdStep(param: Tensor, grad: Tensor, velocity: Tensor | null, { lr, momentum, nesterov, weightDecay }: SgdArgs): void {
    const p = data(param);
    const g = data(grad);
    const vel = velocity ? data(velocity) : null;
    for (let i = 0; i < p.length; i++) {
      let step = g[i] + weightDecay * p[i];
      if (vel) {
        vel[i] = momentum * vel[i] + step;
        step = nesterov ? step + momentum * vel[i] : vel[i];
      }
      p[i] -= lr * step;
    }
  }

  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, args: AdamArgs): void {
    const { lr, beta1, beta2, epsilon, weightDecay, decoupled, step } = args;
    const p = data(param);
    const g = data(grad);
    const md = data(m);
    const vd = data(v);
    const stepSize = lr / (1 - beta1 ** step);
    const sqrtCorrection2 = Math.sqrt(1 - beta2 ** step);
    for (let i = 0; i < p.length; i++) {
      let gi = g[i];
      if (decoupled) p[i] *= 1 - lr * weightDecay;
      else gi += weightDecay * p[i];
      md[i] = beta1 * md[i] + (1 - beta1) * gi;
      vd[i] = beta2 * vd[i] + (1 - beta2) * gi * gi;
      p[i] -= (stepSize * md[i]) / (Math.sqrt(vd[i]) / sqrtCorrection2 + epsilon);
    }
  }
}

function data(t: Tensor): FloatArray {
  if (!(t instanceof ReferenceTensor)) throw new Error("this tensor belongs to another backend");
  return t.data;
}

// y: [rows, cols] = softmax of each row of z
function softmaxRows(z: FloatArray, y: FloatArray, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, z[start + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(z[start + j] - max);
    for (let j = 0; j < cols; j++) y[start + j] = Math.exp(z[start + j] - max) / sum;
  }
}

// dz: [rows, cols] = dy * f'(z), or for softmax rows dz = y * (dy - sum(dy * y))
function activationBackward(z: FloatArray, y: FloatArray, dy: FloatArray, dz: FloatArray, rows: number, cols: number, activation: Activation): void {
  if (activation === "softmax") {
    for (let i = 0; i < rows; i++) {
      const start = i * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dy[start + j] * y[start + j];
      for (let j = 0; j < cols; j++) dz[start + j] = y[start + j] * (dy[start + j] - dot);
    }
    return;
  }
  for (let i = 0; i < z.length; i++) dz[i] = dy[i] * derivativeScalar(activation, z[i], y[i]);
}
