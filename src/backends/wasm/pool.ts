/**
 * Threads for the matrix product: workers (worker_threads in Node, Web Workers in browsers) that
 * instantiate the same kernels over the same shared memory and wait on a control block. The
 * calling thread computes part 0 itself; each worker computes its own rows or columns, so no two
 * threads write the same element and the result does not depend on the thread count.
 */

// Control block layout (Int32Array over a SharedArrayBuffer).
const SEQ = 0; // incremented for each job
const DONE = 1; // workers that finished the current job
const KIND = 2; // 0: stop, 1: gemm
const ARGS = 3; // the gemm arguments, GEMM_ARGS of them
const GEMM_ARGS = 15;
const SCRATCH = ARGS + GEMM_ARGS; // scratch base and per-thread stride
const RANGES = 32; // 4 ints per part: i0, i1, j0, j1
const CONTROL_INTS = RANGES + 4 * 64;

/** Waits for jobs; runs in every worker. Kept in plain JavaScript so one source serves Node and browsers. */
const WORKER_MAIN = `function main(data, ready) {
  const gemm = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports.gemm;
  const ctl = new Int32Array(data.control);
  const part = data.part;
  ready();
  let seen = 0;
  for (;;) {
    for (let spins = 0; Atomics.load(ctl, ${SEQ}) === seen; spins++) {
      if (spins > 200000) Atomics.wait(ctl, ${SEQ}, seen);
    }
    seen = Atomics.load(ctl, ${SEQ});
    if (ctl[${KIND}] === 0) return;
    const a = ${ARGS};
    const r = ${RANGES} + 4 * part;
    gemm(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7], ctl[a + 8],
      ctl[a + 9], ctl[a + 10], ctl[a + 11], ctl[a + 12], ctl[r], ctl[r + 1], ctl[r + 2], ctl[r + 3],
      ctl[${SCRATCH}] + part * ctl[${SCRATCH + 1}]);
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}`;

export type GemmFunction = (...args: number[]) => void;

/** gemm arguments without the range and scratch: a, b, c, k, lda, ldb, ldc, transA, transB, accumulate, bias, act, y */
export type GemmArgs = [number, number, number, number, number, number, number, number, number, number, number, number, number];

export class ThreadPool {
  private readonly control: Int32Array;
  private workers: { terminate(): unknown }[] = [];

  private constructor(readonly threads: number, private readonly scratchBase: number, private readonly scratchStride: number) {
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  }

  /** Starts threads - 1 workers; resolves when each has instantiated the kernels. */
  static async start(
    threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, scratchBase: number, scratchStride: number,
  ): Promise<ThreadPool> {
    const pool = new ThreadPool(threads, scratchBase, scratchStride);
    for (let part = 1; part < threads; part++) {
      pool.workers.push(await spawn({ module, memory, control: pool.control.buffer, part }));
    }
    return pool;
  }

  /**
   * Runs gemm over the output rows [0, m) and columns [0, n), split across the threads by rows
   * (when m >= n) or columns, in whole 4-row or 8-column tiles.
   */
  gemm(local: GemmFunction, args: GemmArgs, m: number, n: number): void {
    const parts = this.threads;
    const byRows = m >= n;
    const tile = byRows ? 4 : 8;
    const total = byRows ? m : n;
    const per = Math.ceil(total / tile / parts) * tile;
    const range = (part: number): [number, number, number, number] => {
      const from = Math.min(total, part * per);
      const to = Math.min(total, from + per);
      return byRows ? [from, to, 0, n] : [0, m, from, to];
    };
    const c = this.control;
    c.set(args, ARGS);
    c[SCRATCH] = this.scratchBase;
    c[SCRATCH + 1] = this.scratchStride;
    for (let part = 1; part < parts; part++) c.set(range(part), RANGES + 4 * part);
    c[KIND] = 1;
    Atomics.store(c, DONE, 0);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    local(...args, ...range(0), this.scratchBase);
    while (Atomics.load(c, DONE) < parts - 1) {
      // The workers' parts take about as long as ours: spin briefly rather than sleep.
    }
  }

  /** Stops the workers (they also stop by themselves when the process exits). */
  close(): void {
    this.control[KIND] = 0;
    Atomics.add(this.control, SEQ, 1);
    Atomics.notify(this.control, SEQ);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}

interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: ArrayBufferLike;
  part: number;
}

async function spawn(data: WorkerData): Promise<{ terminate(): unknown }> {
  const isNode = Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);
  if (isNode) {
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
