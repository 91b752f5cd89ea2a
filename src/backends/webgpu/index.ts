import type {
  AdamArgs,
  Activation,
  Backend,
  BatchNormArgs,
  BatchNormBackwardArgs,
  ConvBackwardArgs,
  ConvForwardArgs,
  DenseBackwardArgs,
  DenseForwardArgs,
  SgdArgs,
  WindowGeometry,
} from "../backend.js";
import { GlassboxError } from "../../errors.js";
import { checkLength, matrixOf, sizeOf, type Matrix, type Shape, type Tensor } from "../../tensor/tensor.js";
import { f32, Gpu, type Binding } from "./gpu.js";
import { LOSS, OPTIMIZER, SUM_OF_SQUARES } from "./losses.js";
import { ACTIVATE, ACTIVATION_BACKWARD, ACTIVATION_CODES, COLUMN_SUMS, ELEMENTWISE, gemmGrid, MATMUL, SOFTMAX, SOFTMAX_BACKWARD } from "./shaders.js";
import * as window from "./window.js";

/** What the webgpu backend needs of a device beyond WebGPU's defaults: nothing; these are checked at start-up. */
const NEEDED_LIMITS = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 8192, maxStorageBuffersPerShaderStage: 8 } as const;

/** WebGPU's entry point (`navigator.gpu`), as far as the options need to name it. */
export interface GpuEntry {
  requestAdapter(options?: { powerPreference?: "low-power" | "high-performance" }): Promise<unknown>;
}

export interface WebGpuOptions {
  /** The WebGPU entry point: `navigator.gpu` in a browser (the default), or Node's `webgpu` package's `create([])`. */
  gpu?: GpuEntry;
  /** Accept a software adapter (SwiftShader, lavapipe). Default true; `--backend auto` asks for false. */
  allowSoftware?: boolean;
}

export interface WebGpuBackend extends Backend {
  /** The adapter's description, e.g. "nvidia ampere" or "google swiftshader". */
  readonly adapter: string;
  /** Whether the adapter is a software rasteriser (SwiftShader, lavapipe): correct, and slower than wasm. */
  readonly software: boolean;
}

/**
 * The GPU backend: every tensor is a GPU buffer, every kernel a WGSL compute shader, recorded in
 * order and submitted when the host reads (`readAsync`). `read` throws: numbers come back only
 * asynchronously. Buffers are reclaimed when their tensors are garbage collected.
 * Throws a GlassboxError naming what is missing when there is no WebGPU, no adapter or too small a limit.
 * @example const backend = await createWebGpuBackend(); backend.name // "webgpu"
 */
export async function createWebGpuBackend(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const gpu = (options.gpu as GPU | undefined) ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu)
    throw new GlassboxError(
      "BAD_ARGUMENT",
      "webgpu: this runtime has no WebGPU (navigator.gpu is missing; in Node, install the optional package webgpu and pass its create([]) as gpu)",
    );
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new GlassboxError("BAD_ARGUMENT", "webgpu: no GPU adapter is available (requestAdapter returned null)");
  const info = adapter.info;
  const description = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(" ") || "unknown adapter";
  const software = info.isFallbackAdapter || /swiftshader|lavapipe|llvmpipe|software/i.test(description);
  if (software && options.allowSoftware === false) throw new GlassboxError("BAD_ARGUMENT", `webgpu: the only adapter is a software rasteriser (${description})`);
  for (const [name, needed] of Object.entries(NEEDED_LIMITS)) {
    const has = adapter.limits[name as keyof typeof NEEDED_LIMITS];
    if (has < needed) throw new GlassboxError("BAD_ARGUMENT", `webgpu: the adapter's ${name} is ${has}; the webgpu backend needs at least ${needed}`);
  }
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  return new WebGpu(new Gpu(device), description, software);
}

/** A tensor on the GPU: views and reshapes share `storage`, which keeps the buffer until the last of them is collected. */
class WebGpuTensor implements Tensor {
  readonly rows: number;
  readonly cols: number;

  constructor(
    readonly shape: Shape,
    readonly storage: { buffer: GPUBuffer },
  ) {
    ({ rows: this.rows, cols: this.cols } = matrixOf(shape));
  }
}

function bind(t: Tensor): Binding {
  if (!(t instanceof WebGpuTensor)) throw new Error("this tensor belongs to another backend");
  return { buffer: t.storage.buffer, bytes: t.rows * t.cols * 4 };
}

class WebGpu implements WebGpuBackend {
  readonly name = "webgpu";
  readonly dtype = "float32" as const;
  readonly device = true;

  constructor(
    private readonly gpu: Gpu,
    readonly adapter: string,
    readonly software: boolean,
  ) {}

  tensor(shape: Shape): Tensor {
    const buffer = this.gpu.buffer(Math.max(1, sizeOf(shape)) * 4);
    const storage = { buffer };
    this.gpu.reclaim.register(storage, buffer);
    return new WebGpuTensor([...shape], storage);
  }

  matrix(rows: number, cols: number): Matrix {
    return this.tensor([rows, cols]);
  }

  view(t: Tensor, rows: number): Tensor {
    if (rows === t.rows) return t;
    return new WebGpuTensor([rows, ...t.shape.slice(1)], (t as WebGpuTensor).storage);
  }

  reshape(t: Tensor, shape: Shape): Tensor {
    if (sizeOf(shape) !== t.rows * t.cols) throw new Error(`cannot reshape [${t.shape.join(", ")}] to [${shape.join(", ")}]`);
    return new WebGpuTensor([...shape], (t as WebGpuTensor).storage);
  }

  write(t: Tensor, values: ArrayLike<number>): void {
    checkLength(t, values);
    this.gpu.upload(bind(t).buffer, values instanceof Float32Array ? values : Float32Array.from(values));
  }

  read(): never {
    throw new GlassboxError("BAD_ARGUMENT", "the webgpu backend keeps its numbers on the GPU and reads them back asynchronously: use readAsync");
  }

  async readAsync(t: Tensor): Promise<Float32Array> {
    const { buffer, bytes } = bind(t);
    return new Float32Array(await this.gpu.read(buffer, bytes));
  }

  copy(src: Tensor, dst: Tensor): void {
    this.gpu.copy(bind(src).buffer, bind(dst).buffer, bind(dst).bytes);
  }

  /**
   * A small upload of host numbers (labels, class weights), reclaimed like a tensor. Its buffer
   * may go back to the pool before the kernel reading it runs: whoever takes it next records
   * its clear after that kernel, and the queue runs commands in order.
   */
  private upload(values: Int32Array | Float32Array): Binding {
    const storage = { buffer: this.gpu.buffer(Math.max(1, values.length) * 4) };
    this.gpu.reclaim.register(storage, storage.buffer);
    this.gpu.upload(storage.buffer, values);
    return { buffer: storage.buffer, bytes: Math.max(1, values.length) * 4 };
  }

  private product(a: Binding, b: Binding, c: Binding, bias: Binding | null, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate: boolean, act = 0): void {
    const params = [m, k, n, +transA, +transB, +accumulate, bias ? 1 : 0, act];
    this.gpu.dispatch(MATMUL, [a, b, c, bias], params, gemmGrid(m, n));
  }

  matmul(a: Matrix, b: Matrix, c: Matrix, transA: boolean, transB: boolean, accumulate: boolean): void {
    this.product(bind(a), bind(b), bind(c), null, c.rows, transA ? a.rows : a.cols, c.cols, transA, transB, accumulate);
  }

  denseForward({ x, weight, bias, z, y, activation }: DenseForwardArgs): void {
    // In place (z is y: relu, leaky relu, linear) the activation is applied as each sum is stored.
    const fused = z === y && activation !== "softmax";
    this.product(bind(x), bind(weight), bind(z), bind(bias), x.rows, x.cols, weight.cols, false, false, false, fused ? ACTIVATION_CODES[activation] : 0);
    if (!fused) this.activate(z, y, activation);
  }

  denseBackward({ x, weight, z, y, dy, dz, dWeight, dBias, dx, activation }: DenseBackwardArgs): void {
    this.activationBackward(z, y, dy, dz, activation);
    if (dWeight) this.product(bind(x), bind(dz), bind(dWeight), null, x.cols, x.rows, dz.cols, true, false, false);
    if (dBias) this.gpu.dispatch1d(COLUMN_SUMS, [bind(dz), bind(dBias)], [dz.rows, dz.cols], dz.cols);
    if (dx) this.product(bind(dz), bind(weight), bind(dx), null, dz.rows, dz.cols, weight.rows, false, true, false);
  }

  activate(z: Matrix, y: Matrix, activation: Activation): void {
    const inPlace = bind(z).buffer === bind(y).buffer;
    const input = inPlace ? null : bind(z);
    if (activation === "softmax") this.gpu.dispatch1d(SOFTMAX, [input, bind(y)], [z.rows, z.cols, +inPlace], z.rows);
    else this.gpu.dispatch1d(ACTIVATE, [input, bind(y)], [z.rows * z.cols, ACTIVATION_CODES[activation], +inPlace], z.rows * z.cols);
  }

  activationBackward(z: Matrix, y: Matrix, dy: Matrix, dz: Matrix, activation: Activation): void {
    if (activation === "softmax") this.gpu.dispatch1d(SOFTMAX_BACKWARD, [bind(y), bind(dy), bind(dz)], [z.rows, z.cols], z.rows);
    else this.gpu.dispatch1d(ACTIVATION_BACKWARD, [bind(z), bind(y), bind(dy), bind(dz)], [z.rows * z.cols, ACTIVATION_CODES[activation]], z.rows * z.cols);
  }

  convForward({ x, weight, bias, y, geometry, activation = "linear" }: ConvForwardArgs): void {
    const activated = window.convForward(this.gpu, bind(x), bind(weight), bind(bias), bind(y), geometry, bias.rows, ACTIVATION_CODES[activation]);
    if (!activated && activation !== "linear") this.activate(y, y, activation);
  }

  convBackward({ x, weight, dy, dWeight, dBias, dx, geometry }: ConvBackwardArgs): void {
    const filters = weight.shape[weight.shape.length - 1];
    window.convBackward(this.gpu, bind(x), bind(weight), bind(dy), dWeight ? bind(dWeight) : null, dBias ? bind(dBias) : null, dx ? bind(dx) : null, geometry, filters);
  }

  maxPoolForward(x: Tensor, y: Tensor, geometry: WindowGeometry): void {
    window.maxPoolForward(this.gpu, bind(x), bind(y), geometry);
  }

  maxPoolBackward(x: Tensor, dy: Tensor, dx: Tensor, geometry: WindowGeometry): void {
    window.maxPoolBackward(this.gpu, bind(x), bind(dy), bind(dx), geometry);
  }

  avgPoolForward(x: Tensor, y: Tensor, geometry: WindowGeometry): void {
    window.avgPoolForward(this.gpu, bind(x), bind(y), geometry);
  }

  avgPoolBackward(dy: Tensor, dx: Tensor, geometry: WindowGeometry): void {
    window.avgPoolBackward(this.gpu, bind(dy), bind(dx), geometry);
  }

  batchNormForward(a: BatchNormArgs): void {
    window.batchNormForward(this.gpu, {
      ...a,
      x: bind(a.x),
      rows: a.x.rows,
      channels: a.x.cols,
      gamma: bind(a.gamma),
      beta: bind(a.beta),
      runningMean: bind(a.runningMean),
      runningVar: bind(a.runningVar),
      mean: bind(a.mean),
      invStd: bind(a.invStd),
      y: bind(a.y),
    });
  }

  batchNormBackward(a: BatchNormBackwardArgs): void {
    window.batchNormBackward(this.gpu, {
      x: bind(a.x),
      rows: a.x.rows,
      channels: a.x.cols,
      gamma: bind(a.gamma),
      mean: bind(a.mean),
      invStd: bind(a.invStd),
      dy: bind(a.dy),
      dx: a.dx ? bind(a.dx) : null,
      dGamma: a.dGamma ? bind(a.dGamma) : null,
      dBeta: a.dBeta ? bind(a.dBeta) : null,
      training: a.training,
    });
  }

  private elementwise(op: number, inputs: (Tensor | null)[], mask: Tensor | null, out: Tensor, word: number, value: number, at: number): void {
    const size = out.rows * out.cols;
    const bound = inputs.map((t) => (t ? bind(t) : null));
    this.gpu.dispatch1d(ELEMENTWISE, [...bound, mask ? bind(mask) : null, bind(out)], [size, out.cols, op, word, f32(value), at], size);
  }

  standardize(x: Matrix, mean: Tensor, std: Tensor, y: Matrix): void {
    this.elementwise(0, [x, mean, std], null, y, 0, 0, 0);
  }

  standardizeBackward(dy: Matrix, std: Tensor, dx: Matrix): void {
    this.elementwise(1, [dy, null, std], null, dx, 0, 0, 0);
  }

  dropout(x: Matrix, mask: Matrix, y: Matrix, rate: number, seed: number): void {
    const bound = Math.min(0xffffffff, Math.ceil(rate * 4294967296));
    this.elementwise(4, [x, null, null], mask, y, seed >>> 0, 1 / (1 - rate), bound);
  }

  multiply(a: Matrix, b: Matrix, out: Matrix): void {
    this.elementwise(2, [a, b, null], null, out, 0, 0, 0);
  }

  private loss(
    kind: number,
    x: Matrix,
    labels: Int32Array | null,
    weights: Float32Array | null,
    targets: Matrix | null,
    dx: Matrix | null,
    out: Tensor,
    at: number,
    value: number,
  ): void {
    const l = labels ? this.upload(labels) : null;
    const w = weights ? this.upload(weights) : null;
    this.gpu.dispatch(LOSS, [bind(x), l, w, targets ? bind(targets) : null, dx ? bind(dx) : null, bind(out)], [x.rows, x.cols, kind, weights ? 1 : 0, at, f32(value)], [1, 1, 1]);
  }

  softmaxCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, at: number): void {
    this.loss(0, logits, labels, classWeights, null, dLogits, out, at, 0);
  }

  binaryCrossEntropy(logits: Matrix, labels: Int32Array, classWeights: Float32Array | null, dLogits: Matrix, out: Tensor, at: number): void {
    this.loss(1, logits, labels, classWeights, null, dLogits, out, at, 0);
  }

  meanSquaredError(prediction: Matrix, targets: Matrix, dPrediction: Matrix, out: Tensor, at: number): void {
    this.loss(2, prediction, null, null, targets, dPrediction, out, at, 0);
  }

  huberLoss(prediction: Matrix, targets: Matrix, delta: number, dPrediction: Matrix, out: Tensor, at: number): void {
    this.loss(3, prediction, null, null, targets, dPrediction, out, at, delta);
  }

  countCorrect(scores: Matrix, labels: Int32Array, threshold: number, out: Tensor, at: number): void {
    this.loss(4, scores, labels, null, null, null, out, at, threshold);
  }

  sumOfSquares(m: Tensor, out: Tensor, at: number, accumulate: boolean): void {
    this.gpu.dispatch(SUM_OF_SQUARES, [bind(m), bind(out)], [m.rows * m.cols, at, +accumulate], [1, 1, 1]);
  }

  scale(m: Tensor, factor: number): void {
    this.elementwise(3, [null, null, null], null, m, 0, factor, 0);
  }

  clipToNorm(m: Tensor, sumOfSquares: Tensor, at: number, maxNorm: number): void {
    this.elementwise(5, [null, sumOfSquares, null], null, m, 0, maxNorm, at);
  }

  sgdStep(param: Tensor, grad: Tensor, velocity: Tensor | null, { lr, momentum, nesterov, weightDecay }: SgdArgs): void {
    this.step(param, grad, velocity ? bind(velocity) : null, null, [0, velocity ? 1 : 0, +nesterov, 0], [lr, momentum, weightDecay, 0, 0, 0, 0, 0]);
  }

  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, args: AdamArgs): void {
    const { lr, beta1, beta2, epsilon, weightDecay, decoupled, step } = args;
    const stepSize = lr / (1 - beta1 ** step);
    this.step(param, grad, bind(m), bind(v), [1, 0, 0, +decoupled], [lr, 0, weightDecay, beta1, beta2, epsilon, stepSize, Math.sqrt(1 - beta2 ** step)]);
  }

  private step(param: Tensor, grad: Tensor, m: Binding | null, v: Binding | null, flags: number[], floats: number[]): void {
    const size = param.rows * param.cols;
    this.gpu.dispatch1d(OPTIMIZER, [bind(param), bind(grad), m, v], [size, ...flags, ...floats.map(f32)], size);
  }
}
