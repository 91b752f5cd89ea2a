// Training with wasm lands where training with the reference does: same seed, same settings,
// same data order; only float rounding differs (fused multiply-adds, summation order).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import type { Backend } from "../src/backends/backend.js";
import { loadIdxDirectory } from "../src/data/files.js";
import { selectRows } from "../src/data/dataset.js";
import { parseLayers } from "../src/layers/parse.js";
import type { Network } from "../src/model/network.js";
import { createMlp } from "../src/model/mlp.js";
import { evaluate } from "../src/train/evaluate.js";
import { fit } from "../src/train/fit.js";

const dir = fileURLToPath(new URL("../data/fashion-mnist-small", import.meta.url));

/**
 * Trains the network `make` builds on the first `rows` training images with wasm and with the
 * reference (same seed, settings and data order) and checks they land together on the 2,000 test
 * images: within 0.5 points of accuracy (one image is 0.05 points; rounding differences move a
 * handful of answers) and 1% of loss, and that both learnt.
 */
async function agree(rows: number, make: (backend: Backend, labels: string[]) => Network, seed: number): Promise<void> {
  const trainSet = selectRows(
    await loadIdxDirectory(dir, "train"),
    Array.from({ length: rows }, (_, i) => i),
  );
  const testSet = await loadIdxDirectory(dir, "test");
  const wasm = await createWasmBackend({ threads: 2 });
  assert.ok(wasm, "the wasm backend loads in Node 20");
  const run = async (backend: Backend) => {
    const network = make(backend, trainSet.labelNames);
    const result = await fit(network, trainSet, { epochs: 2, lr: 0.002, seed });
    return { accuracy: evaluate(network, testSet).accuracy, loss: result.finalLoss };
  };
  const reference = await run(createReferenceBackend());
  const fast = await run(wasm);
  wasm.close();
  assert.ok(Math.abs(fast.accuracy - reference.accuracy) <= 0.005, `wasm ${fast.accuracy} vs reference ${reference.accuracy}`);
  assert.ok(Math.abs(fast.loss - reference.loss) <= 0.01 * reference.loss, `loss: wasm ${fast.loss} vs reference ${reference.loss}`);
  assert.ok(reference.accuracy > 0.7, `both learn (reference ${reference.accuracy})`);
}

test("wasm and reference reach the same accuracy on the embedded Fashion-MNIST subset", async () => {
  // 7 answers of 2,000 differ today: 0.35 points.
  await agree(4000, (backend, labels) => createMlp({ inputs: 784, hidden: [64, 32], labels, seed: 3, backend, dropout: 0.1 }), 3);
});

test("wasm and reference train a small CNN (conv, batch norm, pooling) to the same accuracy", async () => {
  const layers = parseLayers("conv:8,bn,relu,maxpool:2,conv:16,relu,maxpool:2", [28, 28, 1]);
  // 0.743 both today, losses 2e-6 apart.
  await agree(1500, (backend, labels) => createMlp({ inputs: [28, 28, 1], layers, labels, seed: 5, backend }), 5);
});
