import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMlp } from "../model/network.js";
import { GlassboxError } from "../errors.js";
import { decodeModel, encodeModel } from "./modelFile.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";
import { loadModel, saveModel } from "./disk.js";
import { errorCode } from "../../test/helpers/errors.js";

function smallNetwork() {
  const network = createMlp({ inputs: 6, hidden: [5, 4], labels: ["a", "b", "c"], seed: 7, dropout: 0.2 });
  network.normalization = { mean: Float32Array.of(1, 2, 3, 4, 5, 6), std: Float32Array.of(1, 1, 2, 2, 3, 3) };
  network.about = { featureNames: ["f1", "f2", "f3", "f4", "f5", "f6"], labelColumn: "label", input: { kind: "table" }, training: { epochs: 3 } };
  return network;
}


test("save and load give back every weight bit for bit, the architecture and the metadata", () => {
  const network = smallNetwork();
  const bytes = encodeModel(network);
  const loaded = decodeModel(bytes, "memory");
  assert.deepEqual(loaded.spec, network.spec);
  assert.deepEqual(loaded.about, network.about);
  assert.deepEqual(loaded.normalization, network.normalization);
  network.params().forEach((p, i) => {
    const a = new Uint8Array(network.backend.read(p.value).buffer);
    const b = new Uint8Array(loaded.backend.read(loaded.params()[i].value).buffer);
    assert.deepEqual(a, b, p.name);
  });
  const x = Float32Array.from({ length: 12 }, (_, i) => i / 3);
  assert.deepEqual(loaded.predict(x, 2), network.predict(x, 2));
  assert.deepEqual(encodeModel(loaded), bytes, "re-encoding gives the same bytes");
});

test("the file is safetensors: 8-byte length, JSON header padded to 8, F32 tensors in [inputs, units]", () => {
  const bytes = encodeModel(smallNetwork());
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.equal(header.__metadata__.format, "glassbox");
  assert.equal(header.__metadata__.format_version, "2");
  assert.deepEqual(header["layers.0.weight"].shape, [6, 5]);
  assert.deepEqual(header["layers.0.bias"].shape, [5]);
  assert.deepEqual(header["normalization.mean"].shape, [6]);
  for (const value of Object.values(header.__metadata__)) assert.equal(typeof value, "string");
});

test("a truncated file is a clear BAD_MODEL_FILE error", () => {
  const bytes = encodeModel(smallNetwork());
  assert.match(errorCode(() => decodeModel(bytes.subarray(0, bytes.length - 10), "m.safetensors")), /BAD_MODEL_FILE: m.safetensors: truncated/);
  assert.match(errorCode(() => decodeModel(bytes.subarray(0, 100), "m.safetensors")), /BAD_MODEL_FILE: m.safetensors: truncated/);
  assert.match(errorCode(() => decodeModel(bytes.subarray(0, 5), "m.safetensors")), /BAD_MODEL_FILE: .*8-byte header/);
});

test("a file that is not a model, or a safetensors file without Glassbox metadata, is refused", () => {
  assert.match(errorCode(() => decodeModel(new TextEncoder().encode("label,x\n1,2\n3,4\n"), "data.csv")), /BAD_MODEL_FILE: data.csv: truncated or not a model file/);
  const other = encodeSafetensors({ metadata: {}, tensors: [{ name: "w", shape: [2], data: Float32Array.of(1, 2) }] });
  assert.match(errorCode(() => decodeModel(other, "other.safetensors")), /not a Glassbox model/);
});

test("a file of a newer format version says to upgrade", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const newer = encodeSafetensors({ ...file, metadata: { ...file.metadata, format_version: "3" } });
  assert.match(errorCode(() => decodeModel(newer, "new.safetensors")), /newer Glassbox \(model format version 3\).*upgrade/);
});

test("an architecture with an unknown activation or a bad dropout rate is refused", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const spec = JSON.parse(file.metadata.architecture);
  spec.layers[0].activation = "swish";
  const bad = encodeSafetensors({ ...file, metadata: { ...file.metadata, architecture: JSON.stringify(spec) } });
  assert.match(errorCode(() => decodeModel(bad, "m")), /BAD_MODEL_FILE: m: its architecture is not valid: layer 0: unknown activation "swish"/);
  spec.layers[0].activation = "relu";
  spec.layers[1].rate = 1;
  const rate = encodeSafetensors({ ...file, metadata: { ...file.metadata, architecture: JSON.stringify(spec) } });
  assert.match(errorCode(() => decodeModel(rate, "m")), /layer 1: dropout rate must be in \[0, 1\), got 1/);
});

test("a tensor whose size disagrees with the architecture is refused", () => {
  const file = decodeSafetensors(encodeModel(smallNetwork()), "m");
  const tensors = file.tensors.map((t) => (t.name === "layers.0.bias" ? { ...t, shape: [4], data: t.data.subarray(0, 4) } : t));
  assert.match(errorCode(() => decodeModel(encodeSafetensors({ ...file, tensors }), "m")), /"layers.0.bias" has 4 numbers, the architecture needs 5/);
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
  assert.match(errorCode(() => loadModel("/nonexistent/model.safetensors")), /FILE_NOT_FOUND: no such file: \/nonexistent\/model.safetensors/);
});
