import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`); // see removeOrphans
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

/**
 * Removes the temporary files that killed writeFileAtomic calls for `path` left beside it
 * (".name.PID.TIME.tmp") when process PID is gone; returns their names, in name order.
 */
export function removeOrphans(path: string): string[] {
  const folder = dirname(path);
  const name = basename(path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^\\.${name}\\.(\\d+)\\.\\d+\\.tmp$`);
  const removed: string[] = [];
  for (const file of readdirSync(folder).sort()) {
    const match = pattern.exec(file);
    if (!match || isRunning(Number(match[1]))) continue;
    rmSync(join(folder, file), { force: true });
    removed.push(file);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
