import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The same workload through the tools people would otherwise use (../shared/peers): PyTorch CPU
 * with one thread and TensorFlow.js's wasm backend, when they can run on this machine.
 */

export interface PeerResult {
  peer: string;
  train_s_per_epoch: number;
  infer_s_10k: number;
  test_acc: number;
}

export type PeerOutcome = PeerResult | { peer: string; skipped: string };

export function pytorch(peersDir: string, dataDir: string): PeerOutcome {
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return { peer: "pytorch-cpu", skipped: "no /usr/bin/python3" };
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return { peer: "pytorch-cpu", skipped: "python3-torch is not installed (apt-get install -y python3-torch)" };
  const r = spawnSync(python, [join(peersDir, "torch_mlp.py"), "1", "1"], { encoding: "utf8", env: { ...process.env, FMNIST_DIR: dataDir } });
  return parse("pytorch-cpu", r.stdout, r.stderr, r.status);
}

/** Installs TF.js 4.22 into bench/.peers once (npm registry), then runs the peer script there. */
export function tfjs(peersDir: string, dataDir: string, backend: "wasm" | "cpu"): PeerOutcome {
  const peer = `tfjs-${backend}`;
  const home = join(process.cwd(), "bench/.peers");
  if (!existsSync(join(home, "node_modules/@tensorflow/tfjs-backend-wasm"))) {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "package.json"), '{ "name": "glassbox-bench-peers", "private": true, "type": "module" }\n');
    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"], { cwd: home, encoding: "utf8" });
    if (install.status !== 0) return { peer, skipped: `npm could not install TF.js: ${install.stderr.trim().split("\n").pop()}` };
  }
  for (const file of ["tfjs_mlp.mjs", "fmnist.mjs"]) copyFileSync(join(peersDir, file), join(home, file));
  const r = spawnSync(process.execPath, [join(home, "tfjs_mlp.mjs"), backend, "1"], { cwd: home, encoding: "utf8", env: { ...process.env, FMNIST_DIR: dataDir } });
  return parse(peer, r.stdout, r.stderr, r.status);
}

function parse(peer: string, stdout: string, stderr: string, status: number | null): PeerOutcome {
  const line = stdout.trim().split("\n").pop() ?? "";
  if (status !== 0 || !line.startsWith("{")) return { peer, skipped: `exit ${status}: ${(stderr || stdout).trim().split("\n").pop()}` };
  // The Python peer prints a dict: turn its quotes and literals into JSON.
  const json = line
    .replace(/'/g, '"')
    .replace(/\bTrue\b/g, "true")
    .replace(/\bFalse\b/g, "false");
  return JSON.parse(json) as PeerResult;
}
