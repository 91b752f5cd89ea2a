// The page of test/browser/webgpu-train.test.ts: trains a canonical network (the MLP 784-256-128-10
// ReLU, or the Fashion-MNIST CNN; Adam 1e-3, batch 64, seed 1) on the Fashion-MNIST rows the test
// serves, on the webgpu backend, and reports the held-out accuracy of each epoch.
import { createWebGpuBackend } from "../../src/backends/webgpu/index.js";
import type { Dataset } from "../../src/data/dataset.js";
import { parseLayers } from "../../src/layers/parse.js";
import { createMlp } from "../../src/model/mlp.js";
import { fit } from "../../src/train/fit.js";

export interface TrainWindow {
  result?: { adapter: string; accuracies: (number | null)[]; losses: number[]; seconds: number } | { error: string };
}

async function dataset(name: string, labelNames: string[]): Promise<Dataset> {
  const [features, labels] = await Promise.all([`${name}.features`, `${name}.labels`].map(async (path) => new Uint8Array(await (await fetch(`/${path}`)).arrayBuffer())));
  const rows = labels.length;
  return {
    features,
    rows,
    columns: features.length / rows,
    featureNames: null,
    labels: Int32Array.from(labels),
    labelNames,
    source: name,
    input: { kind: "image", height: 28, width: 28, channels: 1 },
  };
}

const target = window as unknown as TrainWindow;
try {
  const { labelNames, epochs, layers } = (await (await fetch("/setup.json")).json()) as { labelNames: string[]; epochs: number; layers: string | null };
  const [train, test] = await Promise.all([dataset("train", labelNames), dataset("test", labelNames)]);
  const backend = await createWebGpuBackend();
  const shape = [28, 28, 1];
  const network = layers
    ? createMlp({ inputs: shape, layers: parseLayers(layers, shape), labels: labelNames, seed: 1, backend })
    : createMlp({ inputs: 784, hidden: [256, 128], labels: labelNames, seed: 1, backend });
  const started = performance.now();
  const result = await fit(network, train, { epochs, batchSize: 64, lr: 0.001, validation: test, seed: 1 });
  target.result = {
    adapter: backend.adapter,
    accuracies: result.history.map((e) => e.validationAccuracy),
    losses: result.history.map((e) => e.loss),
    seconds: (performance.now() - started) / 1000,
  };
} catch (error) {
  target.result = { error: String((error as Error).stack ?? error) };
}
