import type { IncomingMessage, ServerResponse } from "node:http";
import type { Network } from "../model/network.js";
import type { Job } from "./answers.js";
import { readBody } from "./body.js";
import type { Compute } from "./compute.js";
import { mediaType } from "./input.js";
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
  /** Where predictions and explanations are computed (compute.ts). */
  compute: Compute;
  /** The web app's folder, or null to serve no files. */
  webRoot: string | null;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, context: Context) => void | Promise<void>;

const ROUTES: Record<string, { GET?: Handler; POST?: Handler }> = {
  "/healthz": { GET: (_req, res) => sendJson(res, 200, { status: "ok" }) },
  "/api/model": { GET: (_req, res, _url, c) => sendJson(res, 200, modelSummary(c.network, c.name)) },
  "/model.safetensors": { GET: modelFile },
  "/api/predict": { POST: computed("predict") },
  "/api/explain": { POST: computed("explain") },
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

/** POST /api/predict[?top=N] and /api/explain[?method=ig&label=L&top=20&steps=64&exact=1]: computed by answers.ts, on a compute worker. */
function computed(route: Job["route"]): Handler {
  return async (req, res, url, context) => {
    const body = await readBody(req, context.maxBody);
    const job: Job = { route, type: mediaType(req), body, query: Object.fromEntries(url.searchParams), maxSteps: context.maxSteps };
    sendJson(res, 200, await context.compute.run(job));
  };
}
