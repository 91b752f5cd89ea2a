import { GlassboxError } from "../errors.js";
import { didYouMean } from "../suggest.js";
import type { Augment } from "./augment.js";
import type { OptimizerOptions } from "../optimizers/optimizer.js";
import type { Schedule } from "../optimizers/schedule.js";
import type { Dataset } from "../data/dataset.js";
import type { RegressionLoss } from "../losses/index.js";
import type { RandomState } from "../tensor/random.js";

/** Options of `fit`; every field has a default. */
export interface FitOptions {
  /** Passes over the training data. Default 10. */
  epochs?: number;
  /** Rows per gradient step. Default 64. */
  batchSize?: number;
  /** Learning rate. Default 0.001. */
  lr?: number;
  /** Default Adam. */
  optimizer?: OptimizerOptions;
  /**
   * Learning-rate schedule. Default cosine: the rate falls from `lr` towards 0 over the epochs,
   * which ends training in a flatter, better minimum (on Fashion-MNIST, 784-256-128-10, 10 epochs:
   * 0.894-0.897 test accuracy against 0.877-0.882 with a constant rate, seeds 1-3).
   */
  schedule?: Schedule;
  /** Rescale the gradients when their global L2 norm exceeds this. Default: no clipping. */
  clipNorm?: number | null;
  /**
   * Held-out data for validation: a fraction of the training rows (split off with the seed) or a
   * dataset. Default 0.1; 0 for none.
   */
  validation?: number | Dataset;
  /** Stop when the validation loss has not improved for this many epochs, and restore the best weights. Default: off. */
  patience?: number | null;
  /** One weight per label, or "balanced" (rows / (classes * rows of that class)). Default: all 1. */
  classWeights?: number[] | "balanced" | null;
  /** A regression's loss: "mse" (mean squared error) or "huber" (squared up to delta 1, straight beyond). Default "mse"; classifiers take none. */
  loss?: RegressionLoss;
  /**
   * Steps between reads of the losses and gradient norms from the backend (each read may wait
   * for a device). Step events arrive in bursts of this many; a NaN is found at the next read
   * and the weights go back to those of the read before. Default 16.
   */
  readEvery?: number;
  /** Random flips and shifts of training images, seeded, drawn for every batch. Default: none. */
  augment?: Augment | null;
  /** Seed for shuffling, the validation split and dropout. Default 1. */
  seed?: number;
  /** Called after every step (for progress bars). */
  onBatch?: (event: BatchEvent) => void;
  /** Called after every epoch (for charts and logs). */
  onEpoch?: (event: EpochEvent) => void;
  /**
   * Called after every epoch with everything needed to continue from there (awaited before the
   * next epoch starts): save it, and pass it back as `resume` after a crash.
   */
  checkpoint?: (state: Checkpoint) => void | Promise<void>;
  /**
   * Within an epoch, also checkpoint at the first read of the losses after this many seconds
   * since the last checkpoint, so a long epoch is not lost whole. Default: only after epochs.
   */
  checkpointEvery?: number | null;
  /**
   * A checkpoint of an earlier run with the same settings and data: training continues after its
   * epoch and ends with the weights an uninterrupted run would have, bit for bit on the same
   * backend and thread count. Other settings or data are refused.
   */
  resume?: Checkpoint | null;
  /** Aborting it stops training before the next step, with the best weights so far (the last ones without patience). */
  signal?: AbortSignal;
}

/** Everything a run needs to go on after epoch `epoch` as if it had never stopped. */
export interface Checkpoint {
  /** Epochs completed. */
  epoch: number;
  /** The settings and data size the run was started with, as text; resuming with others is refused. */
  settings: Record<string, string>;
  /** Every tensor of the network (weights and statistics), by name. */
  network: Record<string, Float32Array>;
  /** The optimizer's steps and tensors (Adam's moments, SGD's velocities), in order. */
  optimizer: { steps: number; values: Float32Array[] };
  /** The run's random generator (shuffles, dropout) and the augmentation's. */
  random: RandomState;
  augmentRandom: RandomState | null;
  /** The first step's loss, which divergence is measured against. */
  firstLoss: number | null;
  history: EpochEvent[];
  /** With patience: the best epoch so far, its monitored loss and its parameters. */
  best: { loss: number; epoch: number; weights: Float32Array[] } | null;
  /**
   * A checkpoint within epoch `epoch + 1`: the steps done, that epoch's order of the training rows
   * and its sums so far. Null after a whole epoch.
   */
  partial: { step: number; order: Int32Array; lossSum: number; correct: number } | null;
}

export interface BatchEvent {
  epoch: number; // from 1
  step: number; // from 1, within the epoch
  steps: number; // steps per epoch
  loss: number; // this batch's loss
  accuracy: number; // training accuracy so far in this epoch (NaN for regression)
  samples: number; // rows seen so far in this epoch
  seconds: number; // since the epoch started
}

export interface EpochEvent {
  epoch: number; // from 1
  epochs: number;
  lr: number;
  loss: number; // mean training loss over the epoch
  accuracy: number; // training accuracy over the epoch (NaN for regression)
  /** Loss on the held-out rows, with the same class weights as training; null without validation. */
  validationLoss: number | null;
  validationAccuracy: number | null;
  seconds: number;
  samplesPerSecond: number;
}

/** Why training ended before its last epoch. */
/**
 * Why training ended before its last epoch: early stopping, a non-finite loss or gradient, a
 * loss that grew past DIVERGED_FACTOR times its first value (these two restore the last good
 * weights), or the `signal` (the best weights so far with patience, else the latest).
 */
export type StopReason =
  | { reason: "early_stopping"; epoch: number; bestEpoch: number }
  | { reason: "non_finite" | "diverged"; epoch: number; step: number; cause: string; message: string }
  | { reason: "interrupted"; epoch: number; step: number };

export interface FitResult {
  /** Epochs run (fewer than asked when stopped early). */
  epochs: number;
  /** Rows trained on and rows held out for validation. */
  trainingRows: number;
  validationRows: number;
  history: EpochEvent[];
  stopped: StopReason | null;
  secondsPerEpoch: number;
  samplesPerSecond: number;
  /** The epoch whose weights the network holds at the end: the last, or the best when stopped early. */
  kept: EpochEvent | null;
  /** Training loss and validation accuracy of the kept epoch. */
  finalLoss: number;
  validationAccuracy: number | null;
  /** The rows of the training data held out for validation (null when none, or a separate validation set). */
  heldOut?: Int32Array | null;
}

/** Every option of `fit` by name, to refuse a misspelt one (the compiler keeps the list whole). */
export const FIT_OPTIONS = [
  "epochs",
  "batchSize",
  "lr",
  "optimizer",
  "schedule",
  "clipNorm",
  "validation",
  "patience",
  "classWeights",
  "loss",
  "readEvery",
  "augment",
  "seed",
  "onBatch",
  "onEpoch",
  "checkpoint",
  "checkpointEvery",
  "resume",
  "signal",
] as const satisfies readonly (keyof FitOptions)[];
type Unlisted = Exclude<keyof FitOptions, (typeof FIT_OPTIONS)[number]>;
const everyFitOption: [Unlisted] extends [never] ? true : Unlisted = true;
void everyFitOption;

/**
 * Throws for an option name that is not in `known`, naming the nearest one: a misspelt option
 * (`epoch: 3`) would otherwise be ignored in plain JavaScript.
 */
export function checkOptionNames(options: object, known: readonly string[], what: string): void {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new GlassboxError("BAD_ARGUMENT", `${what}: unknown option "${name}"${didYouMean(name, known)}`);
  }
}
