// Training on your own data in the browser: a folder of PNGs (train/ and test/ halves) is chosen
// through the folder picker, a CSV is dropped on the page, and each trains in the worker to the
// accuracy the CLI reaches on the same files with the same settings (within 3 points); the
// weights are seen changing while it trains, bad fields get messages, and Stop keeps a model.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Page } from "playwright-core";
import { encodeModel, encodePng, loadIdxDirectory, trainModel } from "../../src/node.js";
import type { Dataset } from "../../src/data/dataset.js";
import { CHROMIUM, haveChromium } from "../helpers/chromium.js";
import { ARTIFACTS, ROOT, noHorizontalOverflow, openApp, seriousViolations } from "../helpers/webapp.js";

const CLI = join(ROOT, "dist/cli/main.js");
const LAYERS = "conv:8,relu,maxpool:2,dense:32,relu";
const EPOCHS = "3";

function cli(...args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [CLI, ...args, "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

/** The first `count` images of `set` as PNGs in half/<label>/<i>.png (a "/" in a label name becomes "-"). */
function writePngs(set: Dataset, count: number, folder: string): void {
  for (let i = 0; i < count; i++) {
    const label = set.labelNames[set.labels![i]].replace(/\//g, "-");
    const rgba = new Uint8Array(784 * 4);
    for (let p = 0; p < 784; p++) {
      const v = Math.round(255 * set.features[i * 784 + p]);
      rgba.set([v, v, v, 255], p * 4);
    }
    mkdirSync(join(folder, label), { recursive: true });
    writeFileSync(join(folder, label, `${i}.png`), encodePng(28, 28, rgba));
  }
}

/** Every file under `root`, by its path from root's parent ("garments/train/Bag/3.png"), as base64. */
function walkFolder(root: string): { path: string; base64: string }[] {
  const out: { path: string; base64: string }[] = [];
  const walk = (dir: string, path: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${path}/${entry.name}`);
      else out.push({ path: `${path}/${entry.name}`, base64: readFileSync(join(dir, entry.name)).toString("base64") });
    }
  };
  walk(root, basename(root));
  return out;
}

/** A table made from the images: the mean brightness of each 7x7 block (16 numbers), a shade category, and the garment. */
function writeTable(set: Dataset, count: number, path: string): void {
  const lines = [`${Array.from({ length: 16 }, (_, k) => `block${k + 1}`).join(",")},shade,garment`];
  for (let i = 0; i < count; i++) {
    const blocks = new Array<number>(16).fill(0);
    for (let p = 0; p < 784; p++) blocks[Math.floor(Math.floor(p / 28) / 7) * 4 + Math.floor((p % 28) / 7)] += set.features[i * 784 + p] / 49;
    const mean = blocks.reduce((a, b) => a + b, 0) / 16;
    const shade = mean < 0.2 ? "dark" : mean < 0.35 ? "mid" : "light";
    lines.push(`${blocks.map((b) => b.toFixed(3)).join(",")},${shade},${set.labelNames[set.labels![i]]}`);
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/** Fills the Train form's settings, presses Train and waits for "Done"; returns the accuracies the page keeps on the status. */
async function trainOnPage(page: Page, settings: { layers: string; epochs: string; lr?: string }): Promise<{ test: number | null; validation: number | null; status: string }> {
  await page.fill("#hidden-layers", settings.layers);
  await page.fill("#epochs", settings.epochs);
  await page.fill("#learning-rate", settings.lr ?? "0.001");
  await page.click("#train-start");
  await page
    .waitForFunction(() => /^(Done|Training failed)/.test(document.querySelector("#train-status")?.textContent ?? ""), undefined, { timeout: 120_000 })
    .catch(async () => assert.fail(`training did not end: the status says "${await page.textContent("#train-status")}"`));
  const status = (await page.textContent("#train-status")) ?? "";
  assert.match(status, /^Done/, status);
  const read = async (name: string): Promise<number | null> => {
    const value = await page.getAttribute("#train-status", name);
    return value === null ? null : Number(value);
  };
  return { test: await read("data-test-accuracy"), validation: await read("data-validation-accuracy"), status };
}

test("training in the browser on a chosen folder of PNGs and a dropped CSV reaches the CLI's accuracy with the same settings", {
  skip: haveChromium ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`,
  timeout: 600_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-web-train-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const small = join(ROOT, "data/fashion-mnist-small");
  const [train, testSet] = await Promise.all([loadIdxDirectory(small, "train"), loadIdxDirectory(small, "test")]);
  const folder = join(dir, "garments");
  writePngs(train, 800, join(folder, "train"));
  writePngs(testSet, 300, join(folder, "test"));
  const csv = join(dir, "garments.csv");
  writeTable(train, 1000, csv);

  // The CLI on the same files, same settings.
  const model = join(dir, "cli.safetensors");
  cli("train", folder, "--layers", LAYERS, "--epochs", EPOCHS, "--out", model);
  const cliTest = cli("evaluate", model, folder).accuracy as number;
  const cliTable = cli("train", csv, "--label", "garment", "--hidden", "32", "--epochs", "20", "--lr", "0.01", "--out", join(dir, "table.safetensors"))
    .validation_accuracy as number;

  // Any model to open the page with: the Train view is what is tried here.
  const { network } = await trainModel({ data: train, featurizer: { kind: "image", height: 28, width: 28, channels: 1 } }, { hidden: [8], epochs: 1 });
  const { browser, page, problems } = await openApp(encodeModel(network), "reduce");
  try {
    await page.click("#view-train");
    assert.match((await page.textContent("#train-status")) ?? "", /press Train/);
    // Choosing the folder switches the data source and says what was read.
    await page.setInputFiles("#train-folder", folder);
    await page.waitForFunction(() => /ready to train/.test(document.querySelector("#train-data")?.textContent ?? ""));
    assert.equal(await page.inputValue("#train-source"), "folder");
    assert.match((await page.textContent("#train-data")) ?? "", /^garments: 1100 files in \d+ folders, ready to train\.$/);
    // A bad augmentation is named against the data.
    await page.fill("#augment", "shift:40");
    await trainOnPage(page, { layers: LAYERS, epochs: EPOCHS }).catch(() => undefined);
    assert.match((await page.textContent("#train-status")) ?? "", /^Training failed: shift must be a whole number of pixels from 0 to 27, got 40$/);
    assert.equal(await page.getAttribute("#augment", "aria-invalid"), "true");
    await page.fill("#augment", "");

    // The live weights: every snapshot redraws the first filters; collect their pictures as they change.
    await page.evaluate(`(() => {
      window.liveFilters = [];
      new MutationObserver(() => {
        const first = document.querySelector("#train-live img.filter");
        if (first && window.liveFilters[window.liveFilters.length - 1] !== first.src) window.liveFilters.push(first.src);
      }).observe(document.querySelector("#train-live"), { childList: true, subtree: true });
    })()`);
    const onPage = await trainOnPage(page, { layers: LAYERS, epochs: EPOCHS });
    assert.match(
      (await page.textContent("#train-data")) ?? "",
      /^folder of image files: 10 labels, 800 files; test half 300 files\. Network: .*conv.*\(wasm backend, \d threads?; no WebGPU: no GPU adapter is available \(requestAdapter returned null\)\)\.$/,
    );
    assert.ok(onPage.test !== null, onPage.status);
    assert.ok(Math.abs(onPage.test - cliTest) <= 0.03, `the page reached ${onPage.test} on the test half, the CLI ${cliTest}`);
    assert.ok(cliTest > 0.5, `the CLI's network learnt: ${cliTest}`);
    const filters = (await page.evaluate("window.liveFilters.length")) as number;
    assert.ok(filters >= 3, `the first filters were redrawn changed ${filters} times while training`);
    assert.ok((await page.locator("#train-live img.map").count()) >= 8, "the feature maps are drawn");
    await page.screenshot({ path: join(ARTIFACTS, "web-train-folder-1280.png"), fullPage: true });
    await noHorizontalOverflow(page, "Train on a folder at 1280x800");
    assert.deepEqual(await seriousViolations(page), []);

    // The same folder dropped on the drop zone (its entries walked as the browser gives them, in
    // batches, here of at most 25 per read) trains the same model.
    const entries = walkFolder(folder);
    await page.evaluate(
      `(() => {
        const files = ${JSON.stringify(entries)};
        const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const entryOf = (path) => {
          const name = path.split("/").pop();
          const file = files.find((f) => f.path === path);
          if (file) return { isFile: true, isDirectory: false, name, fullPath: "/" + path, file: (ok) => ok(new File([bytes(file.base64)], name)) };
          const children = [...new Set(files.filter((f) => f.path.startsWith(path + "/")).map((f) => path + "/" + f.path.slice(path.length + 1).split("/")[0]))];
          return { isFile: false, isDirectory: true, name, fullPath: "/" + path, createReader: () => {
            let at = 0;
            return { readEntries: (ok) => { const batch = children.slice(at, at + 25).map(entryOf); at += batch.length; ok(batch); } };
          } };
        };
        const drop = new Event("drop", { bubbles: true, cancelable: true });
        Object.defineProperty(drop, "dataTransfer", { value: { items: [{ webkitGetAsEntry: () => entryOf("garments") }], files: [] } });
        document.querySelector("#train-source").value = "fashion";
        document.querySelector("#train-drop").dispatchEvent(drop);
      })()`,
    );
    await page
      .waitForFunction(() => /^garments: 1100 files in \d+ folders, ready to train\.$/.test(document.querySelector("#train-data")?.textContent ?? ""), undefined, {
        timeout: 10_000,
      })
      .catch(async () => assert.fail(`the dropped folder was read as: "${await page.textContent("#train-data")}"`));
    assert.equal(await page.inputValue("#train-source"), "folder");
    const dropped = await trainOnPage(page, { layers: LAYERS, epochs: EPOCHS });
    assert.equal(dropped.test, onPage.test, "the dropped folder trains the model the chosen one did");

    // A CSV dropped on the drop zone, its label column picked.
    const bytes = [...readFileSync(csv)];
    await page.evaluate(
      `(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(${JSON.stringify(bytes)})], "garments.csv", { type: "text/csv" }));
        document.querySelector("#train-drop").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      })()`,
    );
    await page.waitForFunction(() => /garments\.csv: 1000 rows, 18 columns/.test(document.querySelector("#train-data")?.textContent ?? ""));
    assert.equal(await page.inputValue("#train-source"), "csv");
    assert.equal(await page.inputValue("#train-label"), "garment", "the last column is the default label");
    const table = await trainOnPage(page, { layers: "32", epochs: "20", lr: "0.01" });
    assert.ok(table.validation !== null, table.status);
    assert.ok(Math.abs(table.validation - cliTable) <= 0.03, `the page reached ${table.validation} on validation, the CLI ${cliTable}`);
    assert.ok((await page.locator("#train-live img.weight-grid").count()) === 1, "a table model's weights are drawn as a grid");
    assert.deepEqual(problems, []);
    const figures = {
      folder: { cli_test_accuracy: cliTest, page_test_accuracy: onPage.test },
      csv: { cli_validation_accuracy: cliTable, page_validation_accuracy: table.validation },
    };
    writeFileSync(join(ARTIFACTS, "web-train.json"), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await browser.close();
  }
});
