/** What one input row is, for tools that show it (an image has a height and width). */
export type InputDescription = { kind: "image"; height: number; width: number; channels: number } | { kind: "table" };

/**
 * A labelled dataset in memory: one row of numbers (features) per example, row-major.
 * Classification rows carry a class index into `labelNames`; regression rows carry `targets`.
 */
export interface Dataset {
  features: Float32Array; // [rows, columns]
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
  const features = new Float32Array(n * data.columns);
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
