import { GlassboxError } from "../errors.js";

/** An array from an IDX file (the MNIST format): its dimensions and unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file already un-gzipped: 0x00 0x00, type 0x08 (unsigned byte), the number of
 * dimensions, one big-endian uint32 per dimension, then the values.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (what: string): never => {
    throw new GlassboxError("BAD_DATA", `${source} is not a valid IDX file: ${what}`);
  };
  if (bytes.length < 4) fail(`expected at least a 4-byte header, got ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`expected the magic number to start with two zero bytes, got ${bytes[0]} ${bytes[1]}`);
  if (bytes[2] !== 0x08) fail(`expected element type 0x08 (unsigned byte), got 0x${bytes[2].toString(16).padStart(2, "0")}`);
  const ndims = bytes[3];
  const headerSize = 4 + 4 * ndims;
  if (ndims < 1 || bytes.length < headerSize) fail(`expected ${ndims} dimension sizes after the magic number, the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerSize !== count) {
    fail(`the header promises ${dims.join("x")} = ${count} values, the file holds ${bytes.length - headerSize} (truncated or corrupt)`);
  }
  return { dims, data: bytes.subarray(headerSize) };
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

/** Images [count, rows, cols] and labels [count] -> a dataset with brightness 0..1 per pixel. */
export function idxImagesToFeatures(images: IdxArray, source: string): { features: Float32Array; rows: number; columns: number } {
  if (images.dims.length < 2) {
    throw new GlassboxError("BAD_DATA", `${source}: expected images [count, height, width], got dimensions [${images.dims.join(", ")}]`);
  }
  const rows = images.dims[0];
  const columns = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const features = new Float32Array(rows * columns);
  for (let i = 0; i < features.length; i++) features[i] = images.data[i] / 255;
  return { features, rows, columns };
}
