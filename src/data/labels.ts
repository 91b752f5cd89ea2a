import { GlassboxError } from "../errors.js";
import { naturalOrder } from "./csv.js";

/**
 * Folder paths of the examples -> label names, the hierarchy (null when every path has one part)
 * and a class index per example. A label is named by its leaf folder, or by its whole path when
 * two leaves share a name ("cats/other", "dogs/other"). With a model's `known` labels, a path
 * outside them is an error.
 */
export function labelsFromPaths(
  paths: string[][],
  known: { labelNames: string[]; hierarchy: string[][] | null } | null,
  where: (i: number) => string,
): { labels: Int32Array; labelNames: string[]; hierarchy: string[][] | null } {
  let labelNames: string[];
  let hierarchy: string[][] | null;
  if (known) {
    ({ labelNames, hierarchy } = known);
  } else {
    const unique = new Map(paths.map((p) => [p.join("/"), p]));
    const sorted = [...unique.values()].sort((a, b) => naturalOrder(a.join("/"), b.join("/")));
    const leaves = sorted.map((p) => p[p.length - 1]);
    const clash = new Set(leaves.filter((leaf, k) => leaves.indexOf(leaf) !== k));
    labelNames = sorted.map((p) => (clash.has(p[p.length - 1]) ? p.join("/") : p[p.length - 1]));
    hierarchy = sorted.some((p) => p.length > 1) ? sorted : null;
  }
  const index = new Map<string, number>();
  labelNames.forEach((name, k) => {
    index.set(hierarchy ? hierarchy[k].join("/") : name, k);
  });
  const labels = new Int32Array(paths.length);
  paths.forEach((path, i) => {
    // A flat model knows its labels by name; a model with categories by the whole path, or by the
    // label alone when the data has no category folders.
    const k = index.get(path.join("/")) ?? (path.length === 1 ? labelNames.indexOf(path[0]) : -1);
    if (k === undefined || k < 0) {
      throw new GlassboxError("UNKNOWN_LABEL", `${where(i)}: unknown label "${path.join("/")}"; the model knows ${labelNames.map((l) => `"${l}"`).join(", ")}`);
    }
    labels[i] = k;
  });
  return { labels, labelNames, hierarchy };
}
