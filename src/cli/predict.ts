import { count } from "../words.js";
import { loadForModel, type LoadedData } from "../data/load.js";
import { loadModel } from "../io/disk.js";
import { classify } from "../model/classify.js";
import { integer, parse, UsageError } from "./args.js";
import { backendFrom, reportLoaded } from "./data.js";
import { float32Text, predictionInWords } from "./format.js";
import { featureRows, type Dataset } from "../data/dataset.js";
import type { Network } from "../model/network.js";

export const PREDICT_USAGE = `glassbox predict model.safetensors <data>... [--top 3] [--limit N] [--json]
  data: files the model reads (photo.png, clip.wav, mail.txt, rows.csv), a folder of them, or a dataset
  --top: labels shown per row, most probable first (default 3); a regression prints its values instead
  --limit: the first N rows only (default: all)`;

export async function predict(argv: string[]): Promise<number> {
  const parsed = parse(argv, { top: { type: "string" }, limit: { type: "string" } }, PREDICT_USAGE);
  if (parsed.positionals.length < 2)
    throw new UsageError(`expected a model file and at least one data path, got ${count(parsed.positionals.length, "argument")}\nusage: ${PREDICT_USAGE}`);
  const [modelPath, ...dataPaths] = parsed.positionals;
  const top = integer(parsed.values, "top", 3);
  const network = loadModel(modelPath, await backendFrom(parsed.values));
  const loaded = await loadForModel(network, dataPaths, false);
  reportLoaded({ ...loaded, detected: "" }, Boolean(parsed.values.json));
  const { data, files } = loaded;
  const rows = Math.min(data.rows, integer(parsed.values, "limit", data.rows));
  if (network.spec.output === "linear") return predictValues(network, data, rows, files, parsed.values.json === true, loaded);
  const predictions = classify(network, featureRows(data, 0, rows), rows, top);
  const truth = (i: number): string | null => (data.labels ? network.labels[data.labels[i]] : null);
  if (parsed.values.json) {
    const rowsOut = predictions.map((p, i) => ({ ...(files ? { file: files[i] } : {}), ...p, ...(truth(i) !== null ? { true_label: truth(i) } : {}) }));
    process.stdout.write(
      `${JSON.stringify({ command: "predict", count: rows, skipped: loaded.skipped, ...(loaded.unseen ? { unseen_categories: loaded.unseen } : {}), predictions: rowsOut })}\n`,
    );
    return 0;
  }
  const lines = predictions.map((p, i) => {
    const name = files ? files[i] : String(i + 1);
    const t = truth(i);
    return `${name}: ${predictionInWords(p)}${t !== null ? `  [true: ${t}]` : ""}`;
  });
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** A regression's predictions: one value per target and row, in the targets' units, beside the true value when the data has it. */
function predictValues(network: Network, data: Dataset, rows: number, files: string[] | null, json: boolean, loaded: LoadedData): number {
  const values = network.predict(featureRows(data, 0, rows), rows);
  const k = network.outputs;
  const name = (i: number): string => (files ? files[i] : String(i + 1));
  if (json) {
    const predictions = Array.from({ length: rows }, (_, i) => ({
      ...(files ? { file: files[i] } : {}),
      values: Object.fromEntries(network.labels.map((label, j) => [label, values[i * k + j]])),
      ...(data.targets ? { true_values: Object.fromEntries(network.labels.map((label, j) => [label, Number(float32Text(data.targets?.[i * k + j] ?? NaN))])) } : {}),
    }));
    process.stdout.write(
      `${JSON.stringify({ command: "predict", task: "regress", count: rows, skipped: loaded.skipped, ...(loaded.unseen ? { unseen_categories: loaded.unseen } : {}), predictions })}\n`,
    );
    return 0;
  }
  const lines = Array.from({ length: rows }, (_, i) => {
    const shown = network.labels.map((label, j) => `${label} = ${values[i * k + j].toPrecision(5)}${data.targets ? `  [true: ${float32Text(data.targets[i * k + j])}]` : ""}`);
    return `${name(i)}: ${shown.join(", ")}`;
  });
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
