import type { Activation, Backend, WindowGeometry } from "../backends/backend.js";
import type { Random } from "../tensor/random.js";
import type { Param, Shape, Tensor } from "../tensor/tensor.js";
import { type Layer, type LayerDescription, type LayerSpecBase, type LayerType, type NamedTensor, Scratch, layerName } from "./layer.js";
import { type Padding, positive, windowGeometry } from "./window.js";

export interface Conv2dSpec extends LayerSpecBase {
  readonly type: "conv2d";
  readonly filters: number;
  /** Window side. Default 3. */
  readonly size?: number;
  /** Default 1. */
  readonly stride?: number;
  /** Default "same". */
  readonly padding?: Padding;
}

/**
 * A convolution: `filters` feature detectors, each a size x size x channels window of weights
 * slid over the image; each output pixel is a weighted sum of the window under it plus a bias.
 * x: [batch, height, width, channels] -> y: [batch, outHeight, outWidth, filters]
 * weight: [size, size, channels, filters] (height, width, in, out), bias: [filters]
 */
export class Conv2d implements Layer {
  readonly outputShape: Shape;
  readonly weight: Param;
  readonly bias: Param;
  private readonly scratch: Scratch;
  private readonly geometry: WindowGeometry;
  private input: Tensor | null = null;

  constructor(
    private readonly backend: Backend,
    readonly spec: Conv2dSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    const size = spec.size ?? 3;
    this.geometry = windowGeometry(inputShape, size, size, spec.stride ?? 1, spec.padding ?? "same");
    this.outputShape = [this.geometry.outHeight, this.geometry.outWidth, spec.filters];
    const shape = [size, size, inputShape[2], spec.filters];
    const name = layerName(index);
    this.weight = { name: `${name}.weight`, value: backend.tensor(shape), grad: backend.tensor(shape) };
    this.bias = { name: `${name}.bias`, value: backend.tensor([spec.filters]), grad: backend.tensor([spec.filters]) };
    this.scratch = new Scratch(backend);
  }

  /** He-normal with fan-in size * size * channels (the conv layers feed ReLUs); biases 0. */
  initialize(random: Random): void {
    const { sizeY, sizeX, channels } = this.geometry;
    const fanIn = sizeY * sizeX * channels;
    const values = new Float32Array(fanIn * this.spec.filters);
    const std = Math.sqrt(2 / fanIn);
    random.fillNormal(values, std);
    this.backend.write(this.weight.value, values);
    this.backend.write(this.bias.value, new Float32Array(this.spec.filters));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, this.weight.value, this.bias.value, "linear");
  }

  /** The convolution with other weights and an activation: a batch norm folded in (Network.infer, explanations). */
  forwardWith(x: Tensor, weight: Tensor, bias: Tensor, activation: Exclude<Activation, "softmax">): Tensor {
    this.input = x;
    const y = this.scratch.get("y", [x.rows, ...this.outputShape]);
    this.backend.convForward({ x, weight, bias, y, geometry: { ...this.geometry, batch: x.rows }, activation });
    return y;
  }

  /** `weight`: the weights forward used, when forwardWith was given others (then only dx is meaningful). */
  backward(dy: Tensor, needInputGradient: boolean, needParamGradients = true, weight = this.weight.value): Tensor | null {
    if (!this.input) throw new Error("Conv2d.backward called before forward");
    const dx = needInputGradient ? this.scratch.get("dx", [dy.rows, ...this.inputShape]) : null;
    this.backend.convBackward({
      x: this.input,
      weight,
      dy,
      dWeight: needParamGradients ? this.weight.grad : null,
      dBias: needParamGradients ? this.bias.grad : null,
      dx,
      geometry: { ...this.geometry, batch: dy.rows },
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
    const { sizeY, sizeX, channels, stride, padTop, padLeft } = this.geometry;
    const { filters } = this.spec;
    return {
      index: this.index,
      type: "conv2d",
      summary: `conv ${filters} ${sizeY}x${sizeX}${stride > 1 ? ` stride ${stride}` : ""}${this.spec.padding === "valid" ? " valid" : ""}`,
      inputShape: [...this.inputShape],
      outputShape: [...this.outputShape],
      parameters: sizeY * sizeX * channels * filters + filters,
      activation: null,
      units: null,
      affine: true,
      // padTop / padLeft: the zero rows above and columns left of the image that "same" adds (receptive fields)
      settings: { filters, size: sizeY, stride, padding: this.spec.padding ?? "same", padTop, padLeft },
    };
  }
}

export const CONV2D: LayerType<Conv2dSpec> = {
  type: "conv2d",
  outputShape(spec, input) {
    positive(spec.filters, "filters");
    positive(spec.size ?? 3, "size");
    positive(spec.stride ?? 1, "stride");
    if (spec.padding !== undefined && spec.padding !== "same" && spec.padding !== "valid")
      throw new Error(`padding must be "same" or "valid", got ${JSON.stringify(spec.padding)}`);
    const size = spec.size ?? 3;
    const g = windowGeometry(input, size, size, spec.stride ?? 1, spec.padding ?? "same");
    return [g.outHeight, g.outWidth, spec.filters];
  },
  tensorShapes: (spec, input) => ({ weight: [spec.size ?? 3, spec.size ?? 3, input[2], spec.filters], bias: [spec.filters] }),
  create: (spec, index, input, backend) => new Conv2d(backend, spec, index, input),
};
