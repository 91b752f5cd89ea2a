import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCsvDataset } from "./csv.js";
import { errorCode, failure } from "../../test/helpers/errors.js";
import { csvText, parseCsvTable, parseDecimal } from "../featurizers/table/csv.js";
import { Random } from "../tensor/random.js";
import { inputLimits } from "../limits.js";

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
  // By value, signs and decimals too; mixed with words, in natural text order.
  assert.deepEqual(parseCsvDataset("a,label\n1,-0.004\n2,-0.005\n3,1e-3\n4,0.5\n", { source: "x.csv" }).labelNames, ["-0.005", "-0.004", "1e-3", "0.5"]);
  assert.deepEqual(parseCsvDataset("a,label\n1,10\n2,2\n3,b\n", { source: "x.csv" }).labelNames, ["2", "10", "b"]);
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

test("hygiene: semicolon and tab files are read by their delimiter; hexadecimal is not a number", () => {
  for (const sep of [";", "\t"]) {
    const text = [
      ["a", "b", "label"],
      ["1.5", "2", "x"],
      ["3", "-4e-1", "y"],
    ]
      .map((row) => `${row.join(sep)}\n`)
      .join("");
    const data = parseCsvDataset(text, { source: "t.csv" });
    assert.deepEqual([data.columns, data.features], [2, Float32Array.from([1.5, 2, 3, -0.4])], `delimiter ${JSON.stringify(sep)}`);
  }
  assert.match(
    errorCode(() => parseCsvDataset("a,label\n0x1f,x\n1,y\n", { source: "t.csv" })),
    /row 1 \(line 2\) of t\.csv, column "a": expected a finite number, got "0x1f"/,
  );
  assert.equal(parseDecimal(" .5 "), 0.5);
  for (const text of ["0x1f", "0b101", "Infinity", "1_000", "", "1e", "--1"]) assert.ok(Number.isNaN(parseDecimal(text)), text);
  // the spec of a decimal, as a pattern, against parseDecimal on 20,000 seeded random strings
  const decimal = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
  const random = new Random(3);
  const alphabet = "0123456789..eE+-xXbBoO_ \tI";
  for (let n = 0; n < 20000; n++) {
    let text = "";
    for (let k = random.integer(7); k > 0; k--) text += alphabet[random.integer(alphabet.length)];
    const expected = decimal.test(text) && Number.isFinite(Number(text)) ? Number(text) : Number.NaN;
    assert.ok(Object.is(parseDecimal(text), expected), JSON.stringify(text));
  }
});

test("hygiene: an empty label or one with a control character is an error; a huge cell is quoted to 100 characters", () => {
  assert.match(
    errorCode(() => parseCsvDataset("a,label\n1,x\n2,\n", { source: "t.csv" })),
    /^BAD_DATA: row 2 \(line 3\) of t\.csv, column "label": the label is empty; every row needs one/,
  );
  assert.match(
    errorCode(() => parseCsvDataset("a,label\n1,x\n2,x\u0000\n", { source: "t.csv" })),
    /^BAD_DATA: row 2 \(line 3\) of t\.csv, column "label": the label "x\\u0000" holds a control character \(U\+0000\)$/,
  );
  const huge = "z".repeat(1_000_000);
  const message = errorCode(() => parseCsvDataset(`a,label\n${huge},x\n`, { source: "t.csv" }));
  assert.ok(message.length < 300, `the message is ${message.length} characters`);
  assert.match(message, /got "z{100}\.\.\." \(1000000 characters\)$/);
});

test("hygiene: bytes that are not UTF-8 are read as Windows-1252, with a note; duplicate names are found in linear time", () => {
  const latin1 = Uint8Array.from([...new TextEncoder().encode("city,label\n"), 0x4d, 0xe1, 0x6c, 0x61, 0x67, 0x61, ...new TextEncoder().encode(",x\n")]);
  assert.deepEqual(csvText(latin1, "t.csv"), { text: "city,label\nMálaga,x\n", note: "t.csv is not UTF-8: read it as Windows-1252 (Latin-1)" });
  assert.deepEqual(csvText(new TextEncoder().encode("é"), "t.csv"), { text: "é", note: null });
  const names = Array.from({ length: 20000 }, (_, j) => `c${j % 10000}`);
  assert.match(
    errorCode(() => parseCsvTable(`${names.join(",")}\n${names.map(() => "1").join(",")}\n`, "w.csv")),
    /column names must be unique, found "c0", "c1", "c2", "c3", "c4" and 9995 other names more than once/,
  );
});

test("limits: a line over the length limit and a file over the column limit are refused before parsing", () => {
  assert.match(
    errorCode(() => parseCsvTable(`a,label\n${"9".repeat(2000)},x\n`, "long.csv", { ...inputLimits(), csvLineChars: 1000, csvColumns: 10 })),
    /^BAD_DATA: long\.csv: line 2 is 2002 characters long; at most 1000 are read/,
  );
  const header = Array.from({ length: 12 }, (_, j) => `c${j}`).join(",");
  assert.match(
    errorCode(() => parseCsvTable(`${header}\n${header}\n`, "wide.csv", { ...inputLimits(), csvLineChars: 1000, csvColumns: 10 })),
    /^BAD_DATA: wide\.csv has 12 columns; at most 10 are read/,
  );
});
