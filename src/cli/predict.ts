import { loadModel } from "../io/disk.js";
import { classify } from "../model/classify.js";
import { integer, parse, UsageError } from "./args.js";
import { backendFrom, loadForModel } from "./data.js";
import { predictionInWords } from "./format.js";

export const PREDICT_USAGE = "glassbox predict model.safetensors <data> [--top 3] [--limit N] [--json]";

export async function predict(argv: string[]): Promise<number> {
  const parsed = parse(argv, { top: { type: "string" }, limit: { type: "string" } }, PREDICT_USAGE);
  if (parsed.positionals.length !== 2) throw new UsageError(`expected a model file and a data path, got ${parsed.positionals.length} arguments\nusage: ${PREDICT_USAGE}`);
  const [modelPath, dataPath] = parsed.positionals;
  const top = integer(parsed.values, "top", 3);
  const network = loadModel(modelPath, await backendFrom(parsed.values));
  const data = await loadForModel(network, dataPath, false);
  const rows = Math.min(data.rows, integer(parsed.values, "limit", data.rows));
  const predictions = classify(network, data.features.subarray(0, rows * data.columns), rows, top);
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify({ command: "predict", count: rows, predictions })}\n`);
    return 0;
  }
  const lines = predictions.map((p, i) => {
    const truth = data.labels ? `  [true: ${network.labels[data.labels[i]]}]` : "";
    return `${i + 1}: ${predictionInWords(p)}${truth}`;
  });
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
