// The web app for table, sound and text models in Chromium: each opens at its first kept example
// with an answer; every method of the selector explains it; a table model's form holds a real row,
// takes a CSV row and flags unknown categories, and its counterfactual panel flips the answer.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { encodeModel, encodeWav, loadTrainingData, trainModel } from "../../src/node.js";
import { CHROMIUM, haveChromium } from "../helpers/chromium.js";
import { WEB, ARTIFACTS, allOnFirstScreen, drawnNetwork, noHorizontalOverflow, openApp, seriousViolations } from "../helpers/webapp.js";

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
    await allOnFirstScreen(page, "a table model at 1280x800");
    const firstRow = await drawnNetwork(page);
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
    await litDifferently(page, firstRow, "the table's two examples");
    await page.screenshot({ path: join(ARTIFACTS, "web-table-1280.png"), fullPage: true });
    await noHorizontalOverflow(page, "a table model at 1280x800");
    await page.setViewportSize({ width: 390, height: 844 });
    await noHorizontalOverflow(page, "a table model at 390x844");
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
      await allOnFirstScreen(page, `${folder} at 1280x800`);
      const first = await drawnNetwork(page);
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
      await page.selectOption("#example-pick", "1");
      await litDifferently(page, first, `${folder}: the two examples`);
      await noHorizontalOverflow(page, `${folder} at 1280x800`);
      await page.setViewportSize({ width: 390, height: 844 });
      await noHorizontalOverflow(page, `${folder} at 390x844`);
      assert.deepEqual(problems, [], `${folder}: no console errors or warnings`);
    } finally {
      await browser.close();
    }
  }
});

/** Waits until the drawn neurons, in the same places as in `before`, have changed colour: another input lights others. */
async function litDifferently(page: Page, before: Awaited<ReturnType<typeof drawnNetwork>>, what: string): Promise<void> {
  await page
    .waitForFunction((fills) => Array.from(document.querySelectorAll("#network circle.neuron"), (c) => c.getAttribute("fill")).some((fill, i) => fill !== fills[i]), before.fills, {
      timeout: 5_000,
    })
    .catch(() => assert.fail(`${what} light the same neurons`));
  const after = await drawnNetwork(page);
  assert.deepEqual(after.keys, before.keys, `${what}: the neurons keep their places`);
  const changed = after.fills.filter((fill, i) => fill !== before.fills[i]).length;
  assert.ok(changed >= before.fills.length / 4, `${what}: ${changed} of ${before.fills.length} neurons changed colour`);
}

test("a two-label model with its own decision threshold answers by it on the page, as predict does", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-web-threshold-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = ["income,decision"];
  for (let i = 79; i >= 0; i--) lines.push(`${i},${i >= 40 ? "yes" : "no"}`); // the first "yes" row kept is income 79
  writeFileSync(join(dir, "t.csv"), `${lines.join("\n")}\n`);
  const loaded = await loadTrainingData(join(dir, "t.csv"), { label: "decision" });
  const { network } = await trainModel({ data: loaded.data, featurizer: loaded.featurizer }, { hidden: [8], epochs: 30, lr: 0.01, validation: 0 });
  // The second kept example is a "yes" row the model calls yes at 0.5; a threshold above its probability makes it "no".
  const yes = network.examples?.features.subarray(network.inputs, 2 * network.inputs) ?? new Float32Array(network.inputs);
  const p = network.predict(yes, 1)[0];
  assert.ok(p > 0.5, `the "yes" example scores ${p} for yes`);
  network.setThreshold((p + 1) / 2);
  const { browser, page, problems } = await openApp(encodeModel(network), "reduce");
  try {
    await page.waitForFunction(() => /^(yes|no): /.test(document.querySelector("#answer")?.textContent ?? ""), undefined, { timeout: 5_000 });
    await page.selectOption("#example-pick", "1");
    await page.waitForFunction(() => (document.querySelector<HTMLInputElement>("#column-0")?.value ?? "") === "79", undefined, { timeout: 5_000 });
    assert.match((await page.textContent("#answer")) ?? "", /^no: /, `the "yes" example scores ${p.toFixed(3)} for yes, under the model's threshold ${((p + 1) / 2).toFixed(3)}`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
