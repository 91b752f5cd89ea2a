import { existsSync } from "node:fs";
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
