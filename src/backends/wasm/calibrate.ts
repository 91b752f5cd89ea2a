import { isNode } from "../../tensor/platform.js";
import type { Backend } from "../backend.js";

/** Cores the machine offers: the browser's hardwareConcurrency, Node's availableParallelism, else 1. */
export async function availableCores(): Promise<number> {
  const browser = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (browser) return browser;
  if (!isNode()) return 1;
  const specifier = "node:os";
  const os = (await import(/* @vite-ignore */ specifier)) as typeof import("node:os");
  return Math.max(1, os.availableParallelism());
}

/**
 * Times the training products of the canonical MLP, and one the size of a convolution's (a
 * 2048-pixel im2col by 3x3x32 taps by 64 filters), on one thread and on all, `useThreads` turning
 * the pool off and on. The two ways alternate and each keeps its best of three, so a burst of load
 * from another process during one measurement does not decide the choice; when threads look
 * as if they did not pay, three more rounds are timed before the pool is dropped. Two warm-up runs: the
 * first is about 35% slower (V8 compiles the kernels' optimised tier), the second is already as
 * fast as the tenth. It all takes about 0.25 s at start-up (it took 0.5 s with ten warm-ups and
 * three runs a measurement).
 */
/** Threads are used when all of them take less than this share of one thread's time. */
export const THREADS_PAY = 0.9;

export function timeThreads(backend: Backend, useThreads: (on: boolean) => void): { oneThreadMs: number; allThreadsMs: number } {
  const shapes: [number, number, number][] = [
    [64, 784, 256],
    [784, 64, 256],
    [64, 256, 784],
    [1024, 784, 256],
    [2048, 288, 64],
  ];
  const operands = shapes.map(([m, k, n]) => [backend.matrix(m, k), backend.matrix(k, n), backend.matrix(m, n)]);
  // Nonzero operands: the products skip steps where a is zero, and would time nothing.
  for (const [a, b] of operands) [a, b].forEach((x) => backend.write(x, new Float32Array(x.rows * x.cols).fill(0.5)));
  const run = (): void => operands.forEach(([a, b, c]) => backend.matmul(a, b, c, false, false, false));
  const time = (): number => {
    const started = performance.now();
    for (let i = 0; i < 2; i++) run();
    return performance.now() - started;
  };
  for (let i = 0; i < 2; i++) run(); // let V8 tier the kernels up first
  let together = Infinity;
  let alone = Infinity;
  // Three rounds, and three more when threads look as if they did not pay: a single burst of
  // load from another tenant once made a benchmark run on one thread at half speed.
  for (let round = 0; round < 6 && (round < 3 || together >= alone * THREADS_PAY); round++) {
    useThreads(true);
    together = Math.min(together, time());
    useThreads(false);
    alone = Math.min(alone, time());
  }
  useThreads(true);
  return { oneThreadMs: alone, allThreadsMs: together };
}
