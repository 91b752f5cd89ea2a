// A folder dropped on a web page is read by folderTrainingData from memory; the same folder on disk
// by loadTrainingData. The two must be the same dataset, row for row, so a model trained in the
// browser is the model the CLI trains.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadForModel, loadTrainingData } from "../src/data/load.js";
import { folderTrainingData, type FileBytes } from "../src/data/memory.js";
import { csvTrainingData } from "../src/data/assemble.js";
import { encodePng } from "../src/featurizers/image/index.js";

/** A 6x5 PNG whose pixels depend on `seed` (so rows differ and their order shows). */
function png(seed: number): Uint8Array {
  const rgba = new Uint8Array(6 * 5 * 4);
  for (let i = 0; i < 30; i++) rgba.set([(seed * 37 + i * 11) % 256, (seed * 17 + i * 5) % 256, (seed * 7) % 256, 255], i * 4);
  return encodePng(6, 5, rgba);
}

function onDisk(files: FileBytes[]): string {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-memory-"));
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, f.bytes);
  }
  return dir;
}

// Names chosen so that text order and walk order differ ("10.png" after "9.png"), with a dot file and a stray file.
const NAMES = ["cat/9.png", "cat/10.png", "dog/b/1.png", "dog/a.png", "bird/2.png", "bird/1.png"];

test("folderTrainingData reads a dropped folder as loadTrainingData reads it on disk: same rows, order, labels and featurizer", async () => {
  const files: FileBytes[] = [
    ...NAMES.map((name, i) => ({ path: `pets/${name}`, bytes: png(i) })),
    { path: "pets/.DS_Store", bytes: new Uint8Array([1, 2]) },
    { path: "pets/notes.md", bytes: new TextEncoder().encode("about") },
  ];
  const dir = onDisk(files.map((f) => ({ ...f, path: f.path.slice("pets/".length) })));
  try {
    const disk = await loadTrainingData(dir, {});
    const memory = folderTrainingData([...files].reverse()); // the order given does not matter
    assert.equal(memory.test, null);
    assert.deepEqual(memory.training.featurizer, disk.featurizer);
    assert.deepEqual(memory.training.data.labelNames, disk.data.labelNames);
    assert.deepEqual([...(memory.training.data.labels ?? [])], [...(disk.data.labels ?? [])]);
    assert.deepEqual([...memory.training.data.features], [...disk.data.features]);
    assert.deepEqual(memory.training.hierarchy, disk.hierarchy);
    assert.deepEqual(
      memory.training.files,
      (disk.files ?? []).map((f) => `pets/${f.slice(dir.length + 1)}`),
    );
    assert.deepEqual(
      memory.training.skipped.map((s) => s.file),
      ["pets/notes.md"],
    );
    assert.equal(memory.training.data.source, "pets");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("folderTrainingData with train/ and test/ halves trains on train/ and reads test/ with its featurizer and labels", async () => {
  const files: FileBytes[] = [
    ...["cat/1.png", "cat/2.png", "dog/1.png", "dog/2.png"].map((name, i) => ({ path: `set/train/${name}`, bytes: png(i) })),
    ...["dog/3.png", "cat/3.png"].map((name, i) => ({ path: `set/test/${name}`, bytes: png(10 + i) })),
  ];
  const dir = onDisk(files.map((f) => ({ ...f, path: f.path.slice("set/".length) })));
  try {
    const disk = await loadTrainingData(dir, {});
    const { training, test } = folderTrainingData(files);
    assert.equal(training.data.rows, 4);
    assert.deepEqual([...training.data.features], [...disk.data.features]);
    assert.ok(test);
    const model = {
      inputs: training.data.columns,
      inputShape: [5, 6, 3],
      labels: training.data.labelNames,
      spec: { output: "softmax" },
      about: { featurizer: training.featurizer, featureNames: null, labelColumn: null, hierarchy: null, textColumn: null },
    };
    const diskTest = await loadForModel(model, [dir], true);
    assert.deepEqual([...(test.data.labels ?? [])], [...(diskTest.data.labels ?? [])]);
    assert.deepEqual([...test.data.features], [...diskTest.data.features]);
    assert.equal(test.data.source, "set/test");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("folderTrainingData refuses nothing to read, and a folder of no images, sounds or texts, saying what it expected", () => {
  assert.throws(() => folderTrainingData([]), /expected a folder per label of images, sounds or texts; got no files/);
  assert.throws(() => folderTrainingData([{ path: "x/.hidden", bytes: new Uint8Array(1) }]), /got only hidden files/);
  assert.throws(() => folderTrainingData([{ path: "x/a/data.bin", bytes: new Uint8Array(1) }]), /x holds no images/);
});

test("csvTrainingData on bytes is loadTrainingData on the file", async () => {
  const text = "age,city,label\n30,Oslo,yes\n41,Rome,no\n25,Oslo,yes\n52,Rome,no\n";
  const dir = mkdtempSync(join(tmpdir(), "glassbox-memory-"));
  try {
    writeFileSync(join(dir, "t.csv"), text);
    const disk = await loadTrainingData(join(dir, "t.csv"), {});
    const memory = csvTrainingData(new TextEncoder().encode(text), join(dir, "t.csv"), {});
    assert.deepEqual(memory, disk);
    assert.equal(memory.data.rows, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
