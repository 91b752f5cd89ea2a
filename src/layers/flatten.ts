import type { Backend } from "../backends/backend.js";
import { type Param, type Shape, sizeOf, type Tensor } from "../tensor/tensor.js";
import type { Layer, LayerDescription, LayerSpecBase, LayerType, NamedTensor } from "./layer.js";

export interface FlattenSpec extends LayerSpecBase {
  readonly type: "flatten";
}

/**
 * Flatten: the same numbers as one row per example, in NHWC order (for each row of the image,
 * each pixel, its channels). No copy: a view under another shape.
 * x: [batch, ...shape] -> y: [batch, size of shape]
 */
export class Flatten implements Layer {
  readonly outputShape: Shape;

  constructor(
    private readonly backend: Backend,
    readonly spec: FlattenSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    this.outputShape = [sizeOf(inputShape)];
  }

  forward(x: Tensor): Tensor {
    return this.backend.reshape(x, [x.rows, ...this.outputShape]);
  }

  backward(dy: Tensor, needInputGradient: boolean): Tensor | null {
    return needInputGradient ? this.backend.reshape(dy, [dy.rows, ...this.inputShape]) : null;
  }

  initialize(): void {}

  params(): Param[] {
    return [];
  }

  tensors(): NamedTensor[] {
    return [];
  }

  describe(): LayerDescription {
    return {
      index: this.index,
      type: "flatten",
      summary: "flatten",
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

export const FLATTEN: LayerType<FlattenSpec> = {
  type: "flatten",
  outputShape: (_spec, input) => [sizeOf(input)],
  tensorShapes: () => ({}),
  create: (spec, index, input, backend) => new Flatten(backend, spec, index, input),
};
