import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import { GlassboxError } from "../errors.js";
import { parseCsvDataset, type CsvDatasetOptions } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { invalid, parseIdx, parseIdxHeader } from "./idx.js";

/** Node-only: reads datasets from disk. The parsers it calls are pure and also run in browsers. */

export interface LoadOptions extends Omit<CsvDatasetOptions, "source"> {
  /** Which half of an IDX directory: "train" reads train-*, "test" reads t10k-*. */
  split: "train" | "test";
}

/**
 * An IDX directory (MNIST layout) or a CSV file -> a dataset.
 * @example (await loadDataset("data/fashion-mnist-small", { split: "test" })).rows // 2000
 */
export async function loadDataset(path: string, options: LoadOptions): Promise<Dataset> {
  if (!existsSync(path)) throw new GlassboxError("FILE_NOT_FOUND", `no such file or directory: ${path}`);
  if (statSync(path).isDirectory()) return await loadIdxDirectory(path, options.split, options.labelNames, options.requireLabel ?? true);
  if (/\.csv$/i.test(path)) return parseCsvDataset(readText(path), { ...options, source: path });
  throw new GlassboxError("BAD_DATA", `${path}: expected an IDX directory or a .csv file`);
}

/** Reads a file, gunzipping it when it starts with the gzip magic bytes. */
export function readMaybeGzip(path: string): Uint8Array {
  const bytes = readBytes(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw new GlassboxError("BAD_DATA", `${path} looks gzipped but does not decompress: ${(error as Error).message}`);
    }
  }
  return bytes;
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new GlassboxError("FILE_NOT_FOUND", `no such file: ${path}`);
    throw new GlassboxError("BAD_DATA", `cannot read ${path}: ${(error as Error).message}`);
  }
}

function readText(path: string): string {
  return new TextDecoder().decode(readBytes(path));
}

/**
 * train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz] (or t10k-*), and optionally
 * labels.txt with one class name per line; without it the classes are named "0", "1", ...
 * The labels file may be absent when `requireLabels` is false (prediction).
 * @example (await loadIdxDirectory("data/fashion-mnist-small", "train")).columns // 784
 */
export async function loadIdxDirectory(dir: string, split: "train" | "test", knownLabels?: string[], requireLabels = true): Promise<Dataset> {
  const prefix = split === "train" ? "train" : "t10k";
  const imagesPath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const { dims, features } = await readIdxImages(imagesPath);
  const rows = dims[0];
  const columns = rows > 0 ? features.length / rows : 0;
  const [, height, width] = dims;
  const input = dims.length === 3 ? { kind: "image" as const, height, width, channels: 1 } : undefined;
  const labelsPath = requireLabels ? findFile(dir, `${prefix}-labels-idx1-ubyte`) : tryFindFile(dir, `${prefix}-labels-idx1-ubyte`);
  let labels: Int32Array | null = null;
  if (labelsPath) {
    const labelArray = parseIdx(readMaybeGzip(labelsPath), labelsPath);
    if (labelArray.dims.length !== 1 || labelArray.dims[0] !== rows) {
      throw new GlassboxError("BAD_DATA", `${labelsPath}: expected ${rows} labels (one per image in ${imagesPath}), got [${labelArray.dims.join(", ")}]`);
    }
    labels = Int32Array.from(labelArray.data);
  }
  const namesPath = join(dir, "labels.txt");
  const maxLabel = labels ? labels.reduce((a, b) => Math.max(a, b), 0) : -1;
  const labelNames =
    knownLabels ??
    (existsSync(namesPath)
      ? readText(namesPath)
          .split(/\r?\n/)
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
      : Array.from({ length: maxLabel + 1 }, (_, k) => String(k)));
  labels?.forEach((label, i) => {
    if (label >= labelNames.length) {
      throw new GlassboxError("UNKNOWN_LABEL", `${labelsPath}, image ${i}: unknown label ${label}; expected 0..${labelNames.length - 1} (${labelNames.join(", ")})`);
    }
  });
  return { features, rows, columns, featureNames: null, labels, labelNames, source: imagesPath, input };
}

/**
 * Streams an IDX image file (gzip or raw) straight into the pixel bytes a dataset holds (each
 * stands for brightness byte / 255), so memory holds them and one chunk, never the whole
 * decompressed file as well.
 */
async function readIdxImages(path: string): Promise<{ dims: number[]; features: Uint8Array }> {
  let stream: Readable = createReadStream(path);
  if (startsWithGzipMagic(path)) stream = stream.pipe(createGunzip());
  let pending = new Uint8Array(0);
  let header: { dims: number[]; headerSize: number } | null = null;
  let features: Uint8Array | null = null;
  let filled = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      let bytes = chunk;
      if (!features) {
        const joined = new Uint8Array(pending.length + bytes.length);
        joined.set(pending);
        joined.set(bytes, pending.length);
        header = parseIdxHeader(joined, path);
        if (!header) {
          pending = joined;
          continue;
        }
        if (header.dims.length < 2) invalid(path, `expected images [count, height, width], got dimensions [${header.dims.join(", ")}]`);
        features = new Uint8Array(header.dims.reduce((a, b) => a * b, 1));
        bytes = joined.subarray(header.headerSize);
      }
      if (filled + bytes.length > features.length) invalid(path, `it holds more than the ${features.length} values its header promises`);
      features.set(bytes, filled);
      filled += bytes.length;
    }
  } catch (error) {
    if (error instanceof GlassboxError) throw error;
    throw new GlassboxError("BAD_DATA", `cannot read ${path}: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
  if (!header || !features) return invalid(path, "the file ends inside its header");
  if (filled !== features.length) {
    invalid(path, `the header promises ${header.dims.join("x")} = ${features.length} values, the file holds ${filled} (truncated or corrupt)`);
  }
  return { dims: header.dims, features };
}

function startsWithGzipMagic(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const magic = new Uint8Array(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function tryFindFile(dir: string, base: string): string | null {
  for (const name of [`${base}.gz`, base]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function findFile(dir: string, base: string): string {
  const found = tryFindFile(dir, base);
  if (found) return found;
  const present = readdirSync(dir).join(", ") || "nothing";
  throw new GlassboxError("FILE_NOT_FOUND", `${dir} has no ${base}.gz or ${base}; it holds: ${present}`);
}
