import type { IncomingMessage, ServerResponse } from "node:http";
import { GlassboxError } from "../errors.js";

/** Writing responses: JSON bodies, JSON errors, and the headers every response carries. */

/** An error with its HTTP status and a stable code; its message is sent to the client as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** GlassboxError codes that mean "the request was wrong" (400); any other error is the server's fault (500). */
const CLIENT_CODES: readonly string[] = ["BAD_DATA", "SHAPE_MISMATCH", "UNKNOWN_LABEL", "BAD_ARGUMENT"];

/**
 * Cross-origin isolation on every response: the web app's wasm engine may then share memory
 * with worker threads (SharedArrayBuffer needs both headers).
 */
export function isolationHeaders(res: ServerResponse): void {
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, { ...headers, "Content-Type": "application/json; charset=utf-8", "Content-Length": String(bytes.length), "Cache-Control": "no-store" });
  res.end(bytes);
}

/** The status, code and message a client sees for `error`; null for an unexpected error (500). */
export function clientError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof GlassboxError && CLIENT_CODES.includes(error.code)) return new HttpError(400, error.code, error.message);
  return null;
}

/**
 * Sends `error` as {error: {code, message}}. Unexpected errors become a 500 whose message says
 * nothing of the server's insides; `report` hears about them (the CLI prints them on stderr).
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, report: (error: unknown, req: IncomingMessage) => void): void {
  const known = clientError(error);
  if (!known) report(error, req);
  const status = known?.status ?? 500;
  const code = known?.code ?? "INTERNAL";
  const message = known?.message ?? "unexpected error while answering this request; the server log has the details";
  if (res.headersSent) {
    // Half a response is already out (a streamed file): the only honest thing left is to cut it.
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message } }, known?.headers ?? {});
}
