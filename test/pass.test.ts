// Explanation passes (PredictionPass): batch norms folded into the convolutions before them, and
// rows given as mixtures of a few points, against the plain layer-by-layer forward and backward
// passes (Network.forward / Network.backward) on both backends.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import type { Network } from "../src/model/network.js";
import { Random } from "../src/tensor/random.js";
import { batchNormCnn } from "./helpers/networks.js";

const wasm = await createWasmBackend({ threads: 1 });
after(() => wasm?.close());
const backends: Backend[] = [createReferenceBackend(), ...(wasm ? [wasm] : [])];

/** The plain passes: every layer's own forward and backward, no folding, no mixing. */
function plainGradient(net: Network, rows: Float32Array, n: number, dLogits: Float32Array): Float32Array {
  const x = net.input(n);
  net.backend.write(x, rows);
  net.forward(x, false, new Random(0));
  const d = net.backend.tensor([n, net.outputs]);
  net.backend.write(d, dLogits);
  const dx = net.backward(d, true, false);
  assert.ok(dx);
  return Float32Array.from(net.backend.read(dx));
}

function largestGap(a: ArrayLike<number>, b: ArrayLike<number>): { gap: number; scale: number } {
  assert.equal(a.length, b.length);
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { gap, scale };
}

/** n rows on the straight path from `from` to `to` at ts, written out, and the same as a mixture of the two ends. */
function path(from: Float32Array, to: Float32Array, ts: number[]): { rows: Float32Array; mixture: { points: Float32Array; count: number; weights: Float64Array } } {
  const f = from.length;
  const rows = new Float32Array(ts.length * f);
  ts.forEach((t, i) => {
    for (let j = 0; j < f; j++) rows[i * f + j] = (1 - t) * from[j] + t * to[j];
  });
  const points = new Float32Array(2 * f);
  points.set(from);
  points.set(to, f);
  return { rows, mixture: { points, count: 2, weights: Float64Array.from(ts.flatMap((t) => [1 - t, t])) } };
}

for (const backend of backends) {
  for (const standardize of [false, true]) {
    const name = `${backend.name}${standardize ? ", standardised input" : ""}`;

    test(`${name}: input gradients with the batch norms folded equal the plain backward pass`, () => {
      const net = batchNormCnn(backend, standardize);
      const random = new Random(2);
      const n = 5;
      const rows = Float32Array.from({ length: n * net.inputs }, () => random.uniform());
      const dLogits = Float32Array.from({ length: n * net.outputs }, () => random.normal());
      const { gap, scale } = largestGap(net.inputGradientOf(rows, n, dLogits), plainGradient(net, rows, n, dLogits));
      assert.ok(scale > 1e-3, `gradients away from 0 (${scale})`);
      assert.ok(gap <= 1e-5 * scale, `largest difference ${gap} of ${scale}`);
    });

    test(`${name}: a mixture's rows give the layer outputs and gradients, and the summed input gradient, of the rows written out`, () => {
      const net = batchNormCnn(backend, standardize);
      const random = new Random(3);
      const from = Float32Array.from({ length: net.inputs }, () => random.uniform());
      const to = Float32Array.from({ length: net.inputs }, () => random.uniform());
      const ts = [0, 0.1, 0.35, 0.5, 0.9, 1];
      const n = ts.length;
      const { rows, mixture } = path(from, to, ts);
      const dLogits = Float32Array.from({ length: n * net.outputs }, () => random.normal());
      // Layer 2 (or 3): the relu after the first convolution's batch norm, above the affine prefix; the last: the logits.
      for (const layer of [standardize ? 3 : 2, net.layers.length - 2]) {
        const mixed = net.layerGradientOf(mixture, n, dLogits, layer);
        const written = net.layerGradientOf(rows, n, dLogits, layer);
        for (const key of ["output", "gradient"] as const) {
          const { gap, scale } = largestGap(mixed[key], written[key]);
          assert.ok(scale > 1e-3 && gap <= 1e-5 * scale, `layer ${layer} ${key}: largest difference ${gap} of ${scale}`);
        }
      }
      // Two sums with different weights: sum_i w_ci d f_i / d x_i.
      const sums = Float64Array.from({ length: n * 2 }, () => random.normal());
      // Asked twice: scratch tensors reused between calls must not carry the first answer into the second.
      net.summedInputGradientOf(mixture, n, dLogits, { weights: sums, count: 2 });
      const summed = net.summedInputGradientOf(mixture, n, dLogits, { weights: sums, count: 2 });
      const each = plainGradient(net, rows, n, dLogits);
      const expected = new Float64Array(2 * net.inputs);
      for (let i = 0; i < n; i++) for (let c = 0; c < 2; c++) for (let j = 0; j < net.inputs; j++) expected[c * net.inputs + j] += sums[i * 2 + c] * each[i * net.inputs + j];
      const { gap, scale } = largestGap(summed, expected);
      assert.ok(scale > 1e-3 && gap <= 1e-5 * scale, `summed gradients: largest difference ${gap} of ${scale}`);
    });
  }

  test(`${backend.name}: mixture weights of the wrong size, or rows that do not sum to 1, are refused`, () => {
    const net = batchNormCnn(backend);
    const points = new Float32Array(2 * net.inputs);
    assert.throws(
      () => net.layerGradientOf({ points, count: 2, weights: [0.5, 0.5, 1] }, 2, new Float32Array(2 * net.outputs), 2),
      /expected 2 rows x 2 points = 4 numbers, got 3/,
    );
    assert.throws(
      () => net.layerGradientOf({ points, count: 2, weights: [0.5, 0.5, 1, 1] }, 2, new Float32Array(2 * net.outputs), 2),
      /row 1 sums to 2; each row of an affine mixture sums to 1/,
    );
  });
}
