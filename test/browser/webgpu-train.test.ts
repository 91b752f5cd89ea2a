// Training on the webgpu backend (SwiftShader, in headless Chromium) against the wasm backend (in
// Node), the same seed: the canonical MLP on the first 2,000 training and 1,000 test images of the
// embedded Fashion-MNIST subset for 2 epochs, and the canonical Fashion-MNIST CNN on 640 and 320
// for 1 epoch. The held-out accuracies must agree within 0.5 points and the losses within 1%: the
// backends differ only in float32 rounding. (Full epochs are the benchmark's.)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { createWasmBackend } from "../../src/backends/wasm/index.js";
import { selectRows, type Dataset } from "../../src/data/dataset.js";
import { loadIdxDirectory } from "../../src/data/files.js";
import { parseLayers } from "../../src/layers/parse.js";
import { createMlp } from "../../src/model/mlp.js";
import { fit } from "../../src/train/fit.js";
import { CHROMIUM, haveChromium, launchChromium } from "../helpers/chromium.js";
import type { TrainWindow } from "./webgpu-train-page.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DATA = join(ROOT, "data/fashion-mnist-small");
const CNN = "conv:32,relu,maxpool:2,conv:64,relu,maxpool:2,dense:128,relu"; // bench/cnn.ts's fmnist network
const first = (data: Dataset, n: number): Dataset =>
  selectRows(
    data,
    Int32Array.from({ length: n }, (_, i) => i),
  );

const files: Record<string, Uint8Array | string> = {};
const server = createServer((request, response) => {
  const body = files[request.url ?? ""];
  const type = request.url === "/page.js" ? "text/javascript" : request.url === "/" ? "text/html" : "application/octet-stream";
  if (body === undefined) response.writeHead(404).end();
  else response.writeHead(200, { "Content-Type": type }).end(body);
});
after(() => server.close());

for (const { name, layers, rows, epochs } of [
  { name: "the canonical MLP", layers: null, rows: [2000, 1000], epochs: 2 },
  { name: "the canonical Fashion-MNIST CNN", layers: CNN, rows: [640, 320], epochs: 1 },
]) {
  test(`${name} trained on webgpu reaches wasm's held-out accuracy within 0.5 points, same seed`, {
    skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
    timeout: 15 * 60_000,
  }, async (t) => {
    const train = first(await loadIdxDirectory(DATA, "train"), rows[0]);
    const heldOut = first(await loadIdxDirectory(DATA, "test"), rows[1]);
    const wasm = await createWasmBackend({ threads: 1 });
    assert.ok(wasm, "the wasm backend loads");
    const shape = [28, 28, 1];
    const network = layers
      ? createMlp({ inputs: shape, layers: parseLayers(layers, shape), labels: train.labelNames, seed: 1, backend: wasm })
      : createMlp({ inputs: 784, hidden: [256, 128], labels: train.labelNames, seed: 1, backend: wasm });
    const expected = (await fit(network, train, { epochs, batchSize: 64, lr: 0.001, validation: heldOut, seed: 1 })).history;

    const entry = join(ROOT, "test/browser/webgpu-train-page.ts");
    files["/"] = `<!doctype html><meta charset="utf-8"><title>webgpu training</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>`;
    files["/page.js"] = (
      await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" })
    ).outputFiles[0].text;
    files["/setup.json"] = JSON.stringify({ labelNames: train.labelNames, epochs, layers });
    files["/train.features"] = train.features as Uint8Array;
    files["/train.labels"] = Uint8Array.from(train.labels as Int32Array);
    files["/test.features"] = heldOut.features as Uint8Array;
    files["/test.labels"] = Uint8Array.from(heldOut.labels as Int32Array);
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const browser = await launchChromium({ webgpu: true });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => (window as unknown as TrainWindow).result !== undefined, undefined, { timeout: 14 * 60_000, polling: 500 });
      const result = await page.evaluate(() => (window as unknown as TrainWindow).result);
      assert.ok(result && !("error" in result), `the page trained: ${JSON.stringify(result)}`);
      assert.deepEqual(errors, []);
      const wanted = expected.map((e) => e.validationAccuracy as number);
      t.diagnostic(`webgpu on ${result.adapter}: ${result.seconds.toFixed(1)} s; held-out accuracy ${JSON.stringify(result.accuracies)}, wasm ${JSON.stringify(wanted)}`);
      result.accuracies.forEach((accuracy, epoch) => {
        assert.ok(Math.abs((accuracy as number) - wanted[epoch]) <= 0.005, `epoch ${epoch + 1}: webgpu ${accuracy}, wasm ${wanted[epoch]}`);
        assert.ok(
          Math.abs(result.losses[epoch] - expected[epoch].loss) <= 0.01 * expected[epoch].loss,
          `epoch ${epoch + 1} loss: webgpu ${result.losses[epoch]}, wasm ${expected[epoch].loss}`,
        );
      });
      assert.ok(wanted[epochs - 1] > 0.6, `the network learns (wasm: ${wanted[epochs - 1]})`);
    } finally {
      await browser.close();
    }
  });
}
