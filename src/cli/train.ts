import { accessSync, constants, existsSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ACTIVATIONS, type Activation } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { loadTrainingData } from "../data/load.js";
import { removeOrphans, saveModel } from "../io/disk.js";
import { OPTIMIZERS, type OptimizerName, type Schedule } from "../optimizers/index.js";
import { parseAugment } from "../train/augment.js";
import { trainModel, type TrainModelOptions } from "../train/pipeline.js";
import type { Backend } from "../backends/backend.js";
import type { TrainingDataOptions } from "../data/load.js";
import { TASKS, type Task } from "../data/csv.js";
import { REGRESSION_LOSSES, type OutputKind, type RegressionLoss } from "../losses/index.js";
import { OUTPUT_KINDS } from "../model/spec.js";
import { choice, integer, integerList, number, onePositional, parse, text, UsageError, type Parsed } from "./args.js";
import { backendFrom, FEATURIZER_OPTIONS, hostBackend, reportLoaded, trainingDataOptions } from "./data.js";
import { decodeModel, encodeModelAsync } from "../io/modelFile.js";
import { checkpointPathOf, readCheckpoint, saveCheckpoint } from "./checkpoints.js";
import { count } from "./format.js";
import { EpochProgress, fileProgress } from "./progress.js";
import { checkReportPaths, REPORT_OPTIONS, REPORT_USAGE, writeReports } from "./report.js";
import { selectRows } from "../data/dataset.js";

export const TRAIN_USAGE = `glassbox train <data> --out model.safetensors [--report report.html] [--curves curves.png] [--hidden 256,128 | --layers conv:32,relu,maxpool:2,...] [--activation relu]
  [--epochs N] [--batch 64] [--lr 0.001] [--optimizer adam] [--seed 1] [--validation 0.1]
  [--label COLUMN] [--task classify|regress] [--loss mse|huber] [--output softmax|sigmoid|linear] [--dropout 0] [--weight-decay 0] [--momentum 0.9]
  [--schedule cosine|constant|step:EVERY:GAMMA] [--clip-norm N] [--patience N] [--bag 5]
  [--class-weights balanced|w1,w2,...] [--threshold auto|f1|0.3] [--positive LABEL] [--standardize|--no-standardize] [--augment flip,shift:N] [--resume] [--json]
  data: an IDX directory, a folder per label of images / WAVs / texts (nested folders: categories), or a CSV
  [--featurizer image|sound|text|table]  images: [--size 28x28] [--channels gray|rgb]
  sound: [--rate 16000] [--seconds 1] [--spectrogram|--no-spectrogram]
  text: [--vocab 20000] [--min-count 2] [--tfidf|--counts] [--bigrams] [--stop-words] [--text COLUMN]
  tables: [--categorical COLUMN,COLUMN]
  Without --epochs, training stops when the validation loss has not improved for --patience epochs and keeps the
  best epoch's weights. Tables: one hidden layer of 100, up to 300 epochs or 300,000 rows seen (at least 10),
  patience a tenth of that (at least 5), constant learning rate; a regression adds AdamW weight decay 3. A table
  of 50 rows or more trains a bag: 5 networks, one per fold, each stopped early on its fold, averaged into one
  network (a regression also blends in least squares by the share that fits out of fold); --bag 1 trains one,
  and so do --validation and --resume; --epochs trains one unless --bag is given. Images, sounds, texts: 10 epochs,
  patience 3, cosine.
${REPORT_USAGE}
  A CSV label column of more than 20 different numbers trains a regression (linear output, --loss mse, targets
  standardised inside the model, answers in the label's units); --task classify|regress decides instead.`;

export const TRAIN_OPTIONS = {
  out: { type: "string", short: "o" },
  hidden: { type: "string" },
  layers: { type: "string" },
  augment: { type: "string" },
  activation: { type: "string" },
  epochs: { type: "string" },
  batch: { type: "string" },
  lr: { type: "string" },
  optimizer: { type: "string" },
  seed: { type: "string" },
  validation: { type: "string" },
  label: { type: "string" },
  output: { type: "string" },
  task: { type: "string" },
  loss: { type: "string" },
  dropout: { type: "string" },
  "weight-decay": { type: "string" },
  momentum: { type: "string" },
  schedule: { type: "string" },
  "clip-norm": { type: "string" },
  patience: { type: "string" },
  bag: { type: "string" },
  "class-weights": { type: "string" },
  threshold: { type: "string" },
  positive: { type: "string" },
  standardize: { type: "boolean" },
  "no-standardize": { type: "boolean" },
  resume: { type: "boolean" },
  ...REPORT_OPTIONS,
  ...FEATURIZER_OPTIONS,
} as const;

export async function train(argv: string[]): Promise<number> {
  const parsed = parse(argv, TRAIN_OPTIONS, TRAIN_USAGE);
  const { values } = parsed;
  const dataPath = onePositional(parsed, "one data path (a dataset folder, an IDX directory or a CSV file)", TRAIN_USAGE);
  const out = text(values, "out", "");
  if (!out) throw new UsageError(`--out is required: where to write the model file\nusage: ${TRAIN_USAGE}`);
  checkWritable(out);
  checkReportPaths(values);
  const checkpointPath = checkpointPathOf(out);
  const resume = values.resume ? readCheckpoint(checkpointPath) : null;
  const orphans = [...removeOrphans(out), ...removeOrphans(checkpointPath)];
  if (orphans.length > 0 && !values.json)
    process.stderr.write(`removed ${orphans.length} temporary file${orphans.length === 1 ? "" : "s"} left by killed saves: ${orphans.join(", ")}\n`);
  if (!resume && existsSync(checkpointPath) && !values.json) {
    process.stderr.write(`starting over: ${checkpointPath} holds a checkpoint of an earlier run, which this run replaces (--resume continues it)\n`);
  }
  const backend = await backendFrom(values, true);
  // Every option is read, and refused if wrong, before any data is.
  const { settings, dataOptions } = trainSettings(values, backend);
  const loaded = await loadTrainingData(dataPath, { ...dataOptions, onProgress: fileProgress() });
  reportLoaded(loaded, Boolean(values.json));
  const progress = new EpochProgress();
  // Ctrl-C stops after the batch in flight and saves the model so far; a second one quits at once.
  const interrupt = new AbortController();
  const onInterrupt = (): void => {
    process.stderr.write("\ninterrupted: stopping after this batch (Ctrl-C again to quit now)\n");
    interrupt.abort();
    process.off("SIGINT", onInterrupt);
  };
  process.on("SIGINT", onInterrupt);
  if (resume && !values.json) process.stderr.write(`resuming from ${checkpointPath}: epoch ${resume.epoch} was the last completed\n`);
  const trained = await trainModel(loaded, {
    resume,
    signal: interrupt.signal,
    checkpoint: (state) => saveCheckpoint(checkpointPath, state),
    checkpointEvery: CHECKPOINT_EVERY_S,
    ...settings,
    onStart: (network) => {
      const chosen = values.layers === undefined && values.hidden === undefined ? " (the default for this data; --layers or --hidden to choose)" : "";
      if (!values.json) process.stderr.write(`network: ${network.summary()}${chosen}\n`);
    },
    onBatch: progress.onBatch,
    onEpoch: progress.onEpoch,
  });
  progress.stop();
  process.off("SIGINT", onInterrupt);
  const { result, summary, bag } = trained;
  // A GPU's numbers come back asynchronously: the trained network moves to the CPU for saving and reports.
  const network = backend.device ? decodeModel(await encodeModelAsync(trained.network), out, await hostBackend(values)) : trained.network;
  const failed = result.stopped?.reason === "non_finite" || result.stopped?.reason === "diverged" ? result.stopped : null;
  // A run that failed never replaces the file at --out: a good model may be there.
  const saved = failed ? divergedPath(out) : out;
  saveModel(network, saved);
  // A bag's report measures its out-of-fold answers: each row as the member that did not train on it answers it.
  const measuredRows = bag?.outOfFoldRows ?? result.heldOut ?? null;
  const held = measuredRows ? selectRows(loaded.data, measuredRows) : null;
  const rows = measuredRows?.length ?? 0;
  const heldName = bag ? `${count(rows, "training row")}, out of fold` : `the ${count(rows, "validation row")}`;
  writeReports(values, network, basename(out), held, heldName, result.history, bag?.outOfFold ?? null);

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ command: "train", model: out, ...summary })}\n`);
  } else {
    const r2 = summary.validation_r2;
    const valText =
      typeof r2 === "number"
        ? `, validation R² ${r2.toFixed(3)}`
        : result.validationAccuracy === null
          ? ""
          : `, validation accuracy ${(result.validationAccuracy * 100).toFixed(2)}%`;
    const held = result.validationRows > 0 ? `, ${result.validationRows} held out for validation` : "";
    const trainedText = bag
      ? `trained a bag of ${count(bag.members.length, "network")} on ${result.trainingRows} rows, each validated on the fold of ${bag.folds} it leaves out (epochs ${bag.members.map((m) => m.epochs).join(", ")}; ${backend.name} backend${valText.replace(", validation", ", out-of-fold")})\nnetwork: ${network.summary()} (the bag's networks side by side${bag.linearShare > 0 ? `, least squares as ${(100 * bag.linearShare).toFixed(0)}% of the answer` : ""})`
      : `trained ${count(result.epochs, "epoch")} on ${result.trainingRows} rows${held} (${backend.name} backend, ${result.secondsPerEpoch.toFixed(2)} s/epoch${valText})`;
    process.stdout.write(`${trainedText}\nsaved ${out}\n`);
  }
  if (typeof values.threshold === "string" && !values.json) {
    const how = values.threshold === "auto" ? "for balanced accuracy" : values.threshold === "f1" ? `for the F1 of "${network.labels[1]}"` : "as given";
    const where =
      values.threshold === "auto" || values.threshold === "f1"
        ? bag
          ? " on the out-of-fold answers"
          : result.validationRows > 0
            ? " on the validation rows"
            : " on the training rows (none held out)"
        : "";
    process.stderr.write(
      `decision threshold ${network.threshold.toFixed(3)}: "${network.labels[1]}" when its probability reaches it (chosen ${how}${where}; predict and evaluate use it)\n`,
    );
  }
  // A validation set of about one row per label measures little: say so, and how to hold out more.
  const labels = network.labels.length;
  if (result.validationRows > 0 && result.validationRows < 2 * labels && !values.json) {
    const rows = result.trainingRows + result.validationRows;
    const fraction = Math.min(0.5, Math.ceil((20 * labels) / rows) / 10);
    process.stderr.write(
      `note: ${count(result.validationRows, "row")} held out for validation for ${labels} labels: its accuracy moves in steps of ${(100 / result.validationRows).toFixed(0)} points; --validation ${fraction} would hold out ${Math.floor(rows * fraction)}\n`,
    );
  }
  if (result.stopped?.reason === "early_stopping") {
    process.stderr.write(`early stopping at epoch ${result.stopped.epoch}: kept the weights of epoch ${result.stopped.bestEpoch}\n`);
  }
  if (failed) {
    const untouched = existsSync(out) ? `; ${out} was left as it was` : "";
    process.stderr.write(`glassbox: error: ${failed.message}; saved them to ${saved}${untouched}\n`);
    return 3;
  }
  if (result.stopped?.reason === "interrupted") {
    const { epoch, step } = result.stopped;
    const kept =
      (values.patience !== undefined || values.epochs === undefined) && result.kept
        ? `the best epoch's weights, epoch ${result.kept.epoch}`
        : `its weights after step ${step} of epoch ${epoch}`;
    const again = existsSync(checkpointPath) ? `; --resume continues from the checkpoint of epoch ${readCheckpoint(checkpointPath).epoch}` : "";
    const where = bag ? ` in network ${bag.members.length} of the bag's ${bag.folds}` : "";
    const what = bag ? `the ${count(bag.members.length, "network")} so far, the last with its best epoch's weights` : kept;
    process.stderr.write(`interrupted${where} at epoch ${epoch}, step ${step}: saved the model so far to ${out} (${what})${again}\n`);
    return 130;
  }
  rmSync(checkpointPath, { force: true });
  return 0;
}

/** Within a long epoch, a checkpoint at the first read after five minutes since the last. */
const CHECKPOINT_EVERY_S = 300;

/** Refuses an --out that training could not write, before it trains: a missing folder, a folder, no write access. */
function checkWritable(out: string): void {
  const folder = dirname(resolve(out));
  if (!existsSync(folder)) throw new GlassboxError("FILE_NOT_FOUND", `--out ${out}: the directory ${folder} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory())
    throw new GlassboxError("CANNOT_WRITE", `--out ${out} is a directory; expected a model file path such as ${join(out, "model.safetensors")}`);
  try {
    accessSync(folder, constants.W_OK);
    if (existsSync(out)) accessSync(out, constants.W_OK);
  } catch {
    throw new GlassboxError("CANNOT_WRITE", `--out ${out}: no permission to write there`);
  }
}

/** Where a failed run's last good weights go: m.safetensors -> m.diverged.safetensors. */
export function divergedPath(out: string): string {
  return out.endsWith(".safetensors") ? `${out.slice(0, -".safetensors".length)}.diverged.safetensors` : `${out}.diverged.safetensors`;
}

/** "auto", "f1" or a number in (0, 1). */
function thresholdOption(text: string): number | "auto" | "f1" {
  if (text === "auto" || text === "f1") return text;
  const t = Number(text);
  if (text.trim() !== "" && t > 0 && t < 1) return t;
  throw new GlassboxError("BAD_ARGUMENT", `--threshold: expected auto, f1 or a number between 0 and 1 (e.g. 0.3), got "${text}"`);
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

/** The training options of the command line (train, and evaluate --folds), read and checked before any data. */
export function trainSettings(values: Parsed["values"], backend: Backend): { settings: TrainModelOptions; dataOptions: TrainingDataOptions } {
  const standardize = values["no-standardize"] ? false : values.standardize ? true : undefined;
  const settings: TrainModelOptions = {
    ...(values.hidden !== undefined ? { hidden: integerList(values, "hidden", [256, 128]) } : {}),
    ...(typeof values.layers === "string" ? { layers: values.layers } : {}),
    ...(typeof values.augment === "string" ? { augment: parseAugment(values.augment) } : {}),
    activation: choice<Activation>(
      values,
      "activation",
      "relu",
      ACTIVATIONS.filter((a) => a !== "softmax" && a !== "linear"),
    ),
    ...(values.output !== undefined ? { output: choice<OutputKind>(values, "output", "softmax", OUTPUT_KINDS) } : {}),
    ...(values.loss !== undefined ? { loss: choice<RegressionLoss>(values, "loss", "mse", REGRESSION_LOSSES) } : {}),
    dropout: number(values, "dropout", 0, (n) => n >= 0 && n < 1, "a rate in [0, 1)"),
    ...(standardize !== undefined ? { standardize } : {}),
    seed: integer(values, "seed", 1, 0),
    backend,
    ...(values.epochs !== undefined ? { epochs: integer(values, "epochs", 10) } : {}),
    batchSize: integer(values, "batch", 64),
    lr: number(values, "lr", 0.001, (n) => n > 0, "a positive learning rate"),
    // Without any of these the library decides (Adam; AdamW with weight decay for a table's regression).
    ...(values.optimizer !== undefined || values["weight-decay"] !== undefined || values.momentum !== undefined
      ? {
          optimizer: {
            name: choice<OptimizerName>(values, "optimizer", "adam", OPTIMIZERS),
            ...(values["weight-decay"] !== undefined ? { weightDecay: number(values, "weight-decay", 0, (n) => n >= 0, "a number >= 0") } : {}),
            momentum: number(values, "momentum", 0.9, (n) => n >= 0 && n < 1, "a momentum in [0, 1)"),
          },
        }
      : {}),
    ...(typeof values.schedule === "string" ? { schedule: schedule(values.schedule) } : {}),
    clipNorm: values["clip-norm"] === undefined ? null : number(values, "clip-norm", 1, (n) => n > 0, "a positive norm"),
    ...(values.validation !== undefined ? { validation: number(values, "validation", 0.1, (n) => n >= 0 && n < 1, "a fraction in [0, 1)") } : {}),
    ...(values.bag !== undefined ? { bag: integer(values, "bag", 5, 1) } : {}),
    ...(values.patience !== undefined ? { patience: integer(values, "patience", 3) } : {}),
    classWeights: classWeights(values["class-weights"]),
    ...(typeof values.threshold === "string" ? { threshold: thresholdOption(values.threshold) } : {}),
    ...(typeof values.positive === "string" ? { positive: values.positive } : {}),
  };
  if ((settings.bag ?? 1) > 1) {
    const clash = ["validation", "resume", "layers"].find((name) => values[name] !== undefined && values[name] !== false);
    if (clash)
      throw new UsageError(`--bag ${settings.bag} cannot train with --${clash}: a bag validates each network on its own fold and combines plain dense layers; use --bag 1`);
  }
  const task = values.task === undefined ? undefined : choice<Task>(values, "task", "classify", TASKS);
  return { settings, dataOptions: { ...trainingDataOptions(values, standardize), ...(task ? { task } : {}) } };
}
