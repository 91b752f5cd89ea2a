// Inference with batch norms folded into the convolutions before them (Network.infer): the same
// answers as the layer-by-layer forward pass, on both backends, and the fused activations of
// convForward against the unfused sums.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { windowGeometry } from "../src/layers/window.js";
import { Random } from "../src/tensor/random.js";
import { batchNormCnn as network } from "./helpers/networks.js";

const wasm = await createWasmBackend({ threads: 1 });
const backends: [string, Backend][] = [["reference", createReferenceBackend()], ...(wasm ? [["wasm", wasm] as [string, Backend]] : [])];

function softmaxRows(logits: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, j) => logits[r * cols + j]);
    const top = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - top), 0);
    row.forEach((v, j) => (out[r * cols + j] = Math.exp(v - top) / sum));
  }
  return out;
}

for (const [name, backend] of backends) {
  test(`${name}: predictions with batch norms folded into the convolutions equal the layer-by-layer pass`, () => {
    const net = network(backend);
    const rows = 9;
    const random = new Random(11);
    const features = Float32Array.from({ length: rows * net.inputs }, () => random.uniform());
    const folded = net.predict(features, rows);
    const layered = softmaxRows(net.logitsOf(features, rows), rows, 3);
    let worst = 0;
    for (let i = 0; i < folded.length; i++) worst = Math.max(worst, Math.abs(folded[i] - layered[i]));
    assert.ok(worst < 2e-6, `largest difference ${worst}`);
    assert.ok(
      layered.some((p) => p > 0.05 && p < 0.95),
      "answers away from 0 and 1, where a difference would show",
    );
  });

  test(`${name}: a dataset's image bytes passed as features are refused, not read as 0-255 brightness`, () => {
    const net = network(backend);
    assert.throws(
      () => net.predict(new Uint8Array(net.inputs) as unknown as Float32Array, 1),
      /got a Uint8Array: a dataset's image bytes each stand for byte \/ 255; pass featureRows/,
    );
  });

  test(`${name}: convForward's activation is the activation of its sums (relu and leaky_relu fused on wasm, tanh after; im2col and Winograd)`, () => {
    for (const [channels, filters] of [
      [3, 4],
      [16, 20],
    ]) {
      const geometry = windowGeometry([5, 5, channels], 3, 3, 1, "same", 2);
      const random = new Random(3);
      const make = (shape: number[], values?: Float32Array) => {
        const t = backend.tensor(shape);
        backend.write(t, values ?? Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => random.normal()));
        return t;
      };
      const [x, weight, bias] = [make([2, 5, 5, channels]), make([3, 3, channels, filters]), make([filters])];
      const plain = backend.tensor([2, 5, 5, filters]);
      backend.convForward({ x, weight, bias, y: plain, geometry });
      const sums = backend.read(plain);
      const scalar = { relu: (v: number) => Math.max(0, v), leaky_relu: (v: number) => (v > 0 ? v : 0.01 * v), tanh: Math.tanh };
      for (const [activation, f] of Object.entries(scalar) as ["relu" | "leaky_relu" | "tanh", (v: number) => number][]) {
        const y = backend.tensor([2, 5, 5, filters]);
        backend.convForward({ x, weight, bias, y, geometry, activation });
        const got = backend.read(y);
        for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - f(sums[i])) <= 1e-6 * (1 + Math.abs(sums[i])), `${activation} at ${i}: ${got[i]} vs ${f(sums[i])}`);
        assert.ok(sums.some((v) => v < 0) && sums.some((v) => v > 0));
      }
    }
  });
}
