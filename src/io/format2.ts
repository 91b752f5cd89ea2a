import { checkFeaturizerState, featureCount, featureShape } from "../featurizers/index.js";
import type { LayerSpec, ModelAbout, NetworkSpec } from "../model/network.js";
import type { NamedTensor } from "./safetensors.js";

/**
 * Model files of formats 1 and 2 as format 3 reads them. Those files knew only dense and dropout
 * layers of a flat input, and kept standardisation outside the layers:
 *
 *   architecture {inputs, layers: [{type: "dense", inputs, units, activation}, {type: "dropout", rate}], ...}
 *   tensors "layers.<i>.weight|bias", and "normalization.mean" / "normalization.std" [inputs]
 *   about {..., input: {kind: "image", height, width, channels} | {kind: "table"} | null}
 *
 * The same network in format 3: the input shape from the featurizer (or the old input
 * description), a standardize layer first when the file standardised, and every later layer's
 * tensors renamed one index up. The answers are the same: standardisation computes (x - mean) / std
 * as before, and the dense layers multiply the same weights.
 */
export function fromFormat2(
  old: Record<string, unknown>,
  oldAbout: Record<string, unknown>,
  tensors: Map<string, NamedTensor>,
): { spec: NetworkSpec; about: Partial<ModelAbout>; tensors: Map<string, NamedTensor> } {
  const inputs = old.inputs;
  if (!(Number.isInteger(inputs) && (inputs as number) > 0)) throw new Error(`inputs must be a positive integer, got ${JSON.stringify(inputs)}`);
  if (!Array.isArray(old.layers)) throw new Error("an architecture needs a list of layers");
  const hasMean = tensors.has("normalization.mean");
  if (hasMean !== tensors.has("normalization.std")) {
    throw new Error(`it holds "normalization.${hasMean ? "mean" : "std"}" without "normalization.${hasMean ? "std" : "mean"}": standardisation needs both`);
  }
  const shift = hasMean ? 1 : 0;
  // Their layer specs are today's but for `inputs`, which the shape rules now derive; the layer
  // registry checks each spec as for any file.
  const kept = (old.layers as Record<string, unknown>[]).map((layer) => {
    const { inputs: _, ...spec } = layer ?? {};
    return spec as unknown as LayerSpec;
  });
  const layers: LayerSpec[] = hasMean ? [{ type: "standardize" }, ...kept] : kept;
  const renamed = new Map<string, NamedTensor>();
  for (const [name, tensor] of tensors) {
    const match = /^layers\.(\d+)\.(.+)$/.exec(name);
    const to = match ? `layers.${Number(match[1]) + shift}.${match[2]}` : name === "normalization.mean" ? "layers.0.mean" : name === "normalization.std" ? "layers.0.std" : name;
    renamed.set(to, { ...tensor, name: to });
  }
  const { input, ...about } = oldAbout as { input?: { kind?: string; height?: number; width?: number; channels?: number } | null } & Partial<ModelAbout>;
  const inputShape = shapeOf(inputs as number, about.featurizer, input ?? null);
  // Standardisation statistics and the background were [inputs] and [rows, inputs]: give them the input shape.
  for (const name of ["layers.0.mean", "layers.0.std"]) {
    const t = renamed.get(name);
    if (t && hasMean && t.shape.length === 1 && t.shape[0] === inputs) renamed.set(name, { ...t, shape: inputShape });
  }
  const background = renamed.get("background");
  if (background && background.shape.length === 2 && background.shape[1] === inputs) renamed.set("background", { ...background, shape: [background.shape[0], ...inputShape] });
  return {
    spec: { inputShape, layers, output: old.output as NetworkSpec["output"], labels: old.labels as string[] },
    about,
    tensors: renamed,
  };
}

/** The input shape an old file meant: its featurizer's, else its image description's, else [inputs]. */
function shapeOf(inputs: number, featurizer: unknown, input: { kind?: string; height?: number; width?: number; channels?: number } | null): number[] {
  if (featurizer) {
    try {
      const state = checkFeaturizerState(featurizer, "");
      if (featureCount(state) === inputs) return featureShape(state);
    } catch {
      // the format-3 checks report the featurizer
    }
  }
  if (input?.kind === "image" && (input.height ?? 0) * (input.width ?? 0) * (input.channels ?? 0) === inputs) {
    return [input.height as number, input.width as number, input.channels as number];
  }
  return [inputs];
}
