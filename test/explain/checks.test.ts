// The trust checks' statistics against hand-worked values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spearman } from "../../src/explain/checks.js";

test("spearman: +1 for the same order, -1 for the reverse, average ranks for ties, 0 for a constant", () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks [0, 1.5, 1.5, 3] and [0, 1, 2, 3]: covariance 4.5 over sqrt(4.5 * 5)
  assert.ok(Math.abs(spearman([0, 5, 5, 9], [1, 2, 3, 4]) - 4.5 / Math.sqrt(4.5 * 5)) < 1e-15);
  assert.equal(spearman([7, 7, 7], [1, 2, 3]), 0);
});
