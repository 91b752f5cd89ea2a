// train --report / evaluate --report write one self-contained HTML page that renders in Chromium
// with no console errors, and --curves a PNG; the page's numbers are evaluate's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeImage } from "../../src/featurizers/image/index.js";
import { CHROMIUM, haveChromium, launchChromium } from "../helpers/chromium.js";
import { lastJson, ROOT, scratch } from "../helpers/glassbox.js";
import { ARTIFACTS } from "../helpers/webapp.js";

const { dir, glassbox } = scratch("glassbox-report-");
const skip = haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`;

/** The page opened from disk: console errors, and what the test reads off it. */
async function open(file: string, shot: string): Promise<{ errors: string[]; charts: string[]; confusion: number[][]; text: string }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(`file://${file}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
    const charts = await page.$$eval("svg", (svgs) => svgs.map((s) => s.getAttribute("aria-label") ?? ""));
    const confusion = await page.$$eval("table.confusion tr", (rows) => rows.slice(1).map((r) => Array.from(r.querySelectorAll("td"), (td) => Number(td.textContent))));
    const text = await page.evaluate("document.body.innerText");
    return { errors, charts, confusion, text: String(text) };
  } finally {
    await browser.close();
  }
}

test("a two-label table: train --report and --curves, evaluate --report; the page renders, and its confusion matrix is evaluate's", { skip }, async () => {
  const trained = glassbox(
    "train",
    join(ROOT, "data/tables/breast-cancer-train.csv"),
    "--out",
    "bc.safetensors",
    "--epochs",
    "40",
    "--report",
    "train.html",
    "--curves",
    "curves.png",
  );
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /report: train\.html\ntraining curves: curves\.png/);
  const test = join(ROOT, "data/tables/breast-cancer-test.csv");
  const evaluated = glassbox("evaluate", "bc.safetensors", test, "--report", "test.html", "--json");
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const page = await open(join(dir, "test.html"), "report-binary.png");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.confusion, lastJson(evaluated.stdout).confusion_matrix);
  for (const name of ["Loss", "Accuracy", "ROC curve", "Precision-recall"])
    assert.ok(
      page.charts.some((c) => c.startsWith(name)),
      `a ${name} chart among ${page.charts.join(" | ")}`,
    );
  assert.match(page.text, /40 epochs/);
  assert.match(page.text, /Layers/);
  const atTrain = await open(join(dir, "train.html"), "report-train.png");
  assert.deepEqual(atTrain.errors, []);
  assert.match(atTrain.text, /On the 42 validation rows/);
  const png = decodeImage(readFileSync(join(dir, "curves.png")), "curves.png");
  assert.deepEqual([png.width, png.height], [960, 320]);
  const colours = new Set<string>();
  for (let p = 0; p < png.width * png.height; p++) colours.add(Array.from(png.data.subarray(4 * p, 4 * p + 3), (v) => Math.round(255 * v)).join(",")); // 0..1 floats
  assert.ok(colours.has("37,99,235") && colours.has("234,88,12"), "training in blue and validation in orange");
});

test("a bag's train --report measures every training row out of fold, and says whose curves it draws", { skip }, async () => {
  const trained = glassbox("train", join(ROOT, "data/tables/breast-cancer-train.csv"), "--out", "bag.safetensors", "--report", "bag.html", "--json");
  assert.equal(trained.code, 0, trained.stderr);
  const summary = lastJson(trained.stdout) as { validation_accuracy: number; bag: { members: number } };
  assert.equal(summary.bag.members, 5);
  const page = await open(join(dir, "bag.html"), "report-bag.png");
  assert.deepEqual(page.errors, []);
  assert.match(page.text, /On 426 training rows, out of fold/);
  assert.match(page.text, /The first of the bag's 5 networks, one per fold: \d+ epochs/);
  assert.equal(
    page.confusion.flat().reduce((a, b) => a + b, 0),
    426,
  );
  const right = page.confusion[0][0] + page.confusion[1][1];
  assert.match(page.text, new RegExp(`Accuracy ${((100 * right) / 426).toFixed(2)}% on 426 rows`));
  assert.ok(Math.abs(right / 426 - summary.validation_accuracy) < 1e-9, `${right} right against ${summary.validation_accuracy}`);
});

test("a three-label report's heatmap has the true labels as rows (an underfit iris model, whose confusions are lopsided)", { skip }, async () => {
  assert.equal(glassbox("train", join(ROOT, "data/tables/iris-train.csv"), "--out", "iris.safetensors", "--epochs", "4").code, 0);
  const evaluated = glassbox("evaluate", "iris.safetensors", join(ROOT, "data/tables/iris-test.csv"), "--report", "iris.html", "--json");
  const matrix = lastJson(evaluated.stdout).confusion_matrix as number[][];
  assert.ok(
    matrix.some((row, i) => row.some((n, j) => n !== matrix[j][i])),
    `the test needs a lopsided matrix: ${JSON.stringify(matrix)}`,
  );
  const page = await open(join(dir, "iris.html"), "report-iris.png");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.confusion, matrix);
});

test("a regression's report has its residual plots, and predicted-against-true", { skip }, async () => {
  const trained = glassbox("train", join(ROOT, "data/tables/friedman1-train.csv"), "--out", "f.safetensors", "--epochs", "30");
  assert.equal(trained.code, 0, trained.stderr);
  const evaluated = glassbox("evaluate", "f.safetensors", join(ROOT, "data/tables/friedman1-test.csv"), "--report", "f.html", "--curves", "f.png");
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const page = await open(join(dir, "f.html"), "report-regression.png");
  assert.deepEqual(page.errors, []);
  assert.ok(page.charts.some((c) => c.startsWith("y: residuals")));
  assert.ok(page.charts.some((c) => c.startsWith("y: predicted against true")));
  assert.ok(!page.charts.some((c) => c.startsWith("Accuracy")), "no accuracy chart for a regression");
  assert.match(page.text, /R² 0\.\d{3} on 125 rows/);
  assert.deepEqual(page.confusion, []);
  const png = decodeImage(readFileSync(join(dir, "f.png")), "f.png");
  assert.deepEqual([png.width, png.height], [480, 320]);
});
