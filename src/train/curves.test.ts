import { test } from "node:test";
import assert from "node:assert/strict";
import { Random } from "../tensor/random.js";
import { averagePrecision, chooseThreshold, rocAuc } from "./curves.js";

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

test("chooseThreshold: the score that maximises balanced accuracy or F1, nearest 0.5 among ties", () => {
  assert.equal(chooseThreshold([0.1, 0.2, 0.3, 0.9], [false, true, true, true], "balanced"), 0.2);
  // 1 positive in 5, scored 0.3: 0.5 misses it; 0.3 catches it with no false alarm.
  assert.equal(chooseThreshold([0.05, 0.1, 0.3, 0.2, 0.15], [false, false, true, false, false], "balanced"), 0.3);
  assert.equal(chooseThreshold([0.05, 0.1, 0.3, 0.2, 0.15], [false, false, true, false, false], "f1"), 0.3);
  // Perfectly separated at 0.5 already: it stays.
  assert.equal(chooseThreshold([0.1, 0.2, 0.8, 0.9], [false, false, true, true], "balanced"), 0.5);
  // F1 trades false alarms for recall differently from balanced accuracy.
  const scores = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7];
  const truth = [false, true, true, false, true, true];
  assert.equal(chooseThreshold(scores, truth, "f1"), 0.2, "F1 0.89 at 0.2");
  assert.equal(chooseThreshold(scores, truth, "balanced"), 0.5, "balanced accuracy 0.75 at 0.2, 0.5 and 0.6: the tie keeps 0.5");
});
