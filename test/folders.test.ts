// A folder-per-label dataset with a README and a LICENSE beside the data: they describe the
// dataset, so they are neither labels, nor files, nor reported as skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { scanFolder } from "../src/data/folders.js";
import { loadTrainingData } from "../src/data/load.js";
import { encodePng } from "../src/featurizers/image/index.js";

/** A 4x4 grey PNG. */
function png(shade: number): Uint8Array {
  const rgba = new Uint8Array(4 * 4 * 4);
  for (let i = 0; i < 16; i++) rgba.set([shade, shade, shade, 255], i * 4);
  return encodePng(4, 4, rgba);
}

/** Writes `files` (relative path -> contents) under a fresh temporary folder, runs `fn` on it, removes it. */
async function withDataset(files: Record<string, Uint8Array | string>, fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-folders-"));
  try {
    for (const [name, contents] of Object.entries(files)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), contents);
    }
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DESCRIBED = {
  "README.md": "# Pets\nTwo labels.\n",
  LICENSE: "CC BY 4.0\n",
  "LICENCE.txt": "CC BY 4.0\n",
  "labels.txt": "cat\ndog\n",
  ".DS_Store": "junk",
  ".cache/x.png": png(0), // a dot folder is left out, so "cache" is no label
  "cat/a.png": png(10),
  "cat/b.png": png(20),
  "cat/.hidden.png": png(30),
  "dog/c.png": png(200),
  "dog/d.png": png(210),
  "dog/e.png": png(220),
};

const FILES = [
  ["cat/a.png", "cat"],
  ["cat/b.png", "cat"],
  ["dog/c.png", "dog"],
  ["dog/d.png", "dog"],
  ["dog/e.png", "dog"],
];

test("scanFolder: README, LICENSE and dot files at the top are neither files nor skipped", async () => {
  await withDataset(DESCRIBED, (dir) => {
    const scan = scanFolder(dir, "train");
    assert.equal(scan.kind, "image");
    assert.equal(scan.root, dir);
    const files = scan.files.map((f) => [relative(dir, f.path), f.labelPath.join("/")]).sort();
    assert.deepEqual(files, FILES);
    assert.deepEqual(scan.skipped, [], `nothing is skipped, got ${JSON.stringify(scan.skipped)}`);
  });
});

/** scanFolder finds exactly the dataset's image files and skips `skipped` ([file, reason], sorted). */
function expectScan(dir: string, skipped: string[][]): void {
  const scan = scanFolder(dir, "train");
  assert.deepEqual(
    scan.files.map((f) => relative(dir, f.path)).sort(),
    FILES.map(([path]) => path),
  );
  assert.deepEqual(scan.skipped.map((s) => [relative(dir, s.file), s.reason]).sort(), skipped);
}

test("scanFolder: another stray file at the top is still reported, so the README rule is by name", async () => {
  await withDataset({ ...DESCRIBED, "notes.txt": "stray", "cat.png": png(5) }, (dir) => {
    expectScan(dir, [
      ["cat.png", "not inside a label folder"],
      ["notes.txt", "not inside a label folder"],
    ]);
  });
});

test("scanFolder: a README or LICENSE inside a label folder is skipped for its kind, never a file", async () => {
  // The name rule covers the top of the dataset only; inside a label folder these are files of
  // the wrong kind, reported as such.
  await withDataset({ ...DESCRIBED, "cat/README.md": "about cats", "cat/LICENSE": "CC0" }, (dir) => {
    expectScan(dir, [
      ["cat/LICENSE", "a text file in a dataset of image files"],
      ["cat/README.md", "not a image file (unknown extension)"],
    ]);
  });
});

test("scanFolder: with train/ and test/ halves, a README at the top of each half is left out too", async () => {
  const halves: Record<string, Uint8Array | string> = { "README.md": "top", LICENSE: "top" };
  for (const half of ["train", "test"]) {
    halves[`${half}/README`] = "half";
    halves[`${half}/cat/a.png`] = png(1);
    halves[`${half}/dog/b.png`] = png(2);
  }
  await withDataset(halves, (dir) => {
    for (const half of ["train", "test"] as const) {
      const scan = scanFolder(dir, half);
      assert.equal(scan.root, join(dir, half));
      assert.deepEqual(scan.files.map((f) => relative(dir, f.path)).sort(), [`${half}/cat/a.png`, `${half}/dog/b.png`]);
      assert.deepEqual(scan.skipped, []);
    }
  });
});

test("loadTrainingData: the README and LICENSE are no rows, no labels, no skips", async () => {
  await withDataset(DESCRIBED, async (dir) => {
    const loaded = await loadTrainingData(dir, {});
    assert.deepEqual(loaded.data.labelNames, ["cat", "dog"]);
    assert.equal(loaded.data.rows, 5);
    assert.deepEqual(
      (loaded.files ?? []).map((f) => relative(dir, f)).sort(),
      FILES.map(([path]) => path),
    );
    assert.deepEqual(loaded.skipped, []);
    assert.equal(loaded.detected, "folder of image files: 2 labels, 5 files");
  });
});

test("loadTrainingData reports its progress through a folder's files: from 0, every 256 files, to all of them", async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 600; i++) files[`${i % 2 ? "light" : "dark"}/${i}.png`] = png(i % 2 ? 200 : 30);
  await withDataset(files, async (dir) => {
    const calls: [number, number][] = [];
    const loaded = await loadTrainingData(dir, { onProgress: (done, total) => calls.push([done, total]) });
    assert.equal(loaded.data.rows, 600);
    assert.deepEqual(calls, [
      [0, 600],
      [256, 600],
      [512, 600],
      [600, 600],
    ]);
  });
});

test("broken symbolic links in a training folder are skipped with their reason, like corrupt images", async () => {
  await withDataset({ "light/a.png": png(200), "light/b.png": png(210), "dark/c.png": png(20), "dark/d.png": png(30) }, async (dir) => {
    symlinkSync(join(dir, "dark/nowhere.png"), join(dir, "dark/dangling.png"));
    symlinkSync(join(dir, "light/loop.png"), join(dir, "light/loop.png"));
    symlinkSync(join(dir, "light/a.png"), join(dir, "light/a-again.png"));
    const loaded = await loadTrainingData(dir, {});
    assert.equal(loaded.data.rows, 5, "the four files and the link to one of them");
    const reasons = Object.fromEntries(loaded.skipped.map((s) => [relative(dir, s.file), s.reason]));
    assert.deepEqual(reasons, {
      "dark/dangling.png": "a broken symbolic link (its target does not exist)",
      "light/loop.png": "a symbolic link that loops back on itself",
    });
  });
});
