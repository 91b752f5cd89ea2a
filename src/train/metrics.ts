/** Classification metrics from predicted and true class indices. */

// Which class a row of answers says is a fact of the model: model/classify.ts decides it.
export { predictedClasses } from "../model/classify.js";

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** How many rows truly have this label. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  count: number;
  perClass: ClassMetrics[];
  /** confusion[actual][predicted] = count of rows */
  confusion: number[][];
}

/**
 * @example classificationReport(Int32Array.of(0, 1, 1), Int32Array.of(0, 1, 0), ["a", "b"]).accuracy // 2/3
 */
export function classificationReport(predicted: Int32Array, actual: Int32Array, labels: string[]): ClassificationReport {
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    confusion[actual[i]][predicted[i]]++;
    if (actual[i] === predicted[i]) correct++;
  }
  const perClass = labels.map((label, c) => {
    const truePositives = confusion[c][c];
    const predictedCount = confusion.reduce((sum, row) => sum + row[c], 0);
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const precision = predictedCount > 0 ? truePositives / predictedCount : 0;
    const recall = support > 0 ? truePositives / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  return { accuracy: actual.length > 0 ? correct / actual.length : 0, count: actual.length, perClass, confusion };
}
