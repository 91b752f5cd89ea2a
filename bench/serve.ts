// npm run bench:serve [-- --seconds 5] [--connections 16]: `glassbox serve` under load on loopback.
// Trains a small model on the embedded Fashion-MNIST subset (784-64-10), starts the server in a
// child process (the load loop here would otherwise take its CPU), then for each kind of request
// keeps `connections` keep-alive requests in flight for `seconds`: JSON predictions, PNG
// predictions, explanations (integrated gradients, 64 steps), and /healthz while explanations
// run. Prints one JSON object: requests/s, p50 and p99 latency, errors, the server's RSS before and after.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { selectRows } from "../src/data/dataset.js";
import { loadIdxDirectory } from "../src/data/files.js";
import { encodePng } from "../src/featurizers/image/index.js";
import { saveModel } from "../src/io/disk.js";
import { trainModel } from "../src/train/pipeline.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const seconds = option("seconds", 5);
const connections = option("connections", 16);
const log = (text: string): void => void process.stderr.write(`${text}\n`);

const small = resolve("data/fashion-mnist-small");
const train = await loadIdxDirectory(small, "train");
const { network } = await trainModel(
  {
    data: selectRows(
      train,
      Array.from({ length: 2000 }, (_, i) => i),
    ),
    featurizer: { kind: "image", height: 28, width: 28, channels: 1 },
  },
  { hidden: [64], epochs: 2 },
);
const dir = mkdtempSync(join(tmpdir(), "glassbox-bench-serve-"));
const modelPath = join(dir, "model.safetensors");
saveModel(network, modelPath);
const rgba = new Uint8Array(784 * 4);
for (let p = 0; p < 784; p++) rgba.set([...Array(3).fill(Math.round(train.features[p] * 255)), 255], p * 4);
const png = encodePng(28, 28, rgba);
const json = Buffer.from(JSON.stringify({ features: Array.from(train.features.subarray(0, 784)) }));

const server = spawn(process.execPath, [resolve("dist/cli/main.js"), "serve", modelPath, "--port", "0", "--json", "--log", "none"], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise<string>((done) => server.stdout.once("data", (chunk: Buffer) => done(JSON.parse(chunk.toString()).url)));
const rss = (): number => Number(readFileSync(`/proc/${server.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
const agent = new Agent({ keepAlive: true, maxSockets: connections * 2 });

function once(path: string, body: Buffer | Uint8Array | null, type: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const req = request(`${base}${path}`, { method: body ? "POST" : "GET", agent, headers: body ? { "Content-Type": type, "Content-Length": body.length } : {} }, (res) => {
      res.resume();
      res.on("end", () => done({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on("error", fail);
    req.end(body ?? undefined);
  });
}

/** `connections` loops of one request after another for `seconds`: rate, latency percentiles, errors. */
async function load(path: string, body: Buffer | Uint8Array | null, type: string, count = connections): Promise<Record<string, number>> {
  const times: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (performance.now() < end) {
        const r = await once(path, body, type);
        if (r.status !== 200) errors++;
        times.push(r.ms);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { requests_per_s: times.length / seconds, p50_ms: at(0.5), p99_ms: at(0.99), errors, requests: times.length };
}

const result: Record<string, unknown> = { connections, seconds };
// A warm-up, so that the workers have started and the kernels are compiled before RSS is read.
await load("/api/explain?steps=8", png, "image/png", 2);
result.rss_mb_start = rss();
log("bench:serve: JSON predictions");
result.json_predict = await load("/api/predict", json, "application/json");
result.rss_mb_after_json = rss();
log("bench:serve: PNG predictions");
result.png_predict = await load("/api/predict", png, "image/png");
result.rss_mb_after_png = rss();
log("bench:serve: explanations");
result.explain = await load("/api/explain?steps=64", png, "image/png", 4);
log("bench:serve: /healthz while explanations run");
const [healthz] = await Promise.all([load("/healthz", null, "", 1), load("/api/explain?steps=64", png, "image/png", 4)]);
result.healthz_under_explain_load = healthz;
result.rss_mb_end = rss();
process.stdout.write(`${JSON.stringify(result)}\n`);
server.kill("SIGTERM");
agent.destroy();
rmSync(dir, { recursive: true, force: true });
