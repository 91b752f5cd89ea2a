// evaluate --folds K: one model per fold, trained without the fold's rows, on a CSV and on an image folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { datasetFromArrays } from "../src/data/arrays.js";
import { encodePng } from "../src/featurizers/image/index.js";
import { crossValidate } from "../src/train/folds.js";
import { lastJson, ROOT, scratch } from "./helpers/glassbox.js";
import { random } from "./helpers/random.js";

const { dir, glassbox } = scratch("glassbox-folds-");

interface Metric {
  mean: number;
  std: number;
  min: number;
  max: number;
  values: number[];
}

test("evaluate --folds 5 on a CSV: five models, each metric's mean, spread and range, folds that keep the label mix", () => {
  const r = glassbox("evaluate", "--folds", "5", join(ROOT, "data/tables/iris-train.csv"), "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = lastJson(r.stdout);
  assert.deepEqual(out.fold_rows, [23, 23, 22, 22, 22]);
  const accuracy = (out.metrics as Record<string, Metric>).accuracy;
  assert.equal(accuracy.values.length, 5);
  assert.ok(accuracy.mean > 0.8, `iris accuracy ${accuracy.mean}`);
  const mean = accuracy.values.reduce((a, b) => a + b, 0) / 5;
  assert.ok(Math.abs(accuracy.mean - mean) < 1e-12);
  assert.ok(Math.abs(accuracy.std - Math.sqrt(accuracy.values.reduce((s, v) => s + (v - mean) ** 2, 0) / 4)) < 1e-12);
  assert.ok("macro_f1" in (out.metrics as object));
  const text = glassbox("evaluate", "--folds", "3", join(ROOT, "data/tables/iris-train.csv"), "--epochs", "20");
  assert.match(text.stdout, /^3-fold cross-validation on 112 rows \(38, 37, 37 held out in turn\)\naccuracy {2}0\.\d{3} ± 0\.\d{3} {2}\(0\.\d{3} to [01]\.\d{3}\)/);
  const one = glassbox("evaluate", "--folds", "1", "x.csv");
  assert.equal(one.code, 2);
  assert.match(one.stderr, /^glassbox evaluate: error: --folds: expected an integer >= 2, got "1"\n$/);
});

test("evaluate --folds 3 on an image folder", () => {
  const next = random(5);
  for (const [label, bright] of [
    ["dark", 0.2],
    ["light", 0.8],
  ] as const) {
    mkdirSync(join(dir, "shapes", label), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const rgba = new Uint8Array(8 * 8 * 4);
      for (let p = 0; p < 64; p++) rgba.fill(Math.round(255 * Math.min(1, Math.max(0, bright + 0.2 * (next() - 0.5)))), 4 * p, 4 * p + 3).fill(255, 4 * p + 3, 4 * p + 4);
      writeFileSync(join(dir, "shapes", label, `${i}.png`), encodePng(8, 8, rgba));
    }
  }
  const r = glassbox("evaluate", "--folds", "3", "shapes", "--hidden", "8", "--epochs", "100", "--lr", "0.01", "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = lastJson(r.stdout);
  assert.deepEqual(out.fold_rows, [8, 8, 8]);
  const accuracy = (out.metrics as Record<string, Metric>).accuracy;
  assert.equal(accuracy.values.length, 3);
  assert.ok(accuracy.mean > 0.9, `dark against light: ${accuracy.mean}`);
  assert.ok("roc_auc" in (out.metrics as object), "two labels add ROC-AUC");
});

test("no model is measured on rows it trained on: labels that are pure noise score about chance, though every network can memorise its rows", async () => {
  const next = random(11);
  const x = Array.from({ length: 80 }, () => Array.from({ length: 6 }, () => next()));
  const y = x.map(() => (next() < 0.5 ? "a" : "b"));
  const data = datasetFromArrays(x, y);
  const result = await crossValidate({ data, featurizer: null }, { folds: 4, hidden: [64], epochs: 400, lr: 0.01, validation: 0, backend: createReferenceBackend() });
  assert.ok(result.metrics.accuracy.mean < 0.7, `cross-validated accuracy on noise: ${result.metrics.accuracy.mean}`);
});
