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
  return hierarchy.reduce((deepest, path) => Math.max(deepest, path.length), 0);
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
