import { loadModel } from "../io/disk.js";
import { evaluate as evaluateNetwork } from "../train/evaluate.js";
import { parse, UsageError } from "./args.js";
import { backendFrom, loadForModel } from "./data.js";
import { evaluationTable } from "./format.js";

export const EVALUATE_USAGE = "glassbox evaluate model.safetensors <data> [--json]";

export async function evaluate(argv: string[]): Promise<number> {
  const parsed = parse(argv, {}, EVALUATE_USAGE);
  if (parsed.positionals.length !== 2) throw new UsageError(`expected a model file and a data path, got ${parsed.positionals.length} arguments\nusage: ${EVALUATE_USAGE}`);
  const [modelPath, dataPath] = parsed.positionals;
  const network = loadModel(modelPath, await backendFrom(parsed.values));
  const data = await loadForModel(network, dataPath, true);
  const result = evaluateNetwork(network, data);
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify({
      command: "evaluate",
      accuracy: result.accuracy,
      count: result.count,
      loss: result.loss,
      labels: network.labels,
      per_class: result.perClass,
      confusion_matrix: result.confusion,
      backend: network.backend.name,
    })}\n`);
  } else {
    process.stdout.write(`${evaluationTable(result)}\n`);
  }
  return 0;
}
