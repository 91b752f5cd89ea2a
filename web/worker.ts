/**
 * The training worker: builds an MLP for the embedded Fashion-MNIST subset and trains it on the
 * wasm backend (one thread: the worker itself is the page's second thread), reporting each step
 * and epoch. At the end it sends the model file bytes, which the page can load or download.
 */
import { createMlp, createReferenceBackend, createWasmBackend, encodeModel, evaluate, fit, type Backend } from "glassbox";
import { loadFashion } from "./fashion.js";
import type { TrainMessage, TrainRequest } from "./messages.js";

interface WorkerScope {
  postMessage(message: TrainMessage, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<TrainRequest>) => void): void;
}

const scope = self as unknown as WorkerScope;
const post = (message: TrainMessage, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

scope.addEventListener("message", (event) => {
  if (event.data.type !== "train") return;
  train(event.data).catch((error: unknown) => post({ type: "error", message: error instanceof Error ? error.message : String(error) }));
});

async function train(request: TrainRequest): Promise<void> {
  post({ type: "status", text: "Loading the Fashion-MNIST images…" });
  const [data, test] = await Promise.all([
    loadFashion(request.dataUrl, "train", request.rows),
    loadFashion(request.dataUrl, "test"),
  ]);
  const backend: Backend = (await createWasmBackend({ threads: 1 })) ?? createReferenceBackend();
  const { height, width } = data.input?.kind === "image" ? data.input : { height: 28, width: 28 };
  const network = createMlp({ inputs: data.columns, hidden: request.hidden, labels: data.labelNames, backend });
  const image = { kind: "image" as const, height, width, channels: 1 as const };
  network.about = { featureNames: null, labelColumn: null, input: image, featurizer: image, training: null };
  const architecture = [data.columns, ...request.hidden, data.labelNames.length].join("-");
  post({ type: "status", text: `Training ${architecture} on ${data.rows} images (${backend.name} backend)…` });

  const started = performance.now();
  const result = fit(network, data, {
    epochs: request.epochs,
    onBatch: (e) => post({ type: "batch", epoch: e.epoch, step: e.step, steps: e.steps, loss: e.loss, accuracy: e.accuracy }),
    onEpoch: (e) => post({
      type: "epoch", epoch: e.epoch, epochs: e.epochs, loss: e.loss, accuracy: e.accuracy,
      validationLoss: e.validationLoss, validationAccuracy: e.validationAccuracy, seconds: e.seconds,
    }),
  });
  const seconds = (performance.now() - started) / 1000;
  const testAccuracy = evaluate(network, test).accuracy;
  network.about.training = {
    epochs: result.epochs,
    training_rows: result.trainingRows,
    validation_rows: result.validationRows,
    final_loss: result.finalLoss,
    validation_accuracy: result.validationAccuracy,
    test_accuracy: testAccuracy,
    total_seconds: seconds,
    backend: backend.name,
    trained_in: "the Glassbox web app",
  };
  const model = encodeModel(network);
  post({ type: "done", model, testAccuracy, seconds, epochs: result.epochs }, [model.buffer]);
}
