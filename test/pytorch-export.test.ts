// glassbox export --pytorch: model.py and weights.safetensors load in Debian's torch and give
// Glassbox's outputs within 1e-5. Runs where /usr/bin/python3 has torch (CI installs
// python3-torch); elsewhere it skips and says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { datasetFromArrays } from "../src/data/arrays.js";
import { exportPytorch } from "../src/io/pytorch.js";
import type { Network } from "../src/model/network.js";
import { trainModel } from "../src/train/pipeline.js";
import { lastJson, ROOT, scratch } from "./helpers/glassbox.js";
import { everyLayer } from "./helpers/networks.js";
import { random } from "./helpers/random.js";

const PYTHON = "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0;
const skip = hasTorch ? false : `${PYTHON} has no torch (apt-get install python3-torch); the ONNX tests cover the layer mapping`;
const { dir, glassbox } = scratch("glassbox-pytorch-");

/** model.load(folder).predict and forward on the rows, in torch. */
function inTorch(folder: string, features: number[][]): { predict: number[][]; logits: number[][] } {
  writeFileSync(join(folder, "features.json"), JSON.stringify(features));
  const script = [
    "import json, sys, torch",
    "sys.path.insert(0, sys.argv[1])",
    "import model",
    "net = model.load(sys.argv[1])",
    "x = torch.tensor(json.load(open(sys.argv[1] + '/features.json')), dtype=torch.float32)",
    "with torch.no_grad(): logits = net(x)",
    "print(json.dumps({'predict': net.predict(x).tolist(), 'logits': logits.tolist()}))",
  ].join("\n");
  const run = spawnSync(PYTHON, ["-c", script, folder], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function worst(a: number[][], b: ArrayLike<number>): number {
  return a.flat().reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

function exported(network: Network, name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const { modelPy, weights } = exportPytorch(network, "test");
  writeFileSync(join(folder, "model.py"), modelPy);
  writeFileSync(join(folder, "weights.safetensors"), weights);
  return folder;
}

test("every layer type (GELU, batch norm 1d and 2d, asymmetric padding, pools, standardisation): torch gives Glassbox's outputs within 1e-5", { skip }, async () => {
  for (const output of ["softmax", "sigmoid"] as const) {
    const network = await everyLayer(output);
    const next = random(13);
    const rows = Array.from({ length: 4 }, () => Array.from({ length: 240 }, () => 3 * next() - 1));
    const flat = Float32Array.from(rows.flat());
    const torch = inTorch(exported(network, `every-${output}`), rows);
    assert.ok(worst(torch.predict, network.predict(flat, 4)) < 1e-5, `${output}: predict`);
    assert.ok(worst(torch.logits, network.logitsOf(flat, 4)) < 1e-5, `${output}: logits`);
  }
});

test("a regression's predict is in the label's units", { skip }, async () => {
  const next = random(2);
  const x = Array.from({ length: 50 }, () => [next(), next(), next()]);
  const { network } = await trainModel(
    {
      data: datasetFromArrays(
        x,
        x.map(([a, b, c]) => 1000 + 400 * a - 200 * b * c),
        { task: "regress" },
      ),
      featurizer: null,
    },
    { epochs: 4, hidden: [8], backend: createReferenceBackend() },
  );
  const torch = inTorch(exported(network, "regression"), x.slice(0, 5));
  const ours = network.predict(Float32Array.from(x.slice(0, 5).flat()), 5);
  assert.ok(ours[0] > 500, `answers in the label's units: ${ours[0]}`);
  assert.ok(worst(torch.predict, ours) < 1e-3, "within float32 rounding of values near 1000");
});

test("glassbox export --pytorch on a CNN trained from the CLI: torch's probabilities are glassbox predict's", { skip }, () => {
  const trained = glassbox("train", join(ROOT, "data/fashion-mnist-small"), "--layers", "conv:4,relu,maxpool:2,dense:16,relu", "--epochs", "1", "--out", "cnn.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  const r = glassbox("export", "cnn.safetensors", "--pytorch", "cnn-torch");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote cnn-torch\/model\.py and cnn-torch\/weights\.safetensors/);
  const featurized = lastJson(glassbox("featurize", "cnn.safetensors", join(ROOT, "data/fashion-mnist-small"), "--limit", "6", "--json").stdout) as { features: number[][] };
  const predicted = lastJson(glassbox("predict", "cnn.safetensors", join(ROOT, "data/fashion-mnist-small"), "--limit", "6", "--top", "10", "--json").stdout) as {
    predictions: { top: { label: string; probability: number }[] }[];
  };
  const labels = (lastJson(glassbox("featurize", "cnn.safetensors", join(ROOT, "data/fashion-mnist-small"), "--limit", "1", "--json").stdout) as { labels: string[] }).labels;
  const torch = inTorch(join(dir, "cnn-torch"), featurized.features);
  let largest = 0;
  predicted.predictions.forEach((p, i) => {
    for (const { label, probability } of p.top) largest = Math.max(largest, Math.abs(torch.predict[i][labels.indexOf(label)] - probability));
  });
  assert.ok(largest < 1e-5, `largest difference ${largest}`);
});
