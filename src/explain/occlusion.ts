import { inRuns, type Job, type MethodResult } from "./job.js";
import { spreadToFeatures, type Players } from "./players.js";

/**
 * Occlusion: for each player (a window of pixels or features, or a group), the drop
 * f(x) - f(x with the player's features set to the baseline). The drops are the player values;
 * each feature gets its windows' drops divided by the window size and averaged over the windows
 * that cover it, so with non-overlapping windows the attributions add up to the sum of the drops.
 * Forward passes only; the occluded copies of several inputs share batches.
 */
export function occlusion(job: Job, players: Players): MethodResult {
  const { probe, inputs, rows, labels, baseline, outputs } = job;
  const features = probe.features;
  const count = players.members.length;
  const playerValues = new Float64Array(rows * count);
  const attributions = new Float64Array(rows * features);
  const perRun = Math.max(1, Math.floor(probe.chunkRows / count));
  inRuns(rows, perRun, (first, inputsInRun) => {
    const occluded = new Float32Array(inputsInRun * count * features);
    const runLabels = new Int32Array(inputsInRun * count);
    for (let r = 0; r < inputsInRun; r++) {
      const x = inputs.subarray((first + r) * features, (first + r + 1) * features);
      players.members.forEach((cells, p) => {
        const row = (r * count + p) * features;
        occluded.set(x, row);
        for (const j of cells) occluded[row + j] = baseline[j];
        runLabels[r * count + p] = labels[first + r];
      });
    }
    const answers = probe.answers(occluded, inputsInRun * count, runLabels);
    for (let r = 0; r < inputsInRun; r++) {
      const values = playerValues.subarray((first + r) * count, (first + r + 1) * count);
      for (let p = 0; p < count; p++) values[p] = outputs[first + r] - answers[r * count + p];
      attributions.set(spreadToFeatures(players, values, features), (first + r) * features);
    }
  });
  return { attributions, playerValues, baselineOutputs: null, steps: count };
}
