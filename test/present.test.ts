// Presenting explanations of data-sized inputs: nothing spreads an array into Math.max.
import { test } from "node:test";
import assert from "node:assert/strict";
import { soundExplanationPng, soundStretches } from "../src/explain/present.js";
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
