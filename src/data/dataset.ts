import { permutation, type Random } from "../tensor/random.js";

/** What one input row is, for tools that show it (an image has a height and width). */
export type InputDescription = { kind: "image"; height: number; width: number; channels: number } | { kind: "table" };

/**
 * A labelled dataset in memory: one row of numbers (features) per example, row-major.
 * Classification rows carry a class index into `labelNames`; regression rows carry `targets`.
 */
/**
 * A dataset's numbers, row-major [rows, columns]: floats, or image bytes that each stand for
 * byte / 255. Image datasets hold bytes, a quarter of the memory (CIFAR-10's 50,000 training
 * photos: 154 MB, not 614 MB), and are converted a batch at a time (featureRows, copyRow).
 */
export type FeatureArray = Float32Array | Uint8Array;

export interface Dataset {
  features: FeatureArray; // [rows, columns]
  rows: number;
  columns: number;
  /** Names of the feature columns (CSV header), or null when the features have no names (pixels). */
  featureNames: string[] | null;
  /** Class index per row, or null for unlabelled data (prediction) and regression. */
  labels: Int32Array | null;
  labelNames: string[];
  /** Regression targets: [rows, labelNames.length], or null for classification. */
  targets?: Float32Array | null;
  /** Where the data came from, for messages. */
  source: string;
  /** The table column that holds the label (CSV). */
  labelColumn?: string;
  /** What a row is, when the reader knows (IDX images, CSV tables). */
  input?: InputDescription;
}

/** The rows `indices` of `data`, copied into a new dataset. */
export function selectRows(data: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  const features = data.features instanceof Uint8Array ? new Uint8Array(n * data.columns) : new Float32Array(n * data.columns);
  const labels = data.labels ? new Int32Array(n) : null;
  const outputs = data.labelNames.length;
  const targets = data.targets ? new Float32Array(n * outputs) : null;
  for (let i = 0; i < n; i++) {
    const row = indices[i];
    features.set(data.features.subarray(row * data.columns, (row + 1) * data.columns), i * data.columns);
    if (labels && data.labels) labels[i] = data.labels[row];
    if (targets && data.targets) targets.set(data.targets.subarray(row * outputs, (row + 1) * outputs), i * outputs);
  }
  return { ...data, features, rows: n, labels, targets };
}

/** Whether `data` is a regression's: target values to predict and no class labels. */
export function isRegression(data: Pick<Dataset, "targets" | "labels">): boolean {
  return data.targets != null && !data.labels;
}

/** Row `row` of `data`'s features into `out` from `at`, as floats (bytes become byte / 255). */
export function copyRow(data: Pick<Dataset, "features" | "columns">, row: number, out: Float32Array, at: number): void {
  const d = data.columns;
  const from = data.features.subarray(row * d, (row + 1) * d);
  if (from instanceof Float32Array) {
    out.set(from, at);
    return;
  }
  for (let j = 0; j < d; j++) out[at + j] = from[j] / 255;
}

/** Rows [start, start + count) of `data`'s features as floats: a view of float features, a converted copy of bytes. */
export function featureRows(data: Pick<Dataset, "features" | "columns" | "rows">, start = 0, count = data.rows - start): Float32Array {
  const d = data.columns;
  if (data.features instanceof Float32Array) return data.features.subarray(start * d, (start + count) * d);
  const out = new Float32Array(count * d);
  for (let i = 0; i < count; i++) copyRow(data, start + i, out, i * d);
  return out;
}

/** Image features (0..1 floats) as the bytes a dataset holds: each rounded to the nearest of 256 levels. */
export function imageBytes(features: Float32Array): Uint8Array {
  const out = new Uint8Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, features[i])) * 255);
  return out;
}

/** The row indices of each fold: a classifier's rows dealt label by label, a regression's shuffled and cut. */
export function foldsOf(data: Dataset, folds: number, random: Random): number[][] {
  const parts: number[][] = Array.from({ length: folds }, () => []);
  const order = permutation(data.rows, random);
  const labels = data.labels;
  if (!labels) {
    order.forEach((row, i) => parts[i % folds].push(row));
    return parts;
  }
  // Label by label, each label's rows in the shuffled order, dealt on from where the last label stopped.
  let next = 0;
  for (let label = 0; label < data.labelNames.length; label++) {
    for (const row of order) if (labels[row] === label) parts[next++ % folds].push(row);
  }
  return parts.map((p) => p.sort((a, b) => a - b));
}

/** The rows 0..rows-1 that are not in `held` (a fold's training rows), in order. */
export function otherRows(rows: number, held: readonly number[]): Int32Array {
  const inHeld = new Set(held);
  return Int32Array.from({ length: rows }, (_, i) => i).filter((i) => !inHeld.has(i));
}
