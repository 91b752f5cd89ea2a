import { featurizerOf } from "../featurizers/index.js";
import { soundFeatures } from "../featurizers/sound/index.js";
import { tableFeatureGroups } from "../featurizers/table/index.js";
import type { Network } from "../model/network.js";
import type { ExplainOptions } from "./types.js";

/**
 * What "nothing" looks like for this model, the one baseline every caller (CLI, server, web app)
 * and every method explains against: the mean of the training rows the model keeps (a typical
 * row; for Shapley values the one background row, each table column one player), silence for a
 * sound, else all zeros (a black image, no words). One row for all methods, so that integrated
 * gradients, occlusion and Shapley values all explain the same change, from the same answer.
 * @example explain(network, row, { method: "shap", ...baselineFor(network) })
 */
export function baselineFor(network: Network): Pick<ExplainOptions, "baseline" | "background" | "groups"> {
  const state = featurizerOf(network);
  const background = network.background;
  if (background) {
    const mean = new Float32Array(network.inputs);
    for (let r = 0; r < background.rows; r++) for (let j = 0; j < network.inputs; j++) mean[j] += background.features[r * network.inputs + j] / background.rows;
    const groups = state?.kind === "table" ? { groups: tableFeatureGroups(state).map((g) => g.features) } : {};
    return { baseline: mean, background: { features: mean, rows: 1 }, ...groups };
  }
  if (state?.kind === "sound") {
    const silence = soundFeatures(state, { rate: state.rate, samples: new Float32Array(Math.round(state.rate * state.seconds)) });
    return { baseline: silence, background: { features: silence, rows: 1 } };
  }
  return {};
}

/** In words, for people: what every explanation of this model compares the input with (baselineFor). */
export function baselineInWords(network: Network): string {
  const rows = network.background?.rows;
  if (rows) return `a typical row, the average of the ${rows} training rows the model keeps`;
  switch (featurizerOf(network)?.kind) {
    case "sound":
      return "silence";
    case "image":
      return "a black image";
    case "text":
      return "a text with no known words";
    default:
      return "all features 0";
  }
}
