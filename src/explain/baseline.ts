import { soundFeatures } from "../featurizers/sound/index.js";
import { tableFeatureGroups } from "../featurizers/table/index.js";
import type { Network } from "../model/network.js";
import type { ExplainOptions } from "./types.js";

/**
 * What "nothing" looks like for this model: the mean of the training rows it keeps (tables:
 * shap's background too, each column one player), silence for a sound, else all zeros.
 */
export function baselineFor(network: Network): Pick<ExplainOptions, "baseline" | "background" | "groups"> {
  const state = network.about.featurizer;
  const background = network.background;
  if (state?.kind === "table" && background) {
    const mean = new Float32Array(network.inputs);
    for (let r = 0; r < background.rows; r++) for (let j = 0; j < network.inputs; j++) mean[j] += background.features[r * network.inputs + j] / background.rows;
    return { baseline: mean, background, groups: tableFeatureGroups(state).map((g) => g.features) };
  }
  if (state?.kind === "sound") {
    const silence = soundFeatures(state, { rate: state.rate, samples: new Float32Array(Math.round(state.rate * state.seconds)) });
    return { baseline: silence, background: { features: silence, rows: 1 } };
  }
  return {};
}

