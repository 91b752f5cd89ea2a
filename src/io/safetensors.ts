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

/**
 * Whether this machine stores floats little-endian, as the file does: then tensor bytes are
 * copied whole (100 MB in 0.03 s, against 0.3 s a float at a time). Every platform JavaScript
 * runs on today is little-endian; the float-at-a-time path keeps a big-endian one correct.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
    if (LITTLE_ENDIAN) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
    at += t.data.byteLength;
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
  if (!isObject(metadata) || !Object.values(metadata).every((v) => typeof v === "string")) fail("its __metadata__ must be an object of strings");
  const dataLength = bytes.length - headerEnd;
  const tensors: NamedTensor[] = [];
  let end = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const shown = name.length > 100 ? `${name.slice(0, 100)}...` : name;
    if (!isObject(entry)) fail(`tensor "${shown}" is ${JSON.stringify(entry)?.slice(0, 100)}, not an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (dtype !== "F32") fail(`tensor "${shown}" has dtype ${String(dtype).slice(0, 100)}; Glassbox models hold F32 tensors`);
    if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`tensor "${shown}" has shape ${JSON.stringify(shape)?.slice(0, 100)}; expected a list of whole numbers >= 0`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
      fail(`tensor "${shown}" has data_offsets ${JSON.stringify(offsets)?.slice(0, 100)}; expected [begin, end] with 0 <= begin <= end`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const [begin, stop] = offsets as [number, number];
    if (stop - begin !== count * 4) fail(`tensor "${shown}" of shape [${(shape as number[]).join(", ")}] should take ${count * 4} bytes, its offsets span ${stop - begin}`);
    if (stop > dataLength) fail(`truncated: tensor "${shown}" needs bytes ${begin}..${stop} of the data but the file holds ${dataLength}`);
    const data = new Float32Array(count);
    const at = headerEnd + begin;
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(bytes.subarray(at, at + count * 4));
    else for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i, true);
    tensors.push({ name, shape: shape as number[], data });
    end = Math.max(end, stop);
  }
  if (end !== dataLength) fail(`expected ${end} bytes of tensor data after the header, found ${dataLength}`);
  return { metadata, tensors };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** CRC-32 tables for four bytes at a time ("slicing by 4"): table k advances a byte k places further. */
const CRC_TABLES = (() => {
  const tables = Array.from({ length: 4 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) tables[k][n] = (tables[k - 1][n] >>> 8) ^ tables[0][tables[k - 1][n] & 0xff];
  }
  return tables;
})();

/**
 * CRC-32 (the zlib / PNG polynomial) of the tensors' float32 bytes, in order, as 8 hex digits:
 * the model file's checksum of its data. Little-endian bytes, as the file stores them (every
 * JavaScript engine Glassbox runs on is little-endian), four at a time: 100 MB in about 0.1 s.
 */
export function tensorChecksum(tensors: readonly { data: Float32Array }[]): string {
  const [t0, t1, t2, t3] = CRC_TABLES;
  let crc = 0xffffffff;
  for (const { data } of tensors) {
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < words.length; i++) {
      const c = crc ^ words[i];
      crc = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
    }
  }
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, "0");
}
