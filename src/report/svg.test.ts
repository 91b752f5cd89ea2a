// Chart ticks: round values, and 0 as 0 (not a rounding residue such as -2.8e-17).
import { test } from "node:test";
import assert from "node:assert/strict";
import { logTicks, ticks } from "./svg.js";

test("ticks are whole multiples of a round step and pass 0 exactly", () => {
  assert.deepEqual(ticks(-0.35, 0.25), [-0.3, -0.2, -0.1, 0, 0.1, 0.2]);
  assert.deepEqual(ticks(-0.7, 0.5), [-0.6, -0.4, -0.2, 0, 0.2, 0.4]);
  assert.deepEqual(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(ticks(3, 47), [10, 20, 30, 40]);
});

test("a log axis is ticked at powers of 10, or at 1, 2 and 5 times them when it spans less than two", () => {
  assert.deepEqual(logTicks(-2.2, 0.1), [-2, -1, 0]);
  assert.deepEqual(
    logTicks(-1.6, -0.4).map((t) => Number((10 ** t).toPrecision(6))),
    [0.05, 0.1, 0.2],
  );
});
