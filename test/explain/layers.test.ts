// Explanations of hidden layers against oracles: Grad-CAM against a float64 Grad-CAM whose
// gradients are central differences through the layers after the explained one; conductance
// against its closed form where the layer feeds a linear output, and against completeness.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { createWasmBackend } from "../../src/backends/wasm/index.js";
import { conductance, gradCam, lastConvolutionBlock, resizeBilinear } from "../../src/explain/layers.js";
import { parseLayers } from "../../src/layers/parse.js";
import { Network, type NetworkSpec } from "../../src/model/network.js";
import { Random } from "../../src/tensor/random.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { failure } from "../helpers/errors.js";

const wasm = await createWasmBackend({ threads: 1 });
const float64 = createReferenceBackend({ dtype: "float64" });

function cnnSpec(): NetworkSpec {
  const inputShape = [6, 6, 2];
  const layers = parseLayers("conv:4,relu,maxpool:2,conv:3,bn,relu,dense:5,relu", inputShape);
  return { inputShape, layers: [...layers, { type: "dense", units: 3, activation: "linear" }], output: "softmax", labels: ["cat", "dog", "owl"] };
}

/** The same network on `backend`, weights drawn once (batch norm statistics away from the identity). */
function build(spec: NetworkSpec, backend: Backend, seed = 2): Network {
  const net = new Network(spec, { backend });
  const random = new Random(seed);
  net.initialize(random);
  const values = new Map<string, Float64Array>();
  for (const { name, value } of net.tensors()) {
    const n = value.rows * value.cols;
    if (name.endsWith("runningVar"))
      values.set(
        name,
        Float64Array.from({ length: n }, () => 0.5 + random.uniform()),
      );
    else if (/runningMean|beta|bias/.test(name))
      values.set(
        name,
        Float64Array.from({ length: n }, () => 0.3 * random.normal()),
      );
    else values.set(name, Float64Array.from(backend.read(value)));
  }
  net.loadTensors(values);
  return net;
}

/** Grad-CAM by its definition, in float64, with d score / d A by central differences. */
function oracleGradCam(net: Network, input: Float32Array, layer: number, label: number): number[] {
  const backend = net.backend;
  const random = new Random(0);
  const x = backend.tensor([1, ...net.inputShape]);
  backend.write(x, input);
  let h: Tensor = x;
  for (let i = 0; i <= layer; i++) h = net.layers[i].forward(h, false, random);
  const a = Float64Array.from(backend.read(h));
  const shape = net.describe()[layer].outputShape;
  const score = (values: Float64Array): number => {
    let t = backend.tensor([1, ...shape]);
    backend.write(t, values);
    for (let i = layer + 1; i < net.layers.length; i++) t = net.layers[i].forward(t, false, random);
    return backend.read(t)[label];
  };
  const [height, width, channels] = shape;
  const weights = new Array(channels).fill(0);
  const step = 1e-6;
  for (let e = 0; e < a.length; e++) {
    const up = a.slice();
    const down = a.slice();
    up[e] += step;
    down[e] -= step;
    weights[e % channels] += (score(up) - score(down)) / (2 * step) / (height * width);
  }
  return Array.from({ length: height * width }, (_, p) =>
    Math.max(
      0,
      weights.reduce((s, w, k) => s + w * a[p * channels + k], 0),
    ),
  );
}

test("Grad-CAM equals its definition in float64 (central differences), on the reference and wasm backends", () => {
  const spec = cnnSpec();
  const exact = build(spec, float64);
  const random = new Random(9);
  let positive = 0;
  for (let n = 0; n < 3; n++) {
    const input = Float32Array.from({ length: exact.inputs }, () => random.uniform());
    const layer = lastConvolutionBlock(exact);
    assert.equal(layer, 5, "the relu after conv:3 and its batch norm");
    for (const label of [0, 2]) {
      const want = oracleGradCam(exact, input, layer, label);
      positive += want.filter((v) => v > 0).length;
      for (const backend of [float64, ...(wasm ? [wasm] : [])]) {
        const cam = gradCam(backend === float64 ? exact : build(spec, backend), input, { label });
        assert.deepEqual([cam.height, cam.width, cam.layer, cam.labelIndex], [3, 3, 5, label]);
        const scale = Math.max(...want, 1e-9);
        const tolerance = backend === float64 ? 1e-6 : 1e-4;
        cam.map.forEach((v, p) => assert.ok(Math.abs(v - want[p]) <= tolerance * scale, `${backend.name} label ${label} cell ${p}: ${v} vs ${want[p]}`));
        assert.equal(cam.upsampled.length, 36);
      }
    }
  }
  assert.ok(positive >= 10, `maps with evidence to compare: ${positive} positive cells of 54`);
  // Another layer (the pooled first block: before the pooling, zeros tie in its windows, where
  // central differences are no oracle), and a layer without a grid refused.
  const input = Float32Array.from({ length: exact.inputs }, () => random.uniform());
  const early = gradCam(exact, input, { layer: 2, label: 1 });
  assert.deepEqual([early.height, early.width], [3, 3]);
  oracleGradCam(exact, input, 2, 1).forEach((v, p) => assert.ok(Math.abs(early.map[p] - v) <= 1e-6 * Math.max(1, v), `cell ${p}: ${early.map[p]} vs ${v}`));
  assert.match(failure(() => gradCam(exact, input, { layer: 7 })).message, /Grad-CAM needs a layer whose output is a grid \[height, width, channels\]; layer 7 gives \[5\]/);
});

test("bilinear resizing with pixel centres aligned gives PyTorch's interpolate values", () => {
  // torch.nn.functional.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
  assert.deepEqual(Array.from(resizeBilinear([1, 2, 3, 4], 2, 2, 4, 4)), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  assert.deepEqual(Array.from(resizeBilinear([5], 1, 1, 2, 3)), [5, 5, 5, 5, 5, 5]);
});

test("conductance: a layer feeding a linear output conducts exactly weight x change; any layer adds up to output - baseline", () => {
  // f = sum_j w_j y_j + b for the last hidden layer y: conductance_j = w_j (y_j(input) - y_j(baseline)), exactly.
  const spec: NetworkSpec = {
    inputShape: [4],
    layers: [
      { type: "dense", units: 6, activation: "tanh" },
      { type: "dense", units: 5, activation: "relu" },
      { type: "dense", units: 1, activation: "linear" },
    ],
    output: "linear",
    labels: ["y"],
  };
  const net = build(spec, float64, 4);
  const input = Float32Array.of(0.5, -1, 2, 0.25);
  const result = conductance(net, input, { layer: 1, steps: 16 });
  const hidden = (x: Float32Array) => {
    let h: Tensor = float64.tensor([1, 4]);
    float64.write(h, x);
    for (let i = 0; i <= 1; i++) h = net.layers[i].forward(h, false, new Random(0));
    return float64.read(h);
  };
  const [after, before] = [hidden(input), hidden(new Float32Array(4))];
  const w = float64.read(net.tensors().find((t) => t.name === "layers.2.weight")?.value as Tensor);
  result.values.forEach((v, j) => assert.ok(Math.abs(v - w[j] * (after[j] - before[j])) < 1e-12, `neuron ${j}: ${v}`));
  assert.ok(result.delta < 1e-12);

  // A softmax CNN, per channel of a convolution block and per neuron of a dense layer: it adds up within 1e-3 at 64 steps.
  const cnn = build(cnnSpec(), float64);
  const random = new Random(3);
  const image = Float32Array.from({ length: cnn.inputs }, () => random.uniform());
  for (const layer of [1, 5, 7]) {
    const c = conductance(cnn, image, { layer });
    assert.equal(c.values.length, [4, 3, 5][[1, 5, 7].indexOf(layer)]);
    const change = Math.abs(c.output - c.baselineOutput);
    assert.ok(change > 1e-3, `the answer moves (${change})`);
    assert.ok(c.delta <= 1e-3 * change, `layer ${layer}: delta ${c.delta} for a change of ${change}`);
    const fine = conductance(cnn, image, { layer, steps: 1024 });
    assert.ok(c.points >= 65, `${c.points} points: at least the default 32 intervals and their midpoints`);
    c.values.forEach((v, k) => assert.ok(Math.abs(v - fine.values[k]) <= 2e-3 * change, `layer ${layer} channel ${k}: ${v} vs ${fine.values[k]} at 1024 steps`));
  }
  assert.match(failure(() => conductance(cnn, image, { layer: 8 })).message, /conductance needs a hidden layer: 0 to 7/);
});
