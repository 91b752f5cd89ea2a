import type { Backend } from "../backends/backend.js";
import { createReferenceBackend } from "../backends/reference/index.js";
import { createWasmBackend } from "../backends/wasm/index.js";
import { createWebGpuBackend } from "../backends/webgpu/index.js";
import { GlassboxError } from "../errors.js";
import type { LoadedData, TrainingDataOptions } from "../data/load.js";
import { describeFeaturizer, FEATURIZER_KINDS, type FeaturizerKind } from "../featurizers/index.js";
import { choice, integer, number, type Parsed } from "./args.js";

export const BACKENDS = ["wasm", "reference", "webgpu", "auto"] as const;

/**
 * --backend wasm|reference|webgpu|auto and --threads N. The default is wasm; where it cannot load
 * (no WebAssembly SIMD) the reference backend takes over and a note says so. webgpu trains on the
 * GPU: in Node it needs the optional package `webgpu`; it fails here, before any data is read,
 * naming what is missing. auto takes webgpu when a GPU that is not a software rasteriser answers,
 * else wasm, with a note. Commands other than train (`training` false) answer on the CPU: a GPU
 * reads its numbers back only asynchronously, and they read them at once.
 */
export async function backendFrom(values: Parsed["values"], training = false): Promise<Backend> {
  const name = choice(values, "backend", "wasm", BACKENDS);
  if (name === "reference") return createReferenceBackend();
  if (name === "webgpu" || name === "auto") {
    if (training) {
      try {
        return await createWebGpuBackend({ gpu: await nodeGpu(), allowSoftware: name === "webgpu" });
      } catch (error) {
        if (name === "webgpu") throw error;
        process.stderr.write(`note: --backend auto: no GPU (${(error as Error).message}); using wasm\n`);
      }
    } else if (name === "webgpu") process.stderr.write("note: --backend webgpu trains on the GPU; this command answers on the CPU (wasm)\n");
  }
  return hostBackend(values);
}

/** The CPU backend: wasm, or the reference backend where WebAssembly SIMD is missing. */
export async function hostBackend(values: Parsed["values"]): Promise<Backend> {
  const threads = values.threads === undefined ? "auto" : integer(values, "threads", 1);
  const wasm = await createWasmBackend({ threads });
  if (wasm) return wasm;
  if (values.backend === "wasm") throw new GlassboxError("BAD_ARGUMENT", "--backend wasm: this runtime has no WebAssembly SIMD");
  process.stderr.write("note: the wasm backend needs WebAssembly SIMD, which this runtime lacks; using the reference backend\n");
  return createReferenceBackend();
}

/** WebGPU in Node: the optional package `webgpu` (Dawn), when installed. */
async function nodeGpu(): Promise<GPU> {
  const found = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (found) return found;
  const name = "webgpu"; // not a static import: nothing else needs the package, and npm ci installs no native code
  const dawn = (await import(name).catch(() => null)) as { create(flags: string[]): GPU; globals: object } | null;
  if (!dawn) throw new GlassboxError("BAD_ARGUMENT", "--backend webgpu: Node has no WebGPU without the optional package webgpu (npm install webgpu; it runs on Vulkan)");
  Object.assign(globalThis, dawn.globals);
  return dawn.create([]);
}

/** Options that say how raw data becomes features (train). */
export const FEATURIZER_OPTIONS = {
  featurizer: { type: "string" },
  size: { type: "string" },
  channels: { type: "string" },
  rate: { type: "string" },
  seconds: { type: "string" },
  spectrogram: { type: "boolean" },
  "no-spectrogram": { type: "boolean" },
  vocab: { type: "string" },
  "min-count": { type: "string" },
  tfidf: { type: "boolean" },
  counts: { type: "boolean" },
  bigrams: { type: "boolean" },
  "stop-words": { type: "boolean" },
  text: { type: "string" },
  categorical: { type: "string" },
} as const;

export function trainingDataOptions(values: Parsed["values"], standardize: boolean | undefined): TrainingDataOptions {
  const options: TrainingDataOptions = {};
  if (values.featurizer !== undefined) options.featurizer = choice<FeaturizerKind>(values, "featurizer", "table", FEATURIZER_KINDS);
  if (typeof values.label === "string") options.label = values.label;
  if (typeof values.text === "string") options.text = values.text;
  const size = values.size;
  if (typeof size === "string") {
    const match = /^(\d+)x(\d+)$/.exec(size);
    const [width, height] = [Number(match?.[1]), Number(match?.[2])];
    if (!match || width < 1 || height < 1) throw new GlassboxError("BAD_ARGUMENT", `--size: expected WIDTHxHEIGHT such as 28x28, got "${size}"`);
    options.image = { size: { width, height } };
  }
  if (values.channels !== undefined) {
    options.image = { ...options.image, channels: choice(values, "channels", "gray", ["gray", "rgb"]) === "gray" ? 1 : 3 };
  }
  options.sound = {
    ...(values.rate !== undefined ? { rate: integer(values, "rate", 16000, 100) } : {}),
    ...(values.seconds !== undefined ? { seconds: number(values, "seconds", 1, (n) => n > 0 && n <= 600, "a length in seconds, above 0 and at most 600") } : {}),
    ...(values["no-spectrogram"] ? { spectrogram: false } : values.spectrogram ? { spectrogram: true } : {}),
  };
  options.textOptions = {
    ...(values.vocab !== undefined ? { maxSize: integer(values, "vocab", 20000) } : {}),
    ...(values["min-count"] !== undefined ? { minCount: integer(values, "min-count", 2) } : {}),
    ...(values.tfidf ? { tfidf: true } : values.counts ? { tfidf: false } : {}),
    ...(values.bigrams ? { bigrams: true } : {}),
    ...(values["stop-words"] ? { stopWords: true } : {}),
  };
  options.table = {
    ...(typeof values.categorical === "string"
      ? {
          categorical: values.categorical
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s),
        }
      : {}),
    ...(standardize === false ? { standardize: false } : {}),
  };
  return options;
}

/** Says on stderr what was detected, what was adapted and what was skipped (with reasons), unless --json (then skips go to stderr only). */
export function reportLoaded(loaded: LoadedData, json: boolean): void {
  const lines: string[] = [];
  if (!json && loaded.detected) {
    const how = loaded.featurizer ? ` -> ${describeFeaturizer(loaded.featurizer)}` : "";
    lines.push(`detected ${loaded.detected}${how}`);
  }
  if (loaded.notes.length > 0) {
    lines.push(`note: ${loaded.notes.length} input${loaded.notes.length === 1 ? " was" : "s were"} resized; the first: ${loaded.notes[0]}`);
  }
  for (const advice of loaded.advice) lines.push(`note: ${advice}`);
  for (const skip of loaded.skipped.slice(0, 10)) lines.push(`skipped ${skip.file}: ${skip.reason}`);
  if (loaded.skipped.length > 10) lines.push(`... and ${loaded.skipped.length - 10} more`);
  if (loaded.skipped.length > 0) lines.push(`skipped ${loaded.skipped.length} file${loaded.skipped.length === 1 ? "" : "s"} in all; used ${loaded.data.rows}`);
  if (lines.length > 0) process.stderr.write(`${lines.join("\n")}\n`);
}
