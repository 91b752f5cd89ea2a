import type { Backend } from "../backends/backend.js";
import type { Hierarchy } from "./hierarchy.js";

/** What a network knows besides its layers: facts for the model file, and rows kept from training. */

/**
 * Facts about a model kept beside its weights in the model file. The featurizer is kept as the
 * featurizer wrote it (a JSON record with its `kind`); `featurizers/` reads it.
 */
export interface ModelAbout {
  /** Names of the input features (table columns of a model without a featurizer), or null. */
  featureNames: string[] | null;
  /** The table column that held the label when training, or null (images, folders). */
  labelColumn: string | null;
  /** How raw inputs (image files, clips, texts, table rows) become the features, fitted on the training data. */
  featurizer: { readonly kind: string } | null;
  /** For nested labels, each label's path of categories (root first, the label last). */
  hierarchy: Hierarchy | null;
  /** The CSV column that held the text, for a text model trained on a CSV. */
  textColumn: string | null;
  /** A summary of the training run that produced the weights (epochs, loss, accuracy...). */
  training: Record<string, unknown> | null;
  /** A two-label model's decision threshold: the second label when its probability is at least this. Absent: 0.5. */
  threshold?: number | null;
  /**
   * A regression's targets as it learnt them: standardised with these, one per output. The
   * network's last numbers z are in standard units; its answers are z * std + mean, in the
   * label's units. Absent: the answers are z.
   */
  targetScale?: TargetScale | null;
}

/** The mean and standard deviation of each regression target over the training rows. */
export interface TargetScale {
  mean: number[];
  std: number[];
}

/** Typical raw input rows kept from training: the baseline explanations compare an input with. */
export interface Background {
  features: Float32Array; // [rows, inputs]
  rows: number;
}

/** A few training rows kept in the model with their labels, to show it at work (the web page's first input). */
export interface Examples {
  features: Float32Array; // [rows, inputs], raw
  rows: number;
  /** Each row's label index. */
  labels: Int32Array;
}

export interface NetworkOptions {
  /** Default: the reference backend. */
  backend?: Backend;
  /** Default: nothing known (every field null). */
  about?: Partial<ModelAbout>;
  /** Default: none (explanations then compare with all zeros, or what the featurizer calls silence). */
  background?: Background | null;
  /** Default: none. */
  examples?: Examples | null;
}
