// The web app as the browser tests drive it: a trained model, the app served with COOP/COEP like
// `glassbox serve`, Chromium open at 1280x800, and what the tests read off the page.
import { after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { createReferenceBackend, createWasmBackend, encodeModel, encodePng, loadIdxDirectory, trainModel } from "../../src/node.js";
import { featureRows } from "../../src/data/dataset.js";
import { launchChromium } from "./chromium.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WEB = join(ROOT, "dist/web");
export const ARTIFACTS = join(ROOT, "test-artifacts");
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".gz": "application/octet-stream",
  ".md": "text/markdown",
};

/** A 784-64-10 model (or one of `layers`) trained for 3 epochs, and a test image it classifies right and confidently. */
export async function trainedModel(layers?: string): Promise<{ model: Uint8Array; png: Uint8Array; label: string }> {
  const dir = join(ROOT, "data/fashion-mnist-small");
  const [train, testSet] = await Promise.all([loadIdxDirectory(dir, "train"), loadIdxDirectory(dir, "test")]);
  const backend = (await createWasmBackend({ threads: 1 })) ?? createReferenceBackend();
  const image = { kind: "image" as const, height: 28, width: 28, channels: 1 as const };
  const shape = layers ? { layers } : { hidden: [64] };
  const { network } = await trainModel({ data: train, featurizer: image }, { ...shape, epochs: 3, backend });
  const answers = network.predict(featureRows(testSet), testSet.rows);
  for (let i = 0; i < testSet.rows; i++) {
    const row = answers.subarray(i * 10, (i + 1) * 10);
    const best = row.indexOf(Math.max(...row));
    if (best !== testSet.labels![i] || row[best] < 0.9) continue;
    const rgba = new Uint8Array(784 * 4);
    for (let p = 0; p < 784; p++) rgba.set([...Array(3).fill(testSet.features[i * 784 + p]), 255], p * 4);
    return { model: encodeModel(network), png: encodePng(28, 28, rgba), label: train.labelNames[best] };
  }
  throw new Error("no test image is classified right with 90% confidence: the model did not train");
}

export function serve(model: Uint8Array): ReturnType<typeof createServer> {
  return createServer((request, response) => {
    const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === "/model.safetensors") {
      response.writeHead(200, { ...headers, "Content-Type": "application/octet-stream" }).end(model);
      return;
    }
    const file = normalize(join(WEB, path === "/" ? "index.html" : path));
    if (!file.startsWith(WEB) || !existsSync(file)) {
      response.writeHead(404, headers).end();
      return;
    }
    response.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
}

/** The app served with `model`, open in Chromium at 1280x800 once it says it is ready; console errors and warnings are collected. */
export async function openApp(
  model: Uint8Array,
  reducedMotion: "reduce" | "no-preference" = "no-preference",
  options: { webgpu?: boolean } = {},
): Promise<{ browser: Awaited<ReturnType<typeof launchChromium>>; page: Page; problems: string[] }> {
  const server = serve(model);
  after(() => server.close());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await launchChromium(options);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, reducedMotion });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  return { browser, page, problems };
}

/** Probability per label as shown in the bars. */
export async function shownProbabilities(page: Page): Promise<Record<string, number>> {
  return page.$$eval("#probabilities li[data-label]", (items) =>
    Object.fromEntries(items.map((li) => [li.getAttribute("data-label"), Number(li.getAttribute("data-probability"))])),
  );
}

export async function waitForChange(page: Page, before: Record<string, number>, what: string): Promise<void> {
  await page
    .waitForFunction(
      (old) => {
        const items = Array.from(document.querySelectorAll("#probabilities li[data-label]"));
        return items.some((li) => Math.abs(Number(li.getAttribute("data-probability")) - (old[li.getAttribute("data-label") ?? ""] ?? -1)) > 1e-4);
      },
      before,
      { timeout: 5_000 },
    )
    .catch(() => assert.fail(`${what}: the probabilities did not change`));
}

export async function noHorizontalOverflow(page: Page, where: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${where}: the page is ${scroll}px wide in a ${client}px window (horizontal overflow)`);
}

/**
 * Chooses each method of the Why panel's selector in turn; each must draw its heat map (the
 * panel names the method it drew), with no error. Returns the methods offered.
 */
export async function everyMethodDraws(page: Page): Promise<string[]> {
  const methods = await page.$$eval("#explain-method option", (options) => options.map((o) => (o as HTMLOptionElement).value));
  for (const method of methods) {
    await page.selectOption("#explain-method", method);
    await page
      .waitForSelector(`#explanation[data-method="${method}"] #heatmap`, { timeout: 20_000 })
      .catch(async () => assert.fail(`--method ${method}: no new heat map; the panel says "${await page.textContent("#explanation")}"`));
    assert.equal(await page.$("#explanation .error"), null, `${method}: no error`);
  }
  return methods;
}

/** axe-core's serious and critical accessibility violations on the page as it is now, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: join(ROOT, "node_modules/axe-core/axe.min.js") });
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as {
    violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}: ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
}

/** The drawn neurons (keys and fills, in drawing order), how many signal lines, and the lines that leave a neuron whose activation is 0. */
export async function drawnNetwork(page: Page): Promise<{ keys: string[]; fills: string[]; labels: string[]; lines: number; silentSources: string[] }> {
  return page.evaluate(() => {
    const circles = Array.from(document.querySelectorAll("#network circle.neuron"));
    const activation = new Map(circles.map((c) => [c.getAttribute("data-key"), c.getAttribute("aria-label") ?? ""]));
    const lines = Array.from(document.querySelectorAll("#network .weights line[data-from]"));
    const silentSources = lines
      .map((line) => {
        const layer = Number(line.closest("g[data-layer]")?.getAttribute("data-layer"));
        return `${layer - 1}:${line.getAttribute("data-from")}`;
      })
      .filter((key) => /activation 0$/.test(activation.get(key) ?? ""));
    return {
      keys: circles.map((c) => c.getAttribute("data-key") ?? ""),
      fills: circles.map((c) => c.getAttribute("fill") ?? ""),
      labels: circles.map((c) => c.getAttribute("aria-label") ?? ""),
      lines: lines.length,
      silentSources,
    };
  });
}

/** Ids (or tags) of the elements Tab reaches, in order, starting from the top of the page. */
export async function tabStops(page: Page, count: number): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: string[] = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press("Tab");
    stops.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || ""));
  }
  return stops;
}

/** Where the See view's four parts start on the screen (px from the top of the viewport), in reading order. */
export async function panelTops(page: Page): Promise<{ input: number; answer: number; why: number; network: number; diagram: number }> {
  const top = async (selector: string): Promise<number> => (await page.locator(selector).boundingBox())?.y ?? Infinity;
  return {
    input: await top("#input-panel"),
    answer: await top("#answer-panel"),
    why: await top("#explain-panel"),
    network: await top("#network-panel"),
    diagram: await top("#network"),
  };
}

/** At 1280x800 the input, the answer, the why and at least 100 px of the network diagram are on the first screen. */
export async function allOnFirstScreen(page: Page, what: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const tops = await panelTops(page);
  const height = page.viewportSize()?.height ?? 800;
  assert.ok(
    tops.input < height && tops.answer < height && tops.why < height && tops.diagram + 100 <= height,
    `${what}: every part starts on the first screen: ${JSON.stringify(tops)}`,
  );
}
