// The HTTP API end to end: a small image model trained here, served in-process on a free
// loopback port, asked with fetch as the web app and other clients do; then `glassbox serve`
// itself, started and stopped with SIGTERM.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIdxDirectory } from "../src/data/files.js";
import { featureRows, selectRows, type Dataset } from "../src/data/dataset.js";
import { encodePng } from "../src/featurizers/image/index.js";
import type { FeaturizerState } from "../src/featurizers/index.js";
import { saveModel } from "../src/io/disk.js";
import { decodeModel } from "../src/io/modelFile.js";
import { classify } from "../src/model/classify.js";
import type { Network } from "../src/model/network.js";
import { createMlp } from "../src/model/mlp.js";
import { createServer, type RequestLogEntry } from "../src/server/index.js";
import { fit } from "../src/train/fit.js";
import { baselineFor } from "../src/explain/baseline.js";
import { conductance, conductanceRecord, gradCam, gradCamRecord } from "../src/explain/layers.js";
import { parseLayers } from "../src/layers/parse.js";
import { ROOT, SMALL } from "./helpers/glassbox.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_BODY = 64 * 1024;

/** 600 training images, 784 -> 16 -> 10, 3 epochs: enough to give confident, varied answers in well under a second. */
async function smallImageModel(): Promise<{ network: Network; test: Dataset }> {
  const train = await loadIdxDirectory(SMALL, "train");
  const featurizer: FeaturizerState = { kind: "image", height: 28, width: 28, channels: 1 };
  const network = createMlp({ inputs: [28, 28, 1], hidden: [16], labels: train.labelNames, seed: 3, about: { featurizer, training: { epochs: 3, rows: 600 } } });
  await fit(
    network,
    selectRows(
      train,
      Array.from({ length: 600 }, (_, i) => i),
    ),
    { epochs: 3, seed: 3 },
  );
  return { network, test: await loadIdxDirectory(SMALL, "test") };
}

/** Test image `i` as a gray PNG, and its 784 features as the model reads them (bytes / 255). */
function png(test: Dataset, i: number): { bytes: Uint8Array; features: Float32Array } {
  const features = featureRows(test, i, 1).slice();
  const rgba = new Uint8Array(784 * 4);
  for (let p = 0; p < 784; p++) {
    const v = Math.round(features[p] * 255);
    rgba.set([v, v, v, 255], p * 4);
  }
  return { bytes: encodePng(28, 28, rgba), features };
}

const { network, test: testSet } = await smallImageModel();
const web = mkdtempSync(join(tmpdir(), "glassbox-server-"));
const webRoot = join(web, "web");
mkdirSync(join(webRoot, "assets"), { recursive: true });
writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>Glassbox</title>");
writeFileSync(join(webRoot, "assets", "app.js"), "console.log('glassbox');");
writeFileSync(join(webRoot, "assets", "engine.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
writeFileSync(join(web, "secret.txt"), "outside the web root");

const glassbox = createServer(network, { maxBody: MAX_BODY, webRoot, name: "small.safetensors" });
const base = await glassbox.listen(0, "127.0.0.1");
after(() => glassbox.close());

interface ErrorBody {
  error: { code: string; message: string };
}

async function post(path: string, body: Uint8Array | string, type: string): Promise<Response> {
  // slice(): fetch's types want a view of a plain ArrayBuffer.
  return fetch(`${base}${path}`, { method: "POST", body: typeof body === "string" ? body : body.slice(), headers: { "Content-Type": type } });
}

/** A request with a path fetch would normalise (.., %2e%2e), straight over node:http. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    request({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      let body = "";
      res
        .setEncoding("utf8")
        .on("data", (chunk: string) => (body += chunk))
        .on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

test("GET /healthz answers ok, with the cross-origin isolation headers the wasm engine's threads need", async () => {
  const r = await fetch(`${base}/healthz`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { status: "ok" });
  assert.equal(r.headers.get("cross-origin-opener-policy"), "same-origin");
  assert.equal(r.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
});

test("GET /api/model describes the architecture, labels, featurizer and training", async () => {
  const model = await (await fetch(`${base}/api/model`)).json();
  assert.equal(model.name, "small.safetensors");
  assert.deepEqual(model.labels, network.labels);
  assert.equal(model.output, "softmax");
  assert.deepEqual(model.architecture.input_shape, [28, 28, 1]);
  assert.deepEqual(
    model.architecture.layers.map((l: { inputShape: number[]; units: number; activation: string; parameters: number; summary: string }) => [
      l.inputShape,
      l.units,
      l.activation,
      l.parameters,
      l.summary,
    ]),
    [
      [[28, 28, 1], 16, "relu", 784 * 16 + 16, "dense 784 -> 16, relu"],
      [[16], 10, "linear", 16 * 10 + 10, "dense 16 -> 10, linear"],
    ],
  );
  assert.equal(model.architecture.parameters, 784 * 16 + 16 + 16 * 10 + 10);
  assert.deepEqual(model.featurizer, { kind: "image", description: "image 28x28 gray", features: 784, height: 28, width: 28, channels: 1 });
  assert.equal(model.hierarchy, null);
  assert.deepEqual(model.training, { epochs: 3, rows: 600 });
});

test("POST /api/predict: a PNG and the same image as JSON features give the library's own answer", async () => {
  const { bytes, features } = png(testSet, 0);
  const expected = classify(network, features, 1, 3)[0];
  const fromPng = await post("/api/predict", bytes, "image/png");
  assert.equal(fromPng.status, 200, await fromPng.clone().text());
  const answer = await fromPng.json();
  assert.equal(answer.rows, 1);
  assert.equal(answer.predictions[0].label, expected.label);
  // The PNG holds the same bytes the IDX file does (value * 255 is a whole number): only float32 rounding differs.
  assert.ok(Math.abs(answer.predictions[0].probability - expected.probability) < 1e-6);
  assert.equal(answer.predictions[0].top.length, 3);

  const sniffed = await (await post("/api/predict?top=2", bytes, "application/octet-stream")).json();
  assert.equal(sniffed.predictions[0].label, expected.label, "an octet-stream PNG is recognised by its signature");
  assert.equal(sniffed.predictions[0].top.length, 2);

  const rows = [0, 1, 2].map((i) => Array.from(featureRows(testSet, i, 1)));
  const many = await (await post("/api/predict", JSON.stringify({ features: rows }), "application/json")).json();
  assert.equal(many.rows, 3);
  const direct = classify(network, featureRows(testSet, 0, 3), 3, 3);
  assert.deepEqual(
    many.predictions.map((p: { label: string }) => p.label),
    direct.map((p) => p.label),
  );
  const one = await (await post("/api/predict", JSON.stringify({ features: rows[1] }), "application/json")).json();
  assert.equal(one.predictions[0].label, direct[1].label);
  assert.ok(Math.abs(one.predictions[0].probability - direct[1].probability) < 1e-6);
});

test("POST /api/explain: ?steps over the cap (1024 by default) is a 400 that names the cap, at once", async () => {
  const { bytes } = png(testSet, 0);
  const r = await post("/api/explain?method=ig&steps=100000", bytes, "image/png");
  assert.equal(r.status, 400);
  assert.match((await r.json()).error.message, /\?steps=100000: at most 1024 steps \(the server's --max-steps\)/);
  assert.equal((await post("/api/explain?method=ig&steps=1024", bytes, "image/png")).status, 200, "the cap itself is allowed");
});

test("POST /api/explain: gradcam and conductance answer the JSON the CLI prints; their limits are 400s", async () => {
  const { bytes, features } = png(testSet, 0);
  const dense = await post("/api/explain?method=conductance&layer=0", bytes, "image/png");
  assert.equal(dense.status, 200, await dense.clone().text());
  const c = await dense.json();
  assert.deepEqual([c.method, c.layer, c.unit, c.neurons.length], ["conductance", 0, "neuron", 16]);
  // The library's answer here (reference backend) against the worker's (its own wasm backend): the same up to float rounding.
  const here = conductanceRecord(network, conductance(network, features, { layer: 0, baseline: baselineFor(network).baseline })) as {
    neurons: { neuron: number; value: number }[];
    delta: number;
  };
  assert.deepEqual(Object.keys(c).sort(), Object.keys(here).sort());
  here.neurons.forEach((n, i) => assert.ok(c.neurons[i].neuron === n.neuron && Math.abs(c.neurons[i].value - n.value) < 1e-6, `neuron ${n.neuron}`));
  const sum = c.neurons.reduce((s: number, n: { value: number }) => s + n.value, 0);
  assert.ok(Math.abs(sum - (c.output - c.baseline_output)) <= 1e-3 * Math.abs(c.output - c.baseline_output));
  const capped = await post("/api/explain?method=conductance&steps=200", bytes, "image/png");
  assert.equal(capped.status, 400);
  assert.match((await capped.json()).error.message, /\?steps=200: conductance takes up to 16 x steps \+ 1 points, so at most 64 steps/);
  const noGrid = await post("/api/explain?method=gradcam", bytes, "image/png");
  assert.equal(noGrid.status, 400);
  assert.match((await noGrid.json()).error.message, /Grad-CAM needs a convolutional network; this one has no conv layer/);
  // A small CNN, served on its own: the map and its picture.
  const cnn = createMlp({ inputs: [28, 28, 1], layers: parseLayers("conv:4,relu,maxpool:2,conv:4,relu,gap", [28, 28, 1]), labels: network.labels, seed: 2, about: network.about });
  const server = createServer(cnn, { webRoot: null, workers: 0 });
  const url = await server.listen(0, "127.0.0.1");
  try {
    const r = await fetch(`${url}/api/explain?method=gradcam&label=${encodeURIComponent(network.labels[2])}`, {
      method: "POST",
      body: bytes.slice(),
      headers: { "Content-Type": "image/png" },
    });
    assert.equal(r.status, 200, await r.clone().text());
    const cam = await r.json();
    assert.deepEqual([cam.method, cam.label, cam.layer, cam.height, cam.width, cam.map.length], ["gradcam", network.labels[2], 4, 14, 14, 196]);
    const want = gradCamRecord(gradCam(cnn, features, { label: 2 })).map;
    assert.ok(want.some((v) => v > 0));
    cam.map.forEach((v: number, p: number) => assert.ok(Math.abs(v - want[p]) <= 1e-6 * Math.max(1, ...want), `cell ${p}`));
    assert.deepEqual(Array.from(Buffer.from(cam.picture, "base64").subarray(0, 8)), PNG_SIGNATURE);
  } finally {
    await server.close();
  }
});

test("POST /api/explain: integrated gradients for a PNG, top attributions and a heat-map PNG", async () => {
  const { bytes, features } = png(testSet, 0);
  const label = network.labels[testSet.labels![0]];
  const r = await post(`/api/explain?method=ig&label=${encodeURIComponent(label)}&top=10`, bytes, "image/png");
  assert.equal(r.status, 200, await r.clone().text());
  const e = await r.json();
  assert.equal(e.method, "ig");
  assert.equal(e.label, label);
  assert.equal(e.steps, 64);
  assert.equal(e.attributions.length, 10);
  assert.match(e.attributions[0].feature, /^pixel \(row \d+, column \d+\)$/);
  const sizes = e.attributions.map((a: { value: number }) => Math.abs(a.value));
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => b - a),
    "largest |value| first",
  );
  // f(x) is the label's probability; integrated gradients' sum matches f(x) - f(baseline) up to
  // the 64-step path integral's error, well under 0.05 of a probability on this small ReLU net.
  const p = classify(network, features, 1, 10)[0].top.find((t) => t.label === label)!.probability;
  assert.ok(Math.abs(e.output - p) < 1e-5, `output ${e.output} vs ${p}`);
  assert.ok(e.delta < 0.05, `delta ${e.delta}`);
  assert.equal(typeof e.baseline_output, "number");
  const picture = Buffer.from(e.picture, "base64");
  assert.deepEqual([...picture.subarray(0, 8)], PNG_SIGNATURE);

  const byDefault = await (await post("/api/explain?method=saliency", bytes, "image/png")).json();
  assert.equal(byDefault.attributions.length, 20, "20 attributions by default");
  assert.equal(byDefault.label, classify(network, features, 1, 1)[0].label, "the predicted label by default");
});

test("a body over the limit is refused with 413, whether its length is declared or it streams", async () => {
  const big = new Uint8Array(MAX_BODY + 1);
  const declared = await post("/api/predict", big, "application/octet-stream");
  assert.equal(declared.status, 413);
  const body = (await declared.json()) as ErrorBody;
  assert.equal(body.error.code, "BODY_TOO_LARGE");
  assert.match(body.error.message, /limit of 64 KiB/);

  // Chunked, no Content-Length: refused once the limit is passed, before the body ends.
  const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(base);
    const req = request({ host: url.hostname, port: url.port, path: "/api/predict", method: "POST", headers: { "Content-Type": "image/png" } }, (res) => {
      let text = "";
      res
        .setEncoding("utf8")
        .on("data", (c: string) => (text += c))
        .on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    const chunk = new Uint8Array(16 * 1024);
    let sent = 0;
    const more = (): void => {
      // Keeps sending until the answer comes: the server must answer before the body ends.
      if (sent > 64 * MAX_BODY || req.destroyed) return;
      sent += chunk.length;
      req.write(chunk, () => setImmediate(more));
    };
    more();
  });
  assert.equal(streamed.status, 413);
  assert.equal((JSON.parse(streamed.body) as ErrorBody).error.code, "BODY_TOO_LARGE");
  assert.equal((await fetch(`${base}/healthz`)).status, 200, "the server still answers");
});

test("corrupt or mismatched input is a 400 with a message that says what is wrong", async () => {
  const { bytes } = png(testSet, 0);
  const cases: [string, Uint8Array | string, string, string, RegExp][] = [
    ["/api/predict", bytes.subarray(0, 60), "image/png", "BAD_DATA", /corrupt PNG/],
    ["/api/predict", new TextEncoder().encode("GIF89a......"), "image/png", "BAD_DATA", /not a PNG or JPEG/],
    ["/api/predict", "hello", "text/plain", "BAD_DATA", /this model reads an image .*the request body is text/],
    ["/api/predict", "", "image/png", "BAD_DATA", /empty/],
    ["/api/predict", JSON.stringify({ features: [1, 2, 3] }), "application/json", "SHAPE_MISMATCH", /expected 784 features per row, got 3/],
    ["/api/predict", "{not json", "application/json", "BAD_DATA", /not valid JSON/],
    ["/api/predict?top=0", bytes, "image/png", "BAD_ARGUMENT", /\?top: expected a whole number >= 1/],
    ["/api/explain?label=Giraffe", bytes, "image/png", "UNKNOWN_LABEL", /unknown label "Giraffe"/],
    ["/api/explain?method=magic", bytes, "image/png", "BAD_ARGUMENT", /\?method: expected one of/],
  ];
  for (const [path, body, type, code, message] of cases) {
    const r = await post(path, body, type);
    assert.equal(r.status, 400, `${path} ${type}`);
    const { error } = (await r.json()) as ErrorBody;
    assert.equal(error.code, code, `${path} ${type}: ${error.message}`);
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n\s+at /, "no stack trace");
  }
  const unsupported = await post("/api/predict", "x", "video/mp4");
  assert.equal(unsupported.status, 415);
  assert.match(((await unsupported.json()) as ErrorBody).error.message, /cannot read a body of type video\/mp4; send one of .*image\/png/);
});

test("unknown routes are 404 and wrong methods 405, as JSON", async () => {
  const missing = await fetch(`${base}/api/nothing`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as ErrorBody).error.code, "NOT_FOUND");
  assert.equal((await fetch(`${base}/no/such/file.js`)).status, 404);
  const get = await fetch(`${base}/api/predict`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  assert.equal(((await get.json()) as ErrorBody).error.code, "METHOD_NOT_ALLOWED");
  const postHealth = await post("/healthz", "x", "text/plain");
  assert.equal(postHealth.status, 405);
  assert.equal(postHealth.headers.get("allow"), "GET, HEAD");
  assert.equal((await fetch(`${base}/index.html`, { method: "DELETE" })).status, 405);
});

test("the web app's files: index.html for /, content types, no way out of the web root", async () => {
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-type") ?? "", /^text\/html/);
  assert.equal(index.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.match(await index.text(), /<title>Glassbox<\/title>/);
  const js = await fetch(`${base}/assets/app.js`);
  assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.equal(await js.text(), "console.log('glassbox');");
  const wasm = await fetch(`${base}/assets/engine.wasm`);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  assert.equal((await wasm.arrayBuffer()).byteLength, 8);
  for (const path of ["/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/%00index.html"]) {
    const r = await rawGet(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body, /outside the web root/, path);
  }
});

test("GET /model.safetensors sends a model file that decodes to the same network", async () => {
  const r = await fetch(`${base}/model.safetensors`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/octet-stream");
  const copy = decodeModel(new Uint8Array(await r.arrayBuffer()), "downloaded");
  assert.deepEqual(copy.labels, network.labels);
  assert.deepEqual(copy.about.featurizer, network.about.featurizer);
  const rows = featureRows(testSet, 0, 5);
  assert.deepEqual(copy.predict(rows, 5), network.predict(rows, 5), "the same weights, bit for bit");
});

test("50 concurrent clients x 20 predictions each all succeed with the right answers", async (t) => {
  const images = Array.from({ length: 10 }, (_, i) => png(testSet, i));
  const expected = images.map(({ features }) => classify(network, features, 1, 1)[0].label);
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: 50 }, async (_, client) => {
      let right = 0;
      for (let k = 0; k < 20; k++) {
        const i = (client + k) % images.length;
        const r = await post("/api/predict", images[i].bytes, "image/png");
        const answer = await r.json();
        if (r.status === 200 && answer.predictions[0].label === expected[i]) right++;
      }
      return right;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  assert.deepEqual(counts, new Array(50).fill(20));
  t.diagnostic(`throughput: ${Math.round(1000 / seconds)} requests/s (1000 PNG predictions, 50 clients, loopback, reference backend)`);
});

test("close() lets a request in flight finish, then stops", async () => {
  const server = createServer(network, { webRoot: null });
  const url = new URL(await server.listen(0, "127.0.0.1"));
  const body = JSON.stringify({ features: Array.from(featureRows(testSet, 0, 1)) });
  let closed = false;
  const answer = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: "/api/predict", method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
      res.resume().on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on("error", reject);
    req.write(body.slice(0, 100));
    // Half the body is in; the server is asked to stop; then the rest arrives.
    setTimeout(() => {
      void server.close().then(() => (closed = true));
      setTimeout(() => {
        assert.equal(closed, false, "close() waits for the request in flight");
        req.end(body.slice(100));
      }, 100);
    }, 100);
  });
  const r = await answer;
  assert.equal(r.status, 200);
  assert.equal(r.connection, "close", "the last answer says the connection ends");
  await server.close();
  assert.equal(closed, true);
  assert.equal(server.server.listening, false);
});

test("glassbox serve: prints its URL, answers, and exits 0 on SIGTERM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-serve-"));
  saveModel(network, join(dir, "small.safetensors"));
  const child = spawn(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), join(ROOT, "src/cli/main.ts"), "serve", "small.safetensors", "--port", "0", "--backend", "reference"],
    { cwd: dir },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      const match = /serving small\.safetensors at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`glassbox serve exited with ${code} before serving: ${stderr}`)));
  });
  const health = await fetch(`${url}/healthz`);
  assert.deepEqual(await health.json(), { status: "ok" });
  const model = await (await fetch(`${url}/api/model`)).json();
  assert.equal(model.name, "small.safetensors");
  child.kill("SIGTERM");
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /SIGTERM: finishing requests in flight, then stopping/);
});

test("explanations run off the event loop: /healthz answers while one computes; over the time limit 504, a full queue 503", async () => {
  const { bytes } = png(testSet, 1);
  const slow = createServer(network, { webRoot: null, workers: 1, maxQueue: 0, timeoutMs: 60_000 });
  const url = await slow.listen(0, "127.0.0.1");
  try {
    await fetch(`${url}/api/explain?steps=4`, { method: "POST", body: bytes.slice(), headers: { "Content-Type": "image/png" } }); // the worker is up
    const order: string[] = [];
    const explaining = fetch(`${url}/api/explain?method=smoothgrad&steps=1024`, { method: "POST", body: bytes.slice(), headers: { "Content-Type": "image/png" } }).then((r) => {
      order.push(`explain ${r.status}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const busy = await fetch(`${url}/api/explain?steps=4`, { method: "POST", body: bytes.slice(), headers: { "Content-Type": "image/png" } });
    order.push(`second explain ${busy.status} Retry-After ${busy.headers.get("retry-after")}`);
    // A small prediction is answered at once on the event loop, even with the worker busy.
    const quick = await fetch(`${url}/api/predict`, { method: "POST", body: bytes.slice(), headers: { "Content-Type": "image/png" } });
    order.push(`predict ${quick.status}`);
    const health = await fetch(`${url}/healthz`);
    order.push(`healthz ${health.status}`);
    await explaining;
    assert.deepEqual(
      order,
      ["second explain 503 Retry-After 1", "predict 200", "healthz 200", "explain 200"],
      "the explanation was still computing while the others were answered",
    );
  } finally {
    await slow.close();
  }
  const limited = createServer(network, { webRoot: null, workers: 1, timeoutMs: 1 });
  const at = await limited.listen(0, "127.0.0.1");
  try {
    const r = await fetch(`${at}/api/explain?method=smoothgrad&steps=1024`, { method: "POST", body: bytes.slice(), headers: { "Content-Type": "image/png" } });
    assert.equal(r.status, 504);
    assert.match(((await r.json()) as ErrorBody).error.message, /the request computed for over 0.001 s and was stopped/);
    assert.equal((await fetch(`${at}/healthz`)).status, 200, "the server goes on");
  } finally {
    await limited.close();
  }
});

test("every answer carries an X-Request-Id (the caller's, or a new one) and is logged once; /metrics counts it", async () => {
  const logged: RequestLogEntry[] = [];
  const s = createServer(network, { webRoot: null, workers: 0, onRequest: (e) => logged.push(e), cors: ["https://app.example"] });
  const url = await s.listen(0, "127.0.0.1");
  try {
    const mine = await fetch(`${url}/healthz`, { headers: { "X-Request-Id": "abc-123" } });
    assert.equal(mine.headers.get("x-request-id"), "abc-123");
    const fresh = await fetch(`${url}/healthz`, { headers: { "X-Request-Id": "not ok; <script>" } });
    assert.match(fresh.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/, "an unsafe id is replaced");
    await fetch(`${url}/api/nothing`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(
      logged.map((e) => [e.method, e.path, e.status, e.id === "abc-123" || /^[0-9a-f-]{36}$/.test(e.id), e.bytes > 0, e.ms >= 0]),
      [
        ["GET", "/healthz", 200, true, true, true],
        ["GET", "/healthz", 200, true, true, true],
        ["GET", "/api/nothing", 404, true, true, true],
      ],
    );

    // CORS: only the listed origin, with a preflight.
    const listed = await fetch(`${url}/api/model`, { headers: { Origin: "https://app.example" } });
    assert.equal(listed.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal((await fetch(`${url}/api/model`, { headers: { Origin: "https://evil.example" } })).headers.get("access-control-allow-origin"), null);
    const preflight = await fetch(`${url}/api/predict`, { method: "OPTIONS", headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);

    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /^glassbox_requests_total\{route="\/healthz",status="200"\} 2$/m);
    assert.match(text, /^glassbox_requests_total\{route="\/api\/other",status="404"\} 1$/m);
    assert.match(text, /^glassbox_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} 2$/m);
    assert.match(text, /^glassbox_compute_queue_depth 0$/m);
    assert.match(text, /^glassbox_model_info\{name="model.safetensors",labels="10",inputs="784"\} 1$/m);
  } finally {
    await s.close();
  }
});
