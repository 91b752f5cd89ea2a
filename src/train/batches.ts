import { copyRow, type Dataset } from "../data/dataset.js";

/**
 * Copies chosen rows of a dataset into reusable batch buffers. The dataset itself is never
 * copied or changed, so training on 60,000 images holds them in memory once.
 */
export class BatchReader {
  readonly features: Float32Array; // [maxRows, columns]
  readonly labels: Int32Array; // [maxRows]
  readonly targets: Float32Array; // [maxRows, outputs]

  constructor(
    private readonly data: Dataset,
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
      copyRow(data, row, this.features, i * d);
      if (data.labels) this.labels[i] = data.labels[row];
      if (data.targets) this.targets.set(data.targets.subarray(row * outputs, (row + 1) * outputs), i * outputs);
    }
  }
}

/** 0, 1, ..., n-1 */
export function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
