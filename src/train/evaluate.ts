import { GlassboxError } from "../errors.js";
import { featureRows, type Dataset } from "../data/dataset.js";
import { lossFor, type Loss } from "../losses/index.js";
import { accuracyByLevel } from "../model/hierarchy.js";
import type { Network } from "../model/network.js";
import type { Tensor } from "../tensor/tensor.js";
import { classificationReport, predictedClasses, type ClassificationReport } from "./metrics.js";
import { BatchReader, allRows } from "./batches.js";
import { averagePrecision, rocAuc } from "./curves.js";

export interface Evaluation extends ClassificationReport {
  /** Mean loss over the dataset (unweighted). */
  loss: number;
  /** For a model with label categories: the accuracy at each level (the last is the labels'), else null. */
  accuracyByLevel: { depth: number; accuracy: number }[] | null;
  /** For two labels: how well the scores rank the second label (the positive) above the first, and precision and recall at the threshold used. */
  binary: { positive: string; rocAuc: number; prAuc: number; threshold: number; precision: number; recall: number } | null;
  /** A label whose recall is under half the mean of the others', with both, else null: a hint to weigh the classes. */
  lowRecall: { label: string; recall: number; others: number } | null;
}

/**
 * Accuracy, per-class precision / recall / F1 and the confusion matrix of a classifier on a
 * labelled dataset (raw features: the network standardises them itself when it does).
 * @example evaluate(network, testSet).accuracy // e.g. 0.87
 */
export function evaluate(network: Network, data: Dataset): Evaluation {
  if (!data.labels) throw new GlassboxError("BAD_DATA", `${data.source} has no labels to evaluate against`);
  if (network.spec.output === "linear") throw new GlassboxError("BAD_ARGUMENT", "evaluate reports classification metrics; this model is a regression model");
  checkLabels(network, data);
  const loss = measure(network, data, allRows(data.rows), lossFor(network.spec.output)).loss;
  return { ...evaluateAnswers(network, data, network.predict(featureRows(data), data.rows)), loss };
}

/**
 * evaluate's metrics, but of answers made elsewhere: `answers` [data.rows, outputs] as the
 * network's predict gives them (a bag's out-of-fold answers), the network giving labels and threshold.
 */
export function evaluateAnswers(network: Network, data: Dataset, answers: Float32Array): Omit<Evaluation, "loss"> {
  const labels = data.labels;
  if (!labels) throw new GlassboxError("BAD_DATA", `${data.source} has no labels to evaluate against`);
  checkLabels(network, data);
  const report = classificationReport(predictedClasses(answers, data.rows, network.outputs, network.threshold), labels, network.labels);
  const hierarchy = network.about.hierarchy;
  const byLevel = hierarchy ? accuracyByLevel(answers, network.outputs, labels, hierarchy) : null;
  return { ...report, accuracyByLevel: byLevel, binary: binaryMetrics(network, answers, labels, report), lowRecall: lowRecall(report) };
}

/** Ranking metrics of a two-label model: its score is the probability of the second label. */
function binaryMetrics(network: Network, answers: Float32Array, labels: Int32Array, report: ClassificationReport): Evaluation["binary"] {
  if (network.labels.length !== 2) return null;
  const outputs = network.outputs;
  const scores = Float32Array.from({ length: labels.length }, (_, i) => answers[i * outputs + outputs - 1]);
  const positive = Array.from(labels, (label) => label === 1);
  const { precision, recall } = report.perClass[1];
  return { positive: network.labels[1], rocAuc: rocAuc(scores, positive), prAuc: averagePrecision(scores, positive), threshold: network.threshold, precision, recall };
}

/** The label with the lowest recall, when it is under half the mean recall of the other labels that have rows. */
function lowRecall(report: ClassificationReport): Evaluation["lowRecall"] {
  const present = report.perClass.filter((c) => c.support > 0);
  if (present.length < 2) return null;
  const worst = present.reduce((low, c) => (c.recall < low.recall ? c : low));
  const others = present.filter((c) => c !== worst).reduce((sum, c) => sum + c.recall, 0) / (present.length - 1);
  return worst.recall < others / 2 ? { label: worst.label, recall: worst.recall, others } : null;
}

/** The dataset's label names must be the model's, in the same order, for indices to mean the same. */
export function checkLabels(network: Network, data: Dataset): void {
  const same = data.labelNames.length <= network.labels.length && data.labelNames.every((name, k) => name === network.labels[k]);
  if (!same) {
    throw new GlassboxError("UNKNOWN_LABEL", `${data.source} has labels [${data.labelNames.join(", ")}] but the model knows [${network.labels.join(", ")}]`);
  }
  // Every class index must name one of the model's labels (kernels index arrays with it).
  const labels = data.labels ?? [];
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i] >= 0 && labels[i] < network.labels.length && Number.isInteger(labels[i]))) {
      throw new GlassboxError(
        "UNKNOWN_LABEL",
        `${data.source}, row ${i + 1}: class index ${labels[i]} is not one of 0..${network.labels.length - 1} (${network.labels.join(", ")})`,
      );
    }
  }
}

/**
 * Mean loss and accuracy over the dataset rows `rows` (raw features), in chunks. Each chunk's loss
 * and correct count stay on the device; `read` takes them back once at the end.
 */
export function measure(network: Network, data: Dataset, rows: Int32Array, loss: Loss, chunk = network.chunkRows): { loss: number; accuracy: number } {
  const { stats, sizes } = measureOnDevice(network, data, rows, loss, chunk);
  return measured(network.backend.read(stats), sizes, rows.length, data.labels !== null);
}

/** measure, reading the device once with readAsync. */
export async function measureAsync(network: Network, data: Dataset, rows: Int32Array, loss: Loss, chunk = network.chunkRows): Promise<{ loss: number; accuracy: number }> {
  const { stats, sizes } = measureOnDevice(network, data, rows, loss, chunk);
  return measured(await network.backend.readAsync(stats), sizes, rows.length, data.labels !== null);
}

/** stats: [chunks, 2] = (mean loss, correct rows) per chunk of `sizes[i]` rows. */
function measureOnDevice(network: Network, data: Dataset, rows: Int32Array, loss: Loss, chunk: number): { stats: Tensor; sizes: number[] } {
  const backend = network.backend;
  const outputs = network.outputs;
  const reader = new BatchReader(data, Math.min(chunk, rows.length), outputs);
  const sizes: number[] = [];
  for (let start = 0; start < rows.length; start += chunk) sizes.push(Math.min(chunk, rows.length - start));
  const stats = backend.tensor([Math.max(sizes.length, 1), 2]);
  let dLogits: Tensor | null = null;
  let values: Tensor | null = null;
  sizes.forEach((n, c) => {
    reader.read(rows, null, c * chunk, n);
    const x = network.input(n);
    backend.write(x, reader.features.subarray(0, n * data.columns));
    const logits = network.infer(x);
    if (!dLogits || dLogits.rows !== n) dLogits = backend.matrix(n, outputs);
    const labels = data.labels ? reader.labels.subarray(0, n) : null;
    if (data.targets) {
      if (!values || values.rows !== n) values = backend.matrix(n, outputs);
      backend.write(values, reader.targets.subarray(0, n * outputs));
    }
    loss.compute(backend, logits, { labels, values }, dLogits, stats, 2 * c);
    // On the answer, as predictedClasses decides: a sigmoid's probability counts as 1 from 0.5.
    if (labels) backend.countCorrect(network.answer(logits), labels, 0.5, stats, 2 * c + 1);
  });
  return { stats, sizes };
}

function measured(stats: ArrayLike<number>, sizes: number[], rows: number, labelled: boolean): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  sizes.forEach((n, c) => {
    lossSum += n * stats[2 * c];
    correct += stats[2 * c + 1];
  });
  const count = Math.max(rows, 1);
  return { loss: lossSum / count, accuracy: labelled ? correct / count : NaN };
}
