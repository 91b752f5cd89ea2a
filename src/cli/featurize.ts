import { count } from "../words.js";
import { loadForModel } from "../data/load.js";
import { inputNamesOf } from "../featurizers/index.js";
import { featureRows } from "../data/dataset.js";
import { loadModel } from "../io/disk.js";
import { integer, parse, UsageError } from "./args.js";
import { reportLoaded } from "./data.js";
import { checkOutputPath } from "./report.js";
import { writeFileAtomic } from "../io/disk.js";

export const FEATURIZE_USAGE = `glassbox featurize model.safetensors <data>... [--limit N] [--json] [--out FILE]
  the numbers the network reads for each input, through the model's own featurizer: a CSV with a header of
  feature names, or with --json {labels, feature_names, features: [[...]]} (what an ONNX export takes as "features")
  data: files the model reads (photo.png, clip.wav, mail.txt, rows.csv), a folder of them, or a dataset`;

export async function featurize(argv: string[]): Promise<number> {
  const parsed = parse(argv, { limit: { type: "string" }, out: { type: "string" } }, FEATURIZE_USAGE);
  const out = parsed.values.out;
  if (typeof out === "string") checkOutputPath("out", out);
  if (parsed.positionals.length < 2)
    throw new UsageError(`expected a model file and at least one input, got ${count(parsed.positionals.length, "argument")}\nusage: ${FEATURIZE_USAGE}`);
  const [modelPath, ...inputs] = parsed.positionals;
  const network = loadModel(modelPath);
  const loaded = await loadForModel(network, inputs, false);
  reportLoaded({ ...loaded, detected: "" }, Boolean(parsed.values.json));
  const { data } = loaded;
  const rows = Math.min(data.rows, integer(parsed.values, "limit", data.rows));
  const features = featureRows(data, 0, rows);
  const names = inputNamesOf(network);
  const row = (i: number): number[] => Array.from(features.subarray(i * data.columns, (i + 1) * data.columns));
  let text: string;
  if (parsed.values.json) {
    const json = {
      command: "featurize",
      labels: network.labels,
      feature_names: names,
      ...(loaded.files ? { files: loaded.files.slice(0, rows) } : {}),
      features: Array.from({ length: rows }, (_, i) => row(i)),
    };
    text = `${JSON.stringify(json)}\n`;
  } else {
    const quote = (name: string): string => (/[",\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name);
    text = `${[names.map(quote).join(","), ...Array.from({ length: rows }, (_, i) => row(i).join(","))].join("\n")}\n`;
  }
  if (typeof out !== "string") {
    process.stdout.write(text);
    return 0;
  }
  writeFileAtomic(out, new TextEncoder().encode(text));
  if (!parsed.values.json) process.stderr.write(`wrote the features of ${rows} input${rows === 1 ? "" : "s"} to ${out}\n`);
  return 0;
}
