/**
 * The training worker: reads the data it is given through the library (the same functions the
 * CLI reads a folder or a CSV with, so the same rows), trains through trainModel on the wasm
 * backend (with threads when the page is cross-origin isolated, else one: the worker is already
 * the page's second thread), and reports each step, a model snapshot every few batches (the page
 * draws the weights and maps from it), and the model after each epoch (what Stop keeps).
 */
import {
  checkAugment,
  createReferenceBackend,
  createWasmBackend,
  csvTrainingData,
  encodeModel,
  evaluate,
  featureShape,
  folderTrainingData,
  parseAugment,
  parseLayers,
  trainModel,
  type Backend,
  type Dataset,
  type FeaturizerState,
  type Network,
  type TrainingInput,
} from "glassbox";
import { loadFashion } from "./fashion.js";
import type { TrainData, TrainField, TrainMessage, TrainRequest } from "./messages.js";

interface WorkerScope {
  postMessage(message: TrainMessage, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<TrainRequest>) => void): void;
  crossOriginIsolated?: boolean;
}

const scope = self as unknown as WorkerScope;
const post = (message: TrainMessage, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

/** An error about one field of the form, so the page can mark it. */
class FieldError extends Error {
  constructor(
    readonly field: TrainField,
    message: string,
  ) {
    super(message);
  }
}

scope.addEventListener("message", (event) => {
  if (event.data.type !== "train") return;
  train(event.data).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    post({ type: "error", message, ...(error instanceof FieldError ? { field: error.field } : {}) });
  });
});

/** The training input and, when there is one, a held-out test set. */
async function read(data: TrainData): Promise<{ input: TrainingInput; test: Dataset | null; detected: string }> {
  if (data.kind === "fashion") {
    const [train, test] = await Promise.all([loadFashion(data.dataUrl, "train", data.rows), loadFashion(data.dataUrl, "test")]);
    const { height, width } = train.input?.kind === "image" ? train.input : { height: 28, width: 28 };
    const featurizer: FeaturizerState = { kind: "image", height, width, channels: 1 };
    return { input: { data: train, featurizer }, test, detected: `Fashion-MNIST: ${train.labelNames.length} labels, ${train.rows} images, ${test.rows} test images` };
  }
  try {
    if (data.kind === "csv") {
      const loaded = csvTrainingData(data.bytes, data.name, { label: data.label });
      const advice = loaded.advice.map((a) => `. Note: ${a}`).join("");
      return { input: loaded, test: null, detected: `${loaded.detected}: ${loaded.data.labelNames.length} labels, ${loaded.data.rows} rows${advice}` };
    }
    const { training, test } = folderTrainingData(data.files);
    const skipped = training.skipped.length > 0 ? `; ${training.skipped.length} left out (the first: ${training.skipped[0].file}: ${training.skipped[0].reason})` : "";
    const held = test ? `; test half ${test.data.rows} files` : "";
    return { input: training, test: test?.data ?? null, detected: `${training.detected}${held}${skipped}` };
  } catch (error) {
    throw new FieldError("data", error instanceof Error ? error.message : String(error));
  }
}

async function train(request: TrainRequest): Promise<void> {
  post({ type: "status", text: "Reading the data…" });
  const { input, test, detected } = await read(request.data);
  const shape = input.featurizer ? featureShape(input.featurizer) : [input.data.columns];
  // The fields that depend on the data are checked against it before anything trains.
  if (request.layers !== null) {
    try {
      parseLayers(request.layers, shape);
    } catch (error) {
      throw new FieldError("layers", (error as Error).message);
    }
  }
  let augment = null;
  try {
    augment = parseAugment(request.augment);
    if (augment) checkAugment(augment, shape);
  } catch (error) {
    throw new FieldError("augment", (error as Error).message);
  }
  const isolated = scope.crossOriginIsolated === true;
  const backend: Backend = (await createWasmBackend(isolated ? {} : { threads: 1 })) ?? createReferenceBackend();
  const threads = (backend as { threads?: number }).threads ?? 1;
  const backendText = `${backend.name} backend, ${threads} thread${threads === 1 ? "" : "s"}${isolated ? "" : " (the page is not cross-origin isolated)"}`;

  let training: Network | null = null;
  let batches = 0;
  const { network, result, summary } = await trainModel(input, {
    ...(request.hidden ? { hidden: request.hidden } : {}),
    ...(request.layers !== null ? { layers: request.layers } : {}),
    ...(augment ? { augment } : {}),
    backend,
    epochs: request.epochs,
    lr: request.lr,
    onStart: (n) => {
      training = n;
      post({ type: "data", detected, network: n.summary(), backend: backendText });
    },
    onBatch: (e) => {
      post({ type: "batch", epoch: e.epoch, step: e.step, steps: e.steps, loss: e.loss, accuracy: e.accuracy });
      if (training && ++batches % request.snapshotEvery === 0) {
        const model = encodeModel(training);
        post({ type: "snapshot", epoch: e.epoch, step: e.step, model }, [model.buffer]);
      }
    },
    onEpoch: (e) => {
      if (!training) return;
      const model = encodeModel(training);
      post(
        {
          type: "epoch",
          epoch: e.epoch,
          epochs: e.epochs,
          loss: e.loss,
          accuracy: e.accuracy,
          validationLoss: e.validationLoss,
          validationAccuracy: e.validationAccuracy,
          seconds: e.seconds,
          model,
        },
        [model.buffer],
      );
    },
  });
  const seconds = Number(summary.total_seconds);
  const testAccuracy = test ? evaluate(network, test).accuracy : null;
  network.recordTraining({ ...summary, test_accuracy: testAccuracy, trained_in: "the Glassbox web app" });
  const model = encodeModel(network);
  post({ type: "done", model, testAccuracy, testRows: test?.rows ?? 0, validationAccuracy: result.validationAccuracy, seconds, epochs: result.epochs }, [model.buffer]);
}
