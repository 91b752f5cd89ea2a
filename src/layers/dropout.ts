import type { Backend } from "../backends/backend.js";
import type { Param, Shape, Tensor } from "../tensor/tensor.js";
import type { Random } from "../tensor/random.js";
import { Scratch, type Layer, type LayerDescription, type LayerSpecBase, type LayerType, type NamedTensor } from "./layer.js";

export interface DropoutSpec extends LayerSpecBase {
  readonly type: "dropout";
  /** The share of inputs zeroed while training, in [0, 1). */
  readonly rate: number;
}

/**
 * Dropout: while training, zero each input with probability `rate` and scale the survivors by
 * 1/(1-rate) so the expected sum is unchanged; at prediction time, pass inputs through.
 * x: [batch, ...shape] -> y: [batch, ...shape]
 */
export class Dropout implements Layer {
  readonly outputShape: Shape;
  private readonly scratch: Scratch;
  private mask: Tensor | null = null;

  constructor(
    private readonly backend: Backend,
    readonly spec: DropoutSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    this.outputShape = inputShape;
    this.scratch = new Scratch(backend);
  }

  forward(x: Tensor, training: boolean, random: Random): Tensor {
    if (!training || this.spec.rate === 0) {
      this.mask = null;
      return x;
    }
    this.mask = this.scratch.get("mask", x.shape);
    const y = this.scratch.get("y", x.shape);
    this.backend.dropout(x, this.mask, y, this.spec.rate, random.nextUint32());
    return y;
  }

  backward(dy: Tensor, needInputGradient: boolean): Tensor | null {
    if (!needInputGradient) return null;
    if (!this.mask) return dy;
    const dx = this.scratch.get("dx", dy.shape);
    this.backend.multiply(dy, this.mask, dx);
    return dx;
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
      type: "dropout",
      summary: `dropout ${this.spec.rate}`,
      inputShape: [...this.inputShape],
      outputShape: [...this.outputShape],
      parameters: 0,
      activation: null,
      units: null,
      affine: true,
      settings: { rate: this.spec.rate },
    };
  }
}

export const DROPOUT: LayerType<DropoutSpec> = {
  type: "dropout",
  outputShape(spec, input) {
    if (!(typeof spec.rate === "number" && spec.rate >= 0 && spec.rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${spec.rate}`);
    return input;
  },
  tensorShapes: () => ({}),
  create: (spec, index, input, backend) => new Dropout(backend, spec, index, input),
};
