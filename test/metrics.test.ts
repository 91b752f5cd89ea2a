// classificationReport and predictedClasses against examples worked by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { classificationReport, predictedClasses, type ClassMetrics } from "../src/train/metrics.js";

// Each expected value is a ratio of two small integers, which the code reaches in at most four
// double operations: the rounding error is below 1e-15. 1e-12 leaves room for a reordered sum
// while sitting far below the smallest gap a wrong formula makes here (about 0.008, f1 against
// the arithmetic mean of precision and recall for "cat").
const TOLERANCE = 1e-12;

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: expected ${expected}, got ${actual} (tolerance ${TOLERANCE})`);
}

function assertClass(actual: ClassMetrics, expected: ClassMetrics): void {
  assert.equal(actual.label, expected.label);
  assert.equal(actual.support, expected.support, `${expected.label} support`);
  assertClose(actual.precision, expected.precision, `${expected.label} precision`);
  assertClose(actual.recall, expected.recall, `${expected.label} recall`);
  assertClose(actual.f1, expected.f1, `${expected.label} f1`);
}

test("classificationReport: 3 classes, 10 rows, worked by hand", () => {
  //                         0  1  2  3  4  5  6  7  8  9
  const actual = Int32Array.of(0, 0, 0, 0, 0, 1, 1, 1, 2, 2);
  const predicted = Int32Array.of(0, 0, 0, 1, 2, 1, 1, 0, 1, 2);
  const report = classificationReport(predicted, actual, ["cat", "dog", "eel"]);

  // confusion[actual][predicted]:
  //          cat dog eel | support
  //   cat     3   1   1  |   5
  //   dog     1   2   0  |   3
  //   eel     0   1   1  |   2
  //   ----------------
  //   pred    4   4   2
  assert.deepEqual(report.confusion, [
    [3, 1, 1],
    [1, 2, 0],
    [0, 1, 1],
  ]);
  assert.equal(report.count, 10);
  assertClose(report.accuracy, 6 / 10, "accuracy"); // diagonal 3 + 2 + 1
  assert.equal(report.perClass.length, 3);
  // cat: precision 3/4, recall 3/5, f1 = 2 * 0.45 / 1.35 = 2/3
  assertClass(report.perClass[0], { label: "cat", precision: 3 / 4, recall: 3 / 5, f1: 2 / 3, support: 5 });
  // dog: precision 2/4, recall 2/3, f1 = 2 * (1/3) / (7/6) = 4/7
  assertClass(report.perClass[1], { label: "dog", precision: 1 / 2, recall: 2 / 3, f1: 4 / 7, support: 3 });
  // eel: precision 1/2, recall 1/2, f1 = 1/2
  assertClass(report.perClass[2], { label: "eel", precision: 1 / 2, recall: 1 / 2, f1: 1 / 2, support: 2 });

  // The report has no macro or weighted averages; the ones a reader derives from it, worked by hand:
  // macro f1 = (2/3 + 4/7 + 1/2) / 3 = 73/126, weighted recall = (5 * 3/5 + 3 * 2/3 + 2 * 1/2) / 10 = accuracy.
  const macroF1 = report.perClass.reduce((s, c) => s + c.f1, 0) / 3;
  assertClose(macroF1, 73 / 126, "macro f1");
  const weightedRecall = report.perClass.reduce((s, c) => s + c.recall * c.support, 0) / report.count;
  assertClose(weightedRecall, report.accuracy, "weighted recall equals accuracy");
});

test("classificationReport: a class never predicted nor present scores 0, not NaN", () => {
  // "eel" never appears; "dog" is never predicted.
  const report = classificationReport(Int32Array.of(0, 0, 0), Int32Array.of(0, 1, 0), ["cat", "dog", "eel"]);
  assert.deepEqual(report.confusion, [
    [2, 0, 0],
    [1, 0, 0],
    [0, 0, 0],
  ]);
  assertClose(report.accuracy, 2 / 3, "accuracy");
  assertClass(report.perClass[0], { label: "cat", precision: 2 / 3, recall: 1, f1: 4 / 5, support: 2 });
  assertClass(report.perClass[1], { label: "dog", precision: 0, recall: 0, f1: 0, support: 1 });
  assertClass(report.perClass[2], { label: "eel", precision: 0, recall: 0, f1: 0, support: 0 });
});

test("classificationReport: no rows gives accuracy 0 and an empty confusion", () => {
  const report = classificationReport(new Int32Array(0), new Int32Array(0), ["a", "b"]);
  assert.equal(report.count, 0);
  assert.equal(report.accuracy, 0);
  assert.deepEqual(report.confusion, [
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(
    report.perClass.map((c) => [c.precision, c.recall, c.f1, c.support]),
    [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ],
  );
});

test("predictedClasses: argmax of each row, the first column wins a tie", () => {
  const rows = [
    [0.1, 0.7, 0.2], // -> 1
    [0.5, 0.2, 0.3], // -> 0
    [0.2, 0.3, 0.5], // -> 2 (the last column)
    [0.4, 0.4, 0.2], // tie of 0 and 1 -> 0
    [0.2, 0.4, 0.4], // tie of 1 and 2 -> 1
    [1 / 3, 1 / 3, 1 / 3], // three-way tie -> 0
  ];
  const answers = Float32Array.from(rows.flat());
  assert.deepEqual([...predictedClasses(answers, 6, 3)], [1, 0, 2, 0, 1, 0]);
  // Only the first `rows` rows are read.
  assert.deepEqual([...predictedClasses(answers, 2, 3)], [1, 0]);
});

test("predictedClasses: one sigmoid column is class 1 from 0.5 up", () => {
  const answers = Float64Array.of(0.2, 0.5, 0.9, 0.4999, 0, 1);
  assert.deepEqual([...predictedClasses(answers, 6, 1)], [0, 1, 1, 0, 0, 1]);
});

test("predictedClasses: two softmax columns are an argmax, not a 0.5 threshold on the first", () => {
  // Row 0's first column is 0.6 >= 0.5, yet its class is 0 because it is the larger.
  assert.deepEqual([...predictedClasses([0.6, 0.4, 0.3, 0.7], 2, 2)], [0, 1]);
});
