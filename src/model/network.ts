import type { Backend } from "../backends/backend.js";
import { createReferenceBackend } from "../backends/reference/index.js";
import { GlassboxError, check } from "../errors.js";
import { createLayers, Scratch, type Layer, type LayerDescription, type NamedTensor } from "../layers/index.js";
import { Random } from "../tensor/random.js";
import { sizeOf, type FloatArray, type Param, type Shape, type Tensor } from "../tensor/tensor.js";
import type { Background, Examples, ModelAbout, NetworkOptions } from "./about.js";
import { inferThrough } from "./infer.js";
import { PredictionPass, type Mixture } from "./pass.js";
import { checkSpec, type NetworkSpec } from "./spec.js";

export type { OutputKind } from "../losses/index.js";
export { OUTPUT_KINDS, checkSpec, outputCount, type NetworkSpec } from "./spec.js";
export type { LayerDescription, LayerSpec } from "../layers/index.js";
export type { Background, Examples, ModelAbout, NetworkOptions, TargetScale } from "./about.js";

/** d f / d logits: [n, outputs], or the function that makes it from the logits: [n, outputs] of the same rows. */
export type LogitGradient = ArrayLike<number> | ((logits: FloatArray) => ArrayLike<number>);

/**
 * A network: a list of layers with their shapes propagated from the input shape, on one backend,
 * and the facts the model file keeps with it. Raw features go in; the network standardises them
 * itself when its first layer is a standardize layer.
 */
export class Network {
  readonly backend: Backend;
  readonly layers: Layer[];
  readonly about: Readonly<ModelAbout>;
  /** Typical raw input rows kept from training (table models keep up to 100), or null. */
  readonly background: Background | null;
  /** A few labelled training rows kept to show the model at work (train keeps one per label, up to 10), or null. */
  readonly examples: Examples | null;
  private facts: ModelAbout;
  private readonly scratch: Scratch;
  private readonly random = new Random(0); // unused: no dropout outside training

  constructor(
    readonly spec: NetworkSpec,
    options: NetworkOptions = {},
  ) {
    this.backend = options.backend ?? createReferenceBackend();
    checkSpec(spec);
    this.layers = createLayers(spec.layers, spec.inputShape, this.backend);
    this.scratch = new Scratch(this.backend);
    this.facts = { featureNames: null, labelColumn: null, featurizer: null, hierarchy: null, textColumn: null, training: null, ...options.about };
    this.about = this.facts;
    const background = options.background ?? null;
    if (background) {
      check(
        Number.isInteger(background.rows) && background.rows >= 1 && background.features.length === background.rows * this.inputs,
        `the background must hold whole rows of ${this.inputs} features, got ${background.features.length} numbers for ${background.rows} rows`,
      );
    }
    this.background = background;
    const examples = options.examples ?? null;
    if (examples) {
      check(
        Number.isInteger(examples.rows) && examples.rows >= 1 && examples.features.length === examples.rows * this.inputs && examples.labels.length === examples.rows,
        `the examples must hold whole rows of ${this.inputs} features and one label each, got ${examples.features.length} numbers and ${examples.labels.length} labels for ${examples.rows} rows`,
      );
      const bad = examples.labels.findIndex((k) => !(k >= 0 && k < spec.labels.length));
      check(bad < 0, `example ${bad + 1} has label ${examples.labels[bad]}; the labels are 0 to ${spec.labels.length - 1}`);
    }
    this.examples = examples;
  }

  get inputShape(): Shape {
    return this.spec.inputShape;
  }

  /** Features per input row. */
  get inputs(): number {
    return sizeOf(this.spec.inputShape);
  }

  get outputs(): number {
    return sizeOf(this.layers[this.layers.length - 1].outputShape);
  }

  get labels(): string[] {
    return this.spec.labels;
  }

  /**
   * Rows per pass when predicting many: up to 1024, fewer when one example's largest activation
   * is big (a convolution's), so a pass holds at most about 4 million numbers per tensor.
   */
  get chunkRows(): number {
    let widest = this.inputs;
    for (const layer of this.layers) widest = Math.max(widest, sizeOf(layer.outputShape));
    return Math.max(1, Math.min(1024, Math.floor((1 << 22) / widest)));
  }

  /** Records the summary of the training run that produced the weights (the model file keeps it). */
  recordTraining(summary: Record<string, unknown>): void {
    this.facts.training = summary;
  }

  /** Sets a two-label model's decision threshold (the second label when its probability is at least `t`). */
  setThreshold(t: number): void {
    if (this.labels.length !== 2 || !(t > 0 && t < 1))
      throw new GlassboxError("BAD_ARGUMENT", `a decision threshold is a number between 0 and 1, for a model of two labels; got ${t} for ${this.labels.length} labels`);
    this.facts.threshold = t;
  }

  initialize(random: Random): void {
    for (const layer of this.layers) layer.initialize(random);
  }

  /** The trainable tensors, layer by layer. */
  params(): Param[] {
    return this.layers.flatMap((layer) => layer.params());
  }

  /** Every tensor the model file keeps: parameters and learnt statistics, with their names and shapes. */
  tensors(): NamedTensor[] {
    return this.layers.flatMap((layer) => layer.tensors());
  }

  /** Each layer as it describes itself. */
  describe(): LayerDescription[] {
    return this.layers.map((layer) => layer.describe());
  }

  /** One line: "784 inputs (28x28x1) -> 256 relu -> dropout -> 10 linear -> softmax" ("-> values" for a regression). */
  summary(): string {
    const shape = this.inputShape.length > 1 ? ` (${this.inputShape.join("x")})` : "";
    const parts = this.describe().map((d) => (d.units === null ? d.summary : `${d.units} ${d.activation}`));
    // A regression's last step reads as what it gives: values (in the label's units when it learnt them standardised).
    const answer = this.spec.output !== "linear" ? this.spec.output : this.facts.targetScale ? "values in the label's units" : "values";
    return [`${this.inputs} inputs${shape}`, ...parts, answer].join(" -> ");
  }

  /** Whether a layer learns the input's statistics (standardisation): then raw feature scales do not matter. */
  /** The decision threshold of a two-label model: the second label when its probability is at least this (0.5 unless set). */
  get threshold(): number {
    return this.facts.threshold ?? 0.5;
  }

  get standardizes(): boolean {
    return this.layers.some((layer) => layer.adapt !== undefined);
  }

  /**
   * Every layer tensor from `values` (by name, as tensors() names them; a model file's). Layers
   * with learnt statistics count as adapted afterwards.
   */
  loadTensors(values: Map<string, ArrayLike<number>>): void {
    for (const layer of this.layers) {
      for (const { name, value } of layer.tensors()) {
        const data = values.get(name);
        if (!data) throw new GlassboxError("BAD_MODEL_FILE", `missing tensor "${name}"`);
        this.backend.write(value, data);
      }
      layer.loaded?.();
    }
  }

  /** Layers whose statistics have not been learnt yet (a fresh standardize layer). */
  unadapted(): Layer[] {
    return this.layers.filter((layer) => layer.adapted === false);
  }

  /** x: [batch, ...inputShape] raw features -> logits: [batch, outputs] */
  forward(x: Tensor, training: boolean, random: Random): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, training, random);
    return h;
  }

  /** x: [batch, ...inputShape] raw features -> logits, for answers only (no backward follows): see inferThrough. */
  infer(x: Tensor): Tensor {
    return inferThrough(this.layers, x, this.random);
  }

  /**
   * dLogits: [batch, outputs] -> d loss / d x: [batch, ...inputShape] when asked; fills every
   * Param.grad unless `needParamGradients` is false (explanations: the weight-gradient products
   * are then skipped, a third of a convolution's backward pass).
   */
  backward(dLogits: Tensor, needInputGradient: boolean, needParamGradients = true): Tensor | null {
    let d: Tensor | null = dLogits;
    for (let i = this.layers.length - 1; i >= 0 && d; i--) d = this.layers[i].backward(d, i > 0 || needInputGradient, needParamGradients);
    return d;
  }

  /**
   * Raw features: [rows, inputs] (row-major) -> the answer per row: [rows, outputs]
   * (probabilities for softmax and sigmoid, values for linear), computed in chunks.
   */
  predict(features: Float32Array, rows: number, chunk = this.chunkRows): Float32Array {
    this.checkFeatures(features, rows);
    const out = new Float32Array(rows * this.outputs);
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const logits = this.infer(this.load(features.subarray(start * this.inputs, (start + n) * this.inputs), n));
      out.set(this.backend.read(this.answer(logits)), start * this.outputs);
    }
    return out;
  }

  /** Raw rows: [n, inputs] -> logits: [n, outputs], in the backend's precision. */
  logitsOf(rows: FloatArray, n: number): FloatArray {
    return this.backend.read(this.forward(this.load(rows, n), false, this.random));
  }

  /**
   * Raw rows: [n, inputs] and dLogits: [n, outputs] (d f / d logits for some f of the answer, or
   * the function that makes it from the rows' logits, which saves a forward pass) -> d f / d raw
   * row: [n, inputs], through every layer (standardisation included). With `from`, f is a
   * function of what layer `from` outputs, and dLogits is d f / d that output: the backward pass
   * starts there (what a hidden neuron responds to). Explanation passes run as PredictionPass.
   */
  inputGradientOf(rows: FloatArray, n: number, dLogits: LogitGradient, from = this.layers.length - 1): FloatArray {
    const pass = this.pass(from);
    const h = pass.forward(this.load(rows, n), from);
    return this.backend.read(pass.backward(this.seed(h, dLogits, `d${from}`), from, -1));
  }

  /**
   * Rows (raw [n, inputs], or a mixture of a few points) and dLogits -> sum over rows i of
   * sums.weights[i, c] d f_i / d raw row i, for c < sums.count: [sums.count, inputs]. Integrated
   * gradients' weighted sum of path gradients; a mixture's affine prefix is pulled back once per c.
   */
  summedInputGradientOf(rows: Mixture, n: number, dLogits: LogitGradient, sums: { weights: ArrayLike<number>; count: number }): FloatArray {
    const last = this.layers.length - 1;
    const pass = this.pass(last);
    const logits = pass.forward(this.load(rows.points, rows.count), last, rows, n);
    const end = pass.prefixEnd(last);
    const g = pass.backward(this.seed(logits, dLogits, "dLogits"), last, end);
    const k = sums.count;
    check(sums.weights.length === n * k, `sums: expected ${n} rows x ${k} = ${n * k} weights, got ${sums.weights.length}`);
    const weights = this.scratch.get("sumWeights", [n, k]);
    this.backend.write(weights, sums.weights);
    let summed = this.scratch.get("summed", [k, ...g.shape.slice(1)]);
    this.backend.matmul(weights, this.backend.reshape(g, [n, g.cols]), this.backend.reshape(summed, [k, g.cols]), true, false, false);
    if (end >= 0) {
      // The prefix's Jacobian is the same at every point: any k rows set it up for the pull-back.
      pass.forward(this.load(new Float32Array(k * this.inputs), k), end);
      summed = pass.backward(summed, end, -1);
    }
    return this.backend.read(summed);
  }

  /** Raw rows: [n, inputs] -> what layer `index` outputs for them: [n, ...its output shape]. */
  layerOutputOf(rows: FloatArray, n: number, index: number): FloatArray {
    return this.backend.read(this.through(rows, n, index));
  }

  /**
   * Rows (raw [n, inputs], or a mixture of a few points) and dLogits: [n, outputs] (d f / d
   * logits for some f of the answer) -> what layer `index` outputs for them ([n, ...its output
   * shape]) and d f / d that output, the backward pass stopped there: what explanations of
   * hidden layers read (Grad-CAM, conductance).
   */
  layerGradientOf(rows: FloatArray | Mixture, n: number, dLogits: LogitGradient, index: number): { output: FloatArray; gradient: FloatArray } {
    if (!Number.isInteger(index) || index < 0 || index >= this.layers.length) {
      throw new GlassboxError("BAD_ARGUMENT", `layer ${index}: this network has layers 0 to ${this.layers.length - 1}`);
    }
    const pass = this.pass(index);
    const mixture = "points" in rows ? rows : null;
    const h = pass.forward(mixture ? this.load(mixture.points, mixture.count) : this.load(rows as FloatArray, n), index, mixture, n);
    const output = this.backend.read(h);
    const last = this.layers.length - 1;
    const logits = pass.forwardFrom(h, index, last);
    return { output, gradient: this.backend.read(pass.backward(this.seed(logits, dLogits, "dLogits"), last, index)) };
  }

  /** Raw rows: [n, inputs] -> the numbers layer `index` computes before its activation: [n, units]. */
  preActivationsOf(rows: FloatArray, n: number, index: number): FloatArray {
    const layer = this.layers[index];
    if (!layer?.preActivation) throw new GlassboxError("BAD_ARGUMENT", `layer ${index} has no pre-activation`);
    return this.backend.read(layer.preActivation(this.through(rows, n, index - 1)));
  }

  /**
   * What every layer computes for one raw input row: the output of each layer whose outputs are
   * neurons (after the activation function; the last is the logits) and the answer.
   * This is the glass box's view: which neurons light up for this input.
   * @example network.layerOutputs(pixels).layers.map((a) => a.length) // [256, 128, 10]
   */
  layerOutputs(features: Float32Array): { layers: Float32Array[]; answer: Float32Array } {
    this.checkFeatures(features, 1);
    const layers: Float32Array[] = [];
    let h = this.load(features, 1);
    for (const layer of this.layers) {
      h = layer.forward(h, false, this.random);
      if (layer.describe().units !== null) layers.push(Float32Array.from(this.backend.read(h)));
    }
    return { layers, answer: Float32Array.from(this.backend.read(this.answer(h))) };
  }

  /** The weights of layer `index` ([inputs, units] for a dense layer), or null when it has none. */
  weightsOf(index: number): { shape: number[]; values: Float32Array } | null {
    const layer = this.layers[index];
    const weight = layer?.params().find((p) => p.name.endsWith(".weight"));
    return weight ? { shape: [...weight.value.shape], values: Float32Array.from(this.backend.read(weight.value)) } : null;
  }

  /** Logits -> probabilities (softmax, sigmoid) or values (linear: in the label's units), in a scratch tensor. */
  answer(logits: Tensor): Tensor {
    const output = this.spec.output;
    const out = this.scratch.get("answer", logits.shape);
    if (output !== "linear") {
      this.backend.activate(logits, out, output);
      return out;
    }
    const scale = this.facts.targetScale;
    if (!scale) return logits;
    // z * std + mean as the standardize kernel's (z - (-mean / std)) / (1 / std).
    const shift = this.scratch.get("targetShift", [this.outputs]);
    const spread = this.scratch.get("targetSpread", [this.outputs]);
    this.backend.write(
      shift,
      scale.mean.map((m, k) => -m / scale.std[k]),
    );
    this.backend.write(
      spread,
      scale.std.map((s) => 1 / s),
    );
    this.backend.standardize(logits, shift, spread, out);
    return out;
  }

  /** A regression's output `k` in the label's units from its logit z (z itself without a target scale). */
  valueOf(z: number, k: number): number {
    const scale = this.facts.targetScale;
    return scale ? z * scale.std[k] + scale.mean[k] : z;
  }

  /** d value / d z of output `k`: the target's standard deviation (1 without a target scale). */
  valueSlope(k: number): number {
    return this.facts.targetScale?.std[k] ?? 1;
  }

  /** An input tensor for `rows` examples, reused between calls. */
  input(rows: number): Tensor {
    return this.scratch.get("input", [rows, ...this.inputShape]);
  }

  checkFeatures(features: ArrayLike<number>, rows: number): void {
    if (features instanceof Uint8Array) {
      throw new GlassboxError(
        "BAD_ARGUMENT",
        "expected features as floats, got a Uint8Array: a dataset's image bytes each stand for byte / 255; pass featureRows(data, start, count)",
      );
    }
    if (features.length !== rows * this.inputs) {
      throw new GlassboxError("SHAPE_MISMATCH", `expected ${this.inputs} features per row (${rows} rows = ${rows * this.inputs} numbers), got ${features.length} numbers`);
    }
  }

  /** Raw rows into the input tensor. */
  /** Raw rows through layers 0..last at prediction time (none for last = -1): what layer `last` outputs. */
  private through(rows: ArrayLike<number>, n: number, last: number): Tensor {
    return this.pass(last).forward(this.load(rows, n), last);
  }

  /** The layers as explanations run them, reading layer `keep`'s output. */
  private pass(keep: number): PredictionPass {
    return new PredictionPass(this.layers, this.backend, this.scratch, this.random, keep);
  }

  /** d f / d h in a scratch tensor shaped as h: dLogits itself, or made from h's values. */
  private seed(h: Tensor, dLogits: LogitGradient, name: string): Tensor {
    const d = this.scratch.get(name, [...h.shape]);
    this.backend.write(d, typeof dLogits === "function" ? dLogits(this.backend.read(h)) : dLogits);
    return d;
  }

  private load(rows: ArrayLike<number>, n: number): Tensor {
    this.checkFeatures(rows, n);
    const x = this.input(n);
    this.backend.write(x, rows);
    return x;
  }
}
