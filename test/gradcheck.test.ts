// Finite-difference gradient checks in float64: every activation, dropout and every loss.
// Each analytic gradient (the backward pass) must match (L(w + h) - L(w - h)) / 2h.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ACTIVATIONS, type Activation, type Backend } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { Network, type NetworkSpec, type OutputKind } from "../src/model/network.js";
import { lossFor, type Targets } from "../src/losses/index.js";
import type { Matrix } from "../src/tensor/tensor.js";
import { Random } from "../src/tensor/random.js";

const H = 1e-6;
// Central differences in float64 are accurate to about h² + 1e-16/h ≈ 1e-10; 1e-6 relative leaves
// room for curvature while still catching any wrong factor or sign.
const TOLERANCE = 1e-6;

interface Setup {
  network: Network;
  x: Matrix;
  targets: Targets;
  output: OutputKind;
  classWeights: Float32Array | null;
}

function setup(spec: NetworkSpec, classWeights: Float32Array | null = null, seed = 3): Setup {
  const backend = createReferenceBackend({ dtype: "float64" });
  const network = new Network(spec, { backend });
  const random = new Random(seed);
  network.initialize(random);
  // A standardize layer learns statistics far from the identity: mean about 2, std about 3.
  const rows = Float32Array.from({ length: 40 }, () => 2 + 3 * random.normal());
  if (spec.inputShape.length === 1 && spec.inputShape[0] === 4) for (const layer of network.unadapted()) layer.adapt?.(rows, 4, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Biases away from zero so ReLU kinks are not hit by chance.
  for (const p of network.params())
    backend.write(
      p.value,
      Array.from(backend.read(p.value), () => random.normal() * 0.7),
    );
  const batch = 5;
  const x = backend.tensor([batch, ...spec.inputShape]);
  backend.write(
    x,
    Array.from({ length: x.rows * x.cols }, () => random.normal()),
  );
  const outputs = network.outputs;
  const classes = spec.output === "sigmoid" ? 2 : outputs;
  const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);
  let values: Matrix | null = null;
  if (spec.output === "linear") {
    values = backend.matrix(batch, outputs);
    backend.write(
      values,
      Array.from({ length: batch * outputs }, () => random.normal()),
    );
  }
  return { network, x, targets: { labels: spec.output === "linear" ? null : labels, values }, output: spec.output, classWeights };
}

function lossAt(s: Setup, backend: Backend): number {
  const logits = s.network.forward(s.x, true, new Random(99)); // same dropout mask every call
  const d = backend.matrix(logits.rows, logits.cols);
  const out = backend.tensor([1]);
  lossFor(s.output, s.classWeights).compute(backend, logits, s.targets, d, out, 0);
  return backend.read(out)[0];
}

function check(s: Setup, what: string): void {
  const backend = s.network.backend;
  const logits = s.network.forward(s.x, true, new Random(99));
  const dLogits = backend.matrix(logits.rows, logits.cols);
  lossFor(s.output, s.classWeights).compute(backend, logits, s.targets, dLogits, backend.tensor([1]), 0);
  const dx = s.network.backward(dLogits, true);
  assert.ok(dx, "input gradient requested");
  const analytic = [...s.network.params().map((p) => ({ name: p.name, m: p.value, grad: backend.read(p.grad) })), { name: "input", m: s.x, grad: backend.read(dx) }];
  let checked = 0;
  for (const { name, m, grad } of analytic) {
    const values = backend.read(m);
    for (let i = 0; i < values.length; i++) {
      const original = values[i];
      values[i] = original + H;
      backend.write(m, values);
      const plus = lossAt(s, backend);
      values[i] = original - H;
      backend.write(m, values);
      const minus = lossAt(s, backend);
      values[i] = original;
      backend.write(m, values);
      const numeric = (plus - minus) / (2 * H);
      const scale = Math.max(1, Math.abs(numeric), Math.abs(grad[i]));
      assert.ok(Math.abs(numeric - grad[i]) <= TOLERANCE * scale, `${what}: ${name}[${i}] analytic ${grad[i]} vs numeric ${numeric}`);
      checked++;
    }
  }
  assert.ok(checked > 20);
}

function mlp(activation: Activation, output: OutputKind, outputs: number, dropout = 0, standardize = false): NetworkSpec {
  const layers: NetworkSpec["layers"] = standardize ? [{ type: "standardize" }] : [];
  layers.push({ type: "dense", units: 6, activation });
  if (dropout > 0) layers.push({ type: "dropout", rate: dropout });
  layers.push({ type: "dense", units: outputs, activation: "linear" });
  const labels = output === "sigmoid" ? ["no", "yes"] : Array.from({ length: outputs }, (_, k) => `c${k}`);
  return { inputShape: [4], layers, output, labels };
}

for (const activation of ACTIVATIONS) {
  test(`dense layer with ${activation}: gradients match finite differences`, () => {
    check(setup(mlp(activation, "softmax", 3)), activation);
  });
}

test("dropout: gradients match finite differences with a fixed mask", () => {
  check(setup(mlp("tanh", "softmax", 3, 0.4)), "dropout");
});

test("standardize: the input gradient through (x - mean) / std matches finite differences", () => {
  const s = setup(mlp("tanh", "softmax", 3, 0, true));
  assert.equal(s.network.layers[0].adapted, true);
  check(s, "standardize");
});

/** A network over 5x5x2 images: `layers`, then flatten and a dense layer to 3 logits. */
function imageNet(layers: NetworkSpec["layers"]): NetworkSpec {
  return { inputShape: [5, 5, 2], layers: [...layers, { type: "flatten" }, { type: "dense", units: 3, activation: "linear" }], output: "softmax", labels: ["a", "b", "c"] };
}

const IMAGE_LAYERS: [string, NetworkSpec["layers"]][] = [
  [
    "conv 3x3 same, then tanh",
    [
      { type: "conv2d", filters: 3, size: 3 },
      { type: "activation", activation: "tanh" },
    ],
  ],
  ["conv 3x3 stride 2 same", [{ type: "conv2d", filters: 2, size: 3, stride: 2 }]],
  [
    "conv 2x2 valid, then gelu",
    [
      { type: "conv2d", filters: 4, size: 2, padding: "valid" },
      { type: "activation", activation: "gelu" },
    ],
  ],
  ["conv 1x1", [{ type: "conv2d", filters: 3, size: 1 }]],
  ["conv 2x2 same (padding only below and right)", [{ type: "conv2d", filters: 2, size: 2 }]],
  [
    "max pool 2 (floor drops the last row and column)",
    [
      { type: "conv2d", filters: 2, size: 3 },
      { type: "maxpool", size: 2 },
    ],
  ],
  ["max pool 3 stride 2 (overlapping windows)", [{ type: "maxpool", size: 3, stride: 2 }]],
  ["average pool 2 stride 1", [{ type: "avgpool", size: 2, stride: 1 }]],
  ["global average pool", [{ type: "conv2d", filters: 3, size: 3 }, { type: "globalavgpool" }]],
  ["batch norm after a conv (batch statistics)", [{ type: "conv2d", filters: 3, size: 3 }, { type: "batchnorm" }, { type: "activation", activation: "sigmoid" }]],
  ["leaky relu", [{ type: "activation", activation: "leaky_relu" }]],
];

for (const [name, layers] of IMAGE_LAYERS) {
  test(`${name}: gradients match finite differences`, () => {
    check(setup(imageNet(layers)), name);
  });
}

test("softmax cross-entropy with class weights", () => {
  check(setup(mlp("tanh", "softmax", 3), Float32Array.of(1, 3, 0.5)), "weighted softmax cross-entropy");
});

test("binary cross-entropy, plain and with class weights", () => {
  check(setup(mlp("sigmoid", "sigmoid", 1)), "binary cross-entropy");
  check(setup(mlp("sigmoid", "sigmoid", 1), Float32Array.of(0.5, 4)), "weighted binary cross-entropy");
});

test("mean squared error", () => {
  check(setup(mlp("gelu", "linear", 2)), "mean squared error");
});

test("the check itself fails on a wrong gradient", () => {
  const s = setup(mlp("tanh", "softmax", 3));
  const backend = s.network.backend;
  const broken = Object.create(backend) as Backend;
  broken.denseBackward = (args) => {
    backend.denseBackward(args);
    if (args.dWeight) backend.scale(args.dWeight, 1.01);
  };
  const wrong = new Network(s.network.spec, { backend: broken });
  s.network.params().forEach((p, i) => broken.copy(p.value, wrong.params()[i].value));
  assert.throws(() => check({ ...s, network: wrong }, "broken"), /analytic/);
});

// Explanations take input gradients at prediction time: batch norm then uses its running
// statistics and is affine, dropout passes values through. The same finite-difference check on
// network.inputGradientOf with the layers in inference mode.
for (const [name, layers] of [...IMAGE_LAYERS, ["dropout at inference", [{ type: "dropout", rate: 0.5 }]] as [string, NetworkSpec["layers"]]]) {
  test(`${name}, at prediction time: the input gradient matches finite differences`, () => {
    const s = setup(imageNet(layers));
    const { network } = s;
    const backend = network.backend;
    s.network.forward(s.x, true, new Random(1)); // running statistics away from their start
    const rows = backend.read(s.x);
    const n = s.x.rows;
    const weights = Float64Array.from({ length: n * network.outputs }, (_, i) => Math.sin(i + 1)); // f = sum of weights * logits
    const f = (values: Float64Array): number => {
      const logits = network.logitsOf(values, n);
      let sum = 0;
      for (let i = 0; i < logits.length; i++) sum += weights[i] * logits[i];
      return sum;
    };
    const analytic = network.inputGradientOf(rows, n, weights);
    const values = Float64Array.from(rows);
    for (let i = 0; i < values.length; i += 7) {
      const original = values[i];
      values[i] = original + H;
      const plus = f(values);
      values[i] = original - H;
      const minus = f(values);
      values[i] = original;
      const numeric = (plus - minus) / (2 * H);
      const scale = Math.max(1, Math.abs(numeric), Math.abs(analytic[i]));
      assert.ok(Math.abs(numeric - analytic[i]) <= TOLERANCE * scale, `${name}: input[${i}] analytic ${analytic[i]} vs numeric ${numeric}`);
    }
  });
}
