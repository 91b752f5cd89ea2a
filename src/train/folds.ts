import { GlassboxError, check } from "../errors.js";
import { foldsOf, otherRows, selectRows, type Dataset } from "../data/dataset.js";
import { Random } from "../tensor/random.js";
import { evaluate } from "./evaluate.js";
import { trainModel, type TrainingInput, type TrainModelOptions } from "./pipeline.js";
import { evaluateRegression } from "./regression.js";

/** One metric over the folds. */
export interface FoldMetric {
  mean: number;
  /** Standard deviation over the folds (n - 1 in the denominator, as for a sample). */
  std: number;
  min: number;
  max: number;
  /** Fold by fold. */
  values: number[];
}

export interface CrossValidation {
  folds: number;
  /** Rows in each fold's held-out part. */
  foldRows: number[];
  /** Classifiers: accuracy, macro_f1 (and roc_auc, pr_auc for two labels); regressions: r2, mae, rmse. */
  metrics: Record<string, FoldMetric>;
}

/**
 * k-fold cross-validation: the rows are dealt into `folds` parts (label by label for a
 * classifier, so each part keeps the label mix), and for each part a model trained on the other
 * parts, with the same options, is measured on it. The featurizer is the one `input` was read
 * with (fitted once on all rows); no network sees the rows it is measured on.
 * @example (await crossValidate(await loadTrainingData("iris.csv", {}), { folds: 5 })).metrics.accuracy.mean // e.g. 0.96
 */
export async function crossValidate(input: TrainingInput, options: TrainModelOptions & { folds?: number } = {}): Promise<CrossValidation> {
  const { folds = 5, ...train } = options;
  const { data } = input;
  check(Number.isInteger(folds) && folds >= 2, `folds must be a whole number >= 2, got ${folds}`);
  if (data.rows < folds) throw new GlassboxError("BAD_DATA", `${data.source}: ${data.rows} rows cannot make ${folds} folds; use fewer folds`);
  const parts = foldsOf(data, folds, new Random(train.seed ?? 1));
  const values: Record<string, number[]> = {};
  for (const held of parts) {
    const rest = otherRows(data.rows, held);
    const { network } = await trainModel({ ...input, data: selectRows(data, rest) }, train);
    const test = selectRows(data, held);
    for (const [name, value] of Object.entries(scores(network, test))) {
      values[name] = [...(values[name] ?? []), value];
    }
  }
  const metrics = Object.fromEntries(Object.entries(values).map(([name, list]) => [name, summary(list)]));
  return { folds, foldRows: parts.map((p) => p.length), metrics };
}

function scores(network: Parameters<typeof evaluate>[0], test: Dataset): Record<string, number> {
  if (network.spec.output === "linear") {
    const report = evaluateRegression(network, test);
    return { r2: report.r2, mae: report.mae, rmse: report.rmse };
  }
  const report = evaluate(network, test);
  const macroF1 = report.perClass.reduce((sum, c) => sum + c.f1, 0) / report.perClass.length;
  return { accuracy: report.accuracy, macro_f1: macroF1, ...(report.binary ? { roc_auc: report.binary.rocAuc, pr_auc: report.binary.prAuc } : {}) };
}

function summary(values: number[]): FoldMetric {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: values.reduce((a, b) => Math.min(a, b)), max: values.reduce((a, b) => Math.max(a, b)), values };
}
