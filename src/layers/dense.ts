import type { Activation, Backend } from "../backends/backend.js";
import type { Matrix } from "../tensor/matrix.js";
import type { Random } from "../tensor/random.js";
import { Scratch, type Initializer, type Layer, type LayerSpec, type Param } from "./layer.js";

/**
 * A layer of neurons: each adds up its weighted inputs plus a bias, then squashes the sum.
 * y: [batch, units] = activation(x: [batch, inputs] · weight: [inputs, units] + bias: [1, units])
 */
export class Dense implements Layer {
  readonly spec: LayerSpec;
  readonly outputs: number;
  readonly weight: Param;
  readonly bias: Param;
  private readonly scratch: Scratch;
  private input: Matrix | null = null;
  private z: Matrix | null = null;
  private y: Matrix | null = null;

  constructor(
    private readonly backend: Backend,
    readonly inputs: number,
    readonly units: number,
    readonly activation: Activation,
    name: string,
  ) {
    this.spec = { type: "dense", inputs, units, activation };
    this.outputs = units;
    this.weight = { name: `${name}.weight`, value: backend.matrix(inputs, units), grad: backend.matrix(inputs, units) };
    this.bias = { name: `${name}.bias`, value: backend.matrix(1, units), grad: backend.matrix(1, units) };
    this.scratch = new Scratch(backend);
  }

  /**
   * He init (normal, variance 2/inputs) suits ReLU-like activations; Glorot (uniform,
   * variance 2/(inputs+units)) suits sigmoid, tanh, softmax and linear. Biases start at 0.
   */
  initialize(random: Random, init: Initializer = defaultInitializer(this.activation)): void {
    const values = new Float32Array(this.inputs * this.units);
    if (init === "he") {
      const std = Math.sqrt(2 / this.inputs);
      for (let i = 0; i < values.length; i++) values[i] = random.normal() * std;
    } else {
      const limit = Math.sqrt(6 / (this.inputs + this.units));
      for (let i = 0; i < values.length; i++) values[i] = (2 * random.uniform() - 1) * limit;
    }
    this.backend.write(this.weight.value, values);
    this.backend.write(this.bias.value, new Float32Array(this.units));
  }

  forward(x: Matrix, _training: boolean): Matrix {
    this.input = x;
    this.y = this.scratch.get("y", x.rows, this.units);
    // ReLU, leaky ReLU and linear derivatives can be read from the output (y > 0 exactly when
    // z > 0), so those layers keep no separate pre-activation: z and y share one matrix.
    this.z = KEEPS_NO_PRE_ACTIVATION.has(this.activation) ? this.y : this.scratch.get("z", x.rows, this.units);
    this.backend.denseForward({
      x, weight: this.weight.value, bias: this.bias.value, z: this.z, y: this.y, activation: this.activation,
    });
    return this.y;
  }

  backward(dy: Matrix, needInputGradient: boolean): Matrix | null {
    if (!this.input || !this.z || !this.y) throw new Error("Dense.backward called before forward");
    const rows = dy.rows;
    const dx = needInputGradient ? this.scratch.get("dx", rows, this.inputs) : null;
    this.backend.denseBackward({
      x: this.input, weight: this.weight.value, z: this.z, y: this.y, dy,
      dz: this.scratch.get("dz", rows, this.units),
      dWeight: this.weight.grad, dBias: this.bias.grad, dx, activation: this.activation,
    });
    return dx;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }
}

const KEEPS_NO_PRE_ACTIVATION = new Set<Activation>(["relu", "leaky_relu", "linear"]);

export function defaultInitializer(activation: Activation): Initializer {
  return activation === "relu" || activation === "leaky_relu" || activation === "gelu" ? "he" : "glorot";
}
