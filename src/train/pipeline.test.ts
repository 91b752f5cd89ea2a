import { test } from "node:test";
import assert from "node:assert/strict";
import { featureRows, type Dataset } from "../data/dataset.js";
import { datasetFromArrays } from "../data/arrays.js";
import { fit } from "./fit.js";
import { trainModel } from "./pipeline.js";

/** 12 rows of 3 features; labels cycle c, a, b, a (so the first row of each label is rows 0, 1, 2 in c, a, b order). */
function dataset(): Dataset {
  const labels = Int32Array.from({ length: 12 }, (_, r) => [2, 0, 1, 0][r % 4]);
  return {
    features: Float32Array.from({ length: 36 }, (_, i) => (i * 7) % 5),
    rows: 12,
    columns: 3,
    labels,
    labelNames: ["a", "b", "c"],
    featureNames: ["x", "y", "z"],
    source: "memory",
  };
}

test("train keeps the first training row of each label, in label order, as the model's examples (exampleRows caps the labels, 0 keeps none)", async () => {
  const data = dataset();
  const { network } = await trainModel({ data, featurizer: null }, { hidden: [4], epochs: 1, validation: 0 });
  assert.ok(network.examples);
  assert.deepEqual(Array.from(network.examples.labels), [0, 1, 2]);
  assert.deepEqual(Array.from(network.examples.features), [...featureRows(data, 1, 1), ...featureRows(data, 2, 1), ...featureRows(data, 0, 1)]);
  const two = await trainModel({ data, featurizer: null }, { hidden: [4], epochs: 1, validation: 0, exampleRows: 2 });
  assert.deepEqual(Array.from(two.network.examples?.labels ?? []), [0, 1]);
  const none = await trainModel({ data, featurizer: null }, { hidden: [4], epochs: 1, validation: 0, exampleRows: 0 });
  assert.equal(none.network.examples, null);
});

test("a misspelt option is refused, naming the nearest one, by trainModel and by fit", async () => {
  const data = dataset();
  await assert.rejects(trainModel({ data, featurizer: null }, { epoch: 3 } as never), /^GlassboxError: trainModel: unknown option "epoch"; did you mean epochs\?$/);
  await assert.rejects(trainModel({ data, featurizer: null }, { hiden: [4] } as never), /trainModel: unknown option "hiden"; did you mean hidden\?/);
  const { network } = await trainModel({ data, featurizer: null }, { hidden: [4], epochs: 1, validation: 0 });
  await assert.rejects(fit(network, data, { hidden: [4] } as never), /^GlassboxError: fit: unknown option "hidden"$/);
});

test("datasetFromArrays: rows and labels as scikit-learn takes them, with clear errors", async () => {
  const data = datasetFromArrays(
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    [10, 2, 10],
    { featureNames: ["a", "b"] },
  );
  assert.deepEqual(Array.from(data.features), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(data.labelNames, ["2", "10"], "numbers sort as numbers");
  assert.deepEqual(Array.from(data.labels ?? []), [1, 0, 1]);
  assert.deepEqual(data.featureNames, ["a", "b"]);
  assert.deepEqual(datasetFromArrays([[1], [2]], ["no", "yes"], { labels: ["yes", "no"] }).labels, Int32Array.from([1, 0]));
  assert.throws(() => datasetFromArrays([[1, 2], [3]], ["a", "b"]), /arrays: row 2 has 1 number; the first row has 2/);
  assert.throws(() => datasetFromArrays([[1, Number.NaN]], ["a"], { featureNames: ["x", "y"] }), /arrays: row 1, column y is NaN; expected a finite number/);
  assert.throws(() => datasetFromArrays([[1]], ["a", "b"]), /expected one label per row, got 1 row and 2 labels/);
  assert.throws(() => datasetFromArrays([[1]], ["c"], { labels: ["a", "b"] }), /row 1: unknown label "c"/);
  // It trains like any dataset.
  const { network } = await trainModel({ data, featurizer: null }, { hidden: [4], epochs: 1, validation: 0 });
  assert.deepEqual(network.labels, ["2", "10"]);
});
