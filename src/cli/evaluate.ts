import { count } from "../words.js";
import { GlassboxError } from "../errors.js";
import { loadForModel } from "../data/load.js";
import { loadModel } from "../io/disk.js";
import { evaluate as evaluateNetwork } from "../train/evaluate.js";
import { parse, UsageError } from "./args.js";
import { backendFrom, reportLoaded } from "./data.js";
import { evaluationTable, regressionTable } from "./format.js";
import { evaluateRegression } from "../train/regression.js";
import { fileProgress } from "./progress.js";
import { checkReportPaths, REPORT_OPTIONS, REPORT_USAGE, writeReports } from "./report.js";
import { historyOf } from "../report/html.js";
import { basename } from "node:path";
import { evaluateFolds, FOLDS_USAGE } from "./folds.js";

export const EVALUATE_USAGE = `glassbox evaluate model.safetensors <data> [--label COLUMN] [--report report.html] [--curves curves.png] [--json]
  data: labelled inputs of the kind the model was trained on: a folder per label of images / WAVs / texts
  (its test/ half when it has train/ and test/), an IDX directory (its t10k files), or a CSV with the label column
  --label: the CSV's label column; it must be the one the model was trained on (default: that one)
${REPORT_USAGE}
  a regression reports R², MAE and RMSE; two labels add ROC-AUC, PR-AUC and precision and recall at the threshold
${FOLDS_USAGE}`;

export async function evaluate(argv: string[]): Promise<number> {
  if (argv.some((a) => a === "--folds" || a.startsWith("--folds="))) return evaluateFolds(argv);
  const parsed = parse(argv, { label: { type: "string" }, ...REPORT_OPTIONS }, EVALUATE_USAGE);
  checkReportPaths(parsed.values);
  if (parsed.positionals.length !== 2) throw new UsageError(`expected a model file and a data path, got ${count(parsed.positionals.length, "argument")}\nusage: ${EVALUATE_USAGE}`);
  const [modelPath, dataPath] = parsed.positionals;
  const network = loadModel(modelPath, await backendFrom(parsed.values));
  const label = parsed.values.label;
  if (typeof label === "string") {
    const trained = network.about.labelColumn;
    if (trained === null)
      throw new GlassboxError(
        "BAD_ARGUMENT",
        `--label ${label}: this model was not trained on a CSV column; its labels come from ${network.about.featurizer ? "folder names" : "the data's labels"}`,
      );
    if (trained !== label) throw new GlassboxError("BAD_ARGUMENT", `--label ${label}: this model was trained on the label column "${trained}"; evaluate reads that one`);
  }
  const loaded = await loadForModel(network, [dataPath], true, fileProgress());
  reportLoaded({ ...loaded, detected: "" }, Boolean(parsed.values.json));
  const { data } = loaded;
  writeReports(parsed.values, network, basename(modelPath), data, dataPath, historyOf(network.about.training));
  if (network.spec.output === "linear") {
    const fit = evaluateRegression(network, data);
    const unseen = loaded.unseen ? { unseen_categories: loaded.unseen } : {};
    if (parsed.values.json) {
      const { predictions: _, ...report } = fit;
      process.stdout.write(`${JSON.stringify({ command: "evaluate", task: "regress", ...report, backend: network.backend.name, skipped: loaded.skipped, ...unseen })}\n`);
    } else process.stdout.write(`${regressionTable(fit)}\n`);
    return 0;
  }
  const result = evaluateNetwork(network, data);
  const byLevel = result.accuracyByLevel;
  if (parsed.values.json) {
    process.stdout.write(
      `${JSON.stringify({
        command: "evaluate",
        accuracy: result.accuracy,
        count: result.count,
        loss: result.loss,
        labels: network.labels,
        per_class: result.perClass,
        confusion_matrix: result.confusion,
        backend: network.backend.name,
        ...(byLevel ? { accuracy_by_level: byLevel } : {}),
        ...(result.binary
          ? {
              binary: {
                positive: result.binary.positive,
                roc_auc: result.binary.rocAuc,
                pr_auc: result.binary.prAuc,
                threshold: result.binary.threshold,
                precision: result.binary.precision,
                recall: result.binary.recall,
              },
            }
          : {}),
        ...(result.lowRecall ? { low_recall: result.lowRecall } : {}),
        skipped: loaded.skipped,
        ...(loaded.unseen ? { unseen_categories: loaded.unseen } : {}),
      })}\n`,
    );
  } else {
    const levels = byLevel ? `\naccuracy by level: ${byLevel.map((l) => `${l.depth}: ${(l.accuracy * 100).toFixed(2)}%`).join(", ")}` : "";
    process.stdout.write(`${evaluationTable(result)}${levels}\n`);
  }
  return 0;
}
