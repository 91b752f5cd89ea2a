import { GlassboxError } from "../errors.js";
import type { Dataset } from "../data/dataset.js";
import { lossFor, type Loss } from "../losses/loss.js";
import type { Network } from "../model/network.js";
import type { Matrix } from "../tensor/matrix.js";
import { Random } from "../tensor/random.js";
import { classificationReport, predictedClasses, type ClassificationReport } from "./metrics.js";
import { normalizeRows } from "../data/normalize.js";

export interface Evaluation extends ClassificationReport {
  /** Mean loss over the dataset (unweighted). */
  loss: number;
}

/**
 * Accuracy, per-class precision / recall / F1 and the confusion matrix of a classifier on a
 * labelled dataset (raw features: the network applies its own normalisation).
 * @example evaluate(network, testSet).accuracy // e.g. 0.87
 */
export function evaluate(network: Network, data: Dataset): Evaluation {
  if (!data.labels) throw new GlassboxError("BAD_DATA", `${data.source} has no labels to evaluate against`);
  if (network.spec.output === "linear") throw new GlassboxError("BAD_ARGUMENT", "evaluate reports classification metrics; this model is a regression model");
  checkLabels(network, data);
  const answers = network.predict(data.features, data.rows);
  const report = classificationReport(predictedClasses(answers, data.rows, network.outputs), data.labels, network.labels);
  const loss = measure(network, data, lossFor(network.spec.output), false).loss;
  return { ...report, loss };
}

/** The dataset's label names must be the model's, in the same order, for indices to mean the same. */
export function checkLabels(network: Network, data: Dataset): void {
  const same = data.labelNames.length <= network.labels.length && data.labelNames.every((name, k) => name === network.labels[k]);
  if (!same) {
    throw new GlassboxError(
      "UNKNOWN_LABEL",
      `${data.source} has labels [${data.labelNames.join(", ")}] but the model knows [${network.labels.join(", ")}]`,
    );
  }
}

/**
 * Mean loss and accuracy of `data` (features already normalised when `normalized`), in chunks.
 */
export function measure(network: Network, data: Dataset, loss: Loss, normalized: boolean, chunk = 1024): { loss: number; accuracy: number } {
  const backend = network.backend;
  const random = new Random(0);
  const outputs = network.outputs;
  let lossSum = 0;
  let correct = 0;
  let dLogits: Matrix | null = null;
  let values: Matrix | null = null;
  for (let start = 0; start < data.rows; start += chunk) {
    const n = Math.min(chunk, data.rows - start);
    const x = network.input(n);
    const slice = data.features.subarray(start * data.columns, (start + n) * data.columns);
    backend.write(x, normalized || !network.normalization ? slice : normalizeRows(slice, network.normalization));
    const logits = network.forward(x, false, random);
    if (!dLogits || dLogits.rows !== n) dLogits = backend.matrix(n, outputs);
    const labels = data.labels ? data.labels.subarray(start, start + n) : null;
    if (data.targets) {
      if (!values || values.rows !== n) values = backend.matrix(n, outputs);
      backend.write(values, data.targets.subarray(start * outputs, (start + n) * outputs));
    }
    lossSum += n * loss.compute(backend, logits, { labels, values }, dLogits);
    if (labels) {
      const classes = predictedClasses(backend.read(network.answer(logits)), n, outputs);
      for (let i = 0; i < n; i++) if (classes[i] === labels[i]) correct++;
    }
  }
  return { loss: lossSum / Math.max(data.rows, 1), accuracy: data.labels ? correct / Math.max(data.rows, 1) : NaN };
}
