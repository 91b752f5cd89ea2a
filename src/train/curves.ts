/**
 * Ranking metrics of a binary classifier from its scores (the probability of the positive label)
 * and the truth: they judge every threshold at once, where accuracy judges one.
 */

/** Counts at each distinct score, from the highest: the rows at or above it that are positive (tp) and negative (fp). */
export interface ThresholdPoint {
  threshold: number;
  tp: number;
  fp: number;
}

/**
 * The confusion counts at every threshold at once: one point per distinct score, high to low,
 * with the positives and negatives scoring at least that much. ROC and precision-recall curves,
 * and their areas, are read from these points.
 */
export function thresholdPoints(scores: ArrayLike<number>, positive: ArrayLike<boolean>): { points: ThresholdPoint[]; positives: number; negatives: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const points: ThresholdPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    for (let k = start; k < end; k++) {
      if (positive[order[k]]) tp++;
      else fp++;
    }
    points.push({ threshold: scores[order[start]], tp, fp });
    start = end;
  }
  return { points, positives: tp, negatives: fp };
}

/**
 * Area under the ROC curve: the chance that a random positive row scores above a random
 * negative one, ties counting half (the Mann-Whitney statistic), as trapezoids between the ROC
 * points. NaN without both kinds of rows.
 * @example rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]) // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const { points, positives, negatives } = thresholdPoints(scores, positive);
  if (positives === 0 || negatives === 0) return Number.NaN;
  let area = 0;
  let [tp, fp] = [0, 0];
  for (const p of points) {
    area += ((p.fp - fp) * (p.tp + tp)) / 2;
    [tp, fp] = [p.tp, p.fp];
  }
  return area / (positives * negatives);
}

/**
 * Average precision, the area under the precision-recall curve as a step function: over the
 * distinct scores from high to low, the recall each threshold adds times the precision there.
 * NaN without positive rows.
 * @example averagePrecision([0.1, 0.4, 0.35, 0.8], [false, false, true, true]) // (0.5 * 1 + 0.5 * 2/3)
 */
export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const { points, positives } = thresholdPoints(scores, positive);
  if (positives === 0) return Number.NaN;
  let area = 0;
  let tp = 0;
  for (const p of points) {
    area += ((p.tp - tp) / positives) * (p.tp / (p.tp + p.fp));
    tp = p.tp;
  }
  return area;
}

/**
 * The decision threshold that maximises balanced accuracy (the mean of the two labels' recalls)
 * or the positive label's F1, over the scores themselves as candidates (a row is positive at
 * threshold t when its score >= t). Ties keep the candidate nearest 0.5.
 * @example chooseThreshold([0.1, 0.2, 0.3, 0.9], [false, true, true, true], "balanced") // 0.2
 */
export function chooseThreshold(scores: ArrayLike<number>, positive: ArrayLike<boolean>, goal: "balanced" | "f1"): number {
  let positives = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) positives++;
  const negatives = positive.length - positives;
  const candidates = [...new Set(Array.from(scores))].filter((t) => t > 0 && t < 1);
  let best = 0.5;
  let bestScore = -Infinity;
  for (const t of [0.5, ...candidates]) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < t) continue;
      if (positive[i]) tp++;
      else fp++;
    }
    const recall = positives > 0 ? tp / positives : 0;
    const specificity = negatives > 0 ? (negatives - fp) / negatives : 0;
    const score = goal === "balanced" ? (recall + specificity) / 2 : tp > 0 ? (2 * tp) / (2 * tp + fp + (positives - tp)) : 0;
    if (score > bestScore + 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && Math.abs(t - 0.5) < Math.abs(best - 0.5))) [best, bestScore] = [t, score];
  }
  return best;
}
