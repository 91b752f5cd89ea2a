import onnxProto from "onnx-proto";
import type { Activation, Backend } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { layerShapes, type LayerSpec } from "../layers/index.js";
import { padsOf, windowGeometry } from "../layers/window.js";
import type { ModelAbout, TargetScale } from "../model/about.js";
import { Network, type OutputKind } from "../model/network.js";
import { sizeOf } from "../tensor/tensor.js";
import { oihwToHwio, transposed } from "./layouts.js";
import { addConstants, geluEnd, IMPORTED_OPS, parseJson, PLUMBING, same, shapeOnlyNodes, valuesOf, type Constants } from "./onnxValues.js";

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;

export interface ImportOptions {
  /** The label names, one per output (a sigmoid's two). Default: the graph's metadata_props "labels", else "0", "1", ... */
  labels?: string[] | null;
  /** How raw inputs become the features (an image featurizer's size and channels). Default: the metadata's, or for an image input one of its size. */
  featurizer?: { readonly kind: string } | null;
  /** Names of the input features of a model without a featurizer. */
  featureNames?: string[] | null;
  /**
   * How to read the last layer's numbers. Default: the graph's own Softmax or Sigmoid; a graph
   * that ends in logits is read as a softmax when `labels` name each output, else as a regression.
   */
  output?: OutputKind;
  backend?: Backend;
}

/**
 * An ONNX graph made of the ops above -> an ordinary Glassbox network: predict, evaluate,
 * explain (every method, Grad-CAM and conductance too), serve and the web app work on it.
 * PyTorch's NCHW image input becomes Glassbox's [height, width, channels] rows: convolution
 * weights are turned from OIHW to HWIO, and the dense layer after a flatten reads its input rows
 * in Glassbox's HWC order. Any other op is refused with its name and node.
 * @example importOnnx(readFileSync("cnn.onnx"), "cnn.onnx", { labels: ["0", "1", ...] }).predict(rows, 1)
 */
export function importOnnx(bytes: Uint8Array, source: string, options: ImportOptions = {}): Network {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new GlassboxError("BAD_MODEL_FILE", `${source}: not an ONNX model (${(error as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new GlassboxError("BAD_MODEL_FILE", `${source}: the ONNX model has no graph`);
  const reader = new ChainReader(graph, source);
  const metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]));
  const read = reader.read();
  const { layers, tensors, inputShape, targetScale, outputs } = read;
  const logitsOnly = read.output === "linear" && !targetScale;
  const output = options.output ?? (logitsOnly && options.labels && options.labels.length === outputs && outputs >= 2 ? "softmax" : read.output);
  const labels = options.labels ?? parseJson<string[]>(metadata.labels) ?? Array.from({ length: output === "sigmoid" ? 2 : outputs }, (_, k) => String(k));
  const imageFeaturizer = inputShape.length === 3 ? { kind: "image", height: inputShape[0], width: inputShape[1], channels: inputShape[2] } : null;
  const about: Partial<ModelAbout> = {
    featurizer: options.featurizer !== undefined ? options.featurizer : (parseJson<{ kind: string }>(metadata.featurizer) ?? imageFeaturizer),
    featureNames: options.featureNames ?? parseJson<string[]>(metadata.feature_names) ?? null,
    targetScale,
    ...(metadata.threshold && labels.length === 2 ? { threshold: Number(metadata.threshold) } : {}),
  };
  let network: Network;
  try {
    network = new Network({ inputShape, layers, output, labels }, { ...(options.backend ? { backend: options.backend } : {}), about });
  } catch (error) {
    throw new GlassboxError("BAD_ARGUMENT", `${source}: ${(error as Error).message}`);
  }
  network.loadTensors(tensors);
  return network;
}

interface Read {
  layers: LayerSpec[];
  tensors: Map<string, Float32Array>;
  inputShape: number[];
  output: OutputKind;
  targetScale: TargetScale | null;
  outputs: number;
}

/** Walks a graph that is one chain from its input to its output, turning nodes into layers. */
class ChainReader {
  private readonly constants: Constants = new Map();
  private readonly layers: LayerSpec[] = [];
  private readonly tensors = new Map<string, Float32Array>();
  private layout: "flat" | "nchw" | "nhwc" = "flat";
  /** One example's shape as Glassbox holds it. */
  private shape: number[] = [];
  /** After flattening PyTorch's NCHW image: the [channels, height, width] a dense layer's rows come in. */
  private chw: number[] | null = null;
  private output: OutputKind = "linear";
  /** The network's input shape, [height, width, channels] or [features]. */
  private inputShape: number[] = [];
  private scale: { mean: Float64Array | null; std: Float64Array | null } = { mean: null, std: null };

  constructor(
    private readonly graph: onnxProto.onnx.IGraphProto,
    private readonly source: string,
  ) {
    for (const t of graph.initializer ?? []) this.constants.set(t.name ?? "", { dims: (t.dims ?? []).map(Number), values: valuesOf(t) });
  }

  read(): Read {
    // The first op Glassbox cannot read is named before anything else is checked (a layer before shape plumbing).
    const shapeOnly = shapeOnlyNodes(this.graph.node ?? []);
    const unsupported = (this.graph.node ?? []).filter((node) => !shapeOnly.has(node) && !(IMPORTED_OPS as readonly string[]).includes(node.opType ?? ""));
    const named = unsupported.find((node) => !PLUMBING.has(node.opType ?? "")) ?? unsupported[0];
    if (named)
      throw this.error(`unsupported op "${named.opType}" (node "${named.name || named.output?.[0]}"); Glassbox reads ${IMPORTED_OPS.filter((op) => op !== "Constant").join(", ")}`);
    const inputs = (this.graph.input ?? []).filter((v) => !this.constants.has(v.name ?? ""));
    if (inputs.length !== 1) throw this.error(`expected one input, found ${inputs.length}`);
    const dims = (inputs[0].type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue ?? 0));
    if (dims.length === 4) {
      this.shape = [dims[2], dims[3], dims[1]];
      this.layout = "nchw";
    } else if (dims.length === 2) this.shape = [dims[1]];
    else throw this.error(`expected an input of shape [batch, features] or [batch, channels, height, width], found [${dims.join(", ")}]`);
    if (this.shape.some((d) => !(d > 0))) throw this.error(`the input's sizes must be fixed numbers, found [${dims.join(", ")}]`);
    this.inputShape = [...this.shape];
    let current = inputs[0].name ?? "";
    const nodes = this.graph.node ?? [];
    const outputsWanted = new Set((this.graph.output ?? []).map((o) => o.name ?? ""));
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n];
      const op = node.opType ?? "";
      if (op === "Constant" && !shapeOnly.has(node)) {
        addConstants(this.constants, [node]);
        continue;
      }
      if (shapeOnly.has(node)) continue; // a flatten's target shape, worked out at run time
      const gelu = geluEnd(nodes, n, current, this.constants);
      if (gelu !== null) {
        this.activation("gelu");
        current = nodes[gelu].output?.[0] ?? "";
        n = gelu;
        continue;
      }
      // A Reshape's data is its first input; its second is the target shape.
      const data = op === "Reshape" ? (node.input ?? []).slice(0, 1) : (node.input ?? []).filter((name) => name !== "" && !this.constants.has(name));
      if (data.length !== 1 || data[0] !== current) {
        // Outputs after the answer (Glassbox's export writes "probabilities" beside "logits") end the chain.
        if (data.includes(current) || outputsWanted.has(current)) break;
        throw this.error(`node "${node.name || op}" (${op}) does not continue the chain from "${current}"; only one path from input to output is read`);
      }
      // Glassbox's export starts an image model with a Reshape of the flat rows (after any standardisation).
      if (op === "Reshape" && this.inputShape.length === 1 && this.layers.every((l) => l.type === "standardize")) {
        // Glassbox's export: features [batch, H*W*C] (standardised or not) -> [batch, H, W, C].
        const target = this.constant(node, 1).values;
        if (target.length === 4) {
          this.shape = [target[1], target[2], target[3]];
          this.inputShape = [...this.shape];
          this.layout = "nhwc";
          current = node.output?.[0] ?? "";
          continue;
        }
      }
      this.step(node, op);
      current = node.output?.[0] ?? "";
      if (outputsWanted.has(current) && (op === "Softmax" || op === "Sigmoid")) break;
    }
    const last = this.layers[this.layers.length - 1];
    if (last?.type !== "dense") throw this.error("the graph must end in a dense layer (Gemm or MatMul), then optionally Softmax or Sigmoid");
    const outputs = last.units;
    const targetScale =
      this.output === "linear" && (this.scale.mean || this.scale.std)
        ? { mean: Array.from(this.scale.mean ?? new Float64Array(outputs)), std: Array.from(this.scale.std ?? new Float64Array(outputs).fill(1)) }
        : null;
    return { layers: this.layers, tensors: this.tensors, inputShape: this.inputShape, output: this.output, targetScale, outputs };
  }

  private step(node: Node, op: string): void {
    const at = this.layers.length;
    const name = (tensor: string) => `layers.${at}.${tensor}`;
    switch (op) {
      case "Identity":
      case "Dropout":
        return;
      case "Pad":
        // PyTorch writes a Pad of zeros before some pools.
        if (this.constant(node, 1).values.some((v) => v !== 0)) throw this.error(`node "${node.name}": a Pad that pads; Glassbox's windows pad only as "same" convolutions`);
        return;
      case "Transpose": {
        const perm = this.ints(node, "perm");
        if (this.layout === "nhwc" && same(perm, [0, 3, 1, 2])) this.layout = "nchw";
        else if (this.layout === "nchw" && same(perm, [0, 2, 3, 1])) this.layout = "nhwc";
        else throw this.error(`node "${node.name}": a Transpose with perm [${perm.join(", ")}] is not one between NCHW and NHWC`);
        return;
      }
      case "Flatten":
      case "Reshape":
        if (this.shape.length === 3) {
          this.chw = this.layout === "nchw" ? [this.shape[2], this.shape[0], this.shape[1]] : null;
          this.push({ type: "flatten" });
          this.layout = "flat";
        }
        return;
      case "Conv": {
        this.toImage(node);
        const w = this.constant(node, 1);
        const [filters, channels, kh, kw] = w.dims;
        const stride = this.ints(node, "strides", [1, 1]);
        if (kh !== kw || stride[0] !== stride[1] || this.int(node, "group", 1) !== 1 || this.ints(node, "dilations", [1, 1]).some((d) => d !== 1)) {
          throw this.error(`node "${node.name}": Glassbox convolutions are square, one group, no dilation, the same stride both ways`);
        }
        if (channels !== this.shape[2]) throw this.error(`node "${node.name}": weights for ${channels} channels on an input of ${this.shape[2]}`);
        const pads = this.ints(node, "pads", [0, 0, 0, 0]);
        const samePads = padsOf(windowGeometry(this.shape, kh, kw, stride[0], "same"));
        const padding = pads.every((p) => p === 0) ? "valid" : same(pads, samePads) ? "same" : null;
        if (!padding) throw this.error(`node "${node.name}": padding [${pads.join(", ")}] is neither none nor "same" ([${samePads.join(", ")}])`);
        this.tensors.set(name("weight"), oihwToHwio(w.values, kh, channels, filters));
        this.tensors.set(name("bias"), node.input?.[2] ? Float32Array.from(this.constant(node, 2).values) : new Float32Array(filters));
        this.push({ type: "conv2d", filters, size: kh, stride: stride[0], padding });
        return;
      }
      case "MaxPool":
      case "AveragePool": {
        this.toImage(node);
        const kernel = this.ints(node, "kernel_shape");
        const stride = this.ints(node, "strides", kernel);
        if (kernel[0] !== kernel[1] || stride[0] !== stride[1] || this.ints(node, "pads", [0, 0, 0, 0]).some((p) => p !== 0) || this.int(node, "ceil_mode", 0) !== 0) {
          throw this.error(`node "${node.name}": Glassbox pools are square windows, no padding, floor mode`);
        }
        this.push({ type: op === "MaxPool" ? "maxpool" : "avgpool", size: kernel[0], stride: stride[0] });
        return;
      }
      case "GlobalAveragePool":
        this.toImage(node);
        this.push({ type: "globalavgpool" });
        this.layout = "flat";
        return;
      case "BatchNormalization": {
        if (this.shape.length === 3) this.toImage(node);
        const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => Float32Array.from(this.constant(node, i).values));
        this.tensors.set(name("gamma"), gamma);
        this.tensors.set(name("beta"), beta);
        this.tensors.set(name("runningMean"), mean);
        this.tensors.set(name("runningVar"), variance);
        this.push({ type: "batchnorm", epsilon: this.float(node, "epsilon", 1e-5) });
        return;
      }
      case "Gemm": {
        if (this.int(node, "transA", 0) !== 0 || this.float(node, "alpha", 1) !== 1 || this.float(node, "beta", 1) !== 1)
          throw this.error(`node "${node.name}": a Gemm with transA, alpha or beta`);
        const b = this.constant(node, 1);
        const transB = this.int(node, "transB", 0) === 1;
        const [inputs, units] = transB ? [b.dims[1], b.dims[0]] : b.dims;
        // PyTorch's Linear is [units, inputs] (transB); Glassbox's dense [inputs, units].
        const weight = transB ? Float64Array.from(transposed(b.values, units, inputs)) : b.values;
        this.dense(weight, inputs, units, node.input?.[2] ? this.constant(node, 2).values : new Float64Array(units));
        return;
      }
      case "MatMul": {
        const b = this.constant(node, 1);
        this.dense(b.values, b.dims[0], b.dims[1], null); // its bias, if any, is the Add after it
        return;
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div": {
        const value = this.constant(node, 1).values;
        const last = this.layers[this.layers.length - 1];
        if (this.layers.length === 0 && this.layout === "flat" && (op === "Sub" || op === "Div")) {
          // Standardisation before the first layer: (x - mean) / std.
          if (op === "Sub") this.tensors.set("layers.0.mean", Float32Array.from(value));
          else {
            this.tensors.set("layers.0.std", Float32Array.from(value));
            if (!this.tensors.has("layers.0.mean")) this.tensors.set("layers.0.mean", new Float32Array(value.length));
            this.push({ type: "standardize" });
          }
          return;
        }
        if (op === "Add" && last?.type === "dense" && this.pendingBias) {
          this.tensors.set(`layers.${this.layers.length - 1}.bias`, Float32Array.from(value));
          this.pendingBias = false;
          return;
        }
        if (last?.type === "dense" && (op === "Mul" || op === "Add")) {
          // A regression's answer in its label's units: z * std + mean after the last layer.
          if (op === "Mul") this.scale.std = value;
          else this.scale.mean = value;
          this.pendingBias = false;
          return;
        }
        throw this.error(`node "${node.name}": ${op} is read only as a dense layer's bias, a standardisation at the input, or a regression's output scale`);
      }
      case "Softmax":
      case "Sigmoid":
        if (this.isLast(node)) {
          this.output = op === "Softmax" ? "softmax" : "sigmoid";
          return;
        }
        if (op === "Softmax") throw this.error(`node "${node.name}": a softmax is read only as the output`);
        this.activation("sigmoid");
        return;
      case "Relu":
        this.activation("relu");
        return;
      case "LeakyRelu": {
        const alpha = this.float(node, "alpha", 0.01);
        if (Math.abs(alpha - 0.01) > 1e-6) throw this.error(`node "${node.name}": Glassbox's leaky ReLU has slope 0.01, this one ${alpha}`);
        this.activation("leaky_relu");
        return;
      }
      case "Tanh":
        this.activation("tanh");
        return;
      case "Erf":
        throw this.error(`node "${node.name}": Erf is read only inside a GELU (x * (1 + erf(x / sqrt 2)) / 2)`);
    }
  }

  /** After a MatMul: the next Add of a constant is its bias. */
  private pendingBias = false;

  /** A dense layer; `bias` null for a MatMul, whose bias comes as the Add after it. */
  private dense(weight: Float64Array, inputs: number, units: number, bias: Float64Array | null): void {
    const size = sizeOf(this.shape);
    if (inputs !== size) throw this.error(`a dense layer of ${inputs} inputs on ${size} features`);
    if (this.shape.length === 3) this.push({ type: "flatten" });
    const at = this.layers.length;
    let rows = weight;
    if (this.chw) {
      // PyTorch flattened [channels, height, width]; Glassbox flattens [height, width, channels].
      const [c, h, w] = this.chw;
      rows = new Float64Array(weight.length);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let k = 0; k < c; k++) rows.set(weight.subarray((k * h * w + y * w + x) * units, (k * h * w + y * w + x + 1) * units), ((y * w + x) * c + k) * units);
      this.chw = null;
    }
    this.tensors.set(`layers.${at}.weight`, Float32Array.from(rows));
    this.tensors.set(`layers.${at}.bias`, bias ? Float32Array.from(bias) : new Float32Array(units));
    this.pendingBias = bias === null;
    this.push({ type: "dense", units, activation: "linear" });
  }

  /** An activation joins the dense layer before it when that one has none, as `--layers` words do. */
  private activation(activation: Exclude<Activation, "softmax" | "linear">): void {
    this.pendingBias = false;
    const last = this.layers[this.layers.length - 1];
    if (last?.type === "dense" && last.activation === "linear") {
      this.layers[this.layers.length - 1] = { ...last, activation };
      return;
    }
    this.push({ type: "activation", activation });
  }

  private push(spec: LayerSpec): void {
    if (spec.type !== "dense") this.pendingBias = false;
    this.layers.push(spec);
    const shapes = layerShapes(this.layers, this.inputShape);
    this.shape = [...shapes[shapes.length - 1]];
  }

  private toImage(node: Node): void {
    if (this.shape.length !== 3) throw this.error(`node "${node.name}": a window op needs an image, the input here is [${this.shape.join(", ")}]`);
    if (this.layout === "nhwc") throw this.error(`node "${node.name}": a window op on NHWC data (ONNX windows read NCHW)`);
  }

  private isLast(node: Node): boolean {
    const outputs = new Set((this.graph.output ?? []).map((o) => o.name ?? ""));
    return outputs.has(node.output?.[0] ?? "");
  }

  private constant(node: Node, index: number): { dims: number[]; values: Float64Array } {
    const name = node.input?.[index] ?? "";
    const c = this.constants.get(name);
    if (!c) throw this.error(`node "${node.name}": input ${index + 1} ("${name}") must be a constant (an initializer)`);
    return c;
  }

  private attribute(node: Node, name: string) {
    return node.attribute?.find((a) => a.name === name);
  }

  private int(node: Node, name: string, fallback: number): number {
    const a = this.attribute(node, name);
    return a ? Number(a.i) : fallback;
  }

  private ints(node: Node, name: string, fallback?: number[]): number[] {
    const a = this.attribute(node, name);
    if (a) return (a.ints ?? []).map(Number);
    if (fallback) return fallback;
    throw this.error(`node "${node.name}": needs the attribute ${name}`);
  }

  private float(node: Node, name: string, fallback: number): number {
    const a = this.attribute(node, name);
    return a ? Number(a.f) : fallback;
  }

  private error(message: string): GlassboxError {
    return new GlassboxError("BAD_MODEL_FILE", `${this.source}: ${message}`);
  }
}
