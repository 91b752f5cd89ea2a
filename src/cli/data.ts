import type { Backend } from "../backends/backend.js";
import { createReferenceBackend } from "../backends/reference/index.js";
import { createWasmBackend } from "../backends/wasm/index.js";
import { GlassboxError } from "../errors.js";
import type { Dataset } from "../data/dataset.js";
import { loadDataset } from "../data/files.js";
import type { Network } from "../model/network.js";
import { choice, integer, type Parsed } from "./args.js";

export const BACKENDS = ["wasm", "reference"] as const;

/**
 * --backend wasm|reference and --threads N. The default is wasm; where it cannot load (no
 * WebAssembly SIMD) the reference backend takes over and a note says so.
 */
export async function backendFrom(values: Parsed["values"]): Promise<Backend> {
  const name = choice(values, "backend", "wasm", BACKENDS);
  if (name === "reference") return createReferenceBackend();
  const threads = values.threads === undefined ? "auto" : integer(values, "threads", 1);
  const wasm = await createWasmBackend({ threads });
  if (wasm) return wasm;
  if (values.backend === "wasm") throw new GlassboxError("BAD_ARGUMENT", "--backend wasm: this runtime has no WebAssembly SIMD");
  process.stderr.write("note: the wasm backend needs WebAssembly SIMD, which this runtime lacks; using the reference backend\n");
  return createReferenceBackend();
}

/**
 * The data a trained model is asked about: the test half of an IDX directory or a CSV whose
 * columns are matched to the model's by name. Rows must have the model's feature count.
 */
export async function loadForModel(network: Network, path: string, requireLabel: boolean): Promise<Dataset> {
  const featureNames = network.about.featureNames ?? undefined;
  const data = await loadDataset(path, {
    split: "test",
    labelNames: network.labels,
    requireLabel,
    ...(featureNames ? { featureNames } : {}),
    // A model trained on images reads a CSV of pixels: every column is a feature but "label".
    label: network.about.labelColumn ?? "label",
  });
  if (data.columns !== network.inputs) {
    const what = network.about.input?.kind === "image" ? ` (${network.about.input.height}x${network.about.input.width} image)` : "";
    throw new GlassboxError("SHAPE_MISMATCH", `${data.source}: expected ${network.inputs} features per row${what}, got ${data.columns}`);
  }
  return data;
}
