/**
 * Threads for the kernels: workers (worker_threads in Node, Web Workers in browsers) that
 * instantiate the same module over the same shared memory and wait on a control block. A job
 * is one kernel called with a different argument list per thread (its rows, columns or slice);
 * the calling thread runs part 0 itself. No two threads write the same element, so results do
 * not depend on the thread count.
 */

import { isNode } from "../../tensor/platform.js";

// Control block: Int32 words for signalling, then Float64 argument lists (one per thread).
const SEQ = 0; // incremented for each job
const DONE = 1; // workers that finished the current job
const KERNEL = 2; // index into KERNELS, or -1 to stop
const FAILED = 3; // set by a worker whose kernel threw
const ARGS_BYTES = 16; // the argument lists start here
const MAX_ARGS = 24;
const MAX_THREADS = 64;

/** The kernels a job may run, by index. */
export const KERNELS = [
  "gemm",
  "adamStep",
  "im2col",
  "col2im",
  "maxPoolForward",
  "maxPoolBackward",
  "avgPoolForward",
  "avgPoolBackward",
  "batchNormForward",
  "batchNormBackward",
  "activate",
  "activationBackward",
  "gemmMany",
  "winogradInput",
  "winogradOutput",
  "winogradOutputAdjoint",
  "winogradInputAdjoint",
] as const;
export type KernelName = (typeof KERNELS)[number];

/** Waits for jobs; runs in every worker. Plain JavaScript so one source serves Node and browsers. */
const WORKER_MAIN = `function main(data, ready) {
  const exports = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports;
  const kernels = ${JSON.stringify(KERNELS)}.map((name) => exports[name]);
  const ctl = new Int32Array(data.control);
  const args = new Float64Array(data.control, ${ARGS_BYTES} + data.part * ${MAX_ARGS * 8}, ${MAX_ARGS});
  ready();
  let seen = 0;
  for (;;) {
    for (let spins = 0; Atomics.load(ctl, ${SEQ}) === seen; spins++) {
      if (spins > 100000) Atomics.wait(ctl, ${SEQ}, seen);
    }
    seen = Atomics.load(ctl, ${SEQ});
    const kernel = ctl[${KERNEL}];
    if (kernel < 0) return;
    try {
      kernels[kernel](...args);
    } catch {
      Atomics.store(ctl, ${FAILED}, 1);
    } finally {
      Atomics.add(ctl, ${DONE}, 1);
      Atomics.notify(ctl, ${DONE});
    }
  }
}`;

export class ThreadPool {
  private readonly control: SharedArrayBuffer;
  private readonly signals: Int32Array;
  private readonly lists: Float64Array[];
  private workers: { terminate(): unknown }[] = [];

  private constructor(readonly threads: number) {
    this.control = new SharedArrayBuffer(ARGS_BYTES + MAX_THREADS * MAX_ARGS * 8);
    this.signals = new Int32Array(this.control, 0, 4);
    this.lists = Array.from({ length: threads }, (_, part) => new Float64Array(this.control, ARGS_BYTES + part * MAX_ARGS * 8, MAX_ARGS));
  }

  /** Starts threads - 1 workers; resolves when each has instantiated the kernels. */
  static async start(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ThreadPool> {
    const pool = new ThreadPool(Math.min(threads, MAX_THREADS));
    for (let part = 1; part < pool.threads; part++) {
      pool.workers.push(await spawn({ module, memory, control: pool.control, part }));
    }
    return pool;
  }

  /**
   * Calls `kernel` once per thread with argsOf(part) (at most 24 numbers each); `local` is the
   * calling thread's own instance of the kernel. Returns when every part is done.
   */
  run(kernel: KernelName, local: (...args: number[]) => unknown, argsOf: (part: number) => number[]): void {
    const s = this.signals;
    for (let part = 1; part < this.threads; part++) {
      const list = this.lists[part];
      list.fill(0);
      list.set(argsOf(part));
    }
    s[KERNEL] = KERNELS.indexOf(kernel);
    Atomics.store(s, FAILED, 0);
    Atomics.store(s, DONE, 0);
    Atomics.add(s, SEQ, 1);
    Atomics.notify(s, SEQ);
    try {
      local(...argsOf(0));
    } finally {
      // Always wait, so that no worker is still writing when the next job starts.
      while (Atomics.load(s, DONE) < this.threads - 1) {
        // The other parts take about as long as ours: spin briefly rather than sleep.
      }
    }
    if (Atomics.load(s, FAILED)) throw new Error(`the ${kernel} kernel failed in a worker thread`);
  }

  /**
   * Splits [0, total) into one slice per thread, each a multiple of `unit` long (the last may be
   * shorter, or empty), and runs `kernel` with argsOf(from, to, part) for slice [from, to).
   */
  runSlices(kernel: KernelName, local: (...args: number[]) => unknown, total: number, unit: number, argsOf: (from: number, to: number, part: number) => number[]): void {
    const per = Math.ceil(total / unit / this.threads) * unit;
    this.run(kernel, local, (part) => {
      const from = Math.min(total, part * per);
      return argsOf(from, Math.min(total, from + per), part);
    });
  }

  /** Stops the workers (they also stop by themselves when the process exits). */
  close(): void {
    this.signals[KERNEL] = -1;
    Atomics.add(this.signals, SEQ, 1);
    Atomics.notify(this.signals, SEQ);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}

interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  part: number;
}

async function spawn(data: WorkerData): Promise<{ terminate(): unknown }> {
  if (isNode()) {
    const specifier = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as typeof import("node:worker_threads");
    const source = `const { workerData, parentPort } = require("node:worker_threads");\n(${WORKER_MAIN})(workerData, () => parentPort.postMessage("ready"));`;
    const worker = new Worker(source, { eval: true, workerData: data });
    await new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
    });
    worker.unref();
    return worker;
  }
  const source = `self.onmessage = (e) => (${WORKER_MAIN})(e.data, () => self.postMessage("ready"));`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (event) => reject(new Error(`a kernel worker failed to start: ${event.message}`));
    worker.postMessage(data);
  });
  return worker;
}
