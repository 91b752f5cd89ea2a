// explainBatch gives what explain gives row by row, for every method, on both backends.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { createWasmBackend } from "../../src/backends/wasm/index.js";
import { EXPLAIN_METHODS, explain, explainBatch, type ExplainOptions } from "../../src/explain/index.js";
import { createMlp } from "../../src/model/mlp.js";
import { Random } from "../../src/tensor/random.js";
import { maxAbsDifference } from "./helpers.js";

const wasm = await createWasmBackend({ threads: 2 });
after(() => wasm?.close());

test("explainBatch equals explain one by one within 1e-6 (every method, reference and wasm)", () => {
  assert.ok(wasm, "the wasm backend loads in Node 20");
  const random = new Random(8);
  const rows = 24;
  const inputs = Float32Array.from({ length: rows * 12 }, () => random.normal());
  const background = { features: Float32Array.from({ length: 5 * 12 }, () => random.normal()), rows: 5 };
  for (const backend of [createReferenceBackend(), wasm]) {
    const network = createMlp({ inputs: 12, hidden: [16, 8], labels: ["a", "b", "c", "d"], seed: 6, backend, standardize: true });
    network.layers[0].adapt?.(
      Float32Array.from({ length: 24 }, (_, i) => 0.1 + 1.5 * (i % 2 === 0 ? 1 : -1)),
      12,
      [0, 1],
    );
    for (const method of EXPLAIN_METHODS) {
      // ig with 1000 steps: 24 inputs x 1000 rows make 3 batches of 8 inputs (8192 rows at most).
      const options: ExplainOptions = {
        method,
        steps: 1000,
        samples: method === "shap" ? 200 : 16,
        background,
        groups:
          method === "shap"
            ? [
                [0, 1, 2],
                [3, 4, 5, 6],
              ]
            : undefined,
      };
      const batch = explainBatch(network, inputs, rows, options);
      assert.equal(batch.length, rows);
      let labels = new Set<number>();
      batch.forEach((b, r) => {
        const one = explain(network, inputs.subarray(r * 12, (r + 1) * 12), options);
        const where = `${backend.name} ${method} row ${r}`;
        assert.equal(b.labelIndex, one.labelIndex, where);
        // Rows do not interact in a batch: only summation order inside a kernel may differ (float32: ~1e-7).
        assert.ok(maxAbsDifference(b.attributions, one.attributions) <= 1e-6, `${where}: ${maxAbsDifference(b.attributions, one.attributions)}`);
        assert.ok(Math.abs(b.output - one.output) <= 1e-6 && Math.abs(b.baselineOutput - one.baselineOutput) <= 1e-6, where);
        labels = labels.add(b.labelIndex);
      });
      assert.ok(labels.size > 1, `${method}: the rows have different predicted labels, so per-row labels are exercised`);
      assert.ok(
        batch.some((b) => b.attributions.some((a) => a !== 0)),
        `${method}: attributions are not all zero`,
      );
    }
  }
});
