import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMlp } from "../model/mlp.js";
import { decodeModel, encodeModel } from "./modelFile.js";
import { decodeSafetensors, encodeSafetensors, tensorChecksum } from "./safetensors.js";
import { loadModel, saveModel } from "./disk.js";
import { errorCode } from "../../test/helpers/errors.js";
import { random } from "../../test/helpers/random.js";
import { GlassboxError } from "../errors.js";

/** The file with other tensors, and a checksum that matches them (so the other checks are what is tested). */
function rewrite(file: ReturnType<typeof decodeSafetensors>, tensors: ReturnType<typeof decodeSafetensors>["tensors"]): Uint8Array {
  return encodeSafetensors({ metadata: { ...file.metadata, checksum: `crc32:${tensorChecksum(tensors)}` }, tensors });
}

// Layers: 0 standardize, 1 dense 6 -> 5, 2 dropout, 3 dense 5 -> 4, 4 dropout, 5 dense 4 -> 3.
function smallNetwork() {
  const network = createMlp({
    inputs: 6,
    hidden: [5, 4],
    labels: ["a", "b", "c"],
    seed: 7,
    dropout: 0.2,
    standardize: true,
    about: { featureNames: ["f1", "f2", "f3", "f4", "f5", "f6"], labelColumn: "label", training: { epochs: 3 } },
    background: { features: Float32Array.from({ length: 12 }, (_, i) => i / 2), rows: 2 },
    examples: { features: Float32Array.from({ length: 12 }, (_, i) => i - 4), rows: 2, labels: Int32Array.of(2, 0) },
  });
  const rows = Float32Array.from({ length: 24 }, (_, i) => (i * 7) % 11);
  network.layers[0].adapt?.(rows, 6, [0, 1, 2, 3]);
  return network;
}

/** Every tensor of the network, as plain numbers by name. */
function tensorsOf(network: ReturnType<typeof smallNetwork>): Record<string, number[]> {
  return Object.fromEntries(network.tensors().map((t) => [t.name, Array.from(network.backend.read(t.value))]));
}

test("save and load give back every weight bit for bit, the architecture and the metadata", () => {
  const network = smallNetwork();
  const bytes = encodeModel(network);
  const loaded = decodeModel(bytes, "memory");
  assert.deepEqual(loaded.spec, network.spec);
  assert.deepEqual(loaded.about, network.about);
  assert.deepEqual(loaded.background, network.background, "the kept training rows come back");
  assert.deepEqual(loaded.examples, network.examples, "the kept examples and their labels come back");
  assert.deepEqual(tensorsOf(loaded), tensorsOf(network), "weights and standardisation statistics");
  assert.equal(loaded.layers[0].adapted, true, "loaded statistics count as learnt: fit does not learn them again");
  network.params().forEach((p, i) => {
    const a = new Uint8Array(network.backend.read(p.value).buffer);
    const b = new Uint8Array(loaded.backend.read(loaded.params()[i].value).buffer);
    assert.deepEqual(a, b, p.name);
  });
  const x = Float32Array.from({ length: 12 }, (_, i) => i / 3);
  assert.deepEqual(loaded.predict(x, 2), network.predict(x, 2));
  assert.deepEqual(encodeModel(loaded), bytes, "re-encoding gives the same bytes");
});

test("the file is safetensors: 8-byte length, JSON header padded to 8, F32 tensors of their true shapes", () => {
  const bytes = encodeModel(smallNetwork());
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.equal(header.__metadata__.format, "glassbox");
  assert.equal(header.__metadata__.format_version, "4");
  assert.deepEqual(header["layers.0.mean"].shape, [6]);
  assert.deepEqual(header["layers.1.weight"].shape, [6, 5]);
  assert.deepEqual(header["layers.1.bias"].shape, [5]);
  assert.deepEqual(header["layers.5.weight"].shape, [4, 3]);
  assert.deepEqual(header.background.shape, [2, 6]);
  assert.deepEqual(header.examples.shape, [2, 6]);
  assert.deepEqual(header["examples.labels"].shape, [2]);
  const architecture = JSON.parse(header.__metadata__.architecture);
  assert.deepEqual(architecture.inputShape, [6]);
  assert.deepEqual(
    architecture.layers.map((l: { type: string }) => l.type),
    ["standardize", "dense", "dropout", "dense", "dropout", "dense"],
  );
  for (const value of Object.values(header.__metadata__)) assert.equal(typeof value, "string");
});

test("a truncated file is a clear BAD_MODEL_FILE error", () => {
  const bytes = encodeModel(smallNetwork());
  assert.match(
    errorCode(() => decodeModel(bytes.subarray(0, bytes.length - 10), "m.safetensors")),
    /BAD_MODEL_FILE: m.safetensors: truncated/,
  );
  assert.match(
    errorCode(() => decodeModel(bytes.subarray(0, 100), "m.safetensors")),
    /BAD_MODEL_FILE: m.safetensors: truncated/,
  );
  assert.match(
    errorCode(() => decodeModel(bytes.subarray(0, 5), "m.safetensors")),
    /BAD_MODEL_FILE: .*8-byte header/,
  );
});

test("a file that is not a model, or a safetensors file without Glassbox metadata, is refused", () => {
  assert.match(
    errorCode(() => decodeModel(new TextEncoder().encode("label,x\n1,2\n3,4\n"), "data.csv")),
    /BAD_MODEL_FILE: data.csv: truncated or not a model file/,
  );
  const other = encodeSafetensors({ metadata: {}, tensors: [{ name: "w", shape: [2], data: Float32Array.of(1, 2) }] });
  assert.match(
    errorCode(() => decodeModel(other, "other.safetensors")),
    /not a Glassbox model/,
  );
});

test("a file of a newer format version says to upgrade", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const newer = encodeSafetensors({ ...file, metadata: { ...file.metadata, format_version: "5" } });
  assert.match(
    errorCode(() => decodeModel(newer, "new.safetensors")),
    /newer Glassbox \(model format version 5\).*upgrade/,
  );
});

test("an architecture with an unknown activation or a bad dropout rate is refused", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const spec = JSON.parse(file.metadata.architecture);
  spec.layers[1].activation = "swish";
  const bad = encodeSafetensors({ ...file, metadata: { ...file.metadata, architecture: JSON.stringify(spec) } });
  assert.match(
    errorCode(() => decodeModel(bad, "m")),
    /BAD_MODEL_FILE: m: its architecture is not valid: layer 1 \(dense\): unknown activation "swish"/,
  );
  spec.layers[1].activation = "relu";
  spec.layers[2].rate = 1;
  const rate = encodeSafetensors({ ...file, metadata: { ...file.metadata, architecture: JSON.stringify(spec) } });
  assert.match(
    errorCode(() => decodeModel(rate, "m")),
    /layer 2 \(dropout\): dropout rate must be in \[0, 1\), got 1/,
  );
  spec.layers[2] = { type: "convolution" };
  const unknown = encodeSafetensors({ ...file, metadata: { ...file.metadata, architecture: JSON.stringify(spec) } });
  assert.match(
    errorCode(() => decodeModel(unknown, "m")),
    /layer 2: unknown layer type "convolution"; expected one of dense, dropout, standardize/,
  );
});

test("a tensor whose size disagrees with the architecture is refused", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const tensors = file.tensors.map((t) => (t.name === "layers.1.bias" ? { ...t, shape: [4], data: t.data.subarray(0, 4) } : t));
  assert.match(
    errorCode(() => decodeModel(rewrite(file, tensors), "m")),
    /tensor "layers.1.bias" has shape \[4\], the architecture needs \[5\]/,
  );
  const reshaped = file.tensors.map((t) => (t.name === "layers.1.weight" ? { ...t, shape: [5, 6] } : t));
  assert.match(
    errorCode(() => decodeModel(rewrite(file, reshaped), "m")),
    /"layers.1.weight" has shape \[5, 6\], the architecture needs \[6, 5\]/,
  );
  const missing = file.tensors.filter((t) => t.name !== "layers.0.mean");
  assert.match(
    errorCode(() => decodeModel(rewrite(file, missing), "m")),
    /missing tensor "layers.0.mean" \[6\] that layer 0 needs/,
  );
  const extra = [...file.tensors, { name: "layers.9.weight", shape: [1], data: Float32Array.of(1) }];
  assert.match(
    errorCode(() => decodeModel(rewrite(file, extra), "m")),
    /holds a tensor "layers.9.weight" that no layer of its architecture has/,
  );
});

test("examples must be whole rows with one known label each; examples without labels are refused", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const withLabels = (labels: number[]) => file.tensors.map((t) => (t.name === "examples.labels" ? { ...t, data: Float32Array.from(labels) } : t));
  assert.match(
    errorCode(() => decodeModel(rewrite(file, withLabels([2, 3])), "m")),
    /BAD_MODEL_FILE: m: example 2 has label 3; the labels are 0 to 2/,
  );
  assert.match(
    errorCode(() => decodeModel(rewrite(file, withLabels([0.5, 1])), "m")),
    /example 1 has label 0.5/,
  );
  const unlabelled = file.tensors.filter((t) => t.name !== "examples.labels");
  assert.match(
    errorCode(() => decodeModel(rewrite(file, unlabelled), "m")),
    /tensors "examples" and "examples.labels" must be \[rows, 6\] and \[rows\], got \[2, 6\] and \[\]/,
  );
  const short = file.tensors.map((t) => (t.name === "examples.labels" ? { ...t, shape: [1], data: t.data.subarray(0, 1) } : t));
  assert.match(
    errorCode(() => decodeModel(rewrite(file, short), "m")),
    /must be \[rows, 6\] and \[rows\], got \[2, 6\] and \[1\]/,
  );
});

test("NaN or infinite weights are refused on load, naming the tensor and the element", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  for (const [value, text] of [
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
  ] as const) {
    const tensors = file.tensors.map((t) => {
      if (t.name !== "layers.1.weight") return t;
      const data = t.data.slice();
      data[7] = value;
      return { ...t, data };
    });
    assert.match(
      errorCode(() => decodeModel(rewrite(file, tensors), "m")),
      new RegExp(`^BAD_MODEL_FILE: m: tensor "layers.1.weight" holds a non-finite number \\(${text} at element 7\\); the model cannot be used$`),
    );
  }
});

test("a small file whose architecture declares huge layers is refused before anything is allocated", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const spec = JSON.parse(file.metadata.architecture);
  spec.layers[1].units = 100_000_000; // 600 million weights: 2.4 GB if allocated
  const big = encodeSafetensors({ ...file, metadata: { ...file.metadata, architecture: JSON.stringify(spec) } });
  const before = process.memoryUsage().rss;
  assert.match(
    errorCode(() => decodeModel(big, "m")),
    /tensor "layers.1.weight" has shape \[6, 5\], the architecture needs \[6, 100000000\]/,
  );
  assert.ok(process.memoryUsage().rss - before < 100e6, "no layer was allocated");
});

test("saveModel writes atomically and leaves no temporary file; a failed write leaves nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-"));
  const path = join(dir, "model.safetensors");
  writeFileSync(path, "old contents");
  saveModel(smallNetwork(), path);
  assert.deepEqual(readdirSync(dir), ["model.safetensors"]);
  assert.deepEqual(loadModel(path).spec, smallNetwork().spec);
  const missingDir = join(dir, "no-such-dir", "m.safetensors");
  assert.throws(() => saveModel(smallNetwork(), missingDir));
  assert.equal(existsSync(join(dir, "no-such-dir")), false);
  assert.ok(readFileSync(path).length > 100);
});

test("loading a missing file is FILE_NOT_FOUND", () => {
  assert.match(
    errorCode(() => loadModel("/nonexistent/model.safetensors")),
    /FILE_NOT_FOUND: no such file: \/nonexistent\/model.safetensors/,
  );
});

/** Every place in a JSON value: a path of keys and indices to it. */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [at];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...at, k]))];
}

const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 600);

test(`fuzz: ${FUZZ_CASES} model files with a damaged header or damaged bytes each load or give a GlassboxError, never another exception`, () => {
  const bytes = encodeModel(smallNetwork());
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const architecture = JSON.parse(header.__metadata__.architecture);
  const weird = [null, -1, -7, 0, 1e15, 2 ** 53, 1.5, "x", "", true, [], [null], [-3, 2], {}, { a: 1 }, Number.MAX_VALUE];
  const next = random(2024);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const replace = (root: unknown, path: (string | number)[], value: unknown): unknown => {
    if (path.length === 0) return value;
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
    return copy;
  };
  const rebuild = (h: unknown): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + (bytes.length - 8 - headerLength));
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(bytes.subarray(8 + headerLength), 8 + json.length);
    return out;
  };
  const tensorPaths = pathsOf(header).filter((p) => p[0] !== "__metadata__");
  const specPaths = pathsOf(architecture);
  const outcomes = { loaded: 0, refused: 0 };
  for (let i = 0; i < FUZZ_CASES; i++) {
    let file: Uint8Array;
    const kind = i % 3;
    if (kind === 0) file = rebuild(replace(header, pick(tensorPaths), pick(weird)));
    else if (kind === 1) {
      const spec = replace(architecture, pick(specPaths), pick(weird));
      file = rebuild({ ...header, __metadata__: { ...header.__metadata__, architecture: JSON.stringify(spec) } });
    } else {
      file = bytes.slice();
      for (let flips = 1 + Math.floor(next() * 4); flips > 0; flips--) file[Math.floor(next() * file.length)] = Math.floor(next() * 256);
    }
    try {
      decodeModel(file, `case ${i}`);
      outcomes.loaded++;
    } catch (error) {
      assert.ok(error instanceof GlassboxError, `case ${i} (kind ${kind}) threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      outcomes.refused++;
    }
  }
  assert.ok(outcomes.refused > FUZZ_CASES / 2, `most damaged files are refused (${JSON.stringify(outcomes)})`);
});

test("a checksum of the tensor data is stored and checked: one changed weight is found; files without one still load", () => {
  // zlib's CRC-32 of the little-endian bytes of 1, 2.5, -3.25 (Python: zlib.crc32(struct.pack("<3f", 1, 2.5, -3.25))).
  assert.equal(tensorChecksum([{ data: Float32Array.of(1, 2.5) }, { data: Float32Array.of(-3.25) }]), "12d802f6");
  const bytes = encodeModel(smallNetwork());
  const file = decodeSafetensors(bytes, "m");
  assert.match(file.metadata.checksum, /^crc32:[0-9a-f]{8}$/);
  const damaged = bytes.slice();
  damaged[damaged.length - 3] ^= 0x01; // a low mantissa bit of the last float: still finite, slightly changed
  assert.match(
    errorCode(() => decodeModel(damaged, "m")),
    /^BAD_MODEL_FILE: m: its tensor data does not match its checksum \(crc32:[0-9a-f]{8}\): the file was damaged after it was written$/,
  );
  const { checksum: _, ...older } = file.metadata;
  assert.equal(decodeModel(encodeSafetensors({ ...file, metadata: older }), "m").labels.length, 3, "no checksum: loads as before");
});

test("regressions the fuzz test found: a null tensor entry, a negative shape, 10,000 layers: each a clear BAD_MODEL_FILE", () => {
  const bytes = encodeModel(smallNetwork());
  const file = decodeSafetensors(bytes, "m");
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const withHeader = (h: unknown): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + bytes.length - 8 - headerLength);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(bytes.subarray(8 + headerLength), 8 + json.length);
    return out;
  };
  assert.match(
    errorCode(() => decodeModel(withHeader({ ...header, "layers.1.bias": null }), "m")),
    /^BAD_MODEL_FILE: m: tensor "layers.1.bias" is null, not an object with dtype, shape and data_offsets$/,
  );
  assert.match(
    errorCode(() => decodeModel(withHeader({ ...header, "layers.1.bias": { ...header["layers.1.bias"], shape: [-5] } }), "m")),
    /has shape \[-5\]; expected a list of whole numbers >= 0/,
  );
  const spec = JSON.parse(file.metadata.architecture);
  spec.layers = [...Array.from({ length: 10000 }, () => ({ type: "dropout", rate: 0.1 })), ...spec.layers];
  assert.match(
    errorCode(() => decodeModel(encodeSafetensors({ ...file, metadata: { ...file.metadata, architecture: JSON.stringify(spec) } }), "m")),
    /an architecture has at most 1000 layers \(the input limit model-layers\), this one 10006/,
  );
});
