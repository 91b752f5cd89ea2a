import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadIdxDirectory } from "../data/files.js";
import { saveModel } from "../io/disk.js";
import { classify } from "../model/classify.js";
import { evaluate } from "../train/evaluate.js";
import { trainModel } from "../train/pipeline.js";
import { integer, parse } from "./args.js";
import { backendFrom } from "./data.js";
import { count } from "./format.js";
import { predictionInWords } from "./format.js";
import { EpochProgress } from "./progress.js";
import { featureRows } from "../data/dataset.js";

export const DEMO_USAGE = "glassbox demo [--epochs 10] [--out out/fashion-small.safetensors] [--json]";

/** `npm start`: trains on the embedded Fashion-MNIST subset, reports test accuracy and a few answers in words. */
export async function demo(argv: string[]): Promise<number> {
  const parsed = parse(argv, { epochs: { type: "string" }, out: { type: "string" } }, DEMO_USAGE);
  const epochs = integer(parsed.values, "epochs", 10);
  const out = String(parsed.values.out ?? "out/fashion-small.safetensors");
  const dir = fileURLToPath(new URL("../../data/fashion-mnist-small", import.meta.url));
  const trainSet = await loadIdxDirectory(dir, "train");
  const testSet = await loadIdxDirectory(dir, "test");
  process.stderr.write(`Fashion-MNIST subset: ${trainSet.rows} training and ${testSet.rows} test images of ${trainSet.columns} pixels, ${trainSet.labelNames.length} labels\n`);
  const backend = await backendFrom(parsed.values);
  process.stderr.write(
    `network: ${trainSet.columns} -> 256 relu -> 128 relu -> ${trainSet.labelNames.length} softmax, Adam lr 0.001 (cosine), batch 64, ${count(epochs, "epoch")}, ${backend.name} backend\n`,
  );

  // The image featurizer lets the saved model read PNG and JPEG files as well as IDX rows.
  const featurizer = { kind: "image" as const, height: 28, width: 28, channels: 1 as const };
  const progress = new EpochProgress();
  const { network, result, summary } = await trainModel(
    { data: trainSet, featurizer },
    {
      hidden: [256, 128],
      epochs,
      batchSize: 64,
      lr: 0.001,
      seed: 1,
      backend,
      onBatch: progress.onBatch,
      onEpoch: progress.onEpoch,
    },
  );
  progress.stop();
  const evaluation = evaluate(network, testSet);
  network.recordTraining({ ...summary, test_accuracy: evaluation.accuracy });
  mkdirSync(dirname(resolve(out)), { recursive: true });
  saveModel(network, out);

  const examples = 8;
  const predictions = classify(network, featureRows(testSet, 0, examples), examples, 3);
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify({ command: "demo", test_accuracy: evaluation.accuracy, seconds_per_epoch: result.secondsPerEpoch, model: out, predictions })}\n`);
    return 0;
  }
  const lines = [
    `test accuracy: ${(evaluation.accuracy * 100).toFixed(1)}% on ${evaluation.count} images (${result.secondsPerEpoch.toFixed(1)} s per epoch)`,
    `saved the model to ${out}`,
    "",
    "the first test images, as the network sees them:",
    ...predictions.map((p, i) => {
      const truth = testSet.labels ? testSet.labelNames[testSet.labels[i]] : "?";
      return `  image ${i + 1}: ${predictionInWords(p)}   ${p.label === truth ? "right" : `wrong, it is a ${truth}`}`;
    }),
    "",
    `next: npx glassbox predict ${out} data/fashion-mnist-small --limit 5`,
    `      npx glassbox explain ${out} data/fashion-mnist-small --out why.png`,
    `      npx glassbox serve ${out}    (the web glass box at http://127.0.0.1:8080)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
