import type {
  AdamArgs,
  Activation,
  BatchNormArgs,
  BatchNormBackwardArgs,
  ConvBackwardArgs,
  ConvForwardArgs,
  DenseBackwardArgs,
  DenseForwardArgs,
  SgdArgs,
  WindowGeometry,
  Backend,
} from "../backend.js";
import * as reference from "../reference/conv.js";
import { col2im, im2col } from "./im2col.js";
import { checkLength, sizeOf, type FloatArray, type Matrix, type Shape, type Tensor } from "../../tensor/tensor.js";
import { Heap, WasmTensor } from "./memory.js";
import { loadKernels } from "./module.js";
import { ThreadPool } from "./pool.js";
import { isNode } from "../../tensor/platform.js";

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

// Activation codes of src/backends/wasm/assembly/math.ts
const ACTIVATION_CODES: Record<Activation, number> = { linear: 0, relu: 1, leaky_relu: 2, sigmoid: 3, tanh: 4, gelu: 5, softmax: 6 };
/** Activations the matrix-product epilogue applies itself; the others get a pass of their own. */
const EPILOGUE_ACTIVATIONS = new Set<Activation>(["linear", "relu", "leaky_relu"]);
/** Products smaller than this many multiply-adds run on the calling thread alone. */
const PARALLEL_MIN_WORK = 1 << 18;
/** Optimizer steps over fewer parameters than this run on the calling thread alone. */
const PARALLEL_MIN_PARAMS = 1 << 15;

interface Kernels {
  gemm(...args: number[]): void;
  gemmScratchBytes(): number;
  heapBase(): number;
  activate(z: number, y: number, rows: number, cols: number, act: number): void;
  activationBackward(z: number, y: number, dy: number, dz: number, rows: number, cols: number, act: number): void;
  columnSums(dz: number, db: number, rows: number, cols: number): void;
  dropout(x: number, mask: number, y: number, count: number, rate: number, seed: number): void;
  multiply(a: number, b: number, out: number, count: number): void;
  scale(m: number, count: number, factor: number): void;
  sumOfSquares(m: number, count: number): number;
  softmaxCrossEntropy(logits: number, batch: number, classes: number, labels: number, weights: number, dLogits: number): number;
  binaryCrossEntropy(logits: number, batch: number, labels: number, weights: number, dLogits: number): number;
  meanSquaredError(prediction: number, targets: number, count: number, dPrediction: number): number;
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

/**
 * The fast backend: AssemblyScript kernels compiled to WebAssembly SIMD128 (with relaxed-SIMD
 * fused multiply-add where available) over one memory that holds every matrix, with matrix
 * products split across threads. Resolves to null where WebAssembly SIMD is not available.
 * @example const backend = await createWasmBackend(); backend?.name // "wasm"
 */
export async function createWasmBackend(options: WasmOptions = {}): Promise<WasmBackend | null> {
  const kernels = await loadKernels({ relaxedSimd: options.relaxedSimd });
  if (!kernels) return null;
  const memory = new WebAssembly.Memory(kernels.sharedMemory ? { initial: 64, maximum: 16384, shared: true } : { initial: 64 });
  const instance = await WebAssembly.instantiate(kernels.module, { env: { memory } });
  const exports = instance.exports as unknown as Kernels;
  const heap = new Heap(memory, exports.heapBase());
  const cores = await availableCores();
  const wanted = options.threads ?? "auto";
  const maxThreads = kernels.sharedMemory ? Math.max(1, Math.min(wanted === "auto" ? cores : wanted, 64)) : 1;
  const scratchStride = Math.ceil(exports.gemmScratchBytes() / 64) * 64;
  const scratch = heap.reserve(scratchStride * maxThreads);
  const pool = maxThreads > 1 ? await ThreadPool.start(maxThreads, kernels.module, memory) : null;
  const backend = new Wasm(exports, heap, pool, scratch, scratchStride, kernels.relaxedSimd);
  if (pool && wanted === "auto" && !backend.threadsPay()) backend.dropThreads();
  return backend;
}

async function availableCores(): Promise<number> {
  const browser = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (browser) return browser;
  if (!isNode()) return 1;
  const specifier = "node:os";
  const os = (await import(/* @vite-ignore */ specifier)) as typeof import("node:os");
  return Math.max(1, os.availableParallelism());
}

class Wasm implements WasmBackend {
  readonly name = "wasm";
  readonly dtype = "float32" as const;
  calibration: { oneThreadMs: number; allThreadsMs: number } | null = null;
  private labelBuffer = { offset: 0, ints: 0 };
  private im2colBuffer: Tensor | null = null;
  private weightBuffer: { offset: number; floats: number; source: Float32Array | null } = { offset: 0, floats: 0, source: null };

  constructor(
    private readonly k: Kernels,
    private readonly heap: Heap,
    private pool: ThreadPool | null,
    private readonly scratch: number,
    private readonly scratchStride: number,
    readonly relaxedSimd: boolean,
  ) {}

  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  tensor(shape: Shape): Tensor {
    return this.heap.tensor(shape);
  }

  matrix(rows: number, cols: number): Matrix {
    return this.heap.tensor([rows, cols]);
  }

  view(t: Tensor, rows: number): Tensor {
    if (rows === t.rows) return t;
    const w = at(t);
    return new WasmTensor([rows, ...t.shape.slice(1)], w.offset, w.parent ?? w);
  }

  reshape(t: Tensor, shape: Shape): Tensor {
    if (sizeOf(shape) !== t.rows * t.cols) throw new Error(`cannot reshape [${t.shape.join(", ")}] to [${shape.join(", ")}]`);
    const w = at(t);
    return new WasmTensor([...shape], w.offset, w.parent ?? w);
  }

  write(t: Tensor, values: ArrayLike<number>): void {
    checkLength(t, values);
    this.heap.f32().set(values, at(t).offset >>> 2);
  }

  read(t: Tensor): FloatArray {
    const start = at(t).offset >>> 2;
    return this.heap.f32().slice(start, start + t.rows * t.cols);
  }

  async readAsync(t: Tensor): Promise<FloatArray> {
    return this.read(t);
  }

  copy(src: Tensor, dst: Tensor): void {
    const from = at(src).offset >>> 2;
    this.heap.f32().copyWithin(at(dst).offset >>> 2, from, from + src.rows * src.cols);
  }

  matmul(a: Matrix, b: Matrix, c: Matrix, transA: boolean, transB: boolean, accumulate: boolean): void {
    const k = transA ? a.rows : a.cols;
    this.gemm(a, b, c, k, transA, transB, accumulate, 0, 0, 0);
  }

  denseForward({ x, weight, bias, z, y, activation }: DenseForwardArgs): void {
    const fused = EPILOGUE_ACTIVATIONS.has(activation);
    this.gemm(x, weight, z, x.cols, false, false, false, at(bias).offset, ACTIVATION_CODES[activation], fused ? at(y).offset : 0);
    if (!fused) this.activate(z, y, activation);
  }

  denseBackward({ x, weight, z, y, dy, dz, dWeight, dBias, dx, activation }: DenseBackwardArgs): void {
    this.k.activationBackward(at(z).offset, at(y).offset, at(dy).offset, at(dz).offset, z.rows, z.cols, ACTIVATION_CODES[activation]);
    this.k.columnSums(at(dz).offset, at(dBias).offset, dz.rows, dz.cols);
    this.gemm(x, dz, dWeight, x.rows, true, false, false, 0, 0, 0); // [inputs, units] = xᵀ·dz
    if (dx) this.gemm(dz, weight, dx, dz.cols, false, true, false, 0, 0, 0); // [batch, inputs] = dz·weightᵀ
  }

  activate(z: Matrix, y: Matrix, activation: Activation): void {
    this.k.activate(at(z).offset, at(y).offset, z.rows, z.cols, ACTIVATION_CODES[activation]);
  }

  // Standardisation is per column and memory-bound: it runs here in JavaScript over the wasm
  // memory, in double precision rounded once to float32, which is what the reference computes.
  standardize(x: Matrix, mean: Tensor, std: Tensor, y: Matrix): void {
    const f = this.heap.f32();
    const [xs, ms, ss, ys] = [at(x).offset >>> 2, at(mean).offset >>> 2, at(std).offset >>> 2, at(y).offset >>> 2];
    const cols = x.cols;
    for (let i = 0; i < x.rows; i++) {
      for (let j = 0; j < cols; j++) f[ys + i * cols + j] = (f[xs + i * cols + j] - f[ms + j]) / f[ss + j];
    }
  }

  standardizeBackward(dy: Matrix, std: Tensor, dx: Matrix): void {
    const f = this.heap.f32();
    const [gs, ss, ds] = [at(dy).offset >>> 2, at(std).offset >>> 2, at(dx).offset >>> 2];
    const cols = dy.cols;
    for (let i = 0; i < dy.rows; i++) for (let j = 0; j < cols; j++) f[ds + i * cols + j] = f[gs + i * cols + j] / f[ss + j];
  }

  activationBackward(z: Matrix, y: Matrix, dy: Matrix, dz: Matrix, activation: Activation): void {
    this.k.activationBackward(at(z).offset, at(y).offset, at(dy).offset, at(dz).offset, z.rows, z.cols, ACTIVATION_CODES[activation]);
  }

  // Convolutions: im2col into a scratch tensor, then the GEMM (see im2col.ts).
  convForward({ x, weight, bias, y, geometry: g }: ConvForwardArgs): void {
    const filters = bias.rows;
    const cols = this.columns(g);
    im2col(this.heap.f32(), at(x).offset >>> 2, at(cols).offset >>> 2, g);
    const w = this.reshape(weight, [cols.cols, filters]);
    this.gemm(cols, w, this.reshape(y, [cols.rows, filters]), cols.cols, false, false, false, at(bias).offset, ACTIVATION_CODES.linear, 0);
  }

  convBackward({ x, weight, dy, dWeight, dBias, dx, geometry: g }: ConvBackwardArgs): void {
    const filters = dBias.rows;
    const cols = this.columns(g);
    im2col(this.heap.f32(), at(x).offset >>> 2, at(cols).offset >>> 2, g);
    const d = this.reshape(dy, [cols.rows, filters]);
    this.k.columnSums(at(d).offset, at(dBias).offset, d.rows, filters);
    this.gemm(cols, d, this.reshape(dWeight, [cols.cols, filters]), cols.rows, true, false, false, 0, 0, 0); // [taps, filters] = colsᵀ·dy
    if (!dx) return;
    this.gemm(d, this.reshape(weight, [cols.cols, filters]), cols, filters, false, true, false, 0, 0, 0); // dCols = dy·weightᵀ
    col2im(this.heap.f32(), at(cols).offset >>> 2, at(dx).offset >>> 2, g);
  }

  // Pooling and batch normalisation are memory-bound passes: for now the reference loops run over
  // the wasm memory (float64 sums, rounded once to float32).
  maxPoolForward(x: Tensor, y: Tensor, g: WindowGeometry): void {
    reference.maxPoolForward(this.floats(x), this.floats(y), g);
  }

  maxPoolBackward(x: Tensor, dy: Tensor, dx: Tensor, g: WindowGeometry): void {
    reference.maxPoolBackward(this.floats(x), this.floats(dy), this.floats(dx), g);
  }

  avgPoolForward(x: Tensor, y: Tensor, g: WindowGeometry): void {
    reference.avgPoolForward(this.floats(x), this.floats(y), g);
  }

  avgPoolBackward(dy: Tensor, dx: Tensor, g: WindowGeometry): void {
    reference.avgPoolBackward(this.floats(dy), this.floats(dx), g);
  }

  batchNormForward(a: BatchNormArgs): void {
    const [gamma, beta, runningMean, runningVar, mean, invStd] = [a.gamma, a.beta, a.runningMean, a.runningVar, a.mean, a.invStd].map((t) => this.floats(t));
    reference.batchNormForward(this.floats(a.x), a.x.rows, a.x.cols, gamma, beta, runningMean, runningVar, mean, invStd, this.floats(a.y), a.training, a.momentum, a.epsilon);
  }

  batchNormBackward(a: BatchNormBackwardArgs): void {
    reference.batchNormBackward(
      this.floats(a.x),
      a.x.rows,
      a.x.cols,
      this.floats(a.gamma),
      this.floats(a.mean),
      this.floats(a.invStd),
      this.floats(a.dy),
      a.dx ? this.floats(a.dx) : null,
      this.floats(a.dGamma),
      this.floats(a.dBeta),
      a.training,
    );
  }

  dropout(x: Matrix, mask: Matrix, y: Matrix, rate: number, seed: number): void {
    this.k.dropout(at(x).offset, at(mask).offset, at(y).offset, x.rows * x.cols, rate, seed | 0);
  }

  multiply(a: Matrix, b: Matrix, out: Matrix): void {
    this.k.multiply(at(a).offset, at(b).offset, at(out).offset, out.rows * out.cols);
  }

  softmaxCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, index: number): void {
    const loss = this.k.softmaxCrossEntropy(at(logits).offset, logits.rows, logits.cols, this.labels(labels), this.weights(classWeights), at(dLogits).offset);
    this.heap.f32()[(at(out).offset >>> 2) + index] = loss;
  }

  binaryCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, index: number): void {
    const loss = this.k.binaryCrossEntropy(at(logits).offset, logits.rows, this.labels(labels), this.weights(classWeights), at(dLogits).offset);
    this.heap.f32()[(at(out).offset >>> 2) + index] = loss;
  }

  meanSquaredError(prediction: Matrix, targets: Matrix, dPrediction: Matrix, out: Tensor, index: number): void {
    const loss = this.k.meanSquaredError(at(prediction).offset, at(targets).offset, prediction.rows * prediction.cols, at(dPrediction).offset);
    this.heap.f32()[(at(out).offset >>> 2) + index] = loss;
  }

  // A few numbers per row: JavaScript over the wasm memory, like standardize.
  countCorrect(scores: Matrix, labels: Int32Array, threshold: number, out: Tensor, index: number): void {
    const f = this.heap.f32();
    const s = at(scores).offset >>> 2;
    const cols = scores.cols;
    let correct = 0;
    for (let i = 0; i < scores.rows; i++) {
      let best = 0;
      if (cols === 1) best = f[s + i] >= threshold ? 1 : 0;
      else for (let j = 1; j < cols; j++) if (f[s + i * cols + j] > f[s + i * cols + best]) best = j;
      if (best === labels[i]) correct++;
    }
    f[(at(out).offset >>> 2) + index] = correct;
  }

  sumOfSquares(m: Tensor, out: Tensor, index: number, accumulate: boolean): void {
    const sum = this.k.sumOfSquares(at(m).offset, m.rows * m.cols);
    const f = this.heap.f32();
    const o = (at(out).offset >>> 2) + index;
    f[o] = (accumulate ? f[o] : 0) + sum;
  }

  clipToNorm(m: Tensor, sumOfSquares: Tensor, index: number, maxNorm: number): void {
    const factor = maxNorm / (Math.sqrt(this.heap.f32()[(at(sumOfSquares).offset >>> 2) + index]) + 1e-6);
    if (factor < 1) this.scale(m, factor);
  }

  scale(m: Tensor, factor: number): void {
    this.k.scale(at(m).offset, m.rows * m.cols, factor);
  }

  sgdStep(param: Tensor, grad: Tensor, velocity: Tensor | null, { lr, momentum, nesterov, weightDecay }: SgdArgs): void {
    this.k.sgdStep(at(param).offset, at(grad).offset, velocity ? at(velocity).offset : 0, param.rows * param.cols, lr, momentum, nesterov ? 1 : 0, weightDecay);
  }

  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, args: AdamArgs): void {
    const { lr, beta1, beta2, epsilon, weightDecay, decoupled, step } = args;
    const count = param.rows * param.cols;
    const settings = [lr, beta1, beta2, epsilon, weightDecay, decoupled ? 1 : 0, lr / (1 - beta1 ** step), Math.sqrt(1 - beta2 ** step)];
    const offsets = [at(param).offset, at(grad).offset, at(m).offset, at(v).offset];
    if (!this.pool || count < PARALLEL_MIN_PARAMS) {
      this.k.adamStep(...(offsets as [number, number, number, number]), count, ...(settings as [number, number, number, number, number, number, number, number]));
      return;
    }
    // Each thread updates its own slice (a multiple of 4 elements, for the vector loop).
    const threads = this.pool.threads;
    const per = Math.ceil(count / 4 / threads) * 4;
    this.pool.run("adamStep", this.k.adamStep, (part) => {
      const from = Math.min(count, part * per);
      return [...offsets.map((o) => o + from * 4), Math.min(count, from + per) - from, ...settings];
    });
  }

  close(): void {
    this.dropThreads();
  }

  /** Times the training products of the canonical MLP on one thread and on all: do threads pay? */
  threadsPay(): boolean {
    const shapes: [number, number, number][] = [
      [64, 784, 256],
      [784, 64, 256],
      [64, 256, 784],
      [1024, 784, 256],
    ];
    const operands = shapes.map(([m, k, n]) => [this.matrix(m, k), this.matrix(k, n), this.matrix(m, n)]);
    // Nonzero operands: the products skip steps where a is zero, and would time nothing.
    for (const [a, b] of operands) [a, b].forEach((x) => this.write(x, new Float32Array(x.rows * x.cols).fill(0.5)));
    const run = (): void => operands.forEach(([a, b, c]) => this.matmul(a, b, c, false, false, false));
    const time = (): number => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) run();
      return performance.now() - started;
    };
    for (let i = 0; i < 10; i++) run(); // let V8 tier the kernels up first
    // Alternate the two ways and keep each one's best time, so a burst of load from another
    // process during one measurement does not decide the choice.
    const pool = this.pool;
    let together = Infinity;
    let alone = Infinity;
    for (let round = 0; round < 3; round++) {
      this.pool = pool;
      together = Math.min(together, time());
      this.pool = null;
      alone = Math.min(alone, time());
    }
    this.pool = pool;
    this.calibration = { oneThreadMs: alone, allThreadsMs: together };
    return together < alone * 0.9;
  }

  dropThreads(): void {
    this.pool?.close();
    this.pool = null;
  }

  private gemm(a: Matrix, b: Matrix, c: Matrix, k: number, transA: boolean, transB: boolean, accumulate: boolean, bias: number, act: number, y: number): void {
    const args = [at(a).offset, at(b).offset, at(c).offset, k, a.cols, b.cols, c.cols, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0, bias, act, y];
    const m = c.rows;
    const n = c.cols;
    if (!this.pool || m * n * k < PARALLEL_MIN_WORK) {
      this.k.gemm(...args, 0, m, 0, n, this.scratch);
      return;
    }
    // Split the output by rows (m >= n) or columns, in whole 2-row or 16-column tiles (gemm.ts).
    const threads = this.pool.threads;
    const byRows = m >= n;
    const total = byRows ? m : n;
    const tile = byRows ? 2 : 16;
    const per = Math.ceil(total / tile / threads) * tile;
    this.pool.run("gemm", this.k.gemm, (part) => {
      const from = Math.min(total, part * per);
      const to = Math.min(total, from + per);
      const range = byRows ? [from, to, 0, n] : [0, m, from, to];
      return [...args, ...range, this.scratch + part * this.scratchStride];
    });
  }

  /** The numbers of `t` as a view of the wasm memory (valid until the memory grows). */
  private floats(t: Tensor): Float32Array {
    const start = at(t).offset >>> 2;
    return this.heap.f32().subarray(start, start + t.rows * t.cols);
  }

  /** The im2col scratch for a geometry: [batch * outHeight * outWidth, sizeY * sizeX * channels], reused while it fits. */
  private columns(g: WindowGeometry): Tensor {
    const rows = g.batch * g.outHeight * g.outWidth;
    const cols = g.sizeY * g.sizeX * g.channels;
    if (!this.im2colBuffer || this.im2colBuffer.rows * this.im2colBuffer.cols < rows * cols) this.im2colBuffer = this.heap.tensor([rows, cols]);
    const buffer = at(this.im2colBuffer);
    return new WasmTensor([rows, cols], buffer.offset, buffer);
  }

  /** Copies labels into the memory (they change every batch) and returns their offset. */
  private labels(labels: Int32Array): number {
    if (this.labelBuffer.ints < labels.length) this.labelBuffer = { offset: this.heap.reserve(labels.length * 4), ints: labels.length };
    this.heap.i32().set(labels, this.labelBuffer.offset >>> 2);
    return this.labelBuffer.offset;
  }

  /** Copies class weights into the memory when they are not the ones copied last time. */
  private weights(weights: Float32Array | null): number {
    if (!weights) return 0;
    if (this.weightBuffer.source !== weights) {
      if (this.weightBuffer.floats < weights.length) this.weightBuffer.offset = this.heap.reserve(weights.length * 4);
      this.weightBuffer.floats = Math.max(this.weightBuffer.floats, weights.length);
      this.weightBuffer.source = weights;
      this.heap.f32().set(weights, this.weightBuffer.offset >>> 2);
    }
    return this.weightBuffer.offset;
  }
}

function at(t: Tensor): WasmTensor {
  if (!(t instanceof WasmTensor)) throw new Error("this tensor belongs to another backend");
  return t;
}
