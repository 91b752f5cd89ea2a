import { GlassboxError } from "../errors.js";
import { featurizerOf } from "../featurizers/index.js";
import { parseCsvTable } from "../featurizers/table/csv.js";
import { type TableColumn, type TableState, tableFeatureCount, tableFeatures } from "../featurizers/table/index.js";
import { labelIndexOf } from "../model/labels.js";
import type { Network } from "../model/network.js";
import { predictedClasses, probabilitiesOf } from "../model/classify.js";

/** One change to a table row: the column, its value now and the value proposed. */
export interface Change {
  feature: string;
  from: string;
  to: string;
}

/** A set of changes that makes the model give the target label, with its probability then (checked by the model). */
export interface Counterfactual {
  changes: Change[];
  probability: number;
}

export interface CounterfactualOptions {
  /** Columns that must not change (age, sex, ...). */
  immutable?: string[];
  /** The label wanted, by index or name. Default: for two labels the other one, else the second most probable. */
  target?: number | string;
  /** How many sets to look for. Default 3. */
  count?: number;
  /** The most columns one set may change. Default MAX_CHANGES (4). */
  maxChanges?: number;
}

export interface Counterfactuals {
  label: string;
  probability: number;
  target: string;
  counterfactuals: Counterfactual[];
}

/** The most columns one set changes unless the caller says (CounterfactualOptions.maxChanges). */
export const MAX_CHANGES = 4;

/** A set of changes in words: "income 20 -> 69, purpose (empty) -> car" (the arrow the caller's medium prefers). */
export function changesInWords(changes: readonly Change[], arrow = "->"): string {
  return changes.map((c) => `${c.feature} ${c.from === "" ? "(empty)" : c.from} ${arrow} ${c.to}`).join(", ");
}

/** Numbers tried per numeric column: evenly spaced over the training range. */
const GRID = 9;

/**
 * What would change the decision for one table row (raw cells by column name): small, diverse
 * sets of changes after which the model answers `target`. Every value proposed is one the
 * column held in training: a category it had, or a number inside its training range (whole
 * numbers where all of its values were whole), on a grid of 9. Immutable columns never change.
 *
 * The search is greedy and checked by the model at every step: from the row, try every single
 * change (one batch through the network); keep the smallest one that gives the target (a
 * number's move measured as a share of its training range, a category change as 1), else the one
 * that raises the target's probability most, and repeat until the model answers the target or
 * `maxChanges` columns have changed.
 * Then each change is undone where the answer survives without it, so every set is minimal in
 * that sense. For diversity, the column each set changed first is left out of the later searches.
 */
export function counterfactuals(network: Network, state: TableState, cells: ReadonlyMap<string, string>, options: CounterfactualOptions = {}): Counterfactuals {
  if (network.spec.output === "linear") throw new GlassboxError("BAD_ARGUMENT", "counterfactuals change a classifier's answer; this model is a regression model");
  const names = state.columns.map((c) => c.name);
  for (const name of options.immutable ?? []) {
    if (!names.includes(name))
      throw new GlassboxError("BAD_ARGUMENT", `immutable column "${name.slice(0, 100)}": no such column; the columns are: ${names.slice(0, 20).join(", ")}`);
  }
  for (const name of names) if (!cells.has(name)) throw new GlassboxError("BAD_DATA", `the row lacks the column "${name}" the model was trained on`);
  const immutable = new Set(options.immutable ?? []);
  const count = options.count ?? 3;
  const maxChanges = options.maxChanges ?? MAX_CHANGES;
  const answers = (rows: Map<string, string>[]): Float32Array => {
    const width = tableFeatureCount(state);
    const features = new Float32Array(rows.length * width);
    rows.forEach((row, i) =>
      features.set(
        tableFeatures(state, (name) => row.get(name)),
        i * width,
      ),
    );
    return network.predict(features, rows.length);
  };
  const outputs = network.outputs;
  const labels = network.labels;
  const probabilityOf = (p: Float32Array, i: number, label: number): number => probabilitiesOf(p, i, outputs)[label];
  // The answer of row i of a batch, as evaluate decides it (a sigmoid says its second label from 0.5).
  const answerOf = (p: Float32Array, i: number): number => predictedClasses(p.subarray(i * outputs, (i + 1) * outputs), 1, outputs, network.threshold)[0];
  const start = new Map(cells);
  const now = answers([start]);
  const label = answerOf(now, 0);
  const target = options.target !== undefined ? labelIndexOf(labels, options.target) : labels.length === 2 ? 1 - label : secondBest(now, labels.length, label);
  if (target === label) throw new GlassboxError("BAD_ARGUMENT", `the model already answers "${labels[target]}" for this row`);
  const candidates = new Map(state.columns.filter((c) => !immutable.has(c.name)).map((c) => [c.name, valuesOf(c)]));

  const found: Counterfactual[] = [];
  const banned = new Set<string>();
  const seen = new Set<string>();
  while (found.length < count) {
    const row = new Map(start);
    const changed: string[] = [];
    let flipped = false;
    while (changed.length < maxChanges && !flipped) {
      const tries: { column: string; value: string }[] = [];
      for (const [column, values] of candidates) {
        if (banned.has(column) || changed.includes(column)) continue;
        for (const value of values) if (value !== start.get(column)) tries.push({ column, value });
      }
      if (tries.length === 0) break;
      const p = answers(tries.map(({ column, value }) => new Map(row).set(column, value)));
      // The smallest change that flips the answer, if one does; else the one that helps most.
      const flips = tries.map((_, i) => answerOf(p, i) === target);
      const size = tries.map(({ column, value }) => distance(state.columns[names.indexOf(column)], start.get(column) ?? "", value));
      let best = 0;
      for (let i = 1; i < tries.length; i++) {
        const better =
          flips[i] !== flips[best]
            ? flips[i]
            : flips[i]
              ? size[i] < size[best] || (size[i] === size[best] && probabilityOf(p, i, target) > probabilityOf(p, best, target))
              : probabilityOf(p, i, target) > probabilityOf(p, best, target);
        if (better) best = i;
      }
      row.set(tries[best].column, tries[best].value);
      changed.push(tries[best].column);
      flipped = answerOf(p, best) === target;
    }
    if (!flipped) break;
    banned.add(changed[0]);
    // Undo each change the answer does not need, last first.
    for (const column of [...changed].reverse()) {
      const without = new Map(row).set(column, start.get(column) ?? "");
      if (answerOf(answers([without]), 0) === target) {
        row.set(column, start.get(column) ?? "");
        changed.splice(changed.indexOf(column), 1);
      }
    }
    const key = changed
      .map((c) => `${c}=${row.get(c)}`)
      .sort()
      .join("\u0000");
    if (seen.has(key)) continue;
    seen.add(key);
    const check = answers([row]);
    if (answerOf(check, 0) !== target) continue;
    found.push({
      changes: names.filter((n) => changed.includes(n)).map((n) => ({ feature: n, from: start.get(n) ?? "", to: row.get(n) ?? "" })),
      probability: probabilityOf(check, 0, target),
    });
  }
  return { label: labels[label], probability: probabilityOf(now, 0, label), target: labels[target], counterfactuals: found };
}

/** How far a change goes: a category change counts 1, a number its share of the training range. */
function distance(column: TableColumn, from: string, to: string): number {
  if (column.type === "categorical") return 1;
  const span = column.range ? column.range.max - column.range.min : 4 * column.std;
  const a = Number(from);
  return Number.isFinite(a) && span > 0 ? Math.abs(Number(to) - a) / span : 1;
}

/** The values a column may take in a counterfactual: its training categories, or a grid over its training range. */
function valuesOf(column: TableColumn): string[] {
  if (column.type === "categorical") return column.categories;
  const range = column.range ?? { min: column.mean - 2 * column.std, max: column.mean + 2 * column.std, whole: false };
  const values = new Set<string>();
  for (let i = 0; i < GRID; i++) {
    const v = range.min + ((range.max - range.min) * i) / (GRID - 1);
    values.add(range.whole ? String(Math.round(v)) : String(Number(v.toPrecision(4))));
  }
  return [...values];
}

function secondBest(p: Float32Array, outputs: number, best: number): number {
  let second = best === 0 ? 1 : 0;
  for (let k = 0; k < outputs; k++) if (k !== best && p[k] > p[second]) second = k;
  return second;
}

/**
 * Counterfactuals for row `row` (from 1) of a CSV file's text, as the JSON that `glassbox explain
 * --counterfactual --json` prints and the server answers (the CLI and the server share it).
 */
export function counterfactualsOfCsv(
  network: Network,
  text: string,
  source: string,
  row: number,
  options: { immutable: string[]; target?: string },
): { method: "counterfactual"; immutable: string[] } & Counterfactuals {
  const state = featurizerOf(network);
  if (state?.kind !== "table")
    throw new GlassboxError("BAD_ARGUMENT", `counterfactuals change the columns of a table row; this model reads ${state ? state.kind : "plain features"}`);
  const table = parseCsvTable(text, source);
  const cells = table.rows[row - 1];
  if (!cells) throw new GlassboxError("BAD_ARGUMENT", `row ${row}: ${source} has ${table.rows.length} rows`);
  const result = counterfactuals(network, state, new Map(table.header.map((name, j) => [name, cells[j]])), options);
  return {
    method: "counterfactual",
    label: result.label,
    probability: result.probability,
    target: result.target,
    immutable: options.immutable,
    counterfactuals: result.counterfactuals,
  };
}
