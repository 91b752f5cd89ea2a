import type { Backend } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { checkFeaturizerState, featureCount, featureShape } from "../featurizers/index.js";
import { Network, checkSpec, type ModelAbout, type NetworkSpec } from "../model/network.js";
import { tensorShapes } from "../layers/index.js";
import { shapeText, sameShape, sizeOf, type FloatArray } from "../tensor/tensor.js";
import { fromFormat2 } from "./format2.js";
import { decodeSafetensors, encodeSafetensors, tensorChecksum, type NamedTensor } from "./safetensors.js";

/**
 * The Glassbox model file: safetensors with every tensor the layers keep as an F32 tensor of its
 * true shape ("layers.<i>.weight": [inputs, units], "layers.<i>.bias": [units], a standardize
 * layer's "layers.<i>.mean" / "layers.<i>.std": the input shape), "background": [rows, ...input
 * shape] for models that keep training rows, "examples": [rows, ...input shape] and
 * "examples.labels": [rows] (label indices) for the few labelled rows kept to show the model at
 * work, and in __metadata__ JSON strings for the architecture (input shape, layer list, output,
 * labels) and the model's facts.
 */
export const FORMAT_VERSION = 4; // 4: examples; 3: shapes and the layer list, standardisation as a layer; 2: the featurizer in "about"

/** Network -> file bytes (`values`: its tensors' numbers, already read; a device backend's come from encodeModelAsync). */
export function encodeModel(network: Network, values?: FloatArray[]): Uint8Array {
  const tensors: NamedTensor[] = network.tensors().map(({ name, value }, i) => ({
    name,
    shape: [...value.shape],
    data: asFloat32(values ? values[i] : network.backend.read(value)),
  }));
  if (network.background) {
    tensors.push({ name: "background", shape: [network.background.rows, ...network.inputShape], data: network.background.features });
  }
  if (network.examples) {
    const { rows, features, labels } = network.examples;
    tensors.push({ name: "examples", shape: [rows, ...network.inputShape], data: features }, { name: "examples.labels", shape: [rows], data: Float32Array.from(labels) });
  }
  const metadata = {
    format: "glassbox",
    format_version: String(FORMAT_VERSION),
    architecture: JSON.stringify(network.spec),
    about: JSON.stringify(network.about),
    checksum: `crc32:${tensorChecksum(tensors)}`,
  };
  return encodeSafetensors({ metadata, tensors });
}

/** encodeModel, reading the tensors with readAsync (a GPU backend answers only that way). */
export async function encodeModelAsync(network: Network): Promise<Uint8Array> {
  const values = await Promise.all(network.tensors().map(({ value }) => network.backend.readAsync(value)));
  return encodeModel(network, values);
}

/** read() gives a fresh array: a float64 one (the reference backend's option) is rounded, a float32 one kept. */
function asFloat32(values: FloatArray): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/**
 * File bytes -> network on `backend`. Checks the format and version, the architecture, and that
 * the file holds every tensor the layers need with exactly their shapes, before any layer is
 * allocated. Format 1 and 2 files are read as the format-3 network that answers the same.
 */
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
  // Files written since the checksum came carry one; older ones (format 2, early format 3) load without.
  if (metadata.checksum !== undefined && metadata.checksum !== `crc32:${tensorChecksum(file.tensors)}`) {
    fail(`its tensor data does not match its checksum (${String(metadata.checksum).slice(0, 40)}): the file was damaged after it was written`);
  }
  const parse = <T>(key: string): T | null => {
    try {
      return JSON.parse(metadata[key] ?? "null") as T | null;
    } catch {
      return fail(`its "${key}" metadata is not valid JSON`);
    }
  };
  let spec = parse<NetworkSpec>("architecture") ?? fail("its metadata has no architecture");
  let about = parse<Partial<ModelAbout>>("about") ?? {};
  let tensors = new Map(file.tensors.map((t) => [t.name, t]));
  if (version < 3) {
    try {
      ({ spec, about, tensors } = fromFormat2(spec as unknown as Record<string, unknown>, about as Record<string, unknown>, tensors));
    } catch (error) {
      return fail(`its architecture is not valid: ${(error as Error).message}`);
    }
  }
  try {
    checkSpec(spec);
  } catch (error) {
    return fail(`its architecture is not valid: ${(error as Error).message}`);
  }
  const inputs = sizeOf(spec.inputShape);
  if (about.featurizer) {
    const featurizer = checkFeaturizerState(about.featurizer, source);
    const count = featureCount(featurizer);
    if (count !== inputs) fail(`its featurizer makes ${count} features but the network reads ${inputs}`);
    if (version >= 3 && !sameShape(featureShape(featurizer), spec.inputShape)) {
      fail(`its featurizer makes features of shape ${shapeText(featureShape(featurizer))} but the network reads ${shapeText(spec.inputShape)}`);
    }
    about = { ...about, featurizer };
  }
  if (about.threshold !== undefined && about.threshold !== null) {
    const t = about.threshold;
    if (typeof t !== "number" || !(t > 0 && t < 1) || spec.labels.length !== 2)
      fail(`its decision threshold must be a number between 0 and 1, for a model of two labels; got ${JSON.stringify(t)}`);
  }
  if (about.targetScale !== undefined && about.targetScale !== null) {
    const { mean, std } = about.targetScale as { mean?: unknown; std?: unknown };
    const outputs = spec.labels.length;
    const finite = (v: unknown, positive: boolean): boolean =>
      Array.isArray(v) && v.length === outputs && v.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0));
    if (spec.output !== "linear" || !finite(mean, false) || !finite(std, true))
      fail(`its target scale must give a regression's ${outputs} target means and ${outputs} positive standard deviations; got ${JSON.stringify(about.targetScale)}`);
  }
  if (about.hierarchy) {
    const h = about.hierarchy;
    const valid = Array.isArray(h) && h.length === spec.labels.length && h.every((path) => Array.isArray(path) && path.length > 0 && path.every((p) => typeof p === "string"));
    if (!valid) fail(`its label hierarchy must give a path of categories for each of its ${spec.labels.length} labels`);
  }

  // Every tensor the layers need, with its exact shape, before anything is allocated.
  const needed = tensorShapes(spec.layers, spec.inputShape);
  for (const [name, shape] of needed) {
    const t = tensors.get(name) ?? fail(`missing tensor "${name}" ${shapeText(shape)} that layer ${name.split(".")[1]} needs`);
    if (!sameShape(t.shape, shape)) fail(`tensor "${name}" has shape ${shapeText(t.shape)}, the architecture needs ${shapeText(shape)}`);
  }
  const background = tensors.get("background") ?? null;
  if (background) {
    const ok = background.shape.length >= 2 && background.shape[0] >= 1 && sizeOf(background.shape.slice(1)) === inputs;
    if (!ok) fail(`tensor "background" must be [rows, ${spec.inputShape.join(", ")}], got ${shapeText(background.shape)}`);
  }
  const examples = tensors.get("examples") ?? null;
  const exampleLabels = tensors.get("examples.labels") ?? null;
  if (examples || exampleLabels) {
    const rows = examples?.shape[0] ?? 0;
    const ok = examples && exampleLabels && examples.shape.length >= 2 && rows >= 1 && sizeOf(examples.shape.slice(1)) === inputs && sameShape(exampleLabels.shape, [rows]);
    if (!ok)
      fail(
        `tensors "examples" and "examples.labels" must be [rows, ${spec.inputShape.join(", ")}] and [rows], got ${shapeText(examples?.shape ?? [])} and ${shapeText(exampleLabels?.shape ?? [])}`,
      );
    const bad = exampleLabels!.data.findIndex((k) => !(Number.isInteger(k) && k >= 0 && k < spec.labels.length));
    if (bad >= 0) fail(`example ${bad + 1} has label ${exampleLabels!.data[bad]}; the labels are 0 to ${spec.labels.length - 1}`);
  }
  const kept = new Set(["background", "examples", "examples.labels"]);
  for (const name of tensors.keys()) {
    if (!needed.has(name) && !kept.has(name)) fail(`holds a tensor "${name}" that no layer of its architecture has`);
  }
  // A NaN or infinite weight would make every answer NaN (or, where the wasm products skip zero
  // inputs, only some of them): refused, with the first one named.
  for (const t of tensors.values()) {
    const at = t.data.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) fail(`tensor "${t.name}" holds a non-finite number (${t.data[at]} at element ${at}); the model cannot be used`);
  }

  const network = new Network(spec, {
    ...(backend ? { backend } : {}),
    about,
    background: background ? { features: background.data, rows: background.shape[0] } : null,
    examples: examples && exampleLabels ? { features: examples.data, rows: examples.shape[0], labels: Int32Array.from(exampleLabels.data) } : null,
  });
  network.loadTensors(new Map([...needed.keys()].map((name) => [name, (tensors.get(name) as NamedTensor).data])));
  return network;
}
