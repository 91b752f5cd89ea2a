import { test } from "node:test";
import assert from "node:assert/strict";
import type { Dataset } from "../data/dataset.js";
import { createMlp, type MlpOptions } from "../model/mlp.js";
import { Random } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { createReferenceBackend } from "../backends/reference/index.js";
import { learningRate } from "../optimizers/schedule.js";
import { evaluate } from "./evaluate.js";
import { fit } from "./fit.js";

/** Two noisy clusters per class around points on a circle: learnable, not trivial. */
function blobs(rows: number, classes: number, seed: number, scale = 1): Dataset {
  const random = new Random(seed);
  const features = new Float32Array(rows * 2);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = i % classes;
    const angle = (2 * Math.PI * c) / classes;
    features[2 * i] = scale * (2 * Math.cos(angle) + 0.6 * random.normal());
    features[2 * i + 1] = scale * (2 * Math.sin(angle) + 0.6 * random.normal());
    labels[i] = c;
  }
  const labelNames = Array.from({ length: classes }, (_, k) => `class ${k}`);
  return { features, rows, columns: 2, featureNames: ["x", "y"], labels, labelNames, source: "blobs" };
}

function net(overrides: Partial<MlpOptions> = {}) {
  return createMlp({ inputs: 2, hidden: [16], labels: ["class 0", "class 1", "class 2"], seed: 5, ...overrides });
}

function weightsOf(network: ReturnType<typeof net>): number[][] {
  return network.params().map((p) => Array.from(network.backend.read(p.value)));
}

test("training learns: accuracy on held-out blobs well above chance (1/3)", async () => {
  const network = net();
  const result = await fit(network, blobs(600, 3, 1), { epochs: 15, lr: 0.01, batchSize: 32 });
  assert.equal(result.epochs, 15);
  assert.ok(result.history[14].loss < result.history[0].loss, "loss falls");
  assert.ok(evaluate(network, blobs(300, 3, 2)).accuracy > 0.85);
  assert.ok(result.validationAccuracy !== null && result.validationAccuracy > 0.8);
});

test("same seed, same backend: bit-identical weights; another seed: different weights", async () => {
  const options = { epochs: 3, lr: 0.01, seed: 11, optimizer: { name: "adam" as const } };
  const a = net({ dropout: 0.3 });
  const b = net({ dropout: 0.3 });
  await fit(a, blobs(200, 3, 1), options);
  await fit(b, blobs(200, 3, 1), options);
  assert.deepEqual(weightsOf(a), weightsOf(b));
  const c = net({ dropout: 0.3 });
  await fit(c, blobs(200, 3, 1), { ...options, seed: 12 });
  assert.notDeepEqual(weightsOf(a), weightsOf(c));
});

test("every optimizer and schedule trains", async () => {
  for (const name of ["sgd", "momentum", "nesterov", "adam", "adamw"] as const) {
    const network = net();
    const lr = name === "adam" || name === "adamw" ? 0.01 : 0.1;
    const result = await fit(network, blobs(300, 3, 1), { epochs: 8, lr, optimizer: { name, weightDecay: 1e-4 }, schedule: { kind: "cosine" }, clipNorm: 5 });
    assert.ok(result.history[7].loss < result.history[0].loss * 0.9, `${name} loss falls`);
  }
  assert.equal(learningRate(0.1, { kind: "step", every: 2, gamma: 0.5 }, 3, 10), 0.05);
  assert.equal(learningRate(0.1, { kind: "cosine" }, 0, 10), 0.1);
  assert.ok(Math.abs(learningRate(0.1, { kind: "cosine" }, 5, 10) - 0.05) < 1e-12);
});

test("early stopping stops after `patience` epochs without improvement and restores the best weights", async () => {
  const network = net({ hidden: [64] });
  const history: number[][][] = [];
  // Few rows and a high learning rate: validation loss soon stops improving.
  const result = await fit(network, blobs(60, 3, 3), {
    epochs: 200,
    lr: 0.05,
    patience: 3,
    validation: 0.5,
    onEpoch: () => history.push(weightsOf(network)),
  });
  assert.equal(result.stopped?.reason, "early_stopping");
  if (result.stopped?.reason !== "early_stopping") return;
  assert.equal(result.stopped.epoch - result.stopped.bestEpoch, 3);
  assert.ok(result.epochs < 200);
  assert.deepEqual(weightsOf(network), history[result.stopped.bestEpoch - 1]);
  const best = result.history[result.stopped.bestEpoch - 1].validationLoss ?? Infinity;
  assert.ok(result.history.every((e) => (e.validationLoss ?? Infinity) >= best));
});

test("NaN guard: a huge learning rate stops training with the last good weights and says why", async () => {
  const network = net({ hidden: [16], activation: "relu" });
  // After each step: the weights before it (which gave a finite loss) and after it.
  let before: number[][] = weightsOf(network);
  let after: number[][] = before;
  const data = blobs(300, 3, 1, 1);
  const result = await fit(network, data, {
    epochs: 50,
    lr: 1e30,
    optimizer: { name: "sgd" },
    validation: 0,
    readEvery: 1,
    onBatch: () => {
      before = after;
      after = weightsOf(network);
    },
  });
  assert.equal(result.stopped?.reason, "non_finite");
  if (result.stopped?.reason !== "non_finite") return;
  assert.match(result.stopped.message, /^training stopped at epoch \d+, step \d+: .* became non-finite; .*learning rate too high \(lr 1e\+30\)/);
  // The step that failed ran on `after`; the kept weights are the ones before, which still work.
  assert.deepEqual(weightsOf(network), before);
  assert.notDeepEqual(weightsOf(network), after);
  assert.ok(Number.isFinite(evaluate(network, data).loss), "the kept weights give a finite loss");
});

test("divergence: a loss that grows past 1000x its first value stops training, names the learning rate and keeps finite weights", async () => {
  const network = net({ hidden: [16], activation: "relu" });
  const data = blobs(300, 3, 1, 1);
  const losses: number[] = [];
  const result = await fit(network, data, { epochs: 20, lr: 1e6, validation: 0, readEvery: 1, onBatch: (e) => losses.push(e.loss) });
  assert.equal(result.stopped?.reason, "diverged", `stopped: ${JSON.stringify(result.stopped)}; losses up to ${Math.max(...losses)}`);
  if (result.stopped?.reason !== "diverged") return;
  assert.match(
    result.stopped.message,
    /^training stopped at epoch \d+, step \d+: the loss grew from [\d.]+ to [\d.e+]+, over 1000 times its first value, so training diverged; .*learning rate too high \(lr 1000000\)/,
  );
  assert.ok(
    losses.every((l) => l <= 1000 * losses[0]),
    "no reported step is past the limit",
  );
  assert.ok(Number.isFinite(evaluate(network, data).loss), "the kept weights give a finite loss");
});

test("NaN guard: unnormalised input is named as the likely cause", async () => {
  const network = net();
  const result = await fit(network, blobs(300, 3, 1, 1e19), { epochs: 5, lr: 0.01, optimizer: { name: "sgd" } });
  assert.equal(result.stopped?.reason, "non_finite");
  assert.match(result.stopped?.reason === "non_finite" ? result.stopped.cause : "", /unnormalised input: features reach/);
});

test("standardisation statistics come from the training rows and are kept in the model", async () => {
  const network = net({ standardize: true });
  const data = blobs(300, 3, 1, 100);
  await fit(network, data, { epochs: 5, lr: 0.01 });
  const [mean, std] = network
    .tensors()
    .slice(0, 2)
    .map((t) => network.backend.read(t.value));
  assert.deepEqual(
    network
      .tensors()
      .slice(0, 2)
      .map((t) => t.name),
    ["layers.0.mean", "layers.0.std"],
  );
  assert.ok(Math.abs(mean[0]) < 30);
  assert.ok(std[0] > 50 && std[0] < 500);
  // The validation rows (10%, chosen with the seed) are left out of the statistics: the mean of all rows differs.
  let all = 0;
  for (let i = 0; i < data.rows; i++) all += data.features[2 * i] / data.rows;
  assert.ok(Math.abs(mean[0] - all) > 1e-3, `the statistics use the training rows only (${mean[0]} vs ${all} over all rows)`);
  // A second fit keeps the statistics learnt by the first.
  await fit(network, blobs(300, 3, 7, 1), { epochs: 1, lr: 0.01 });
  assert.equal(network.backend.read(network.tensors()[0].value)[0], mean[0]);
  assert.ok(evaluate(network, blobs(300, 3, 2, 100)).accuracy > 0.8, "predictions apply the stored normalisation");
});

test("class weights shift predictions towards the heavily weighted class", async () => {
  const recallOf = async (weights: number[] | null) => {
    const network = net();
    await fit(network, blobs(300, 3, 1), { epochs: 5, lr: 0.01, classWeights: weights });
    return evaluate(network, blobs(600, 3, 2)).perClass[2].recall;
  };
  assert.ok((await recallOf([0.05, 0.05, 20])) > (await recallOf(null)));
});

test("a sigmoid yes/no model and a linear regression model train", async () => {
  const data = blobs(400, 2, 4);
  const yesNo = createMlp({ inputs: 2, hidden: [8], labels: ["class 0", "class 1"], output: "sigmoid", seed: 2 });
  await fit(yesNo, data, { epochs: 20, lr: 0.03 });
  assert.ok(evaluate(yesNo, blobs(200, 2, 5)).accuracy > 0.9);

  const random = new Random(9);
  const rows = 400;
  const features = Float32Array.from({ length: rows * 2 }, () => random.normal());
  const targets = Float32Array.from({ length: rows }, (_, i) => 3 * features[2 * i] - 2 * features[2 * i + 1] + 1);
  const regression = createMlp({ inputs: 2, hidden: [], labels: ["y"], output: "linear", seed: 3 });
  const result = await fit(
    regression,
    { features, rows, columns: 2, featureNames: null, labels: null, labelNames: ["y"], targets, source: "line" },
    { epochs: 60, lr: 0.05, schedule: { kind: "constant" } },
  );
  assert.ok(result.finalLoss < 1e-3, `final loss ${result.finalLoss}`);
  assert.ok(Math.abs(regression.predict(Float32Array.of(1, 1), 1)[0] - 2) < 0.05);
});

test("bad options and mismatched data are clear errors", async () => {
  await assert.rejects(fit(net(), blobs(10, 3, 1), { epochs: 0 }), /epochs must be a positive integer, got 0/);
  await assert.rejects(fit(net(), blobs(10, 3, 1), { lr: -1 }), /learning rate must be a positive number, got -1/);
  await assert.rejects(fit(net(), blobs(10, 3, 1), { readEvery: 0 }), /readEvery must be a positive integer, got 0/);
  await assert.rejects(fit(net({ inputs: 3 }), blobs(10, 3, 1)), /blobs: expected 3 features per row, got 2/);
  await assert.rejects(fit(net(), blobs(10, 3, 1), { classWeights: [1, 2] }), /expected one class weight per label \(3\), got 2/);
});

test("fit reads the backend once per readEvery steps and once for validation per epoch, never inside a step", async () => {
  const reads = { sync: 0, async: 0 };
  const reference = createReferenceBackend();
  const counting = new Proxy(reference, {
    get(target, key, receiver) {
      if (key === "read") {
        return (t: Tensor) => {
          reads.sync++;
          return target.read(t);
        };
      }
      if (key === "readAsync") {
        return (t: Tensor) => {
          reads.async++;
          return target.readAsync(t);
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
  const network = net({ backend: counting });
  // 300 rows, 10% held out: 270 training rows in batches of 10 = 27 steps per epoch, read after 8, 16, 24 and 27.
  const result = await fit(network, blobs(300, 3, 1), { epochs: 2, batchSize: 10, readEvery: 8, lr: 0.01 });
  assert.equal(result.history.length, 2);
  assert.deepEqual(reads, { sync: 0, async: 2 * (4 + 1) });
});

test("NaN guard with reads every 16 steps: the exact failing step is named and the kept weights still give a finite loss", async () => {
  const network = net({ hidden: [16] });
  const data = blobs(3000, 3, 1, 1);
  const steps: number[] = [];
  const result = await fit(network, data, { epochs: 3, lr: 1e30, optimizer: { name: "sgd" }, validation: 0, onBatch: (e) => steps.push(e.step) });
  assert.equal(result.stopped?.reason, "non_finite");
  if (result.stopped?.reason !== "non_finite") return;
  // Every step before the failing one was reported, and none after it.
  assert.equal(steps.length, result.stopped.step - 1);
  assert.ok(Number.isFinite(evaluate(network, data).loss), "the kept weights give a finite loss");
});
