import type { Probe } from "./probe.js";

/** What every method receives: the inputs to explain, checked, with one label each. */
export interface Job {
  probe: Probe;
  /** Raw feature rows: [rows, features]. */
  inputs: Float32Array;
  rows: number;
  /** The explained label of each row: [rows]. */
  labels: Int32Array;
  /** One raw feature row: [features]. */
  baseline: Float32Array;
  /** f of each input row: [rows]. */
  outputs: Float64Array;
}

/** What a method returns, for every row at once. */
export interface MethodResult {
  /** [rows, features] */
  attributions: Float64Array;
  /** Per-player values [rows, players] (shap, occlusion), whose sum is compared for delta; else null. */
  playerValues: Float64Array | null;
  /** Methods with their own reference answer (shap: the mean over the background) give it here: [rows]. */
  baselineOutputs: Float64Array | null;
  /** Model evaluations per input. */
  steps: number;
  /** Per input, when inputs differ in it (exact integrated gradients: pieces of each path). */
  stepsPerRow?: Int32Array;
}

/** The same label repeated `count` times. */
export function repeatLabel(label: number, count: number): Int32Array {
  return new Int32Array(count).fill(label);
}

/** Splits `rows` into runs of at most `size`: calls back (start, count) for each. */
export function inRuns(rows: number, size: number, each: (start: number, count: number) => void): void {
  const step = Math.max(1, size);
  for (let start = 0; start < rows; start += step) each(start, Math.min(step, rows - start));
}
