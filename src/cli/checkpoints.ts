import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readBytes } from "../data/files.js";
import { GlassboxError } from "../errors.js";
import { decodeCheckpoint, encodeCheckpoint } from "../io/checkpoint.js";
import { writeFileAtomic } from "../io/disk.js";
import type { Checkpoint } from "../train/options.js";

/** Where `glassbox train --out m.safetensors` keeps its checkpoint: m.safetensors.checkpoint. */
export function checkpointPathOf(out: string): string {
  return `${out}.checkpoint`;
}

/** Writes a checkpoint atomically (a kill mid-write leaves the previous one). */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  writeFileAtomic(path, encodeCheckpoint(checkpoint));
}

export function readCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new GlassboxError("FILE_NOT_FOUND", `--resume: no checkpoint at ${path} (a run keeps one beside --out after every epoch, until it ends)`);
  return decodeCheckpoint(readBytes(path), path);
}

/**
 * Removes the temporary files that killed saves of `out` or of its checkpoint left beside them
 * (".m.safetensors.PID.TIME.tmp"), when process PID is gone; returns their names.
 */
export function removeOrphans(out: string): string[] {
  const folder = dirname(out);
  const name = basename(out).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^\\.${name}(\\.checkpoint)?\\.(\\d+)\\.\\d+\\.tmp$`);
  const removed: string[] = [];
  for (const file of readdirSync(folder).sort()) {
    const match = pattern.exec(file);
    if (!match || isRunning(Number(match[2]))) continue;
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
