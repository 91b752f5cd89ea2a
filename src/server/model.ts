import { describeFeaturizer, featureCount, type FeaturizerState, featurizerOf } from "../featurizers/index.js";
import type { Network } from "../model/network.js";

/** What GET /api/model says about a model: enough for a person or the web app to see what it is. */
export function modelSummary(network: Network, name: string): Record<string, unknown> {
  const layers = network.describe();
  const state = featurizerOf(network);
  return {
    name,
    architecture: {
      input_shape: [...network.inputShape],
      inputs: network.inputs,
      outputs: network.outputs,
      layers,
      parameters: layers.reduce((sum, l) => sum + l.parameters, 0),
      standardized: network.standardizes,
    },
    output: network.spec.output,
    labels: network.labels,
    hierarchy: network.about.hierarchy ?? null,
    featurizer: state ? featurizerSummary(state) : null,
    feature_names: state ? null : network.about.featureNames,
    label_column: network.about.labelColumn,
    training: network.about.training,
  };
}

/** The featurizer's state in brief: its kind, its description and its settings, without a text model's vocabulary. */
function featurizerSummary(state: FeaturizerState): Record<string, unknown> {
  const common = { kind: state.kind, description: describeFeaturizer(state), features: featureCount(state) };
  switch (state.kind) {
    case "image":
      return { ...common, height: state.height, width: state.width, channels: state.channels };
    case "sound":
      return { ...common, rate: state.rate, seconds: state.seconds, spectrogram: state.spectrogram };
    case "text": {
      const { vocabulary, idf, kind: _, ...settings } = state;
      return { ...common, ...settings, vocabulary_size: vocabulary.length, tfidf: idf !== null };
    }
    case "table":
      return {
        ...common,
        columns: state.columns.map((c) =>
          c.type === "numeric" ? { name: c.name, type: c.type, missing_indicator: c.indicator } : { name: c.name, type: c.type, categories: c.categories.length },
        ),
      };
  }
}
