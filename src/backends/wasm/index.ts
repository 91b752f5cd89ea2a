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
} from "../backend.js";
import * as reference from "../reference/conv.js";
import { checkLength, sizeOf, type FloatArray, type Matrix, type Shape, type Tensor } from "../../tensor/tensor.js";
import { Heap, WasmTensor } from "./memory.js";
import { type Kernels, loadKernels, type WasmBackend, type WasmOptions } from "./module.js";

export type { WasmBackend, WasmOptions } from "./module.js";
import { ThreadPool } from "./pool.js";
import { overChannels, overExamples, overRows, type Threads } from "./split.js";
import { availableCores, THREADS_PAY, timeThreads } from "./calibrate.js";
import { insideImage, pointwise } from "./window.js";
import { Winograd, winogradFits } from "./winograd.js";
import { countCorrectRows, divideColumns, standardizeRows } from "./host.js";

// Activation codes of src/backends/wasm/assembly/math.ts
const ACTIVATION_CODES: Record<Activation, number> = { linear: 0, relu: 1, leaky_relu: 2, sigmoid: 3, tanh: 4, gelu: 5, softmax: 6 };
/** Activations the matrix-product epilogue applies itself; the others get a pass of their own. */
const EPILOGUE_ACTIVATIONS = new Set<Activation>(["linear", "relu", "leaky_relu"]);
/** Products smaller than this many multiply-adds run on the calling thread alone. */
const PARALLEL_MIN_WORK = 1 << 18;
/** Optimizer steps over fewer parameters than this run on the calling thread alone. */
const PARALLEL_MIN_PARAMS = 1 << 15;

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
  const scratchStride = Math.ceil(Math.max(exports.gemmScratchBytes(), exports.batchNormScratchBytes()) / 64) * 64;
  const scratch = heap.reserve(scratchStride * maxThreads);
  const pool = maxThreads > 1 ? await ThreadPool.start(maxThreads, kernels.module, memory) : null;
  const backend = new Wasm(exports, heap, pool, scratch, scratchStride, kernels.relaxedSimd);
  if (pool && wanted === "auto" && !backend.threadsPay()) backend.dropThreads();
  return backend;
}

class Wasm implements WasmBackend {
  readonly name = "wasm";
  readonly device = false;
  readonly dtype = "float32" as const;
  calibration: { oneThreadMs: number; allThreadsMs: number } | null = null;
  private labelBuffer = { offset: 0, ints: 0 };
  private im2colBuffer: Tensor | null = null;
  private weightBuffer: { offset: number; floats: number; source: Float32Array | null } = { offset: 0, floats: 0, source: null };
  private readonly winograd: Winograd;

  constructor(
    private readonly k: Kernels,
    private readonly heap: Heap,
    private pool: ThreadPool | null,
    private readonly scratch: number,
    private readonly scratchStride: number,
    readonly relaxedSimd: boolean,
  ) {
    this.winograd = new Winograd(heap, () => this.split());
  }

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
    overRows(this.split(), "activationBackward", [z, y, dy, dz].map(at), ACTIVATION_CODES[activation], activation === "softmax");
    if (dBias) this.k.columnSums(at(dz).offset, at(dBias).offset, dz.rows, dz.cols);
    if (dWeight) this.gemm(x, dz, dWeight, x.rows, true, false, false, 0, 0, 0); // [inputs, units] = xᵀ·dz
    if (dx) this.gemm(dz, weight, dx, dz.cols, false, true, false, 0, 0, 0); // [batch, inputs] = dz·weightᵀ
  }

  activate(z: Matrix, y: Matrix, activation: Activation): void {
    overRows(this.split(), "activate", [z, y].map(at), ACTIVATION_CODES[activation], activation === "softmax");
  }

  standardize(x: Matrix, mean: Tensor, std: Tensor, y: Matrix): void {
    standardizeRows(this.heap.f32(), at(x).offset >>> 2, at(mean).offset >>> 2, at(std).offset >>> 2, at(y).offset >>> 2, x.rows, x.cols);
  }

  standardizeBackward(dy: Matrix, std: Tensor, dx: Matrix): void {
    divideColumns(this.heap.f32(), at(dy).offset >>> 2, at(std).offset >>> 2, at(dx).offset >>> 2, dy.rows, dy.cols);
  }

  activationBackward(z: Matrix, y: Matrix, dy: Matrix, dz: Matrix, activation: Activation): void {
    overRows(this.split(), "activationBackward", [z, y, dy, dz].map(at), ACTIVATION_CODES[activation], activation === "softmax");
  }

  // Convolutions: 3x3 ones with stride 1 as Winograd (winograd.ts), others as im2col and the GEMM (window.ts).
  convForward({ x, weight, bias, y, geometry: g, activation = "linear" }: ConvForwardArgs): void {
    const filters = bias.rows;
    const fused = EPILOGUE_ACTIVATIONS.has(activation);
    const code = ACTIVATION_CODES[fused ? activation : "linear"];
    if (winogradFits(g, filters)) {
      this.winograd.forward({ x: at(x).offset, weight: at(weight).offset, bias: at(bias).offset, y: at(y).offset }, g, filters, code);
      if (!fused) this.activate(y, y, activation);
      return;
    }
    const cols = this.columns(x, g);
    const w = this.reshape(weight, [cols.cols, filters]);
    const out = this.reshape(y, [cols.rows, filters]);
    this.gemm(cols, w, out, cols.cols, false, false, false, at(bias).offset, code, fused ? at(out).offset : 0);
    if (!fused) this.activate(out, out, activation);
  }

  convBackward({ x, weight, dy, dWeight, dBias, dx, geometry: g }: ConvBackwardArgs): void {
    const filters = weight.shape[weight.shape.length - 1];
    if (dBias) this.k.columnSums(at(dy).offset, at(dBias).offset, (dy.rows * dy.cols) / filters, filters);
    if (winogradFits(g, filters)) {
      const offsets = { x: at(x).offset, weight: at(weight).offset, dy: at(dy).offset, dWeight: dWeight ? at(dWeight).offset : 0, dx: dx ? at(dx).offset : 0 };
      this.winograd.backward(offsets, g, filters);
      return;
    }
    const cols = this.columns(x, g, dWeight !== null); // dx alone only needs the buffer
    const d = this.reshape(dy, [cols.rows, filters]);
    if (dWeight) this.gemm(cols, d, this.reshape(dWeight, [cols.cols, filters]), cols.rows, true, false, false, 0, 0, 0); // [taps, filters] = colsᵀ·dy
    if (!dx) return;
    const w = this.reshape(weight, [cols.cols, filters]);
    if (pointwise(g)) {
      this.gemm(d, w, this.reshape(dx, [cols.rows, cols.cols]), filters, false, true, false, 0, 0, 0); // dx = dy·weightᵀ
      return;
    }
    this.gemm(d, w, cols, filters, false, true, false, 0, 0, 0); // dCols = dy·weightᵀ
    overExamples(this.split(), "col2im", [at(cols).offset, at(dx).offset], g, true, cols.rows * cols.cols);
  }

  // Pooling (assembly/pooling.ts), split across threads by examples (max 28x28x32, batch 64:
  // 16.3 / 20.8 ms forward / backward with the reference loops, 0.24 / 0.76 on two threads).
  // Windows that reach past the image or into padding (no pooling layer makes them) go to the
  // reference loops.
  maxPoolForward(x: Tensor, y: Tensor, g: WindowGeometry): void {
    this.pool2d("maxPoolForward", [x, y], g, x.rows * x.cols, () => reference.maxPoolForward(this.floats(x), this.floats(y), g));
  }

  maxPoolBackward(x: Tensor, dy: Tensor, dx: Tensor, g: WindowGeometry): void {
    this.pool2d("maxPoolBackward", [x, dy, dx], g, 2 * x.rows * x.cols, () => reference.maxPoolBackward(this.floats(x), this.floats(dy), this.floats(dx), g));
  }

  avgPoolForward(x: Tensor, y: Tensor, g: WindowGeometry): void {
    this.pool2d("avgPoolForward", [x, y], g, x.rows * x.cols, () => reference.avgPoolForward(this.floats(x), this.floats(y), g));
  }

  avgPoolBackward(dy: Tensor, dx: Tensor, g: WindowGeometry): void {
    this.pool2d("avgPoolBackward", [dy, dx], g, dx.rows * dx.cols, () => reference.avgPoolBackward(this.floats(dy), this.floats(dx), g));
  }

  // Batch normalisation (assembly/batchnorm.ts): every number is per channel, so threads take
  // ranges of channels (whole 64-byte cache lines of a row where there are enough).
  batchNormForward(a: BatchNormArgs): void {
    const tensors = [a.x, a.y].map((t) => at(t).offset);
    const stats = [a.gamma, a.beta, a.runningMean, a.runningVar, a.mean, a.invStd].map((t) => at(t).offset);
    const args = [...tensors, a.x.rows, a.x.cols, ...stats, a.training ? 1 : 0, a.momentum, a.epsilon];
    overChannels(this.split(), "batchNormForward", args, a.x.rows, a.x.cols);
  }

  batchNormBackward(a: BatchNormBackwardArgs): void {
    const tensors = [a.x, a.dy].map((t) => at(t).offset);
    const stats = [a.gamma, a.mean, a.invStd, a.dGamma, a.dBeta].map((t) => (t ? at(t).offset : 0));
    const args = [...tensors, a.dx ? at(a.dx).offset : 0, a.x.rows, a.x.cols, ...stats, a.training ? 1 : 0];
    overChannels(this.split(), "batchNormBackward", args, a.x.rows, a.x.cols);
  }

  dropout(x: Matrix, mask: Matrix, y: Matrix, rate: number, seed: number): void {
    this.k.dropout(at(x).offset, at(mask).offset, at(y).offset, x.rows * x.cols, rate, seed | 0);
  }

  multiply(a: Matrix, b: Matrix, out: Matrix): void {
    this.k.multiply(at(a).offset, at(b).offset, at(out).offset, out.rows * out.cols);
  }

  softmaxCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, index: number): void {
    this.store(out, index, this.k.softmaxCrossEntropy(at(logits).offset, logits.rows, logits.cols, this.labels(labels), this.weights(classWeights), at(dLogits).offset));
  }

  binaryCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, index: number): void {
    this.store(out, index, this.k.binaryCrossEntropy(at(logits).offset, logits.rows, this.labels(labels), this.weights(classWeights), at(dLogits).offset));
  }

  meanSquaredError(prediction: Matrix, targets: Matrix, dPrediction: Matrix, out: Tensor, index: number): void {
    this.store(out, index, this.k.meanSquaredError(at(prediction).offset, at(targets).offset, prediction.rows * prediction.cols, at(dPrediction).offset));
  }

  huberLoss(prediction: Matrix, targets: Matrix, delta: number, dPrediction: Matrix, out: Tensor, index: number): void {
    this.store(out, index, this.k.huberLoss(at(prediction).offset, at(targets).offset, delta, prediction.rows * prediction.cols, at(dPrediction).offset));
  }

  countCorrect(scores: Matrix, labels: Int32Array, threshold: number, out: Tensor, index: number): void {
    this.store(out, index, countCorrectRows(this.heap.f32(), at(scores).offset >>> 2, scores.rows, scores.cols, labels, threshold));
  }

  /** out[index] = value: a loss or count stays on the device until the training loop reads it. */
  private store(out: Tensor, index: number, value: number): void {
    this.heap.f32()[(at(out).offset >>> 2) + index] = value;
  }

  sumOfSquares(m: Tensor, out: Tensor, index: number, accumulate: boolean): void {
    const sum = this.k.sumOfSquares(at(m).offset, m.rows * m.cols);
    this.store(out, index, (accumulate ? this.heap.f32()[(at(out).offset >>> 2) + index] : 0) + sum);
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
    this.pool.runSlices("adamStep", this.k.adamStep, count, 4, (from, to) => [...offsets.map((o) => o + from * 4), to - from, ...settings]);
  }

  close(): void {
    this.dropThreads();
  }

  /** Times the canonical MLP's training products on one thread and on all (calibrate.ts): do threads pay? */
  threadsPay(): boolean {
    const pool = this.pool;
    this.calibration = timeThreads(this, (on) => {
      this.pool = on ? pool : null;
    });
    this.pool = pool;
    return this.calibration.allThreadsMs < this.calibration.oneThreadMs * THREADS_PAY;
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
    const byRows = m >= n;
    this.pool.runSlices("gemm", this.k.gemm, byRows ? m : n, byRows ? 2 : 16, (from, to, part) => {
      const range = byRows ? [from, to, 0, n] : [0, m, from, to];
      return [...args, ...range, this.scratch + part * this.scratchStride];
    });
  }

  /** A pooling kernel split across threads by example, or `fallback` (the reference loops) for windows outside the image. */
  private pool2d(
    kernel: "maxPoolForward" | "maxPoolBackward" | "avgPoolForward" | "avgPoolBackward",
    tensors: Tensor[],
    g: WindowGeometry,
    traffic: number,
    fallback: () => void,
  ): void {
    if (!insideImage(g)) fallback();
    else
      overExamples(
        this.split(),
        kernel,
        tensors.map((t) => at(t).offset),
        g,
        false,
        traffic,
      );
  }

  /** The numbers of `t` as a view of the wasm memory (valid until the memory grows). */
  private floats(t: Tensor): Float32Array {
    const start = at(t).offset >>> 2;
    return this.heap.f32().subarray(start, start + t.rows * t.cols);
  }

  /**
   * x as the matrix of a convolution's product, [batch * outHeight * outWidth, sizeY * sizeX *
   * channels]: x itself for a pointwise convolution, else its im2col in a scratch tensor that is
   * reused while it fits.
   */
  private columns(x: Tensor, g: WindowGeometry, fill = true): Tensor {
    const rows = g.batch * g.outHeight * g.outWidth;
    const cols = g.sizeY * g.sizeX * g.channels;
    if (pointwise(g)) return this.reshape(x, [rows, cols]);
    if (!this.im2colBuffer || this.im2colBuffer.rows * this.im2colBuffer.cols < rows * cols) this.im2colBuffer = this.heap.tensor([rows, cols]);
    const buffer = at(this.im2colBuffer);
    const matrix = new WasmTensor([rows, cols], buffer.offset, buffer);
    if (fill) overExamples(this.split(), "im2col", [at(x).offset, buffer.offset], g, true, rows * cols);
    return matrix;
  }

  /** What the kernels split across threads need (split.ts); the pool changes when threads are dropped. */
  private split(): Threads {
    return { kernels: this.k, pool: this.pool, scratch: this.scratch, scratchStride: this.scratchStride };
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
