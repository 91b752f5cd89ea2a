import { GlassboxError } from "../errors.js";
import { featureRows, type Dataset } from "../data/dataset.js";
import type { Network } from "../model/network.js";

/** How close a regression's predictions come to one target. */
export interface TargetFit {
  name: string;
  /** 1 - (sum of squared errors) / (sum of squares about the target's mean): 1 is perfect, 0 is predicting the mean. */
  r2: number;
  /** Mean absolute error, in the target's units. */
  mae: number;
  /** Root mean squared error, in the target's units. */
  rmse: number;
}

/** A regression's fit on a dataset: the targets' mean R², MAE and RMSE (as scikit-learn averages them), and each target's. */
export interface RegressionReport {
  count: number;
  r2: number;
  mae: number;
  rmse: number;
  targets: TargetFit[];
  /** Each row's predictions, [rows, targets], in the targets' units. */
  predictions: Float32Array;
}

/**
 * R², MAE and RMSE of a regression model on a dataset with targets, in the targets' units.
 * @example evaluateRegression(network, testSet).r2 // e.g. 0.83
 */
export function evaluateRegression(network: Network, data: Dataset): RegressionReport {
  if (network.spec.output !== "linear") throw new GlassboxError("BAD_ARGUMENT", "evaluateRegression reports a regression's errors; this model is a classifier (use evaluate)");
  if (!data.targets) throw new GlassboxError("BAD_DATA", `${data.source} has no target values to evaluate against`);
  if (data.rows === 0) throw new GlassboxError("BAD_DATA", `${data.source} has no rows to evaluate on`);
  const predictions = network.predict(featureRows(data), data.rows);
  return regressionReport(network.labels, predictions, data.targets, data.rows);
}

/** The report of predictions against targets, both [rows, names.length]. */
export function regressionReport(names: string[], predictions: Float32Array, targets: Float32Array, rows: number): RegressionReport {
  const k = names.length;
  const targetFits = names.map((name, j) => {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += targets[i * k + j] / rows;
    let squared = 0;
    let absolute = 0;
    let spread = 0;
    for (let i = 0; i < rows; i++) {
      const error = predictions[i * k + j] - targets[i * k + j];
      squared += error * error;
      absolute += Math.abs(error);
      spread += (targets[i * k + j] - mean) ** 2;
    }
    // A constant target: R² is 1 for exact predictions, else 0 (scikit-learn's convention).
    const r2 = spread > 0 ? 1 - squared / spread : squared === 0 ? 1 : 0;
    return { name, r2, mae: absolute / rows, rmse: Math.sqrt(squared / rows) };
  });
  const average = (pick: (t: TargetFit) => number): number => targetFits.reduce((s, t) => s + pick(t), 0) / k;
  return { count: rows, r2: average((t) => t.r2), mae: average((t) => t.mae), rmse: average((t) => t.rmse), targets: targetFits, predictions };
}
