import type { Initializer } from "../layers/index.js";
import type { OptimizerOptions } from "../optimizers/optimizer.js";
import type { Schedule } from "../optimizers/schedule.js";

/**
 * What training decides when it is not told, by the kind of data: a table (a CSV, or numbers
 * with no featurizer) or files (images, sounds, texts). Measured with `npm run bench:tables` on
 * the small public tables of data/tables against scikit-learn's defaults (README, "Defaults").
 *
 * Tables: one hidden layer of 100 neurons with Glorot-uniform weights, and up to 300 epochs or
 * 300,000 rows seen, whichever comes first (at least 10 epochs) at a constant learning rate,
 * stopping when the validation loss has not improved for a tenth of those epochs (at least 5)
 * and keeping the best epoch's weights. Small tables need many steps: 112 rows are 2 steps an
 * epoch, so 10 epochs were 20 Adam steps and underfit (iris: 82% against 97% over 300 epochs).
 * He-normal weights on a few standardised columns made the network too curved (iris 92%).
 *
 * A table's regression also gets AdamW with weight decay 3 (each step shrinks the weights by
 * lr * 3): on small noisy tables it is the shrinkage of ridge regression (diabetes, seeds 1-5: R²
 * 0.335 without it, 0.373 with it, against 0.359 for least squares). Classifiers keep Adam without
 * decay: no decay that was tried did better on every classification table.
 *
 * Files: 10 epochs with the cosine schedule (measured on Fashion-MNIST and CIFAR-10), stopping
 * after 3 epochs without a better validation loss.
 */
export interface TrainingDefaults {
  epochs: number;
  patience: number;
  schedule: Schedule;
  hidden: number[];
  init: Initializer | null;
  optimizer: OptimizerOptions;
}

/** At most this many epochs on a table... */
export const TABLE_MAX_EPOCHS = 300;
/** ...and at most this many rows seen in all. */
export const TABLE_ROWS_SEEN = 300_000;
const MIN_EPOCHS = 10;

/** A table's regression: AdamW's decoupled weight decay. */
export const TABLE_REGRESSION_WEIGHT_DECAY = 3;

export function trainingDefaults(rows: number, table: boolean, regression = false): TrainingDefaults {
  const adam: OptimizerOptions = { name: "adam" };
  if (!table) return { epochs: MIN_EPOCHS, patience: 3, schedule: { kind: "cosine" }, hidden: [256, 128], init: null, optimizer: adam };
  const epochs = Math.max(MIN_EPOCHS, Math.min(TABLE_MAX_EPOCHS, Math.ceil(TABLE_ROWS_SEEN / Math.max(1, rows))));
  const optimizer: OptimizerOptions = regression ? { name: "adamw", weightDecay: TABLE_REGRESSION_WEIGHT_DECAY } : adam;
  return { epochs, patience: Math.max(5, Math.round(epochs / 10)), schedule: { kind: "constant" }, hidden: [100], init: "glorot", optimizer };
}
