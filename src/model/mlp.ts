import type { Activation, Backend } from "../backends/backend.js";
import { check } from "../errors.js";
import { layerShapes, type Initializer, type LayerSpec } from "../layers/index.js";
import type { OutputKind } from "../losses/index.js";
import { Random } from "../tensor/random.js";
import { Network, type Background, type Examples, type ModelAbout } from "./network.js";
import { outputCount } from "./spec.js";

export interface MlpOptions {
  /** Features per input row, e.g. 784 for a 28x28 grayscale image, or the shape of one input ([28, 28, 1]). */
  inputs: number | number[];
  /** Neurons per hidden layer. Default [] (no hidden layer). */
  hidden?: number[];
  /**
   * The hidden layers as specs (convolutions, pooling, batch norm...), instead of `hidden`,
   * `activation` and `dropout`; see parseLayers for them in words. The output layer is appended,
   * after a flatten when the last hidden layer gives an image.
   */
  layers?: LayerSpec[];
  /** Activation of the hidden layers. Default "relu". */
  activation?: Activation;
  /** Default "softmax". */
  output?: OutputKind;
  /** Label names; their count sets the number of outputs (sigmoid: exactly 2). */
  labels: string[];
  /** Dropout rate after each hidden layer, 0 (default) for none. */
  dropout?: number;
  /** Start with a standardize layer, learnt from the training rows when `fit` begins. Default false. */
  standardize?: boolean;
  /** Weight initialisation: default He for ReLU-like activations, Glorot otherwise. */
  init?: Initializer;
  /** Seed for the initial weights. Default 1. */
  seed?: number;
  /** Default: the reference backend. */
  backend?: Backend;
  about?: Partial<ModelAbout>;
  background?: Background | null;
  examples?: Examples | null;
}

/**
 * A multilayer perceptron: input features -> hidden layers of neurons -> one output per label.
 * @example
 * const net = createMlp({ inputs: 4, hidden: [8], labels: ["no", "yes"], output: "sigmoid" });
 * net.spec.layers.length // 2 (4->8 relu, 8->1 linear logit)
 */
export function createMlp(options: MlpOptions): Network {
  const output = options.output ?? "softmax";
  const hidden = options.hidden ?? [];
  const activation = options.activation ?? "relu";
  const dropout = options.dropout ?? 0;
  const inputShape = typeof options.inputs === "number" ? [options.inputs] : options.inputs;
  check(
    Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every((n) => Number.isInteger(n) && n > 0),
    `inputs must be a positive integer or a shape of them, got ${JSON.stringify(options.inputs)}`,
  );
  check(
    hidden.every((n) => Number.isInteger(n) && n > 0),
    `hidden layer sizes must be positive integers, got [${hidden.join(", ")}]`,
  );
  check(dropout >= 0 && dropout < 1, `dropout must be in [0, 1), got ${dropout}`);
  const layers: LayerSpec[] = options.standardize ? [{ type: "standardize" }] : [];
  if (options.layers) {
    layers.push(...options.layers);
  } else {
    for (const units of hidden) {
      layers.push({ type: "dense", units, activation, ...(options.init ? { init: options.init } : {}) });
      if (dropout > 0) layers.push({ type: "dropout", rate: dropout });
    }
  }
  try {
    const shapes = layerShapes(layers, inputShape);
    if (shapes[shapes.length - 1].length > 1) layers.push({ type: "flatten" });
  } catch (error) {
    check(false, (error as Error).message);
  }
  layers.push({ type: "dense", units: outputCount(output, options.labels), activation: "linear" });
  const network = new Network({ inputShape, layers, output, labels: options.labels }, options);
  network.initialize(new Random(options.seed ?? 1));
  return network;
}
