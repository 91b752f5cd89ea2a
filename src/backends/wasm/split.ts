/**
 * How the element-wise, batch norm and window kernels are split across threads (the matrix
 * product and Adam split themselves in index.ts). Every split gives each thread outputs of its
 * own and keeps each output's arithmetic as on one thread, so results do not depend on the
 * thread count.
 */
import type { WindowGeometry } from "../backend.js";
import type { WasmTensor } from "./memory.js";
import type { Kernels } from "./module.js";
import type { KernelName, ThreadPool } from "./pool.js";

/** Kernels that move fewer floats than this run on the calling thread alone. */
const PARALLEL_MIN_FLOATS = 1 << 15;

/** What a split needs: the calling thread's kernels, the pool (null for one thread) and each thread's scratch. */
export interface Threads {
  kernels: Kernels;
  pool: ThreadPool | null;
  scratch: number;
  scratchStride: number;
}

function kernelOf(t: Threads, name: KernelName): (...args: number[]) => void {
  return t.kernels[name] as (...args: number[]) => void;
}

/**
 * Runs activate or activationBackward over [rows, cols] matrices (their offsets, rows, cols and
 * the activation's code): by rows when `wholeRows` (softmax), else element-wise in slices that
 * start at multiples of 4 elements, so that the same elements take the vector loop and the
 * scalar tail (they differ for a relu gradient's zeros and NaNs) as on one thread. The canonical
 * CNN's first relu (64 x 25088), forward / backward: 1.05 / 1.46 ms on one thread, 0.70 / 0.94 on two.
 */
export function overRows(t: Threads, name: "activate" | "activationBackward", matrices: WasmTensor[], code: number, wholeRows: boolean): void {
  const kernel = kernelOf(t, name);
  const { rows, cols } = matrices[0];
  const offsets = matrices.map((m) => m.offset);
  if (!t.pool || rows * cols < PARALLEL_MIN_FLOATS) {
    kernel(...offsets, rows, cols, code);
    return;
  }
  const [count, width, unit] = wholeRows ? [rows, cols, 1] : [rows * cols, 1, 4];
  t.pool.runSlices(name, kernel, count, unit, (from, to) => [...offsets.map((o) => o + from * width * 4), to - from, width, code]);
}

/** Runs a batch norm kernel over x: [rows, channels]: its arguments, then each thread's scratch and channels [from, to). */
export function overChannels(t: Threads, name: "batchNormForward" | "batchNormBackward", args: number[], rows: number, channels: number): void {
  const kernel = kernelOf(t, name);
  if (!t.pool || channels < 2 || rows * channels < PARALLEL_MIN_FLOATS) {
    kernel(...args, t.scratch, 0, channels);
    return;
  }
  // Sixteen channels (a cache line) per share where there are enough, else four (a vector), else one.
  const threads = t.pool.threads;
  const unit = channels >= 16 * threads ? 16 : channels >= 4 * threads ? 4 : 1;
  t.pool.runSlices(name, kernel, channels, unit, (from, to, part) => [...args, t.scratch + part * t.scratchStride, from, to]);
}

/**
 * Runs a window kernel (assembly/im2col.ts, pooling.ts) over the batch: its pointers, the
 * geometry (with the padding for im2col and col2im), then examples [n0, n1), split by examples
 * when it moves `floats` floats or more.
 */
export function overExamples(t: Threads, name: KernelName, pointers: number[], g: WindowGeometry, padded: boolean, floats: number): void {
  const kernel = kernelOf(t, name);
  const shape = [g.height, g.width, g.channels, g.sizeY, g.sizeX, g.stride, ...(padded ? [g.padTop, g.padLeft] : []), g.outHeight, g.outWidth];
  if (!t.pool || g.batch < 2 || floats < PARALLEL_MIN_FLOATS) {
    kernel(...pointers, ...shape, 0, g.batch);
    return;
  }
  t.pool.runSlices(name, kernel, g.batch, 1, (from, to) => [...pointers, ...shape, from, to]);
}
