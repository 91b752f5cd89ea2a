// npm run bench:cnn [-- --cifar DIR] [--no-peers]: the canonical convolutional networks (Fashion-MNIST
// 28x28x1 and CIFAR-10 32x32x3, layers as in ../shared/peers/torch_cnn.py, Adam 1e-3, batch 64): seconds
// per epoch on wasm (timed on a subset and scaled) and on the reference (a smaller subset), each conv
// layer's forward and backward GFLOP/s, seconds to classify the test set, and PyTorch (one thread) in
// the same run. Prints one JSON object; progress goes to stderr. `npm run bench` runs the same
// (cnnBench) after the MLP. Without --cifar, the CIFAR-10 tarball in ../shared is extracted to a
// temporary folder when it is there.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Backend } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { featureRows, selectRows, type Dataset } from "../src/data/dataset.js";
import { loadIdxDirectory } from "../src/data/files.js";
import { loadTrainingData } from "../src/data/load.js";
import { parseLayers } from "../src/layers/parse.js";
import type { Network } from "../src/model/network.js";
import { createMlp } from "../src/model/mlp.js";
import { permutation, Random } from "../src/tensor/random.js";
import { fit } from "../src/train/fit.js";

const log = (text: string): void => void process.stderr.write(`${text}\n`);
const CIFAR_TARBALL = resolve("../shared/data/cifar-10/cifar-10-train.tar.gz");

const NETWORKS = {
  fmnist: { shape: [28, 28, 1], layers: "conv:32,relu,maxpool:2,conv:64,relu,maxpool:2,dense:128,relu" },
  cifar: { shape: [32, 32, 3], layers: "conv:32,bn,relu,maxpool:2,conv:64,bn,relu,maxpool:2,conv:128,bn,relu,maxpool:2" },
} as const;

function network(kind: keyof typeof NETWORKS, labels: string[], backend: Backend): Network {
  const { shape, layers } = NETWORKS[kind];
  return createMlp({ inputs: [...shape], layers: parseLayers(layers, shape), labels, seed: 1, backend });
}

/**
 * Seconds per epoch of `epochRows` training rows, timed on `measured` of them (after one warm-up
 * batch), and the network that epoch trained (classifying is timed on it: the wasm engine skips
 * zeros, so trained weights, whose ReLUs are quieter or busier than random ones, time truer).
 */
async function epochSeconds(kind: keyof typeof NETWORKS, data: Dataset, backend: Backend, measured: number, epochRows: number): Promise<{ seconds: number; net: Network }> {
  // A seeded sample of the whole dataset, as an epoch sees it (the first rows of a folder dataset are one label's).
  const subset = selectRows(data, Array.from(permutation(data.rows, new Random(7)).subarray(0, measured)));
  await fit(
    network(kind, data.labelNames, backend),
    selectRows(
      data,
      Array.from({ length: 64 }, (_, i) => i),
    ),
    { epochs: 1, validation: 0 },
  );
  const net = network(kind, data.labelNames, backend);
  const started = performance.now();
  await fit(net, subset, { epochs: 1, validation: 0, seed: 1 });
  return { seconds: ((performance.now() - started) / 1000) * (epochRows / measured), net };
}

/** Each conv layer's forward and backward GFLOP/s on a batch of 64 (2 multiply-adds per tap per filter; backward: both gradients). */
function convRates(kind: keyof typeof NETWORKS, labels: string[], backend: Backend): { layer: number; forward_gflops: number; backward_gflops: number }[] {
  const net = network(kind, labels, backend);
  const x = net.input(64);
  const random = new Random(1);
  backend.write(
    x,
    Float32Array.from({ length: x.rows * x.cols }, () => random.uniform()),
  );
  const inputs: ReturnType<Network["forward"]>[] = [];
  let h = x;
  for (const layer of net.layers) {
    inputs.push(h);
    h = layer.forward(h, true, random);
  }
  return net.describe().flatMap((d) => {
    if (d.type !== "conv2d") return [];
    const layer = net.layers[d.index];
    const [oh, ow, filters] = d.outputShape;
    const size = d.settings.size as number;
    const flops = 2 * 64 * oh * ow * filters * size * size * d.inputShape[2];
    const time = (run: () => void): number => {
      run();
      const started = performance.now();
      for (let i = 0; i < 5; i++) run();
      return (performance.now() - started) / 5 / 1000;
    };
    const forward = time(() => layer.forward(inputs[d.index], true, random));
    // A gradient of random numbers: a zero one would let the products skip all their work.
    const dy = backend.tensor([64, ...d.outputShape]);
    backend.write(
      dy,
      Float32Array.from({ length: dy.rows * dy.cols }, () => random.uniform() - 0.5),
    );
    const backward = time(() => layer.backward(dy, d.index > 0));
    return [{ layer: d.index, forward_gflops: flops / forward / 1e9, backward_gflops: ((d.index > 0 ? 2 : 1) * flops) / backward / 1e9 }];
  });
}

function classifySeconds(net: Network, test: Dataset): number {
  net.predict(featureRows(test, 0, 1000), 1000);
  const started = performance.now();
  net.predict(featureRows(test), test.rows);
  return (performance.now() - started) / 1000;
}

function pytorch(kind: string, env: Record<string, string>): Record<string, unknown> {
  const r = spawnSync("/usr/bin/python3", [resolve("../shared/peers/torch_cnn.py"), kind, "1", "1"], { encoding: "utf8", env: { ...process.env, ...env } });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) return { skipped: (r.stderr || r.stdout).trim().split("\n").pop() };
  return JSON.parse(
    line
      .replace(/'/g, '"')
      .replace(/\bTrue\b/g, "true")
      .replace(/\bFalse\b/g, "false"),
  );
}

/** wasm over PyTorch, in one run: seconds per epoch, and seconds to classify as many images as PyTorch did. */
function ratios(r: Record<string, unknown>): Record<string, number> {
  const peer = r.pytorch as { train_s_per_epoch?: number; infer_s_test?: number; test_n?: number };
  if (!peer.train_s_per_epoch || !peer.infer_s_test || !peer.test_n) return {};
  return {
    epoch_vs_pytorch: (r.wasm_s_per_epoch as number) / peer.train_s_per_epoch,
    classify_vs_pytorch: ((r.classify_10k_s as number) * peer.test_n) / 10000 / peer.infer_s_test,
  };
}

/**
 * Both canonical CNNs on `wasm` (and the reference, and PyTorch when `peers`): the object
 * bench:cnn prints and bench puts under "cnn". CIFAR-10 is read from `cifarDir`/train, else
 * extracted from the shared tarball, else left out.
 */
export async function cnnBench(
  wasm: Backend & { threads: number; relaxedSimd: boolean; calibration?: { oneThreadMs: number; allThreadsMs: number } | null },
  options: { fmnistDir: string; cifarDir: string | null; peers: boolean },
): Promise<Record<string, unknown>> {
  const { fmnistDir, peers } = options;
  const result: Record<string, unknown> = { wasm: { threads: wasm.threads, relaxed_simd: wasm.relaxedSimd, thread_calibration: wasm.calibration ?? null } };
  const reference = createReferenceBackend();
  const extracted = !options.cifarDir && existsSync(CIFAR_TARBALL) ? extractCifar() : null;
  const cifarDir = options.cifarDir ?? extracted;
  try {
    result.fmnist = await fmnistPart(wasm, reference, fmnistDir, peers);
    if (cifarDir && existsSync(join(cifarDir, "train"))) result.cifar = await cifarPart(wasm, reference, cifarDir, peers);
    else log("cifar-10: no folder (--cifar DIR) and no tarball in ../shared: left out");
  } finally {
    if (extracted) rmSync(extracted, { recursive: true, force: true });
  }
  return result;
}

export function extractCifar(): string {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-cifar-"));
  log(`cifar-10: extracting ${CIFAR_TARBALL} to ${dir}`);
  const r = spawnSync("tar", ["xzf", CIFAR_TARBALL, "-C", dir]);
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return dir;
}

async function fmnistPart(wasm: Backend, reference: Backend, fmnistDir: string, peers: boolean): Promise<Record<string, unknown>> {
  log("fashion-mnist: loading");
  const train = await loadIdxDirectory(fmnistDir, "train");
  const test = await loadIdxDirectory(fmnistDir, "test");
  const fm: Record<string, unknown> = {};
  log("fashion-mnist: wasm epoch (3,000 rows, scaled to 60,000)");
  const fmnistEpoch = await epochSeconds("fmnist", train, wasm, 3000, train.rows);
  fm.wasm_s_per_epoch = fmnistEpoch.seconds;
  log("fashion-mnist: reference epoch (256 rows, scaled)");
  fm.reference_s_per_epoch = (await epochSeconds("fmnist", train, reference, 256, train.rows)).seconds;
  fm.conv_layers = convRates("fmnist", train.labelNames, wasm);
  fm.classify_10k_s = classifySeconds(fmnistEpoch.net, test);
  if (peers) {
    log("fashion-mnist: PyTorch, one thread, one epoch");
    fm.pytorch = pytorch("fmnist", { FMNIST_DIR: fmnistDir });
    Object.assign(fm, ratios(fm));
  }
  return fm;
}

async function cifarPart(wasm: Backend, reference: Backend, cifarDir: string, peers: boolean): Promise<Record<string, unknown>> {
  log("cifar-10: loading the JPEGs");
  const loadStarted = performance.now();
  const loaded = await loadTrainingData(join(cifarDir, "train"), {});
  const data = loaded.data;
  const cf: Record<string, unknown> = { load_s: (performance.now() - loadStarted) / 1000, images: data.rows };
  // torch_cnn.py trains on 45,000 and validates on 5,000, as `glassbox train` does by default.
  const epochRows = data.rows - 5000;
  log(`cifar-10: wasm epoch (2,000 rows, scaled to ${epochRows})`);
  const cifarEpoch = await epochSeconds("cifar", data, wasm, 2000, epochRows);
  cf.wasm_s_per_epoch = cifarEpoch.seconds;
  log("cifar-10: reference epoch (128 rows, scaled)");
  cf.reference_s_per_epoch = (await epochSeconds("cifar", data, reference, 128, epochRows)).seconds;
  cf.conv_layers = convRates("cifar", data.labelNames, wasm);
  cf.classify_10k_s =
    (classifySeconds(
      cifarEpoch.net,
      selectRows(
        data,
        Array.from({ length: 5000 }, (_, i) => i),
      ),
    ) *
      10000) /
    5000;
  if (peers) {
    log("cifar-10: PyTorch, one thread, one epoch");
    cf.pytorch = pytorch("cifar", { CIFAR_DIR: cifarDir });
    Object.assign(cf, ratios(cf));
  }
  cf.peak_rss_mb_so_far = process.resourceUsage().maxRSS / 1024;
  return cf;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const wasm = await createWasmBackend();
  if (!wasm) throw new Error("the wasm backend did not load");
  const cifarDir = args.includes("--cifar") ? resolve(args[args.indexOf("--cifar") + 1]) : null;
  const result = await cnnBench(wasm, { fmnistDir: resolve("../shared/data/fashion-mnist"), cifarDir, peers: !args.includes("--no-peers") });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  wasm.close();
}
