// npm run bench:web [-- --seconds 4]: the web glass box's speed in headless Chromium (Debian's
// chromium, playwright-core), served by Glassbox's own server (as `glassbox serve` does, with
// COOP/COEP, so the page gets wasm threads):
// - time to first answer: from the start of navigation to the first answer on the page (the
//   model's first kept example), with the model file served; also from the load event;
// - drawing: a pen moved over the pad for --seconds, once per animation frame; the pad answers
//   (probabilities and network every frame, the explanation at most every 100 ms, the feature
//   maps when the pen lifts) once per animation frame at most, so answers per second is the
//   frame rate the page keeps up with while drawing.
// For the Fashion-MNIST MLP (784-256-128-10) and the canonical Fashion-MNIST CNN, each trained
// for one epoch on the embedded subset. Prints one JSON object on stdout.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createWasmBackend, loadIdxDirectory, trainModel } from "../src/node.js";
import { createServer } from "../src/server/index.js";

const args = process.argv.slice(2);
const secondsAt = args.indexOf("--seconds");
const seconds = secondsAt >= 0 ? Number(args[secondsAt + 1]) : 4;
if (!(seconds > 0)) throw new Error(`--seconds expects a positive number, got ${args[secondsAt + 1]}`);
const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) throw new Error(`bench:web needs ${CHROMIUM} (apt-get install -y chromium)`);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEB = join(ROOT, "dist/web");
if (!existsSync(join(WEB, "index.html"))) throw new Error("dist/web is missing: run `npm run build` first");
const log = (text: string): void => void process.stderr.write(`${text}\n`);

const dir = join(ROOT, "data/fashion-mnist-small");
const train = await loadIdxDirectory(dir, "train");
const backend = await createWasmBackend();
if (!backend) throw new Error("the wasm backend did not load");
const image = { kind: "image" as const, height: 28, width: 28, channels: 1 as const };
const { chromium } = await import("playwright-core");
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
const results: Record<string, unknown>[] = [];
const models: [string, { hidden?: number[] }][] = [
  ["Fashion-MNIST MLP 784-256-128-10", { hidden: [256, 128] }],
  ["canonical Fashion-MNIST CNN", {}],
];
for (const [name, shape] of models) {
  log(`bench web: training the ${name} for one epoch on ${train.rows} images`);
  const { network } = await trainModel({ data: train, featurizer: image }, { ...shape, epochs: 1, backend });
  const server = createServer(network, { workers: 0, webRoot: WEB });
  const url = await server.listen(0, "127.0.0.1");
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const started = performance.now();
  await page.goto(`${url}/`);
  await page.waitForFunction(() => /%$/.test(document.querySelector("#answer")?.textContent ?? ""), undefined, { timeout: 60_000 });
  const firstAnswerMs = performance.now() - started;
  const inPage = await page.evaluate(() => performance.now());
  // The load event (the page and its scripts read): what "after the page loads" may also mean.
  const loaded = (await page.evaluate(`performance.getEntriesByType("navigation")[0].loadEventEnd`)) as number;

  results.push({
    model: name,
    first_answer_ms: Math.round(firstAnswerMs),
    first_answer_in_page_ms: Math.round(inPage),
    first_answer_after_load_event_ms: loaded > 0 ? Math.round(inPage - loaded) : null,
    drawing_answers_per_second: Number((await answersPerSecond(page, seconds)).toFixed(1)),
  });
  await page.close();
  await server.close();
}
await browser.close();
backend.close();
process.stdout.write(`${JSON.stringify({ bench: "web", browser: "chromium headless", results })}\n`);

/**
 * Answers per second while the pen draws. The mouse button is pressed for real (the pad
 * captures that pointer); then the page itself moves the pen once per animation frame (as a
 * real mouse's events arrive, coalesced to frames), so the figure is the page's own frame rate,
 * not the rate at which a test driver can send events. A frame counts when both the answer bars
 * and the network drawing changed in it.
 */
async function answersPerSecond(page: import("playwright-core").Page, seconds: number): Promise<number> {
  const pad = (await page.locator("#draw-pad").boundingBox())!;
  await page.mouse.move(pad.x + pad.width * 0.3, pad.y + pad.height * 0.3);
  await page.mouse.down();
  // A string, so that the bundler's helpers never reach the page.
  const rate = (await page.evaluate(`new Promise((resolve) => {
    const pad = document.querySelector("#draw-pad");
    const box = pad.getBoundingClientRect();
    let bars = false, network = false;
    new MutationObserver(() => (bars = true)).observe(document.querySelector("#probabilities"), { childList: true, subtree: true, attributes: true });
    new MutationObserver(() => (network = true)).observe(document.querySelector("#network"), { childList: true, subtree: true, attributes: true });
    let frames = 0, k = 0;
    const started = performance.now();
    const tick = () => {
      if (bars && network) frames++;
      bars = network = false;
      k++;
      const x = box.x + box.width * (0.5 + 0.35 * Math.cos(k / 10));
      const y = box.y + box.height * (0.5 + 0.35 * Math.sin(k / 5));
      pad.dispatchEvent(new PointerEvent("pointermove", { pointerId: 1, pointerType: "mouse", clientX: x, clientY: y, buttons: 1, bubbles: true }));
      if (performance.now() - started < ${seconds * 1000}) requestAnimationFrame(tick);
      else resolve(frames / ((performance.now() - started) / 1000));
    };
    requestAnimationFrame(tick);
  })`)) as number;
  await page.mouse.up();
  return rate;
}
