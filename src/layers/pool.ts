import type { Backend, WindowGeometry } from "../backends/backend.js";
import type { Param, Shape, Tensor } from "../tensor/tensor.js";
import { type Layer, type LayerDescription, type LayerSpecBase, type LayerType, type NamedTensor, Scratch } from "./layer.js";
import { positive, windowGeometry } from "./window.js";

export interface MaxPoolSpec extends LayerSpecBase {
  readonly type: "maxpool";
  readonly size: number;
  /** Default: the size (windows side by side). */
  readonly stride?: number;
}

export interface AvgPoolSpec extends LayerSpecBase {
  readonly type: "avgpool";
  readonly size: number;
  readonly stride?: number;
}

/** The mean of each channel over the whole image: [height, width, channels] -> [channels]. */
export interface GlobalAvgPoolSpec extends LayerSpecBase {
  readonly type: "globalavgpool";
}

type PoolSpec = MaxPoolSpec | AvgPoolSpec | GlobalAvgPoolSpec;

/** The windows of a pooling spec over an input: no padding, the last partial window dropped (PyTorch's floor mode). */
function geometryOf(spec: PoolSpec, input: Shape): WindowGeometry {
  if (spec.type === "globalavgpool") return windowGeometry(input, input[0], input[1], 1, "valid");
  positive(spec.size, "size");
  positive(spec.stride ?? spec.size, "stride");
  return windowGeometry(input, spec.size, spec.size, spec.stride ?? spec.size, "valid");
}

/**
 * Pooling: each output pixel is the largest (maxpool) or the mean (avgpool, globalavgpool) of a
 * window of its channel. No weights.
 * x: [batch, height, width, channels] -> y: [batch, outHeight, outWidth, channels] ([batch, channels] for globalavgpool)
 */
export class Pool implements Layer {
  readonly outputShape: Shape;
  private readonly geometry: WindowGeometry;
  private readonly scratch: Scratch;
  private input: Tensor | null = null;

  constructor(
    private readonly backend: Backend,
    readonly spec: PoolSpec,
    readonly index: number,
    readonly inputShape: Shape,
  ) {
    this.geometry = geometryOf(spec, inputShape);
    const { outHeight, outWidth, channels } = this.geometry;
    this.outputShape = spec.type === "globalavgpool" ? [channels] : [outHeight, outWidth, channels];
    this.scratch = new Scratch(backend);
  }

  forward(x: Tensor): Tensor {
    this.input = x;
    const y = this.scratch.get("y", [x.rows, ...this.outputShape]);
    const geometry = { ...this.geometry, batch: x.rows };
    if (this.spec.type === "maxpool") this.backend.maxPoolForward(x, y, geometry);
    else this.backend.avgPoolForward(x, y, geometry);
    return y;
  }

  backward(dy: Tensor, needInputGradient: boolean): Tensor | null {
    if (!needInputGradient) return null;
    if (!this.input) throw new Error("Pool.backward called before forward");
    const dx = this.scratch.get("dx", [dy.rows, ...this.inputShape]);
    const geometry = { ...this.geometry, batch: dy.rows };
    if (this.spec.type === "maxpool") this.backend.maxPoolBackward(this.input, dy, dx, geometry);
    else this.backend.avgPoolBackward(dy, dx, geometry);
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
    const { sizeY, sizeX, stride } = this.geometry;
    const what =
      this.spec.type === "globalavgpool"
        ? "global average pool"
        : `${this.spec.type === "maxpool" ? "max" : "average"} pool ${sizeY}x${sizeX}${stride !== sizeY ? ` stride ${stride}` : ""}`;
    return {
      index: this.index,
      type: this.spec.type,
      summary: what,
      inputShape: [...this.inputShape],
      outputShape: [...this.outputShape],
      parameters: 0,
      // A mean is affine; a max bends where the largest value changes.
      activation: null,
      units: null,
      affine: this.spec.type !== "maxpool",
      settings: this.spec.type === "globalavgpool" ? {} : { size: sizeY, stride },
    };
  }
}

function poolType<S extends PoolSpec>(type: S["type"]): LayerType<S> {
  return {
    type,
    outputShape(spec, input) {
      const g = geometryOf(spec, input);
      return spec.type === "globalavgpool" ? [g.channels] : [g.outHeight, g.outWidth, g.channels];
    },
    tensorShapes: () => ({}),
    create: (spec, index, input, backend) => new Pool(backend, spec, index, input),
  };
}

export const MAXPOOL = poolType<MaxPoolSpec>("maxpool");
export const AVGPOOL = poolType<AvgPoolSpec>("avgpool");
export const GLOBALAVGPOOL = poolType<GlobalAvgPoolSpec>("globalavgpool");
