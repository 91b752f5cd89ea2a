import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_INPUT_LIMITS, inputLimits, parseInputLimit, setInputLimits } from "./limits.js";
import { errorCode } from "../test/helpers/errors.js";
import { decodeImage, encodePng } from "./featurizers/image/index.js";
import { decodeWav, encodeWav } from "./featurizers/sound/index.js";
import { parseCsvTable } from "./featurizers/table/csv.js";
import { checkSpec } from "./model/network.js";

test("limits: --input-limit NAME=N names every limit in kebab case; bad names and numbers are errors that list them", () => {
  assert.deepEqual(parseInputLimit("image-pixels=5e7"), { imagePixels: 50_000_000 });
  assert.deepEqual(parseInputLimit(" csv-columns=1_000_000 "), { csvColumns: 1_000_000 });
  assert.deepEqual(parseInputLimit("wav-min-rate=1"), { wavMinRate: 1 });
  assert.match(
    errorCode(() => parseInputLimit("pixels=9")),
    /^BAD_ARGUMENT: --input-limit: expected NAME=NUMBER with NAME one of image-pixels, wav-min-rate, .*model-layers, got "pixels=9"$/,
  );
  assert.match(
    errorCode(() => parseInputLimit("csv-columns=0")),
    /^BAD_ARGUMENT: --input-limit csv-columns: expected a whole number >= 1, got "0"$/,
  );
  assert.match(
    errorCode(() => parseInputLimit("csv-columns=2.5")),
    /expected a whole number >= 1, got "2.5"/,
  );
  assert.match(
    errorCode(() => setInputLimits({ wavMinRate: 500_000 })),
    /wavMinRate 500000 is above wavMaxRate 384000/,
  );
  assert.match(
    errorCode(() => setInputLimits({ nope: 3 } as never)),
    /unknown input limit "nope"; the limits are: imagePixels, /,
  );
  assert.deepEqual(inputLimits(), DEFAULT_INPUT_LIMITS, "a refused change changes nothing");
});

test("limits: every decoder reads the limits in force, and a decoder's own argument overrides them", () => {
  const png = encodePng(20, 20, new Uint8Array(20 * 20 * 4));
  const wav = encodeWav({ rate: 8000, samples: new Float32Array(8000 * 3) });
  const csv = "a,b,c,label\n1,2,3,x\n";
  const spec = {
    inputShape: [2],
    layers: [
      { type: "dense", units: 3, activation: "relu" },
      { type: "dense", units: 2, activation: "linear" },
    ],
    output: "softmax",
    labels: ["a", "b"],
  };
  assert.equal(decodeImage(png, "p.png").width, 20);
  assert.equal(decodeWav(wav, "s.wav").rate, 8000);
  assert.equal(parseCsvTable(csv, "t.csv").header.length, 4);
  const before = setInputLimits({ imagePixels: 399, wavSeconds: 2, wavMaxRate: 4000, csvColumns: 3, modelLayers: 1 });
  try {
    assert.match(
      errorCode(() => decodeImage(png, "p.png")),
      /the image is 20x20 pixels, more than the 0.000399-megapixel limit; shrink it first \(or raise the input limit image-pixels\)/,
    );
    assert.equal(decodeImage(png, "p.png", 400).width, 20, "the argument overrides");
    assert.match(
      errorCode(() => decodeWav(wav, "s.wav")),
      /sample rate 8000 Hz; expected 1000 to 4000 Hz \(the input limits wav-min-rate and wav-max-rate\)/,
    );
    setInputLimits({ wavMaxRate: 8000 });
    assert.match(
      errorCode(() => decodeWav(wav, "s.wav")),
      /3\.0 seconds of sound; expected at most 2 \(cut it into clips, or raise the input limit wav-seconds\)/,
    );
    assert.match(
      errorCode(() => parseCsvTable(csv, "t.csv")),
      /^BAD_DATA: t\.csv has 4 columns; at most 3 are read \(the input limit csv-columns\)$/,
    );
    assert.throws(() => checkSpec(spec as never), /at most 1 layers \(the input limit model-layers\), this one 2/);
  } finally {
    setInputLimits(before);
  }
  assert.deepEqual(inputLimits(), DEFAULT_INPUT_LIMITS);
  assert.ok(checkSpec(spec as never).length >= 2);
});
