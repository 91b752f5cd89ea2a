// glassbox explain --method gradcam | conductance: explanations of a hidden layer (explain/layers.ts).
import { GlassboxError } from "../errors.js";
import { baselineFor } from "../explain/baseline.js";
import { conductance, conductanceRecord, gradCam, gradCamPng, gradCamRecord } from "../explain/layers.js";
import type { FeaturizerState } from "../featurizers/index.js";
import { writeFileAtomic } from "../io/disk.js";
import type { Network } from "../model/network.js";
import type { Prediction } from "../model/classify.js";
import { extent } from "../tensor/scalar.js";
import { predictionInWords } from "./format.js";

export const LAYER_METHODS = ["gradcam", "conductance"] as const;
export type LayerMethod = (typeof LAYER_METHODS)[number];

export interface LayerRequest {
  method: LayerMethod;
  layer: number | undefined;
  label: number | undefined;
  steps: number | undefined;
  top: number;
  out: string;
  json: boolean;
}

/** "layer 5 (relu after conv 64 3x3, 7x7x64)" */
function layerInWords(network: Network, index: number): string {
  const layers = network.describe();
  const d = layers[index];
  const before = index > 0 && d.type === "activation" ? ` after ${layers[index - 1].summary}` : "";
  return `layer ${index} (${d.summary}${before}, ${d.outputShape.join("x")})`;
}

/** Runs Grad-CAM or conductance for one input and prints it; writes the Grad-CAM picture to `out`. */
export function explainLayerCommand(network: Network, input: Float32Array, state: FeaturizerState | null, prediction: Prediction | null, request: LayerRequest): number {
  const options = { ...(request.layer !== undefined ? { layer: request.layer } : {}), ...(request.label !== undefined ? { label: request.label } : {}) };
  const answer = prediction ? [`answer: ${predictionInWords(prediction)}`] : [];
  const extra = { ...(prediction ? { prediction } : {}), ...(request.out ? { picture: request.out } : {}) };
  if (request.method === "gradcam") {
    const cam = gradCam(network, input, options);
    if (request.out) {
      const png = gradCamPng(network, input, cam);
      if (!png || state?.kind !== "image") throw new GlassboxError("BAD_ARGUMENT", "--out: a Grad-CAM picture needs an image model");
      writeFileAtomic(request.out, png);
    }
    if (request.json) {
      process.stdout.write(`${JSON.stringify({ command: "explain", ...gradCamRecord(cam), ...extra })}\n`);
      return 0;
    }
    const peak = cam.map.indexOf(extent(cam.map).max);
    const rows = Array.from({ length: cam.height }, (_, y) => `  ${Array.from(cam.map.subarray(y * cam.width, (y + 1) * cam.width), (v) => shade(v, cam.map[peak])).join("")}`);
    const lines = [
      ...answer,
      `where "${cam.label}" was seen (Grad-CAM on ${layerInWords(network, cam.layer)}): strongest at row ${Math.floor(peak / cam.width) + 1}, column ${(peak % cam.width) + 1} of its ${cam.height}x${cam.width} grid`,
      ...(cam.map[peak] > 0
        ? rows
        : ["  no evidence: every cell of the map is 0 (this layer's channels weigh against the label on average; try an earlier --layer, or --method ig)"]),
      ...(request.out ? ["", `picture: ${request.out} (red: where the layer saw "${cam.label}", over the image in gray)`] : []),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  }
  const c = conductance(network, input, { ...options, ...(request.steps !== undefined ? { steps: request.steps } : {}), baseline: baselineFor(network).baseline });
  const record = conductanceRecord(network, c);
  if (request.json) {
    process.stdout.write(`${JSON.stringify({ command: "explain", ...record, ...extra })}\n`);
    return 0;
  }
  const unit = record.unit as string;
  const ranked = record[`${unit}s`] as Record<string, number>[];
  const lines = [
    ...answer,
    `which ${unit}s of ${layerInWords(network, c.layer)} carried "${c.label}" (conductance, ${c.points} points on the path): output ${c.output.toFixed(4)}, baseline ${c.baselineOutput.toFixed(4)}`,
    `they add up to ${c.values.reduce((s, v) => s + v, 0).toFixed(4)}; off from output - baseline by ${c.delta.toExponential(2)}`,
    "",
    `top ${Math.min(request.top, ranked.length)} ${unit}s (+ pushed towards "${c.label}", - away from it):`,
    ...ranked.slice(0, request.top).map((r) => `  ${r.value >= 0 ? "+" : "-"}${Math.abs(r.value).toFixed(4)}  ${unit} ${r[unit]}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** A cell of the text map: darker for more evidence. */
function shade(value: number, peak: number): string {
  const levels = " .:-=+*#%@";
  return levels[Math.min(levels.length - 1, Math.floor((value / Math.max(peak, 1e-12)) * (levels.length - 1) + 0.5))];
}
