import onnxProto from "onnx-proto";
import { GlassboxError } from "../errors.js";

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;

/** Constant tensors of a graph (initializers and Constant nodes) by name, as float64. */
export type Constants = Map<string, { dims: number[]; values: Float64Array }>;

/** What reading an ONNX graph needs besides the chain of layers: the ops it reads, tensor values, small checks. */

/** The ONNX ops a graph may hold to be read: a chain of layers as PyTorch's torch.onnx.export and Glassbox's export write them. */
export const IMPORTED_OPS = [
  "Conv",
  "Gemm",
  "MatMul",
  "Add",
  "Sub",
  "Div",
  "Mul",
  "Relu",
  "LeakyRelu",
  "Sigmoid",
  "Tanh",
  "Softmax",
  "MaxPool",
  "AveragePool",
  "GlobalAveragePool",
  "BatchNormalization",
  "Flatten",
  "Reshape",
  "Transpose",
  "Dropout",
  "Identity",
  "Constant",
  "Pad",
  "Erf",
] as const;

/** Ops that move shapes about rather than compute: an unsupported layer (an LSTM) is named before these. */
export const PLUMBING = new Set<string>(["Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast", "ConstantOfShape", "Expand", "Range", "Equal", "Where"]);

export function parseJson<T>(text: string | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** A tensor's numbers as float64: float32 or int64, in raw bytes or in the typed fields. */
export function valuesOf(t: onnxProto.onnx.ITensorProto): Float64Array {
  const type = t.dataType;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  // A copy of just these bytes: protobufjs may hand a view into a larger (pooled) buffer.
  const copy = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer;
  if (type === onnx.TensorProto.DataType.FLOAT) return raw ? Float64Array.from(new Float32Array(copy(raw))) : Float64Array.from(t.floatData ?? []);
  if (type === onnx.TensorProto.DataType.INT64) return raw ? Float64Array.from(new BigInt64Array(copy(raw)), Number) : Float64Array.from((t.int64Data ?? []).map(Number));
  if (type === onnx.TensorProto.DataType.DOUBLE) return raw ? new Float64Array(copy(raw)) : Float64Array.from(t.doubleData ?? []);
  throw new GlassboxError("BAD_MODEL_FILE", `tensor "${t.name}": data type ${type} is not read (float, double and int64 are)`);
}

export function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * GELU written out, as opset 13 needs it (torch.onnx.export and Glassbox's export alike):
 * Div(x, sqrt 2) -> Erf -> Add(1) -> Mul(x, that) -> Mul(0.5). The index of its last node, or null.
 */
export function geluEnd(nodes: Node[], n: number, x: string, constants: Constants): number | null {
  const near = (node: Node | undefined, op: string, value: number): boolean => {
    if (node?.opType !== op) return false;
    const c = (node.input ?? []).map((name) => constants.get(name)).find((v) => v !== undefined);
    return c !== undefined && c.values.length === 1 && Math.abs(c.values[0] - value) < 1e-4;
  };
  // The next five nodes that compute (PyTorch puts Constant nodes between them).
  const at: number[] = [];
  for (let k = n; k < nodes.length && at.length < 5; k++) if (nodes[k].opType !== "Constant") at.push(k);
  addConstants(constants, nodes.slice(n, (at[at.length - 1] ?? n) + 1));
  const [div, erf, add, mul, half] = at.map((k) => nodes[k]);
  const out = (node: Node | undefined): string => node?.output?.[0] ?? "";
  if (!near(div, "Div", Math.SQRT2) || div.input?.[0] !== x) return null;
  if (erf?.opType !== "Erf" || erf.input?.[0] !== out(div) || !near(add, "Add", 1) || !add.input?.includes(out(erf))) return null;
  if (mul?.opType !== "Mul" || !mul.input?.includes(x) || !mul.input?.includes(out(add)) || !near(half, "Mul", 0.5) || !half.input?.includes(out(mul))) return null;
  return at[4];
}

/** Constant nodes' values, by their output names. */
export function addConstants(constants: Constants, nodes: Node[]): void {
  for (const node of nodes) {
    if (node.opType !== "Constant") continue;
    const t = node.attribute?.find((a) => a.name === "value")?.t;
    if (t) constants.set(node.output?.[0] ?? "", { dims: (t.dims ?? []).map(Number), values: valuesOf(t) });
  }
}

/**
 * The nodes that only compute a Reshape's target shape: PyTorch writes `x.view(x.size(0), -1)`
 * as Shape, Gather, Unsqueeze and Concat feeding the Reshape's second input. Every output of
 * such a node goes to another of them or to a Reshape's shape.
 */
export function shapeOnlyNodes(nodes: Node[]): Set<Node> {
  const users = new Map<string, { node: Node; slot: number }[]>();
  for (const node of nodes) (node.input ?? []).forEach((name, slot) => users.set(name, [...(users.get(name) ?? []), { node, slot }]));
  const found = new Set<Node>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const node of nodes) {
      if (found.has(node) || !(PLUMBING.has(node.opType ?? "") || node.opType === "Constant")) continue;
      const uses = (node.output ?? []).flatMap((name) => users.get(name) ?? []);
      if (uses.length > 0 && uses.every((u) => found.has(u.node) || (u.node.opType === "Reshape" && u.slot === 1))) {
        found.add(node);
        grew = true;
      }
    }
  }
  return found;
}
