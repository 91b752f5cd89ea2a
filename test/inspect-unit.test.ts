// `glassbox inspect MODEL --layer N --neuron K`: what one hidden neuron or channel looks for, as a
// user runs it: a small CNN on the embedded Fashion-MNIST subset (top inputs with patches, a
// contact sheet), a table model (what drives the neuron), and clear errors for bad numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeImage } from "../src/featurizers/image/decode.js";
import { lastJson, ROOT, type Run, SMALL, scratch } from "./helpers/glassbox.js";

/** A bad argument: exit code 2 and one line on stderr matching `pattern`. */
function badArgument(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

const { dir, glassbox } = scratch("glassbox-inspect-unit-");

test("a CNN's channel: its top inputs with the patch each reads, a contact sheet, and the JSON the issue names", () => {
  const trained = glassbox("train", SMALL, "--layers", "conv:4,relu,maxpool:2,conv:8,relu", "--epochs", "1", "--out", "cnn.safetensors", "--json");
  assert.equal(trained.code, 0, trained.stderr);
  const r = glassbox("inspect", "cnn.safetensors", "--layer", "4", "--neuron", "3", "--data", SMALL, "--top", "5", "--out", "sheet.png", "--json");
  assert.equal(r.code, 0, r.stderr);
  const record = lastJson(r.stdout) as {
    layer: number;
    channel: number;
    top: { activation: number; patch: { top: number; bottom: number; left: number; right: number }; input: string }[];
    picture: string;
    dead: boolean;
  };
  assert.equal(record.layer, 4);
  assert.equal(record.channel, 3);
  assert.equal(record.top.length, 5);
  assert.ok(record.top.every((e, i) => i === 0 || e.activation <= record.top[i - 1].activation));
  // conv 3x3, max pool 2, conv 3x3: a cell of layer 4 reads at most 8x8 pixels
  for (const e of record.top) assert.ok(e.patch.bottom - e.patch.top <= 7 && e.patch.right - e.patch.left <= 7 && e.patch.top >= 0, JSON.stringify(e.patch));
  const sheet = decodeImage(readFileSync(join(dir, "sheet.png")), "sheet.png");
  assert.ok(sheet.width >= 420 && sheet.height >= 300, `${sheet.width}x${sheet.height}`);
  const words = glassbox("inspect", "cnn.safetensors", "--layer", "0", "--neuron", "1", "--data", SMALL);
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stdout, /channel 1 of layer 0 \(conv 4 3x3\)/);
  assert.match(words.stdout, /strongest at row \d+, column \d+ of its grid \(pixels rows \d+-\d+, columns \d+-\d+\)/);
});

test("a table model's neuron: the column values that drive it among its top rows", () => {
  const model = join(ROOT, "test/fixtures/format2-table.safetensors");
  const r = glassbox("inspect", model, "--layer", "1", "--neuron", "2", "--data", join(ROOT, "test/fixtures/format2-table.csv"), "--json");
  assert.equal(r.code, 0, r.stderr);
  const record = lastJson(r.stdout) as { neuron: number; top: { drivers: { feature: string }[] }[]; drivers: { feature: string; count: number }[] };
  assert.equal(record.neuron, 2);
  assert.ok(record.top.length > 0);
  assert.ok(record.drivers.length > 0 && record.drivers.every((d) => /^(age|income|city|owner) = /.test(d.feature)), JSON.stringify(record.drivers));
  assert.ok(!existsSync(join(dir, "sheet-table.png")));
});

test("bad layer and neuron numbers, and a sheet for a model without images, are one-line errors", () => {
  badArgument(glassbox("inspect", "cnn.safetensors", "--layer", "4", "--neuron", "9", "--data", SMALL), /neuron 9: layer 4 \(relu\) has channels 1 to 8/);
  badArgument(glassbox("inspect", "cnn.safetensors", "--layer", "40", "--neuron", "1", "--data", SMALL), /layer 40: this network has layers 0 to \d+/);
  badArgument(glassbox("inspect", "cnn.safetensors", "--layer", "4"), /--layer and --neuron go together/);
  const table = join(ROOT, "test/fixtures/format2-table.safetensors");
  badArgument(glassbox("inspect", table, "--layer", "1", "--neuron", "1", "--out", "sheet-table.png"), /--out: a contact sheet needs an image model; this one reads table/);
});
