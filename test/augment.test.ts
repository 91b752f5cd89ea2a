// Training-time augmentation: exact flips and shifts, seeded, and only while training.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Dataset } from "../src/data/dataset.js";
import { createMlp } from "../src/model/mlp.js";
import { Random } from "../src/tensor/random.js";
import { augmentRows, parseAugment } from "../src/train/augment.js";
import { fit } from "../src/train/fit.js";

/** A 3x4 image with 2 channels whose values say where they are: 100 y + 10 x + c + 1. */
function image(): Float32Array {
  return Float32Array.from({ length: 24 }, (_, i) => {
    const [p, c] = [Math.floor(i / 2), i % 2];
    return 100 * Math.floor(p / 4) + 10 * (p % 4) + c + 1;
  });
}

/** A random source that always answers `u`. */
const always = (u: number) => ({ uniform: () => u }) as unknown as Random;

test("a flip mirrors each row left-right, channels kept together", () => {
  const rows = image();
  augmentRows(rows, 1, [3, 4, 2], { flip: true }, always(0.1), new Float32Array(24)); // 0.1 < 0.5: flip
  const at = (y: number, x: number, c: number) => rows[(y * 4 + x) * 2 + c];
  assert.equal(at(0, 0, 0), 31);
  assert.equal(at(0, 0, 1), 32);
  assert.equal(at(2, 3, 1), 202);
  const kept = image();
  augmentRows(kept, 1, [3, 4, 2], { flip: true }, always(0.9), new Float32Array(24));
  assert.deepEqual(kept, image(), "0.9 >= 0.5: no flip");
});

test("a shift moves the image and lets zeros in", () => {
  // shift 1: dy = dx = floor(u * 3) - 1; u = 0.99 gives +1, +1 (down and right).
  const rows = image();
  augmentRows(rows, 1, [3, 4, 2], { shift: 1 }, always(0.99), new Float32Array(24));
  const at = (y: number, x: number, c: number) => rows[(y * 4 + x) * 2 + c];
  assert.equal(at(0, 0, 0), 0, "the top row and the left column come in empty");
  assert.equal(at(0, 3, 1), 0);
  assert.equal(at(1, 1, 0), 1, "(1, 1) shows what was at (0, 0)");
  assert.equal(at(2, 3, 1), 122);
});

test("fit with augmentation is seeded (same weights twice) and changes what the network learns", async () => {
  const random = new Random(3);
  const rows = 120;
  const features = Float32Array.from({ length: rows * 16 }, () => random.uniform());
  const labels = Int32Array.from({ length: rows }, (_, i) => i % 2);
  const data: Dataset = { features, rows, columns: 16, featureNames: null, labels, labelNames: ["a", "b"], source: "noise" };
  const weights = async (augment: { flip: boolean; shift: number } | null) => {
    const network = createMlp({ inputs: [4, 4, 1], layers: [{ type: "conv2d", filters: 2, size: 3 }], labels: ["a", "b"], output: "softmax", seed: 2 });
    await fit(network, data, { epochs: 2, seed: 5, augment });
    return network.params().map((p) => Array.from(network.backend.read(p.value)));
  };
  const once = await weights({ flip: true, shift: 1 });
  assert.deepEqual(await weights({ flip: true, shift: 1 }), once);
  assert.notDeepEqual(await weights(null), once);
  await assert.rejects(
    fit(createMlp({ inputs: 16, labels: ["a", "b"] }), data, { augment: { flip: true } }),
    /augmentation moves and mirrors images; this network reads inputs of shape \[16\]/,
  );
});

test("parseAugment reads augmentation in words, as train --augment and the web page take it", () => {
  assert.deepEqual(parseAugment("flip,shift:2"), { flip: true, shift: 2 });
  assert.deepEqual(parseAugment(" shift:3 "), { shift: 3 });
  assert.equal(parseAugment(""), null);
  assert.equal(parseAugment("none"), null);
  assert.throws(() => parseAugment("flip,rotate"), /augmentation: expected flip and\/or shift:N separated by commas \(e\.g\. flip,shift:2\), got "rotate"/);
  assert.throws(() => parseAugment("shift:-1"), /got "shift:-1"/);
});
