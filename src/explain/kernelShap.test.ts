// The coalitions KernelSHAP fits its weighted least squares to.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Random } from "../tensor/random.js";
import { chooseCoalitions } from "./kernelShap.js";
import { binomial } from "./coalitions.js";

test("KernelSHAP coalitions: a small budget enumerates sizes 1 and n-1 exactly, samples the rest, and keeps the kernel's total weight", () => {
  const n = 10;
  const { membership, weights, count } = chooseCoalitions(n, 60, new Random(1));
  assert.equal(count, 60);
  let total = 0;
  let singletons = 0;
  for (let c = 0; c < count; c++) {
    const size = membership.subarray(c * n, (c + 1) * n).reduce((a, b) => a + b, 0);
    assert.ok(size >= 1 && size <= n - 1, "never the empty or the full coalition");
    if (size === 1) singletons++;
    total += weights[c];
  }
  assert.equal(singletons, 10, "all 10 coalitions of one player");
  // Sum over all non-trivial coalitions of the Shapley kernel: sum_s C(n, s) (n - 1) / (C(n, s) s (n - s)).
  let kernel = 0;
  for (let s = 1; s < n; s++) kernel += (binomial(n, s) * (n - 1)) / (binomial(n, s) * s * (n - s));
  assert.ok(Math.abs(total - kernel) < 1e-12, `weights sum to ${total}, kernel to ${kernel}`);
  // Paired: every sampled coalition is followed by its complement.
  for (let c = 0; c < count; c += 2) {
    for (let p = 0; p < n; p++) assert.equal(membership[c * n + p] + membership[(c + 1) * n + p], 1);
  }
});
