import { test } from "node:test";
import assert from "node:assert/strict";
import { Random } from "../tensor/random.js";
import { averagePrecision, rocAuc } from "./curves.js";

/** ROC-AUC by its definition: every positive-negative pair, ties counting half. */
function pairwiseAuc(scores: number[], positive: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (!positive[i]) return;
    scores.forEach((n, j) => {
      if (positive[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

/** Average precision by its definition: at each distinct threshold t (high to low), precision and recall of "score >= t". */
function thresholdAp(scores: number[], positive: boolean[]): number {
  const total = positive.filter(Boolean).length;
  let area = 0;
  let recall = 0;
  for (const t of [...new Set(scores)].sort((a, b) => b - a)) {
    const chosen = scores.map((s) => s >= t);
    const tp = chosen.filter((c, i) => c && positive[i]).length;
    const precision = tp / chosen.filter(Boolean).length;
    area += (tp / total - recall) * precision;
    recall = tp / total;
  }
  return area;
}

test("rocAuc and averagePrecision: known values, and their definitions on random scores with ties", () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
  assert.ok(Math.abs(averagePrecision([0.1, 0.4, 0.35, 0.8], [false, false, true, true]) - (0.5 + 0.5 * (2 / 3))) < 1e-12);
  assert.equal(rocAuc([1, 2, 3], [false, true, true]), 1);
  assert.equal(rocAuc([0.5, 0.5], [false, true]), 0.5, "a tie counts half");
  assert.ok(Number.isNaN(rocAuc([1, 2], [true, true])), "no negatives: undefined");
  assert.ok(Number.isNaN(averagePrecision([1, 2], [false, false])), "no positives: undefined");
  const random = new Random(5);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + trial * 7;
    const scores = Array.from({ length: n }, () => Math.round(random.uniform() * 10) / 10); // coarse: many ties
    const positive = scores.map((s) => random.uniform() < 0.3 + 0.4 * s);
    if (!positive.some(Boolean) || positive.every(Boolean)) continue;
    assert.ok(Math.abs(rocAuc(scores, positive) - pairwiseAuc(scores, positive)) < 1e-12, `trial ${trial}: ROC-AUC`);
    assert.ok(Math.abs(averagePrecision(scores, positive) - thresholdAp(scores, positive)) < 1e-12, `trial ${trial}: average precision`);
  }
});
