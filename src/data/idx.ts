import { GlassboxError } from "../errors.js";

/** An array from an IDX file (the MNIST format): its dimensions and unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Reads the header of an IDX file: 0x00 0x00, type 0x08 (unsigned byte), the number of
 * dimensions, then one big-endian uint32 per dimension. Returns null when `bytes` is too short
 * to hold the whole header yet (a stream may bring the rest).
 */
export function parseIdxHeader(bytes: Uint8Array, source: string): { dims: number[]; headerSize: number } | null {
  if (bytes.length < 4) return null;
  if (bytes[0] !== 0 || bytes[1] !== 0) invalid(source, `expected the magic number to start with two zero bytes, got ${bytes[0]} ${bytes[1]}`);
  if (bytes[2] !== 0x08) invalid(source, `expected element type 0x08 (unsigned byte), got 0x${bytes[2].toString(16).padStart(2, "0")}`);
  const ndims = bytes[3];
  if (ndims < 1) invalid(source, "expected at least one dimension");
  const headerSize = 4 + 4 * ndims;
  if (bytes.length < headerSize) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  return { dims, headerSize };
}

/** Parses a whole IDX file already un-gzipped. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const header = parseIdxHeader(bytes, source) ?? invalid(source, `the file ends inside its header (${bytes.length} bytes)`);
  const count = header.dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header.headerSize !== count) {
    invalid(source, `the header promises ${header.dims.join("x")} = ${count} values, the file holds ${bytes.length - header.headerSize} (truncated or corrupt)`);
  }
  return { dims: header.dims, data: bytes.subarray(header.headerSize) };
}

export function invalid(source: string, what: string): never {
  throw new GlassboxError("BAD_DATA", `${source} is not a valid IDX file: ${what}`);
}

/** Encodes unsigned bytes as an IDX file (for writing subsets of IDX datasets). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
