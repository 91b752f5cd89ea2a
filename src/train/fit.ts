import { GlassboxError, check } from "../errors.js";
import type { Dataset } from "../data/dataset.js";
import { fitNormalization } from "../data/normalize.js";
import { lossFor, type Loss } from "../losses/loss.js";
import type { Network } from "../model/network.js";
import { createOptimizer } from "../optimizers/optimizer.js";
import { learningRate } from "../optimizers/schedule.js";
import { clipGradients, gradientNorm } from "../optimizers/clip.js";
import type { Matrix } from "../tensor/matrix.js";
import { Random, permutation } from "../tensor/random.js";
import { checkLabels, measure } from "./evaluate.js";
import { BatchReader, allRows } from "./batches.js";
import { predictedClasses } from "./metrics.js";
import type { EpochEvent, FitOptions, FitResult, StopReason } from "./options.js";
import { snapshot, restore, type Snapshot } from "./snapshot.js";

/**
 * Trains `network` on `data` with mini-batch gradient descent. Deterministic: the same seed on
 * the same backend gives bit-identical weights. When the loss or a gradient becomes NaN or
 * infinite, training stops with the last good weights and `stopped` says where and why.
 * @example
 * const result = fit(network, trainSet, { epochs: 5, lr: 0.001 });
 * result.history.at(-1)?.validationAccuracy // e.g. 0.86
 */
export function fit(network: Network, data: Dataset, options: FitOptions = {}): FitResult {
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 64;
  const lr = options.lr ?? 0.001;
  check(Number.isInteger(epochs) && epochs >= 1, `epochs must be a positive integer, got ${epochs}`);
  check(Number.isInteger(batchSize) && batchSize >= 1, `batch size must be a positive integer, got ${batchSize}`);
  check(lr > 0 && Number.isFinite(lr), `learning rate must be a positive number, got ${lr}`);
  checkData(network, data);
  const random = new Random(options.seed ?? 1);
  const { trainRows, validation } = splitValidation(network, data, options.validation ?? 0.1, random);
  if (options.standardize) network.normalization = fitNormalization(data, trainRows);

  const loss = lossFor(network.spec.output, classWeights(options.classWeights ?? null, data, trainRows, network));
  const optimizer = createOptimizer(network.backend, options.optimizer);
  const params = network.params();
  const backend = network.backend;
  // The weights that gave the last finite loss and gradients, to go back to if the next ones do not.
  const lastGood = params.map((p) => backend.matrix(p.value.rows, p.value.cols));
  let updated = false;
  const outputs = network.outputs;
  const steps = Math.ceil(trainRows.length / batchSize);
  const batch = new BatchReader(data, network.normalization, batchSize, outputs);
  const dLogitsFull = backend.matrix(batchSize, outputs);
  const valuesFull = data.targets ? backend.matrix(batchSize, outputs) : null;

  const history: EpochEvent[] = [];
  let stopped: StopReason | null = null;
  let best: { loss: number; epoch: number; weights: Snapshot } | null = null;

  for (let epoch = 1; epoch <= epochs && !stopped; epoch++) {
    const started = performance.now();
    const rate = learningRate(lr, options.schedule ?? { kind: "cosine" }, epoch - 1, epochs);
    const order = permutation(trainRows.length, random);
    let lossSum = 0;
    let correct = 0;
    for (let step = 0; step < steps; step++) {
      const begin = step * batchSize;
      const n = Math.min(batchSize, trainRows.length - begin);
      batch.read(trainRows, order, begin, n);
      const x = network.input(n);
      backend.write(x, batch.features.subarray(0, n * data.columns));
      const labels = data.labels ? batch.labels.subarray(0, n) : null;
      let values: Matrix | null = null;
      if (valuesFull) {
        values = backend.view(valuesFull, n);
        backend.write(values, batch.targets.subarray(0, n * outputs));
      }
      const logits = network.forward(x, true, random);
      const dLogits = backend.view(dLogitsFull, n);
      const batchLoss = loss.compute(backend, logits, { labels, values }, dLogits);
      network.backward(dLogits, false);
      const gradNorm = gradientNorm(backend, params);
      if (!Number.isFinite(batchLoss) || !Number.isFinite(gradNorm)) {
        if (updated) params.forEach((p, i) => backend.copy(lastGood[i], p.value));
        stopped = nonFinite(epoch, step + 1, batchLoss, rate, network.normalization ? 0 : maxAbs(data.features));
        break;
      }
      if (options.clipNorm) clipGradients(backend, params, gradNorm, options.clipNorm);
      params.forEach((p, i) => backend.copy(p.value, lastGood[i]));
      optimizer.step(params, rate);
      updated = true;
      lossSum += batchLoss * n;
      if (labels) correct += countCorrect(backend.read(logits), labels, outputs);
      options.onBatch?.({
        epoch, step: step + 1, steps, loss: batchLoss,
        accuracy: labels ? correct / (begin + n) : NaN,
        samples: begin + n,
        seconds: (performance.now() - started) / 1000,
      });
    }
    if (stopped) break;

    const seconds = (performance.now() - started) / 1000;
    const held = validation ? measure(network, validation.data, validation.rows, loss) : null;
    const event: EpochEvent = {
      epoch, epochs, lr: rate,
      loss: lossSum / trainRows.length,
      accuracy: data.labels ? correct / trainRows.length : NaN,
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
        best = { loss: monitored, epoch, weights: snapshot(network) };
      } else if (epoch - best.epoch >= options.patience) {
        restore(network, best.weights);
        stopped = { reason: "early_stopping", epoch, bestEpoch: best.epoch };
      }
    }
  }
  return summarize(history, stopped, trainRows.length, validation?.rows.length ?? 0);
}

function summarize(history: EpochEvent[], stopped: StopReason | null, trainingRows: number, validationRows: number): FitResult {
  const seconds = history.reduce((sum, e) => sum + e.seconds, 0);
  const samples = history.reduce((sum, e) => sum + e.samplesPerSecond * e.seconds, 0);
  // Early stopping restores an earlier epoch's weights: report that epoch, the one the network holds.
  const kept = stopped?.reason === "early_stopping" ? history[stopped.bestEpoch - 1] : history[history.length - 1];
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
  network: Network, data: Dataset, validation: number | Dataset, random: Random,
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
  check(weights.every((w) => w >= 0 && Number.isFinite(w)), "class weights must be finite and >= 0");
  return Float32Array.from(weights);
}

function countCorrect(logits: ArrayLike<number>, labels: Int32Array, outputs: number): number {
  // For one sigmoid output the class is 1 when the logit is >= 0 (probability >= 0.5).
  const scores = outputs === 1 ? Array.from(labels, (_, i) => (logits[i] >= 0 ? 1 : 0)) : logits;
  const classes = predictedClasses(scores, labels.length, outputs);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (classes[i] === labels[i]) correct++;
  return correct;
}

function maxAbs(values: Float32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

function nonFinite(epoch: number, step: number, loss: number, lr: number, inputScale: number): StopReason {
  const what = Number.isFinite(loss) ? "a gradient" : `the loss (${loss})`;
  const cause = !Number.isFinite(inputScale) || inputScale > 50
    ? `unnormalised input: features reach ${inputScale.toExponential(2)}; standardise them (--standardize) or scale them to about -1..1`
    : `learning rate too high (lr ${lr}); try one 10 times smaller`;
  const message = `training stopped at epoch ${epoch}, step ${step}: ${what} became non-finite; the weights are the last good ones. Likely cause: ${cause}`;
  return { reason: "non_finite", epoch, step, cause, message };
}
