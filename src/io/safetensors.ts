import { GlassboxError } from "../errors.js";

/**
 * The safetensors layout: an 8-byte little-endian header length N, N bytes of JSON header
 * (padded with spaces to a multiple of 8), then the raw little-endian tensor bytes. The header
 * maps each tensor name to {dtype, shape, data_offsets: [begin, end]} relative to the data,
 * plus "__metadata__": a map of strings to strings. Reading it runs no code.
 */

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: NamedTensor[];
}

/** Encodes float32 tensors and string metadata. */
export function encodeSafetensors({ metadata, tensors }: SafetensorsFile): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

/** Decodes a safetensors file of float32 tensors; any inconsistency is a BAD_MODEL_FILE error naming `source`. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const fail = (what: string): never => {
    throw new GlassboxError("BAD_MODEL_FILE", `${source}: ${what}`);
  };
  if (bytes.length < 8) fail(`truncated or not a model file: ${bytes.length} bytes, expected at least an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    fail(`truncated or not a model file: the header length says ${headerLength} bytes but only ${bytes.length - 8} follow`);
  }
  const headerEnd = 8 + Number(headerLength);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch {
    return fail("not a model file: its header is not JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("not a model file: its header is not a JSON object");
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const dataLength = bytes.length - headerEnd;
  const tensors: NamedTensor[] = [];
  let end = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== "F32") fail(`tensor "${name}" has dtype ${dtype}; Glassbox models hold F32 tensors`);
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) fail(`tensor "${name}" has no valid shape and data_offsets`);
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, stop] = offsets;
    if (stop - begin !== count * 4) fail(`tensor "${name}" of shape [${shape.join(", ")}] should take ${count * 4} bytes, its offsets span ${stop - begin}`);
    if (begin < 0 || stop > dataLength) {
      fail(`truncated: tensor "${name}" needs bytes ${begin}..${stop} of the data but the file holds ${dataLength}`);
    }
    const data = new Float32Array(count);
    const at = headerEnd + begin;
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i, true);
    tensors.push({ name, shape, data });
    end = Math.max(end, stop);
  }
  if (end !== dataLength) fail(`expected ${end} bytes of tensor data after the header, found ${dataLength}`);
  return { metadata, tensors };
}
