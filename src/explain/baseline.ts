import { featurizerOf } from "../featurizers/index.js";
import { soundFeatures } from "../featurizers/sound/index.js";
import { tableFeatureGroups } from "../featurizers/table/index.js";
import type { Network } from "../model/network.js";
import type { ExplainMethod, ExplainOptions } from "./types.js";

/**
 * What "nothing" looks like for this model, the one baseline every caller (CLI, server, web app)
 * explains against: the mean of the training rows the model keeps (tables: shap's background
 * too, each column one player), silence for a sound, else all zeros (a black image, no words).
 * @example explain(network, row, { method: "shap", ...baselineFor(network) })
 */
export function baselineFor(network: Network): Pick<ExplainOptions, "baseline" | "background" | "groups"> {
  const state = featurizerOf(network);
  const background = network.background;
  if (background) {
    const mean = new Float32Array(network.inputs);
    for (let r = 0; r < background.rows; r++) for (let j = 0; j < network.inputs; j++) mean[j] += background.features[r * network.inputs + j] / background.rows;
    const groups = state?.kind === "table" ? { groups: tableFeatureGroups(state).map((g) => g.features) } : {};
    return { baseline: mean, background, ...groups };
  }
  if (state?.kind === "sound") {
    const silence = soundFeatures(state, { rate: state.rate, samples: new Float32Array(Math.round(state.rate * state.seconds)) });
    return { baseline: silence, background: { features: silence, rows: 1 } };
  }
  return {};
}

/**
 * In words, for people: what the explanation compares the input with. Given the method, a table
 * model's words say which comparison it is: Shapley values compare with the kept rows' average
 * answer, the other methods with the answer for their average row.
 */
export function baselineInWords(network: Network, method?: ExplainMethod): string {
  const rows = network.background?.rows;
  if (rows && method === "shap") return `the ${rows} training rows the model keeps, on average`;
  if (rows && method) return `a typical row, the average of the ${rows} training rows the model keeps`;
  if (network.background) return "the average of training inputs the model keeps";
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
