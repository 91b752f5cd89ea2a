import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCsvDataset } from "./csv.js";
import { failure } from "../../test/helpers/errors.js";

const PETS = 'weight,height,kind\n4.5,30,cat\n30,60,dog\n5,25,cat\n"28",55,dog\n';

test("a numeric table with a text label column becomes features and sorted label names", () => {
  const data = parseCsvDataset(PETS, { source: "pets.csv", label: "kind" });
  assert.equal(data.rows, 4);
  assert.equal(data.columns, 2);
  assert.deepEqual(data.featureNames, ["weight", "height"]);
  assert.deepEqual(data.labelNames, ["cat", "dog"]);
  assert.deepEqual(Array.from(data.labels ?? []), [0, 1, 0, 1]);
  assert.deepEqual(Array.from(data.features), [4.5, 30, 30, 60, 5, 25, 28, 55]);
});

test("the label column defaults to 'label', else the last column; numeric labels sort as numbers", () => {
  const data = parseCsvDataset("label,a\n10,1\n2,2\n", { source: "x.csv" });
  assert.deepEqual(data.featureNames, ["a"]);
  assert.deepEqual(data.labelNames, ["2", "10"]);
  assert.deepEqual(parseCsvDataset(PETS, { source: "pets.csv" }).featureNames, ["weight", "height"]);
});

test("columns are matched by name to the model's feature names; extra columns are ignored", () => {
  const data = parseCsvDataset("kind,extra,height,weight\ndog,9,60,30\n", { source: "t.csv", label: "kind", featureNames: ["weight", "height"], labelNames: ["cat", "dog"] });
  assert.deepEqual(Array.from(data.features), [30, 60]);
  assert.deepEqual(Array.from(data.labels ?? []), [1]);
});

test("bad input names the file, row, line and column", () => {
  assert.equal(
    failure(() => parseCsvDataset("a,b,label\n1,2,x\n1,oops,y\n", { source: "t.csv" })).message,
    't.csv: row 2 (line 3) of t.csv, column "b": expected a finite number, got "oops"'.replace("t.csv: ", ""),
  );
  assert.match(failure(() => parseCsvDataset("a,b,label\n1,NaN,x\n", { source: "t.csv" })).message, /row 1 \(line 2\) of t.csv, column "b": expected a finite number, got "NaN"/);
  assert.match(failure(() => parseCsvDataset("a,b,label\n1,,x\n", { source: "t.csv" })).message, /column "b": expected a finite number, got an empty cell/);
  assert.match(failure(() => parseCsvDataset("a,b,label\n1,2,x\n1,2\n", { source: "t.csv" })).message, /row 2 \(line 3\) of t.csv has 2 columns, expected 3/);
  const unknown = failure(() => parseCsvDataset("a,label\n1,cat\n2,cow\n", { source: "t.csv", labelNames: ["cat", "dog"] }));
  assert.equal(unknown.code, "UNKNOWN_LABEL");
  assert.match(unknown.message, /row 2 \(line 3\) of t.csv, column "label": unknown label "cow"; the model knows "cat", "dog"/);
  assert.match(failure(() => parseCsvDataset("a,b\n1,2\n", { source: "t.csv", label: "kind" })).message, /no label column "kind"; its columns are: a, b/);
  assert.match(failure(() => parseCsvDataset("", { source: "t.csv" })).message, /t.csv is empty/);
  assert.match(failure(() => parseCsvDataset("label,x,label\n1,2,3\n", { source: "t.csv" })).message, /t.csv: column names must be unique, found "label" more than once/);
  assert.match(failure(() => parseCsvDataset("a,b\n1,2\n", { source: "t.csv", featureNames: ["a", "c"], requireLabel: false })).message, /lacks the feature column "c"/);
});

test("without a label column and requireLabel false, rows have no labels", () => {
  const data = parseCsvDataset("weight,height\n1,2\n", { source: "p.csv", label: "kind", featureNames: ["weight", "height"], requireLabel: false, labelNames: ["cat", "dog"] });
  assert.equal(data.labels, null);
  assert.deepEqual(Array.from(data.features), [1, 2]);
});
