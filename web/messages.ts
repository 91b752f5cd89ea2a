/**
 * What the page and the training worker say to each other. The worker trains a network on the
 * embedded Fashion-MNIST subset and reports every step, so the page can draw the curves live.
 */

/** Page -> worker: train a new network. */
export interface TrainRequest {
  type: "train";
  /** Neurons per hidden layer, e.g. [256, 128]. */
  hidden: number[];
  epochs: number;
  /** Training images to use from the embedded subset (at most 10,000). */
  rows: number;
  /** Absolute URL of the folder holding the IDX files and labels.txt, ending in "/". */
  dataUrl: string;
}

/** Worker -> page. */
export type TrainMessage =
  | { type: "status"; text: string }
  | { type: "batch"; epoch: number; step: number; steps: number; loss: number; accuracy: number }
  | {
      type: "epoch";
      epoch: number;
      epochs: number;
      loss: number;
      accuracy: number;
      validationLoss: number | null;
      validationAccuracy: number | null;
      seconds: number;
      /** The model file as it stands at the end of this epoch: what Stop keeps. */
      model: Uint8Array;
    }
  | { type: "done"; model: Uint8Array; testAccuracy: number; seconds: number; epochs: number }
  | { type: "error"; message: string };
