// ONNX export checked by a real peer: ONNX Runtime (onnxruntime-web on its wasm backend, in Node,
// one thread) runs the exported graph on the features `glassbox featurize` prints and gives the
// probabilities `glassbox predict` prints, for an MLP and a CNN trained on a PNG folder, and for a
// network with every layer type Glassbox has.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-web";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { datasetFromArrays } from "../src/data/arrays.js";
import { encodePng } from "../src/featurizers/image/index.js";
import { exportOnnx } from "../src/io/onnx.js";
import { importOnnx } from "../src/io/onnxImport.js";
import { everyLayer } from "./helpers/networks.js";
import { trainModel } from "../src/train/pipeline.js";
import { lastJson, scratch } from "./helpers/glassbox.js";
import { random } from "./helpers/random.js";

ort.env.wasm.numThreads = 1;
const { dir, glassbox } = scratch("glassbox-onnx-");

async function runOnnx(bytes: Uint8Array, features: Float32Array, rows: number, columns: number): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ features: new ort.Tensor("float32", features, [rows, columns]) });
  return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array]));
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Three labels of 10x12 gray pictures: bars across, bars down, and a bright centre, with noise. */
function writeFolder(root: string): void {
  const next = random(3);
  const kinds: Record<string, (y: number, x: number) => number> = {
    across: (y) => (y % 4 < 2 ? 1 : 0),
    down: (_y, x) => (x % 4 < 2 ? 1 : 0),
    centre: (y, x) => (Math.abs(y - 5) + Math.abs(x - 6) < 4 ? 1 : 0),
  };
  for (const [label, draw] of Object.entries(kinds)) {
    mkdirSync(join(root, label), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const rgba = new Uint8Array(10 * 12 * 4);
      for (let y = 0; y < 10; y++)
        for (let x = 0; x < 12; x++)
          rgba.fill(Math.round(255 * Math.min(1, 0.7 * draw(y, x) + 0.3 * next())), 4 * (y * 12 + x), 4 * (y * 12 + x) + 3).fill(255, 4 * (y * 12 + x) + 3, 4 * (y * 12 + x) + 4);
      writeFileSync(join(root, label, `${i}.png`), encodePng(12, 10, rgba));
    }
  }
}

for (const [kind, layers] of [
  ["an MLP", ["--hidden", "16"]],
  ["a CNN", ["--layers", "conv:4,relu,maxpool:2,conv:6,relu,dense:8,relu"]],
] as const) {
  test(`${kind} from a PNG folder: ONNX Runtime on \`glassbox featurize\` gives \`glassbox predict\`'s probabilities within 1e-5`, async () => {
    writeFolder(join(dir, "pictures"));
    const name = kind === "an MLP" ? "mlp" : "cnn";
    const trained = glassbox("train", "pictures", ...layers, "--epochs", "5", "--lr", "0.01", "--out", `${name}.safetensors`);
    assert.equal(trained.code, 0, trained.stderr);
    const exported = glassbox("export", `${name}.safetensors`, "--onnx", `${name}.onnx`);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`wrote ${name}.onnx \\(ONNX opset 13, \\d+ bytes\\): input "features" \\[batch, 120\\]`));
    const featurized = lastJson(glassbox("featurize", `${name}.safetensors`, "pictures", "--json").stdout) as {
      labels: string[];
      feature_names: string[];
      features: number[][];
      files: string[];
    };
    assert.equal(featurized.feature_names.length, 120);
    const rows = featurized.features.length;
    assert.equal(rows, 36);
    const predicted = (
      lastJson(glassbox("predict", `${name}.safetensors`, "pictures", "--top", "3", "--json").stdout) as {
        predictions: { file: string; top: { label: string; probability: number }[] }[];
      }
    ).predictions;
    const out = await runOnnx(readFileSync(join(dir, `${name}.onnx`)), Float32Array.from(featurized.features.flat()), rows, 120);
    let worst = 0;
    predicted.forEach((p, i) => {
      assert.equal(p.file, featurized.files[i]);
      for (const { label, probability } of p.top) worst = Math.max(worst, Math.abs(out.probabilities[i * 3 + featurized.labels.indexOf(label)] - probability));
    });
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    assert.equal(out.logits.length, rows * 3);
  });
}

for (const output of ["softmax", "sigmoid"] as const) {
  test(`every layer type (${output} output): ONNX Runtime gives Glassbox's probabilities and logits within 1e-5`, async () => {
    const network = await everyLayer(output);
    const next = random(21);
    const rows = 5;
    const features = Float32Array.from({ length: rows * 240 }, () => 3 * next() - 1);
    const out = await runOnnx(exportOnnx(network, "test"), features, rows, 240);
    assert.ok(maxDifference(out.probabilities, network.predict(features, rows)) < 1e-5);
    assert.ok(maxDifference(out.logits, network.logitsOf(features, rows)) < 1e-5);
  });
}

test("a regression's ONNX graph answers `values` in the label's units; the labels, featurizer and version are in metadata_props", async () => {
  const next = random(4);
  const x = Array.from({ length: 60 }, () => [next(), next(), next()]);
  const y = x.map(([a, b, c]) => 500 + 300 * a - 100 * b * c);
  const { network } = await trainModel(
    { data: datasetFromArrays(x, y, { task: "regress", labels: ["price"], featureNames: ["a", "b", "c"] }), featurizer: null },
    { epochs: 5, backend: createReferenceBackend(), hidden: [8] },
  );
  const bytes = exportOnnx(network, "9.9.9");
  const rows = Float32Array.from(x.slice(0, 4).flat());
  const out = await runOnnx(bytes, rows, 4, 3);
  assert.ok(maxDifference(out.values, network.predict(rows, 4)) < 1e-3, "values in the label's units (hundreds)");
  assert.ok(Math.abs(out.values[0]) > 50);
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
  assert.equal(metadata.glassbox_version, "9.9.9");
  assert.deepEqual(JSON.parse(metadata.labels), ["price"]);
  assert.deepEqual(JSON.parse(metadata.feature_names), ["a", "b", "c"]);
  assert.equal(metadata.output, "linear");
  assert.equal(Number(model.opsetImport[0].version), 13);
});

test("Glassbox's export imports back: every layer type, and a regression's scale, predict as before within 1e-5", async () => {
  for (const output of ["softmax", "sigmoid"] as const) {
    const network = await everyLayer(output, false);
    const back = importOnnx(exportOnnx(network, "test"), "every.onnx", { backend: createReferenceBackend() });
    assert.deepEqual(
      back.spec.layers.map((l) => l.type),
      network.spec.layers.map((l) => l.type).filter((t) => t !== "dropout"),
    );
    assert.deepEqual(back.labels, network.labels);
    const next = random(8);
    const features = Float32Array.from({ length: 3 * 240 }, () => 3 * next() - 1);
    assert.ok(maxDifference(back.predict(features, 3), network.predict(features, 3)) < 1e-5, output);
  }
  // A leaky ReLU of another slope is not Glassbox's: refused, not read as 0.01.
  const steep = onnxProto.onnx.ModelProto.decode(exportOnnx(await everyLayer("softmax", false), "test"));
  const leaky = steep.graph?.node?.find((n) => n.opType === "LeakyRelu");
  const alpha = leaky?.attribute?.find((a) => a.name === "alpha");
  assert.ok(alpha);
  alpha.f = 0.2;
  assert.throws(() => importOnnx(onnxProto.onnx.ModelProto.encode(steep).finish(), "steep.onnx"), /leaky ReLU has slope 0\.01, this one 0\.2/);
  // GELU, written out in Div, Erf, Add and Mul, reads back as one activation.
  const gelu = await everyLayer("softmax", true);
  const geluBack = importOnnx(exportOnnx(gelu, "test"), "gelu.onnx", { backend: createReferenceBackend() });
  assert.ok(geluBack.spec.layers.some((l) => l.type === "activation" && l.activation === "gelu"));
  const rowsGelu = Float32Array.from({ length: 2 * 240 }, (_, i) => Math.sin(i));
  assert.ok(maxDifference(geluBack.predict(rowsGelu, 2), gelu.predict(rowsGelu, 2)) < 1e-5, "GELU round trip");
  const next = random(6);
  const x = Array.from({ length: 40 }, () => [next(), next()]);
  const { network } = await trainModel(
    {
      data: datasetFromArrays(
        x,
        x.map(([a, b]) => 100 * a - 30 * b),
        { task: "regress", labels: ["y"] },
      ),
      featurizer: null,
    },
    { epochs: 3, hidden: [4], backend: createReferenceBackend() },
  );
  const back = importOnnx(exportOnnx(network, "test"), "r.onnx");
  const rows = Float32Array.from(x.slice(0, 5).flat());
  assert.ok(maxDifference(back.predict(rows, 5), network.predict(rows, 5)) < 1e-3);
  assert.deepEqual(
    back.about.targetScale?.std.map((v) => Math.fround(v)),
    network.about.targetScale?.std.map((v) => Math.fround(v)),
  );
});
