/**
 * The training worker: trains an MLP on the embedded Fashion-MNIST subset through trainModel, on the
 * wasm backend (one thread: the worker itself is the page's second thread), reporting each step
 * and epoch, with the model file as it stands after each epoch (what Stop keeps). At the end it
 * sends the model file bytes, which the page can load or download.
 */
import { createReferenceBackend, createWasmBackend, encodeModel, evaluate, trainModel, type Backend, type Network } from "glassbox";
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
  const [data, test] = await Promise.all([loadFashion(request.dataUrl, "train", request.rows), loadFashion(request.dataUrl, "test")]);
  const backend: Backend = (await createWasmBackend({ threads: 1 })) ?? createReferenceBackend();
  const { height, width } = data.input?.kind === "image" ? data.input : { height: 28, width: 28 };
  const featurizer = { kind: "image" as const, height, width, channels: 1 as const };
  const architecture = [data.columns, ...request.hidden, data.labelNames.length].join("-");
  post({ type: "status", text: `Training ${architecture} on ${data.rows} images (${backend.name} backend)…` });

  let training: Network | null = null;
  const { network, result, summary } = await trainModel(
    { data, featurizer },
    {
      hidden: request.hidden,
      backend,
      epochs: request.epochs,
      onStart: (n) => (training = n),
      onBatch: (e) => post({ type: "batch", epoch: e.epoch, step: e.step, steps: e.steps, loss: e.loss, accuracy: e.accuracy }),
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
    },
  );
  const seconds = Number(summary.total_seconds);
  const testAccuracy = evaluate(network, test).accuracy;
  network.recordTraining({ ...summary, test_accuracy: testAccuracy, trained_in: "the Glassbox web app" });
  const model = encodeModel(network);
  post({ type: "done", model, testAccuracy, seconds, epochs: result.epochs }, [model.buffer]);
}
