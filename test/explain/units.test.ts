// What a hidden unit looks for (explain/units.ts): receptive fields against the pixels that
// actually move a cell, activations against the layer's outputs row by row, dead units, and a
// feature visualisation that excites its unit more than the images it starts from.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspectUnit, receptiveField, unitActivations, visualizeUnit } from "../../src/explain/units.js";
import type { ImageState } from "../../src/featurizers/image/index.js";
import type { LayerSpec } from "../../src/layers/index.js";
import { parseLayers } from "../../src/layers/parse.js";
import { Network } from "../../src/model/network.js";
import { Random } from "../../src/tensor/random.js";

function cnn(layers: string, inputShape = [12, 11, 2], valid = false): Network {
  // With `valid`, a 3x3 convolution without padding after the layers given.
  const spec: LayerSpec[] = [...parseLayers(layers, inputShape), ...(valid ? [{ type: "conv2d", filters: 5, size: 3, stride: 1, padding: "valid" } as LayerSpec] : [])];
  const net = new Network(
    { inputShape, layers: [...spec, { type: "dense", units: 3, activation: "linear" }], output: "softmax", labels: ["a", "b", "c"] },
    { about: { featurizer: { kind: "image", height: inputShape[0], width: inputShape[1], channels: inputShape[2] === 3 ? 3 : 1 } as ImageState } },
  );
  net.initialize(new Random(4));
  return net;
}

const images = (net: Network, rows: number, seed: number) => {
  const random = new Random(seed);
  return Float32Array.from({ length: rows * net.inputs }, () => random.uniform());
};

test("a cell's receptive field is exactly the input pixels that move it (convolutions same and valid, stride 2, average pooling)", () => {
  const net = cnn("conv:3,relu,avgpool:2,conv:4:3:2,conv:2:1", [24, 22, 2], true);
  const layer = 5; // the valid 3x3 convolution (a 4x4 grid), after conv:4:3:2 (stride 2) on the pooled 12x11 grid
  const probe = images(net, 1, 1);
  const base = net.layerOutputOf(probe, 1, layer);
  const [oh, ow, channels] = net.describe()[layer].outputShape;
  for (const [y, x] of [
    [0, 0],
    [1, 2],
    [oh - 1, ow - 1],
  ]) {
    let [top, left, bottom, right] = [Infinity, Infinity, -1, -1];
    const [height, width, depth] = net.inputShape;
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        const moved = Float32Array.from(probe);
        for (let c = 0; c < depth; c++) moved[(py * width + px) * depth + c] += 0.5;
        const out = net.layerOutputOf(moved, 1, layer);
        let changed = false;
        for (let k = 0; k < channels; k++) if (Math.abs(out[(y * ow + x) * channels + k] - base[(y * ow + x) * channels + k]) > 1e-9) changed = true;
        if (changed) [top, left, bottom, right] = [Math.min(top, py), Math.min(left, px), Math.max(bottom, py), Math.max(right, px)];
      }
    }
    assert.deepEqual(receptiveField(net, layer, y, x), { top, left, bottom, right }, `cell (${y}, ${x})`);
  }
});

test("unit activations: a neuron's output, and a channel's strongest cell, row by row", () => {
  const net = cnn("conv:4,relu,maxpool:2,dense:6,relu");
  const rows = 7;
  const features = images(net, rows, 2);
  const channel = unitActivations(net, features, rows, 1, 2);
  const neuron = unitActivations(net, features, rows, 4, 5);
  const [, w, c] = net.describe()[1].outputShape;
  for (let r = 0; r < rows; r++) {
    const grid = net.layerOutputOf(features.subarray(r * net.inputs, (r + 1) * net.inputs), 1, 1);
    let best = -Infinity;
    let where = -1;
    for (let p = 0; p < grid.length / c; p++) if (grid[p * c + 2] > best) [best, where] = [grid[p * c + 2], p];
    assert.equal(channel.values[r], best);
    assert.equal(channel.cells?.[r], where, `row ${r}: cell ${where} (grid width ${w})`);
    assert.equal(neuron.values[r], net.layerOutputOf(features.subarray(r * net.inputs, (r + 1) * net.inputs), 1, 4)[5]);
  }
  assert.equal(neuron.cells, null);
});

test("a neuron that is never above 0 is reported dead; the top inputs come strongest first", () => {
  const net = cnn("conv:4,relu,maxpool:2,dense:6,relu");
  const values = new Map<string, Float32Array>();
  for (const { name, value } of net.tensors()) values.set(name, Float32Array.from(net.backend.read(value)));
  const bias = values.get("layers.4.bias"); // dense:6 with its relu (layer 3 is the flatten before it)
  assert.ok(bias, Array.from(values.keys()).join(", "));
  bias[1] = -1e6; // neuron 2 of the dense layer: always below 0 before its relu
  net.loadTensors(values);
  const features = images(net, 20, 3);
  const dead = inspectUnit(net, features, 20, 4, 1, 5);
  assert.equal(dead.dead, true);
  assert.equal(dead.active, 0);
  const alive = inspectUnit(net, features, 20, 4, 0, 5);
  assert.equal(alive.dead, false);
  assert.ok(alive.top.every((e, i) => i === 0 || e.activation <= alive.top[i - 1].activation));
  const channel = inspectUnit(net, features, 20, 1, 3, 4);
  assert.equal(channel.top.length, 4);
  for (const e of channel.top) assert.deepEqual(e.patch, receptiveField(net, 1, e.cell!.y, e.cell!.x));
});

test("the feature visualisation excites its channel more than the gray image it starts from (and, unregularised, than random images), and the same seed draws the same picture", () => {
  const net = cnn("conv:4,relu,maxpool:2,conv:6,relu", [10, 10, 1]);
  const layer = 4;
  const unit = 3;
  const meanOf = (features: Float32Array) => {
    const out = net.layerOutputOf(features, 1, layer);
    const c = net.describe()[layer].outputShape[2];
    let sum = 0;
    for (let p = 0; p < out.length / c; p++) sum += out[p * c + unit];
    return sum / (out.length / c);
  };
  // Without jitter and blur the ascent alone; with them (the defaults) the picture trades some of
  // the activation for shapes over pixel noise (on a random 10x10 network, most of it).
  const picture = visualizeUnit(net, layer, unit, { steps: 64, jitter: 0, blurEvery: 1000 });
  const regularised = visualizeUnit(net, layer, unit, { steps: 64 });
  const random = images(net, 50, 5);
  let average = 0;
  for (let r = 0; r < 50; r++) average += meanOf(random.subarray(r * net.inputs, (r + 1) * net.inputs)) / 50;
  const gray = meanOf(new Float32Array(net.inputs).fill(0.5));
  const reached = meanOf(picture);
  assert.ok(reached > 2 * Math.max(gray, average), `visualised ${reached} against gray ${gray} and random images ${average} on average`);
  assert.ok(meanOf(regularised) > gray, `with jitter and blur ${meanOf(regularised)} against gray ${gray}`);
  assert.ok(regularised.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(visualizeUnit(net, layer, unit, { steps: 64 }), regularised);
});
