import { GlassboxError } from "../errors.js";
import { naturalOrder } from "../data/csv.js";

/**
 * Nested labels: each label (a leaf, such as "dog") has a path of categories above it
 * (["animal", "domestic", "dog"]). The network predicts leaves; a category's probability is the
 * sum of its leaves' probabilities, and each level's answer is its most probable category.
 */
export type Hierarchy = string[][]; // one path per label, root first, the label itself last

export interface Level {
  /** 0 for the top categories; the last level is the labels themselves. */
  depth: number;
  label: string;
  probability: number;
}

/** Levels in the hierarchy (the longest path). */
export function depthOf(hierarchy: Hierarchy): number {
  return Math.max(...hierarchy.map((path) => path.length));
}

/** The category of label k at `depth`: its path cut there (a shorter path stays at its leaf). */
function nodeAt(path: string[], depth: number): string {
  return path.slice(0, Math.min(depth + 1, path.length)).join("/");
}

/**
 * Probabilities per label -> the most probable category at every level.
 * @example levels([0.1, 0.81, 0.09], [["bags", "Bag"], ["footwear", "Sneaker"], ["footwear", "Sandal"]])
 * // [{ depth: 0, label: "footwear", probability: 0.9 }, { depth: 1, label: "Sneaker", probability: 0.81 }]
 */
export function levels(probabilities: ArrayLike<number>, hierarchy: Hierarchy): Level[] {
  return bestNodes(probabilities, hierarchy).map(({ node, probability }, depth) => ({ depth, label: node.split("/").pop() ?? node, probability }));
}

/** At each depth, the category (as its path "footwear/Sneaker") whose leaves add up to most. */
function bestNodes(probabilities: ArrayLike<number>, hierarchy: Hierarchy): { node: string; probability: number }[] {
  const out: { node: string; probability: number }[] = [];
  for (let depth = 0; depth < depthOf(hierarchy); depth++) {
    const sums = new Map<string, number>();
    hierarchy.forEach((path, k) => {
      const node = nodeAt(path, depth);
      sums.set(node, (sums.get(node) ?? 0) + probabilities[k]);
    });
    let best = { node: "", probability: -1 };
    for (const [node, probability] of sums) if (probability > best.probability) best = { node, probability };
    out.push(best);
  }
  return out;
}

/** Accuracy at each level: the predicted category equals the true label's category there. */
export function accuracyByLevel(answers: Float32Array, outputs: number, labels: Int32Array, hierarchy: Hierarchy): { depth: number; accuracy: number }[] {
  const correct = new Array<number>(depthOf(hierarchy)).fill(0);
  for (let i = 0; i < labels.length; i++) {
    bestNodes(answers.subarray(i * outputs, (i + 1) * outputs), hierarchy).forEach(({ node }, depth) => {
      if (node === nodeAt(hierarchy[labels[i]], depth)) correct[depth]++;
    });
  }
  return correct.map((c, depth) => ({ depth, accuracy: c / Math.max(labels.length, 1) }));
}

/**
 * Folder paths of the examples -> label names, the hierarchy (null when every path has one part)
 * and a class index per example. A label is named by its leaf folder, or by its whole path when
 * two leaves share a name ("cats/other", "dogs/other"). With a model's `known` labels, a path
 * outside them is an error.
 */
export function labelsFromPaths(
  paths: string[][],
  known: { labelNames: string[]; hierarchy: Hierarchy | null } | null,
  where: (i: number) => string,
): { labels: Int32Array; labelNames: string[]; hierarchy: Hierarchy | null } {
  let labelNames: string[];
  let hierarchy: Hierarchy | null;
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
