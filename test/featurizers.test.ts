// Raw files in, predictions out: folder-per-label images (flat and nested), WAVs, texts and a
// mixed table through the real CLI, and the bad inputs of the features issue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { loadIdxDirectory } from "../src/data/files.js";
import { encodePng } from "../src/featurizers/image/index.js";
import { encodeWav, spectrogramShape, type SoundState } from "../src/featurizers/sound/index.js";
import { featurizerOf } from "../src/featurizers/index.js";
import { decodeImage } from "../src/featurizers/image/decode.js";
import { loadModel } from "../src/io/disk.js";
import { expectOneLineError, lastJson, scratch, SMALL } from "./helpers/glassbox.js";

const { dir, glassbox } = scratch("glassbox-features-");

const CATEGORY: Record<string, string> = { Sandal: "footwear", Sneaker: "footwear", "Ankle boot": "footwear", Trouser: "clothes", Dress: "clothes" };

/** 300 embedded test images of five labels as PNGs: <root>/{train,test}/[<category>/]<label>/<n>.png */
async function writeFashionPngs(root: string, nested: boolean): Promise<string[]> {
  const data = await loadIdxDirectory(SMALL, "test");
  const written: string[] = [];
  let kept = 0;
  for (let i = 0; i < data.rows && kept < 300; i++) {
    const label = data.labelNames[data.labels![i]];
    if (!CATEGORY[label]) continue;
    const folder = join(root, kept < 240 ? "train" : "test", ...(nested ? [CATEGORY[label]] : []), label);
    mkdirSync(folder, { recursive: true });
    const rgba = new Uint8Array(28 * 28 * 4);
    for (let p = 0; p < 784; p++) rgba.set([data.features[i * 784 + p], 0, 0, 255], p * 4);
    for (let p = 0; p < 784; p++) rgba[p * 4 + 1] = rgba[p * 4 + 2] = rgba[p * 4];
    const path = join(folder, `${i}.png`);
    writeFileSync(path, encodePng(28, 28, rgba));
    written.push(path);
    kept++;
  }
  return written;
}

test("images: a folder per label of PNGs trains, evaluates and predicts from PNG paths", async () => {
  const files = await writeFashionPngs(join(dir, "flat"), false);
  const trained = glassbox("train", "flat", "--hidden", "32", "--epochs", "8", "--out", "flat.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /detected folder of image files: 5 labels, 240 files -> image 28x28 gray/);
  const evaluated = lastJson(glassbox("evaluate", "flat.safetensors", "flat", "--json").stdout);
  assert.equal(evaluated.count, 60, "evaluate reads the test/ half");
  assert.ok((evaluated.accuracy as number) > 0.7, `accuracy ${evaluated.accuracy} on 5 easy classes`);
  const sneaker = files.find((f) => f.includes(`${join("test", "Sneaker")}`))!;
  const predicted = lastJson(glassbox("predict", "flat.safetensors", sneaker, "--json").stdout);
  const p = (predicted.predictions as { file: string; label: string }[])[0];
  assert.equal(p.file, sneaker);
  assert.ok(["Sneaker", "Sandal", "Ankle boot"].includes(p.label), `a shoe, got ${p.label}`);
  // A model from image files has the input shape [28, 28, 1]: occlusion slides 4x4 squares (7 x 7 of them), not single pixels.
  const occluded = lastJson(glassbox("explain", "flat.safetensors", sneaker, "--method", "occlusion", "--json").stdout);
  assert.equal(occluded.steps, 49);
  const wide = lastJson(glassbox("explain", "flat.safetensors", sneaker, "--method", "occlusion", "--window", "7", "--json").stdout);
  assert.equal(wide.steps, 16, "--window 7 gives 7x7 squares, 4 x 4 of them");
});

test("images: nested folders report every level in predict and accuracy_by_level in evaluate", async () => {
  const files = await writeFashionPngs(join(dir, "nested"), true);
  assert.equal(glassbox("train", "nested", "--hidden", "32", "--epochs", "8", "--out", "nested.safetensors").code, 0);
  const evaluated = lastJson(glassbox("evaluate", "nested.safetensors", "nested", "--json").stdout);
  const byLevel = evaluated.accuracy_by_level as { depth: number; accuracy: number }[];
  assert.equal(byLevel.length, 2);
  assert.ok(byLevel[0].accuracy >= byLevel[1].accuracy, "a category is never harder than its labels");
  assert.equal(byLevel[1].accuracy, evaluated.accuracy);
  const trouser = files.find((f) => f.includes(join("clothes", "Trouser")) && f.includes("test"))!;
  const json = lastJson(glassbox("predict", "nested.safetensors", trouser, "--json").stdout);
  const p = (json.predictions as { label: string; probability: number; levels: { depth: number; label: string; probability: number }[] }[])[0];
  assert.equal(p.levels.length, 2);
  assert.ok(["clothes", "footwear"].includes(p.levels[0].label));
  assert.ok(p.levels[0].probability >= p.levels[1].probability - 1e-6, "a category's probability is the sum of its labels'");
  assert.equal(p.levels[1].label, p.label);
  const words = glassbox("predict", "nested.safetensors", trouser).stdout;
  assert.match(words, /: (clothes|footwear) \d+% > \w[\w ]* \d+% \(/);
});

test("images: other sizes are resized and said so; corrupt PNG and JPEG files are skipped with the reason", async () => {
  assert.ok(existsSync(join(dir, "flat.safetensors")), "needs the flat model from the first test");
  const big = new Uint8Array(56 * 40 * 4).fill(255);
  writeFileSync(join(dir, "big.png"), encodePng(56, 40, big));
  const jpg = jpeg.encode({ data: Buffer.from(big), width: 56, height: 40 }, 90).data;
  writeFileSync(join(dir, "big.jpg"), jpg);
  writeFileSync(join(dir, "broken.png"), encodePng(28, 28, new Uint8Array(28 * 28 * 4)).subarray(0, 60));
  writeFileSync(join(dir, "broken.jpg"), jpg.subarray(0, 100));
  const r = glassbox("predict", "flat.safetensors", "big.png", "big.jpg", "broken.png", "broken.jpg", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: 2 inputs were resized; the first: big.png is 56x40; resized to the model's 28x28/);
  assert.match(r.stderr, /skipped broken.png: corrupt PNG/);
  assert.match(r.stderr, /skipped broken.jpg: .*JPEG/);
  assert.match(r.stderr, /skipped 2 files in all; used 2/);
  assert.equal((lastJson(r.stdout).predictions as unknown[]).length, 2);
  expectOneLineError(glassbox("predict", "flat.safetensors", "broken.png"), /broken.png: corrupt PNG/);
});

/** A clip of `kind` at 8 kHz: a steady tone, a rising chirp or a noise burst, at a random offset and loudness. */
function clip(kind: string, seed: number): Float32Array {
  const rate = 8000;
  const samples = new Float32Array(rate);
  let s = seed * 7919 + 1;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const start = Math.floor(random() * 2000);
  const gain = 0.3 + 0.5 * random();
  const hz = 400 + random() * 400;
  for (let t = 0; t < 4000; t++) {
    const time = t / rate;
    const value = kind === "tone" ? Math.sin(2 * Math.PI * hz * time) : kind === "chirp" ? Math.sin(2 * Math.PI * (300 * time + 2000 * time * time)) : 2 * random() - 1;
    samples[start + t] = gain * value;
  }
  return samples;
}

test("sound: a folder per label of WAVs (tones, chirps, noise) trains, evaluates and predicts from WAV paths", () => {
  for (const kind of ["tone", "chirp", "noise"]) {
    for (let i = 0; i < 30; i++) {
      const folder = join(dir, "sounds", i < 24 ? "train" : "test", kind);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `${i}.wav`), encodeWav({ rate: 8000, samples: clip(kind, i + kind.length * 100) }));
    }
  }
  writeFileSync(join(dir, "broken.wav"), new TextEncoder().encode("RIFF....WAVEfmt nonsense"));
  const trained = glassbox("train", "sounds", "--rate", "8000", "--hidden", "32", "--epochs", "15", "--out", "sound.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /detected folder of sound files: 3 labels, 72 files -> sound 8000 Hz, 1 s window, log-mel spectrogram/);
  const evaluated = lastJson(glassbox("evaluate", "sound.safetensors", "sounds", "--json").stdout);
  assert.equal(evaluated.count, 18);
  assert.ok((evaluated.accuracy as number) >= 0.9, `accuracy ${evaluated.accuracy}: tones, chirps and noise sound nothing alike`);
  const r = glassbox("predict", "sound.safetensors", join("sounds", "test", "chirp", "24.wav"), "broken.wav");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /24.wav: chirp \d+%/);
  assert.match(r.stderr, /skipped broken.wav: /);
  const why = glassbox("explain", "sound.safetensors", join("sounds", "test", "chirp", "24.wav"), "--out", "chirp.png", "--json");
  assert.equal(why.code, 0, why.stderr);
  const json = lastJson(why.stdout) as { stretches: { start: number; end: number }[]; attributions: { feature: string }[] };
  assert.match(json.attributions[0].feature, /^t=\d+\.\d+s \d+Hz$/);
  // The window is centred on the sound, a 0.5 s burst: the moments that weigh most lie inside it.
  assert.ok(json.stretches.length > 0 && json.stretches[0].start >= 0.2 && json.stretches[0].end <= 0.8, JSON.stringify(json.stretches[0]));
  // The picture is the spectrogram the network sees, a cell per frame and mel band, with a title band under it.
  const shape = spectrogramShape(featurizerOf(loadModel(join(dir, "sound.safetensors"))) as SoundState);
  assert.ok(shape);
  const cell = Math.max(8, Math.ceil(256 / Math.max(shape.frames, shape.mels)));
  const picture = decodeImage(readFileSync(join(dir, "chirp.png")), "chirp.png");
  assert.equal(picture.width, shape.frames * cell);
  assert.ok(picture.height > shape.mels * cell, `${picture.height} px: the spectrogram (${shape.mels * cell} px) and the legend`);
});

test("text: a folder per label of texts trains and predicts; an empty file is skipped with its reason", () => {
  const topics: Record<string, string[]> = {
    sport: ["match", "goal", "team", "score", "league", "coach", "player", "win"],
    cooking: ["recipe", "oven", "flour", "butter", "bake", "salt", "pan", "dinner"],
  };
  for (const [label, words] of Object.entries(topics)) {
    mkdirSync(join(dir, "texts", label), { recursive: true });
    for (let i = 0; i < 20; i++) {
      const text = Array.from({ length: 12 }, (_, k) => words[(i * 3 + k * 5) % words.length]).join(" ");
      writeFileSync(join(dir, "texts", label, `${i}.txt`), `The ${text}.`);
    }
  }
  writeFileSync(join(dir, "texts", "sport", "empty.txt"), "");
  const trained = glassbox("train", "texts", "--hidden", "16", "--epochs", "40", "--lr", "0.01", "--validation", "0", "--out", "text.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /detected folder of text files: 2 labels, 40 files -> text: \d+ terms/);
  assert.match(trained.stderr, /skipped .*empty.txt: .*empty/);
  writeFileSync(join(dir, "mail.txt"), "Preheat the oven, then bake with butter and flour.");
  assert.match(glassbox("predict", "text.safetensors", "mail.txt").stdout, /mail.txt: cooking \d+%/);
  const rows = ["id,text,topic"];
  for (const [label, words] of Object.entries(topics)) for (let i = 0; i < 20; i++) rows.push(`${i},"${words.slice(i % 4, (i % 4) + 4).join(" ")}",${label}`);
  writeFileSync(join(dir, "texts.csv"), `${rows.join("\n")}\n`);
  const fromCsv = glassbox(
    "train",
    "texts.csv",
    "--text",
    "text",
    "--label",
    "topic",
    "--hidden",
    "16",
    "--epochs",
    "40",
    "--lr",
    "0.01",
    "--validation",
    "0",
    "--out",
    "csvtext.safetensors",
  );
  assert.equal(fromCsv.code, 0, fromCsv.stderr);
  assert.match(fromCsv.stderr, /detected CSV of texts \(column "text"\)/);
  writeFileSync(join(dir, "ask.csv"), 'text\n"the team won the match"\n"bake the bread in the oven"\n');
  const labels = (lastJson(glassbox("predict", "csvtext.safetensors", "ask.csv", "--json").stdout).predictions as { label: string }[]).map((p) => p.label);
  assert.deepEqual(labels, ["sport", "cooking"]);
});

test("tables: numeric, categorical and missing values train; a row with an unseen category predicts", () => {
  const lines = ["income,city,owner,approved"];
  for (let i = 0; i < 120; i++) {
    const city = ["Oslo", "Rome", "None"][i % 3]; // "None" is a city here, not a missing value
    const income = i % 7 === 0 ? "" : String(20 + (i % 10) * 10);
    const approved = i % 10 >= 5 || city === "None" ? "yes" : "no";
    lines.push(`${income},${city},${i % 2 ? "y" : "n"},${approved}`);
  }
  writeFileSync(join(dir, "loans.csv"), `${lines.join("\n")}\n`);
  const trained = glassbox("train", "loans.csv", "--label", "approved", "--hidden", "16", "--out", "loans.safetensors"); // the defaults: until validation stops improving
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /detected CSV table -> table: 3 columns \(1 numeric, 2 categorical\) -> 9 features/);
  writeFileSync(join(dir, "new.csv"), "income,city,owner\n95,Paris,y\n,None,n\n");
  const r = glassbox("predict", "loans.safetensors", "new.csv", "--json");
  assert.equal(r.code, 0, r.stderr);
  const predictions = lastJson(r.stdout).predictions as { label: string }[];
  assert.equal(predictions.length, 2);
  assert.equal(predictions[1].label, "yes", "the category None was learnt as one");
  writeFileSync(join(dir, "short.csv"), "income,city,owner\n95,Paris\n");
  expectOneLineError(glassbox("predict", "loans.safetensors", "short.csv"), /row 1 \(line 2\) of short.csv has 2 columns, expected 3 like the header/);
});
