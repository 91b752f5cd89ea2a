// The conformance suite (test/conformance/suite.ts), unchanged, in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core): once on the float32 reference backend, which proves
// the harness (the node:test and node:assert shims, the bundle, the page), and once on the webgpu
// backend on SwiftShader, once src/backends/webgpu/index.ts exists. Every test the page runs is
// reported here as a subtest, so a failing kernel is named with its message.
import { test, after, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { build, type Plugin } from "esbuild";
import type { Browser } from "playwright-core";
import { CHROMIUM, haveChromium, launchChromium } from "../helpers/chromium.js";
import type { PageWindow } from "../conformance/browser-page.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHIMS = join(ROOT, "test/browser/shims");
const haveWebGpu = existsSync(join(ROOT, "src/backends/webgpu/index.ts"));
// SwiftShader runs compute shaders on the CPU, and the suite multiplies 257x257 matrices and
// convolves 33 16x16x16 images, each checked against the float64 reference in the page.
const PAGE_MS = 10 * 60_000;

type Page = "reference" | "webgpu";

/** The reference page's bundle leaves the webgpu backend out (a stub that throws), so it never depends on that folder's state. */
const withoutWebGpu: Plugin = {
  name: "without-webgpu",
  setup(build) {
    build.onResolve({ filter: /\/backends\/webgpu\/index\.js$/ }, () => ({ path: "webgpu", namespace: "without-webgpu" }));
    build.onLoad({ filter: /.*/, namespace: "without-webgpu" }, () => ({
      contents: 'export async function createWebGpuBackend() { throw new Error("this page was bundled without src/backends/webgpu"); }',
      loader: "js",
    }));
  },
};

/** The page's script: test/conformance/browser-page.ts and the suite, with node:test and node:assert/strict swapped for the shims. */
async function bundle(page: Page): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, "test/conformance/browser-page.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    alias: { "node:test": join(SHIMS, "node-test.ts"), "node:assert/strict": join(SHIMS, "node-assert.ts") },
    plugins: page === "webgpu" ? [] : [withoutWebGpu],
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

const bundles = new Map<Page, Promise<string>>();

// 127.0.0.1 is a secure context (WebGPU needs one; about:blank is not).
const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const page = url.searchParams.get("backend") as Page;
  if (url.pathname === "/conformance.html" && bundles.has(page)) {
    const html = `<!doctype html><meta charset="utf-8"><title>conformance</title><link rel="icon" href="data:,"><script type="module" src="/${page}.js"></script>`;
    response.writeHead(200, { "Content-Type": "text/html" }).end(html);
    return;
  }
  const script = bundles.get(url.pathname.slice(1).replace(/\.js$/, "") as Page);
  if (!script) {
    response.writeHead(404).end();
    return;
  }
  script.then(
    (text) => response.writeHead(200, { "Content-Type": "text/javascript" }).end(text),
    (error: Error) => response.writeHead(500).end(error.message),
  );
});

let browser: Promise<Browser> | undefined;
let port: Promise<number> | undefined;

/** Loads the suite page for one backend, waits for its results, and reports each test as a subtest of t. */
async function runSuitePage(t: TestContext, backend: Page): Promise<void> {
  if (!bundles.has(backend)) bundles.set(backend, bundle(backend));
  await bundles.get(backend); // a build error fails here, with esbuild's message
  port ??= new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  browser ??= launchChromium({ webgpu: true });
  const page = await (await browser).newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  const crashed = new Promise<never>((_, reject) => page.on("pageerror", (error) => reject(new Error(`page error: ${error.message}`))));
  const waitFor = async (what: string, ready: () => boolean, timeout: number): Promise<void> => {
    const wait = page.waitForFunction(ready, undefined, { timeout, polling: 250 });
    await Promise.race([wait, crashed]).catch(async (error: Error) => {
      throw new Error(`${what}: ${error.message}; the page's last finished test: "${await page.title()}"; errors: ${JSON.stringify(errors)}`);
    });
  };
  try {
    const start = performance.now();
    await page.goto(`http://127.0.0.1:${await port}/conformance.html?backend=${backend}`);
    await waitFor("the page's script starts", () => (window as unknown as PageWindow).gpu !== undefined, 60_000);
    await waitFor("the page runs the suite", () => (window as unknown as PageWindow).results !== undefined, PAGE_MS);
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    const report = await page.evaluate(() => {
      const { gpu, backend, results } = window as unknown as PageWindow;
      return { gpu, backend, results };
    });
    const results = report.results ?? [];
    t.diagnostic(`${report.backend ?? backend}: ${results.length} tests in ${seconds} s`);
    t.diagnostic(`WebGPU in the page: ${JSON.stringify(report.gpu)}`);
    for (const result of results) {
      await t.test(result.name, { skip: result.skipped ?? false }, (sub) => {
        sub.diagnostic(`${result.ms} ms in the page`);
        if (!result.ok) throw new Error(result.error ?? "failed");
      });
    }
    assert.ok(results.length > 0, "the page registered the suite's tests");
    assert.deepEqual(errors, [], "no page errors and nothing logged as a console error");
  } finally {
    await page.close();
  }
}

const noChromium = haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`;

test("the conformance suite passes in Chromium on the reference backend (the harness: shims, bundle, page)", { skip: noChromium, timeout: PAGE_MS + 60_000 }, (t) =>
  runSuitePage(t, "reference"),
);

test(
  "the conformance suite passes in Chromium on the webgpu backend (SwiftShader)",
  { skip: noChromium || (haveWebGpu ? false : "src/backends/webgpu/index.ts does not exist yet"), timeout: PAGE_MS + 60_000 },
  (t) => runSuitePage(t, "webgpu"),
);

after(async () => {
  await (await browser?.catch(() => undefined))?.close();
  server.close();
});
