import { createReadStream, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpError } from "./respond.js";

/** The web app's files (index.html and its assets), read from one folder and never from outside it. */

/** dist/web of this package, from src/server/ and from dist/server/ alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../dist/web/", import.meta.url));

export const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".gz": "application/gzip",
  ".txt": "text/plain; charset=utf-8",
  ".wav": "audio/wav",
  ".csv": "text/csv; charset=utf-8",
  ".safetensors": "application/octet-stream",
  ".woff2": "font/woff2",
};

/**
 * The file under `root` that a URL path names, or null when there is none. "/" is index.html.
 * A path that escapes `root` (.., encoded slashes, NUL) is refused with 404: it names nothing here.
 */
export async function findStatic(root: string, pathname: string): Promise<{ path: string; stats: Stats } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    throw new HttpError(400, "BAD_REQUEST", `the path ${pathname} is not valid percent-encoded UTF-8`);
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const base = resolve(root);
  let path = resolve(join(base, decoded));
  if (path !== base && !path.startsWith(base + sep)) return null;
  let stats = await stat(path).catch(() => null);
  if (stats?.isDirectory()) {
    path = join(path, "index.html");
    stats = await stat(path).catch(() => null);
  }
  return stats?.isFile() ? { path, stats } : null;
}

/** Streams a file found by findStatic; HEAD gets the headers only. */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: { path: string; stats: Stats }): void {
  const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? "application/octet-stream";
  res.writeHead(200, {
    "Content-Type": type,
    "Content-Length": String(file.stats.size),
    "Last-Modified": file.stats.mtime.toUTCString(),
    // index.html names the current assets: always ask again; assets may be kept a little.
    "Cache-Control": type.startsWith("text/html") ? "no-cache" : "public, max-age=300",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(file.path);
  stream.on("error", () => res.destroy());
  res.on("close", () => stream.destroy());
  stream.pipe(res);
}
