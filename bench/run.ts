// npm run bench [-- FASHION_MNIST_DIR] [--quick] [--no-peers] [--no-cnn] [--cifar DIR]: the canonical
// workload (Fashion-MNIST 60k, MLP 784-256-128-10 ReLU, softmax cross-entropy, Adam 1e-3, batch 64, one
// epoch) on each backend, GEMM throughput, 10k-image classification time and the peers, then the two
// canonical CNNs (bench/cnn.ts, under "cnn"), as one JSON object on stdout.
// Every kernel timed here is first checked against the reference backend.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { availableParallelism, cpus } from "node:os";
import type { Backend } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { loadIdxDirectory } from "../src/data/files.js";
import { featureRows, selectRows, type Dataset } from "../src/data/dataset.js";
import { createMlp } from "../src/model/mlp.js";
import { evaluate } from "../src/train/evaluate.js";
import { fit } from "../src/train/fit.js";
import { Random } from "../src/tensor/random.js";
import { cnnBench } from "./cnn.js";
import { pytorch, tfjs, type PeerOutcome } from "./peers.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
/** Where Debian's dataset-fashion-mnist package puts the IDX files. */
const DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist";
const dataDir = resolve(
  args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--cifar") ?? (existsSync("../shared/data/fashion-mnist") ? "../shared/data/fashion-mnist" : DEBIAN_FASHION),
);
const peersDir = resolve("../shared/peers");
const log = (text: string): void => void process.stderr.write(`${text}\n`);

if (!existsSync(dataDir)) {
  log(
    [
      `bench: no Fashion-MNIST at ${dataDir}: the benchmark trains on the full dataset (60,000 + 10,000 images), which is not in the repository.`,
      `Get it with Debian's package (apt-get install dataset-fashion-mnist puts it in ${DEBIAN_FASHION}, read by default), or download the`,
      "four IDX files (train-images-idx3-ubyte.gz, ...), then pass their directory: npm run bench -- /path/to/fashion-mnist",
      "(data/fashion-mnist-small, embedded, is a 10,000-image subset: npm run bench -- data/fashion-mnist-small times that)",
    ].join("\n"),
  );
  process.exit(1);
}

const wasm = await createWasmBackend();
if (!wasm) throw new Error("the wasm backend did not load");
const reference = createReferenceBackend();
const train = await loadIdxDirectory(dataDir, "train");
const test = await loadIdxDirectory(dataDir, "test");

function gemmCheck(backend: Backend, m: number, k: number, n: number): number {
  const random = new Random(m * 7 + k * 3 + n);
  const a = Float32Array.from({ length: m * k }, () => random.normal());
  const b = Float32Array.from({ length: k * n }, () => random.normal());
  const run = (be: Backend) => {
    const [ma, mb, mc] = [be.matrix(m, k), be.matrix(k, n), be.matrix(m, n)];
    be.write(ma, a);
    be.write(mb, b);
    return { ma, mb, mc, product: () => be.matmul(ma, mb, mc, false, false, false) };
  };
  const fast = run(backend);
  fast.product();
  const slow = run(reference);
  slow.product();
  const got = backend.read(fast.mc);
  const want = reference.read(slow.mc);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  // Sums of k products of unit normals in float32: error grows like sqrt(k) * 2^-24 * |terms|.
  if (worst > 1e-3) throw new Error(`${backend.name} gemm ${m}x${k}x${n} differs from the reference by ${worst}`);
  let reps = 0;
  const started = performance.now();
  while (performance.now() - started < (quick ? 200 : 1000)) {
    fast.product();
    reps++;
  }
  const seconds = (performance.now() - started) / 1000 / reps;
  return (2 * m * k * n) / seconds / 1e9;
}

async function canonicalEpoch(backend: Backend, rows?: number): Promise<{ seconds_per_epoch: number; test_accuracy: number; rows: number }> {
  const data: Dataset = rows
    ? selectRows(
        train,
        Array.from({ length: rows }, (_, i) => i),
      )
    : train;
  const network = createMlp({ inputs: 784, hidden: [256, 128], labels: train.labelNames, seed: 1, backend });
  const result = await fit(network, data, { epochs: 1, batchSize: 64, lr: 0.001, validation: 0, seed: 1 });
  const seconds = result.secondsPerEpoch * (train.rows / data.rows);
  return { seconds_per_epoch: seconds, test_accuracy: evaluate(network, test).accuracy, rows: data.rows };
}

/** Seconds to classify the 10k test images, ten times after a warm-up: the best and the median. */
function classifySeconds(backend: Backend): { best: number; median: number } {
  const network = createMlp({ inputs: 784, hidden: [256, 128], labels: train.labelNames, seed: 1, backend });
  network.predict(featureRows(test), test.rows); // warm
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    network.predict(featureRows(test), test.rows);
    times.push((performance.now() - started) / 1000);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: (times[4] + times[5]) / 2 };
}

log(`wasm: ${wasm.threads} thread${wasm.threads === 1 ? "" : "s"}, relaxed SIMD ${wasm.relaxedSimd}`);
const gemm: Record<string, number> = {};
for (const [m, k, n] of [
  [64, 784, 256],
  [64, 256, 128],
  [256, 256, 256],
  [1024, 1024, 1024],
]) {
  gemm[`${m}x${k}x${n}`] = gemmCheck(wasm, m, k, n);
  log(`gemm ${m}x${k}x${n}: ${gemm[`${m}x${k}x${n}`].toFixed(1)} GFLOP/s`);
}
await canonicalEpoch(wasm, 4000); // warm the kernels
const wasmEpoch = await canonicalEpoch(wasm);
log(`wasm epoch: ${wasmEpoch.seconds_per_epoch.toFixed(2)} s, test accuracy ${wasmEpoch.test_accuracy}`);
const classify = classifySeconds(wasm);
log(`classify 10k: best ${classify.best.toFixed(3)} s, median ${classify.median.toFixed(3)} s`);
const referenceRows = quick ? 2000 : 6000;
const referenceEpoch = await canonicalEpoch(reference, referenceRows);
log(`reference epoch (from ${referenceRows} rows): ${referenceEpoch.seconds_per_epoch.toFixed(1)} s`);

const peers: PeerOutcome[] = [];
if (!args.includes("--no-peers")) {
  for (const run of [() => pytorch(peersDir, dataDir), () => tfjs(peersDir, dataDir, "wasm")]) {
    const outcome = run();
    log(`peer ${outcome.peer}: ${"skipped" in outcome ? `skipped (${outcome.skipped})` : `${outcome.train_s_per_epoch} s/epoch`}`);
    peers.push(outcome);
  }
}
const ratio = (peer: string): number | null => {
  const p = peers.find((x) => x.peer === peer);
  return p && !("skipped" in p) ? wasmEpoch.seconds_per_epoch / p.train_s_per_epoch : null;
};

const cifarDir = args.includes("--cifar") ? resolve(args[args.indexOf("--cifar") + 1]) : null;
const cnn = args.includes("--no-cnn") ? null : await cnnBench(wasm, { fmnistDir: dataDir, cifarDir, peers: !args.includes("--no-peers") });

process.stdout.write(
  `${JSON.stringify({
    machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version },
    workload: "Fashion-MNIST 60k, MLP 784-256-128-10 ReLU, softmax cross-entropy, Adam lr 1e-3, batch 64, 1 epoch",
    wasm: { threads: wasm.threads, relaxed_simd: wasm.relaxedSimd, calibration: wasm.calibration },
    seconds_per_epoch: { wasm: wasmEpoch.seconds_per_epoch, reference: referenceEpoch.seconds_per_epoch },
    reference_epoch_measured_on_rows: referenceRows,
    test_accuracy_after_one_epoch: { wasm: wasmEpoch.test_accuracy },
    gemm_gflops: gemm,
    classify_10k_seconds: { wasm: classify.best, wasm_median_of_10: classify.median },
    peers,
    ratios: {
      wasm_over_pytorch_1_thread: ratio("pytorch-cpu"),
      tfjs_wasm_over_wasm: ((r) => (r === null ? null : 1 / r))(ratio("tfjs-wasm")),
      reference_over_wasm: referenceEpoch.seconds_per_epoch / wasmEpoch.seconds_per_epoch,
    },
    cnn,
  })}\n`,
);
wasm.close();
