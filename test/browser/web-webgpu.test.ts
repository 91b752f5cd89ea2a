// The Train view on WebGPU (SwiftShader in headless Chromium): "Automatic" does not take a
// software adapter and trains on wasm, saying why; "WebGPU" trains on it, draws the weights while
// it trains (model files read back asynchronously), reaches the accuracy wasm reaches with the same
// settings, and shows the time per batch on the GPU beside the same network's on wasm. A regression
// goes to the CPU under Automatic (webgpu trains classifiers only so far) and is refused on WebGPU.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { CHROMIUM, haveChromium } from "../helpers/chromium.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, openApp, trainedModel } from "../helpers/webapp.js";

async function train(page: Page, backend: string): Promise<{ data: string; status: string; timing: string; accuracy: number; ms: number; wasmMs: number | null }> {
  await page.selectOption("#train-rows", "1000");
  await page.fill("#hidden-layers", "64");
  await page.fill("#epochs", "1");
  await page.selectOption("#train-backend", backend);
  await page.click("#train-start");
  await page.waitForFunction(() => /^(Done|Training failed)/.test(document.querySelector("#train-status")?.textContent ?? ""), undefined, { timeout: 300_000 });
  const status = (await page.textContent("#train-status")) ?? "";
  assert.match(status, /^Done/, status);
  const wasmMs = await page.getAttribute("#train-timing", "data-wasm-ms-per-batch");
  return {
    data: (await page.textContent("#train-data")) ?? "",
    status,
    timing: (await page.textContent("#train-timing")) ?? "",
    accuracy: Number(await page.getAttribute("#train-status", "data-test-accuracy")),
    ms: Number(await page.getAttribute("#train-timing", "data-ms-per-batch")),
    wasmMs: wasmMs === null ? null : Number(wasmMs),
  };
}

test("the Train view trains on WebGPU when asked, on wasm under Automatic with a software adapter, and shows both times per batch", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
  timeout: 600_000,
}, async () => {
  const { model } = await trainedModel();
  const { browser, page, problems } = await openApp(model, "reduce", { webgpu: true });
  try {
    await page.click("#view-train");
    const auto = await train(page, "auto");
    assert.match(auto.data, /\(wasm backend, \d threads?; no WebGPU: the only adapter is a software rasteriser \(google swiftshader\)\)\.$/, auto.data);
    assert.match(auto.timing, /^Time: CPU \(wasm\): \d+\.\d ms per batch\.$/, auto.timing);
    assert.equal(auto.wasmMs, null);

    const gpu = await train(page, "webgpu");
    assert.match(gpu.data, /\(webgpu backend on google swiftshader, a software adapter: slower than the CPU\)\.$/, gpu.data);
    assert.match(
      gpu.timing,
      /^Time: GPU \(webgpu\): \d+\.\d ms per batch; the CPU \(wasm\), the same network, 4 batches timed after training: \d+\.\d ms per batch \(the (CPU|GPU) is \d+\.\dx faster\)\.$/,
      gpu.timing,
    );
    assert.ok(gpu.ms > 0 && gpu.wasmMs !== null && gpu.wasmMs > 0, gpu.timing);
    // The same seed and settings: the backends differ only in float32 rounding.
    assert.ok(Math.abs(gpu.accuracy - auto.accuracy) <= 0.01, `test accuracy: webgpu ${gpu.accuracy}, wasm ${auto.accuracy}`);
    assert.ok(gpu.accuracy > 0.5, `the network learns on webgpu (chance: 0.1): ${gpu.accuracy}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "train-webgpu.png"), fullPage: true });
    // The weights were drawn from a model file read back from the GPU.
    assert.equal((await page.locator("#train-live img").count()) > 0, true);
    // The model trained on the GPU answers in the See-inside view (on the page's wasm backend).
    await page.click("#use-model");
    await page.waitForFunction(() => /%$/.test(document.querySelector("#answer")?.textContent ?? ""), undefined, { timeout: 30_000 });
    await page.click("#view-train");
    // A regression (a CSV whose label is a price): Automatic trains it on the CPU and says why;
    // WebGPU asked for says it trains classifiers only so far.
    const rows = Array.from({ length: 200 }, (_, i) => `${i % 17},${(i * 7) % 23},${(3 * (i % 17) - 2 * ((i * 7) % 23) + 0.01 * i).toFixed(2)}`);
    await page.setInputFiles("#train-csv", { name: "prices.csv", mimeType: "text/csv", buffer: Buffer.from(`a,b,price\n${rows.join("\n")}\n`) });
    await page.waitForFunction(() => (document.querySelector("#train-label") as HTMLSelectElement | null)?.value === "price");
    await page.fill("#hidden-layers", "16");
    await page.selectOption("#train-backend", "auto");
    await page.click("#train-start");
    await page.waitForFunction(() => /^(Done|Training failed)/.test(document.querySelector("#train-status")?.textContent ?? ""), undefined, { timeout: 120_000 });
    assert.match((await page.textContent("#train-status")) ?? "", /^Done/);
    assert.match((await page.textContent("#train-data")) ?? "", /\(wasm backend, \d threads?; WebGPU trains classifiers only so far\)\.$/);
    await page.selectOption("#train-backend", "webgpu");
    await page.click("#train-start");
    await page.waitForFunction(() => /^(Done|Training failed)/.test(document.querySelector("#train-status")?.textContent ?? ""), undefined, { timeout: 120_000 });
    assert.match((await page.textContent("#train-status")) ?? "", /^Training failed: backend "webgpu" trains classifiers only so far, not a regression/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
