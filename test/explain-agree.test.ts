// The three front ends explain alike: `glassbox explain --json`, POST /api/explain and the web app's
// analyse() give the same label, output, baseline output and attributions for the same raw input,
// on a sound model and a table model, and none of them falls back to an all-zeros baseline.
// The CLI and the server run from src/; the web app's analyse() runs on the built library (dist/,
// through the package's "glassbox" self-reference), as the page does: run `npm run build` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend, explain, featureAttributions, featurizeFile, featurizerOf } from "glassbox";
import { loadModel } from "glassbox/node";
import { createReferenceBackend as createSourceReference } from "../src/backends/reference/index.js";
import { encodeWav } from "../src/featurizers/sound/index.js";
import { loadModel as loadSourceModel } from "../src/io/disk.js";
import { createServer } from "../src/server/index.js";
import { analyse } from "../web/analysis.js";
import { lastJson, scratch } from "./helpers/glassbox.js";
import { random } from "./helpers/random.js";

const { dir, glassbox } = scratch("glassbox-agree-");

/**
 * Tolerance, relative to the largest |value| of its kind: 1e-6. The three front ends run the same
 * code (src/ and its build in dist/) on the same reference backend in the same order, so they should
 * agree bit for bit (JSON carries doubles exactly); 1e-6 leaves room for float32 rounding (eps ~1.2e-7)
 * of a few ulps and nothing more: a different baseline, label or featurisation moves values by far more.
 */
const RELATIVE = 1e-6;

/**
 * An all-zeros baseline must give a baseline output at least this far from the model's own: measured 0.04
 * on the table model (0.522 vs 0.564) and 1.0 on the sound model (0.00001 vs 0.999), and 1e4 times the tolerance.
 */
const ZEROS_MARGIN = 0.01;

interface Explained {
  label: string;
  output: number;
  baselineOutput: number;
  attributions: Map<string, number>;
}

function byFeature(list: { feature: string; value: number }[]): Map<string, number> {
  const map = new Map(list.map((a) => [a.feature, a.value]));
  assert.equal(map.size, list.length, "feature names are unique, so name -> value loses nothing");
  return map;
}

function viaCli(model: string, input: string): Explained {
  const r = glassbox("explain", model, input, "--json", "--backend", "reference");
  assert.equal(r.code, 0, r.stderr);
  const json = lastJson(r.stdout) as { label: string; output: number; baseline_output: number; attributions: { feature: string; value: number }[] };
  return { label: json.label, output: json.output, baselineOutput: json.baseline_output, attributions: byFeature(json.attributions) };
}

/** POST /api/explain (method ig, the default) to an in-process server on the reference backend; ?top asks for every entry. */
async function viaServer(model: string, input: string, type: string, top: number): Promise<Explained> {
  const network = loadSourceModel(join(dir, model), createSourceReference());
  const server = createServer(network, { webRoot: null, name: model });
  const base = await server.listen(0, "127.0.0.1");
  try {
    const r = await fetch(`${base}/api/explain?top=${top}`, { method: "POST", body: readFileSync(join(dir, input)), headers: { "Content-Type": type } });
    const json = (await r.json()) as { method: string; label: string; output: number; baseline_output: number; attributions: { feature: string; value: number }[] };
    assert.equal(r.status, 200, JSON.stringify(json));
    assert.equal(json.method, "ig");
    return { label: json.label, output: json.output, baselineOutput: json.baseline_output, attributions: byFeature(json.attributions) };
  } finally {
    await server.close();
  }
}

/** The web app's own computation: the built library loads and featurizes, web/analysis.ts explains; plus the all-zeros explanation. */
function viaWeb(model: string, input: string): { web: Explained; zerosBaselineOutput: number } {
  const network = loadModel(join(dir, model), createReferenceBackend());
  const state = featurizerOf(network);
  assert.ok(state, "the model keeps its featurizer");
  const { features, rows } = featurizeFile(state, new Uint8Array(readFileSync(join(dir, input))), input);
  assert.equal(rows, 1);
  const analysis = analyse(network, features, null);
  assert.equal(analysis.explanationError, null);
  const e = analysis.explanation;
  assert.ok(e, "analyse explains");
  assert.equal(e.method, "ig");
  const web = { label: e.label, output: e.output, baselineOutput: e.baselineOutput, attributions: byFeature(featureAttributions(network, features, e)) };
  return { web, zerosBaselineOutput: explain(network, features, { method: "ig" }).baselineOutput };
}

function close(actual: number, expected: number, scale: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= RELATIVE * scale, `${what}: ${actual} vs ${expected} (tolerance ${RELATIVE * scale})`);
}

function sameExplanation(actual: Explained, expected: Explained, front: string): void {
  assert.equal(actual.label, expected.label, `${front}: explained label`);
  const outputs = Math.max(1e-3, Math.abs(expected.output), Math.abs(expected.baselineOutput));
  close(actual.output, expected.output, outputs, `${front}: output`);
  close(actual.baselineOutput, expected.baselineOutput, outputs, `${front}: baseline output`);
  assert.deepEqual([...actual.attributions.keys()].sort(), [...expected.attributions.keys()].sort(), `${front}: the same features`);
  const scale = Math.max(1e-6, ...[...expected.attributions.values()].map(Math.abs));
  for (const [feature, value] of expected.attributions) close(actual.attributions.get(feature) as number, value, scale, `${front}: attribution of ${feature}`);
}

async function expectAgreement(model: string, input: string, type: string): Promise<void> {
  const cli = viaCli(model, input);
  const server = await viaServer(model, input, type, cli.attributions.size);
  const { web, zerosBaselineOutput } = viaWeb(model, input);
  sameExplanation(server, cli, "server vs CLI");
  sameExplanation(web, cli, "web vs CLI");
  for (const [front, e] of [
    ["CLI", cli],
    ["server", server],
    ["web", web],
  ] as const) {
    assert.ok(
      Math.abs(e.baselineOutput - zerosBaselineOutput) > ZEROS_MARGIN,
      `${front}: baseline output ${e.baselineOutput} is the all-zeros one (${zerosBaselineOutput}); it should be the model's own baseline`,
    );
  }
}

/** One second at 8 kHz: a tone of `hz`, or (hz 0) a noise burst, seeded. */
function clip(hz: number, seed: number): Float32Array {
  const samples = new Float32Array(8000);
  const next = random(seed);
  const gain = 0.3 + 0.4 * next();
  for (let t = 2000; t < 6000; t++) samples[t] = gain * (hz > 0 ? Math.sin((2 * Math.PI * hz * t) / 8000) : 2 * next() - 1);
  return samples;
}

test("explain agrees: a sound model's CLI, server and web explanations are the same, against silence", async () => {
  for (const label of ["tone", "noise"]) {
    mkdirSync(join(dir, "sounds", label), { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, "sounds", label, `${i}.wav`), encodeWav({ rate: 8000, samples: clip(label === "tone" ? 400 + 40 * i : 0, i + 1) }));
  }
  writeFileSync(join(dir, "ask.wav"), encodeWav({ rate: 8000, samples: clip(550, 99) }));
  const trained = glassbox("train", "sounds", "--rate", "8000", "--seconds", "1", "--epochs", "3", "--hidden", "8", "--backend", "reference", "--out", "sound.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  await expectAgreement("sound.safetensors", "ask.wav", "audio/wav");
});

test("explain agrees: a table model's CLI, server and web explanations are the same, against its kept rows' mean", async () => {
  const lines = ["income,city,owner,approved"];
  // Mostly Oslo, and Oslo decides: the kept rows' mean (city = Oslo at ~0.8) is far from all zeros.
  for (let i = 0; i < 300; i++) {
    const income = i % 7 === 0 ? "" : String(20 + (i % 10) * 10);
    const city = i % 5 === 0 ? "Rome" : i % 5 === 1 ? "Lima" : "Oslo";
    lines.push(`${income},${city},${i % 2 ? "y" : "n"},${city === "Oslo" || i % 10 >= 8 ? "yes" : "no"}`);
  }
  writeFileSync(join(dir, "loans.csv"), `${lines.join("\n")}\n`);
  writeFileSync(join(dir, "one.csv"), "income,city,owner\n75,Rome,y\n");
  const trained = glassbox("train", "loans.csv", "--label", "approved", "--epochs", "10", "--hidden", "8", "--lr", "0.01", "--backend", "reference", "--out", "loans.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  await expectAgreement("loans.safetensors", "one.csv", "text/csv");
});
