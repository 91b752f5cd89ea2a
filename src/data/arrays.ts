import { GlassboxError } from "../errors.js";
import { count } from "../words.js";
import { indexLabels, type Task } from "./csv.js";
import type { Dataset } from "./dataset.js";

/** Names for the columns and the labels of a dataset made from arrays. */
export interface ArraysOptions {
  /** One per column. Default: none (features are then named by number). */
  featureNames?: string[];
  /** The label names in their order (index k is label k). Default: the distinct labels of `y`, sorted ("2" before "10"). */
  labels?: string[];
  /** Named in messages. Default "arrays". */
  source?: string;
  /** "regress": `y` holds the numbers to predict (one target, named `labels[0]`, default "target"). Default "classify". */
  task?: Task;
}

/**
 * A labelled dataset from plain arrays, as scikit-learn takes them: `x` a row of numbers per
 * example, `y` each row's label (a name or a number). Every row must have as many numbers, all
 * finite.
 * @example
 * const data = datasetFromArrays([[5.1, 3.5], [6.2, 2.9]], ["setosa", "versicolor"], { featureNames: ["sepal", "petal"] });
 * data.labelNames // ["setosa", "versicolor"]
 */
export function datasetFromArrays(x: readonly ArrayLike<number>[], y: readonly (string | number)[], options: ArraysOptions = {}): Dataset {
  const source = options.source ?? "arrays";
  if (x.length === 0) throw new GlassboxError("BAD_DATA", `${source}: expected at least one row of numbers in x, got none`);
  if (y.length !== x.length) throw new GlassboxError("BAD_DATA", `${source}: expected one label per row, got ${count(x.length, "row")} and ${count(y.length, "label")}`);
  const columns = x[0].length;
  if (columns === 0) throw new GlassboxError("BAD_DATA", `${source}: the rows of x hold no numbers`);
  const names = options.featureNames ?? null;
  if (names && names.length !== columns) throw new GlassboxError("BAD_DATA", `${source}: ${names.length} feature names for ${columns} columns`);
  const features = new Float32Array(x.length * columns);
  x.forEach((row, r) => {
    if (row.length !== columns) throw new GlassboxError("BAD_DATA", `${source}: row ${r + 1} has ${count(row.length, "number")}; the first row has ${columns}`);
    for (let c = 0; c < columns; c++) {
      const v = row[c];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new GlassboxError("BAD_DATA", `${source}: row ${r + 1}, column ${names?.[c] ?? c + 1} is ${String(v)}; expected a finite number`);
      features[r * columns + c] = v;
    }
  });
  if (options.task === "regress") {
    const targets = Float32Array.from(y, (v, i) => {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new GlassboxError("BAD_DATA", `${source}: row ${i + 1}'s target is ${String(v)}; a regression needs a finite number`);
      return v;
    });
    const labelNames = options.labels ?? ["target"];
    if (labelNames.length !== 1) throw new GlassboxError("BAD_DATA", `${source}: a regression on y predicts one target; got ${labelNames.length} names for it`);
    return { features, rows: x.length, columns, featureNames: names ? [...names] : null, labels: null, labelNames: [...labelNames], targets, source };
  }
  const { labels, labelNames } = indexLabels(
    y.map((label) => String(label)),
    options.labels,
    (i) => `${source}: row ${i + 1}`,
  );
  return { features, rows: x.length, columns, featureNames: names ? [...names] : null, labels, labelNames, source };
}
