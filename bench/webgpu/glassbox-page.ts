// bench:webgpu's Glassbox page: the canonical network on the webgpu backend, Adam 1e-3, batch 64.
import { createWebGpuBackend } from "../../src/backends/webgpu/index.js";
import type { Dataset } from "../../src/data/dataset.js";
import { parseLayers } from "../../src/layers/parse.js";
import { createMlp } from "../../src/model/mlp.js";
import { fit } from "../../src/train/fit.js";
import { LAYERS } from "./networks.js";
import { report, served } from "./page-data.js";

await report(async () => {
  const { setup, x, y } = await served();
  const backend = await createWebGpuBackend();
  const [height, width, channels] = setup.shape;
  const labels = Array.from({ length: setup.classes }, (_, i) => String(i));
  const data = (rows: number): Dataset => ({
    features: x.subarray(0, rows * height * width * channels),
    rows,
    columns: height * width * channels,
    featureNames: null,
    labels: Int32Array.from(y.subarray(0, rows)),
    labelNames: labels,
    source: setup.net,
    input: { kind: "image", height, width, channels },
  });
  const network = () => {
    const layers = LAYERS[setup.net];
    return layers === null
      ? createMlp({ inputs: height * width * channels, hidden: [256, 128], labels, seed: 1, backend })
      : createMlp({ inputs: setup.shape, layers: parseLayers(layers, setup.shape), labels, seed: 1, backend });
  };
  await fit(network(), data(setup.warmup), { epochs: 1, batchSize: 64, lr: 0.001, validation: 0, seed: 1 });
  const started = performance.now();
  const { history } = await fit(network(), data(y.length), { epochs: 1, batchSize: 64, lr: 0.001, validation: 0, seed: 1 });
  return { adapter: backend.adapter, seconds: (performance.now() - started) / 1000, batches: Math.ceil(y.length / 64), loss: history[0].loss };
});
