// ONNX import of models PyTorch made (test/fixtures/torch-onnx, written by
// scripts/torch-onnx-fixtures.py with Debian's torch 1.13): they predict PyTorch's softmax within
// 1e-5 and explain like any model; a graph with an LSTM is refused by name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { loadModel } from "../src/io/disk.js";
import { createServer } from "../src/server/index.js";
import { join } from "node:path";
import { lastJson, ROOT, scratch } from "./helpers/glassbox.js";

const FIXTURES = join(ROOT, "test/fixtures/torch-onnx");
const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as { cnn_softmax: number[][]; view_softmax: number[][]; mlp_softmax: number[][] };
const { dir, glassbox } = scratch("glassbox-onnx-import-");
const DIGITS = Array.from({ length: 10 }, (_, k) => String(k));

interface Predicted {
  predictions: { top: { label: string; probability: number }[] }[];
}

/** The largest difference between predict's probabilities and PyTorch's, row by row. */
function worstAgainst(predicted: Predicted, torch: number[][], labels: string[]): number {
  let worst = 0;
  predicted.predictions.forEach((p, i) => {
    for (const { label, probability } of p.top) worst = Math.max(worst, Math.abs(probability - torch[i][labels.indexOf(label)]));
  });
  return worst;
}

test("a CNN made and exported by PyTorch: import, then predict on PNGs gives PyTorch's softmax within 1e-5 (the issue asks 1e-4), and Grad-CAM explains it", () => {
  const imported = glassbox(
    "import",
    join(FIXTURES, "cnn.onnx"),
    "--featurizer",
    "image",
    "--size",
    "8x8",
    "--channels",
    "gray",
    "--labels",
    DIGITS.join(","),
    "--out",
    "cnn.safetensors",
  );
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(
    imported.stdout,
    /64 inputs \(8x8x1\) -> conv 4 3x3 -> relu -> max pool 2x2 -> conv 8 3x3 -> relu -> average pool 2x2 -> flatten -> 16 relu -> 10 linear -> softmax/,
  );
  const pngs = [0, 1, 2, 3].map((i) => join(FIXTURES, `digit${i}.png`));
  const predicted = lastJson(glassbox("predict", "cnn.safetensors", ...pngs, "--top", "10", "--json").stdout) as unknown as Predicted;
  const worst = worstAgainst(predicted, expected.cnn_softmax, DIGITS);
  assert.ok(worst < 1e-5, `largest difference from PyTorch's softmax: ${worst}`);
  const why = glassbox("explain", "cnn.safetensors", pngs[2], "--method", "gradcam", "--json");
  assert.equal(why.code, 0, why.stderr);
  const cam = lastJson(why.stdout) as { map?: number[][] | number[] };
  assert.ok(JSON.stringify(cam).length > 100, "Grad-CAM answers with a map");
  for (const method of ["ig", "conductance"]) assert.equal(glassbox("explain", "cnn.safetensors", pngs[1], "--method", method, "--json").code, 0, method);
  const wrongSize = glassbox("import", join(FIXTURES, "cnn.onnx"), "--size", "28x28", "--out", "x.safetensors");
  assert.equal(wrongSize.code, 2);
  assert.match(wrongSize.stderr, /--size 28x28: the graph reads 8x8 images/);
});

test("a CNN that flattens with x.view(x.size(0), -1) (Shape, Gather, Unsqueeze, Concat, Reshape) imports and gives PyTorch's softmax within 1e-5", () => {
  const imported = glassbox("import", join(FIXTURES, "cnn-view.onnx"), "--labels", DIGITS.join(","), "--out", "view.safetensors");
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /64 inputs \(8x8x1\) -> conv 3 3x3 -> relu -> max pool 2x2 -> flatten -> 10 linear -> softmax/);
  const pngs = [0, 1, 2, 3].map((i) => join(FIXTURES, `digit${i}.png`));
  const predicted = lastJson(glassbox("predict", "view.safetensors", ...pngs, "--top", "10", "--json").stdout) as unknown as Predicted;
  const worst = worstAgainst(predicted, expected.view_softmax, DIGITS);
  assert.ok(worst < 1e-5, `largest difference from PyTorch's softmax: ${worst}`);
});

test("an MLP made by PyTorch (LeakyReLU, GELU written out, Tanh) reads a CSV by its feature names and gives PyTorch's softmax within 1e-5", () => {
  const imported = glassbox("import", join(FIXTURES, "mlp.onnx"), "--labels", "a,b,c", "--feature-names", "f1,f2,f3,f4,f5,f6", "--out", "mlp.safetensors");
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /6 inputs -> 12 leaky_relu -> 10 gelu -> 8 tanh -> 3 linear -> softmax/);
  const predicted = lastJson(glassbox("predict", "mlp.safetensors", join(FIXTURES, "rows.csv"), "--top", "3", "--json").stdout) as unknown as Predicted;
  assert.equal(predicted.predictions.length, 5);
  const worst = worstAgainst(predicted, expected.mlp_softmax, ["a", "b", "c"]);
  assert.ok(worst < 1e-5, `largest difference from PyTorch's softmax: ${worst}`);
  assert.equal(glassbox("explain", "mlp.safetensors", join(FIXTURES, "rows.csv"), "--row", "2", "--json").code, 0);
});

test("the imported PyTorch CNN is an ordinary model: evaluate on a folder per label, and serve's predict and Grad-CAM", async () => {
  assert.equal(glassbox("import", join(FIXTURES, "cnn.onnx"), "--labels", DIGITS.join(","), "--out", "served.safetensors").code, 0);
  // A folder per label, each PNG under the label PyTorch gives it: evaluate must find them all right.
  for (let i = 0; i < 4; i++) {
    const best = expected.cnn_softmax[i].indexOf(Math.max(...expected.cnn_softmax[i]));
    mkdirSync(join(dir, "digits", String(best)), { recursive: true });
    copyFileSync(join(FIXTURES, `digit${i}.png`), join(dir, "digits", String(best), `digit${i}.png`));
  }
  const evaluated = glassbox("evaluate", "served.safetensors", "digits", "--json");
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal(lastJson(evaluated.stdout).accuracy, 1);
  const server = createServer(loadModel(join(dir, "served.safetensors")), { webRoot: null, workers: 0 });
  const url = await server.listen(0, "127.0.0.1");
  try {
    const png = readFileSync(join(FIXTURES, "digit1.png"));
    const predicted = await fetch(`${url}/api/predict?top=10`, { method: "POST", body: png, headers: { "Content-Type": "image/png" } });
    assert.equal(predicted.status, 200, await predicted.clone().text());
    const top = (await predicted.json()).predictions[0].top as { label: string; probability: number }[];
    for (const { label, probability } of top) assert.ok(Math.abs(probability - expected.cnn_softmax[1][Number(label)]) < 1e-5);
    const cam = await fetch(`${url}/api/explain?method=gradcam`, { method: "POST", body: png, headers: { "Content-Type": "image/png" } });
    assert.equal(cam.status, 200, await cam.clone().text());
    assert.equal((await cam.json()).map.length, 16, "the last convolution's 4x4 grid");
  } finally {
    await server.close();
  }
});

test("a graph with an LSTM gets one line naming the op and its node", () => {
  const r = glassbox("import", join(FIXTURES, "lstm.onnx"), "--out", "lstm.safetensors");
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^glassbox import: error: .*lstm\.onnx: unsupported op "LSTM" \(node "\/lstm\/LSTM"\); Glassbox reads Conv, Gemm/);
  const garbage = glassbox("import", join(FIXTURES, "rows.csv"), "--out", "x.safetensors");
  assert.equal(garbage.code, 1);
  assert.match(garbage.stderr, /rows\.csv: not an ONNX model|rows\.csv: the ONNX model has no graph|rows\.csv: expected one input/);
});

test("export, featurize and import refuse bad command lines with one line saying what is expected", () => {
  const cases: [string[], RegExp][] = [
    [["export", "m.safetensors"], /say what to write: --onnx model\.onnx or --pytorch DIR/],
    [["export", "a.safetensors", "b.safetensors", "--onnx", "x.onnx"], /expected one model file, got 2 arguments/],
    [["import", join(FIXTURES, "cnn.onnx")], /--out is required: where to write the Glassbox model/],
    [["featurize", "m.safetensors"], /expected a model file and at least one input, got 1 argument$/],
    [["import", join(FIXTURES, "cnn.onnx"), "--channels", "rgb", "--out", "x.safetensors"], /--channels rgb: the graph reads gray images/],
  ];
  for (const [args, pattern] of cases) {
    const r = glassbox(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr.split("\n")[0], pattern);
  }
  const toFile = glassbox("export", "nothing.safetensors", "--pytorch", join(FIXTURES, "rows.csv"));
  assert.equal(toFile.code, 1);
  assert.match(toFile.stderr, /--pytorch .*rows\.csv is a file; expected a folder/);
});
