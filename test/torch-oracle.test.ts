// The engine against PyTorch: forward pass, loss, gradients and optimizer steps for the cases in
// test/fixtures/torch-mlp.json (made by test/fixtures/make_torch_fixtures.py, float64).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Activation } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { Network, type OutputKind } from "../src/model/network.js";
import { lossFor } from "../src/losses/index.js";
import { createOptimizer, type OptimizerName } from "../src/optimizers/index.js";
import { clipGradients, gradientNormSquared } from "../src/optimizers/clip.js";
import { Dense } from "../src/layers/dense.js";
import { Random } from "../src/tensor/random.js";

interface Tensor {
  shape: number[];
  data: number[];
}
interface LayerParams {
  weight: Tensor;
  bias: Tensor;
}
interface Case {
  name: string;
  activation: Activation;
  loss: "softmax_cross_entropy" | "binary_cross_entropy" | "mse";
  class_weights: number[] | null;
  x: Tensor;
  labels?: number[];
  targets?: Tensor;
  params: LayerParams[];
  forward: { hidden: Tensor[]; logits: Tensor; probabilities?: Tensor; loss: number };
  gradients: LayerParams[];
  input_gradient: Tensor;
  optimizers: Record<string, { after_1_step: LayerParams[]; after_3_steps: LayerParams[] }>;
}

const fixture = JSON.parse(readFileSync(new URL("fixtures/torch-mlp.json", import.meta.url), "utf8")) as { cases: Case[] };

// Optimizer settings the fixture script used for each name.
const OPTIMIZER_SETUPS: Record<string, { name: OptimizerName; lr: number; weightDecay?: number; clip?: number }> = {
  sgd: { name: "sgd", lr: 0.1 },
  momentum: { name: "momentum", lr: 0.1 },
  nesterov: { name: "nesterov", lr: 0.1 },
  adam: { name: "adam", lr: 0.01 },
  adamw: { name: "adamw", lr: 0.01, weightDecay: 0.1 },
  sgd_l2: { name: "sgd", lr: 0.1, weightDecay: 0.01 },
  adam_l2: { name: "adam", lr: 0.01, weightDecay: 0.01 },
  sgd_clip: { name: "sgd", lr: 0.1, clip: 0.5 },
};

// float64 matches PyTorch's float64 to rounding (1e-9 leaves room for different summation
// orders); float32 keeps about 7 digits, so its tolerance is 1e-4 relative after 3 Adam steps.
const TOLERANCES = { float64: 1e-9, float32: 1e-4 } as const;

function build(c: Case, dtype: "float32" | "float64") {
  const backend = createReferenceBackend({ dtype });
  const output: OutputKind = c.loss === "softmax_cross_entropy" ? "softmax" : c.loss === "binary_cross_entropy" ? "sigmoid" : "linear";
  const outputs = c.params[2].bias.shape[0];
  const labels = output === "sigmoid" ? ["0", "1"] : Array.from({ length: outputs }, (_, k) => `c${k}`);
  const network = new Network(
    {
      inputShape: [5],
      output,
      labels,
      layers: [
        { type: "dense", units: 4, activation: c.activation },
        { type: "dense", units: 3, activation: c.activation },
        { type: "dense", units: outputs, activation: "linear" },
      ],
    },
    { backend },
  );
  setParams(network, c.params);
  const x = backend.matrix(c.x.shape[0], c.x.shape[1]);
  backend.write(x, c.x.data);
  const values = c.targets ? backend.matrix(c.targets.shape[0], c.targets.shape[1]) : null;
  if (values && c.targets) backend.write(values, c.targets.data);
  const targets = { labels: c.labels ? Int32Array.from(c.labels) : null, values };
  const loss = lossFor(output, c.class_weights ? Float32Array.from(c.class_weights) : null);
  const step = () => {
    const logits = network.forward(x, true, new Random(0));
    const dLogits = backend.matrix(logits.rows, logits.cols);
    const out = backend.tensor([1]);
    loss.compute(backend, logits, targets, dLogits, out, 0);
    const value = backend.read(out)[0];
    const dx = network.backward(dLogits, true);
    return { logits, value, dx };
  };
  return { network, backend, step };
}

function setParams(network: Network, params: LayerParams[]): void {
  network.params().forEach((p, i) => {
    const layer = params[Math.floor(i / 2)];
    network.backend.write(p.value, i % 2 === 0 ? layer.weight.data : layer.bias.data);
  });
}

function close(actual: ArrayLike<number>, expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `${what}[${i}]: got ${actual[i]}, PyTorch ${expected[i]}`);
  }
}

test("the fixture covers every activation, loss and optimizer", () => {
  assert.equal(fixture.cases.length, 9);
  assert.deepEqual(new Set(fixture.cases.map((c) => c.activation)), new Set(["relu", "tanh", "sigmoid", "leaky_relu", "gelu"]));
  assert.deepEqual(new Set(fixture.cases.map((c) => c.loss)), new Set(["softmax_cross_entropy", "binary_cross_entropy", "mse"]));
});

for (const dtype of ["float64", "float32"] as const) {
  const tolerance = TOLERANCES[dtype];
  for (const c of fixture.cases) {
    test(`${c.name} (${dtype}): forward, loss, gradients and input gradient match PyTorch`, () => {
      const { network, backend, step } = build(c, dtype);
      const { logits, value, dx } = step();
      close(backend.read(logits), c.forward.logits.data, tolerance, "logits");
      assert.ok(Math.abs(value - c.forward.loss) <= tolerance * Math.max(1, Math.abs(c.forward.loss)), `loss ${value} vs ${c.forward.loss}`);
      // Hidden activations: outputs of the two hidden dense layers.
      const dense = network.layers.filter((l): l is Dense => l instanceof Dense);
      const x = backend.matrix(c.x.shape[0], c.x.shape[1]);
      backend.write(x, c.x.data);
      const h1 = dense[0].forward(x, false);
      close(backend.read(h1), c.forward.hidden[0].data, tolerance, "hidden 1");
      close(backend.read(dense[1].forward(h1, false)), c.forward.hidden[1].data, tolerance, "hidden 2");
      if (c.forward.probabilities) close(backend.read(network.answer(logits)), c.forward.probabilities.data, tolerance, "probabilities");
      assert.ok(dx);
      close(backend.read(dx), c.input_gradient.data, tolerance, "input gradient");
      network.params().forEach((p, i) => {
        const layer = c.gradients[Math.floor(i / 2)];
        close(backend.read(p.grad), (i % 2 === 0 ? layer.weight : layer.bias).data, tolerance, `gradient ${p.name}`);
      });
    });

    for (const [name, expected] of Object.entries(c.optimizers)) {
      test(`${c.name} (${dtype}): ${name} after 1 and 3 steps matches PyTorch`, () => {
        const setup = OPTIMIZER_SETUPS[name];
        assert.ok(setup, `no setup for ${name}`);
        const { network, backend, step } = build(c, dtype);
        const optimizer = createOptimizer(backend, { name: setup.name, weightDecay: setup.weightDecay });
        const params = network.params();
        for (let s = 1; s <= 3; s++) {
          step();
          if (setup.clip) {
            const norm = backend.tensor([1]);
            gradientNormSquared(backend, params, norm, 0);
            clipGradients(backend, params, norm, 0, setup.clip);
          }
          optimizer.step(params, setup.lr);
          if (s === 1) closeValues(network, expected.after_1_step, tolerance, `${name} step 1`);
        }
        closeValues(network, expected.after_3_steps, tolerance, `${name} step 3`);
      });
    }
  }
}

function closeValues(network: Network, expected: LayerParams[], tolerance: number, what: string): void {
  network.params().forEach((p, i) => {
    const layer = expected[Math.floor(i / 2)];
    close(network.backend.read(p.value), (i % 2 === 0 ? layer.weight : layer.bias).data, tolerance, `${what} ${p.name}`);
  });
}
