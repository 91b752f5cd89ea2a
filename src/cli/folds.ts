import { loadTrainingData } from "../data/load.js";
import { crossValidate } from "../train/folds.js";
import { integer, onePositional, parse } from "./args.js";
import { backendFrom, reportLoaded } from "./data.js";
import { count } from "./format.js";
import { fileProgress } from "./progress.js";
import { TRAIN_OPTIONS, trainSettings } from "./train.js";

export const FOLDS_USAGE = `glassbox evaluate --folds 5 <data> [train options: --label, --epochs, --hidden, --layers, ...] [--json]
  trains one model per fold on the other folds and reports each metric's mean, spread and range over the folds
  data: what train reads (a CSV, a folder per label, an IDX directory); a classifier's folds keep its label mix`;

const { out: _out, resume: _resume, ...OPTIONS } = TRAIN_OPTIONS;

/** evaluate --folds K: k-fold cross-validation of the train options on one dataset. */
export async function evaluateFolds(argv: string[]): Promise<number> {
  const parsed = parse(argv, { ...OPTIONS, folds: { type: "string" } }, FOLDS_USAGE);
  const { values } = parsed;
  const dataPath = onePositional(parsed, "one data path (with --folds, evaluate trains its own models: no model file)", FOLDS_USAGE);
  const folds = integer(values, "folds", 5, 2);
  const backend = await backendFrom(values);
  const { settings, dataOptions } = trainSettings(values, backend);
  const loaded = await loadTrainingData(dataPath, { ...dataOptions, onProgress: fileProgress() });
  reportLoaded(loaded, Boolean(values.json));
  if (!values.json) process.stderr.write(`training ${folds} models, one per fold...\n`);
  const result = await crossValidate(loaded, { ...settings, folds });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ command: "evaluate", folds, fold_rows: result.foldRows, metrics: result.metrics, backend: backend.name })}\n`);
    return 0;
  }
  const rows = result.foldRows.reduce((a, b) => a + b, 0);
  const lines = [`${folds}-fold cross-validation on ${count(rows, "row")} (${result.foldRows.join(", ")} held out in turn)`];
  const width = Object.keys(result.metrics).reduce((widest, name) => Math.max(widest, name.length), 0);
  for (const [name, m] of Object.entries(result.metrics)) {
    lines.push(`${name.padEnd(width)}  ${m.mean.toFixed(3)} ± ${m.std.toFixed(3)}  (${m.min.toFixed(3)} to ${m.max.toFixed(3)})`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
