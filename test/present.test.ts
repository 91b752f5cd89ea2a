// Presenting explanations of data-sized inputs: nothing spreads an array into Math.max.
import { test } from "node:test";
import assert from "node:assert/strict";
import { canvas, drawText } from "../src/explain/drawing.js";
import { explanationPng, explanationTitle, soundExplanationPng, soundStretches } from "../src/explain/present.js";
import { decodeImage } from "../src/featurizers/image/decode.js";
import { fitImage } from "../src/featurizers/image/index.js";
import { fitSound } from "../src/featurizers/sound/index.js";

test("a 10 s raw-sound model's explanation (160,000 numbers) becomes stretches and a picture", () => {
  const state = fitSound({ rate: 16000, seconds: 10, spectrogram: false });
  const samples = 16000 * 10;
  const attributions = new Float32Array(samples);
  for (let t = 80000; t < 88000; t++) attributions[t] = 1; // 5.0-5.5 s weigh most
  const stretches = soundStretches(state, attributions);
  assert.equal(stretches.length, 1);
  assert.ok(Math.abs(stretches[0].start - 5) < 1e-9 && Math.abs(stretches[0].end - 5.5) < 1e-9, JSON.stringify(stretches[0]));
  const png = soundExplanationPng(state, { rate: 16000, samples: new Float32Array(samples).fill(0.1) }, attributions);
  assert.deepEqual(Array.from(png.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
});

test("an 8x8 image's explanation picture is 256 px wide, with a title and a legend from blue (against) to red (for) under it", () => {
  const state = fitImage([{ width: 8, height: 8, data: new Float32Array(8 * 8 * 4).fill(1) }], { size: { height: 8, width: 8 }, channels: 1 });
  const input = new Float32Array(64).fill(0.5);
  const attributions = new Float32Array(64);
  attributions[0] = 1; // top-left pixel: for
  attributions[63] = -1; // bottom-right pixel: against
  const bare = decodeImage(explanationPng(state, input, attributions) as Uint8Array, "bare");
  assert.deepEqual([bare.width, bare.height], [256, 256]);
  const png = explanationPng(state, input, attributions, 8, explanationTitle({ method: "ig", label: "Sneaker" }));
  const image = decodeImage(png as Uint8Array, "titled");
  assert.equal(image.width, 256);
  assert.ok(image.height > 256 + 30, `a band under the picture: ${image.height} px tall`);
  const rgb = (x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3), (v) => Math.round(v * 255));
  const [r0, , b0] = rgb(0, 0);
  const [r1, , b1] = rgb(255, 255);
  assert.ok(r0 > b0 && b1 > r1, `the pixel for is red (${rgb(0, 0)}), the one against blue (${rgb(255, 255)})`);
  // The bar spans the band's width: blue at its left end, red at its right end, gray between.
  const barRow = Array.from({ length: image.height - 256 }, (_, k) => 256 + k).find((y) => {
    const [r, g, b] = rgb(10, y);
    return b > 150 && r < 100 && g < 150;
  });
  assert.ok(barRow !== undefined, "a legend bar starting blue");
  const [rr, , rb] = rgb(245, barRow);
  assert.ok(rr > 150 && rb < 100, `the bar ends red: ${rgb(245, barRow)}`);
  // The title is drawn: dark pixels in the band above the bar.
  let ink = 0;
  for (let y = 256; y < barRow; y++) for (let x = 0; x < 256; x++) if (rgb(x, y)[0] < 100) ink++;
  assert.ok(ink > 100, `title pixels: ${ink}`);
});

test("the picture font draws every character a label or number needs, and others as ?", () => {
  for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-+%()/=<>_\"'?") {
    const c = canvas(8, 8);
    drawText(c, ch, 0, 0, [0, 0, 0]);
    let on = 0;
    for (let i = 0; i < 64; i++) if (c.rgba[i * 4] === 0) on++;
    assert.ok(on >= 2, `${ch}: ${on} pixels`);
  }
  const draw = (text: string) => {
    const c = canvas(8, 8);
    drawText(c, text, 0, 0, [0, 0, 0]);
    return Array.from(c.rgba);
  };
  assert.deepEqual(draw("é"), draw("?"));
  assert.deepEqual(draw("k"), draw("K"));
  assert.ok(draw(" ").every((v) => v === 255));
});
