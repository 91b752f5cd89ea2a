import type { Backend } from "../../src/backends/backend.js";
import { parseLayers } from "../../src/layers/parse.js";
import type { LayerSpec } from "../../src/layers/index.js";
import { Network } from "../../src/model/network.js";
import { Random } from "../../src/tensor/random.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { datasetFromArrays } from "../../src/data/arrays.js";
import { createMlp } from "../../src/model/mlp.js";
import { fit } from "../../src/train/fit.js";
import { random } from "./random.js";

/**
 * A CNN whose batch norms have moved away from their start: every statistic and scale matters.
 * With `standardize`, it starts with a standardize layer of drawn means and spreads.
 */
export function batchNormCnn(backend: Backend, standardize = false): Network {
  const inputShape = [8, 8, 3];
  const layers: LayerSpec[] = [
    ...(standardize ? [{ type: "standardize" } as const] : []),
    ...parseLayers("conv:6,bn,relu,maxpool:2,conv:5,bn,tanh,conv:4:1,bn,conv:3,relu,dense:7,relu", inputShape),
  ];
  const net = new Network({ inputShape, layers: [...layers, { type: "dense", units: 3, activation: "linear" }], output: "softmax", labels: ["a", "b", "c"] }, { backend });
  const random = new Random(5);
  net.initialize(random);
  const values = new Map<string, Float32Array>();
  for (const { name, value } of net.tensors()) {
    const n = value.rows * value.cols;
    const draw = (f: () => number) => Float32Array.from({ length: n }, f);
    if (/runningVar|std$/.test(name))
      values.set(
        name,
        draw(() => 0.2 + 2 * random.uniform()),
      );
    else if (name.endsWith("gamma"))
      values.set(
        name,
        draw(() => 0.5 + random.uniform()),
      );
    else if (/runningMean|beta|bias|mean$/.test(name))
      values.set(
        name,
        draw(() => random.normal() * 0.5),
      );
    else values.set(name, Float32Array.from(backend.read(value)));
  }
  net.loadTensors(values);
  return net;
}

/** A network of every layer type and activation, trained a little so batch norm has real running statistics. */
export async function everyLayer(output: "softmax" | "sigmoid", gelu = true): Promise<Network> {
  const layers: LayerSpec[] = [
    { type: "standardize" },
    { type: "conv2d", filters: 4, size: 3, stride: 1, padding: "same" },
    { type: "batchnorm" },
    { type: "activation", activation: gelu ? "gelu" : "relu" },
    { type: "maxpool", size: 2 },
    { type: "conv2d", filters: 5, size: 3, stride: 2, padding: "same" },
    { type: "activation", activation: "leaky_relu" },
    { type: "conv2d", filters: 6, size: 2, stride: 1, padding: "valid" },
    { type: "avgpool", size: 1 },
    { type: "activation", activation: "tanh" },
    { type: "globalavgpool" },
    { type: "dense", units: 7, activation: "sigmoid" },
    { type: "dropout", rate: 0.2 },
    { type: "batchnorm" },
    { type: "dense", units: 6, activation: "relu" },
  ];
  const labels = output === "softmax" ? ["a", "b", "c"] : ["no", "yes"];
  const network = createMlp({ inputs: [12, 10, 2], layers, labels, output, seed: 5, backend: createReferenceBackend() });
  const next = random(9);
  const x = Array.from({ length: 40 }, () => Array.from({ length: 240 }, () => 3 * next() - 1));
  await fit(
    network,
    datasetFromArrays(
      x,
      x.map((_, i) => labels[i % labels.length]),
      { labels },
    ),
    { epochs: 2, batchSize: 8 },
  );
  return network;
}
