// The bag of table networks (bag.ts) and its least-squares part (ridge.ts): the one network it
// builds answers exactly as its members' average plus the blended ridge, every out-of-fold answer
// comes from the member that did not train on the row, and the ridge solution is optimal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { featureRows, selectRows, type Dataset } from "../data/dataset.js";
import { datasetFromArrays } from "../data/arrays.js";
import { createMlp } from "../model/mlp.js";
import type { Network } from "../model/network.js";
import { Random } from "../tensor/random.js";
import { RIDGE_PENALTIES, trainBag, type BagPlan } from "./bag.js";
import { fit } from "./fit.js";
import { chooseThreshold } from "./curves.js";
import { trainModel } from "./pipeline.js";
import { regressionReport } from "./regression.js";
import { linearPredict, ridgeFit, ridgeSums } from "./ridge.js";

/** `rows` rows of 4 features in [-1, 1]: three labels by a curved rule, or a target mostly linear in them. */
function table(rows: number, regression: boolean, seed = 3): Dataset {
  const random = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: 4 }, () => 2 * random.uniform() - 1));
  const y = x.map(([a, b, c, d]) => (regression ? 2 * a - b + c * d + 0.3 * (random.uniform() - 0.5) : a * a + b > 0.5 ? "high" : c > 0 ? "mid" : "low"));
  return datasetFromArrays(x, y, regression ? { task: "regress" } : {});
}

/** A plan on `data` that records each member with the rows it trained and validated on. */
function plan(data: Dataset, hidden: number[], linear: boolean, seen: { network: Network; train: Dataset; validation: Dataset }[]): BagPlan {
  const output = data.targets ? "linear" : "softmax";
  const build = (widths: number[], seed: number): Network => createMlp({ inputs: data.columns, hidden: widths, output, labels: data.labelNames, seed });
  return {
    data,
    folds: 4,
    seed: 2,
    linear,
    member: (k) => build(hidden, 10 + k),
    whole: (widths) => build(widths, 1),
    fit: async (network, train, validation) => {
      seen.push({ network, train, validation });
      return fit(network, train, { epochs: 60, batchSize: 16, lr: 0.01, validation, patience: 10 });
    },
  };
}

/** Largest |a - b| over two equal-length arrays. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

for (const hidden of [[6], [5, 3]]) {
  test(`a bag of classifiers with hidden ${JSON.stringify(hidden)} is one network whose logits are its members' mean`, async () => {
    const data = table(120, false);
    const seen: { network: Network; train: Dataset; validation: Dataset }[] = [];
    const { network, bag } = await trainBag(plan(data, hidden, false, seen));
    assert.equal(bag.members.length, 4);
    assert.deepEqual(
      network.spec.layers.filter((l) => l.type === "dense").map((l) => (l as { units: number }).units),
      [...hidden.map((h) => 4 * h), 3],
    );
    const x = featureRows(data);
    const mean = new Float64Array(data.rows * 3);
    for (const { network: member } of seen) member.logitsOf(x, data.rows).forEach((v, i) => (mean[i] += v / seen.length));
    // float32 sums of a few dozen products: within 1e-5 of the float64 mean.
    assert.ok(maxDiff(network.logitsOf(x, data.rows), mean) < 1e-5, `off by ${maxDiff(network.logitsOf(x, data.rows), mean)}`);
    assert.equal(bag.linearShare, 0);
  });
}

test("every row is validated by exactly one member, never trained on by it, and its out-of-fold answer is that member's", async () => {
  const data = table(120, false);
  const seen: { network: Network; train: Dataset; validation: Dataset }[] = [];
  const { bag } = await trainBag(plan(data, [6], false, seen));
  const key = (d: Dataset, r: number): string => Array.from(featureRows(d, r, 1)).join(",");
  const validatedBy = new Map<string, number>();
  seen.forEach(({ train, validation }, k) => {
    const trained = new Set(Array.from({ length: train.rows }, (_, r) => key(train, r)));
    for (let r = 0; r < validation.rows; r++) {
      assert.ok(!trained.has(key(validation, r)), `member ${k} trained on a row it validates`);
      assert.ok(!validatedBy.has(key(validation, r)));
      validatedBy.set(key(validation, r), k);
    }
    assert.equal(train.rows + validation.rows, data.rows);
  });
  assert.equal(validatedBy.size, data.rows);
  assert.equal(bag.outOfFoldRows.length, data.rows);
  bag.outOfFoldRows.forEach((row, i) => {
    const member = seen[validatedBy.get(key(data, row)) as number].network;
    const answer = member.predict(featureRows(data, row, 1), 1);
    assert.ok(maxDiff(bag.outOfFold.subarray(i * 3, i * 3 + 3), answer) < 1e-6, `row ${row}`);
  });
});

test("a regression's bag blends in ridge regression: its answer is share x ridge + (1 - share) x the members' mean", async () => {
  const data = table(160, true);
  const seen: { network: Network; train: Dataset; validation: Dataset }[] = [];
  const { network, bag } = await trainBag(plan(data, [6], true, seen));
  // Neither part alone: the target is linear plus a product the members learn.
  assert.ok(bag.linear && bag.linearShare > 0.05 && bag.linearShare < 0.95, `share ${bag.linearShare}`);
  assert.ok(bag.ridgePenalty !== null && bag.ridgePenalty > 0);
  const x = featureRows(data);
  const ridge = linearPredict(bag.linear, x, data.rows);
  const expected = new Float64Array(data.rows);
  for (const { network: member } of seen) member.logitsOf(x, data.rows).forEach((v, i) => (expected[i] += ((1 - bag.linearShare) * v) / seen.length));
  ridge.forEach((v, i) => (expected[i] += bag.linearShare * v));
  assert.ok(maxDiff(network.logitsOf(x, data.rows), expected) < 1e-5, `off by ${maxDiff(network.logitsOf(x, data.rows), expected)}`);
  // Out of fold, recomputed: each fold's member and ridge fitted on the member's rows. The penalty
  // has the least squared error of those tried, the share is the least-squares share of the blend
  // (clipped to [0, 1]), and the out-of-fold answers are that blend.
  const truth: number[] = [];
  const members: number[] = [];
  const ridges = RIDGE_PENALTIES.map((): number[] => []);
  for (const { network: member, validation, train } of seen) {
    truth.push(...(validation.targets as Float32Array));
    members.push(...member.predict(featureRows(validation), validation.rows));
    const sums = ridgeSums(featureRows(train), train.targets as Float32Array, train.rows, train.columns, 1);
    RIDGE_PENALTIES.forEach((penalty, p) => ridges[p].push(...linearPredict(ridgeFit(sums, penalty), featureRows(validation), validation.rows)));
  }
  const squared = (answers: number[]): number => answers.reduce((sum, a, i) => sum + (a - truth[i]) ** 2, 0);
  const errors = ridges.map(squared);
  const chosen = RIDGE_PENALTIES.indexOf(bag.ridgePenalty);
  assert.equal(errors[chosen], Math.min(...errors), `penalty ${bag.ridgePenalty}: errors ${errors.join(", ")}`);
  const along = ridges[chosen].reduce((sum, l, i) => sum + (l - members[i]) * (truth[i] - members[i]), 0);
  const spread = ridges[chosen].reduce((sum, l, i) => sum + (l - members[i]) ** 2, 0);
  assert.ok(Math.abs(bag.linearShare - Math.min(1, Math.max(0, along / spread))) < 1e-9, `share ${bag.linearShare}`);
  const blend = members.map((m, i) => bag.linearShare * ridges[chosen][i] + (1 - bag.linearShare) * m);
  assert.ok(maxDiff(bag.outOfFold, blend) < 1e-4, `out-of-fold answers off by ${maxDiff(bag.outOfFold, blend)}`);
  assert.ok(squared(blend) < squared(members));
  // The part in the network is the ridge refitted on every row with that penalty.
  const refit = ridgeFit(ridgeSums(x, data.targets as Float32Array, data.rows, data.columns, 1), RIDGE_PENALTIES[chosen]);
  assert.ok(maxDiff([...bag.linear.weights, ...bag.linear.bias], [...refit.weights, ...refit.bias]) < 1e-12);
  // Two hidden layers: the least-squares part passes the second as ReLU(x), ReLU(-x) unchanged.
  const deep: { network: Network; train: Dataset; validation: Dataset }[] = [];
  const two = await trainBag(plan(data, [5, 3], true, deep));
  assert.ok(two.bag.linear && two.bag.linearShare > 0);
  const deepExpected = new Float64Array(data.rows);
  for (const { network: member } of deep) member.logitsOf(x, data.rows).forEach((v, i) => (deepExpected[i] += ((1 - two.bag.linearShare) * v) / deep.length));
  linearPredict(two.bag.linear, x, data.rows).forEach((v, i) => (deepExpected[i] += two.bag.linearShare * v));
  assert.ok(maxDiff(two.network.logitsOf(x, data.rows), deepExpected) < 1e-5);
});

test("ridge regression: the gradient of Σ(y - xw - b)² + λ|w|² is zero at its solution, and small λ recovers exact weights", () => {
  const random = new Random(5);
  const rows = 40;
  const columns = 3;
  const x = Float64Array.from({ length: rows * columns }, () => random.uniform() * 4 - 2);
  const y = Float64Array.from({ length: rows * 2 }, (_, i) => {
    const r = Math.floor(i / 2);
    const [a, b, c] = [x[r * 3], x[r * 3 + 1], x[r * 3 + 2]];
    return i % 2 === 0 ? 1.5 * a - 2 * b + 0.25 * c + 3 + (random.uniform() - 0.5) : -a + 0.5 * c - 1;
  });
  const sums = ridgeSums(x, y, rows, columns, 2);
  for (const lambda of [0.5, 10]) {
    const model = ridgeFit(sums, lambda);
    const answers = linearPredict(model, x, rows);
    for (let k = 0; k < 2; k++) {
      let interceptGradient = 0;
      for (let r = 0; r < rows; r++) interceptGradient += answers[r * 2 + k] - y[r * 2 + k];
      assert.ok(Math.abs(interceptGradient) < 1e-9, `intercept gradient ${interceptGradient}`);
      for (let j = 0; j < columns; j++) {
        let g = lambda * model.weights[j * 2 + k];
        for (let r = 0; r < rows; r++) g += (answers[r * 2 + k] - y[r * 2 + k]) * x[r * 3 + j];
        assert.ok(Math.abs(g) < 1e-9, `weight gradient ${g} (lambda ${lambda})`);
      }
    }
  }
  // The noiseless second output: a tiny penalty gives its weights and intercept.
  const exact = ridgeFit(sums, 1e-9);
  assert.ok(maxDiff([exact.weights[1], exact.weights[3], exact.weights[5], exact.bias[1]], [-1, 0, 0.5, -1]) < 1e-6);
  assert.throws(() => ridgeFit(sums, 0), /lambda must be > 0/);
});

test("trainModel bags a table of 50 rows or more under the defaults; epochs, bag: 1 or a small table train one network", async () => {
  const data = table(50, false);
  const bagged = await trainModel({ data, featurizer: null }, { hidden: [4] });
  assert.ok(bagged.bag);
  assert.equal(bagged.bag.folds, 5);
  assert.equal(bagged.network.weightsOf(0)?.shape[1], 20);
  assert.equal((bagged.summary.bag as { members: number }).members, 5);
  assert.equal(bagged.result.validationRows, 0);
  assert.equal(typeof bagged.result.validationAccuracy, "number");
  for (const options of [{ epochs: 2 }, { bag: 1 }, { validation: 0.2 }]) {
    const one = await trainModel({ data, featurizer: null }, { hidden: [4], ...options });
    assert.equal(one.bag, null, JSON.stringify(options));
    assert.equal(one.network.weightsOf(0)?.shape[1], 4);
  }
  assert.equal((await trainModel({ data: table(49, false), featurizer: null }, { hidden: [4] })).bag, null);
  const asked = await trainModel({ data, featurizer: null }, { hidden: [4], epochs: 2, bag: 3 });
  assert.equal(asked.bag?.members.length, 3);
  await assert.rejects(trainModel({ data, featurizer: null }, { bag: 0 }), /bag must be a whole number >= 1 \(1 trains one network\), got 0/);
  await assert.rejects(
    trainModel({ data, featurizer: null }, { bag: 5, validation: 0.2 }),
    /bag: 5 cannot train with validation \(each member is validated on its own fold\); use bag: 1/,
  );
  await assert.rejects(trainModel({ data: table(7, false), featurizer: null }, { bag: 4 }), /7 rows cannot make a bag of 4 folds/);
});

test("a bag's validation figures are its out-of-fold answers': R² for a regression, the chosen threshold for two labels", async () => {
  const regression = table(80, true);
  const trained = await trainModel({ data: regression, featurizer: null }, { hidden: [4] });
  assert.ok(trained.bag);
  const rows = selectRows(regression, trained.bag.outOfFoldRows);
  const r2 = regressionReport(trained.network.labels, trained.bag.outOfFold, rows.targets as Float32Array, rows.rows).r2;
  assert.equal(trained.summary.validation_r2, r2);
  const inSample = regressionReport(trained.network.labels, trained.network.predict(featureRows(rows), rows.rows), rows.targets as Float32Array, rows.rows).r2;
  assert.notEqual(r2, inSample);

  const random = new Random(8);
  const x = Array.from({ length: 90 }, () => [random.uniform(), random.uniform()]);
  const two = datasetFromArrays(
    x,
    x.map(([a, b]) => (a + 0.6 * b + 0.3 * random.uniform() > 1.1 ? "yes" : "no")),
  );
  const decided = await trainModel({ data: two, featurizer: null }, { hidden: [4], threshold: "auto" });
  assert.ok(decided.bag);
  const labels = selectRows(two, decided.bag.outOfFoldRows).labels as Int32Array;
  const expected = chooseThreshold(
    decided.bag.outOfFold,
    Array.from(labels, (l) => l === 1),
    "balanced",
  );
  assert.equal(decided.network.threshold, expected);
  // The out-of-fold accuracy is at that threshold, as the model will decide.
  const right = Array.from(labels).filter((l, i) => (decided.bag?.outOfFold[i] ?? 0) >= expected === (l === 1)).length;
  assert.equal(decided.result.validationAccuracy, right / labels.length);
});

test("a bag stopped by its signal keeps the networks trained so far, and says it was interrupted", async () => {
  const data = table(60, false);
  const controller = new AbortController();
  let epochs = 0;
  const stopped = await trainModel(
    { data, featurizer: null },
    {
      hidden: [3],
      bag: 4,
      epochs: 3,
      signal: controller.signal,
      onEpoch: () => {
        if (++epochs === 5) controller.abort(); // the second network's second epoch
      },
    },
  );
  assert.equal(stopped.bag?.members.length, 2);
  assert.equal(stopped.result.stopped?.reason, "interrupted");
  assert.equal(stopped.network.weightsOf(0)?.shape[1], 6);
  assert.equal(stopped.bag?.outOfFoldRows.length, 30);
});
