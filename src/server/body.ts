import type { IncomingMessage } from "node:http";
import { GlassboxError } from "../errors.js";
import { HttpError } from "./respond.js";

/** Reading request bodies with a size limit, and the sizes people write ("10mb"). */

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/**
 * "10mb" -> 10485760. Units b, kb, mb, gb (k, m, g for short), each 1024 times the one before;
 * a bare number is bytes.
 * @example parseByteSize("512kb") // 524288
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1) {
    throw new GlassboxError("BAD_ARGUMENT", `expected a size such as 10mb, 512kb or 1048576 (bytes), got "${text}"`);
  }
  return bytes;
}

/** 10485760 -> "10 MiB", 1500 -> "1500 bytes". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    "BODY_TOO_LARGE",
    `the request body is larger than this server's limit of ${formatBytes(limit)}; send a smaller file, or start the server with a larger --max-body`,
    // The rest of the body is never read: the connection ends with this answer.
    { Connection: "close" },
  );
}

/**
 * The whole body of `req`, at most `limit` bytes. A body declared larger (Content-Length) is
 * refused before a byte is read; one that grows past the limit while streaming (chunked) is
 * refused as soon as it does, and what was read is dropped. Either way the caller answers 413
 * and the connection closes, so the rest is never read into memory.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        chunks = [];
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(chunks.length === 1 ? new Uint8Array(chunks[0].buffer, chunks[0].byteOffset, chunks[0].length) : new Uint8Array(Buffer.concat(chunks, size)));
    };
    const onError = (error: Error): void => {
      stop();
      reject(new HttpError(400, "BAD_REQUEST", `the request body could not be read: ${error.message}`));
    };
    const onClose = (): void => {
      if (req.complete) return;
      stop();
      reject(new HttpError(400, "BAD_REQUEST", "the request body was cut off before its end"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
