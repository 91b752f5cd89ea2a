import type { Activation, Backend } from "../backends/backend.js";
import { GlassboxError, check } from "../errors.js";
import { featureRows, isRegression, selectRows, type Dataset } from "../data/dataset.js";
import { featureShape, type FeaturizerState } from "../featurizers/index.js";
import type { Hierarchy } from "../model/hierarchy.js";
import type { Background, Examples, Network, OutputKind, TargetScale } from "../model/network.js";
import { createMlp } from "../model/mlp.js";
import type { Initializer, LayerSpec } from "../layers/index.js";
import { parseLayers } from "../layers/parse.js";
import { Random, permutation } from "../tensor/random.js";
import { columnStats } from "../tensor/scalar.js";
import { allRows } from "./batches.js";
import type { Augment } from "./augment.js";
import { chooseThreshold } from "./curves.js";
import { trainingDefaults } from "./defaults.js";
import { fit } from "./fit.js";
import { evaluateAnswers } from "./evaluate.js";
import { evaluateRegression, regressionReport } from "./regression.js";
import { trainBag, type Bag, type BagPlan } from "./bag.js";
import { checkOptionNames, FIT_OPTIONS, type FitOptions, type FitResult } from "./options.js";

/** What `trainModel` learns from: a dataset and how its rows were made from raw inputs. */
export interface TrainingInput {
  data: Dataset;
  /** The featurizer that made the rows, fitted on them; null when the rows are numbers as they came. */
  featurizer: FeaturizerState | null;
  /** For nested labels, each label's path of categories. */
  hierarchy?: Hierarchy | null;
  /** The CSV column that held the text (a text model from a CSV). */
  textColumn?: string | null;
}

/** Options of `trainModel`: the network's shape, the defaults it decides, and every `fit` option. */
export interface TrainModelOptions extends FitOptions {
  /**
   * Neurons per hidden layer. Default: for images of at least 8x8 pixels a convolutional network
   * (see defaultImageLayers); for tables [100]; else [256, 128] (see trainingDefaults).
   */
  hidden?: number[];
  /** The hidden layers, in words ("conv:32,relu,maxpool:2,dense:128,relu") or as specs; instead of `hidden`. */
  layers?: string | LayerSpec[];
  /** Activation of the hidden layers. Default "relu". */
  activation?: Activation;
  /** Default: "linear" for a regression (data with targets), "sigmoid" for exactly two labels (one yes/no neuron), else "softmax". */
  output?: OutputKind;
  /** Dropout rate after each hidden layer. Default 0. */
  dropout?: number;
  init?: Initializer;
  /**
   * Standardise the features inside the network with the training rows' mean and std. Default:
   * on for sound (log-mel energies are far from 0..1), off for images (brightness is 0..1), text
   * (log counts) and tables (their featurizer standardises numbers itself, and one-hot columns stay 0/1).
   */
  standardize?: boolean;
  /** Training rows kept in the model as the baseline of explanations. Default 100 for tables, else 0. */
  backgroundRows?: number;
  /** Labelled training rows kept in the model to show it at work: the first of each label, up to this many labels. Default 10; 0 keeps none. */
  exampleRows?: number;
  /** Default: the reference backend. */
  backend?: Backend;
  /** Called with the network once it is built, before training starts (to say what it is). */
  onStart?: (network: Network) => void;
  /**
   * A two-label model's decision threshold, kept in the model: a number, or chosen on the
   * validation rows (the training rows when none are held out) to maximise balanced accuracy
   * ("auto") or the second label's F1 ("f1"). Default: 0.5.
   */
  threshold?: number | "auto" | "f1";
  /**
   * Of two labels, the one the model's probability, ROC curve and F1 are about (its positive
   * label; placed second in the model's label order). Default: the second in sorted order.
   */
  positive?: string;
  /**
   * Train a bag of this many networks, one per fold of the rows, each stopped early on its fold,
   * and answer with their average (bag.ts); 1 trains one network. Default: 5 for a table of at
   * least 50 rows trained with the defaults (no `epochs`, `validation`, `resume` or `layers`, on
   * a CPU backend), else 1.
   */
  bag?: number;
}

/** The options of `trainModel` that are not `fit`'s (the compiler keeps the list whole). */
const MODEL_OPTIONS = [
  "hidden",
  "layers",
  "activation",
  "output",
  "dropout",
  "init",
  "standardize",
  "backgroundRows",
  "exampleRows",
  "backend",
  "onStart",
  "threshold",
  "positive",
  "bag",
] as const satisfies readonly (keyof TrainModelOptions)[];
type Unlisted = Exclude<keyof TrainModelOptions, (typeof MODEL_OPTIONS)[number] | (typeof FIT_OPTIONS)[number]>;
const everyModelOption: [Unlisted] extends [never] ? true : Unlisted = true;
void everyModelOption;

export interface TrainedModel {
  network: Network;
  result: FitResult;
  /** What trainModel recorded as the model's training summary. */
  summary: Record<string, unknown>;
  /** A bag's folds and out-of-fold answers; null for one network. */
  bag: Bag | null;
}

/**
 * The training pipeline: decides what the data asks for, builds the network, trains it and
 * records in it what prediction and explanation need later (the featurizer, the label
 * hierarchy, the baseline rows, the training summary). The CLI, the server's web worker and
 * library users all train through it.
 * @example
 * const { network, result } = await trainModel(await loadTrainingData("pets/", {}), { epochs: 5 });
 * network.spec.output // "sigmoid" for two labels
 */
export async function trainModel(input: TrainingInput, options: TrainModelOptions = {}): Promise<TrainedModel> {
  checkOptionNames(options, [...FIT_OPTIONS, ...MODEL_OPTIONS], "trainModel");
  const { featurizer } = input;
  if (options.positive !== undefined) input = { ...input, data: withPositive(input.data, options.positive) };
  const regression = isRegression(input.data);
  const output = options.output ?? (regression ? "linear" : input.data.labelNames.length === 2 ? "sigmoid" : "softmax");
  if ((output === "linear") !== regression) {
    throw new GlassboxError(
      "BAD_ARGUMENT",
      regression
        ? `output: "${output}" answers with classes, but ${input.data.source} holds numbers to predict (a regression); use "linear"`
        : `output: "linear" predicts numbers, but ${input.data.source} holds class labels; a regression needs target values`,
    );
  }
  if (options.backend?.device && (regression || options.threshold !== undefined)) {
    const what = regression ? "a regression (its validation R² reads predictions at once)" : "a threshold chosen on validation rows (it reads predictions at once)";
    throw new GlassboxError("BAD_ARGUMENT", `backend "${options.backend.name}" trains classifiers only so far, not ${what}; use the wasm backend`);
  }
  // A regression learns its targets standardised: the network answers in their units (see ModelAbout.targetScale).
  const targetScale = regression ? targetScaleOf(input.data) : null;
  const data = targetScale ? standardizedTargets(input.data, targetScale) : input.data;
  if (!regression && data.labelNames.length < 2) {
    throw new GlassboxError("BAD_DATA", `${data.source}: expected at least 2 different labels to learn from, found ${data.labelNames.length} (${data.labelNames.join(", ")})`);
  }
  const seed = options.seed ?? 1;
  const kind = featurizer?.kind ?? null;
  const backgroundRows = options.backgroundRows ?? (kind === "table" ? 100 : 0);
  check(Number.isInteger(backgroundRows) && backgroundRows >= 0, `backgroundRows must be a whole number >= 0, got ${backgroundRows}`);
  const inputShape = featurizer ? featureShape(featurizer) : [data.columns];
  const layers = typeof options.layers === "string" ? parseLayers(options.layers, inputShape) : (options.layers ?? (options.hidden ? null : defaultImageLayers(inputShape)));
  const decided = trainingDefaults(data.rows, kind === "table" || kind === null, regression);
  const init = options.init ?? (layers ? null : decided.init);
  const standardize = kind === "table" ? false : (options.standardize ?? kind === "sound");
  const hidden = options.hidden ?? decided.hidden;
  const build = (widths: number[], networkSeed: number): Network =>
    createMlp({
      inputs: inputShape,
      ...(layers ? { layers } : { hidden: widths }),
      activation: options.activation ?? "relu",
      output,
      labels: data.labelNames,
      dropout: options.dropout ?? 0,
      standardize,
      ...(init ? { init } : {}),
      seed: networkSeed,
      ...(options.backend ? { backend: options.backend } : {}),
      about: {
        featureNames: featurizer ? null : data.featureNames, // a featurizer names its own features
        labelColumn: data.labelColumn ?? null,
        featurizer,
        hierarchy: input.hierarchy ?? null,
        textColumn: input.textColumn ?? null,
        targetScale,
      },
      background: backgroundRows > 0 ? sampleRows(data, backgroundRows, seed) : null,
      examples: exampleRowsOf(data, options.exampleRows ?? 10),
    });
  const folds = bagFolds(options, decided.bag, data, Boolean(layers) || standardize);
  const first = build(hidden, seed);
  options.onStart?.(first);
  const started = performance.now();
  const given = Object.fromEntries(Object.entries(options).filter(([name, value]) => value !== undefined && (FIT_OPTIONS as readonly string[]).includes(name))) as FitOptions;
  // A separate validation set is measured against the network's standardised answers, like the training rows.
  if (targetScale && typeof given.validation === "object") given.validation = standardizedTargets(given.validation, targetScale);
  // Without a number of epochs, train until the validation loss stops improving, within a budget.
  const fitOptions: FitOptions = {
    optimizer: decided.optimizer,
    ...(options.epochs === undefined ? { epochs: decided.epochs, patience: decided.patience, schedule: decided.schedule } : {}),
    ...given,
  };
  let network = first;
  let result: FitResult;
  let bag: Bag | null = null;
  if (folds > 1) {
    // A member's checkpoint would not resume a bag: members train without one.
    const { checkpoint: _checkpoint, checkpointEvery: _every, ...memberOptions } = fitOptions;
    const plan: BagPlan = {
      data,
      folds,
      seed,
      linear: regression && (options.activation ?? "relu") === "relu",
      member: (k) => (k === 0 ? first : build(hidden, seed + k)),
      whole: (widths) => build(widths, seed),
      fit: (member, rows, validation) => fit(member, rows, { ...memberOptions, validation }),
    };
    ({ network, bag } = await trainBag(plan, options.signal));
    result = bagFitResult(bag, data.rows);
  } else {
    result = await fit(network, data, fitOptions);
  }
  if (options.threshold !== undefined)
    network.setThreshold(typeof options.threshold === "number" ? options.threshold : thresholdOn(network, data, result.heldOut ?? null, bag, options.threshold));
  // A bag's validation accuracy is its out-of-fold answers', at the threshold the model keeps.
  if (bag && !regression) result = { ...result, validationAccuracy: evaluateAnswers(network, selectRows(data, bag.outOfFoldRows), bag.outOfFold).accuracy };
  const extra = regression ? { validation_r2: heldOutR2(network, input.data, result.heldOut ?? null, bag) } : { threshold: network.threshold };
  const summary = {
    ...trainingSummary(result, network.backend.name, (performance.now() - started) / 1000, options.augment),
    ...extra,
    ...(bag ? { bag: bagSummary(bag) } : {}),
  };
  network.recordTraining(summary);
  return { network, result, summary, bag };
}

/** Two-label data with `positive` as its second label (the labels swapped when it was the first). */
function withPositive(data: Dataset, positive: string): Dataset {
  const names = data.labelNames;
  if (names.length !== 2 || !data.labels || !names.includes(positive)) {
    const found = names.length === 2 ? `its labels are "${names[0]}" and "${names[1]}"` : `it has ${names.length} labels`;
    throw new GlassboxError("BAD_ARGUMENT", `positive: "${positive}" must be one of the two labels of a yes/no dataset; ${found}`);
  }
  if (names[1] === positive) return data;
  return { ...data, labelNames: [names[1], names[0]], labels: Int32Array.from(data.labels, (l) => 1 - l) };
}

/** Each target's mean and standard deviation over the rows; a constant target has nothing to learn. */
function targetScaleOf(data: Dataset): TargetScale {
  const stats = columnStats(data.targets as Float32Array, data.labelNames.length, allRows(data.rows));
  const mean = Array.from(stats.mean);
  const std = Array.from(stats.std);
  std.forEach((s, k) => {
    if (s === 0) throw new GlassboxError("BAD_DATA", `${data.source}: the target "${data.labelNames[k]}" is ${mean[k]} in every row; a regression needs values that vary`);
  });
  return { mean, std };
}

/** The dataset with its targets in standard units: (t - mean) / std. */
function standardizedTargets(data: Dataset, scale: TargetScale): Dataset {
  const outputs = scale.mean.length;
  const targets = Float32Array.from(data.targets as Float32Array, (t, i) => (t - scale.mean[i % outputs]) / scale.std[i % outputs]);
  return { ...data, targets };
}

/** R² of a regression on the held-out rows (a bag's out-of-fold answers), or null when none are. */
function heldOutR2(network: Network, data: Dataset, heldOut: Int32Array | null, bag: Bag | null): number | null {
  if (bag) return regressionReport(network.labels, bag.outOfFold, selectRows(data, bag.outOfFoldRows).targets as Float32Array, bag.outOfFoldRows.length).r2;
  if (!heldOut || heldOut.length < 2) return null;
  return evaluateRegression(network, selectRows(data, heldOut)).r2;
}

/** The threshold that serves `goal` best on the held-out rows (a bag's out-of-fold answers; all rows when none are held out). */
function thresholdOn(network: Network, data: Dataset, heldOut: Int32Array | null, bag: Bag | null, goal: "auto" | "f1"): number {
  if (network.labels.length !== 2 || !data.labels)
    throw new GlassboxError("BAD_ARGUMENT", `a decision threshold is for a model of two labels; this one has ${network.labels.length}`);
  const rows = bag?.outOfFoldRows ?? heldOut ?? Int32Array.from({ length: data.rows }, (_, i) => i);
  const set = selectRows(data, rows);
  const answers = bag?.outOfFold ?? network.predict(featureRows(set), set.rows);
  const outputs = network.outputs;
  const scores = Float32Array.from({ length: set.rows }, (_, i) => answers[i * outputs + outputs - 1]);
  const labels = set.labels ?? new Int32Array(0);
  return chooseThreshold(
    scores,
    Array.from(labels, (l) => l === 1),
    goal === "f1" ? "f1" : "balanced",
  );
}

/** How many folds to bag: `bag` when given (refused where a bag cannot train), else the default where the options leave it free. */
function bagFolds(options: TrainModelOptions, decided: number, data: Dataset, layered: boolean): number {
  const fixed = options.epochs !== undefined || options.validation !== undefined || options.resume || layered || options.backend?.device;
  if (options.bag === undefined) return fixed ? 1 : decided;
  const folds = options.bag;
  check(Number.isInteger(folds) && folds >= 1, `bag must be a whole number >= 1 (1 trains one network), got ${folds}`);
  if (folds === 1) return 1;
  const why =
    options.validation !== undefined
      ? "validation (each member is validated on its own fold)"
      : options.resume
        ? "resume (a checkpoint holds one network)"
        : layered
          ? "layers or a standardize layer (a bag combines plain dense layers)"
          : options.backend?.device
            ? `the ${options.backend.name} backend (a bag reads its members' answers at once)`
            : null;
  if (why) throw new GlassboxError("BAD_ARGUMENT", `bag: ${folds} cannot train with ${why}; use bag: 1`);
  if (data.rows < 2 * folds) throw new GlassboxError("BAD_DATA", `${data.source}: ${data.rows} rows cannot make a bag of ${folds} folds; use fewer folds or bag: 1`);
  return folds;
}

/** A bag's run as one FitResult: its first member's epochs, every row trained on, a member's failure or interruption as the bag's (trainModel adds the out-of-fold accuracy). */
function bagFitResult(bag: Bag, rows: number): FitResult {
  const first = bag.members[0];
  const stopped = bag.members.map((m) => m.stopped).find((s) => s !== null && s.reason !== "early_stopping") ?? null;
  return { ...first, trainingRows: rows, validationRows: 0, heldOut: null, stopped, validationAccuracy: null };
}

/** What the model file keeps of a bag. */
function bagSummary(bag: Bag): Record<string, unknown> {
  return {
    folds: bag.folds,
    members: bag.members.length,
    epochs: bag.members.map((m) => m.epochs),
    kept_epochs: bag.members.map((m) => m.kept?.epoch ?? null),
    out_of_fold_rows: bag.outOfFoldRows.length,
    linear_share: bag.linearShare,
    ridge_penalty: bag.ridgePenalty,
  };
}

/** The first training row of each label, in label order, for up to `count` labels (null for 0, or data without labels). */
function exampleRowsOf(data: Dataset, count: number): Examples | null {
  check(Number.isInteger(count) && count >= 0, `exampleRows must be a whole number >= 0, got ${count}`);
  if (count === 0 || !data.labels) return null;
  const first = new Map<number, number>();
  for (let r = 0; r < data.rows && first.size < data.labelNames.length; r++) if (!first.has(data.labels[r])) first.set(data.labels[r], r);
  const picked = [...first.entries()].sort((a, b) => a[0] - b[0]).slice(0, count);
  if (picked.length === 0) return null;
  const features = new Float32Array(picked.length * data.columns);
  picked.forEach(([, row], i) => features.set(featureRows(data, row, 1), i * data.columns));
  return { features, rows: picked.length, labels: Int32Array.from(picked, ([label]) => label) };
}

/**
 * A convolutional default for images of at least 8x8 pixels: blocks of a 3x3 convolution, ReLU
 * and 2x2 max pooling with 32, 64, then 128 filters while the image is at least 8 pixels on its
 * short side (at most three), batch norm in each block for colour images, then for gray ones a
 * dense layer of 128. On 28x28 gray images this is the canonical Fashion-MNIST network (0.92 test
 * accuracy in PyTorch after 10 epochs), on 32x32 colour ones the canonical CIFAR-10 network. Null
 * for other inputs: they keep the dense default.
 */
export function defaultImageLayers(inputShape: number[]): LayerSpec[] | null {
  if (inputShape.length !== 3) return null;
  let side = Math.min(inputShape[0], inputShape[1]);
  if (side < 8) return null;
  const colour = inputShape[2] === 3;
  const layers: LayerSpec[] = [];
  for (const filters of [32, 64, 128]) {
    if (side < 8 || (!colour && filters === 128)) break;
    layers.push({ type: "conv2d", filters, size: 3, stride: 1, padding: "same" });
    if (colour) layers.push({ type: "batchnorm" });
    layers.push({ type: "activation", activation: "relu" }, { type: "maxpool", size: 2 });
    side = Math.floor(side / 2);
  }
  if (!colour) layers.push({ type: "flatten" }, { type: "dense", units: 128, activation: "relu" });
  return layers;
}

/** The training run in numbers, as the model file keeps it and `train --json` prints it. */
function trainingSummary(result: FitResult, backend: string, totalSeconds: number, augment: Augment | null | undefined): Record<string, unknown> {
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
    augment: augment ?? null,
    stopped: result.stopped,
    // Epoch by epoch, for reports (non-finite numbers as null).
    history: result.history.map((e) => ({
      epoch: e.epoch,
      loss: finiteOrNull(e.loss),
      accuracy: finiteOrNull(e.accuracy),
      validation_loss: finiteOrNull(e.validationLoss),
      validation_accuracy: finiteOrNull(e.validationAccuracy),
    })),
  };
}

function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

/** Up to `count` rows of `data`, chosen with `seed`. */
function sampleRows(data: Dataset, count: number, seed: number): Background {
  const order = permutation(data.rows, new Random(seed)).slice(0, Math.min(count, data.rows));
  return { features: featureRows(selectRows(data, order)), rows: order.length };
}
