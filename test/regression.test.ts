// Regression end to end: a numeric label column trains a regression, answers come back in the
// label's units, evaluate reports R², MAE and RMSE, and the Huber kernel matches its formula.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { datasetFromArrays } from "../src/data/arrays.js";
import { taskOf } from "../src/data/csv.js";
import { explain } from "../src/explain/index.js";
import { loadModel } from "../src/io/disk.js";
import { decodeModel, encodeModel } from "../src/io/modelFile.js";
import { decodeSafetensors, encodeSafetensors } from "../src/io/safetensors.js";
import { trainModel } from "../src/train/pipeline.js";
import { evaluateRegression } from "../src/train/regression.js";
import { expectOneLineError, lastJson, scratch, type Run } from "./helpers/glassbox.js";
import { random } from "./helpers/random.js";

const { dir, glassbox } = scratch("glassbox-regression-");

const COLOUR: Record<string, number> = { red: 150, green: 0, blue: -100 };

/** price = 1000 + 300 a - 40 b + colour + 50 a² + noise (sd 30): mostly linear, a little curved. */
function prices(rows: number, seed: number): string[] {
  const next = random(seed);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const a = 4 * next() - 2;
    const b = 10 * next();
    const colour = ["red", "green", "blue"][Math.floor(3 * next())];
    const noise = 30 * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    lines.push(`${a.toFixed(4)},${b.toFixed(3)},${colour},${(1000 + 300 * a - 40 * b + COLOUR[colour] + 50 * a * a + noise).toFixed(2)}`);
  }
  return lines;
}

/** Least squares with an intercept on the rows' columns a, b and one-hot colours (the first colour left out): R² on `test`. */
function linearRegressionR2(train: string[], test: string[]): number {
  const design = (line: string): number[] => {
    const [a, b, colour] = line.split(",");
    return [1, Number(a), Number(b), colour === "green" ? 1 : 0, colour === "blue" ? 1 : 0];
  };
  const target = (line: string): number => Number(line.split(",")[3]);
  const k = 5;
  const xtx = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (const line of train) {
    const x = design(line);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) xtx[i][j] += x[i] * x[j];
      xtx[i][k] += x[i] * target(line);
    }
  }
  for (let c = 0; c < k; c++) {
    const pivot = xtx.slice(c).reduce((best, row, r) => (Math.abs(row[c]) > Math.abs(xtx[best][c]) ? r + c : best), c);
    [xtx[c], xtx[pivot]] = [xtx[pivot], xtx[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = xtx[r][c] / xtx[c][c];
      for (let j = c; j <= k; j++) xtx[r][j] -= f * xtx[c][j];
    }
  }
  const beta = xtx.map((row, i) => row[k] / row[i]);
  const truth = test.map(target);
  const mean = truth.reduce((s, t) => s + t, 0) / truth.length;
  const predicted = test.map((line) => design(line).reduce((s, x, i) => s + x * beta[i], 0));
  const sse = predicted.reduce((s, p, i) => s + (p - truth[i]) ** 2, 0);
  const sst = truth.reduce((s, t) => s + (t - mean) ** 2, 0);
  return 1 - sse / sst;
}

test("a CSV whose label is a price trains a regression with only --label; R² beats least squares on held-out rows", () => {
  const header = "a,b,colour,price";
  const train = prices(300, 1);
  const held = prices(100, 2);
  writeFileSync(join(dir, "train.csv"), `${header}\n${train.join("\n")}\n`);
  writeFileSync(join(dir, "test.csv"), `${header}\n${held.join("\n")}\n`);
  const trained = glassbox("train", "train.csv", "--label", "price", "--out", "price.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /the label column "price" holds 300 different numbers \(over 20\): training a regression/);
  assert.match(trained.stderr, /-> 1 linear/);
  // Five networks, one per fold, each validated on the fold it leaves out: every row has an answer from a network that did not train on it.
  assert.match(
    trained.stdout,
    /^trained a bag of 5 networks on 300 rows, each validated on the fold of 5 it leaves out \(epochs \d+, \d+, \d+, \d+, \d+; wasm backend, out-of-fold R² 0\.9\d\d\)\nnetwork: 6 inputs -> 5\d\d relu -> 1 linear/,
  );

  const evaluated = lastJson(glassbox("evaluate", "price.safetensors", "test.csv", "--json").stdout);
  const baseline = linearRegressionR2(train, held);
  assert.ok(baseline > 0.9 && baseline < 0.99, `least squares R² ${baseline}`);
  assert.equal(evaluated.task, "regress");
  assert.ok((evaluated.r2 as number) > baseline, `Glassbox R² ${evaluated.r2} against least squares ${baseline}`);
  // In the label's units: the noise has sd 30, so errors of tens, not of standard units.
  assert.ok((evaluated.rmse as number) > 20 && (evaluated.rmse as number) < 60, `RMSE ${evaluated.rmse}`);
  assert.ok((evaluated.mae as number) < (evaluated.rmse as number));
  const text = glassbox("evaluate", "price.safetensors", "test.csv").stdout;
  assert.match(text, /^R² 0\.\d{3} {2}MAE \d+\.\d+ {2}RMSE \d+\.\d+ \(on 100 rows, predicting "price"\)/);

  const predicted = lastJson(glassbox("predict", "price.safetensors", "test.csv", "--limit", "3", "--json").stdout);
  const rows = predicted.predictions as { values: { price: number }; true_values: { price: number } }[];
  assert.equal(rows.length, 3);
  for (const row of rows) assert.ok(Math.abs(row.values.price - row.true_values.price) < 150, JSON.stringify(row));
  assert.match(glassbox("predict", "price.safetensors", "test.csv", "--limit", "1").stdout, /^1: price = \d{3,4}\.\d* {2}\[true: \d+/);

  const why = glassbox("explain", "price.safetensors", "test.csv", "--json");
  assert.equal(why.code, 0, why.stderr);
  const explanation = lastJson(why.stdout);
  const total = (explanation.attributions as { value: number }[]).reduce((s, a) => s + a.value, 0);
  const change = (explanation.output as number) - (explanation.baseline_output as number);
  assert.ok(Math.abs(change) > 10, `the answer moves in the label's units, by ${change}`);
  assert.ok(Math.abs(total - change) < 0.01 * Math.abs(change) + 1e-3, `integrated gradients add up: ${total} vs ${change}`);
});

test("the model answers in the targets' units: targets scaled by 1000 and shifted by 5 give answers and attributions scaled the same", async () => {
  const next = random(7);
  const x = Array.from({ length: 200 }, () => [next(), next(), next()]);
  const y = x.map(([a, b, c]) => 2 * a - b + Math.sin(3 * c));
  const backend = createReferenceBackend();
  const fitted = async (targets: number[]) =>
    (await trainModel({ data: datasetFromArrays(x, targets, { task: "regress", labels: ["y"] }), featurizer: null }, { epochs: 5, seed: 3, backend, backgroundRows: 20 })).network;
  const small = await fitted(y);
  const big = await fitted(y.map((v) => 1000 * v + 5));
  const rows = Float32Array.from(x.slice(0, 10).flat());
  const a = small.predict(rows, 10);
  const b = big.predict(rows, 10);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(b[i] - (1000 * a[i] + 5)) < 1e-3 * Math.abs(b[i]) + 1e-2, `row ${i}: ${b[i]} vs 1000 * ${a[i]} + 5`);
  assert.ok(Math.abs(a[0]) < 5, "the small model answers near its targets, not in standard units of the big one");
  const row = rows.subarray(0, 3);
  const ea = explain(small, row, { method: "ig", steps: 32 }).attributions;
  const eb = explain(big, row, { method: "ig", steps: 32 }).attributions;
  ea.forEach((value, j) => assert.ok(Math.abs(eb[j] - 1000 * value) < 1e-3 * Math.abs(eb[j]) + 1e-2, `${eb[j]} vs 1000 * ${value}`));

  const report = evaluateRegression(
    big,
    datasetFromArrays(
      x.slice(0, 50),
      y.slice(0, 50).map((v) => 1000 * v + 5),
      { task: "regress", labels: ["y"] },
    ),
  );
  const again = evaluateRegression(small, datasetFromArrays(x.slice(0, 50), y.slice(0, 50), { task: "regress", labels: ["y"] }));
  assert.ok(Math.abs(report.r2 - again.r2) < 1e-4, `R² does not depend on the units: ${report.r2} vs ${again.r2}`);
  assert.ok(Math.abs(report.mae - 1000 * again.mae) < 1e-3 * report.mae);

  // The scale is kept in the model file: a reloaded model answers the same, and a broken one is refused.
  const reloaded = decodeModel(encodeModel(big), "big.safetensors", backend);
  assert.deepEqual(Array.from(reloaded.predict(rows, 10)), Array.from(b));
  const file = decodeSafetensors(encodeModel(big), "big.safetensors");
  const about = JSON.parse(file.metadata.about);
  const broken = encodeSafetensors({ metadata: { ...file.metadata, about: JSON.stringify({ ...about, targetScale: { mean: [5], std: [0] } }) }, tensors: file.tensors });
  assert.throws(() => decodeModel(broken, "broken.safetensors", backend), /target scale must give a regression's 1 target means and 1 positive standard deviations/);
});

test("numbers with few distinct values stay classes; many, or mostly distinct fractions, are a regression", () => {
  assert.equal(taskOf(["1", "2", "3", "1", "2"]), "classify");
  assert.equal(taskOf(Array.from({ length: 100 }, (_, i) => String(i % 20))), "classify");
  assert.equal(taskOf(Array.from({ length: 100 }, (_, i) => String(i % 21))), "regress");
  assert.equal(taskOf(["0.5", "1.25", "3.75", "2.5", "0.5"]), "regress");
  assert.equal(taskOf(Array.from({ length: 100 }, (_, i) => ["0.5", "1.5", "2.5"][i % 3])), "classify");
  assert.equal(taskOf(["cat", "1", "2"]), "classify");
});

/** An error (exit code 2 for settings, 1 for data) whose last line on stderr matches, with no stack trace. */
function refused(r: Run, pattern: RegExp, code = 2): void {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr.trim().split("\n").at(-1) ?? "", pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test("regression's bad inputs: a class output, a class loss, a folder, a constant target, a word among the numbers", () => {
  const lines = ["x,y", ...Array.from({ length: 40 }, (_, i) => `${i},${(i * 1.37).toFixed(2)}`)];
  writeFileSync(join(dir, "line.csv"), `${lines.join("\n")}\n`);
  // The data is read first (and said to be a regression), then the settings that do not fit it are refused.
  refused(
    glassbox("train", "line.csv", "--output", "softmax", "--out", "m.safetensors"),
    /output: "softmax" answers with classes, but line.csv holds numbers to predict \(a regression\); use "linear"$/,
  );
  const classes = glassbox("train", "line.csv", "--task", "classify", "--epochs", "1", "--out", "classes.safetensors");
  assert.equal(classes.code, 0, classes.stderr);
  refused(
    glassbox("train", "line.csv", "--task", "classify", "--loss", "huber", "--epochs", "1", "--out", "m.safetensors"),
    /loss: "huber" is a regression's loss; this model is a classifier/,
  );
  refused(glassbox("train", "line.csv", "--task", "sort", "--out", "m.safetensors"), /--task: expected one of classify, regress/);
  refused(glassbox("train", dir, "--task", "regress", "--out", "m.safetensors"), /a folder's labels are classes; a regression reads its numbers from a CSV's label column/);
  writeFileSync(join(dir, "flat.csv"), `x,y\n${Array.from({ length: 30 }, (_, i) => `${i},2.5`).join("\n")}\n`);
  refused(glassbox("train", "flat.csv", "--task", "regress", "--out", "m.safetensors"), /the target "y" is 2.5 in every row; a regression needs values that vary$/, 1);
  writeFileSync(join(dir, "word.csv"), `x,y\n${Array.from({ length: 30 }, (_, i) => `${i},${i === 4 ? "lots" : i * 1.5}`).join("\n")}\n`);
  expectOneLineError(
    glassbox("train", "word.csv", "--task", "regress", "--out", "m.safetensors"),
    /row 5 \(line 6\) of word.csv, column "y": expected a number to predict \(this is a regression\), got "lots"/,
  );
  const huber = glassbox("train", "line.csv", "--loss", "huber", "--epochs", "5", "--out", "huber.safetensors", "--json");
  assert.equal(huber.code, 0, huber.stderr);
  assert.equal(loadModel(join(dir, "huber.safetensors")).spec.output, "linear");
});

test("the Huber kernel: squared up to delta, straight beyond, gradient clipped to delta (reference backend, by hand)", () => {
  const backend = createReferenceBackend({ dtype: "float64" });
  const p = backend.matrix(3, 1);
  const t = backend.matrix(3, 1);
  const d = backend.matrix(3, 1);
  const out = backend.tensor([1]);
  backend.write(p, [0.3, -2, 4]);
  backend.write(t, [0, 0, 2.5]);
  backend.huberLoss(p, t, 1, d, out, 0);
  // residuals 0.3, -2, 1.5: 0.045, 1 * (2 - 0.5), 1 * (1.5 - 0.5)
  assert.ok(Math.abs(backend.read(out)[0] - (0.045 + 1.5 + 1) / 3) < 1e-12);
  assert.deepEqual(
    Array.from(backend.read(d), (v) => Number(v.toFixed(12))),
    [0.1, Number((-1 / 3).toFixed(12)), Number((1 / 3).toFixed(12))],
  );
});
