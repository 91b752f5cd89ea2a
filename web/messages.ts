/**
 * What the page and the training worker say to each other. The worker reads the data (the
 * embedded Fashion-MNIST subset, or a folder or CSV the user gave), trains through the library's
 * pipeline and reports every step, so the page can draw the curves and the weights live.
 */
import type { FileBytes } from "glassbox";

/** What to train on. */
export type TrainData =
  /** The first `rows` images of the embedded subset; `dataUrl` is the absolute URL of its folder, ending in "/". */
  | { kind: "fashion"; rows: number; dataUrl: string }
  /** A folder per label, its paths starting with the folder's name. */
  | { kind: "folder"; name: string; files: FileBytes[] }
  /** A CSV table and its label column. */
  | { kind: "csv"; name: string; bytes: Uint8Array; label: string };

/** Page -> worker: train a new network. */
export interface TrainRequest {
  type: "train";
  data: TrainData;
  /** Neurons per dense hidden layer ("256,128"), or null for `layers`. */
  hidden: number[] | null;
  /** The hidden layers in words (as `train --layers`); null with `hidden` null: the default for the data. */
  layers: string | null;
  epochs: number;
  lr: number;
  /** In words, as `train --augment` ("flip,shift:2"); "" for none. */
  augment: string;
  /** The model is sent every this many batches, so the page shows the weights changing. */
  snapshotEvery: number;
  /** Where to train: "auto" takes WebGPU on a hardware adapter, else wasm; "webgpu" takes any adapter (software ones too). */
  backend: TrainBackend;
}

export type TrainBackend = "auto" | "webgpu" | "wasm";

/** Milliseconds per batch of training: on the backend that trained, and on wasm on the same network when that was WebGPU. */
export interface TrainTiming {
  backend: string;
  device: boolean;
  msPerBatch: number;
  /** wasm on a copy of the trained network, timed on a few batches after training (null when wasm trained). */
  wasmMsPerBatch: number | null;
}

/** A form field a worker error is about. */
export type TrainField = "layers" | "augment" | "data" | "backend";

/** Worker -> page. */
export type TrainMessage =
  | { type: "status"; text: string }
  /** The data as read: what was detected, the network built on it, and the backend. */
  | { type: "data"; detected: string; network: string; backend: string }
  | { type: "batch"; epoch: number; step: number; steps: number; loss: number; accuracy: number }
  | { type: "snapshot"; epoch: number; step: number; model: Uint8Array }
  | {
      type: "epoch";
      epoch: number;
      epochs: number;
      loss: number;
      accuracy: number;
      validationLoss: number | null;
      validationAccuracy: number | null;
      seconds: number;
      msPerBatch: number;
      /** The model file as it stands at the end of this epoch: what Stop keeps. */
      model: Uint8Array;
    }
  | {
      type: "done";
      model: Uint8Array;
      /** Accuracy on the held-out test set (the embedded test images, or a folder's test/ half), else null. */
      testAccuracy: number | null;
      testRows: number;
      validationAccuracy: number | null;
      seconds: number;
      epochs: number;
      timing: TrainTiming;
    }
  | { type: "error"; message: string; field?: TrainField };
