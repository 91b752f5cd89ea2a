import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { GlassboxError } from "../errors.js";
import { parseCsvDataset, type CsvDatasetOptions } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { idxImagesToFeatures, parseIdx } from "./idx.js";

/** Node-only: reads datasets from disk. The parsers it calls are pure and also run in browsers. */

export interface LoadOptions extends Omit<CsvDatasetOptions, "source"> {
  /** Which half of an IDX directory: "train" reads train-*, "test" reads t10k-*. */
  split: "train" | "test";
}

/**
 * An IDX directory (MNIST layout) or a CSV file -> a dataset.
 * @example loadDataset("data/fashion-mnist-small", { split: "test" }).rows // 2000
 */
export function loadDataset(path: string, options: LoadOptions): Dataset {
  if (!existsSync(path)) throw new GlassboxError("FILE_NOT_FOUND", `no such file or directory: ${path}`);
  if (statSync(path).isDirectory()) return loadIdxDirectory(path, options.split, options.labelNames, options.requireLabel ?? true);
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
 */
export function loadIdxDirectory(dir: string, split: "train" | "test", knownLabels?: string[], requireLabels = true): Dataset {
  const prefix = split === "train" ? "train" : "t10k";
  const imagesPath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const images = parseIdx(readMaybeGzip(imagesPath), imagesPath);
  const { features, rows, columns } = idxImagesToFeatures(images, imagesPath);
  const [, height, width] = images.dims;
  const input = images.dims.length === 3 ? { kind: "image" as const, height, width, channels: 1 } : undefined;
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
  const labelNames = knownLabels ??
    (existsSync(namesPath)
      ? readText(namesPath).split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0)
      : Array.from({ length: maxLabel + 1 }, (_, k) => String(k)));
  labels?.forEach((label, i) => {
    if (label >= labelNames.length) {
      throw new GlassboxError("UNKNOWN_LABEL", `${labelsPath}, image ${i}: unknown label ${label}; expected 0..${labelNames.length - 1} (${labelNames.join(", ")})`);
    }
  });
  return { features, rows, columns, featureNames: null, labels, labelNames, source: imagesPath, input };
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
