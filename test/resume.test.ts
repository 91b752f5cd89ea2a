// Checkpoints and resume: a run continued from a checkpoint ends with the weights of a run that
// never stopped, bit for bit (batch norm statistics, Adam's moments, dropout, augmentation and
// the shuffles included); other settings are refused; an abort stops before the next step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import type { Backend } from "../src/backends/backend.js";
import type { Dataset } from "../src/data/dataset.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/io/checkpoint.js";
import { parseLayers } from "../src/layers/parse.js";
import { createMlp } from "../src/model/mlp.js";
import { Random } from "../src/tensor/random.js";
import { fit } from "../src/train/fit.js";
import type { Checkpoint, FitOptions } from "../src/train/options.js";
import { lastJson, ROOT, scratch, SMALL } from "./helpers/glassbox.js";

/** 8x8 gray images of a bright blob in one of four quadrants, with noise. */
function quadrants(rows: number, seed: number): Dataset {
  const random = new Random(seed);
  const features = new Float32Array(rows * 64);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    labels[i] = i % 4;
    for (let p = 0; p < 64; p++) features[i * 64 + p] = 0.3 * random.uniform();
    const top = (labels[i] >> 1) * 4 + Math.floor(random.uniform() * 2);
    const left = (labels[i] & 1) * 4 + Math.floor(random.uniform() * 2);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) features[i * 64 + (top + y) * 8 + left + x] += 0.7;
  }
  return { features, rows, columns: 64, featureNames: null, labels, labelNames: ["a", "b", "c", "d"], source: "quadrants" };
}

const data = quadrants(200, 3);
const layers = parseLayers("conv:4,bn,relu,maxpool:2,dropout:0.2,dense:16,relu", [8, 8, 1]);
const settings: FitOptions = { epochs: 5, lr: 0.01, seed: 4, patience: 10, augment: { flip: true, shift: 1 }, readEvery: 3 };
const network = (backend: Backend) => createMlp({ inputs: [8, 8, 1], layers, labels: data.labelNames, seed: 4, backend });
const weights = (net: ReturnType<typeof network>) => net.tensors().map((t) => Array.from(net.backend.read(t.value)));

test("a run resumed from its epoch-2 checkpoint ends with the uninterrupted run's weights, bit for bit", async () => {
  const backend = await createWasmBackend({ threads: 2 });
  assert.ok(backend, "the wasm backend loads in Node 20");
  const checkpoints: Checkpoint[] = [];
  const whole = network(backend);
  const uninterrupted = await fit(whole, data, { ...settings, checkpoint: (c) => void checkpoints.push(structuredClone(c)) });
  assert.deepEqual(
    checkpoints.map((c) => c.epoch),
    [1, 2, 3, 4],
    "one checkpoint after every epoch but the last",
  );

  const resumed = network(backend); // freshly initialised: everything must come from the checkpoint
  const result = await fit(resumed, data, { ...settings, resume: checkpoints[1] });
  assert.deepEqual(weights(resumed), weights(whole));
  assert.deepEqual(
    result.history.map((e) => e.loss),
    uninterrupted.history.map((e) => e.loss),
  );
  assert.equal(result.history.length, 5, "the history goes on from the checkpoint's");

  // Resuming with another setting is refused, naming it.
  await assert.rejects(fit(network(backend), data, { ...settings, lr: 0.02, resume: checkpoints[1] }), /cannot resume: the checkpoint was made with lr 0.01, this run has 0.02/);
  backend.close();
});

test("a checkpoint from within an epoch, through the file format, resumes bit for bit too", async () => {
  const backend = await createWasmBackend({ threads: 1 });
  assert.ok(backend, "the wasm backend loads in Node 20");
  const checkpoints: Checkpoint[] = [];
  const whole = network(backend);
  await fit(whole, data, { ...settings, batchSize: 16, checkpointEvery: 0, checkpoint: (c) => void checkpoints.push(structuredClone(c)) });
  const within = checkpoints.filter((c) => c.partial !== null);
  assert.ok(within.length >= 8, `checkpoints within epochs: ${within.length}`);
  assert.ok(
    within.every((c) => (c.partial?.step ?? 0) % 3 === 0),
    "at reads (readEvery 3)",
  );
  const middle = within.find((c) => c.epoch === 2 && (c.partial?.step ?? 0) > 0) as Checkpoint;
  const file = decodeCheckpoint(encodeCheckpoint(middle), "mid.checkpoint");
  assert.deepEqual(file.partial, middle.partial);
  const resumed = network(backend);
  await fit(resumed, data, { ...settings, batchSize: 16, resume: file });
  assert.deepEqual(weights(resumed), weights(whole));
  backend.close();
});

test("an aborted signal stops training before the next step and says where", async () => {
  const controller = new AbortController();
  const result = await fit(network(createReferenceBackend()), data, {
    ...settings,
    patience: null,
    onBatch: (e) => {
      if (e.epoch === 2 && e.step === 2) controller.abort();
    },
    signal: controller.signal,
  });
  assert.deepEqual(result.stopped, { reason: "interrupted", epoch: 2, step: 3 });
  assert.equal(result.history.length, 1, "the interrupted epoch is not in the history");
});

/** Starts `glassbox ...args` in `dir` without waiting for it. */
function start(dir: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(ROOT, "src/cli/main.ts"), ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

async function until(what: string, ready: () => boolean, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
}

test("glassbox train: killed with -9 mid-run, then --resume, predicts exactly as an uninterrupted run; Ctrl-C saves the model so far", async () => {
  const { dir, glassbox } = scratch("glassbox-resume-");
  const args = [SMALL, "--layers", "conv:8,relu,maxpool:2", "--epochs", "4", "--seed", "2", "--threads", "1"];
  assert.equal(glassbox("train", ...args, "--out", "full.safetensors").code, 0);

  const killed = start(dir, ["train", ...args, "--out", "part.safetensors"]);
  const killedExit = exitOf(killed);
  await until("the first checkpoint", () => existsSync(join(dir, "part.safetensors.checkpoint")));
  killed.kill("SIGKILL");
  assert.equal((await killedExit).signal, "SIGKILL");
  assert.ok(!existsSync(join(dir, "part.safetensors")), "the killed run wrote no model");
  const resumed = glassbox("train", ...args, "--out", "part.safetensors", "--resume");
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming from part\.safetensors\.checkpoint: epoch \d was the last completed/);
  assert.doesNotMatch(resumed.stderr, /epoch 1\/4/, "epoch 1 is not trained again");
  assert.match(resumed.stderr, /epoch 4\/4/);
  assert.ok(!existsSync(join(dir, "part.safetensors.checkpoint")), "the checkpoint is removed after a successful run");
  const predictions = (model: string) => lastJson(glassbox("predict", model, SMALL, "--limit", "200", "--top", "10", "--json", "--threads", "1").stdout);
  assert.deepEqual(predictions("part.safetensors"), predictions("full.safetensors"));

  assert.match(glassbox("train", ...args, "--out", "none.safetensors", "--resume").stderr, /--resume: no checkpoint at none\.safetensors\.checkpoint/);

  const stopped = start(dir, ["train", ...args, "--out", "stopped.safetensors"]);
  const stoppedExit = exitOf(stopped);
  await until("the first checkpoint", () => existsSync(join(dir, "stopped.safetensors.checkpoint")));
  stopped.kill("SIGINT");
  const { code, stderr } = await stoppedExit;
  assert.equal(code, 130, stderr);
  assert.match(
    stderr,
    /interrupted at epoch \d, step \d+: saved the model so far to stopped\.safetensors \(its weights after step \d+ of epoch \d\); --resume continues from the checkpoint of epoch \d/,
  );
  assert.ok(existsSync(join(dir, "stopped.safetensors")));
});
