import { GlassboxError, check } from "../errors.js";
import { featureRows, type Dataset } from "../data/dataset.js";
import { lossFor, REGRESSION_LOSSES, type Loss } from "../losses/index.js";
import type { Network } from "../model/network.js";
import { clipGradients, createOptimizer, gradientNormSquared, learningRate, type Optimizer } from "../optimizers/index.js";
import { maxAbs } from "../tensor/scalar.js";
import type { Param, Tensor } from "../tensor/tensor.js";
import { Random, permutation, type RandomState } from "../tensor/random.js";
import { checkLabels, measureAsync } from "./evaluate.js";
import { type Augment, augmentRows, checkAugment } from "./augment.js";
import { BatchReader, allRows } from "./batches.js";
import { checkOptionNames, FIT_OPTIONS, type BatchEvent, type Checkpoint, type EpochEvent, type FitOptions, type FitResult, type StopReason } from "./options.js";
import { runSettings, takeUp } from "./resume.js";
import { snapshot, restore, type Snapshot } from "./snapshot.js";

/** Per step, the training loop keeps three numbers on the device: the loss, the squared gradient norm, the correct rows. */
const LOSS = 0;
const NORM = 1;
const CORRECT = 2;
const STATS = 3;

/**
 * Trains `network` on `data` with mini-batch gradient descent. Deterministic: the same seed on
 * the same backend gives bit-identical weights. The losses and gradient norms stay on the
 * backend and are read every `readEvery` steps and at the end of each epoch; when one of them
 * is NaN or infinite, training stops with the weights the last step read before it ran on (with
 * readEvery 1, the step just before) and `stopped` says at which step and why. Layers with statistics (a standardize layer) learn them from the
 * training rows first, unless they already have them.
 * @example
 * const result = await fit(network, trainSet, { epochs: 5, lr: 0.001 });
 * result.history.at(-1)?.validationAccuracy // e.g. 0.86
 */
export async function fit(network: Network, data: Dataset, options: FitOptions = {}): Promise<FitResult> {
  checkOptionNames(options, FIT_OPTIONS, "fit");
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const lr = options.lr ?? 0.001;
  const readEvery = options.readEvery ?? 16;
  check(Number.isInteger(epochs) && epochs >= 1, `epochs must be a positive integer, got ${epochs}`);
  check(Number.isInteger(batchSize) && batchSize >= 1, `batch size must be a positive integer, got ${batchSize}`);
  check(lr > 0 && Number.isFinite(lr), `learning rate must be a positive number, got ${lr}`);
  check(Number.isInteger(readEvery) && readEvery >= 1, `readEvery must be a positive integer, got ${readEvery}`);
  checkData(network, data);
  const random = new Random(options.seed ?? 1);
  const { trainRows, validation } = splitValidation(network, data, options.validation ?? 0.1, random);
  const settings = runSettings(options, data, { epochs, batchSize, lr });
  const optimizer = createOptimizer(network.backend, options.optimizer);
  const resume = options.resume ?? null;
  if (resume) takeUp(resume, settings, network, optimizer, random);
  for (const layer of network.unadapted()) layer.adapt?.(featureRows(data), data.columns, trainRows);

  const regression = network.spec.output === "linear";
  if (options.loss !== undefined) {
    check(REGRESSION_LOSSES.includes(options.loss), `loss must be one of ${REGRESSION_LOSSES.join(", ")}, got ${String(options.loss)}`);
    check(regression, `loss: "${options.loss}" is a regression's loss; this model is a classifier, which trains on cross-entropy`);
  }
  check(!regression || options.classWeights == null, "classWeights: class weights are for a classifier; this model is a regression");
  const loss = lossFor(network.spec.output, classWeights(options.classWeights ?? null, data, trainRows, network), options.loss);
  const loop = new StepLoop(network, data, loss, optimizer, options, batchSize, readEvery);
  if (resume) loop.setState(resume.augmentRandom, resume.firstLoss);
  const history: EpochEvent[] = resume ? [...resume.history] : [];
  let stopped: StopReason | null = null;
  let best: { loss: number; epoch: number } | null = resume?.best ? { loss: resume.best.loss, epoch: resume.best.epoch } : null;
  let bestWeights: Snapshot | undefined;
  if (resume?.best) {
    bestWeights = snapshot(network);
    resume.best.weights.forEach((w, i) => network.backend.write((bestWeights as Snapshot)[i], w));
  }

  const read = (t: Tensor): Float32Array => Float32Array.from(network.backend.read(t));
  const checkpointOf = (done: number, partial: Checkpoint["partial"]): Checkpoint => {
    const state = optimizer.state(network.params());
    return {
      epoch: done,
      settings,
      network: Object.fromEntries(network.tensors().map((t) => [t.name, read(t.value)])),
      optimizer: { steps: state.steps, values: state.tensors.map(read) },
      random: random.state(),
      ...loop.state(),
      history: [...history],
      best: best && bestWeights ? { ...best, weights: bestWeights.map(read) } : null,
      partial,
    };
  };
  let lastCheckpoint = performance.now();
  const save = async (state: Checkpoint): Promise<void> => {
    await options.checkpoint?.(state);
    lastCheckpoint = performance.now();
  };

  for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= epochs && !stopped; epoch++) {
    const started = performance.now();
    const rate = learningRate(lr, options.schedule ?? { kind: "cosine" }, epoch - 1, epochs);
    // A checkpoint from within this epoch gives its order and where it got to; else a new order.
    const partial = resume?.partial && epoch === resume.epoch + 1 ? resume.partial : null;
    const order = partial ? partial.order : permutation(trainRows.length, random);
    const every = options.checkpoint && options.checkpointEvery != null ? options.checkpointEvery * 1000 : null;
    const within =
      every === null
        ? null
        : async (step: number, totals: { lossSum: number; correct: number }): Promise<void> => {
            if (performance.now() - lastCheckpoint >= every) await save(checkpointOf(epoch - 1, { step, order, ...totals }));
          };
    const trained = await loop.epoch(epoch, rate, trainRows, order, random, started, partial, within);
    if ("stopped" in trained) {
      stopped = trained.stopped;
      if (stopped.reason === "interrupted" && bestWeights) restore(network, bestWeights);
      break;
    }
    const seconds = (performance.now() - started) / 1000;
    const held = validation ? await measureAsync(network, validation.data, validation.rows, loss) : null;
    const event: EpochEvent = {
      epoch,
      epochs,
      lr: rate,
      loss: trained.lossSum / trainRows.length,
      accuracy: data.labels ? trained.correct / trainRows.length : NaN,
      validationLoss: held ? held.loss : null,
      validationAccuracy: held && data.labels ? held.accuracy : null,
      seconds,
      samplesPerSecond: trainRows.length / seconds,
    };
    history.push(event);
    options.onEpoch?.(event);

    if (options.patience != null) {
      const monitored = event.validationLoss ?? event.loss;
      if (!best || monitored < best.loss) {
        best = { loss: monitored, epoch };
        bestWeights = snapshot(network, bestWeights);
      } else if (epoch - best.epoch >= options.patience) {
        if (bestWeights) restore(network, bestWeights);
        stopped = { reason: "early_stopping", epoch, bestEpoch: best.epoch };
      }
    }
    if (options.checkpoint && !stopped && epoch < epochs) await save(checkpointOf(epoch, null));
  }
  const heldOut = validation && validation.data === data ? validation.rows : null;
  return { ...summarize(history, stopped, trainRows.length, validation?.rows.length ?? 0, best?.epoch ?? null), heldOut };
}

/**
 * The steps of an epoch. Nothing is read from the backend inside a step: each step writes its
 * loss, squared gradient norm and correct count into a row of `stats`, which is read every
 * `readEvery` steps; then the step events go out, and the weights the last of those steps ran on
 * become the last good ones (a step keeps a device copy of its weights before it updates them).
 */
class StepLoop {
  private readonly batch: BatchReader;
  private readonly dLogits: Tensor;
  private readonly values: Tensor | null;
  private readonly stats: Tensor;
  private readonly params: Param[];
  private readonly augment: { options: Augment; random: Random; scratch: Float32Array } | null = null;
  /** The weights the last read step ran on (its loss and gradients were finite), and the ones the latest step ran on. */
  private lastGood: Snapshot;
  private latest: Snapshot;
  /** The first step's loss: a later one DIVERGED_FACTOR times larger stops training. */
  private firstLoss: number | null = null;
  /** When the event loop last had a turn (see epoch). */
  private lastTurn = performance.now();

  constructor(
    private readonly network: Network,
    private readonly data: Dataset,
    private readonly loss: Loss,
    private readonly optimizer: Optimizer,
    private readonly options: FitOptions,
    private readonly batchSize: number,
    private readonly readEvery: number,
  ) {
    const backend = network.backend;
    this.batch = new BatchReader(data, batchSize, network.outputs);
    if (options.augment) {
      checkAugment(options.augment, network.inputShape);
      // Its own stream, so augmenting leaves the shuffles, the split and dropout as they were.
      this.augment = { options: options.augment, random: new Random((options.seed ?? 1) ^ 0x5bd1e995), scratch: new Float32Array(network.inputs) };
    }
    this.dLogits = backend.matrix(batchSize, network.outputs);
    this.values = data.targets ? backend.matrix(batchSize, network.outputs) : null;
    this.stats = backend.tensor([readEvery, STATS]);
    this.params = network.params();
    this.lastGood = snapshot(network);
    this.latest = snapshot(network);
  }

  /** What a checkpoint keeps of the loop: the augmentation's generator and the first loss. */
  state(): { augmentRandom: RandomState | null; firstLoss: number | null } {
    return { augmentRandom: this.augment?.random.state() ?? null, firstLoss: this.firstLoss };
  }

  setState(augmentRandom: RandomState | null, firstLoss: number | null): void {
    if (augmentRandom && this.augment) this.augment.random.setState(augmentRandom);
    this.firstLoss = firstLoss;
  }

  async epoch(
    epoch: number,
    rate: number,
    rows: Int32Array,
    order: Int32Array,
    random: Random,
    started: number,
    from: { step: number; lossSum: number; correct: number } | null = null,
    within: ((step: number, totals: { lossSum: number; correct: number }) => Promise<void>) | null = null,
  ): Promise<{ lossSum: number; correct: number } | { stopped: StopReason }> {
    const steps = Math.ceil(rows.length / this.batchSize);
    const totals = { lossSum: from?.lossSum ?? 0, correct: from?.correct ?? 0 };
    // From a checkpoint within the epoch: on from its step, a multiple of readEvery, so the reads fall as before.
    for (let first = from?.step ?? 0; first < steps; first += this.readEvery) {
      let count = Math.min(this.readEvery, steps - first);
      const signal = this.options.signal;
      for (let s = 0; s < count; s++) {
        if (signal?.aborted) count = s;
        else this.step(rows, order, (first + s) * this.batchSize, s, random, rate);
      }
      const stats = await this.network.backend.readAsync(this.stats);
      // A read on the CPU backends resolves at once, which lets no signal handler or timer run:
      // with a signal to watch, give the event loop a turn every 100 ms or so.
      if (signal && performance.now() - this.lastTurn > 100) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        this.lastTurn = performance.now();
      }
      for (let s = 0; s < count; s++) {
        const step = first + s + 1;
        const begin = (step - 1) * this.batchSize;
        const n = Math.min(this.batchSize, rows.length - begin);
        const batchLoss = stats[s * STATS + LOSS];
        if (!Number.isFinite(batchLoss) || !Number.isFinite(stats[s * STATS + NORM])) {
          restore(this.network, this.lastGood);
          return { stopped: nonFinite(epoch, step, batchLoss, rate, this.network.standardizes ? 0 : maxAbs(featureRows(this.data)), first) };
        }
        this.firstLoss ??= batchLoss;
        if (this.firstLoss > 0 && batchLoss > DIVERGED_FACTOR * this.firstLoss) {
          restore(this.network, this.lastGood);
          return { stopped: diverged(epoch, step, this.firstLoss, batchLoss, rate, first) };
        }
        totals.lossSum += batchLoss * n;
        totals.correct += stats[s * STATS + CORRECT];
        const event: BatchEvent = {
          epoch,
          step,
          steps,
          loss: batchLoss,
          accuracy: this.data.labels ? totals.correct / (begin + n) : NaN,
          samples: begin + n,
          seconds: (performance.now() - started) / 1000,
        };
        this.options.onBatch?.(event);
      }
      [this.lastGood, this.latest] = [this.latest, this.lastGood];
      if (signal?.aborted) return { stopped: { reason: "interrupted", epoch, step: first + count } };
      if (within && first + count < steps) await within(first + count, { ...totals });
    }
    return totals;
  }

  /** One gradient step on rows order[begin..begin+n); its numbers go to row `slot` of stats. */
  private step(rows: Int32Array, order: Int32Array, begin: number, slot: number, random: Random, rate: number): void {
    const { network, data, batch, stats } = this;
    const backend = network.backend;
    const n = Math.min(this.batchSize, rows.length - begin);
    batch.read(rows, order, begin, n);
    if (this.augment) augmentRows(batch.features, n, network.inputShape, this.augment.options, this.augment.random, this.augment.scratch);
    const x = network.input(n);
    backend.write(x, batch.features.subarray(0, n * data.columns));
    const labels = data.labels ? batch.labels.subarray(0, n) : null;
    let values: Tensor | null = null;
    if (this.values) {
      values = backend.view(this.values, n);
      backend.write(values, batch.targets.subarray(0, n * network.outputs));
    }
    const logits = network.forward(x, true, random);
    // For one sigmoid output the class is 1 when the logit is >= 0 (probability >= 0.5).
    if (labels) backend.countCorrect(logits, labels, 0, stats, slot * STATS + CORRECT);
    const dLogits = backend.view(this.dLogits, n);
    this.loss.compute(backend, logits, { labels, values }, dLogits, stats, slot * STATS + LOSS);
    network.backward(dLogits, false);
    const params = this.params;
    gradientNormSquared(backend, params, stats, slot * STATS + NORM);
    if (this.options.clipNorm) clipGradients(backend, params, stats, slot * STATS + NORM, this.options.clipNorm);
    params.forEach((p, i) => backend.copy(p.value, this.latest[i])); // a copy on the device: nothing is read
    this.optimizer.step(params, rate);
  }
}

function summarize(history: EpochEvent[], stopped: StopReason | null, trainingRows: number, validationRows: number, bestEpoch: number | null): FitResult {
  const seconds = history.reduce((sum, e) => sum + e.seconds, 0);
  const samples = history.reduce((sum, e) => sum + e.samplesPerSecond * e.seconds, 0);
  // Early stopping and an interruption with patience restore the best epoch's weights: report that epoch, the one the network holds.
  const restored = stopped?.reason === "early_stopping" ? stopped.bestEpoch : stopped?.reason === "interrupted" ? bestEpoch : null;
  const kept = restored !== null ? history[restored - 1] : history[history.length - 1];
  return {
    epochs: history.length,
    trainingRows,
    validationRows,
    history,
    stopped,
    secondsPerEpoch: history.length > 0 ? seconds / history.length : 0,
    samplesPerSecond: seconds > 0 ? samples / seconds : 0,
    kept: kept ?? null,
    finalLoss: kept ? kept.loss : NaN,
    validationAccuracy: kept ? kept.validationAccuracy : null,
  };
}

function checkData(network: Network, data: Dataset): void {
  if (data.columns !== network.inputs) {
    throw new GlassboxError("SHAPE_MISMATCH", `${data.source}: expected ${network.inputs} features per row, got ${data.columns}`);
  }
  if (data.rows === 0) throw new GlassboxError("BAD_DATA", `${data.source} has no rows to train on`);
  if (network.spec.output === "linear") {
    if (!data.targets) throw new GlassboxError("BAD_DATA", `${data.source}: a regression model needs target values`);
  } else {
    if (!data.labels) throw new GlassboxError("BAD_DATA", `${data.source}: a classifier needs a label per row`);
    checkLabels(network, data);
  }
}

/** Rows to train on and rows held out: a seeded random fraction of `data`, or another dataset. */
function splitValidation(
  network: Network,
  data: Dataset,
  validation: number | Dataset,
  random: Random,
): { trainRows: Int32Array; validation: { data: Dataset; rows: Int32Array } | null } {
  if (typeof validation !== "number") {
    checkData(network, validation);
    return { trainRows: allRows(data.rows), validation: { data: validation, rows: allRows(validation.rows) } };
  }
  check(validation >= 0 && validation < 1, `validation must be a fraction in [0, 1), got ${validation}`);
  const held = Math.floor(data.rows * validation);
  if (held === 0) return { trainRows: allRows(data.rows), validation: null };
  const order = permutation(data.rows, random);
  return { trainRows: order.slice(held), validation: { data, rows: order.slice(0, held) } };
}

function classWeights(weights: number[] | "balanced" | null, data: Dataset, rows: Int32Array, network: Network): Float32Array | null {
  if (weights === null) return null;
  const k = network.labels.length;
  if (weights === "balanced") {
    const counts = new Float64Array(k);
    for (const row of rows) counts[data.labels ? data.labels[row] : 0]++;
    return Float32Array.from(counts, (count) => (count > 0 ? rows.length / (k * count) : 0));
  }
  check(weights.length === k, `expected one class weight per label (${k}), got ${weights.length}`);
  check(
    weights.every((w) => w >= 0 && Number.isFinite(w)),
    "class weights must be finite and >= 0",
  );
  return Float32Array.from(weights);
}

/** A batch loss this many times the first one stops training as diverged. */
export const DIVERGED_FACTOR = 1000;

function keptWeights(lastRead: number): string {
  return lastRead === 0 ? "the weights are the last good ones, from before this epoch's steps" : `the weights are the last good ones, those step ${lastRead} ran on`;
}

function diverged(epoch: number, step: number, firstLoss: number, loss: number, lr: number, lastRead: number): StopReason {
  const cause = `learning rate too high (lr ${lr}); try one 10 times smaller`;
  const message = `training stopped at epoch ${epoch}, step ${step}: the loss grew from ${firstLoss.toPrecision(3)} to ${loss.toExponential(2)}, over ${DIVERGED_FACTOR} times its first value, so training diverged; ${keptWeights(lastRead)}. Likely cause: ${cause}`;
  return { reason: "diverged", epoch, step, cause, message };
}

function nonFinite(epoch: number, step: number, loss: number, lr: number, inputScale: number, lastRead: number): StopReason {
  const what = Number.isFinite(loss) ? "a gradient" : `the loss (${loss})`;
  const cause =
    !Number.isFinite(inputScale) || inputScale > 50
      ? `unnormalised input: features reach ${inputScale.toExponential(2)}; standardise them (the standardize option; train --standardize) or scale them to about -1..1`
      : `learning rate too high (lr ${lr}); try one 10 times smaller`;
  const message = `training stopped at epoch ${epoch}, step ${step}: ${what} became non-finite; ${keptWeights(lastRead)}. Likely cause: ${cause}`;
  return { reason: "non_finite", epoch, step, cause, message };
}
