import { CoalitionValues, exactShapley } from "./coalitions.js";
import type { Job, MethodResult } from "./job.js";
import { kernelShap } from "./kernelShap.js";
import { spreadToFeatures, type Players } from "./players.js";

export interface ShapOptions {
  /** Raw rows whose features stand in for absent players: [backgroundRows, features]. */
  background: Float32Array;
  backgroundRows: number;
  /** Exact Shapley values up to this many players, KernelSHAP beyond. */
  exactLimit: number;
  /** KernelSHAP: coalitions to evaluate. */
  samples: number;
  seed: number;
}

/**
 * Shapley values of the players: exact when there are at most `exactLimit` of them, else
 * KernelSHAP. Efficiency holds either way: the values add up to f(x) - mean f(background).
 */
export function shap(job: Job, players: Players, options: ShapOptions): MethodResult {
  const { probe, inputs, rows, labels } = job;
  const features = probe.features;
  const count = players.members.length;
  const exact = count <= options.exactLimit;
  const playerValues = new Float64Array(rows * count);
  const attributions = new Float64Array(rows * features);
  const baselineOutputs = new Float64Array(rows);
  let steps = 0;
  for (let r = 0; r < rows; r++) {
    const x = inputs.subarray(r * features, (r + 1) * features);
    const game = new CoalitionValues(probe, x, labels[r], players.members, options.background, options.backgroundRows);
    const result = exact ? exactShapley(game) : kernelShap(game, options.samples, options.seed);
    playerValues.set(result.values, r * count);
    baselineOutputs[r] = result.empty;
    attributions.set(spreadToFeatures(players, result.values, features), r * features);
    steps = result.coalitions;
  }
  return { attributions, playerValues, baselineOutputs, steps };
}
