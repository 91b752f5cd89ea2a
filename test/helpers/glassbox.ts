// Runs the glassbox command as a user does, from the TypeScript sources, in a scratch folder.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SMALL = join(ROOT, "data/fashion-mnist-small");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh scratch folder and a `glassbox(...args)` that runs there. */
export function scratch(prefix: string): { dir: string; glassbox: (...args: string[]) => Run } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const glassbox = (...args: string[]): Run => {
    const r = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), join(ROOT, "src/cli/main.ts"), ...args], { cwd: dir, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { dir, glassbox };
}

export function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** Exit code 1, one line on stderr matching `pattern`, no stack trace. */
export function expectOneLineError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}
