import { levels, type Level } from "./hierarchy.js";
import type { Network } from "./network.js";

/** One answer in words' worth of numbers: the top label, its probability and the runners-up. */
export interface Prediction {
  label: string;
  probability: number;
  top: { label: string; probability: number }[];
  /** For nested labels: the most probable category at each level, the label last. */
  levels?: Level[];
}

/**
 * Raw features: [rows, inputs] -> for each row, the most likely label and the `top` most
 * likely labels with their probabilities (a sigmoid model reports both of its labels).
 * @example classify(network, pixels, 1, 3)[0] // { label: "Ankle boot", probability: 0.93, top: [...] }
 */
export function classify(network: Network, features: Float32Array, rows: number, top = 3): Prediction[] {
  if (network.spec.output === "linear") throw new Error("classify needs a classifier; this model predicts values");
  const answers = network.predict(features, rows);
  const outputs = network.outputs;
  const threshold = network.threshold;
  const chosen = predictedClasses(answers, rows, outputs, threshold);
  const predictions: Prediction[] = [];
  for (let i = 0; i < rows; i++) {
    const probabilities = probabilitiesOf(answers, i, outputs);
    const ranked = probabilities.map((probability, k) => ({ label: network.labels[k], probability })).sort((a, b) => b.probability - a.probability);
    // A two-label model decides by its threshold, which may pick the less probable label.
    const decided = threshold === 0.5 ? ranked[0] : { label: network.labels[chosen[i]], probability: probabilities[chosen[i]] };
    const prediction: Prediction = { label: decided.label, probability: decided.probability, top: ranked.slice(0, Math.max(1, top)) };
    const hierarchy = network.about.hierarchy;
    if (hierarchy) prediction.levels = levels(probabilities, hierarchy);
    predictions.push(prediction);
  }
  return predictions;
}

/**
 * The predicted class of each row of answers: [rows, outputs]. With one output (a sigmoid yes/no
 * neuron) the class is 1 when the probability is at least `threshold` (0.5); a two-way softmax
 * with another threshold decides the same way on its second probability.
 */
export function predictedClasses(answers: ArrayLike<number>, rows: number, outputs: number, threshold = 0.5): Int32Array {
  const classes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (outputs === 1 || (outputs === 2 && threshold !== 0.5)) {
      classes[i] = answers[i * outputs + outputs - 1] >= threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < outputs; j++) if (answers[i * outputs + j] > answers[i * outputs + best]) best = j;
    classes[i] = best;
  }
  return classes;
}

/** Row i of answers: [rows, outputs] as one probability per label (a sigmoid's one output is [1 - p, p]). */
export function probabilitiesOf(answers: ArrayLike<number>, i: number, outputs: number): number[] {
  return outputs === 1 ? [1 - answers[i], answers[i]] : Array.from({ length: outputs }, (_, k) => answers[i * outputs + k]);
}
