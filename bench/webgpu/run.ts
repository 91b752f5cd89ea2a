// npm run bench:webgpu [-- --full] [--hardware] [--rows N] [--nets mlp,cnn_fmnist,cnn_cifar] [--cifar DIR] [--no-wasm]: the canonical MLP
// and both canonical CNNs trained for one epoch (Adam 1e-3, batch 64) on Glassbox's webgpu backend and
// on TF.js's WebGPU backend (@tensorflow/tfjs-backend-webgpu 4.22), one after the other in the same
// headless Chromium, and on Glassbox's wasm backend in Node on the same rows. Prints one JSON object
// with seconds per epoch and ratios, among them ratios.glassbox_over_tfjs_webgpu {mlp, cnn_fmnist,
// cnn_cifar}; progress goes to stderr.
//
// Chromium runs WebGPU on SwiftShader (a CPU rasteriser) unless --hardware, which asks for the
// machine's GPU through Vulkan. On SwiftShader a whole epoch takes hours, so each network is timed
// on a seeded sample of its training rows (ROWS below, or --rows N for all three) and scaled to the
// epoch; --full times the whole epoch. Each library first trains one warm-up pass of 128 rows, which
// compiles its shaders, on a network thrown away.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createWasmBackend } from "../../src/backends/wasm/index.js";
import { selectRows, type Dataset } from "../../src/data/dataset.js";
import { loadIdxDirectory } from "../../src/data/files.js";
import { loadTrainingData } from "../../src/data/load.js";
import { parseLayers } from "../../src/layers/parse.js";
import { createMlp } from "../../src/model/mlp.js";
import { permutation, Random } from "../../src/tensor/random.js";
import { fit } from "../../src/train/fit.js";
import { extractCifar } from "../cnn.js";
import { LAYERS } from "./networks.js";
import type { BenchWindow, PageResult, Setup } from "./page-data.js";

type Net = Setup["net"];
const ROWS: Record<Net, number> = { mlp: 2048, cnn_fmnist: 256, cnn_cifar: 256 };
const WARMUP = 128;
const CHROMIUM = "/usr/bin/chromium";
const HERE = fileURLToPath(new URL(".", import.meta.url));
const log = (text: string): void => void process.stderr.write(`${text}\n`);

const args = process.argv.slice(2);
const option = (name: string): string | null => (args.includes(name) ? (args[args.indexOf(name) + 1] ?? null) : null);
const full = args.includes("--full");
const hardware = args.includes("--hardware");
const rowsOption = option("--rows");
const nets = (option("--nets") ?? "mlp,cnn_fmnist,cnn_cifar").split(",") as Net[];
for (const net of nets) if (!["mlp", "cnn_fmnist", "cnn_cifar"].includes(net)) throw new Error(`--nets expects mlp, cnn_fmnist or cnn_cifar, comma-separated, got ${net}`);
const rowsAll = rowsOption === null ? null : Number(rowsOption);
if (rowsAll !== null && !(Number.isInteger(rowsAll) && rowsAll >= 64)) throw new Error(`--rows expects a whole number of at least 64, got ${rowsOption}`);
if (!existsSync(CHROMIUM)) throw new Error(`bench:webgpu needs ${CHROMIUM} (apt-get install -y chromium)`);

const FASHION = ["../shared/data/fashion-mnist", "/usr/share/datasets/fashion-mnist"].map((d) => resolve(d)).find((d) => existsSync(d));
const fashionDir = FASHION ?? resolve(HERE, "../../data/fashion-mnist-small");
if (!FASHION) log(`bench webgpu: no full Fashion-MNIST (../shared/data/fashion-mnist or apt-get install dataset-fashion-mnist): using ${fashionDir}`);

/** The network's training rows: Fashion-MNIST's, or CIFAR-10's less the 5,000 a run validates on (as bench:cnn and torch_cnn.py). */
async function trainingRows(net: Net): Promise<{ data: Dataset; epochRows: number; cleanup: () => void } | null> {
  if (net !== "cnn_cifar") {
    const data = await loadIdxDirectory(fashionDir, "train");
    return { data, epochRows: data.rows, cleanup: () => {} };
  }
  const given = option("--cifar");
  const tarball = resolve("../shared/data/cifar-10/cifar-10-train.tar.gz");
  const dir = given ? resolve(given) : existsSync(tarball) ? extractCifar() : null;
  if (!dir) return null;
  log("bench webgpu: reading the CIFAR-10 JPEGs");
  const { data, featurizer } = await loadTrainingData(join(dir, "train"), {});
  if (featurizer?.kind !== "image") throw new Error(`${dir}: expected a folder of images`);
  const input = { kind: "image" as const, height: featurizer.height, width: featurizer.width, channels: featurizer.channels };
  return { data: { ...data, input }, epochRows: data.rows - 5000, cleanup: () => (given ? undefined : rmSync(dir, { recursive: true, force: true })) };
}

const files: Record<string, Uint8Array | string> = {};
const server = createServer((request, response) => {
  const body = files[request.url?.split("?")[0] ?? ""];
  const type = request.url?.startsWith("/page") ? "text/javascript" : request.url === "/" ? "text/html" : "application/octet-stream";
  if (body === undefined) response.writeHead(404).end();
  else response.writeHead(200, { "Content-Type": type }).end(body);
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
for (const page of ["glassbox", "tfjs"]) {
  const bundle = await build({
    entryPoints: [join(HERE, `${page}-page.ts`)],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  files[`/page-${page}.js`] = bundle.outputFiles[0].text;
}

const { chromium } = await import("playwright-core");
const gpuFlags = hardware
  ? ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-angle=vulkan", "--ignore-gpu-blocklist"]
  : ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader", "--disable-gpu"];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--no-first-run", "--disable-background-networking", ...gpuFlags] });

async function inBrowser(library: "glassbox" | "tfjs"): Promise<PageResult> {
  files["/"] = `<!doctype html><meta charset="utf-8"><title>bench webgpu</title><link rel="icon" href="data:,"><script type="module" src="/page-${library}.js"></script>`;
  const page = await browser.newPage();
  try {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (window as unknown as BenchWindow).result !== undefined, undefined, { timeout: 0, polling: 1000 });
    const result = await page.evaluate(() => (window as unknown as BenchWindow).result);
    if (!result || "error" in result) throw new Error(`${library} page: ${result ? result.error : "no result"} ${errors.join("; ")}`);
    return result;
  } finally {
    await page.close();
  }
}

const wasm = args.includes("--no-wasm") ? null : await createWasmBackend();
const results: Record<string, unknown> = {};
const ratios: Record<string, Record<string, number>> = { glassbox_over_tfjs_webgpu: {}, glassbox_webgpu_over_wasm: {} };
let adapter = "";
for (const net of nets) {
  const source = await trainingRows(net);
  if (!source) {
    log("bench webgpu: cnn_cifar left out (no --cifar DIR and no ../shared/data/cifar-10/cifar-10-train.tar.gz)");
    continue;
  }
  try {
    const { data, epochRows } = source;
    const rows = full ? epochRows : Math.min(rowsAll ?? ROWS[net], epochRows);
    // A seeded sample, as an epoch sees it (a folder dataset's first rows are all one label's).
    const sample = selectRows(data, Array.from(permutation(data.rows, new Random(7)).subarray(0, rows)));
    const input = data.input;
    if (input?.kind !== "image") throw new Error(`${net}: expected images`);
    const setup: Setup = { net, shape: [input.height, input.width, input.channels], classes: data.labelNames.length, warmup: WARMUP };
    files["/setup.json"] = JSON.stringify(setup);
    files["/x.bin"] = sample.features instanceof Uint8Array ? sample.features : Uint8Array.from(sample.features, (v) => Math.round(v * 255));
    files["/y.bin"] = Uint8Array.from(sample.labels as Int32Array);
    const scale = epochRows / rows;
    const entry: Record<string, unknown> = { rows_timed: rows, epoch_rows: epochRows };
    for (const library of ["glassbox", "tfjs"] as const) {
      log(`bench webgpu: ${net} on ${library} webgpu, ${rows} rows`);
      const r = await inBrowser(library);
      if (library === "glassbox") adapter = r.adapter;
      entry[`${library}_webgpu`] = { s_per_epoch: r.seconds * scale, ms_per_batch: (r.seconds * 1000) / r.batches, loss: r.loss, adapter: r.adapter };
    }
    if (wasm) {
      log(`bench webgpu: ${net} on wasm in Node, ${rows} rows`);
      const layers = LAYERS[net];
      const network = () =>
        layers === null
          ? createMlp({ inputs: sample.columns, hidden: [256, 128], labels: data.labelNames, seed: 1, backend: wasm })
          : createMlp({ inputs: [...setup.shape], layers: parseLayers(layers, [...setup.shape]), labels: data.labelNames, seed: 1, backend: wasm });
      await fit(
        network(),
        selectRows(
          sample,
          Array.from({ length: WARMUP }, (_, i) => i),
        ),
        { epochs: 1, validation: 0, seed: 1 },
      );
      const started = performance.now();
      const { history } = await fit(network(), sample, { epochs: 1, batchSize: 64, lr: 0.001, validation: 0, seed: 1 });
      const seconds = (performance.now() - started) / 1000;
      entry.glassbox_wasm = { s_per_epoch: seconds * scale, ms_per_batch: (seconds * 1000) / Math.ceil(rows / 64), loss: history[0].loss, threads: wasm.threads };
    }
    const s = (key: string) => (entry[key] as { s_per_epoch: number } | undefined)?.s_per_epoch;
    ratios.glassbox_over_tfjs_webgpu[net] = (s("glassbox_webgpu") as number) / (s("tfjs_webgpu") as number);
    if (wasm) ratios.glassbox_webgpu_over_wasm[net] = (s("glassbox_webgpu") as number) / (s("glassbox_wasm") as number);
    results[net] = entry;
  } finally {
    source.cleanup();
  }
}
await browser.close();
server.close();
wasm?.close();
const software = /swiftshader|lavapipe|llvmpipe/i.test(adapter);
process.stdout.write(
  `${JSON.stringify({
    adapter,
    software_adapter: software,
    note: software ? "SwiftShader runs WebGPU on the CPU: the absolute times say little about a GPU; the ratios compare two libraries on the same adapter" : undefined,
    scaled_from_sample: !full,
    ...results,
    ratios,
  })}\n`,
);
