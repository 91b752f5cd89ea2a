import { GlassboxError } from "../errors.js";
import { columnList, parseCsvTable, parseDecimal, quoted, rowName } from "../featurizers/table/csv.js";
import type { Dataset } from "./dataset.js";

export interface CsvDatasetOptions {
  /** Name of the label column. Default: a column named "label" if there is one, else the last column. */
  label?: string;
  /** Where the text came from, for messages. */
  source: string;
  /**
   * Feature columns the model was trained on, by name: a CSV for evaluate or predict must have
   * them all (in any order; extra columns are ignored). Default: every column but the label.
   */
  featureNames?: string[];
  /** Known label names (evaluate): a label outside them is an error. Default: learnt, sorted. */
  labelNames?: string[];
  /** Whether the label column must be present (false: use it when present, as for predict). Default true. */
  requireLabel?: boolean;
}

/**
 * A numeric table with a header row and a label column -> a dataset.
 * Every feature cell must be a finite number; the label may be any text ("cat", "1", "yes").
 * @example
 * parseCsvDataset("x,y,label\n1,2,cat\n3,4,dog\n", { source: "pets.csv" }).labelNames // ["cat", "dog"]
 */
export function parseCsvDataset(text: string, options: CsvDatasetOptions): Dataset {
  const { source } = options;
  const { header, rows, lines } = parseCsvTable(text, source);
  const labelName = options.label ?? defaultLabelColumn(header);
  const labelColumn = header.indexOf(labelName);
  const requireLabel = options.requireLabel ?? true;
  if (labelColumn < 0 && requireLabel) {
    throw new GlassboxError("BAD_DATA", `${source} has no label column ${quoted(labelName)}; its columns are: ${columnList(header)}`);
  }
  const featureNames = options.featureNames ?? header.filter((_, j) => j !== labelColumn);
  const columnOf = new Map(header.map((name, j) => [name, j]));
  const featureColumns = featureNames.map((name) => {
    const j = columnOf.get(name) ?? -1;
    if (j < 0) throw new GlassboxError("BAD_DATA", `${source} lacks the feature column "${name}" the model was trained on; its columns are: ${columnList(header)}`);
    return j;
  });

  const columns = featureNames.length;
  const features = new Float32Array(rows.length * columns);
  rows.forEach((record, i) => {
    featureColumns.forEach((j, c) => {
      const cell = record[j];
      const value = parseDecimal(cell);
      if (!Number.isFinite(value)) {
        const found = cell === "" ? "an empty cell" : quoted(cell);
        throw new GlassboxError("BAD_DATA", `${rowName(i, lines, source)}, column "${header[j]}": expected a finite number, got ${found}`);
      }
      features[i * columns + c] = value;
    });
  });
  const base = { features, rows: rows.length, columns, featureNames, source, input: { kind: "table" } as const, labelColumn: labelName };
  if (labelColumn < 0) return { ...base, labels: null, labelNames: options.labelNames ?? [] };
  const { labels, labelNames } = indexLabels(
    rows.map((r) => r[labelColumn]),
    options.labelNames,
    (i) => `${rowName(i, lines, source)}, column "${labelName}"`,
  );
  return { ...base, labels, labelNames };
}

/** A column named "label" if there is one, else the last column. */
export function defaultLabelColumn(header: string[]): string {
  return header.includes("label") ? "label" : header[header.length - 1];
}

/**
 * Label texts -> class indices. With `known` names (a trained model's), a text outside them is
 * an error; without, the names are learnt and sorted.
 */
export function indexLabels(texts: string[], known: string[] | undefined, where: (i: number) => string): { labels: Int32Array; labelNames: string[] } {
  if (!known) {
    texts.forEach((text, i) => {
      if (text === "") throw new GlassboxError("BAD_DATA", `${where(i)}: the label is empty; every row needs one (or leave the row out)`);
      const control = [...text].find((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
      if (control !== undefined) {
        const code = `U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
        throw new GlassboxError("BAD_DATA", `${where(i)}: the label ${quoted(JSON.stringify(text).slice(1, -1))} holds a control character (${code})`);
      }
    });
  }
  const labelNames = known ?? labelOrder([...new Set(texts)]);
  const index = new Map(labelNames.map((name, k) => [name, k]));
  const labels = new Int32Array(texts.length);
  texts.forEach((text, i) => {
    const k = index.get(text);
    if (k === undefined) {
      throw new GlassboxError("UNKNOWN_LABEL", `${where(i)}: unknown label ${quoted(text)}; the model knows ${labelNames.map((l) => `"${l}"`).join(", ")}`);
    }
    labels[i] = k;
  });
  return { labels, labelNames };
}

/** What a label column asks for: classes to tell apart, or a number to predict. */
export type Task = "classify" | "regress";
export const TASKS: readonly Task[] = ["classify", "regress"];

/** More distinct numbers than this in a label column make it a regression target. */
export const MOST_NUMERIC_CLASSES = 20;

/**
 * The task a label column asks for: a regression when every label is a number and there are
 * more than MOST_NUMERIC_CLASSES different ones, or when they are fractions and at least half
 * of them differ (a small table of prices); otherwise classes ("1", "2", "3" stay labels).
 */
export function taskOf(texts: string[]): Task {
  const distinct = new Set(texts);
  const values = [...distinct].map(parseDecimal);
  if (values.length === 0 || !values.every(Number.isFinite)) return "classify";
  const fractions = values.some((v) => !Number.isInteger(v));
  return distinct.size > MOST_NUMERIC_CLASSES || (fractions && distinct.size * 2 >= texts.length && distinct.size > 2) ? "regress" : "classify";
}

/** Label texts -> regression targets: [rows, 1]; every one must be a finite number. */
export function parseTargets(texts: string[], where: (i: number) => string): Float32Array {
  return Float32Array.from(texts, (text, i) => {
    const value = parseDecimal(text);
    if (!Number.isFinite(value)) {
      const found = text === "" ? "an empty cell" : quoted(text);
      throw new GlassboxError("BAD_DATA", `${where(i)}: expected a number to predict (this is a regression), got ${found}`);
    }
    return value;
  });
}

/** Label names in the order a person expects: by value when every one is a number ("-0.005" before "-0.004", "2" before "10"), else naturalOrder. */
export function labelOrder(names: string[]): string[] {
  const numeric = names.every((name) => name.trim() !== "" && Number.isFinite(Number(name)));
  return numeric ? [...names].sort((a, b) => Number(a) - Number(b) || naturalOrder(a, b)) : [...names].sort(naturalOrder);
}

/** Sorts "2" before "10" and text alphabetically. */
export function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
