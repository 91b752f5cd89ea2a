// The web app (dist/web, built by `npm run build`) in Chromium, driven by playwright-core: served
// with COOP/COEP like `glassbox serve`, with a model trained here on the embedded Fashion-MNIST
// subset. It reads an uploaded and a dropped PNG, explains with a heat map, follows drawing by
// mouse and keyboard, opens a neuron, trains in a worker, fits 1280x800 and 390x844 screens and is
// keyboard-reachable, all without console errors. Screenshots go to test-artifacts/.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { createReferenceBackend, createWasmBackend, encodeModel, encodePng, encodeWav, loadIdxDirectory, loadTrainingData, trainModel } from "../../src/node.js";
import { CHROMIUM, haveChromium, launchChromium } from "../helpers/chromium.js";
import { featureRows } from "../../src/data/dataset.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WEB = join(ROOT, "dist/web");
const ARTIFACTS = join(ROOT, "test-artifacts");
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
async function trainedModel(layers?: string): Promise<{ model: Uint8Array; png: Uint8Array; label: string }> {
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

function serve(model: Uint8Array): ReturnType<typeof createServer> {
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
async function openApp(
  model: Uint8Array,
  reducedMotion: "reduce" | "no-preference" = "no-preference",
): Promise<{ browser: Awaited<ReturnType<typeof launchChromium>>; page: Page; problems: string[] }> {
  const server = serve(model);
  after(() => server.close());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await launchChromium();
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
async function shownProbabilities(page: Page): Promise<Record<string, number>> {
  return page.$$eval("#probabilities li[data-label]", (items) =>
    Object.fromEntries(items.map((li) => [li.getAttribute("data-label"), Number(li.getAttribute("data-probability"))])),
  );
}

async function waitForChange(page: Page, before: Record<string, number>, what: string): Promise<void> {
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

async function noHorizontalOverflow(page: Page, where: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${where}: the page is ${scroll}px wide in a ${client}px window (horizontal overflow)`);
}

/**
 * Chooses each method of the Why panel's selector in turn; each must draw its heat map (the
 * panel names the method it drew), with no error. Returns the methods offered.
 */
async function everyMethodDraws(page: Page): Promise<string[]> {
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
async function seriousViolations(page: Page): Promise<string[]> {
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
async function drawnNetwork(page: Page): Promise<{ keys: string[]; fills: string[]; lines: number; silentSources: string[] }> {
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
    return { keys: circles.map((c) => c.getAttribute("data-key") ?? ""), fills: circles.map((c) => c.getAttribute("fill") ?? ""), lines: lines.length, silentSources };
  });
}

/** Ids (or tags) of the elements Tab reaches, in order, starting from the top of the page. */
async function tabStops(page: Page, count: number): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: string[] = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press("Tab");
    stops.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || ""));
  }
  return stops;
}

test("the web app: upload, drop, draw, explain, inspect a neuron and train, on a desktop and a phone screen", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  assert.ok(existsSync(join(WEB, "index.html")) && existsSync(join(WEB, "app.js")), "dist/web is missing: run `npm run build` first");
  mkdirSync(ARTIFACTS, { recursive: true });
  const { model, png, label } = await trainedModel();
  const { browser, page, problems } = await openApp(model);
  try {
    assert.match((await page.textContent("#model-summary")) ?? "", /784 → 64 → 10/, "the served model is loaded");
    // The first screen answers the model's first kept example, opened at the top of the page.
    assert.equal(await page.evaluate(() => window.scrollY), 0, "the page opens at the top");
    assert.equal(await page.inputValue("#example-pick"), "0");
    const firstLabel = ((await page.textContent("#example-pick option:checked")) ?? "").replace(/^1: a training /, "");
    assert.match((await page.textContent("#answer")) ?? "", /^[^:]+: \d+(\.\d)?%$/, "an answer without any user action");
    assert.equal(await page.getAttribute("#probabilities li:first-child", "data-label"), firstLabel, "the example is a training row the model gets right");
    await page.waitForSelector("#heatmap");
    assert.deepEqual(await seriousViolations(page), [], "axe-core: no serious or critical violations on the first screen");

    // Upload a test image: the right label on top, and a coloured heat map.
    await page.setInputFiles("#input-file", { name: "item.png", mimeType: "image/png", buffer: Buffer.from(png) });
    await page
      .waitForFunction((expected) => document.querySelector("#answer")?.textContent?.startsWith(`${expected}:`), label, { timeout: 5_000 })
      .catch(async () => assert.fail(`expected the answer "${label}: ..", got "${await page.textContent("#answer")}"`));
    assert.equal(await page.getAttribute("#probabilities li:first-child", "data-label"), label, "the top bar is the right label");
    const coloured = await page.evaluate(async () => {
      const img = document.querySelector<HTMLImageElement>("#heatmap");
      if (!img) return -1;
      await img.decode();
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
      const context = canvas.getContext("2d", { willReadFrequently: true })!;
      context.drawImage(img, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let p = 0; p < data.length; p += 4) if (Math.abs(data[p] - data[p + 2]) > 40) count++;
      return count;
    });
    assert.ok(coloured > 100, `the heat map has red or blue pixels (${coloured})`);
    await page.screenshot({ path: join(ARTIFACTS, "web-see-1280.png"), fullPage: true });

    assert.deepEqual(
      await everyMethodDraws(page),
      ["ig", "shap", "occlusion", "saliency", "smoothgrad", "gradxinput"],
      "a dense network offers every method of the CLI, not Grad-CAM",
    );
    await page.selectOption("#explain-method", "ig");
    await page.waitForFunction(() => /Integrated gradients/.test(document.querySelector("#method-hint")?.textContent ?? ""));

    // The network lights up for this input: lines only leave neurons that fire (the signal, not the weights).
    const lit = await drawnNetwork(page);
    assert.ok(lit.lines > 20, `signal lines are drawn (${lit.lines})`);
    assert.deepEqual(lit.silentSources, [], "every line leaves a neuron whose activation is not 0");

    // Clear the pad (the answer changes), then drop the same image on the input panel.
    let before = await shownProbabilities(page);
    await page.click("#draw-clear");
    await waitForChange(page, before, "clearing the pad");
    // The neurons keep their places, and the blank input lights other ones.
    const blank = await drawnNetwork(page);
    assert.deepEqual(blank.keys, lit.keys, "the same neurons in the same places for both inputs");
    const changed = lit.fills.filter((fill, i) => fill !== blank.fills[i]).length;
    assert.ok(changed >= lit.fills.length / 4, `${changed} of ${lit.fills.length} neurons changed colour between the two inputs`);
    await page.evaluate((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], "dropped.png", { type: "image/png" }));
      const target = document.querySelector("#input-panel")!;
      target.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, Array.from(png));
    await page
      .waitForFunction((expected) => document.querySelector("#answer")?.textContent?.startsWith(`${expected}:`), label, { timeout: 5_000 })
      .catch(() => assert.fail("the dropped image was not read"));

    // Draw with the mouse, then with the keyboard: the probabilities follow.
    before = await shownProbabilities(page);
    const pad = (await page.locator("#draw-pad").boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.2, pad.y + pad.height * 0.2);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(pad.x + pad.width * (0.2 + 0.06 * k), pad.y + pad.height * (0.2 + 0.06 * k));
    await page.mouse.up();
    await waitForChange(page, before, "drawing with the mouse");
    before = await shownProbabilities(page);
    await page.focus("#draw-pad");
    await page.keyboard.press("Space");
    for (let k = 0; k < 8; k++) await page.keyboard.press("ArrowLeft");
    for (let k = 0; k < 8; k++) await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Space");
    await waitForChange(page, before, "drawing with the keyboard");
    assert.match((await page.textContent("#draw-status")) ?? "", /Pen up/);

    // A first-layer neuron, by keyboard: its activation and weight picture.
    await page.focus("#network circle.neuron[tabindex='0']");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#weight-picture", { timeout: 5_000 });
    assert.match((await page.textContent("#neuron-detail")) ?? "", /Layer 1, neuron \d+.*Activation/s);
    assert.match(
      (await page.textContent("#neuron-share")) ?? "",
      /^Its share of “[^”]+” against a black image: ([+−]\d+\.\d|0\.0) points of the [+−]\d+\.\d points move, all of which this layer carries \(conductance; \d+(st|nd|rd|th) largest of 64\)\.$/,
    );
    assert.match((await page.textContent("#neuron-examples")) ?? "", /^Of the model's 10 kept examples, it fires most for: .+ \(.+\)\.$/);
    await page.click("#neuron-visualise");
    await page.waitForSelector("#neuron-visualisation img", { timeout: 10_000 });
    await noHorizontalOverflow(page, "See inside at 1280x800");

    // Tab reaches the view buttons, the file input and the drawing pad's controls.
    const stops = await tabStops(page, 14);
    for (const id of ["view-train", "model-file", "input-file", "draw-pad", "draw-clear", "brush-size"]) {
      assert.ok(stops.includes(id), `Tab reaches #${id}; it went ${stops.join(" > ")}`);
    }

    // A bad hidden-layer field says why; Stop after the first of three epochs keeps that epoch's model.
    await page.click("#view-train");
    await page.fill("#hidden-layers", "48,abc");
    await page.click("#train-start");
    assert.match((await page.textContent("#train-status")) ?? "", /^hidden layers: expected whole numbers from 1 to 1024 separated by commas, like "256,128"; got "48,abc"$/);
    await page.fill("#hidden-layers", "48");
    await page.fill("#epochs", "3");
    await page.selectOption("#train-rows", "10000");
    await page.click("#train-start");
    await page
      .waitForFunction(() => /^Epoch 1 of 3/.test(document.querySelector("#train-status")?.textContent ?? ""), undefined, { timeout: 60_000 })
      .catch(async () => assert.fail(`no first epoch: the status says "${await page.textContent("#train-status")}"`));
    await page.click("#train-stop");
    assert.match((await page.textContent("#train-status")) ?? "", /^Stopped\. Kept the model after epoch 1 \(validation accuracy \d+(\.\d)?%\): use it or download it\.$/);
    assert.equal(await page.isDisabled("#use-model"), false, "Stop keeps a usable model");

    // Train one epoch on 10,000 images in the worker: the curve grows live, and the model can be used.
    await page.fill("#hidden-layers", "48");
    await page.fill("#epochs", "1");
    await page.selectOption("#train-rows", "10000");
    const trainStops = await tabStops(page, 8);
    assert.ok(trainStops.includes("train-start"), `Tab reaches the Train button; it went ${trainStops.join(" > ")}`);
    await page.evaluate(() => {
      // Every point count the chart shows while training, in order.
      const chart = document.querySelector("#loss-chart")!;
      const seen: number[] = [];
      (window as unknown as { chartPoints: number[] }).chartPoints = seen;
      new MutationObserver(() => seen.push(Number(chart.getAttribute("data-points")))).observe(chart, { attributes: true, attributeFilter: ["data-points"] });
    });
    await page.click("#train-start");
    await page.waitForSelector("#use-model:not([disabled])", { timeout: 30_000 });
    const counts = await page.evaluate(() => [...new Set((window as unknown as { chartPoints: number[] }).chartPoints)]);
    assert.ok(counts.length >= 3 && counts.every((n, i) => i === 0 || n > counts[i - 1]), `the loss curve grew point by point while training: ${counts.join(", ")}`);
    assert.match((await page.textContent("#train-status")) ?? "", /Done: 1 epoch/);
    await page.screenshot({ path: join(ARTIFACTS, "web-train-1280.png"), fullPage: true });
    await noHorizontalOverflow(page, "Train at 1280x800");
    await page.click("#use-model");
    await page
      .waitForFunction(() => /784 → 48 → 10/.test(document.querySelector("#model-summary")?.textContent ?? ""), undefined, { timeout: 10_000 })
      .catch(async () => assert.fail(`the trained model is not in use: "${await page.textContent("#model-summary")}"; ${await page.textContent("#message")}`));
    assert.equal(await page.isVisible("#see"), true, "Use this model goes to the See-inside view");

    // A phone screen: no horizontal overflow in either view.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.setInputFiles("#input-file", { name: "item.png", mimeType: "image/png", buffer: Buffer.from(png) });
    await page.waitForSelector("#heatmap");
    await noHorizontalOverflow(page, "See inside at 390x844");
    await page.screenshot({ path: join(ARTIFACTS, "web-see-390.png"), fullPage: true });
    await page.click("#view-train");
    await noHorizontalOverflow(page, "Train at 390x844");
    await page.screenshot({ path: join(ARTIFACTS, "web-train-390.png"), fullPage: true });

    assert.deepEqual(problems, [], "no console errors or warnings");
  } finally {
    await browser.close();
  }
});

test("the web app loads a CNN model, predicts an uploaded image and explains it with a heat map", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  assert.ok(existsSync(join(WEB, "index.html")) && existsSync(join(WEB, "app.js")), "dist/web is missing: run `npm run build` first");
  mkdirSync(ARTIFACTS, { recursive: true });
  const { model, png, label } = await trainedModel("conv:8,relu,maxpool:2,conv:16,relu,maxpool:2");
  const { browser, page, problems } = await openApp(model);
  try {
    assert.match((await page.textContent("#model-summary")) ?? "", /^784 → conv 8 → conv 16 → 10 · image 28x28 gray/, "the summary names the convolutions");
    await page.setInputFiles("#input-file", { name: "item.png", mimeType: "image/png", buffer: Buffer.from(png) });
    await page
      .waitForFunction((expected) => document.querySelector("#answer")?.textContent?.startsWith(`${expected}:`), label, { timeout: 5_000 })
      .catch(async () => assert.fail(`expected the answer "${label}: ..", got "${await page.textContent("#answer")}"`));
    await page.waitForSelector("#heatmap", { timeout: 5_000 });
    await page.screenshot({ path: join(ARTIFACTS, "web-cnn-1280.png"), fullPage: true });
    // Feature maps: 8 and 16 channel tiles of the two blocks, and the first layer's 8 filters; another input lights them differently.
    const maps = async () => page.$$eval("#feature-maps img.map", (images) => images.map((i) => i.getAttribute("src") ?? ""));
    const lit = await maps();
    assert.equal(lit.length, 8 + 16, "one tile per channel of each convolution block");
    assert.equal((await page.$$("#feature-maps img.filter")).length, 8, "the first convolution's 8 filters");
    await page.locator("#feature-maps").screenshot({ path: join(ARTIFACTS, "web-cnn-maps-1280.png") });
    await page.selectOption("#example-pick", "1");
    await page.waitForFunction((old) => document.querySelector("#feature-maps img.map")?.getAttribute("src") !== old, lit[0], { timeout: 5_000 });
    const other = await maps();
    assert.ok(other.filter((src, k) => src !== lit[k]).length >= 12, "most tiles change with the input");
    assert.deepEqual(await everyMethodDraws(page), ["ig", "shap", "occlusion", "saliency", "smoothgrad", "gradxinput", "gradcam"]);
    assert.match((await page.textContent("#explanation-summary")) ?? "", /^Where layer 4 \(14×14\) saw evidence for/, "Grad-CAM reads the last convolution block");
    assert.deepEqual(await seriousViolations(page), [], "axe-core: no serious or critical violations with feature maps and Grad-CAM");
    assert.deepEqual(problems, [], "no console errors or warnings");
  } finally {
    await browser.close();
  }
});

test("the web app opens a table model at its first kept example: the form holds a real row, every method's bars show, and a proposed change flips the answer", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  assert.ok(existsSync(join(WEB, "index.html")), "dist/web is missing: run `npm run build` first");
  // Loans: approved when income is high and the purpose is not "holiday".
  const dir = mkdtempSync(join(tmpdir(), "glassbox-web-table-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = ["income,purpose,decision"];
  for (let i = 0; i < 120; i++) {
    const income = 20 + ((i * 37) % 80);
    const purpose = ["car", "house", "holiday"][i % 3];
    lines.push(`${income},${purpose},${income > 55 && purpose !== "holiday" ? "yes" : "no"}`);
  }
  writeFileSync(join(dir, "loans.csv"), `${lines.join("\n")}\n`);
  const loaded = await loadTrainingData(join(dir, "loans.csv"), { label: "decision" });
  const { network } = await trainModel({ data: loaded.data, featurizer: loaded.featurizer }, { hidden: [16], epochs: 30, lr: 0.01, validation: 0 });
  const { browser, page, problems } = await openApp(encodeModel(network), "reduce");
  try {
    assert.equal(await page.isChecked("#animate-flow"), false, "a reader who prefers reduced motion gets no animation");
    // The first kept example is the first training row of label "no": row 1 (income 20, car).
    assert.equal(await page.inputValue("#column-0"), "20");
    assert.equal(await page.inputValue("#column-1"), "car");
    await page.waitForFunction(() => /^(yes|no): /.test(document.querySelector("#answer")?.textContent ?? ""), undefined, { timeout: 5_000 });
    for (const method of await page.$$eval("#explain-method option", (options) => options.map((o) => (o as HTMLOptionElement).value))) {
      await page.selectOption("#explain-method", method);
      await page.waitForSelector(`#explanation[data-method="${method}"] .signed-bars li`, { timeout: 10_000 });
      assert.equal(await page.$("#explanation .error"), null, `${method}: no error`);
    }
    // What would change the decision: each set the panel proposes, applied, flips the answer; a kept column never changes.
    const answered = ((await page.textContent("#answer")) ?? "").split(":")[0];
    await page.check("#keep-1"); // purpose stays as it is
    await page.click("#counterfactual-find");
    await page.waitForSelector("#counterfactual-list li", { timeout: 10_000 });
    const proposals = await page.$$eval("#counterfactual-list li", (items) => items.map((li) => li.textContent ?? ""));
    assert.ok(proposals.length >= 1 && proposals.every((p) => /^income /.test(p) && !/purpose/.test(p)), `only income changes: ${proposals.join(" | ")}`);
    await page.click("#counterfactual-apply-0");
    await page
      .waitForFunction((before) => !(document.querySelector("#answer")?.textContent ?? "").startsWith(`${before}:`), answered, { timeout: 5_000 })
      .catch(async () => assert.fail(`applying "${proposals[0]}" left the answer at "${await page.textContent("#answer")}"`));
    assert.equal(await page.inputValue("#column-1"), "car", "the kept column is unchanged");
    await page.screenshot({ path: join(ARTIFACTS, "web-table-counterfactual-1280.png"), fullPage: true });
    assert.deepEqual(await seriousViolations(page), [], "axe-core: no serious or critical violations with the form and the counterfactuals");

    // Categories come from a dropdown; a CSV row fills the form, and a category the model never saw is flagged.
    assert.deepEqual(await page.$$eval("#column-1 option", (options) => options.map((o) => (o as HTMLOptionElement).value)), ["car", "holiday", "house", "other"]);
    await page.setInputFiles("#input-file", { name: "applicant.csv", mimeType: "text/csv", buffer: Buffer.from("purpose,income\nyacht,90\n") });
    await page.waitForFunction(() => /yacht/.test(document.querySelector("#message")?.textContent ?? ""), undefined, { timeout: 5_000 });
    assert.match((await page.textContent("#message")) ?? "", /^Read row 1 of applicant.csv\. “yacht” is not a purpose the model knows \(it reads it as other\)\.$/);
    assert.deepEqual([await page.inputValue("#column-0"), await page.inputValue("#column-1")], ["90", "other"]);

    await page.selectOption("#example-pick", "1");
    await page.waitForFunction(() => (document.querySelector<HTMLInputElement>("#column-0")?.value ?? "") !== "20", undefined, { timeout: 5_000 });
    await page.screenshot({ path: join(ARTIFACTS, "web-table-1280.png"), fullPage: true });
    assert.deepEqual(problems, [], "no console errors or warnings");
  } finally {
    await browser.close();
  }
});

test("the web app opens sound and text models at their first kept example, with an answer and every method's explanation", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  assert.ok(existsSync(join(WEB, "index.html")), "dist/web is missing: run `npm run build` first");
  const dir = mkdtempSync(join(tmpdir(), "glassbox-web-kinds-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Sounds: a steady tone against a rising chirp, 0.5 s at 8 kHz in a 1 s clip.
  for (const [kind, k] of [
    ["tone", 0],
    ["chirp", 1],
  ] as const) {
    mkdirSync(join(dir, "sounds", kind), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const samples = new Float32Array(8000);
      for (let t = 0; t < 4000; t++) {
        const time = t / 8000;
        samples[1000 + i * 100 + t] = 0.5 * Math.sin(2 * Math.PI * (k === 0 ? (400 + 20 * i) * time : 300 * time + 2000 * time * time));
      }
      writeFileSync(join(dir, "sounds", kind, `${i}.wav`), encodeWav({ rate: 8000, samples }));
    }
  }
  // Texts: two topics.
  for (const [label, words] of Object.entries({ sport: ["match", "goal", "team", "score"], cooking: ["oven", "flour", "butter", "bake"] })) {
    mkdirSync(join(dir, "texts", label), { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, "texts", label, `${i}.txt`), Array.from({ length: 10 }, (_, w) => words[(i + w * 3) % 4]).join(" "));
  }
  for (const [folder, options, picture] of [
    ["sounds", { sound: { rate: 8000 } }, true],
    ["texts", {}, false],
  ] as const) {
    const loaded = await loadTrainingData(join(dir, folder), options);
    const { network } = await trainModel({ data: loaded.data, featurizer: loaded.featurizer }, { hidden: [16], epochs: 20, lr: 0.01, validation: 0 });
    const { browser, page, problems } = await openApp(encodeModel(network), "reduce");
    try {
      assert.equal(await page.inputValue("#example-pick"), "0", `${folder}: the first screen starts from the first kept example`);
      await page.waitForFunction(() => /^[a-z]+: \d/.test(document.querySelector("#answer")?.textContent ?? ""), undefined, { timeout: 5_000 });
      for (const method of await page.$$eval("#explain-method option", (options) => options.map((o) => (o as HTMLOptionElement).value))) {
        await page.selectOption("#explain-method", method);
        // A sound is explained over its spectrogram; a text's words as bars (its example has features, not the raw text).
        await page
          .waitForSelector(`#explanation[data-method="${method}"] ${picture ? "#heatmap" : ".signed-bars li"}`, { timeout: 20_000 })
          .catch(async () => assert.fail(`${folder} ${method}: no explanation drawn; the panel says "${await page.textContent("#explanation")}"`));
        assert.equal(await page.$("#explanation .error"), null, `${folder} ${method}: no error`);
      }
      await page.screenshot({ path: join(ARTIFACTS, `web-${folder}-1280.png`), fullPage: true });
      assert.deepEqual(await seriousViolations(page), [], `${folder}: axe-core finds no serious or critical violations`);
      assert.deepEqual(problems, [], `${folder}: no console errors or warnings`);
    } finally {
      await browser.close();
    }
  }
});
