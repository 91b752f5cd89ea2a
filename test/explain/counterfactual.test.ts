// Counterfactuals for tables: on a generated table of loan decisions (numeric and categorical
// columns), every "no" row gets at least one set of changes that the model itself answers "yes"
// to, touching no immutable column and using only categories and ranges seen in training.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { counterfactuals } from "../../src/explain/counterfactual.js";
import { featurizerOf } from "../../src/featurizers/index.js";
import { parseCsvTable } from "../../src/featurizers/table/csv.js";
import type { TableState } from "../../src/featurizers/table/index.js";
import { decodeModel } from "../../src/io/modelFile.js";
import { createServer } from "../../src/server/index.js";
import { Random } from "../../src/tensor/random.js";
import { failure } from "../helpers/errors.js";
import { lastJson, scratch } from "../helpers/glassbox.js";

const { dir, glassbox } = scratch("glassbox-counterfactual-");

/** Loans: approved when income, savings, age and a steady job outweigh debt; region does not matter. Age weighs, so keeping it immutable is a real constraint. */
function loans(path: string, rows: number, seed: number): void {
  const random = new Random(seed);
  const lines = ["income,debt,savings,age,employment,region,approved"];
  for (let i = 0; i < rows; i++) {
    const income = 15 + Math.round(random.uniform() * 85); // thousands
    const debt = Math.round(random.uniform() * 30);
    const savings = Math.round(random.uniform() * 40);
    const age = 18 + Math.round(random.uniform() * 52);
    const employment = ["employed", "self-employed", "unemployed"][random.integer(3)];
    const region = ["north", "south", "east", "west"][random.integer(4)];
    const score = income / 10 - debt / 4 + savings / 10 + (age - 40) / 8 + (employment === "employed" ? 2 : employment === "self-employed" ? 1 : -2) + random.normal() * 0.5;
    lines.push(`${income},${debt},${savings},${age},${employment},${region},${score > 6 ? "yes" : "no"}`);
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

test("counterfactuals: 20 declined rows each get a change set the model approves, within training values, no immutable column touched; the server answers the CLI's JSON", async () => {
  loans(join(dir, "loans.csv"), 1200, 1);
  loans(join(dir, "applicants.csv"), 300, 2);
  const trained = glassbox("train", "loans.csv", "--label", "approved", "--hidden", "32", "--epochs", "40", "--lr", "0.01", "--out", "loans.safetensors", "--json");
  assert.equal(trained.code, 0, trained.stderr);
  const network = decodeModel(new Uint8Array(readFileSync(join(dir, "loans.safetensors"))), "loans.safetensors");
  const state = featurizerOf(network) as TableState;
  const table = parseCsvTable(readFileSync(join(dir, "applicants.csv"), "utf8"), "applicants.csv");
  const training = parseCsvTable(readFileSync(join(dir, "loans.csv"), "utf8"), "loans.csv");
  const column = (name: string) => training.header.indexOf(name);
  const seenCategories = (name: string) => new Set(training.rows.map((r) => r[column(name)]));
  const rangeOf = (name: string) => {
    const values = training.rows.map((r) => Number(r[column(name)]));
    return [Math.min(...values), Math.max(...values)];
  };
  const changedCounts: number[] = [];
  let declined = 0;
  for (const row of table.rows) {
    if (declined === 20) break;
    const cells = new Map(table.header.map((name, j) => [name, row[j]]));
    const result = counterfactuals(network, state, cells, { immutable: ["age", "region"] });
    if (result.label !== "no") continue;
    declined++;
    assert.equal(result.target, "yes");
    assert.ok(result.counterfactuals.length >= 1, `row ${JSON.stringify(row)} got no counterfactual`);
    for (const cf of result.counterfactuals) {
      assert.ok(cf.probability > 0.5, `the model answers yes: ${cf.probability}`);
      changedCounts.push(cf.changes.length);
      for (const change of cf.changes) {
        assert.ok(!["age", "region"].includes(change.feature), `an immutable column changed: ${change.feature}`);
        assert.equal(change.from, cells.get(change.feature));
        assert.notEqual(change.to, change.from);
        if (change.feature === "employment") assert.ok(seenCategories("employment").has(change.to), change.to);
        else {
          const [lo, hi] = rangeOf(change.feature);
          const v = Number(change.to);
          assert.ok(Number.isInteger(v) && v >= lo && v <= hi, `${change.feature} = ${change.to} outside [${lo}, ${hi}] or not whole`);
        }
      }
      // Checked again here, from the raw cells: the model says yes.
      const changed = new Map(cells);
      for (const c of cf.changes) changed.set(c.feature, c.to);
      assert.equal(counterfactuals(network, state, changed, { target: "no", count: 1 }).label, "yes");
    }
    const keys = result.counterfactuals.map((cf) => cf.changes.map((c) => `${c.feature}=${c.to}`).join(","));
    assert.equal(new Set(keys).size, keys.length, "the sets differ");
  }
  assert.equal(declined, 20, "20 declined applicants in the file");
  changedCounts.sort((a, b) => a - b);
  const median = changedCounts[changedCounts.length >> 1];
  assert.ok(median >= 1 && median <= 3, `median columns changed: ${median}`);
  process.stdout.write(`# counterfactuals: ${changedCounts.length} sets for 20 declined rows, median ${median} columns changed\n`);

  const cli = glassbox("explain", "loans.safetensors", "applicants.csv", "--row", "1", "--counterfactual", "--immutable", "age,region", "--json");
  assert.equal(cli.code, 0, cli.stderr);
  const json = lastJson(cli.stdout) as { counterfactuals: { changes: { feature: string; from: string; to: string }[]; probability: number }[] };
  assert.ok(Array.isArray(json.counterfactuals));
  const text = glassbox("explain", "loans.safetensors", "applicants.csv", "--row", "1", "--counterfactual", "--immutable", "age,region");
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /The model says (yes|no) \(\d+%\)\./);

  // The server answers the same JSON for the same row (its header and the row as the body).
  const server = createServer(network, { webRoot: null, workers: 0 });
  const url = await server.listen(0, "127.0.0.1");
  try {
    const lines = readFileSync(join(dir, "applicants.csv"), "utf8").split("\n");
    const r = await fetch(`${url}/api/explain?method=counterfactual&immutable=age,region`, {
      method: "POST",
      body: `${lines[0]}\n${lines[1]}\n`,
      headers: { "Content-Type": "text/csv" },
    });
    assert.equal(r.status, 200, await r.clone().text());
    // The CLI ran on wasm and this network on the reference backend: the same sets, probabilities to float rounding.
    type Answer = { label: string; target: string; immutable: string[]; counterfactuals: { changes: unknown[]; probability: number }[] };
    const served = (await r.json()) as Answer;
    const printed = json as unknown as Answer;
    assert.deepEqual([served.label, served.target, served.immutable], [printed.label, printed.target, printed.immutable]);
    assert.deepEqual(
      served.counterfactuals.map((c) => c.changes),
      printed.counterfactuals.map((c) => c.changes),
    );
    served.counterfactuals.forEach((c, i) => assert.ok(Math.abs(c.probability - printed.counterfactuals[i].probability) < 1e-5));
    const image = await fetch(`${url}/api/explain?method=counterfactual`, { method: "POST", body: "not,a\n", headers: { "Content-Type": "text/csv" } });
    assert.equal(image.status, 400);
  } finally {
    await server.close();
  }

  const cellsOfFirst = new Map(table.header.map((name, j) => [name, table.rows[0][j]]));
  assert.match(
    failure(() => counterfactuals(network, state, cellsOfFirst, { immutable: ["salary"] })).message,
    /immutable column "salary": no such column; the columns are: income, debt/,
  );
});
