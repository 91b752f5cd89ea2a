import type { Initializer } from "../layers/index.js";
import type { OptimizerOptions } from "../optimizers/optimizer.js";
import type { Schedule } from "../optimizers/schedule.js";
import { BAG_FOLDS, BAG_MIN_ROWS_PER_FOLD } from "./bag.js";

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
 * A table of at least 50 rows trains a bag (bag.ts): 5 networks, one per fold of a 5-fold split,
 * each stopped early on its fold, averaged into one network; a regression blends in ridge
 * regression by the share that fits the out-of-fold answers. One network held out 10% of the rows
 * for early stopping and never trained on them; the bag trains on every row four times in five.
 * With 10 seeds on data/tables it lifted breast cancer from 0.966 to 0.971, diabetes from R² 0.367
 * to 0.378 and star98 from 0.755 to 0.766 (least squares: 0.757; the bag without the blend: 0.757).
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
  /** Folds of the bag of networks that trains, 1 for a single network. */
  bag: number;
}

/** At most this many epochs on a table... */
export const TABLE_MAX_EPOCHS = 300;
/** ...and at most this many rows seen in all. */
export const TABLE_ROWS_SEEN = 300_000;
const MIN_EPOCHS = 10;

/** A table's regression: AdamW's decoupled weight decay. */
export const TABLE_REGRESSION_WEIGHT_DECAY = 3;

export function trainingDefaults(rows: number, table: boolean, regression = false): TrainingDefaults {
  if (!table) return { epochs: MIN_EPOCHS, patience: 3, schedule: { kind: "cosine" }, hidden: [256, 128], init: null, optimizer: { name: "adam" }, bag: 1 };
  const epochs = Math.max(MIN_EPOCHS, Math.min(TABLE_MAX_EPOCHS, Math.ceil(TABLE_ROWS_SEEN / Math.max(1, rows))));
  const optimizer: OptimizerOptions = regression ? { name: "adamw", weightDecay: TABLE_REGRESSION_WEIGHT_DECAY } : { name: "adam" };
  const bag = rows >= BAG_FOLDS * BAG_MIN_ROWS_PER_FOLD ? BAG_FOLDS : 1;
  return { epochs, patience: Math.max(5, Math.round(epochs / 10)), schedule: { kind: "constant" }, hidden: [100], init: "glorot", optimizer, bag };
}
