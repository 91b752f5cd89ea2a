import { ACTIVATIONS, type Activation, type Backend } from "../backends/backend.js";
import type { Param, Shape, Tensor } from "../tensor/tensor.js";
import { type Layer, type LayerDescription, type LayerSpecBase, type LayerType, type NamedTensor, Scratch } from "./layer.js";

export interface ActivationSpec extends LayerSpecBase {
  readonly type: "activation";
  readonly activation: Exclude<Activation, "softmax" | "linear">;
}

/**
 * An activation on its own (after a convolution or a batch norm): y = activation(x) element-wise.
 * x: [batch, ...shape] -> y: [batch, ...shape]
 */
export class ActivationLayer implements Layer {
  readonly outputShape: Shape;
  private readonly scratch: Scratch;
  private x: Tensor | null = null;
  private y: Tensor | null = null;

  constructor(
    private readonly backend: Backend,
    readonly spec: ActivationSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    this.outputShape = inputShape;
    this.scratch = new Scratch(backend);
  }

  forward(x: Tensor): Tensor {
    this.x = x;
    this.y = this.scratch.get("y", x.shape);
    this.backend.activate(x, this.y, this.spec.activation);
    return this.y;
  }

  /** Its pre-activation is its input. */
  preActivation(x: Tensor): Tensor {
    return x;
  }

  backward(dy: Tensor, needInputGradient: boolean): Tensor | null {
    if (!needInputGradient) return null;
    if (!this.x || !this.y) throw new Error("activation backward called before forward");
    const dx = this.scratch.get("dx", dy.shape);
    this.backend.activationBackward(this.x, this.y, dy, dx, this.spec.activation);
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
      type: "activation",
      summary: this.spec.activation,
      inputShape: [...this.inputShape],
      outputShape: [...this.outputShape],
      parameters: 0,
      activation: this.spec.activation,
      units: null,
      affine: true,
      settings: {},
    };
  }
}

const ALLOWED = ACTIVATIONS.filter((a) => a !== "softmax" && a !== "linear");

export const ACTIVATION: LayerType<ActivationSpec> = {
  type: "activation",
  outputShape(spec, input) {
    if (!(ALLOWED as readonly string[]).includes(spec.activation)) throw new Error(`activation must be one of ${ALLOWED.join(", ")}, got ${JSON.stringify(spec.activation)}`);
    return input;
  },
  tensorShapes: () => ({}),
  create: (spec, index, input, backend) => new ActivationLayer(backend, spec, index, input),
};
