import { ACTIVATIONS, type Activation, type Backend } from "../backends/backend.js";
import { sizeOf, type Param, type Shape, type Tensor } from "../tensor/tensor.js";
import type { Random } from "../tensor/random.js";
import { Scratch, layerName, type Layer, type LayerDescription, type LayerSpecBase, type LayerType, type NamedTensor } from "./layer.js";

export type Initializer = "he" | "glorot";

export interface DenseSpec extends LayerSpecBase {
  readonly type: "dense";
  /** Neurons. */
  readonly units: number;
  readonly activation: Activation;
  /** Default: He for ReLU-like activations, Glorot otherwise. */
  readonly init?: Initializer;
}

/**
 * A layer of neurons: each adds up its weighted inputs plus a bias, then squashes the sum.
 * The input may have any shape; it is read flattened (an image's pixels in row-major order).
 * x: [batch, ...input] as [batch, inputs] -> y: [batch, units] = activation(x · weight: [inputs, units] + bias: [units])
 */
export class Dense implements Layer {
  readonly outputShape: Shape;
  readonly inputs: number;
  readonly weight: Param;
  readonly bias: Param;
  private readonly scratch: Scratch;
  private input: Tensor | null = null;
  private z: Tensor | null = null;
  private y: Tensor | null = null;

  constructor(
    private readonly backend: Backend,
    readonly spec: DenseSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    const { units } = spec;
    this.inputs = sizeOf(inputShape);
    this.outputShape = [units];
    const name = layerName(index);
    this.weight = { name: `${name}.weight`, value: backend.tensor([this.inputs, units]), grad: backend.tensor([this.inputs, units]) };
    this.bias = { name: `${name}.bias`, value: backend.tensor([units]), grad: backend.tensor([units]) };
    this.scratch = new Scratch(backend);
  }

  get units(): number {
    return this.spec.units;
  }

  get activation(): Activation {
    return this.spec.activation;
  }

  /**
   * He init (normal, variance 2/inputs) suits ReLU-like activations; Glorot (uniform,
   * variance 2/(inputs+units)) suits sigmoid, tanh, softmax and linear. Biases start at 0.
   */
  initialize(random: Random): void {
    const { units } = this.spec;
    const values = new Float32Array(this.inputs * units);
    if ((this.spec.init ?? defaultInitializer(this.activation)) === "he") {
      random.fillNormal(values, Math.sqrt(2 / this.inputs));
    } else {
      const limit = Math.sqrt(6 / (this.inputs + units));
      for (let i = 0; i < values.length; i++) values[i] = (2 * random.uniform() - 1) * limit;
    }
    this.backend.write(this.weight.value, values);
    this.backend.write(this.bias.value, new Float32Array(units));
  }

  forward(x: Tensor, _training: boolean): Tensor {
    this.input = x;
    this.y = this.scratch.get("y", [x.rows, this.units]);
    // ReLU, leaky ReLU and linear derivatives can be read from the output (y > 0 exactly when
    // z > 0), so those layers keep no separate pre-activation: z and y share one tensor.
    this.z = KEEPS_NO_PRE_ACTIVATION.has(this.activation) ? this.y : this.scratch.get("z", [x.rows, this.units]);
    this.backend.denseForward({
      x,
      weight: this.weight.value,
      bias: this.bias.value,
      z: this.z,
      y: this.y,
      activation: this.activation,
    });
    return this.y;
  }

  preActivation(x: Tensor): Tensor {
    const z = this.scratch.get("preActivation", [x.rows, this.units]);
    this.backend.denseForward({ x, weight: this.weight.value, bias: this.bias.value, z, y: z, activation: "linear" });
    return z;
  }

  backward(dy: Tensor, needInputGradient: boolean, needParamGradients = true): Tensor | null {
    if (!this.input || !this.z || !this.y) throw new Error("Dense.backward called before forward");
    const rows = dy.rows;
    const dx = needInputGradient ? this.scratch.get("dx", [rows, ...this.inputShape]) : null;
    this.backend.denseBackward({
      x: this.input,
      weight: this.weight.value,
      z: this.z,
      y: this.y,
      dy,
      dz: this.scratch.get("dz", [rows, this.units]),
      dWeight: needParamGradients ? this.weight.grad : null,
      dBias: needParamGradients ? this.bias.grad : null,
      dx,
      activation: this.activation,
    });
    return dx;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  tensors(): NamedTensor[] {
    return this.params();
  }

  describe(): LayerDescription {
    const { units, activation } = this.spec;
    return {
      index: this.index,
      type: "dense",
      summary: `dense ${this.inputs} -> ${units}, ${activation}`,
      inputShape: [...this.inputShape],
      outputShape: [units],
      parameters: this.inputs * units + units,
      activation,
      units,
      affine: true,
      settings: {},
    };
  }
}

const KEEPS_NO_PRE_ACTIVATION = new Set<Activation>(["relu", "leaky_relu", "linear"]);

export function defaultInitializer(activation: Activation): Initializer {
  return activation === "relu" || activation === "leaky_relu" || activation === "gelu" ? "he" : "glorot";
}

export const DENSE: LayerType<DenseSpec> = {
  type: "dense",
  outputShape(spec) {
    if (!(Number.isInteger(spec.units) && spec.units > 0)) throw new Error(`units must be a positive integer, got ${spec.units}`);
    if (!(ACTIVATIONS as readonly string[]).includes(spec.activation)) {
      throw new Error(`unknown activation "${spec.activation}"; expected one of ${ACTIVATIONS.join(", ")}`);
    }
    if (spec.init !== undefined && spec.init !== "he" && spec.init !== "glorot") throw new Error(`init must be "he" or "glorot", got "${spec.init}"`);
    return [spec.units];
  },
  tensorShapes: (spec, input) => ({ weight: [sizeOf(input), spec.units], bias: [spec.units] }),
  create: (spec, index, input, backend) => new Dense(backend, spec, index, input),
};
