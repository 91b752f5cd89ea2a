import type { Activation, Backend } from "../backends/backend.js";
import type { Param, Shape, Tensor } from "../tensor/tensor.js";
import type { Random } from "../tensor/random.js";

/** What a layer is, as stored in the model file: its type and its settings (never its weights). */
export interface LayerSpecBase {
  readonly type: string;
}

/** A saved tensor: a parameter, or a statistic learnt from the data (standardisation's mean). */
export interface NamedTensor {
  readonly name: string; // e.g. "layers.0.weight"
  readonly value: Tensor;
}

/** What a layer says about itself: the CLI's `inspect`, the server's /api/model and the web app render this. */
export interface LayerDescription {
  index: number;
  type: string;
  /** One line in words: "dense 784 -> 256, relu". */
  summary: string;
  inputShape: number[];
  outputShape: number[];
  /** Trainable numbers. */
  parameters: number;
  /** The squashing function applied to the layer's outputs, or null when the layer has none. */
  activation: Activation | null;
  /** For layers whose outputs are neurons (each a weighted sum of the inputs): how many; else null. */
  units: number | null;
  /** At prediction time, apart from its activation, an affine map of its input (false for max pooling, which bends). */
  affine: boolean;
  /** The layer's own settings (dropout: rate). */
  settings: Record<string, unknown>;
}

/**
 * The layer contract: forward keeps what backward needs; backward receives d loss / d output,
 * writes the parameter gradients (unless `needParamGradients` is false: explanations read only
 * the gradients of activations), and returns d loss / d input when asked.
 * Activations are [batch, ...shape]; `inputShape` and `outputShape` leave out the batch axis.
 */
export interface Layer {
  readonly spec: LayerSpecBase;
  readonly index: number;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  forward(x: Tensor, training: boolean, random: Random): Tensor;
  backward(dy: Tensor, needInputGradient: boolean, needParamGradients?: boolean): Tensor | null;
  /** The trainable tensors, which the optimizer updates. */
  params(): Param[];
  /** Every tensor the model file keeps: the params, then statistics (in that order). */
  tensors(): NamedTensor[];
  /** Fresh starting weights. */
  initialize(random: Random): void;
  describe(): LayerDescription;
  /**
   * For a layer whose outputs pass through an activation: the numbers before it, z: [batch, units]
   * for input x (a forward pass without side effects on what backward needs). Explanations that
   * follow where ReLUs bend use it.
   */
  preActivation?(x: Tensor): Tensor;
  /**
   * For a layer with statistics learnt from the training rows before training (standardize):
   * learn them from rows `rows` of features: [*, columns]. `adapted` says whether it has them.
   */
  adapt?(features: Float32Array, columns: number, rows: ArrayLike<number>): void;
  readonly adapted?: boolean;
  /** Called after a model file supplied the layer's tensors (its statistics count as learnt). */
  loaded?(): void;
}

/** What the registry needs to know about a type of layer. */
export interface LayerType<S extends LayerSpecBase> {
  readonly type: S["type"];
  /**
   * The shape rule. Checks every field of `spec` (it may come from a file) against the input
   * shape and returns the output shape; throws an Error whose message says what is wrong.
   */
  outputShape(spec: S, input: Shape): Shape;
  /** The tensors a layer of this spec holds, by their name after the layer's ("weight"), and their shapes. */
  tensorShapes(spec: S, input: Shape): Record<string, Shape>;
  create(spec: S, index: number, input: Shape, backend: Backend): Layer;
}

/**
 * Per-layer scratch tensors sized for the largest batch seen so far; a smaller batch gets a view
 * of the first rows. Nothing is allocated per step once the largest batch has been seen.
 */
export class Scratch {
  private readonly store = new Map<string, Tensor>();

  constructor(private readonly backend: Backend) {}

  /** A tensor of `shape` ([batch, ...]) under `name`, reused while the trailing axes stay the same. */
  get(name: string, shape: Shape): Tensor {
    let t = this.store.get(name);
    const rows = shape[0];
    if (!t || t.rows < rows || !sameTrailing(t.shape, shape)) {
      t = this.backend.tensor(shape);
      this.store.set(name, t);
    }
    return this.backend.view(t, rows);
  }
}

function sameTrailing(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => i === 0 || d === b[i]);
}

/** The name prefix of layer `index`'s tensors: "layers.3". */
export function layerName(index: number): string {
  return `layers.${index}`;
}
