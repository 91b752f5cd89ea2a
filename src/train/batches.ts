import type { Dataset } from "../data/dataset.js";
import type { Normalization } from "../data/normalize.js";

/**
 * Copies chosen rows of a dataset into reusable batch buffers, standardising them on the way
 * when the network has a normalisation. The dataset itself is never copied or changed, so
 * training on 60,000 images holds them in memory once.
 */
export class BatchReader {
  readonly features: Float32Array; // [maxRows, columns]
  readonly labels: Int32Array; // [maxRows]
  readonly targets: Float32Array; // [maxRows, outputs]

  constructor(
    private readonly data: Dataset,
    private readonly normalization: Normalization | null,
    maxRows: number,
    private readonly outputs: number,
  ) {
    this.features = new Float32Array(maxRows * data.columns);
    this.labels = new Int32Array(maxRows);
    this.targets = new Float32Array(maxRows * outputs);
  }

  /** Rows rows[order[begin]], ..., rows[order[begin + n - 1]] into the first n rows of the buffers. */
  read(rows: Int32Array, order: Int32Array | null, begin: number, n: number): void {
    const { data, outputs } = this;
    const d = data.columns;
    for (let i = 0; i < n; i++) {
      const row = rows[order ? order[begin + i] : begin + i];
      const source = data.features.subarray(row * d, (row + 1) * d);
      if (this.normalization) {
        const { mean, std } = this.normalization;
        for (let j = 0; j < d; j++) this.features[i * d + j] = (source[j] - mean[j]) / std[j];
      } else {
        this.features.set(source, i * d);
      }
      if (data.labels) this.labels[i] = data.labels[row];
      if (data.targets) this.targets.set(data.targets.subarray(row * outputs, (row + 1) * outputs), i * outputs);
    }
  }
}

/** 0, 1, ..., n-1 */
export function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
