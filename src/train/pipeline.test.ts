import { test } from "node:test";
import assert from "node:assert/strict";
import { featureRows, type Dataset } from "../data/dataset.js";
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
