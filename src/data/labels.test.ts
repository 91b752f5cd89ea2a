import { test } from "node:test";
import assert from "node:assert/strict";
import { accuracyByLevel, levels } from "../model/hierarchy.js";
import { labelsFromPaths } from "./labels.js";

const H = [
  ["bags", "Bag"],
  ["footwear", "Sandal"],
  ["footwear", "Sneaker"],
];

test("a category's probability is the sum of its labels'; each level answers with its most probable node", () => {
  const out = levels([0.4, 0.35, 0.25], H);
  assert.equal(out[0].label, "footwear");
  assert.ok(Math.abs(out[0].probability - 0.6) < 1e-12);
  assert.deepEqual(out[1], { depth: 1, label: "Bag", probability: 0.4 }, "the most probable label, even under another category");
});

test("accuracy by level counts a right category with a wrong label as right at that level", () => {
  const answers = Float32Array.from([0.1, 0.2, 0.7, 0.1, 0.7, 0.2]);
  const byLevel = accuracyByLevel(answers, 3, Int32Array.from([1, 2]), H);
  assert.deepEqual(
    byLevel.map((l) => l.accuracy),
    [1, 0],
  );
});

test("folder paths become sorted labels; clashing leaf names keep their whole path; unknown paths are errors", () => {
  const r = labelsFromPaths(
    [
      ["pets", "dog"],
      ["pets", "cat"],
      ["wild", "cat"],
    ],
    null,
    (i) => `file ${i}`,
  );
  assert.deepEqual(r.labelNames, ["pets/cat", "dog", "wild/cat"], "sorted by path: pets/cat, pets/dog, wild/cat");
  assert.deepEqual(Array.from(r.labels), [1, 0, 2]);
  assert.equal(labelsFromPaths([["a"], ["b"]], null, String).hierarchy, null, "one level: no hierarchy");
  assert.throws(() => labelsFromPaths([["pets", "cow"]], r, (i) => `file ${i}`), /file 0: unknown label "pets\/cow"/);
});
