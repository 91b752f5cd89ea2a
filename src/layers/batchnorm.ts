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

  backward(dy: Tensor, needInputGradient: boolean): Tensor | null {
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
      dGamma: this.gamma.grad,
      dBeta: this.beta.grad,
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
