// Kernels of the wasm backend that run in JavaScript over the wasm memory (f: its Float32Array
// view; offsets in floats): standardisation is per column and memory-bound, and counting correct
// answers reads a few numbers per row. Standardisation is in double precision rounded once to
// float32, which is what the reference computes.

/** y = (x - mean) / std per column, x and y [rows, cols]. */
export function standardizeRows(f: Float32Array, x: number, mean: number, std: number, y: number, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) f[y + i * cols + j] = (f[x + i * cols + j] - f[mean + j]) / f[std + j];
  }
}

/** dx = dy / std per column (standardisation's backward pass). */
export function divideColumns(f: Float32Array, dy: number, std: number, dx: number, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) f[dx + i * cols + j] = f[dy + i * cols + j] / f[std + j];
}

/** How many rows of scores [rows, cols] pick their label: the largest score, or for one column score >= threshold. */
export function countCorrectRows(f: Float32Array, scores: number, rows: number, cols: number, labels: Int32Array, threshold: number): number {
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    if (cols === 1) best = f[scores + i] >= threshold ? 1 : 0;
    else for (let j = 1; j < cols; j++) if (f[scores + i * cols + j] > f[scores + i * cols + best]) best = j;
    if (best === labels[i]) correct++;
  }
  return correct;
}
