import type { Backend } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { Network, type ModelAbout, type NetworkSpec } from "../model/network.js";
import { checkFeaturizerState, featureCount } from "../featurizers/index.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "./safetensors.js";

/**
 * The Glassbox model file: safetensors with the weights as F32 tensors
 * ("layers.<i>.weight": [inputs, units], "layers.<i>.bias": [units], and when the model
 * standardises its input "normalization.mean" / "normalization.std": [inputs]) and, in
 * __metadata__, JSON strings for the architecture, the input and the training summary.
 */
export const FORMAT_VERSION = 2; // 2: the featurizer and the label hierarchy in "about"

/** Network -> file bytes. */
export function encodeModel(network: Network): Uint8Array {
  const tensors: NamedTensor[] = [];
  for (const p of network.params()) {
    const shape = p.name.endsWith(".bias") ? [p.value.cols] : [p.value.rows, p.value.cols];
    tensors.push({ name: p.name, shape, data: Float32Array.from(network.backend.read(p.value)) });
  }
  if (network.normalization) {
    tensors.push({ name: "normalization.mean", shape: [network.inputs], data: network.normalization.mean });
    tensors.push({ name: "normalization.std", shape: [network.inputs], data: network.normalization.std });
  }
  if (network.background) {
    tensors.push({ name: "background", shape: [network.background.rows, network.inputs], data: network.background.features });
  }
  const metadata = {
    format: "glassbox",
    format_version: String(FORMAT_VERSION),
    architecture: JSON.stringify(network.spec),
    about: JSON.stringify(network.about),
  };
  return encodeSafetensors({ metadata, tensors });
}

/** File bytes -> network on `backend`. Checks the format, version and every tensor's shape. */
export function decodeModel(bytes: Uint8Array, source: string, backend?: Backend): Network {
  const fail = (what: string): never => {
    throw new GlassboxError("BAD_MODEL_FILE", `${source}: ${what}`);
  };
  const file = decodeSafetensors(bytes, source);
  const { metadata } = file;
  if (metadata.format !== "glassbox") fail("a safetensors file but not a Glassbox model (no glassbox format in its metadata)");
  const version = Number(metadata.format_version);
  if (!Number.isInteger(version) || version < 1) fail(`unknown model format version "${metadata.format_version}"`);
  if (version > FORMAT_VERSION) {
    fail(`made by a newer Glassbox (model format version ${version}); this version reads format ${FORMAT_VERSION}: upgrade glassbox`);
  }
  const parse = <T>(key: string, fallback: T): T => {
    try {
      return (JSON.parse(metadata[key] ?? "null") as T | null) ?? fallback;
    } catch {
      return fail(`its "${key}" metadata is not valid JSON`);
    }
  };
  const spec = parse<NetworkSpec | null>("architecture", null) ?? fail("its metadata has no architecture");
  const about = parse<ModelAbout>("about", { featureNames: null, labelColumn: null, input: null, training: null });
  let network: Network;
  try {
    network = new Network(spec, backend);
  } catch (error) {
    return fail(`its architecture is not valid: ${(error as Error).message}`);
  }
  network.about = about;
  if (about.featurizer) {
    about.featurizer = checkFeaturizerState(about.featurizer, source);
    const count = featureCount(about.featurizer);
    if (count !== network.inputs) fail(`its featurizer makes ${count} features but the network reads ${network.inputs}`);
  }
  if (about.hierarchy) {
    const h = about.hierarchy;
    const valid = Array.isArray(h) && h.length === spec.labels.length && h.every((path) => Array.isArray(path) && path.length > 0 && path.every((p) => typeof p === "string"));
    if (!valid) fail(`its label hierarchy must give a path of categories for each of its ${spec.labels.length} labels`);
  }
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const take = (name: string, size: number): Float32Array => {
    const t = byName.get(name) ?? fail(`missing tensor "${name}"`);
    if (t.data.length !== size) fail(`tensor "${name}" has ${t.data.length} numbers, the architecture needs ${size}`);
    return t.data;
  };
  for (const p of network.params()) network.backend.write(p.value, take(p.name, p.value.rows * p.value.cols));
  if (byName.has("normalization.mean")) {
    network.normalization = { mean: take("normalization.mean", network.inputs), std: take("normalization.std", network.inputs) };
  }
  const background = byName.get("background");
  if (background) {
    if (background.shape.length !== 2 || background.shape[1] !== network.inputs) fail(`tensor "background" must be [rows, ${network.inputs}], got [${background.shape.join(", ")}]`);
    network.background = { features: background.data, rows: background.shape[0] };
  }
  return network;
}
