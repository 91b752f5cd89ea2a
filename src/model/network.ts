import { ACTIVATIONS, type Activation, type Backend } from "../backends/backend.js";
import { createReferenceBackend } from "../backends/reference/index.js";
import { GlassboxError, check } from "../errors.js";
import { Dense } from "../layers/dense.js";
import { Dropout } from "../layers/dropout.js";
import { Scratch, type Initializer, type Layer, type LayerSpec, type Param } from "../layers/layer.js";
import type { Matrix } from "../tensor/matrix.js";
import { Random } from "../tensor/random.js";
import type { Normalization } from "../data/normalize.js";
import { normalizeRows } from "../data/normalize.js";
import type { InputDescription } from "../data/dataset.js";
import type { FeaturizerState } from "../featurizers/featurizer.js";
import type { Hierarchy } from "./hierarchy.js";

/**
 * How the last layer's numbers (logits) become the answer:
 * - "softmax": one probability per label, summing to 1;
 * - "sigmoid": one neuron for a yes/no question, the probability of the positive label (labels[1]);
 * - "linear": the numbers themselves (regression).
 */
export type OutputKind = "softmax" | "sigmoid" | "linear";

/** The architecture as stored in the model file. */
export interface NetworkSpec {
  inputs: number;
  layers: LayerSpec[];
  output: OutputKind;
  /** Class names (softmax: one per output; sigmoid: [negative, positive]) or target names (linear). */
  labels: string[];
}

/** Facts about a model kept beside its weights in the model file. */
export interface ModelAbout {
  /** Names of the input features (table columns), or null when they have none (pixels). */
  featureNames: string[] | null;
  /** The table column that held the label when training, or null (IDX images). */
  labelColumn: string | null;
  input: InputDescription | null;
  /** How raw inputs (image files, clips, texts, table rows) become the features, fitted on the training data. */
  featurizer?: FeaturizerState | null;
  /** For nested labels, each label's path of categories (root first, the label last). */
  hierarchy?: Hierarchy | null;
  /** The CSV column that held the text, for a text model trained on a CSV. */
  textColumn?: string | null;
  /** A summary of the training run that produced the weights (epochs, loss, accuracy...). */
  training: Record<string, unknown> | null;
}

export interface MlpOptions {
  /** Features per input row, e.g. 784 for a 28x28 grayscale image. */
  inputs: number;
  /** Neurons per hidden layer. Default [] (no hidden layer). */
  hidden?: number[];
  /** Activation of the hidden layers. Default "relu". */
  activation?: Activation;
  /** Default "softmax". */
  output?: OutputKind;
  /** Label names; their count sets the number of outputs (sigmoid: exactly 2). */
  labels: string[];
  /** Dropout rate after each hidden layer, 0 (default) for none. */
  dropout?: number;
  /** Weight initialisation: default He for ReLU-like activations, Glorot otherwise. */
  init?: Initializer;
  /** Seed for the initial weights. Default 1. */
  seed?: number;
  /** Default: the reference backend. */
  backend?: Backend;
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
  check(Number.isInteger(options.inputs) && options.inputs > 0, `inputs must be a positive integer, got ${options.inputs}`);
  check(hidden.every((n) => Number.isInteger(n) && n > 0), `hidden layer sizes must be positive integers, got [${hidden.join(", ")}]`);
  check(dropout >= 0 && dropout < 1, `dropout must be in [0, 1), got ${dropout}`);
  const layers: LayerSpec[] = [];
  let width = options.inputs;
  for (const units of hidden) {
    layers.push({ type: "dense", inputs: width, units, activation, ...(options.init ? { init: options.init } : {}) });
    if (dropout > 0) layers.push({ type: "dropout", rate: dropout });
    width = units;
  }
  layers.push({ type: "dense", inputs: width, units: outputCount(output, options.labels), activation: "linear" });
  const network = new Network({ inputs: options.inputs, layers, output, labels: options.labels }, options.backend);
  network.initialize(new Random(options.seed ?? 1));
  return network;
}

export function outputCount(output: OutputKind, labels: string[]): number {
  if (output === "sigmoid") {
    check(labels.length === 2, `a sigmoid output answers a yes/no question: expected 2 labels, got ${labels.length}`);
    return 1;
  }
  check(labels.length >= 1, "expected at least one label");
  if (output === "softmax") check(labels.length >= 2, `softmax needs at least 2 labels, got ${labels.length}`);
  return labels.length;
}

const OUTPUT_KINDS: readonly string[] = ["softmax", "sigmoid", "linear"];

/** Checks every field of an architecture (it may come from a file) before any layer is built. */
function checkSpec(spec: NetworkSpec): void {
  const positive = (n: unknown): boolean => Number.isInteger(n) && (n as number) > 0;
  check(typeof spec === "object" && spec !== null && Array.isArray(spec.layers) && spec.layers.length > 0, "an architecture needs a list of layers");
  check(positive(spec.inputs), `inputs must be a positive integer, got ${spec.inputs}`);
  check(OUTPUT_KINDS.includes(spec.output), `output must be one of ${OUTPUT_KINDS.join(", ")}, got ${spec.output}`);
  check(Array.isArray(spec.labels) && spec.labels.every((l) => typeof l === "string"), "labels must be a list of strings");
  spec.layers.forEach((layer, index) => {
    if (layer.type === "dense") {
      check(positive(layer.inputs) && positive(layer.units), `layer ${index}: inputs and units must be positive integers`);
      check((ACTIVATIONS as readonly string[]).includes(layer.activation), `layer ${index}: unknown activation "${layer.activation}"; expected one of ${ACTIVATIONS.join(", ")}`);
    } else if (layer.type === "dropout") {
      check(typeof layer.rate === "number" && layer.rate >= 0 && layer.rate < 1, `layer ${index}: dropout rate must be in [0, 1), got ${layer.rate}`);
    } else {
      check(false, `layer ${index}: unknown layer type "${(layer as { type: unknown }).type}"`);
    }
  });
}

export class Network {
  readonly backend: Backend;
  readonly layers: Layer[];
  /** Per-feature standardisation applied to raw inputs before the first layer, or null. */
  normalization: Normalization | null = null;
  about: ModelAbout = { featureNames: null, labelColumn: null, input: null, training: null };
  /**
   * Typical raw input rows kept from training (table models keep up to 100): the baseline that
   * explanations compare an input with, or null (then the baseline is all zeros).
   */
  background: { features: Float32Array; rows: number } | null = null;
  private readonly scratch: Scratch;

  constructor(readonly spec: NetworkSpec, backend: Backend = createReferenceBackend()) {
    this.backend = backend;
    this.layers = [];
    this.scratch = new Scratch(backend);
    checkSpec(spec);
    let width = spec.inputs;
    spec.layers.forEach((layerSpec, index) => {
      if (layerSpec.type === "dense") {
        check(layerSpec.inputs === width, `layer ${index} expects ${layerSpec.inputs} inputs but the previous layer gives ${width}`);
        this.layers.push(new Dense(backend, layerSpec.inputs, layerSpec.units, layerSpec.activation, `layers.${index}`));
        width = layerSpec.units;
      } else {
        this.layers.push(new Dropout(backend, width, layerSpec.rate));
      }
    });
    const last = this.layers[this.layers.length - 1];
    check(last instanceof Dense, "the last layer must be a dense layer");
    check(width === outputCount(spec.output, spec.labels), `the last layer has ${width} outputs but ${spec.labels.length} labels were given`);
  }

  get inputs(): number {
    return this.spec.inputs;
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].outputs;
  }

  get labels(): string[] {
    return this.spec.labels;
  }

  initialize(random: Random): void {
    this.spec.layers.forEach((layerSpec, index) => {
      const layer = this.layers[index];
      if (layer instanceof Dense && layerSpec.type === "dense") layer.initialize(random, layerSpec.init);
    });
  }

  params(): Param[] {
    return this.layers.flatMap((layer) => layer.params());
  }

  /** x: [batch, inputs] (already normalised) -> logits: [batch, outputs] */
  forward(x: Matrix, training: boolean, random: Random): Matrix {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, training, random);
    return h;
  }

  /** dLogits: [batch, outputs] -> d loss / d x: [batch, inputs] when asked; fills every Param.grad. */
  backward(dLogits: Matrix, needInputGradient: boolean): Matrix | null {
    let d: Matrix | null = dLogits;
    for (let i = this.layers.length - 1; i >= 0 && d; i--) d = this.layers[i].backward(d, i > 0 || needInputGradient);
    return d;
  }

  /**
   * Raw features: [rows, inputs] (row-major) -> the answer per row: [rows, outputs]
   * (probabilities for softmax and sigmoid, values for linear), computed in chunks.
   */
  predict(features: Float32Array, rows: number, chunk = 1024): Float32Array {
    this.checkFeatures(features, rows);
    const out = new Float32Array(rows * this.outputs);
    const random = new Random(0); // unused: no dropout at prediction time
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const x = this.input(n);
      const slice = features.subarray(start * this.inputs, (start + n) * this.inputs);
      this.backend.write(x, this.normalization ? normalizeRows(slice, this.normalization) : slice);
      const logits = this.forward(x, false, random);
      out.set(this.backend.read(this.answer(logits)), start * this.outputs);
    }
    return out;
  }

  /**
   * What every layer computes for one raw input row: the output of each dense layer (its
   * neurons' activations, after the activation function; the last is the logits) and the answer.
   * This is the glass box's view: which neurons light up for this input.
   * @example network.layerOutputs(pixels).layers.map((a) => a.length) // [256, 128, 10]
   */
  layerOutputs(features: Float32Array): { layers: Float32Array[]; answer: Float32Array } {
    this.checkFeatures(features, 1);
    const x = this.input(1);
    this.backend.write(x, this.normalization ? normalizeRows(features, this.normalization) : features);
    const layers: Float32Array[] = [];
    let h = x;
    const random = new Random(0);
    for (const layer of this.layers) {
      h = layer.forward(h, false, random);
      if (layer instanceof Dense) layers.push(Float32Array.from(this.backend.read(h)));
    }
    return { layers, answer: Float32Array.from(this.backend.read(this.answer(h))) };
  }

  /** Logits -> probabilities (softmax, sigmoid) or values (linear), in a scratch matrix. */
  answer(logits: Matrix): Matrix {
    if (this.spec.output === "linear") return logits;
    const out = this.scratch.get("answer", logits.rows, logits.cols);
    this.backend.activate(logits, out, this.spec.output);
    return out;
  }

  /** An input matrix for `rows` rows, reused between calls. */
  input(rows: number): Matrix {
    return this.scratch.get("input", rows, this.inputs);
  }

  checkFeatures(features: Float32Array, rows: number): void {
    if (features.length !== rows * this.inputs) {
      throw new GlassboxError(
        "SHAPE_MISMATCH",
        `expected ${this.inputs} features per row (${rows} rows = ${rows * this.inputs} numbers), got ${features.length} numbers`,
      );
    }
  }
}
