// node --import tsx bench/explain.ts [--runs 100]: integrated gradients (64 steps) for one
// 784-pixel image on a 784-256-128-10 ReLU MLP (trained one epoch on the embedded Fashion-MNIST
// subset) on the wasm backend. Checks the attributions against the reference backend with the
// same weights, warms up, then prints the median of the timed runs as one JSON object on stdout.
import { fileURLToPath } from "node:url";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { loadIdxDirectory } from "../src/data/files.js";
import { featureRows, selectRows } from "../src/data/dataset.js";
import { explain } from "../src/explain/index.js";
import { conductance, gradCam } from "../src/explain/layers.js";
import { parseLayers } from "../src/layers/parse.js";
import { Random } from "../src/tensor/random.js";
import { createMlp } from "../src/model/mlp.js";
import { fit } from "../src/train/fit.js";

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 100;
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs expects a whole number >= 1, got ${args[runsAt + 1]}`);
const steps = 64;
const log = (text: string): void => void process.stderr.write(`${text}\n`);

const wasm = await createWasmBackend();
if (!wasm) throw new Error("the wasm backend did not load");
const dir = fileURLToPath(new URL("../data/fashion-mnist-small", import.meta.url));
const trainSet = selectRows(
  await loadIdxDirectory(dir, "train"),
  Array.from({ length: 5000 }, (_, i) => i),
);
const testSet = await loadIdxDirectory(dir, "test");
const network = createMlp({ inputs: 784, hidden: [256, 128], labels: trainSet.labelNames, seed: 1, backend: wasm });
log(`bench explain: training 784-256-128-10 for one epoch on ${trainSet.rows} images (${wasm.threads} thread${wasm.threads === 1 ? "" : "s"})`);
await fit(network, trainSet, { epochs: 1, lr: 0.001, seed: 1, validation: 0 });
const image = featureRows(testSet, 0, 1).slice();

// Check: the same weights on the reference backend give the same attributions.
const reference = createMlp({ inputs: 784, hidden: [256, 128], labels: trainSet.labelNames, seed: 1, backend: createReferenceBackend() });
reference.params().forEach((p, i) => reference.backend.write(p.value, wasm.read(network.params()[i].value)));
const fast = explain(network, image, { method: "ig", steps });
const slow = explain(reference, image, { method: "ig", steps });
let scale = 0;
let worst = 0;
for (let j = 0; j < 784; j++) {
  scale = Math.max(scale, Math.abs(slow.attributions[j]));
  worst = Math.max(worst, Math.abs(fast.attributions[j] - slow.attributions[j]));
}
// float32 on both sides, different summation orders (and fused multiply-adds): 1e-3 of the largest attribution.
if (fast.labelIndex !== slow.labelIndex || worst > 1e-3 * scale) {
  throw new Error(`wasm IG differs from the reference: label ${fast.labelIndex} vs ${slow.labelIndex}, max difference ${worst} (largest attribution ${scale})`);
}

for (let i = 0; i < 20; i++) explain(network, image, { method: "ig", steps });
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  explain(network, image, { method: "ig", steps });
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
// The exact variant (the path split at its ReLU kinks) for comparison: one backward row per piece.
const exactTimes: number[] = [];
let pieces = 0;
for (let i = 0; i < Math.min(runs, 30); i++) {
  const started = performance.now();
  pieces = explain(network, image, { method: "ig", exact: true }).steps;
  exactTimes.push(performance.now() - started);
}
exactTimes.sort((a, b) => a - b);
const at = (q: number): number => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));

// The canonical CIFAR-10 CNN (torch_cnn.py's layers, weights as initialised), one 32x32x3 image:
// Grad-CAM (last conv block), integrated gradients (64 steps) and conductance (first conv block).
const cifarShape = [32, 32, 3];
const cifar = createMlp({
  inputs: cifarShape,
  layers: parseLayers("conv:32,bn,relu,maxpool:2,conv:64,bn,relu,maxpool:2,conv:128,bn,relu,maxpool:2", cifarShape),
  labels: "0123456789".split(""),
  seed: 1,
  backend: wasm,
});
const photoRandom = new Random(4);
const photo = Float32Array.from({ length: cifar.inputs }, () => photoRandom.uniform());
const medianMs = (count: number, run: () => unknown): number => {
  run();
  const spent: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    run();
    spent.push(performance.now() - started);
  }
  spent.sort((a, b) => a - b);
  return Number(spent[spent.length >> 1].toFixed(2));
};
log("bench explain: the CIFAR-10 CNN, one image: Grad-CAM, integrated gradients, conductance");
const conducted = conductance(cifar, photo);
const cifarCnn = {
  model: "canonical CIFAR-10 CNN, initial weights",
  gradcam_ms: medianMs(30, () => gradCam(cifar, photo)),
  ig_64_steps_ms: medianMs(10, () => explain(cifar, photo, { method: "ig", steps: 64 })),
  conductance_ms: medianMs(5, () => conductance(cifar, photo)),
  conductance: { layer: conducted.layer, points: conducted.points, delta: conducted.delta, change: conducted.output - conducted.baselineOutput },
};
process.stdout.write(
  `${JSON.stringify({
    bench: "explain",
    method: "ig",
    steps,
    model: "784-256-128-10 relu, softmax",
    backend: wasm.name,
    threads: wasm.threads,
    relaxed_simd: wasm.relaxedSimd,
    runs,
    median_ms: at(0.5),
    p90_ms: at(0.9),
    exact: { pieces, median_ms: Number(exactTimes[exactTimes.length >> 1].toFixed(3)) },
    min_ms: at(0),
    check: { label: fast.label, max_difference_vs_reference: worst, largest_attribution: scale, delta: fast.delta },
    cifar_cnn: cifarCnn,
  })}\n`,
);
wasm.close();
