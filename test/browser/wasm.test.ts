// The wasm backend in Chromium (Debian's /usr/bin/chromium, driven by playwright-core): the same
// built module as in Node loads, multiplies matrices like the reference, and uses worker threads
// when the page is cross-origin isolated (one thread with a plain memory otherwise).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { CHROMIUM, haveChromium, launchChromium } from "../helpers/chromium.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

// A page that builds the backend, checks a product against plain JavaScript and reports.
const PAGE = `<!doctype html><meta charset="utf-8"><title>wasm backend</title><link rel="icon" href="data:,"><script type="module">
import { createWasmBackend } from "/dist/backends/wasm/index.js";
const threads = Number(new URLSearchParams(location.search).get("threads") ?? "1");
const backend = await createWasmBackend({ threads });
const [m, k, n] = [129, 257, 65]; // about 2 million multiply-adds: split across the threads
const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
const [ma, mb, mc] = [backend.matrix(m, k), backend.matrix(k, n), backend.matrix(m, n)];
backend.write(ma, a);
backend.write(mb, b);
backend.matmul(ma, mb, mc, false, false, false);
const got = backend.read(mc);
let worst = 0;
for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
  let sum = 0;
  for (let p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
  worst = Math.max(worst, Math.abs(sum - got[i * n + j]));
}
window.result = { threads: backend.threads, relaxedSimd: backend.relaxedSimd, worst, isolated: crossOriginIsolated };
</script>`;

// The whole library in the page, from the browser bundle: read a CSV, train on the wasm backend,
// predict; and the featurizers on a PNG, a WAV and a text made in the page.
const LIBRARY_PAGE = `<!doctype html><meta charset="utf-8"><title>library</title><link rel="icon" href="data:,">
<script type="module">
import {
  parseCsvDataset, createMlp, createWasmBackend, fit, classify, featurizeFile, encodePng, encodeWav, fitText, fitSound,
} from "/dist/glassbox.browser.js";
const rows = ["x,y,label"];
for (let i = 0; i < 200; i++) rows.push(i % 2 ? \`\${1 + (i % 7) / 10},\${1 - (i % 5) / 10},yes\` : \`\${-1 - (i % 7) / 10},\${-1 + (i % 5) / 10},no\`);
const data = parseCsvDataset(rows.join("\\n"), { source: "points.csv" });
const backend = await createWasmBackend({ threads: 1 });
const network = createMlp({ inputs: 2, hidden: [8], labels: data.labelNames, output: "sigmoid", backend, standardize: true });
await fit(network, data, { epochs: 30, lr: 0.05 });
const [a, b] = classify(network, Float32Array.of(1.2, 0.8, -1.2, -0.8), 2);
const png = encodePng(2, 1, Uint8Array.of(255, 255, 255, 255, 0, 0, 0, 255));
const image = featurizeFile({ kind: "image", height: 1, width: 2, channels: 1 }, png, "two.png");
const wav = encodeWav({ rate: 8000, samples: new Float32Array(8000).map((_, t) => Math.sin(t / 3)) });
const sound = featurizeFile(fitSound({ rate: 8000 }), wav, "tone.wav");
const words = fitText(["a cat sat", "a dog sat"], { minCount: 1, tfidf: false });
const text = featurizeFile(words, new TextEncoder().encode("cat cat dog"), "pets.txt");
window.result = {
  labels: data.labelNames, a: a.label, b: b.label,
  pixels: Array.from(image.features), soundFeatures: sound.features.length, soundFinite: sound.features.every(Number.isFinite),
  text: Object.fromEntries(words.vocabulary.map((w, k) => [w, text.features[k]])),
};
</script>`;

const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  const isolated = url.pathname.startsWith("/isolated/");
  const path = url.pathname.replace(/^\/(isolated|plain)\//, "/");
  const headers: Record<string, string> = isolated ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } : {};
  if (path === "/page.html" || path === "/library.html") {
    response.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(path === "/page.html" ? PAGE : LIBRARY_PAGE);
    return;
  }
  const file = normalize(join(ROOT, path));
  const served = [join(ROOT, "dist")];
  if (!served.some((dir) => file.startsWith(dir)) || !existsSync(file)) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { ...headers, "Content-Type": "text/javascript" }).end(readFileSync(file));
});

test("the wasm backend loads and computes in Chromium, with and without cross-origin isolation", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  assert.ok(existsSync(join(ROOT, "dist/backends/wasm/index.js")), "run npm run build first");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await launchChromium();
  try {
    for (const [prefix, threads, expected] of [
      ["isolated", 2, 2],
      ["plain", 2, 1],
    ] as const) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`http://127.0.0.1:${port}/${prefix}/page.html?threads=${threads}`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 });
      const result = await page.evaluate(() => (window as unknown as { result: { threads: number; relaxedSimd: boolean; worst: number; isolated: boolean } }).result);
      assert.deepEqual(errors, [], `${prefix}: no console errors`);
      assert.equal(result.isolated, prefix === "isolated");
      assert.equal(result.threads, expected, `${prefix}: threads`);
      assert.ok(result.worst < 1e-4, `${prefix}: product differs from plain JavaScript by ${result.worst}`);
      await page.close();
    }
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${port}/plain/library.html`);
    await page
      .waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined || document.title === "failed", undefined, { timeout: 30_000 })
      .catch(() => undefined);
    const library = await page.evaluate(() => (window as unknown as { result?: unknown }).result);
    assert.deepEqual(errors, [], "the library page runs without errors");
    const { pixels, soundFeatures, soundFinite, text, ...answers } = library as Record<string, unknown>;
    assert.deepEqual(answers, { labels: ["no", "yes"], a: "yes", b: "no" });
    assert.deepEqual(pixels, [1, 0], "a white and a black pixel");
    assert.equal(soundFeatures, 98 * 40, "a 1 s log-mel spectrogram at 8 kHz");
    assert.equal(soundFinite, true);
    assert.ok((text as Record<string, number>).cat > (text as Record<string, number>).dog && (text as Record<string, number>).dog > 0, `word weights ${JSON.stringify(text)}`);
  } finally {
    await browser.close();
  }
});

after(() => server.close());
