import { loadForModel } from "../data/load.js";
import { loadModel } from "../io/disk.js";
import { classify } from "../model/classify.js";
import { integer, parse, UsageError } from "./args.js";
import { backendFrom, reportLoaded } from "./data.js";
import { predictionInWords } from "./format.js";
import { featureRows } from "../data/dataset.js";

export const PREDICT_USAGE = `glassbox predict model.safetensors <data>... [--top 3] [--limit N] [--json]
  data: files the model reads (photo.png, clip.wav, mail.txt, rows.csv), a folder of them, or a dataset`;

export async function predict(argv: string[]): Promise<number> {
  const parsed = parse(argv, { top: { type: "string" }, limit: { type: "string" } }, PREDICT_USAGE);
  if (parsed.positionals.length < 2) throw new UsageError(`expected a model file and at least one data path, got ${parsed.positionals.length} arguments\nusage: ${PREDICT_USAGE}`);
  const [modelPath, ...dataPaths] = parsed.positionals;
  const top = integer(parsed.values, "top", 3);
  const network = loadModel(modelPath, await backendFrom(parsed.values));
  const loaded = await loadForModel(network, dataPaths, false);
  reportLoaded({ ...loaded, detected: "" }, Boolean(parsed.values.json));
  const { data, files } = loaded;
  const rows = Math.min(data.rows, integer(parsed.values, "limit", data.rows));
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
