import type { Backend } from "../backends/backend.js";
import { columnStats } from "../tensor/scalar.js";
import { sizeOf, type Param, type Shape, type Tensor } from "../tensor/tensor.js";
import { Scratch, layerName, type Layer, type LayerDescription, type LayerSpecBase, type LayerType, type NamedTensor } from "./layer.js";

export interface StandardizeSpec extends LayerSpecBase {
  readonly type: "standardize";
}

/**
 * Standardisation of the raw input, per feature: y = (x - mean) / std, with the mean and
 * standard deviation of the training rows (learnt by `adapt` before training, saved with the
 * model, never trained). The first layer of networks whose features come in different units.
 * x: [batch, ...shape] -> y: [batch, ...shape]; mean, std: [...shape]
 */
export class Standardize implements Layer {
  readonly outputShape: Shape;
  readonly mean: NamedTensor;
  readonly std: NamedTensor;
  private scratch: Scratch;
  private learnt = false;

  constructor(
    private readonly backend: Backend,
    readonly spec: StandardizeSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    this.outputShape = inputShape;
    this.mean = { name: `${layerName(index)}.mean`, value: backend.tensor(inputShape) };
    this.std = { name: `${layerName(index)}.std`, value: backend.tensor(inputShape) };
    this.scratch = new Scratch(backend);
    this.initialize();
  }

  /** Whether the statistics come from data (adapt, or a model file) rather than the identity start. */
  get adapted(): boolean {
    return this.learnt;
  }

  /** Marks the statistics as learnt (a model file supplied them). */
  loaded(): void {
    this.learnt = true;
  }

  /** Mean 0 and std 1 until adapted: the identity. */
  initialize(): void {
    const n = sizeOf(this.inputShape);
    this.backend.write(this.mean.value, new Float32Array(n));
    this.backend.write(this.std.value, new Float32Array(n).fill(1));
  }

  /**
   * Mean and standard deviation of each column over the rows `rows`, summed in float64.
   * A constant column gets std 1, so it maps to 0 instead of dividing by zero.
   */
  adapt(features: Float32Array, columns: number, rows: ArrayLike<number>): void {
    // Stored as float32 on every backend, as the model file keeps them; a constant column gets std 1.
    const { mean, std } = columnStats(features, columns, rows);
    this.backend.write(this.mean.value, Float32Array.from(mean));
    this.backend.write(
      this.std.value,
      Float32Array.from(std, (s) => s || 1),
    );
    this.learnt = true;
  }

  forward(x: Tensor): Tensor {
    const y = this.scratch.get("y", x.shape);
    this.backend.standardize(x, this.mean.value, this.std.value, y);
    return y;
  }

  backward(dy: Tensor, needInputGradient: boolean): Tensor | null {
    if (!needInputGradient) return null;
    const dx = this.scratch.get("dx", dy.shape);
    this.backend.standardizeBackward(dy, this.std.value, dx);
    return dx;
  }

  params(): Param[] {
    return [];
  }

  tensors(): NamedTensor[] {
    return [this.mean, this.std];
  }

  describe(): LayerDescription {
    return {
      index: this.index,
      type: "standardize",
      summary: "standardize",
      inputShape: [...this.inputShape],
      outputShape: [...this.outputShape],
      parameters: 0,
      activation: null,
      units: null,
      affine: true,
      settings: {},
    };
  }
}

export const STANDARDIZE: LayerType<StandardizeSpec> = {
  type: "standardize",
  outputShape: (_spec, input) => input,
  tensorShapes: (_spec, input) => ({ mean: input, std: input }),
  create: (spec, index, input, backend) => new Standardize(backend, spec, index, input),
};
