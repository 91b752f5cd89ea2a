// The Gauss-Legendre rule integrated gradients integrates with.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gaussLegendre } from "./integratedGradients.js";

test("Gauss-Legendre on [0, 1]: n points integrate t^k exactly up to k = 2n - 1, nodes ascending and symmetric", () => {
  for (const n of [1, 2, 3, 8, 64]) {
    const { nodes, weights } = gaussLegendre(n);
    for (let k = 0; k <= Math.min(2 * n - 1, 40); k++) {
      let integral = 0;
      for (let i = 0; i < n; i++) integral += weights[i] * nodes[i] ** k;
      // Exact in real numbers; float64 Newton roots and weights leave ~1e-14.
      assert.ok(Math.abs(integral - 1 / (k + 1)) < 1e-13, `n ${n}, t^${k}: ${integral} vs ${1 / (k + 1)}`);
    }
    for (let i = 0; i < n; i++) {
      assert.ok(nodes[i] > 0 && nodes[i] < 1 && (i === 0 || nodes[i] > nodes[i - 1]));
      assert.ok(Math.abs(nodes[i] + nodes[n - 1 - i] - 1) < 1e-14 && Math.abs(weights[i] - weights[n - 1 - i]) < 1e-14);
    }
  }
  // One more point would be needed for degree 2n: the rule is not exact there.
  const { nodes, weights } = gaussLegendre(2);
  const quartic = weights.reduce((sum, w, i) => sum + w * nodes[i] ** 4, 0);
  assert.ok(Math.abs(quartic - 1 / 5) > 1e-3);
});
