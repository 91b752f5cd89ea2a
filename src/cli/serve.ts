import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { readBytes } from "../data/files.js";
import { GlassboxError } from "../errors.js";
import { decodeModel } from "../io/modelFile.js";
import { createServer, parseByteSize, DEFAULT_MAX_BODY, DEFAULT_MAX_STEPS } from "../server/index.js";
import { choice, integer, number, onePositional, parse, text } from "./args.js";
import { backendFrom } from "./data.js";

export const SERVE_USAGE = `glassbox serve model.safetensors [--port 8080] [--host 127.0.0.1] [--max-body 10mb] [--max-steps 1024]
  [--workers N] [--timeout 30] [--cors ORIGIN,...] [--log text|json|none] [--json]
  HTTP API: GET /healthz, GET /api/model, GET /model.safetensors, POST /api/predict, POST /api/explain;
  every other GET serves the web app (dist/web). Stops gracefully on SIGTERM or SIGINT (Ctrl-C).`;

/** Serves one model until SIGTERM or SIGINT, then finishes the requests in flight and exits 0. */
export async function serve(argv: string[]): Promise<number> {
  const parsed = parse(
    argv,
    {
      port: { type: "string" },
      host: { type: "string" },
      "max-body": { type: "string" },
      "max-steps": { type: "string" },
      workers: { type: "string" },
      timeout: { type: "string" },
      cors: { type: "string" },
      log: { type: "string" },
    },
    SERVE_USAGE,
  );
  const modelPath = onePositional(parsed, "a model file", SERVE_USAGE);
  const port = integer(parsed.values, "port", 8080, 0);
  if (port > 65535) throw new GlassboxError("BAD_ARGUMENT", `--port: expected a port from 0 to 65535 (0: any free port), got ${port}`);
  const host = text(parsed.values, "host", "127.0.0.1");
  const maxBodyText = parsed.values["max-body"];
  const maxBody = typeof maxBodyText === "string" ? sizeOption(maxBodyText) : DEFAULT_MAX_BODY;
  const maxSteps = integer(parsed.values, "max-steps", DEFAULT_MAX_STEPS);
  const workers = integer(parsed.values, "workers", Math.max(1, availableParallelism()), 0);
  const timeoutMs = number(parsed.values, "timeout", 30, (n) => n > 0, "a number of seconds > 0") * 1000;
  const json = Boolean(parsed.values.json);
  const log = choice(parsed.values, "log", "text", ["text", "json", "none"]);
  const cors = text(parsed.values, "cors", "")
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const origin of cors) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new GlassboxError("BAD_ARGUMENT", `--cors: expected origins such as https://app.example (scheme and host, no path), got "${origin.slice(0, 100)}"`);
  }

  // The bytes are read once: the network is made from them and GET /model.safetensors sends them as they are.
  const bytes = readBytes(modelPath);
  const network = decodeModel(bytes, modelPath, await backendFrom(parsed.values));
  const verbose = Boolean(parsed.values.verbose);
  const glassbox = createServer(network, {
    modelBytes: bytes,
    name: basename(modelPath),
    maxBody,
    maxSteps,
    workers,
    timeoutMs,
    cors,
    onRequest: (e) => {
      if (log === "json") process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e, ms: Math.round(e.ms * 10) / 10 })}\n`);
      else if (log === "text") process.stderr.write(`${new Date().toISOString()} ${e.method} ${e.path} ${e.status} ${e.ms.toFixed(1)}ms ${e.bytes}B ${e.id}\n`);
    },
    onError: (error, request) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`glassbox serve: error answering ${request.method} ${request.url}: ${message.split("\n")[0]}\n`);
      if (verbose && error instanceof Error) process.stderr.write(`${error.stack ?? ""}\n`);
    },
  });

  let url: string;
  try {
    url = await glassbox.listen(port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new GlassboxError("BAD_ARGUMENT", `--port ${port}: the port is in use on ${host}; choose another with --port (0 picks a free one)`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new GlassboxError("BAD_ARGUMENT", `--host ${host}: not an address of this machine`);
    if (code === "EACCES") throw new GlassboxError("BAD_ARGUMENT", `--port ${port}: not allowed to listen there; choose a port above 1023`);
    throw error;
  }
  if (json) process.stdout.write(`${JSON.stringify({ command: "serve", model: modelPath, url, max_body: maxBody })}\n`);
  else process.stdout.write(`serving ${modelPath} at ${url}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      // A second signal while requests finish ends the process the default way.
      process.once(signal, () => process.kill(process.pid, signal));
      if (!json) process.stderr.write(`${signal}: finishing requests in flight, then stopping\n`);
      glassbox.close().then(resolve, resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  return 0;
}

function sizeOption(value: string): number {
  try {
    return parseByteSize(value);
  } catch (error) {
    throw new GlassboxError("BAD_ARGUMENT", `--max-body: ${(error as Error).message}`);
  }
}
