import { GlassboxError } from "../errors.js";
import { baselineFor } from "../explain/baseline.js";
import { counterfactualsOfCsv } from "../explain/counterfactual.js";
import { csvText } from "../featurizers/table/csv.js";
import { explain } from "../explain/index.js";
import { CONDUCTANCE_POINTS_PER_STEP, conductance, conductanceRecord, gradCam, gradCamPng, gradCamRecord } from "../explain/layers.js";
import { EXPLAIN_METHODS, type ExplainMethod } from "../explain/types.js";
import { explanationPng, explanationTitle, featureAttributions } from "../explain/present.js";
import { featurizerOf } from "../featurizers/index.js";
import { classify } from "../model/classify.js";
import { labelIndexOfText } from "../model/labels.js";
import type { Network } from "../model/network.js";
import type { FloatArray } from "../tensor/tensor.js";
import { inputFrom } from "./input.js";

/**
 * The answers of POST /api/predict and /api/explain, computed from the request's media type,
 * body and query alone: the same function runs in a compute worker (compute.ts) or, with no
 * workers, on the calling thread. Everything it returns is plain JSON.
 */
export interface Job {
  route: "predict" | "explain";
  type: string;
  body: Uint8Array;
  query: Record<string, string>;
  maxSteps: number;
}

export function answer(network: Network, job: Job): unknown {
  return job.route === "predict" ? predictAnswer(network, job) : explainAnswer(network, job);
}

/** ?top=N: a raw file or JSON features -> one prediction per row. */
function predictAnswer(network: Network, { type, body, query }: Job): unknown {
  const top = queryInteger(query, "top", 3);
  const input = inputFrom(network, type, body);
  const note = input.note ? { note: input.note } : {};
  if (network.spec.output === "linear") {
    const values = network.predict(input.features, input.rows);
    const outputs = network.outputs;
    const predictions = Array.from({ length: input.rows }, (_, r) => ({
      values: network.labels.map((label, k) => ({ label, value: values[r * outputs + k] })),
    }));
    return { predictions, rows: input.rows, ...note };
  }
  return { predictions: classify(network, input.features, input.rows, top), rows: input.rows, ...note };
}

/**
 * ?method=ig&label=L&top=20&steps=64&exact=1: one input -> why the model answers what it does,
 * feature by feature (the `top` largest by |value|), with a picture for images and sounds.
 */
function explainAnswer(network: Network, job: Job): unknown {
  const { type, body, query, maxSteps } = job;
  const asked = query.method ?? "ig";
  if (asked === "gradcam" || asked === "conductance") return layerAnswer(network, job, asked);
  if (asked === "counterfactual") {
    // ?immutable=A,B&to=LABEL, the body one CSV row under its header: what `explain --counterfactual --json` prints.
    const immutable = (query.immutable ?? "").split(",").filter((c) => c !== "");
    const target = query.to === undefined ? {} : { target: query.to };
    return counterfactualsOfCsv(network, csvText(body, "the request body").text, "the request body", 1, { immutable, ...target });
  }
  const method = asked as ExplainMethod;
  if (!EXPLAIN_METHODS.includes(method)) {
    throw new GlassboxError(
      "BAD_ARGUMENT",
      `?method: expected one of ${[...EXPLAIN_METHODS, "gradcam", "conductance", "counterfactual"].join(", ")}, got "${method.slice(0, 100)}"`,
    );
  }
  const top = queryInteger(query, "top", 20);
  const steps = query.steps === undefined ? undefined : queryInteger(query, "steps", 64);
  if (steps !== undefined && steps > maxSteps) {
    throw new GlassboxError("BAD_ARGUMENT", `?steps=${steps}: at most ${maxSteps} steps (the server's --max-steps); more would hold the server for one request`);
  }
  const label = query.label === undefined ? undefined : labelIndexOfText(network.labels, query.label);
  const input = inputFrom(network, type, body);
  if (input.rows !== 1) throw new GlassboxError("BAD_DATA", `explain takes one input; the request body holds ${input.rows} rows`);
  // The model's own "nothing" (tables: its kept training rows, one player per column; sound: silence).
  const e = explain(network, input.features, { method, label, steps, exact: query.exact === "1", ...baselineFor(network) });
  return {
    method: e.method,
    label: e.label,
    output: e.output,
    baseline_output: e.baselineOutput,
    delta: e.delta,
    steps: e.steps,
    attributions: featureAttributions(network, input.features, e).slice(0, top),
    picture: pictureOf(network, input.features, e.attributions, explanationTitle(e)),
    ...(input.note ? { note: input.note } : {}),
  };
}

/**
 * ?method=gradcam|conductance&layer=N&label=L (conductance: &steps=32): a hidden layer's
 * explanation, the JSON `glassbox explain --json` prints, with Grad-CAM's picture for images.
 * Conductance evaluates up to 16 x steps + 1 points on the path, so its steps count sixteen
 * times against --max-steps.
 */
function layerAnswer(network: Network, { type, body, query, maxSteps }: Job, method: "gradcam" | "conductance"): unknown {
  const layer = query.layer === undefined ? undefined : queryInteger(query, "layer", 0, 0);
  const label = query.label === undefined ? undefined : labelIndexOfText(network.labels, query.label);
  const input = inputFrom(network, type, body);
  if (input.rows !== 1) throw new GlassboxError("BAD_DATA", `explain takes one input; the request body holds ${input.rows} rows`);
  const note = input.note ? { note: input.note } : {};
  if (method === "gradcam") {
    const cam = gradCam(network, input.features, { layer, label });
    const png = gradCamPng(network, input.features, cam);
    return { ...gradCamRecord(cam), picture: png ? base64(png) : null, ...note };
  }
  const steps = query.steps === undefined ? undefined : queryInteger(query, "steps", 64);
  const per = CONDUCTANCE_POINTS_PER_STEP;
  if (steps !== undefined && per * steps > maxSteps) {
    throw new GlassboxError(
      "BAD_ARGUMENT",
      `?steps=${steps}: conductance takes up to ${per} x steps + 1 points, so at most ${Math.floor(maxSteps / per)} steps (the server's --max-steps / ${per})`,
    );
  }
  return { ...conductanceRecord(network, conductance(network, input.features, { layer, label, steps, baseline: baselineFor(network).baseline })), ...note };
}

function pictureOf(network: Network, input: Float32Array, attributions: FloatArray, title: string): string | null {
  const png = explanationPng(featurizerOf(network), input, attributions, 8, title);
  return png ? base64(png) : null;
}

function base64(png: Uint8Array): string {
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64");
}

function queryInteger(query: Record<string, string>, name: string, fallback: number, min = 1): number {
  const text = query[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new GlassboxError("BAD_ARGUMENT", `?${name}: expected a whole number >= ${min}, got "${text.slice(0, 100)}"`);
  return n;
}
