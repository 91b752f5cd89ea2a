import onnxProto from "onnx-proto";
import { GlassboxError } from "../errors.js";

const { onnx } = onnxProto;

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
] as const;

/** Ops that move shapes about rather than compute: an unsupported layer (an LSTM) is named before these. */
export const PLUMBING = new Set(["Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast", "ConstantOfShape", "Expand", "Range", "Equal", "Where"]);

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
