import type { Backend } from "../backends/backend.js";
import { createReferenceBackend } from "../backends/reference/index.js";
import { GlassboxError } from "../errors.js";
import type { Dataset } from "../data/dataset.js";
import { loadDataset } from "../data/files.js";
import type { Network } from "../model/network.js";
import { choice, type Parsed } from "./args.js";

export const BACKENDS = ["reference"] as const;

export function backendFrom(values: Parsed["values"]): Backend {
  choice(values, "backend", "reference", BACKENDS);
  return createReferenceBackend();
}

/**
 * The data a trained model is asked about: the test half of an IDX directory or a CSV whose
 * columns are matched to the model's by name. Rows must have the model's feature count.
 */
export function loadForModel(network: Network, path: string, requireLabel: boolean): Dataset {
  const featureNames = network.about.featureNames ?? undefined;
  const data = loadDataset(path, {
    split: "test",
    labelNames: network.labels,
    requireLabel,
    ...(featureNames ? { featureNames } : {}),
    // A model trained on images reads a CSV of pixels: every column is a feature but "label".
    label: network.about.labelColumn ?? "label",
  });
  if (data.columns !== network.inputs) {
    const what = network.about.input?.kind === "image" ? ` (${network.about.input.height}x${network.about.input.width} image)` : "";
    throw new GlassboxError("SHAPE_MISMATCH", `${data.source}: expected ${network.inputs} features per row${what}, got ${data.columns}`);
  }
  return data;
}
