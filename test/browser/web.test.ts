// The web app (dist/web, built by `npm run build`) in Chromium, driven by playwright-core: served
// with COOP/COEP like `glassbox serve`, with a model trained here on the embedded Fashion-MNIST
// subset. It opens at the top on the model's first kept example, reads an uploaded and a dropped
// PNG, explains by every method with a heat map, lights fixed neurons with the signal for each
// input, follows drawing by mouse and keyboard, opens a neuron, trains in a worker (Stop keeps a
// model), shows a CNN's feature maps, fits 1280x800 and 390x844 screens, is keyboard-reachable and
// passes axe-core's serious and critical rules, all without console errors. Screenshots go to
// test-artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM, haveChromium } from "../helpers/chromium.js";
import {
  WEB,
  ARTIFACTS,
  trainedModel,
  openApp,
  shownProbabilities,
  waitForChange,
  noHorizontalOverflow,
  everyMethodDraws,
  seriousViolations,
  drawnNetwork,
  tabStops,
  allOnFirstScreen,
  panelTops,
} from "../helpers/webapp.js";

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
    await allOnFirstScreen(page, "a dense model at 1280x800");

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
    const beforeStroke = await drawnNetwork(page);
    await page.mouse.move(pad.x + pad.width * 0.2, pad.y + pad.height * 0.2);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(pad.x + pad.width * (0.2 + 0.06 * k), pad.y + pad.height * (0.2 + 0.06 * k));
    // While the pen is down the colours follow in place; the words follow when it lifts.
    const during = await drawnNetwork(page);
    assert.deepEqual(during.keys, beforeStroke.keys, "a stroke keeps the neurons in their places");
    assert.ok(
      during.fills.some((fill, i) => fill !== beforeStroke.fills[i]),
      "the neurons' colours follow the stroke before the pen lifts",
    );
    await page.mouse.up();
    await waitForChange(page, before, "drawing with the mouse");
    await page
      .waitForFunction(
        (old) => {
          const labels = Array.from(document.querySelectorAll("#network circle.neuron"), (c) => c.getAttribute("aria-label"));
          return labels.filter((label, i) => label !== old[i]).length >= labels.length / 4;
        },
        beforeStroke.labels,
        { timeout: 5_000 },
      )
      .catch(() => assert.fail("once the pen lifts, the neurons' words say their new activations"));
    const lifted = await drawnNetwork(page);
    assert.deepEqual(lifted.silentSources, [], "and every line leaves a neuron whose activation is not 0");
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

    // A bad hidden-layer field says why; Stop after the first of twenty epochs keeps the best epoch's model so far.
    await page.click("#view-train");
    await page.fill("#hidden-layers", "48,0");
    await page.click("#train-start");
    assert.match((await page.textContent("#train-status")) ?? "", /^hidden layers: expected whole numbers from 1 to 1024 separated by commas, like "256,128"; got "48,0"$/);
    // Layers in words are checked against the data by the worker, which names the field.
    await page.fill("#hidden-layers", "48,abc");
    await page.fill("#learning-rate", "0");
    await page.click("#train-start");
    assert.match((await page.textContent("#train-status")) ?? "", /^learning rate: expected a number above 0 and below 10, like 0.001; got "0"$/);
    await page.fill("#learning-rate", "0.001");
    await page.click("#train-start");
    await page
      .waitForFunction(() => /^Training failed: layers: unknown layer "48"/.test(document.querySelector("#train-status")?.textContent ?? ""), undefined, { timeout: 30_000 })
      .catch(async () => assert.fail(`no message for the bad layers: the status says "${await page.textContent("#train-status")}"`));
    assert.equal(await page.getAttribute("#hidden-layers", "aria-invalid"), "true", "the layers field is marked");
    await page.fill("#hidden-layers", "48");
    await page.fill("#epochs", "20");
    await page.selectOption("#train-rows", "10000");
    await page.click("#train-start");
    await page
      .waitForFunction(() => /^Epoch 1 of 20/.test(document.querySelector("#train-status")?.textContent ?? ""), undefined, { timeout: 60_000 })
      .catch(async () => assert.fail(`no first epoch: the status says "${await page.textContent("#train-status")}"`));
    await page.click("#train-stop");
    // Another epoch may end before the click lands: any epoch before the last.
    const stopped = (await page.textContent("#train-status")) ?? "";
    const kept = /^Stopped\. Kept the model after epoch (\d+) \(validation accuracy \d+(\.\d)?%\): use it or download it\.$/.exec(stopped);
    assert.ok(kept && Number(kept[1]) >= 1 && Number(kept[1]) < 20, `the status says which epoch's model was kept: "${stopped}"`);
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
    const phone = await panelTops(page);
    assert.ok(
      phone.input < phone.answer && phone.answer < phone.why && phone.why < phone.network,
      `on a phone the parts read input, answer, why, network: ${JSON.stringify(phone)}`,
    );
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
    await allOnFirstScreen(page, "a CNN at 1280x800");
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
    // A stroke on the pad: the maps wait for the pen to lift, then follow the drawing.
    await page.locator("#draw-pad").scrollIntoViewIfNeeded(); // the maps' screenshot scrolled it away
    const pad = (await page.locator("#draw-pad").boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.1, pad.y + pad.height * 0.5);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(pad.x + pad.width * (0.1 + 0.08 * k), pad.y + pad.height * 0.5);
    await page.mouse.up();
    await page
      .waitForFunction((old) => Array.from(document.querySelectorAll("#feature-maps img.map")).some((img, k) => img.getAttribute("src") !== old[k]), other, { timeout: 5_000 })
      .catch(() => assert.fail("the feature maps did not follow the stroke once the pen lifted"));
    assert.deepEqual(await everyMethodDraws(page), ["ig", "shap", "occlusion", "saliency", "smoothgrad", "gradxinput", "gradcam"]);
    assert.match((await page.textContent("#explanation-summary")) ?? "", /^Where layer 4 \(14×14\) saw evidence for/, "Grad-CAM reads the last convolution block");
    assert.deepEqual(await seriousViolations(page), [], "axe-core: no serious or critical violations with feature maps and Grad-CAM");
    await noHorizontalOverflow(page, "a CNN at 1280x800");
    await page.setViewportSize({ width: 390, height: 844 });
    await noHorizontalOverflow(page, "a CNN at 390x844");
    assert.deepEqual(problems, [], "no console errors or warnings");
  } finally {
    await browser.close();
  }
});
