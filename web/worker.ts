/**
 * The training worker: reads the data it is given through the library (the same functions the
 * CLI reads a folder or a CSV with, so the same rows), trains through trainModel on the backend
 * asked for (backend.ts), and reports each step, a model snapshot every few batches (the page
 * draws the weights and maps from it), the model after each epoch (what Stop keeps), and the
 * time per batch. A network trained on the GPU is moved to wasm at the end, where the test set
 * is measured and the model file written; the same network is then timed on wasm for a few
 * batches, so the page can show both figures.
 */
import {
  checkAugment,
  csvTrainingData,
  decodeModel,
  encodeModel,
  encodeModelAsync,
  evaluate,
  featureShape,
  fit,
  folderTrainingData,
  isRegression,
  parseAugment,
  parseLayers,
  selectRows,
  trainModel,
  type Backend,
  type Dataset,
  type FeaturizerState,
  type Network,
  type TrainingInput,
} from "glassbox";
import { chooseBackend, cpuBackend } from "./backend.js";
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
  let chosen: { backend: Backend; text: string };
  try {
    chosen = await chooseBackend(request.backend, isolated, isRegression(input.data));
  } catch (error) {
    throw new FieldError("backend", (error as Error).message);
  }
  const { backend, text: backendText } = chosen;
  // On the GPU a model file is read back asynchronously: each is asked for at once (the read is
  // queued after the steps so far) and posted in order.
  const encode = (n: Network): Promise<Uint8Array> => (backend.device ? encodeModelAsync(n) : Promise.resolve(encodeModel(n)));
  let posted: Promise<void> = Promise.resolve();
  const postModel = (model: Promise<Uint8Array>, message: (model: Uint8Array) => TrainMessage): void => {
    posted = posted.then(async () => {
      const bytes = await model;
      post(message(bytes), [bytes.buffer]);
    });
  };

  let training: Network | null = null;
  let batches = 0;
  let steps = 0;
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
      steps = e.steps;
      post({ type: "batch", epoch: e.epoch, step: e.step, steps: e.steps, loss: e.loss, accuracy: e.accuracy });
      if (training && ++batches % request.snapshotEvery === 0) postModel(encode(training), (model) => ({ type: "snapshot", epoch: e.epoch, step: e.step, model }));
    },
    onEpoch: (e) => {
      if (!training) return;
      const msPerBatch = (e.seconds * 1000) / Math.max(1, steps);
      postModel(encode(training), (model) => ({
        type: "epoch",
        epoch: e.epoch,
        epochs: e.epochs,
        loss: e.loss,
        accuracy: e.accuracy,
        validationLoss: e.validationLoss,
        validationAccuracy: e.validationAccuracy,
        seconds: e.seconds,
        msPerBatch,
        model,
      }));
    },
  });
  await posted;
  const seconds = Number(summary.total_seconds);
  const host = backend.device ? await cpuBackend(isolated) : backend;
  const trained = backend.device ? decodeModel(await encodeModelAsync(network), "the network trained on the GPU", host) : network;
  const testAccuracy = test ? evaluate(trained, test).accuracy : null;
  trained.recordTraining({ ...summary, test_accuracy: testAccuracy, trained_in: "the Glassbox web app" });
  const model = encodeModel(trained);
  const timing = {
    backend: backend.name,
    device: backend.device,
    msPerBatch: (seconds * 1000) / Math.max(1, batches),
    wasmMsPerBatch: backend.device ? await wasmMsPerBatchOf(model, host, input.data, request.lr) : null,
  };
  post({ type: "done", model, testAccuracy, testRows: test?.rows ?? 0, validationAccuracy: result.validationAccuracy, seconds, epochs: result.epochs, timing }, [model.buffer]);
}

/** The trained network, copied to `host`, timed on 4 batches of 64 of the training rows after one warm-up batch. */
async function wasmMsPerBatchOf(model: Uint8Array, host: Backend, data: Dataset, lr: number): Promise<number> {
  const copy = decodeModel(model, "a copy of the trained network", host);
  const rows = (n: number): Dataset =>
    selectRows(
      data,
      Array.from({ length: Math.min(n, data.rows) }, (_, i) => i),
    );
  await fit(copy, rows(64), { epochs: 1, batchSize: 64, lr, validation: 0 });
  const timed = rows(256);
  const started = performance.now();
  await fit(copy, timed, { epochs: 1, batchSize: 64, lr, validation: 0 });
  return (performance.now() - started) / Math.ceil(timed.rows / 64);
}
