import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Backend } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { readBytes } from "../data/files.js";
import type { Network } from "../model/network.js";
import { decodeModel, encodeModel } from "./modelFile.js";

/** Node-only: model files on disk. */

/**
 * Writes the model atomically: to a temporary file beside `path`, flushed, then renamed over it,
 * so a crash never leaves a half-written model.
 * @example saveModel(network, "model.safetensors")
 */
export function saveModel(network: Network, path: string): void {
  writeFileAtomic(path, encodeModel(network));
}

/** @example loadModel("model.safetensors").labels // ["T-shirt/top", ...] */
export function loadModel(path: string, backend?: Backend): Network {
  return decodeModel(readBytes(path), path, backend);
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(temporary, "w");
    try {
      writeFileSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new GlassboxError("CANNOT_WRITE", `cannot write ${path}: ${(error as Error).message}`);
  }
}
