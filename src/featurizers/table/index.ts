import { GlassboxError } from "../../errors.js";
import { parseDecimal, quoted } from "./csv.js";

/**
 * Table rows -> numbers. A numeric column is standardised ((x - mean) / std over the training
 * rows); a missing number is replaced by the training mean and flagged in an extra indicator
 * column "<name> missing" (only for columns that had gaps in training). A categorical column
 * becomes one number per category seen in training (one-hot) plus "other", which takes
 * categories first seen at prediction time.
 */
export type TableColumn =
  | { name: string; type: "numeric"; mean: number; std: number; indicator: boolean; range?: NumericRange }
  | { name: string; type: "categorical"; categories: string[] };

/**
 * What a numeric column held in training: its least and largest value and whether every value was
 * a whole number (counterfactuals stay inside it). Models saved before it was kept have none.
 */
export interface NumericRange {
  min: number;
  max: number;
  whole: boolean;
}

/** Fitted state, saved as JSON inside the model file. */
export interface TableState {
  kind: "table";
  columns: TableColumn[];
}

export interface TableOptions {
  /** Columns to read as categories even when they hold numbers (e.g. postcodes, class codes). */
  categorical?: string[];
  /** Standardise numeric columns. Default true; false keeps the raw numbers (mean 0, std 1). */
  standardize?: boolean;
  /** Most categories kept per column, by frequency; rarer ones go to "other". Default 100. */
  maxCategories?: number;
}

/**
 * Cells that mean "no value". Only these: the text "None" is an ordinary category (a person
 * named None, "None" as an answer), unlike in tools that read it as missing.
 */
export const MISSING = new Set(["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"]);

const OTHER = "other";

export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim());
}

/**
 * Learns each column's type and statistics from the training rows (`rows[i][j]` is the cell of
 * column `names[j]`). A column is numeric when more than half of its non-missing cells are
 * numbers; then every other non-missing cell in it is an error that names its row, because a
 * stray word in a column of numbers is more often a typo than a category.
 * @example fitTable(["age", "city"], [["30", "Oslo"], ["", "Rome"]]).columns[0]
 * // { name: "age", type: "numeric", mean: 30, std: 1, indicator: true }
 */
export function fitTable(names: string[], rows: string[][], options: TableOptions = {}, where = (i: number) => `row ${i + 1}`): TableState {
  const categorical = new Set(options.categorical ?? []);
  for (const name of categorical) {
    if (!names.includes(name)) throw new GlassboxError("BAD_ARGUMENT", `categorical column "${name}": no such column; the columns are: ${names.join(", ")}`);
  }
  const standardize = options.standardize ?? true;
  const maxCategories = options.maxCategories ?? 100;
  const columns = names.map((name, j): TableColumn => {
    let numbers = 0;
    let present = 0;
    for (const row of rows) {
      if (isMissing(row[j])) continue;
      present++;
      if (Number.isFinite(parseDecimal(row[j]))) numbers++;
    }
    if (!categorical.has(name) && numbers * 2 > present) return fitNumeric(name, rows, j, standardize, where);
    return fitCategorical(name, rows, j, maxCategories);
  });
  return { kind: "table", columns };
}

function fitNumeric(name: string, rows: string[][], j: number, standardize: boolean, where: (i: number) => string): TableColumn {
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  const range: NumericRange = { min: Infinity, max: -Infinity, whole: true };
  rows.forEach((row, i) => {
    const cell = row[j];
    if (isMissing(cell)) return;
    const value = parseDecimal(cell);
    if (!Number.isFinite(value)) {
      throw new GlassboxError(
        "BAD_DATA",
        `${where(i)}, column "${name}": expected a finite number, got ${quoted(cell)} (most of this column is numbers; pass --categorical ${name} to read it as categories)`,
      );
    }
    sum += value;
    sumSquares += value * value;
    count++;
    range.min = Math.min(range.min, value);
    range.max = Math.max(range.max, value);
    range.whole &&= Number.isInteger(value);
  });
  const mean = count > 0 ? sum / count : 0;
  const spread = Math.sqrt(Math.max(sumSquares / Math.max(count, 1) - mean * mean, 0));
  const std = spread > 1e-6 * Math.max(1, Math.abs(mean)) ? spread : 1;
  return { name, type: "numeric", mean: standardize ? mean : 0, std: standardize ? std : 1, indicator: count < rows.length, ...(count > 0 ? { range } : {}) };
}

function fitCategorical(name: string, rows: string[][], j: number, maxCategories: number): TableColumn {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const cell = row[j].trim();
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  counts.delete(OTHER); // "other" is the slot for unseen categories; a cell that says "other" lands there too
  const categories = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, maxCategories)
    .map(([category]) => category)
    .sort((a, b) => a.localeCompare(b));
  return { name, type: "categorical", categories };
}

/** Numbers per row. */
export function tableFeatureCount(state: TableState): number {
  return state.columns.reduce((n, c) => n + (c.type === "numeric" ? (c.indicator ? 2 : 1) : c.categories.length + 1), 0);
}

/** "age", "age missing", "city = Oslo", "city = other": one name per number. */
export function tableFeatureNames(state: TableState): string[] {
  return state.columns.flatMap((c) =>
    c.type === "numeric"
      ? c.indicator
        ? [c.name, `${c.name} missing`]
        : [c.name]
      : [...c.categories.map((k) => `${c.name} = ${k === "" ? "(empty)" : k}`), `${c.name} = ${OTHER}`],
  );
}

/** For each original column, the feature indices it became (explanations sum one-hot groups back). */
export function tableFeatureGroups(state: TableState): { column: string; features: number[] }[] {
  let start = 0;
  return state.columns.map((c) => {
    const width = c.type === "numeric" ? (c.indicator ? 2 : 1) : c.categories.length + 1;
    const group = { column: c.name, features: Array.from({ length: width }, (_, k) => start + k) };
    start += width;
    return group;
  });
}

/**
 * One row -> numbers. `cell(name, j)` returns the row's text for a column (`j` is its place in
 * `state.columns`), or undefined when the row lacks that column (an error: the model needs every
 * column it was trained on).
 */
export function tableFeatures(state: TableState, cell: (name: string, j: number) => string | undefined, where = "row"): Float32Array {
  const out = new Float32Array(tableFeatureCount(state));
  let k = 0;
  for (let j = 0; j < state.columns.length; j++) {
    const column = state.columns[j];
    const text = cell(column.name, j);
    if (text === undefined) throw new GlassboxError("BAD_DATA", `${where} lacks the column "${column.name}" the model was trained on`);
    if (column.type === "numeric") {
      const missing = isMissing(text);
      const value = missing ? column.mean : parseDecimal(text);
      if (!Number.isFinite(value)) {
        throw new GlassboxError("BAD_DATA", `${where}, column "${column.name}": expected a number or an empty cell, got ${quoted(text)}`);
      }
      out[k++] = (value - column.mean) / column.std;
      if (column.indicator) out[k++] = missing ? 1 : 0;
    } else {
      const index = column.categories.indexOf(text.trim());
      out[k + (index >= 0 ? index : column.categories.length)] = 1;
      k += column.categories.length + 1;
    }
  }
  return out;
}

/**
 * A feature row back to the cells it came from, by column name: numbers unstandardised (shown
 * to 6 significant digits), a category by its one-hot place ("other" for the catch-all, and a
 * missing number with an indicator as the empty cell). tableFeatures of the cells gives the row
 * back. The web page fills its form with a model's kept examples this way.
 */
export function tableCells(state: TableState, features: ArrayLike<number>): Map<string, string> {
  const cells = new Map<string, string>();
  let k = 0;
  for (const column of state.columns) {
    if (column.type === "numeric") {
      const value = features[k++] * column.std + column.mean;
      const missing = column.indicator ? features[k++] === 1 : false;
      cells.set(column.name, missing ? "" : String(Number(value.toPrecision(6))));
    } else {
      let best = 0;
      for (let c = 1; c <= column.categories.length; c++) if (features[k + c] > features[k + best]) best = c;
      cells.set(column.name, best < column.categories.length ? column.categories[best] : OTHER);
      k += column.categories.length + 1;
    }
  }
  return cells;
}

/**
 * The non-empty cells of a row that hold a category their column never had in training:
 * tableFeatures reads them as "other", which a caller should say.
 */
export function unseenCategories(state: TableState, cell: (name: string) => string | undefined): { column: string; value: string }[] {
  const unseen: { column: string; value: string }[] = [];
  for (const column of state.columns) {
    const value = cell(column.name)?.trim();
    // A cell that says "other" goes to the catch-all slot, as it did in training: not unseen.
    if (column.type === "categorical" && value !== undefined && value !== "" && value !== OTHER && !column.categories.includes(value)) unseen.push({ column: column.name, value });
  }
  return unseen;
}

/** Checks a state read from a model file. */
export function checkTableState(state: unknown, source: string): TableState {
  const fail = (what: string): never => {
    throw new GlassboxError("BAD_MODEL_FILE", `${source}: its table featurizer is not valid: ${what}`);
  };
  const s = state as TableState;
  if (!Array.isArray(s.columns) || s.columns.length === 0) fail("expected a list of columns");
  for (const c of s.columns) {
    if (typeof c.name !== "string") fail("a column has no name");
    if (c.type === "numeric") {
      if (!Number.isFinite(c.mean) || !Number.isFinite(c.std) || c.std <= 0) fail(`column "${c.name}" needs a finite mean and a positive std`);
      const r = c.range;
      if (r !== undefined && !(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max && typeof r.whole === "boolean"))
        fail(`column "${c.name}" has a range that is not {min <= max, whole}`);
    } else if (c.type === "categorical") {
      if (!Array.isArray(c.categories) || !c.categories.every((k) => typeof k === "string")) fail(`column "${c.name}" needs a list of categories`);
    } else {
      fail(`column "${(c as TableColumn).name}" has unknown type "${(c as { type: unknown }).type}"`);
    }
  }
  return s;
}
