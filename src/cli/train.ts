import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ACTIVATIONS, type Activation } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { selectRows, type Dataset } from "../data/dataset.js";
import { loadTrainingData } from "../data/load.js";
import { permutation, Random } from "../tensor/random.js";
import { saveModel } from "../io/disk.js";
import { createMlp, type OutputKind } from "../model/network.js";
import { OPTIMIZERS, type OptimizerName } from "../optimizers/optimizer.js";
import type { Schedule } from "../optimizers/schedule.js";
import { fit } from "../train/fit.js";
import type { FitResult } from "../train/options.js";
import { choice, integer, integerList, number, onePositional, parse, text, UsageError } from "./args.js";
import { backendFrom, FEATURIZER_OPTIONS, reportLoaded, trainingDataOptions } from "./data.js";
import { EpochProgress } from "./progress.js";

export const TRAIN_USAGE = `glassbox train <data> --out model.safetensors [--hidden 256,128] [--activation relu]
  [--epochs 10] [--batch 64] [--lr 0.001] [--optimizer adam] [--seed 1] [--validation 0.1]
  [--label COLUMN] [--output softmax|sigmoid] [--dropout 0] [--weight-decay 0] [--momentum 0.9]
  [--schedule cosine|constant|step:EVERY:GAMMA] [--clip-norm N] [--patience N]
  [--class-weights balanced|w1,w2,...] [--standardize|--no-standardize] [--json]
  data: an IDX directory, a folder per label of images / WAVs / texts (nested folders: categories), or a CSV
  [--featurizer image|sound|text|table]  images: [--size 28x28] [--channels gray|rgb]
  sound: [--rate 16000] [--seconds 1] [--spectrogram|--no-spectrogram]
  text: [--vocab 20000] [--min-count 2] [--tfidf|--counts] [--bigrams] [--stop-words] [--text COLUMN]
  tables: [--categorical COLUMN,COLUMN]`;

const OPTIONS = {
  out: { type: "string", short: "o" },
  hidden: { type: "string" },
  activation: { type: "string" },
  epochs: { type: "string" },
  batch: { type: "string" },
  lr: { type: "string" },
  optimizer: { type: "string" },
  seed: { type: "string" },
  validation: { type: "string" },
  label: { type: "string" },
  output: { type: "string" },
  dropout: { type: "string" },
  "weight-decay": { type: "string" },
  momentum: { type: "string" },
  schedule: { type: "string" },
  "clip-norm": { type: "string" },
  patience: { type: "string" },
  "class-weights": { type: "string" },
  standardize: { type: "boolean" },
  "no-standardize": { type: "boolean" },
  ...FEATURIZER_OPTIONS,
} as const;

export async function train(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, TRAIN_USAGE);
  const { values } = parsed;
  const dataPath = onePositional(parsed, "one data path (a dataset folder, an IDX directory or a CSV file)", TRAIN_USAGE);
  const out = text(values, "out", "");
  if (!out) throw new UsageError(`--out is required: where to write the model file\nusage: ${TRAIN_USAGE}`);
  if (!existsSync(dirname(resolve(out)))) {
    throw new GlassboxError("FILE_NOT_FOUND", `--out ${out}: the directory ${dirname(resolve(out))} does not exist`);
  }
  const backend = await backendFrom(values);

  const standardizeOption = values["no-standardize"] ? false : values.standardize ? true : undefined;
  const loaded = await loadTrainingData(dataPath, trainingDataOptions(values, standardizeOption));
  const { data, featurizer } = loaded;
  reportLoaded(loaded, Boolean(values.json));
  const defaultOutput: OutputKind = data.labelNames.length === 2 ? "sigmoid" : "softmax";
  const output = choice<OutputKind>(values, "output", defaultOutput, ["softmax", "sigmoid"]);
  if (data.labelNames.length < 2) {
    throw new GlassboxError("BAD_DATA", `${data.source}: expected at least 2 different labels to learn from, found ${data.labelNames.length} (${data.labelNames.join(", ")})`);
  }
  const seed = integer(values, "seed", 1, 0);
  const network = createMlp({
    inputs: data.columns,
    hidden: integerList(values, "hidden", [256, 128]),
    activation: choice<Activation>(values, "activation", "relu", ACTIVATIONS.filter((a) => a !== "softmax" && a !== "linear")),
    output,
    labels: data.labelNames,
    dropout: number(values, "dropout", 0, (n) => n >= 0 && n < 1, "a rate in [0, 1)"),
    seed,
    backend,
  });
  network.about = {
    featureNames: featurizer ? null : data.featureNames, // a featurizer names its own features
    labelColumn: data.labelColumn ?? null,
    input: data.input ?? null,
    featurizer,
    hierarchy: loaded.hierarchy,
    textColumn: loaded.textColumn,
    training: null,
  };

  // Table models keep a sample of training rows: the baseline their explanations compare with.
  if (featurizer?.kind === "table") network.background = sampleRows(data, 100, seed);
  const progress = new EpochProgress();
  const started = performance.now();
  const result = fit(network, data, {
    epochs: integer(values, "epochs", 10),
    batchSize: integer(values, "batch", 64),
    lr: number(values, "lr", 0.001, (n) => n > 0, "a positive learning rate"),
    optimizer: {
      name: choice<OptimizerName>(values, "optimizer", "adam", OPTIMIZERS),
      ...(values["weight-decay"] !== undefined ? { weightDecay: number(values, "weight-decay", 0, (n) => n >= 0, "a number >= 0") } : {}),
      momentum: number(values, "momentum", 0.9, (n) => n >= 0 && n < 1, "a momentum in [0, 1)"),
    },
    schedule: schedule(text(values, "schedule", "cosine")),
    clipNorm: values["clip-norm"] === undefined ? null : number(values, "clip-norm", 1, (n) => n > 0, "a positive norm"),
    validation: number(values, "validation", 0.1, (n) => n >= 0 && n < 1, "a fraction in [0, 1)"),
    patience: values.patience === undefined ? null : integer(values, "patience", 3),
    classWeights: classWeights(values["class-weights"]),
    // Tables are standardised inside their featurizer; log-mel spectrograms need it here.
    standardize: featurizer?.kind === "table" ? false : standardizeOption ?? featurizer?.kind === "sound",
    seed,
    onBatch: progress.onBatch,
    onEpoch: progress.onEpoch,
  });
  progress.stop();
  const totalSeconds = (performance.now() - started) / 1000;
  const summary = trainingSummary(result, backend.name, totalSeconds);
  network.about.training = summary;
  saveModel(network, out);

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ command: "train", model: out, ...summary })}\n`);
  } else {
    const valText = result.validationAccuracy === null ? "" : `, validation accuracy ${(result.validationAccuracy * 100).toFixed(2)}%`;
    const held = result.validationRows > 0 ? `, ${result.validationRows} held out for validation` : "";
    process.stdout.write(`trained ${result.epochs} epoch${result.epochs === 1 ? "" : "s"} on ${result.trainingRows} rows${held} (${backend.name} backend, ${result.secondsPerEpoch.toFixed(2)} s/epoch${valText})\nsaved ${out}\n`);
  }
  if (result.stopped?.reason === "early_stopping") {
    process.stderr.write(`early stopping at epoch ${result.stopped.epoch}: kept the weights of epoch ${result.stopped.bestEpoch}\n`);
  }
  if (result.stopped?.reason === "non_finite") {
    process.stderr.write(`glassbox: error: ${result.stopped.message}; saved them to ${out}\n`);
    return 3;
  }
  return 0;
}

function trainingSummary(result: FitResult, backend: string, totalSeconds: number): Record<string, unknown> {
  const kept = result.kept;
  return {
    epochs: result.epochs,
    kept_epoch: kept ? kept.epoch : null,
    training_rows: result.trainingRows,
    validation_rows: result.validationRows,
    seconds_per_epoch: result.secondsPerEpoch,
    samples_per_second: result.samplesPerSecond,
    total_seconds: totalSeconds,
    final_loss: result.finalLoss,
    final_accuracy: kept ? kept.accuracy : null,
    validation_loss: kept ? kept.validationLoss : null,
    validation_accuracy: result.validationAccuracy,
    backend,
    stopped: result.stopped,
  };
}

function sampleRows(data: Dataset, count: number, seed: number): { features: Float32Array; rows: number } {
  const order = permutation(data.rows, new Random(seed)).slice(0, Math.min(count, data.rows));
  return { features: selectRows(data, order).features, rows: order.length };
}

function schedule(spec: string): Schedule {
  if (spec === "constant") return { kind: "constant" };
  if (spec === "cosine") return { kind: "cosine" };
  const match = /^step:(\d+):(.+)$/.exec(spec);
  const every = Number(match?.[1]);
  const gamma = Number(match?.[2]);
  if (match && every >= 1 && Number.isFinite(gamma) && gamma > 0) return { kind: "step", every, gamma };
  throw new GlassboxError("BAD_ARGUMENT", `--schedule: expected constant, cosine or step:EVERY:GAMMA (e.g. step:5:0.5), got "${spec}"`);
}

function classWeights(value: string | boolean | undefined): number[] | "balanced" | null {
  if (value === undefined || typeof value === "boolean") return null;
  if (value === "balanced") return "balanced";
  const weights = value.split(",").map(Number);
  if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new GlassboxError("BAD_ARGUMENT", `--class-weights: expected "balanced" or non-negative numbers separated by commas, got "${value}"`);
  }
  return weights;
}
