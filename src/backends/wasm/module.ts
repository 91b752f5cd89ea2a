import type { Backend } from "../backend.js";
import { RELAXED_PLAIN, RELAXED_SHARED, SIMD_PLAIN, SIMD_SHARED } from "./kernels.generated.js";
import { isNode } from "../../tensor/platform.js";

/** The kernels' exports (src/backends/wasm/assembly/index.ts); pointers are byte offsets into the memory. */
export interface Kernels {
  gemm(...args: number[]): void;
  gemmScratchBytes(): number;
  batchNormScratchBytes(): number;
  heapBase(): number;
  activate(z: number, y: number, rows: number, cols: number, act: number): void;
  activationBackward(z: number, y: number, dy: number, dz: number, rows: number, cols: number, act: number): void;
  columnSums(dz: number, db: number, rows: number, cols: number): void;
  // Window kernels (assembly/im2col.ts, pooling.ts): pointers, the geometry without the batch, then examples [n0, n1).
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
  // Winograd convolutions (assembly/winograd.ts, driven by winograd.ts).
  gemmMany(...args: number[]): void;
  winogradFilter(weight: number, u: number, channels: number, filters: number): void;
  winogradFilterAdjoint(du: number, dWeight: number, channels: number, filters: number): void;
  transposeMany(src: number, dst: number, rows: number, cols: number, count: number): void;
  winogradInput(...args: number[]): void;
  winogradOutput(...args: number[]): void;
  winogradOutputAdjoint(...args: number[]): void;
  winogradInputAdjoint(...args: number[]): void;
  maxPoolForward(...args: number[]): void;
  maxPoolBackward(...args: number[]): void;
  avgPoolForward(...args: number[]): void;
  avgPoolBackward(...args: number[]): void;
  batchNormForward(...args: number[]): void;
  batchNormBackward(...args: number[]): void;
  dropout(x: number, mask: number, y: number, count: number, rate: number, seed: number): void;
  multiply(a: number, b: number, out: number, count: number): void;
  scale(m: number, count: number, factor: number): void;
  sumOfSquares(m: number, count: number): number;
  softmaxCrossEntropy(logits: number, batch: number, classes: number, labels: number, weights: number, dLogits: number): number;
  binaryCrossEntropy(logits: number, batch: number, labels: number, weights: number, dLogits: number): number;
  meanSquaredError(prediction: number, targets: number, count: number, dPrediction: number): number;
  huberLoss(prediction: number, targets: number, delta: number, count: number, dPrediction: number): number;
  sgdStep(p: number, g: number, v: number, count: number, lr: number, momentum: number, nesterov: number, weightDecay: number): void;
  adamStep(
    p: number,
    g: number,
    m: number,
    v: number,
    count: number,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    decoupled: number,
    stepSize: number,
    sqrtCorrection2: number,
  ): void;
}

/** The compiled kernels and what they use. */
export interface KernelModule {
  module: WebAssembly.Module;
  relaxedSimd: boolean;
  sharedMemory: boolean;
}

/**
 * Picks and compiles the best kernel variant the runtime accepts: relaxed-SIMD fused multiply-add
 * when it validates (Node 20 needs V8's --experimental-wasm-relaxed-simd, set here before any
 * compilation), else plain SIMD128; a shared memory (threads) when SharedArrayBuffer is usable.
 * Returns null when the runtime has no WebAssembly SIMD at all.
 */
export async function loadKernels(options: { relaxedSimd?: boolean } = {}): Promise<KernelModule | null> {
  if (typeof WebAssembly !== "object") return null;
  const sharedMemory = canShareMemory();
  const relaxed = decode(sharedMemory ? RELAXED_SHARED : RELAXED_PLAIN);
  const simd = decode(sharedMemory ? SIMD_SHARED : SIMD_PLAIN);
  let useRelaxed = false;
  if (options.relaxedSimd !== false) {
    if (!WebAssembly.validate(relaxed)) await enableRelaxedSimdInNode();
    useRelaxed = WebAssembly.validate(relaxed);
  }
  const bytes = useRelaxed ? relaxed : simd;
  if (!WebAssembly.validate(bytes)) return null;
  return { module: await WebAssembly.compile(bytes), relaxedSimd: useRelaxed, sharedMemory };
}

function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

async function enableRelaxedSimdInNode(): Promise<void> {
  if (!isNode()) return;
  const specifier = "node:v8";
  const v8 = (await import(/* @vite-ignore */ specifier)) as { setFlagsFromString(flag: string): void };
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export interface WasmOptions {
  /** Threads for matrix products: a number, or "auto" (default) to time 1 against all cores at start-up. */
  threads?: number | "auto";
  /** Use relaxed-SIMD fused multiply-add when the runtime accepts it. Default true. */
  relaxedSimd?: boolean;
}

/** The wasm backend, with what it chose at start-up. */
export interface WasmBackend extends Backend {
  readonly threads: number;
  readonly relaxedSimd: boolean;
  /** The start-up timing that chose the thread count (null when the count was given). */
  readonly calibration: { oneThreadMs: number; allThreadsMs: number } | null;
  /** Stops the worker threads; the backend must not be used afterwards. */
  close(): void;
}
