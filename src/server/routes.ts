import type { IncomingMessage, ServerResponse } from "node:http";
import { GlassboxError } from "../errors.js";
import { baselineFor } from "../explain/baseline.js";
import { explain } from "../explain/index.js";
import { EXPLAIN_METHODS, type ExplainMethod } from "../explain/types.js";
import { explanationPng, featureAttributions } from "../explain/present.js";
import { featurizerOf } from "../featurizers/index.js";
import { classify } from "../model/classify.js";
import { labelIndexOfText } from "../model/labels.js";
import type { Network } from "../model/network.js";
import type { FloatArray } from "../tensor/tensor.js";
import { readBody } from "./body.js";
import { inputFrom, mediaType } from "./input.js";
import { modelSummary } from "./model.js";
import { HttpError, sendJson } from "./respond.js";
import { findStatic, sendFile } from "./static.js";

/** The routes: which handler answers which method and path. */

export interface Context {
  network: Network;
  /** The model's name as shown (its file name). */
  name: string;
  /** The model file's bytes, as GET /model.safetensors sends them. */
  modelBytes: () => Uint8Array;
  maxBody: number;
  /** The most integration steps an explanation may ask for (?steps=); more is answered 400. */
  maxSteps: number;
  /** The web app's folder, or null to serve no files. */
  webRoot: string | null;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, context: Context) => void | Promise<void>;

const ROUTES: Record<string, { GET?: Handler; POST?: Handler }> = {
  "/healthz": { GET: (_req, res) => sendJson(res, 200, { status: "ok" }) },
  "/api/model": { GET: (_req, res, _url, c) => sendJson(res, 200, modelSummary(c.network, c.name)) },
  "/model.safetensors": { GET: modelFile },
  "/api/predict": { POST: predict },
  "/api/explain": { POST: explainInput },
};

/** Answers one request, or throws an HttpError / GlassboxError for the caller to send. */
export async function route(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const url = new URL(req.url ?? "/", "http://glassbox.invalid");
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "");
  const entry = ROUTES[url.pathname];
  if (entry) {
    const handler = entry[method as keyof typeof entry];
    if (!handler) throw wrongMethod(req, url, Object.keys(entry));
    return handler(req, res, url, context);
  }
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
    const known = Object.keys(ROUTES).filter((p) => p.startsWith("/api/"));
    throw new HttpError(404, "NOT_FOUND", `no API route ${url.pathname}; the API has ${known.join(", ")}`);
  }
  if (method !== "GET") throw wrongMethod(req, url, ["GET"]);
  const file = context.webRoot ? await findStatic(context.webRoot, url.pathname) : null;
  if (!file) {
    const hint = url.pathname === "/" ? ": the web app is not built here (no index.html); the API answers under /api/" : "";
    throw new HttpError(404, "NOT_FOUND", `nothing at ${url.pathname}${hint}`);
  }
  sendFile(req, res, file);
}

function wrongMethod(req: IncomingMessage, url: URL, allowed: string[]): HttpError {
  const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  return new HttpError(405, "METHOD_NOT_ALLOWED", `${url.pathname} answers ${allow.join(", ")}, not ${req.method}`, { Allow: allow.join(", ") });
}

function modelFile(req: IncomingMessage, res: ServerResponse, _url: URL, context: Context): void {
  const bytes = context.modelBytes();
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.length), "Cache-Control": "no-cache" });
  res.end(req.method === "HEAD" ? undefined : bytes);
}

/** POST /api/predict[?top=N]: a raw file or JSON features -> one prediction per row. */
async function predict(req: IncomingMessage, res: ServerResponse, url: URL, { network, maxBody }: Context): Promise<void> {
  const top = queryInteger(url, "top", 3);
  const input = inputFrom(network, mediaType(req), await readBody(req, maxBody));
  const note = input.note ? { note: input.note } : {};
  if (network.spec.output === "linear") {
    const values = network.predict(input.features, input.rows);
    const outputs = network.outputs;
    const predictions = Array.from({ length: input.rows }, (_, r) => ({
      values: network.labels.map((label, k) => ({ label, value: values[r * outputs + k] })),
    }));
    sendJson(res, 200, { predictions, rows: input.rows, ...note });
    return;
  }
  sendJson(res, 200, { predictions: classify(network, input.features, input.rows, top), rows: input.rows, ...note });
}

/**
 * POST /api/explain[?method=ig&label=L&top=20&steps=64&exact=1]: one input -> why the model answers
 * what it does, feature by feature (the `top` largest by |value|), with a picture for images and sounds.
 */
async function explainInput(req: IncomingMessage, res: ServerResponse, url: URL, context: Context): Promise<void> {
  const { network, maxBody } = context;
  const method = (url.searchParams.get("method") ?? "ig") as ExplainMethod;
  if (!EXPLAIN_METHODS.includes(method)) {
    throw new GlassboxError("BAD_ARGUMENT", `?method: expected one of ${EXPLAIN_METHODS.join(", ")}, got "${method}"`);
  }
  const top = queryInteger(url, "top", 20);
  const steps = url.searchParams.has("steps") ? queryInteger(url, "steps", 64) : undefined;
  if (steps !== undefined && steps > context.maxSteps) {
    throw new GlassboxError("BAD_ARGUMENT", `?steps=${steps}: at most ${context.maxSteps} steps (the server's --max-steps); more would hold the server for one request`);
  }
  const labelText = url.searchParams.get("label");
  const label = labelText === null ? undefined : labelIndexOfText(network.labels, labelText);
  const input = inputFrom(network, mediaType(req), await readBody(req, maxBody));
  if (input.rows !== 1) throw new GlassboxError("BAD_DATA", `explain takes one input; the request body holds ${input.rows} rows`);
  // The model's own "nothing" (tables: its kept training rows, one player per column; sound: silence).
  const exact = url.searchParams.get("exact") === "1";
  const e = explain(network, input.features, { method, label, steps, exact, ...baselineFor(network) });
  sendJson(res, 200, {
    method: e.method,
    label: e.label,
    output: e.output,
    baseline_output: e.baselineOutput,
    delta: e.delta,
    steps: e.steps,
    attributions: featureAttributions(network, input.features, e).slice(0, top),
    picture: pictureOf(network, input.features, e.attributions),
    ...(input.note ? { note: input.note } : {}),
  });
}

function pictureOf(network: Network, input: Float32Array, attributions: FloatArray): string | null {
  const png = explanationPng(featurizerOf(network), input, attributions);
  return png ? Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64") : null;
}

function queryInteger(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new GlassboxError("BAD_ARGUMENT", `?${name}: expected a whole number >= 1, got "${text}"`);
  return n;
}
