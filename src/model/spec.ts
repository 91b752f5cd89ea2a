// A network's architecture as the model file stores it, and the checks it passes before any
// layer is built.
import { check } from "../errors.js";
import { inputLimits } from "../limits.js";
import { layerShapes, type LayerSpec } from "../layers/index.js";
import type { OutputKind } from "../losses/index.js";
import { checkShape, shapeText, type Shape } from "../tensor/tensor.js";

export const OUTPUT_KINDS: readonly OutputKind[] = ["softmax", "sigmoid", "linear"];

/** The architecture as stored in the model file. */
export interface NetworkSpec {
  /** One example's shape: [features] for a row, [height, width, channels] for an image, [frames, bands] for a spectrogram. */
  inputShape: number[];
  layers: LayerSpec[];
  output: OutputKind;
  /** Class names (softmax: one per output; sigmoid: [negative, positive]) or target names (linear). */
  labels: string[];
}

/** Outputs the last layer needs for this answer kind and these labels. */
export function outputCount(output: OutputKind, labels: string[]): number {
  if (output === "sigmoid") {
    check(labels.length === 2, `a sigmoid output answers a yes/no question: expected 2 labels, got ${labels.length}`);
    return 1;
  }
  check(labels.length >= 1, "expected at least one label");
  if (output === "softmax") check(labels.length >= 2, `softmax needs at least 2 labels, got ${labels.length}`);
  return labels.length;
}

/**
 * Checks every field of an architecture (it may come from a file) and returns each layer's
 * input shape and the output shape, before any tensor is allocated.
 */
export function checkSpec(spec: NetworkSpec): Shape[] {
  check(typeof spec === "object" && spec !== null && Array.isArray(spec.layers) && spec.layers.length > 0, "an architecture needs a list of layers");
  const maxLayers = inputLimits().modelLayers;
  check(spec.layers.length <= maxLayers, `an architecture has at most ${maxLayers} layers (the input limit model-layers), this one ${spec.layers.length}`);
  try {
    checkShape(spec.inputShape);
  } catch (error) {
    check(false, `inputShape: ${(error as Error).message}`);
  }
  check(OUTPUT_KINDS.includes(spec.output), `output must be one of ${OUTPUT_KINDS.join(", ")}, got ${spec.output}`);
  check(Array.isArray(spec.labels) && spec.labels.every((l) => typeof l === "string"), "labels must be a list of strings");
  let shapes: Shape[];
  try {
    shapes = layerShapes(spec.layers, spec.inputShape);
  } catch (error) {
    return check(false, (error as Error).message) as never;
  }
  const out = shapes[shapes.length - 1];
  const wanted = outputCount(spec.output, spec.labels);
  check(out.length === 1 && out[0] === wanted, `the last layer gives ${shapeText(out)} outputs but ${spec.output} over ${spec.labels.length} labels needs [${wanted}]`);
  return shapes;
}
