import type { Backend } from "../../src/backends/backend.js";
import { parseLayers } from "../../src/layers/parse.js";
import type { LayerSpec } from "../../src/layers/index.js";
import { Network } from "../../src/model/network.js";
import { Random } from "../../src/tensor/random.js";

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
