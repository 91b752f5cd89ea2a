import { test } from "node:test";
import assert from "node:assert/strict";
import { fitTable, tableCells, tableFeatureGroups, tableFeatureNames, tableFeatures, unseenCategories } from "./index.js";

const NAMES = ["age", "city"];
const ROWS = [
  ["20", "Oslo"],
  ["40", "Rome"],
  ["", "None"],
  ["NA", "Oslo"],
];
const state = fitTable(NAMES, ROWS);
const row = (age: string, city: string) => tableFeatures(state, (name) => (name === "age" ? age : name === "city" ? city : undefined));

test("numeric columns are standardised over present cells; gaps get the mean and an indicator", () => {
  const age = state.columns[0];
  assert.deepEqual(age, { name: "age", type: "numeric", mean: 30, std: 10, indicator: true, range: { min: 20, max: 40, whole: true } });
  assert.deepEqual(Array.from(row("40", "Oslo").subarray(0, 2)), [1, 0]);
  assert.deepEqual(Array.from(row("", "Oslo").subarray(0, 2)), [0, 1], "missing: the mean (0 after standardising) and the flag");
});

test("categories are one-hot with an 'other' slot; 'None' is a category, unseen ones go to other", () => {
  assert.deepEqual(tableFeatureNames(state), ["age", "age missing", "city = None", "city = Oslo", "city = Rome", "city = other"]);
  assert.deepEqual(Array.from(row("20", "None").subarray(2)), [1, 0, 0, 0]);
  assert.deepEqual(Array.from(row("20", "Paris").subarray(2)), [0, 0, 0, 1]);
  assert.deepEqual(tableFeatureGroups(state), [
    { column: "age", features: [0, 1] },
    { column: "city", features: [2, 3, 4, 5] },
  ]);
});

test("a stray word in a column of numbers is an error that names it; --categorical reads it as categories", () => {
  assert.throws(() => fitTable(["n"], [["1"], ["2"], ["x"]]), /row 3, column "n": expected a finite number, got "x" \(most of this column is numbers; pass --categorical n/);
  assert.equal(fitTable(["n"], [["1"], ["2"], ["x"]], { categorical: ["n"] }).columns[0].type, "categorical");
  assert.equal(fitTable(["n"], [["a"], ["b"], ["1"]]).columns[0].type, "categorical", "mostly words: categories");
  assert.throws(() => fitTable(["n"], [["1"]], { categorical: ["m"] }), /categorical column "m": no such column/);
  assert.throws(() => row("abc", "Oslo"), /column "age": expected a number or an empty cell, got "abc"/);
  assert.throws(() => tableFeatures(state, () => undefined, "row 4"), /row 4 lacks the column "age"/);
});

test("without standardising, numbers pass through unchanged", () => {
  const raw = fitTable(NAMES, ROWS, { standardize: false });
  assert.equal(tableFeatures(raw, (n) => (n === "age" ? "40" : "Oslo"))[0], 40);
});

test("tableCells turns a feature row back into its cells, and tableFeatures of those cells gives the row back", () => {
  const cases: [string, string, string, string][] = [
    ["40", "Rome", "40", "Rome"],
    ["27.5", "None", "27.5", "None"],
    ["", "Oslo", "", "Oslo"], // a missing number with its indicator: the empty cell
    ["20", "Paris", "20", "other"], // an unseen category went to "other"
  ];
  for (const [age, city, ageBack, cityBack] of cases) {
    const features = row(age, city);
    const cells = tableCells(state, features);
    assert.deepEqual(
      [...cells],
      [
        ["age", ageBack],
        ["city", cityBack],
      ],
    );
    assert.deepEqual(Array.from(tableFeatures(state, (name) => cells.get(name))), Array.from(features));
  }
});

test("unseenCategories names the non-empty cells whose category the column never had", () => {
  const cells = (age: string, city: string) => (name: string) => (name === "age" ? age : city);
  assert.deepEqual(unseenCategories(state, cells("20", "Paris")), [{ column: "city", value: "Paris" }]);
  assert.deepEqual(unseenCategories(state, cells("20", " Rome ")), []);
  assert.deepEqual(unseenCategories(state, cells("nonsense", "")), [], "numbers and empty cells are not categories");
  // A column whose training cells said "other" read them into the catch-all slot: the word is not new at predict.
  const withOther = fitTable(["purpose"], [["car"], ["other"], ["car"]]);
  assert.deepEqual(
    unseenCategories(withOther, (name) => (name === "purpose" ? "other" : undefined)),
    [],
  );
  assert.deepEqual(
    unseenCategories(withOther, (name) => (name === "purpose" ? "boat" : undefined)),
    [{ column: "purpose", value: "boat" }],
  );
});
