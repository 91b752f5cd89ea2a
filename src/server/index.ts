/**
 * The Glassbox HTTP API: predictions and explanations of one model over HTTP, its model file for
 * the web app, and the web app's files.
 *
 * Built on node:http alone, with no web framework: the server needs no dependency, and the
 * parts that matter here stay fully in our hands: the body-size limit (a body over it is
 * refused without reading the rest), streaming of files, and a graceful shutdown that finishes
 * the requests in flight and closes idle keep-alive connections.
 *
 * Predictions and explanations run on a pool of worker threads, each with its own copy of the
 * model (compute.ts): the event loop only reads and writes, so /healthz and the files answer
 * while an explanation computes.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import { encodeModel } from "../io/modelFile.js";
import type { Network } from "../model/network.js";
import { isolationHeaders, sendError } from "./respond.js";
import { createCompute } from "./compute.js";
import { Metrics, routeOf } from "./metrics.js";
import { route, type Context } from "./routes.js";
import { DEFAULT_WEB_ROOT } from "./static.js";

export { parseByteSize, formatBytes } from "./body.js";
export { DEFAULT_WEB_ROOT } from "./static.js";

/** Options of createServer; every field has a default. */
export interface ServerOptions {
  /** The model file's bytes, sent as they are by GET /model.safetensors. Default: encodeModel(network), made on first request. */
  modelBytes?: Uint8Array;
  /** The model's name in GET /api/model. Default "model.safetensors". */
  name?: string;
  /** The largest request body in bytes; a larger one is answered 413. Default 10 MiB. */
  maxBody?: number;
  /** The most integration steps POST /api/explain may ask for (?steps=); more is answered 400. Default 1024. */
  maxSteps?: number;
  /** Worker threads that compute predictions and explanations (compute.ts); 0 computes on the event loop. Default: one per core. */
  workers?: number;
  /** Requests that may wait for a worker; one more is answered 503 with Retry-After. Default 64. */
  maxQueue?: number;
  /** The longest one prediction or explanation may compute, in ms; then 504 and its worker is replaced. Default 30000. */
  timeoutMs?: number;
  /** The folder of the web app (index.html and its assets), or null to serve the API only. Default: this package's dist/web. */
  webRoot?: string | null;
  /** How long close() lets requests in flight finish before it cuts their connections, in ms. Default 10000. */
  shutdownGraceMs?: number;
  /** Origins allowed to call the API from a browser page elsewhere (CORS), e.g. ["https://app.example"]. Default: none. */
  cors?: string[];
  /** Hears of every request once answered: one log line's worth. Default: nothing. */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Hears of each unexpected error (answered 500 without details). Default: nothing. */
  onError?: (error: unknown, request: { method: string; url: string }) => void;
}

/** One answered request, as the request log shows it. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** Response body bytes sent. */
  bytes: number;
  id: string;
}

export interface GlassboxServer {
  /** The node:http server; not yet listening. */
  server: Server;
  /** Starts listening; resolves to the base URL, e.g. "http://127.0.0.1:8080". Port 0 picks a free port. */
  listen(port: number, host: string): Promise<string>;
  /**
   * Stops accepting connections, lets requests in flight finish (up to shutdownGraceMs), closes
   * idle keep-alive connections, and resolves once every connection is closed.
   */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

/**
 * Integrated gradients' default is 64 steps; 1024 is plenty for a tight completeness check and
 * keeps one explanation of the canonical CNN under about 10 s on one core.
 */
export const DEFAULT_MAX_STEPS = 1024;

/**
 * An HTTP server for one network: GET /healthz, GET /api/model, GET /model.safetensors,
 * POST /api/predict, POST /api/explain, and the web app's files for every other GET.
 * @example
 * const { listen, close } = createServer(loadModel("model.safetensors"), {});
 * await listen(8080, "127.0.0.1"); // "http://127.0.0.1:8080"
 * await close();
 */
export function createServer(network: Network, options: ServerOptions = {}): GlassboxServer {
  let modelBytes = options.modelBytes ?? null;
  const bytesOf = (): Uint8Array => (modelBytes ??= encodeModel(network));
  const name = options.name ?? "model.safetensors";
  const workers = options.workers ?? Math.max(1, availableParallelism());
  const compute = createCompute(network, bytesOf, name, {
    workers,
    maxQueue: options.maxQueue ?? 64,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  const context: Context = {
    network,
    name,
    compute,
    modelBytes: bytesOf,
    maxBody: options.maxBody ?? DEFAULT_MAX_BODY,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    webRoot: options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot,
  };
  const report = (error: unknown, req: IncomingMessage): void => options.onError?.(error, { method: req.method ?? "", url: req.url ?? "" });
  const active = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;

  const metrics = new Metrics();
  const allowed = new Set(options.cors ?? []);
  const server = createHttpServer((req, res) => {
    const started = performance.now();
    active.add(res);
    isolationHeaders(res);
    // The caller's request id when it is a sane one, else a new one; sent back either way.
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader("X-Request-Id", id);
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      // The page may read the id of its requests, and other origins must still be isolated.
      res.setHeader("Access-Control-Expose-Headers", "X-Request-Id");
      res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    }
    if (closing) res.setHeader("Connection", "close");
    res.on("close", () => {
      active.delete(res);
      const path = new URL(req.url ?? "/", "http://glassbox.invalid").pathname;
      const ms = performance.now() - started;
      metrics.record(routeOf(path), res.statusCode, ms / 1000);
      options.onRequest?.({ method: req.method ?? "", path, status: res.statusCode, ms, bytes: Number(res.getHeader("Content-Length") ?? 0), id });
      // Once closing, a keep-alive connection that has just become idle is closed at once.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "OPTIONS" && origin && allowed.has(origin)) {
      res.writeHead(204, { "Access-Control-Allow-Methods": "GET, POST", "Access-Control-Allow-Headers": "Content-Type, X-Request-Id", "Access-Control-Max-Age": "600" }).end();
      return;
    }
    if (req.method === "GET" && path === "/metrics") {
      const body = metrics.text({ busy: compute.busy, waiting: compute.waiting, workers }, { name, labels: network.labels.length, inputs: network.inputs });
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Content-Length": String(Buffer.byteLength(body)) }).end(body);
      return;
    }
    route(req, res, context).catch((error: unknown) => sendError(req, res, error, report));
  });

  const listen = (port: number, host: string): Promise<string> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        const address = server.address() as AddressInfo;
        const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
        resolve(`http://${shown}:${address.port}`);
      });
    });

  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      // Answers not yet begun say that the connection ends with them.
      for (const res of active) if (!res.headersSent) res.setHeader("Connection", "close");
      const cut = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10000);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        compute.close().then(resolve, resolve);
      });
      server.closeIdleConnections();
    }));

  return { server, listen, close };
}
