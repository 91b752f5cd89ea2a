// glassbox explain and glassbox inspect as a user runs them, on an image model and a table model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lastJson, scratch, SMALL } from "./helpers/glassbox.js";

const { dir, glassbox } = scratch("glassbox-explain-");
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

test("explain: an image model's answer as signed pixel contributions that add up, with a heatmap", () => {
  assert.equal(glassbox("train", SMALL, "--hidden", "32", "--epochs", "2", "--out", "img.safetensors").code, 0);
  const r = glassbox("explain", "img.safetensors", SMALL, "--row", "3", "--out", "why.png", "--json");
  assert.equal(r.code, 0, r.stderr);
  const json = lastJson(r.stdout) as {
    method: string;
    label: string;
    output: number;
    baseline_output: number;
    delta: number;
    steps: number;
    attributions: { feature: string; value: number }[];
    prediction: { label: string };
  };
  assert.equal(json.method, "ig");
  assert.equal(json.steps, 64);
  assert.equal(json.label, json.prediction.label, "explains the predicted label by default");
  assert.equal(json.attributions.length, 784);
  assert.match(json.attributions[0].feature, /^pixel \(row \d+, column \d+\)$/);
  for (let i = 1; i < json.attributions.length; i++) assert.ok(Math.abs(json.attributions[i - 1].value) >= Math.abs(json.attributions[i].value));
  const sum = json.attributions.reduce((s, a) => s + a.value, 0);
  assert.ok(Math.abs(sum - (json.output - json.baseline_output)) <= json.delta + 1e-6);
  assert.deepEqual([...readFileSync(join(dir, "why.png")).subarray(0, 4)], PNG_SIGNATURE);
  const exact = lastJson(glassbox("explain", "img.safetensors", SMALL, "--row", "3", "--exact", "--json").stdout) as typeof json;
  assert.ok(exact.steps > 1 && exact.delta < 1e-5, `exact: ${exact.steps} pieces, delta ${exact.delta}`);
  const words = glassbox("explain", "img.safetensors", SMALL, "--method", "saliency", "--label", "Sneaker", "--top", "3");
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stdout, /why "Sneaker" \(saliency \(gradient size\)\)/);
  assert.equal(words.stdout.match(/^ {2}[+-]\d\.\d{4} {2}pixel/gm)?.length, 3);
});

test("inspect: the architecture, neuron pictures and the inputs that excite neurons most", () => {
  assert.ok(existsSync(join(dir, "img.safetensors")), "needs the model of the first test");
  const json = lastJson(glassbox("inspect", "img.safetensors", "--out", "neurons.png", "--neurons", "1,2", "--data", SMALL, "--json").stdout) as {
    layers: { type: string; inputShape: number[]; outputShape: number[]; parameters: number }[];
    parameters: number;
    featurizer: string;
    top_inputs: { neuron: number; rows: { activation: number }[] }[];
  };
  assert.deepEqual(
    json.layers.map((l) => [l.type, l.inputShape, l.outputShape, l.parameters]),
    [
      ["dense", [28, 28, 1], [32], 784 * 32 + 32],
      ["dense", [32], [10], 330],
    ],
  );
  assert.equal(json.parameters, 784 * 32 + 32 + 330);
  assert.equal(json.featurizer, "image 28x28 gray");
  assert.equal(json.top_inputs.length, 2);
  // In words the neurons are counted from 1, as --neurons took them.
  const human = glassbox("inspect", "img.safetensors", "--neurons", "1,2", "--data", SMALL).stdout;
  assert.match(human, /^ {2}neuron 1: .*\n {2}neuron 2: /m);
  const rows = json.top_inputs[0].rows;
  assert.equal(rows.length, 5);
  assert.ok(rows[0].activation >= rows[4].activation);
  assert.deepEqual([...readFileSync(join(dir, "neurons.png")).subarray(0, 4)], PNG_SIGNATURE);
  assert.match(glassbox("inspect", "img.safetensors").stdout, /784 inputs \(28x28x1\) -> 32 relu -> 10 linear -> softmax/);
});

test("explain: a table model's Shapley values per column add up to the answer minus the average", () => {
  const lines = ["income,city,approved"];
  for (let i = 0; i < 90; i++) lines.push(`${20 + (i % 9) * 10},${["Oslo", "Rome", "None"][i % 3]},${(i % 9) >= 4 ? "yes" : "no"}`);
  writeFileSync(join(dir, "loans.csv"), `${lines.join("\n")}\n`);
  assert.equal(glassbox("train", "loans.csv", "--hidden", "8", "--epochs", "40", "--out", "loans.safetensors").code, 0);
  writeFileSync(join(dir, "one.csv"), "income,city\n95,Rome\n");
  const json = lastJson(glassbox("explain", "loans.safetensors", "one.csv", "--method", "shap", "--json").stdout) as {
    output: number;
    baseline_output: number;
    delta: number;
    attributions: { feature: string; value: number }[];
  };
  assert.deepEqual(json.attributions.map((a) => a.feature).sort(), ["city = Rome", "income = 95"]);
  const sum = json.attributions.reduce((s, a) => s + a.value, 0);
  assert.ok(Math.abs(sum - (json.output - json.baseline_output)) < 1e-4, `exact Shapley values add up: ${sum} vs ${json.output - json.baseline_output}`);
  assert.equal(json.attributions[0].feature, "income = 95", "income decides the loan");
  // In plain words by default for a table: points of probability, the baseline named, a completeness line.
  const words = glassbox("explain", "loans.safetensors", "one.csv").stdout;
  assert.match(words, /^The model says "(yes|no)" \(\d+%\)\.\nCompared with a typical row, the average of the \d+ training rows the model keeps \(\d+% "(yes|no)"\), /);
  assert.match(words, /^ {2}(income|city) = \w+: [+-]\d+\.\d points$/m);
  const [, together, between] = /^All 2 together: ([+-]\d+\.\d) points, of the ([+-]\d+\.\d) points between the two\.$/m.exec(words) ?? [];
  const numbers = lastJson(glassbox("explain", "loans.safetensors", "one.csv", "--json").stdout) as { output: number; baseline_output: number };
  assert.ok(Math.abs(Number(between) - 100 * (numbers.output - numbers.baseline_output)) <= 0.051, `${between} points against ${numbers.output} - ${numbers.baseline_output}`);
  assert.ok(Math.abs(Number(together) - Number(between)) <= 0.2, "integrated gradients add up");
  // One baseline for every method: Shapley values compare with the same typical row, from the same answer.
  assert.match(
    glassbox("explain", "loans.safetensors", "one.csv", "--method", "shap").stdout,
    /Compared with a typical row, the average of the \d+ training rows the model keeps \(\d+% /,
  );
  for (const method of ["shap", "occlusion"]) {
    const other = lastJson(glassbox("explain", "loans.safetensors", "one.csv", "--method", method, "--json").stdout) as { baseline_output: number };
    assert.ok(
      Math.abs(other.baseline_output - numbers.baseline_output) < 1e-6,
      `${method} explains from ${other.baseline_output}, integrated gradients from ${numbers.baseline_output}`,
    );
  }
  assert.doesNotMatch(glassbox("explain", "loans.safetensors", "one.csv", "--method", "occlusion").stdout, /together/, "occlusion does not add up: no completeness line");
  assert.match(glassbox("explain", "loans.safetensors", "one.csv", "--details").stdout, /off from output - baseline by .* \(delta\)/);
  const picture = glassbox("explain", "loans.safetensors", "one.csv", "--out", "x.png");
  assert.equal(picture.code, 2, "a bad option");
  assert.match(picture.stderr, /--out: a picture needs an image or sound model; this one reads table/);
  assert.equal(existsSync(join(dir, "x.png")), false);
  assert.equal(glassbox("explain", "loans.safetensors", "one.csv", "--method", "magic").code, 2);
});
