import onnxProto from "onnx-proto";
import type { Activation } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { padsOf, windowGeometry } from "../layers/window.js";
import { hwioToOihw } from "./layouts.js";
import type { LayerSpec } from "../layers/index.js";
import type { Network } from "../model/network.js";
import { sizeOf } from "../tensor/tensor.js";

const { onnx } = onnxProto;

/** The opset the export targets (Gemm, Conv, pools, BatchNormalization, Erf for GELU are all in it). */
export const ONNX_OPSET = 13;

/**
 * A Glassbox model as an ONNX graph that any ONNX consumer runs (ONNX Runtime, Triton,
 * SynapseML): input `features`, [batch, F], exactly the rows Glassbox's featurizer makes; outputs
 * `logits` and `probabilities` (softmax, or the sigmoid's one probability), or `values` for a
 * regression, in the label's units. An image model's features are reshaped to [batch, H, W, C]
 * and transposed to NCHW inside the graph, and back to HWC before a dense layer, so the
 * flattening order is Glassbox's. The labels, the featurizer, the output kind, the decision
 * threshold and the Glassbox version go in `metadata_props`.
 *
 * The layer types are mapped here rather than in layers/: ONNX is a file format, like the model
 * file, and io/ is where formats live.
 * @example writeFileSync("m.onnx", exportOnnx(network, "0.1.0"))
 */
export function exportOnnx(network: Network, version: string): Uint8Array {
  const graph = new GraphBuilder(network);
  const values = new Map(network.tensors().map((t) => [t.name, Float32Array.from(network.backend.read(t.value))]));
  const tensor = (layer: number, name: string): Float32Array => {
    const v = values.get(`layers.${layer}.${name}`);
    if (!v) throw new Error(`layer ${layer} has no tensor ${name}`);
    return v;
  };
  const shapes = network.describe().map((d) => d.inputShape);
  let x = "features";
  let layout: "flat" | "nchw" = "flat";
  let shape: number[] = [...network.inputShape]; // one example's shape in Glassbox's layout
  /** To NCHW, for the window layers. */
  const toImage = (): void => {
    if (layout === "nchw") return;
    if (shape.length !== 3) throw new GlassboxError("BAD_ARGUMENT", `ONNX export: a window layer needs an image input, got [${shape.join(", ")}]`);
    x = graph.node("Reshape", [x, graph.ints("shape", [-1, ...shape])]);
    x = graph.node("Transpose", [x], { perm: [0, 3, 1, 2] });
    layout = "nchw";
  };
  /** To [batch, features] in Glassbox's HWC order, for dense layers. */
  const toFlat = (): void => {
    if (layout === "flat") return;
    x = graph.node("Transpose", [x], { perm: [0, 2, 3, 1] });
    x = graph.node("Flatten", [x], { axis: 1 });
    layout = "flat";
  };
  network.spec.layers.forEach((spec: LayerSpec, i) => {
    const input = shapes[i];
    switch (spec.type) {
      case "standardize":
        if (layout !== "flat") throw new GlassboxError("BAD_ARGUMENT", "ONNX export: a standardize layer is exported on flat features only");
        x = graph.node("Sub", [x, graph.floats(`layers.${i}.mean`, [sizeOf(input)], tensor(i, "mean"))]);
        x = graph.node("Div", [x, graph.floats(`layers.${i}.std`, [sizeOf(input)], tensor(i, "std"))]);
        break;
      case "dense": {
        toFlat();
        const units = spec.units;
        x = graph.node("Gemm", [x, graph.floats(`layers.${i}.weight`, [sizeOf(input), units], tensor(i, "weight")), graph.floats(`layers.${i}.bias`, [units], tensor(i, "bias"))]);
        x = activation(graph, x, spec.activation);
        break;
      }
      case "activation":
        x = activation(graph, x, spec.activation);
        break;
      case "dropout":
        break; // the identity outside training
      case "flatten":
        toFlat();
        break;
      case "conv2d": {
        toImage();
        const size = spec.size ?? 3;
        const stride = spec.stride ?? 1;
        const pads = padsOf(windowGeometry(input, size, size, stride, spec.padding ?? "same"));
        const channels = input[2];
        const filters = spec.filters;
        const oihw = hwioToOihw(tensor(i, "weight"), size, channels, filters);
        x = graph.node("Conv", [x, graph.floats(`layers.${i}.weight`, [filters, channels, size, size], oihw), graph.floats(`layers.${i}.bias`, [filters], tensor(i, "bias"))], {
          kernel_shape: [size, size],
          strides: [stride, stride],
          pads,
        });
        break;
      }
      case "maxpool":
      case "avgpool": {
        toImage();
        const stride = spec.stride ?? spec.size;
        x = graph.node(spec.type === "maxpool" ? "MaxPool" : "AveragePool", [x], { kernel_shape: [spec.size, spec.size], strides: [stride, stride] });
        break;
      }
      case "globalavgpool":
        toImage();
        x = graph.node("GlobalAveragePool", [x]);
        x = graph.node("Flatten", [x], { axis: 1 });
        layout = "flat";
        break;
      case "batchnorm": {
        const c = input[input.length - 1];
        if (input.length === 3) toImage();
        x = graph.node(
          "BatchNormalization",
          [
            x,
            graph.floats(`layers.${i}.gamma`, [c], tensor(i, "gamma")),
            graph.floats(`layers.${i}.beta`, [c], tensor(i, "beta")),
            graph.floats(`layers.${i}.runningMean`, [c], tensor(i, "runningMean")),
            graph.floats(`layers.${i}.runningVar`, [c], tensor(i, "runningVar")),
          ],
          { epsilon: spec.epsilon ?? 1e-5 },
        );
        break;
      }
    }
    shape = [...network.describe()[i].outputShape];
  });
  toFlat();
  const logits = graph.node("Identity", [x], {}, "logits");
  const outputs = network.outputs;
  const output = network.spec.output;
  if (output === "linear") {
    const scale = network.about.targetScale;
    let v = logits;
    if (scale) {
      v = graph.node("Mul", [v, graph.floats("target_std", [outputs], Float32Array.from(scale.std))]);
      v = graph.node("Add", [v, graph.floats("target_mean", [outputs], Float32Array.from(scale.mean))]);
    }
    graph.node("Identity", [v], {}, "values");
  } else graph.node(output === "softmax" ? "Softmax" : "Sigmoid", [logits], output === "softmax" ? { axis: 1 } : {}, "probabilities");
  return graph.encode(version, outputs);
}

function activation(graph: GraphBuilder, x: string, a: Activation): string {
  switch (a) {
    case "linear":
      return x;
    case "relu":
      return graph.node("Relu", [x]);
    case "leaky_relu":
      return graph.node("LeakyRelu", [x], { alpha: 0.01 });
    case "sigmoid":
      return graph.node("Sigmoid", [x]);
    case "tanh":
      return graph.node("Tanh", [x]);
    case "softmax":
      return graph.node("Softmax", [x], { axis: 1 });
    case "gelu": {
      // Opset 13 has no Gelu: x * (1 + erf(x / sqrt 2)) / 2, written out.
      const erf = graph.node("Erf", [graph.node("Div", [x, graph.floats(graph.fresh("sqrt2"), [], Float32Array.of(Math.SQRT2))])]);
      const one = graph.node("Add", [erf, graph.floats(graph.fresh("one"), [], Float32Array.of(1))]);
      return graph.node("Mul", [graph.node("Mul", [x, one]), graph.floats(graph.fresh("half"), [], Float32Array.of(0.5))]);
    }
  }
}

type Attributes = Record<string, number | number[]>;
/** The attributes of the ops used here that are floats; every other number is an integer. */
const FLOAT_ATTRIBUTES = new Set(["alpha", "epsilon"]);

/** Nodes and initializers, named in order. */
class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private count = 0;

  constructor(private readonly network: Network) {}

  fresh(stem: string): string {
    return `${stem}_${this.count++}`;
  }

  node(op: string, inputs: string[], attributes: Attributes = {}, output = this.fresh(op.toLowerCase())): string {
    const attribute = Object.entries(attributes).map(([name, value]) =>
      Array.isArray(value)
        ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: value })
        : FLOAT_ATTRIBUTES.has(name)
          ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value })
          : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value }),
    );
    this.nodes.push(onnx.NodeProto.create({ opType: op, input: inputs, output: [output], name: `${op}_${this.nodes.length}`, attribute }));
    return output;
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(
      onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }),
    );
    return name;
  }

  ints(name: string, values: number[]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) }));
    return name;
  }

  encode(version: string, outputs: number): Uint8Array {
    const network = this.network;
    const floatType = (dims: (number | string)[]) =>
      onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) }),
        }),
      });
    const outputNames = network.spec.output === "linear" ? ["values", "logits"] : ["probabilities", "logits"];
    const graph = onnx.GraphProto.create({
      name: "glassbox",
      node: this.nodes,
      initializer: this.initializers,
      input: [onnx.ValueInfoProto.create({ name: "features", type: floatType(["batch", network.inputs]) })],
      output: outputNames.map((name) => onnx.ValueInfoProto.create({ name, type: floatType(["batch", outputs]) })),
    });
    const about = network.about;
    const metadata: Record<string, string> = {
      glassbox_version: version,
      labels: JSON.stringify(network.labels),
      output: network.spec.output,
      input_shape: JSON.stringify(network.inputShape),
      featurizer: JSON.stringify(about.featurizer),
      feature_names: JSON.stringify(about.featureNames),
      ...(network.labels.length === 2 && network.spec.output !== "linear" ? { threshold: String(network.threshold) } : {}),
    };
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: "glassbox",
      producerVersion: version,
      opsetImport: [{ domain: "", version: ONNX_OPSET }],
      graph,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
