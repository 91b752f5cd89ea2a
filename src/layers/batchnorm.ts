import type { Backend } from "../backends/backend.js";
import type { Random } from "../tensor/random.js";
import type { Param, Shape, Tensor } from "../tensor/tensor.js";
import { type Layer, type LayerDescription, type LayerSpecBase, type LayerType, type NamedTensor, Scratch, layerName } from "./layer.js";

export interface BatchNormSpec extends LayerSpecBase {
  readonly type: "batchnorm";
  /** How far each batch moves the running statistics. Default 0.1 (PyTorch's). */
  readonly momentum?: number;
  /** Added to the variance. Default 1e-5. */
  readonly epsilon?: number;
}

/**
 * Batch normalisation over the last axis (an image's channels, a row's features): while
 * training, each channel is standardised with the batch's mean and variance, then scaled by
 * gamma and shifted by beta (both trained); the running mean and variance follow the batches and
 * are used at prediction time (and saved with the model).
 * x: [batch, ...shape, channels] -> y: the same shape; gamma, beta, runningMean, runningVar: [channels]
 */
export class BatchNorm implements Layer {
  readonly outputShape: Shape;
  readonly gamma: Param;
  readonly beta: Param;
  readonly runningMean: NamedTensor;
  readonly runningVar: NamedTensor;
  private readonly channels: number;
  private readonly mean: Tensor;
  private readonly invStd: Tensor;
  private readonly scratch: Scratch;
  private input: Tensor | null = null;
  private training = false;

  constructor(
    private readonly backend: Backend,
    readonly spec: BatchNormSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    this.outputShape = inputShape;
    this.channels = inputShape[inputShape.length - 1];
    const name = layerName(index);
    const c = [this.channels];
    this.gamma = { name: `${name}.gamma`, value: backend.tensor(c), grad: backend.tensor(c) };
    this.beta = { name: `${name}.beta`, value: backend.tensor(c), grad: backend.tensor(c) };
    this.runningMean = { name: `${name}.runningMean`, value: backend.tensor(c) };
    this.runningVar = { name: `${name}.runningVar`, value: backend.tensor(c) };
    this.mean = backend.tensor(c);
    this.invStd = backend.tensor(c);
    this.scratch = new Scratch(backend);
    this.initialize();
  }

  /** gamma 1, beta 0, running mean 0 and variance 1 (as PyTorch starts). */
  initialize(_random?: Random): void {
    const ones = new Float32Array(this.channels).fill(1);
    const zeros = new Float32Array(this.channels);
    this.backend.write(this.gamma.value, ones);
    this.backend.write(this.beta.value, zeros);
    this.backend.write(this.runningMean.value, zeros);
    this.backend.write(this.runningVar.value, ones);
  }

  forward(x: Tensor, training: boolean): Tensor {
    this.input = x;
    this.training = training;
    const y = this.scratch.get("y", x.shape);
    const rows = (x.rows * x.cols) / this.channels;
    this.backend.batchNormForward({
      x: this.backend.reshape(x, [rows, this.channels]),
      y: this.backend.reshape(y, [rows, this.channels]),
      gamma: this.gamma.value,
      beta: this.beta.value,
      runningMean: this.runningMean.value,
      runningVar: this.runningVar.value,
      mean: this.mean,
      invStd: this.invStd,
      training,
      momentum: this.spec.momentum ?? 0.1,
      epsilon: this.spec.epsilon ?? 1e-5,
    });
    return y;
  }

  /**
   * The weight and bias of an affine layer before this one (a convolution's [..., channels] and
   * [channels]) with this layer's inference folded in: gamma (w x + b - mean) invStd + beta is
   * (gamma invStd w) x + gamma (b - mean) invStd + beta, so one product gives both layers' answer.
   * Both come from the inference kernel itself: the weight as its input with a zero mean and
   * shift, the bias as a one-row input. For answers only: backward needs the layers unfolded.
   */
  folded(weight: Tensor, bias: Tensor): { weight: Tensor; bias: Tensor } {
    const k = this.channels;
    const zeros = this.scratch.get("zeros", [k]); // never written: stays as the backend made it, zero
    const out = { weight: this.scratch.get("foldedWeight", weight.shape), bias: this.scratch.get("foldedBias", bias.shape) };
    const settings = { gamma: this.gamma.value, runningVar: this.runningVar.value, training: false, momentum: 0.1, epsilon: this.spec.epsilon ?? 1e-5 };
    const statistics = { mean: this.scratch.get("foldMean", [k]), invStd: this.scratch.get("foldInvStd", [k]) };
    const rows = (weight.rows * weight.cols) / k;
    const matrix = (t: Tensor, n: number) => this.backend.reshape(t, [n, k]);
    this.backend.batchNormForward({ x: matrix(weight, rows), y: matrix(out.weight, rows), beta: zeros, runningMean: zeros, ...settings, ...statistics });
    this.backend.batchNormForward({ x: matrix(bias, 1), y: matrix(out.bias, 1), beta: this.beta.value, runningMean: this.runningMean.value, ...settings, ...statistics });
    return out;
  }

  backward(dy: Tensor, needInputGradient: boolean, needParamGradients = true): Tensor | null {
    if (!this.input) throw new Error("BatchNorm.backward called before forward");
    const rows = (dy.rows * dy.cols) / this.channels;
    const dx = needInputGradient ? this.scratch.get("dx", dy.shape) : null;
    this.backend.batchNormBackward({
      x: this.backend.reshape(this.input, [rows, this.channels]),
      gamma: this.gamma.value,
      mean: this.mean,
      invStd: this.invStd,
      dy: this.backend.reshape(dy, [rows, this.channels]),
      dx: dx ? this.backend.reshape(dx, [rows, this.channels]) : null,
      dGamma: needParamGradients ? this.gamma.grad : null,
      dBeta: needParamGradients ? this.beta.grad : null,
      training: this.training,
    });
    return dx;
  }

  params(): Param[] {
    return [this.gamma, this.beta];
  }

  tensors(): NamedTensor[] {
    return [this.gamma, this.beta, this.runningMean, this.runningVar];
  }

  describe(): LayerDescription {
    return {
      index: this.index,
      type: "batchnorm",
      summary: "batch norm",
      inputShape: [...this.inputShape],
      outputShape: [...this.outputShape],
      parameters: 2 * this.channels,
      activation: null,
      units: null,
      affine: true,
      settings: { momentum: this.spec.momentum ?? 0.1, epsilon: this.spec.epsilon ?? 1e-5 },
    };
  }
}

export const BATCHNORM: LayerType<BatchNormSpec> = {
  type: "batchnorm",
  outputShape(spec, input) {
    const momentum = spec.momentum ?? 0.1;
    const epsilon = spec.epsilon ?? 1e-5;
    if (!(momentum > 0 && momentum <= 1)) throw new Error(`momentum must be in (0, 1], got ${JSON.stringify(spec.momentum)}`);
    if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new Error(`epsilon must be a positive number, got ${JSON.stringify(spec.epsilon)}`);
    return input;
  },
  tensorShapes: (_spec, input) => {
    const c = [input[input.length - 1]];
    return { gamma: c, beta: c, runningMean: c, runningVar: c };
  },
  create: (spec, index, input, backend) => new BatchNorm(backend, spec, index, input),
};
