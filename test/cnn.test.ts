// Convolutional networks end to end: --layers in words, a small CNN trained on PNG files through
// the CLI, and every command that reads a model (predict, evaluate, inspect, explain) on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeImage, encodePng } from "../src/featurizers/image/index.js";
import { parseLayers } from "../src/layers/parse.js";
import { defaultImageLayers } from "../src/train/pipeline.js";
import { errorCode } from "./helpers/errors.js";
import { lastJson, scratch } from "./helpers/glassbox.js";

test("--layers in words: items become specs, an activation after dense joins it, a flatten comes before the first dense", () => {
  const specs = parseLayers("conv:32,relu,maxpool:2,conv:64:5:2,bn,gelu,avgpool:2,dense:128,relu,dropout:0.25", [28, 28, 1]);
  assert.deepEqual(specs, [
    { type: "conv2d", filters: 32, size: 3, stride: 1, padding: "same" },
    { type: "activation", activation: "relu" },
    { type: "maxpool", size: 2 },
    { type: "conv2d", filters: 64, size: 5, stride: 2, padding: "same" },
    { type: "batchnorm" },
    { type: "activation", activation: "gelu" },
    { type: "avgpool", size: 2 },
    { type: "flatten" },
    { type: "dense", units: 128, activation: "relu" },
    { type: "dropout", rate: 0.25 },
  ]);
  assert.deepEqual(parseLayers("gap", [8, 8, 3]), [{ type: "globalavgpool" }]);
});

test("layers errors name the item, the one before it and the shapes", () => {
  assert.match(
    errorCode(() => parseLayers("conv:32,maxpool:2,maxpool:2,maxpool:2", [4, 4, 1])),
    /BAD_ARGUMENT: layers: maxpool:2 after maxpool:2 gets a 1x1x32 input; a 2x2 window with padding valid needs at least 2x2/,
  );
  assert.match(
    errorCode(() => parseLayers("conv:32,pool:2", [8, 8, 1])),
    /unknown layer "pool:2"; expected conv:K\[:F\[:S\]\], bn, /,
  );
  assert.match(
    errorCode(() => parseLayers("conv:0", [8, 8, 1])),
    /conv:0: the number of filters must be a whole number >= 1, got "0"/,
  );
  assert.match(
    errorCode(() => parseLayers("dropout:1.5", [8, 8, 1])),
    /dropout:1.5: the dropout rate must be in \[0, 1\)/,
  );
  assert.match(
    errorCode(() => parseLayers("conv:8", [64])),
    /conv:8 gets a \[64\] input: expects an image input \[height, width, channels\], got \[64\]/,
  );
  assert.match(
    errorCode(() => parseLayers("relu:3", [8, 8, 1])),
    /relu:3: relu takes at most 0 numbers, got 1/,
  );
});

test("the default network for images is convolutional where the image is large enough", () => {
  assert.deepEqual(
    defaultImageLayers([28, 28, 1])?.map((l) => l.type),
    ["conv2d", "activation", "maxpool", "conv2d", "activation", "maxpool", "flatten", "dense"],
  );
  assert.deepEqual(defaultImageLayers([32, 32, 3])?.filter((l) => l.type === "conv2d").length, 3, "three conv-bn-relu-pool blocks for colour");
  assert.equal(defaultImageLayers([6, 6, 1]), null, "too small to pool: the dense default");
  assert.equal(defaultImageLayers([784]), null);
});

/** 8x8 gray images: a bright horizontal bar ("rows") or vertical bar ("columns") at a random place. */
function writeBars(dir: string): void {
  let s = 7;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  for (const [split, count] of [
    ["train", 40],
    ["test", 12],
  ] as const) {
    for (const label of ["rows", "columns"]) {
      mkdirSync(join(dir, split, label), { recursive: true });
      for (let i = 0; i < count; i++) {
        const at = 1 + Math.floor(random() * 6);
        const rgba = new Uint8Array(64 * 4);
        for (let p = 0; p < 64; p++) {
          const [y, x] = [Math.floor(p / 8), p % 8];
          const v = (label === "rows" ? y === at : x === at) ? 230 : Math.floor(random() * 40);
          rgba.set([v, v, v, 255], p * 4);
        }
        writeFileSync(join(dir, split, label, `${i}.png`), encodePng(8, 8, rgba));
      }
    }
  }
}

test("a CNN trains from PNG files with --layers, and predict, evaluate, inspect and explain read it", () => {
  const { dir, glassbox } = scratch("glassbox-cnn-");
  writeBars(join(dir, "bars"));
  const trained = glassbox("train", "bars", "--layers", "conv:4,relu,maxpool:2,conv:8,bn,relu,gap", "--epochs", "12", "--lr", "0.01", "--out", "cnn.safetensors", "--json");
  assert.equal(trained.code, 0, trained.stderr);
  const evaluated = lastJson(glassbox("evaluate", "cnn.safetensors", "bars", "--json").stdout);
  assert.equal(evaluated.count, 24);
  // Bars are easy for a convolution: two classes, 24 test images; chance is 0.5.
  assert.ok((evaluated.accuracy as number) >= 0.9, `accuracy ${evaluated.accuracy}`);
  const predicted = lastJson(glassbox("predict", "cnn.safetensors", join("bars", "test", "rows", "0.png"), "--json").stdout);
  assert.equal((predicted.predictions as { label: string }[]).length, 1);
  const inspected = lastJson(glassbox("inspect", "cnn.safetensors", "--json").stdout);
  const layers = inspected.layers as { type: string; inputShape: number[]; outputShape: number[]; parameters: number }[];
  assert.deepEqual(
    layers.map((l) => [l.type, l.outputShape]),
    [
      ["conv2d", [8, 8, 4]],
      ["activation", [8, 8, 4]],
      ["maxpool", [4, 4, 4]],
      ["conv2d", [4, 4, 8]],
      ["batchnorm", [4, 4, 8]],
      ["activation", [4, 4, 8]],
      ["globalavgpool", [8]],
      ["dense", [1]],
    ],
  );
  assert.equal(layers[0].parameters, 3 * 3 * 1 * 4 + 4);
  assert.equal(inspected.parameters, 40 + (9 * 4 * 8 + 8) + 16 + (8 + 1));
  for (const method of ["ig", "saliency", "smoothgrad", "occlusion"]) {
    const why = glassbox("explain", "cnn.safetensors", join("bars", "test", "columns", "3.png"), "--method", method, "--json");
    assert.equal(why.code, 0, `${method}: ${why.stderr}`);
    const json = lastJson(why.stdout);
    if (method === "occlusion") assert.equal(json.steps, 4, "4x4 windows over an 8x8 image");
    if (method === "ig") assert.ok((json.delta as number) < 0.05, `ig completeness ${json.delta}`);
  }
  // Grad-CAM on the last conv block (4x4 grid): the evidence for "columns" lies in the bar's column.
  const bar = readFileSync(join(dir, "bars", "test", "columns", "3.png"));
  const at = Array.from({ length: 8 }, (_, x) => decodeImage(bar, "3.png").data[x * 4]).indexOf(
    Math.max(...Array.from({ length: 8 }, (_, x) => decodeImage(bar, "3.png").data[x * 4])),
  );
  const cam = glassbox("explain", "cnn.safetensors", join("bars", "test", "columns", "3.png"), "--method", "gradcam", "--label", "columns", "--out", "cam.png", "--json");
  assert.equal(cam.code, 0, cam.stderr);
  const camJson = lastJson(cam.stdout) as { layer: number; height: number; width: number; map: number[] };
  assert.deepEqual([camJson.layer, camJson.height, camJson.width], [5, 4, 4]);
  const columnSums = [0, 1, 2, 3].map((x) => [0, 1, 2, 3].reduce((sum, y) => sum + camJson.map[y * 4 + x], 0));
  const cell = Math.floor(at / 2);
  const far = cell < 2 ? 3 : 0;
  const why = `the bar is in image column ${at} (grid column ${cell}); the map's columns ${columnSums.map((v) => v.toFixed(3))}`;
  assert.ok(Math.abs(columnSums.indexOf(Math.max(...columnSums)) - cell) <= 1, `strongest beside the bar: ${why}`);
  assert.ok(columnSums[cell] > 2 * columnSums[far], `the bar's column over the far one: ${why}`);
  assert.equal(decodeImage(readFileSync(join(dir, "cam.png")), "cam.png").width, 256, "the picture is 256 px wide");
  const conducted = glassbox("explain", "cnn.safetensors", join("bars", "test", "columns", "3.png"), "--method", "conductance", "--layer", "5");
  assert.equal(conducted.code, 0, conducted.stderr);
  assert.match(conducted.stdout, /which channels of layer 5 \(relu after batch norm, 4x4x8\) carried "columns" \(conductance, \d+ points on the path\)/);
  assert.match(conducted.stdout, /off from output - baseline by \d\.\d\de-\d/);
  assert.equal((conducted.stdout.match(/^ {2}[+-]\d\.\d{4} {2}channel \d$/gm) ?? []).length, 8);
  // Trust checks on the test images: integrated gradients find what matters (deletion under a random
  // order's, insertion over it) and depend on the weights; every method is judged. (Two labels:
  // with the bar gone the answer falls to about 50%, not 0, so no ordering gets far below 1x.)
  const checked = glassbox("explain", "cnn.safetensors", join("bars", "test"), "--check", "--samples", "24", "--json");
  assert.equal(checked.code, 0, checked.stderr);
  const checks = (lastJson(checked.stdout) as { check: { method: string; rows: number; deletion_ratio: number; insertion_ratio: number; randomisation_correlation: number }[] })
    .check;
  assert.deepEqual(
    checks.map((c) => [c.method, c.rows]),
    [
      ["ig", 24],
      ["saliency", 24],
      ["gradcam", 24],
    ],
  );
  const ig = checks[0];
  assert.ok(ig.deletion_ratio < 0.95 && ig.insertion_ratio > 1.05, `ig deletion ${ig.deletion_ratio}, insertion ${ig.insertion_ratio}`);
  assert.ok(ig.randomisation_correlation < 0.5, `ig randomisation ${ig.randomisation_correlation}`);
  assert.match(glassbox("explain", "cnn.safetensors", join("bars", "test"), "--check", "--samples", "4", "--method", "saliency").stdout, /^ {2}saliency {3}\d\.\d\dx/m);
  const exact = glassbox("explain", "cnn.safetensors", join("bars", "test", "columns", "3.png"), "--exact", "--json");
  assert.equal(exact.code, 2, "a bad option value");
  assert.match(exact.stderr, /exact integrated gradients follow ReLU kinks only; layer 2 \(max pool 2x2\) bends elsewhere/);
});
