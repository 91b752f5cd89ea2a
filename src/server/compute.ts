import { Worker } from "node:worker_threads";
import { GlassboxError } from "../errors.js";
import { inputLimits } from "../limits.js";
import type { Network } from "../model/network.js";
import { answer, type Job } from "./answers.js";
import { HttpError } from "./respond.js";

/**
 * Where the server computes predictions and explanations. By default a pool of worker threads,
 * each with its own copy of the model: the event loop only reads requests and writes answers,
 * so /healthz and the files answer at once while an explanation runs. The queue is bounded (503
 * with Retry-After when full) and every job has a time limit (504; its worker is stopped and a
 * new one started). With no workers, jobs run on the event loop as before.
 */
export interface Compute {
  run(job: Job): Promise<unknown>;
  /** Jobs computing and waiting, for /metrics. */
  readonly busy: number;
  readonly waiting: number;
  close(): Promise<void>;
}

export interface ComputeOptions {
  /** Worker threads; 0 computes on the event loop. */
  workers: number;
  /** Jobs that may wait for a worker; one more is answered 503. */
  maxQueue: number;
  /** The longest a job may compute, in ms; then 504. */
  timeoutMs: number;
}

/** What crosses from a worker for a failed job: enough to throw the same error here. */
export interface ErrorData {
  kind: "http" | "glassbox" | "other";
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
}

export function errorData(error: unknown): ErrorData {
  if (error instanceof HttpError) return { kind: "http", status: error.status, code: error.code, message: error.message, headers: error.headers };
  if (error instanceof GlassboxError) return { kind: "glassbox", status: 0, code: error.code, message: error.message, headers: {} };
  return { kind: "other", status: 500, code: "INTERNAL", message: error instanceof Error ? error.message : String(error), headers: {} };
}

function errorFrom(data: ErrorData): Error {
  if (data.kind === "http") return new HttpError(data.status, data.code, data.message, data.headers);
  if (data.kind === "glassbox") return new GlassboxError(data.code as ConstructorParameters<typeof GlassboxError>[0], data.message);
  return new Error(data.message);
}

/**
 * Multiply-adds of one forward pass of `network` for one row, times two: a dense layer does one per
 * weight, a convolution one per weight at each output position. Other layers are cheap next to them.
 */
export function forwardFlops(network: Network): number {
  return network.describe().reduce((sum, d) => {
    const positions = d.type === "conv2d" ? d.outputShape[0] * d.outputShape[1] : 1;
    return sum + 2 * d.parameters * positions;
  }, 0);
}

/**
 * Whether a job is small enough to answer on the event loop at once: a prediction from a body of
 * at most 64 KiB, for a model that would spend at most 20 MFLOP on all the rows such a body can
 * hold (a few ms). Handing it to a worker costs more than that (two messages, a copy of the body):
 * JSON predictions of the 784-64-10 model ran at 850 requests/s through workers.
 */
function inline(job: Job, network: Network, flopsPerRow: number): boolean {
  const rows = Math.max(1, Math.floor(job.body.length / (2 * network.inputs))); // at least "0," per feature
  return job.route === "predict" && job.body.length <= 65536 && rows * flopsPerRow <= 20e6;
}

export function createCompute(network: Network, modelBytes: () => Uint8Array, name: string, options: ComputeOptions): Compute {
  const pool = options.workers > 0 ? new WorkerPool(modelBytes(), name, options) : null;
  const flopsPerRow = forwardFlops(network);
  let inlineBusy = 0;
  const here = async (job: Job): Promise<unknown> => {
    inlineBusy++;
    try {
      return answer(network, job);
    } finally {
      inlineBusy--;
    }
  };
  return {
    run: (job) => (!pool || inline(job, network, flopsPerRow) ? here(job) : pool.run(job)),
    get busy() {
      return inlineBusy + (pool?.busy ?? 0);
    },
    get waiting() {
      return pool?.waiting ?? 0;
    },
    close: async () => pool?.close(),
  };
}

interface Pending {
  job: Job;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: (Pending & { timer: ReturnType<typeof setTimeout> }) | null;
}

class WorkerPool implements Compute {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;
  private broken: Error | null = null;

  constructor(
    private readonly modelBytes: Uint8Array,
    private readonly name: string,
    private readonly options: ComputeOptions,
  ) {
    for (let i = 0; i < options.workers; i++) this.slots.push(this.start());
  }

  get busy(): number {
    return this.slots.filter((s) => s.job).length;
  }

  get waiting(): number {
    return this.queue.length;
  }

  run(job: Job): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    // Workers without a job (or still starting) take the first ones; maxQueue more may wait.
    const idle = this.slots.filter((slot) => !slot.job).length;
    if (this.queue.length >= idle + this.options.maxQueue) {
      return Promise.reject(
        new HttpError(503, "BUSY", `the server is busy: ${this.busy} requests computing and ${this.queue.length} waiting; try again shortly`, { "Retry-After": "1" }),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new HttpError(503, "SHUTTING_DOWN", "the server is stopping"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private start(): Slot {
    const workerData = { modelBytes: this.modelBytes, name: this.name, limits: inputLimits() };
    // From the sources (tests, tsx), the worker registers the TypeScript loader first: workers do not inherit it.
    const fromSources = import.meta.url.endsWith(".ts");
    const file = new URL(`./compute-worker.${fromSources ? "ts" : "js"}`, import.meta.url);
    const worker = fromSources
      ? new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`, { eval: true, workerData })
      : new Worker(file, { workerData });
    const slot: Slot = { worker, ready: false, job: null };
    worker.on("message", (message: { ready?: true; id?: number; result?: unknown; error?: ErrorData }) => {
      if (message.ready) {
        slot.ready = true;
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job) return;
      clearTimeout(job.timer);
      slot.job = null;
      if (message.error) job.reject(errorFrom(message.error));
      else job.resolve(message.result);
      this.pump();
    });
    worker.on("error", (error) => this.replace(slot, error));
    worker.unref();
    return slot;
  }

  /**
   * A worker that failed or ran out of time: its job fails, and a new worker takes its place. One
   * that failed before it was ready (the model would not load there) is not restarted: every job
   * then fails with the reason, rather than workers being started over and over.
   */
  private replace(slot: Slot, error: Error): void {
    if (slot.job) {
      clearTimeout(slot.job.timer);
      slot.job.reject(error);
      slot.job = null;
    }
    void slot.worker.terminate();
    if (!slot.ready) {
      this.broken = new Error(`the compute workers could not start: ${error.message}`);
      for (const p of this.queue.splice(0)) p.reject(this.broken);
      return;
    }
    if (this.closed) return;
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots[index] = this.start();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || this.queue.length === 0) continue;
      const pending = this.queue.shift() as Pending;
      const seconds = this.options.timeoutMs / 1000;
      const timer = setTimeout(
        () => this.replace(slot, new HttpError(504, "TIMEOUT", `the request computed for over ${seconds} s and was stopped (the server's --timeout)`)),
        this.options.timeoutMs,
      );
      slot.job = { ...pending, timer };
      slot.worker.postMessage({ id: this.nextId++, job: pending.job });
    }
  }
}
