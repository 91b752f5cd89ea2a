import type { WindowGeometry } from "../backend.js";
import type { Heap, WasmTensor } from "./memory.js";
import type { KernelName } from "./pool.js";
import type { Threads } from "./split.js";

// 3x3 convolutions with stride 1 as Winograd F(2x2, 3x3) (assembly/winograd.ts): 16 multiplies
// per 2x2 output tile, channel and filter against im2col's 36, in all three products (forward,
// dWeight, dx), for 2.25x fewer multiply-adds. Its sums are the same as im2col's in exact
// arithmetic; in float32 they differ by rounding, a few units in the sixth digit (the
// conformance suite bounds it against the reference). Channels and filters must be multiples of
// 4 (the transforms take four at a time) and at least 16: with fewer, the products are too thin
// to pay for the transforms.
//
// Measured on the canonical CIFAR-10 CNN, a training step of 64 random images (forward and
// backward, every layer), two threads: 133 ms through im2col, 78 ms with Winograd; its 32 -> 64
// and 64 -> 128 convolutions went from 52 and 41 ms to 21 and 18. On one thread: 279 -> 132 ms.
//
// The batch goes through in chunks of examples whose transformed inputs and outputs hold at most
// CHUNK_FLOATS floats each (4 MiB, so that a chunk stays in cache between the transforms and
// the products: 16 MiB chunks took 5-10% longer), and classifying 10,000 images at once needs
// no more memory than a batch of 64.

const CHUNK_FLOATS = 1 << 20;
/**
 * Rows left unused after each of the 16 matrices of V, M, dM and dV. A chunk's matrices are
 * otherwise a power of two bytes apart (1024 tiles x 32 channels: 128 KiB), so the 16 rows a
 * transform writes for one tile fall in the same cache sets, and the transforms ran at 3.4-3.8
 * GB/s; one spare row: 6.0 (input) and 14.6 (output gradient).
 */
const SPARE_ROWS = 1;
/** Transforms that move fewer floats than this run on the calling thread alone. */
const PARALLEL_MIN_FLOATS = 1 << 15;

/** Whether a convolution of this geometry with `filters` filters goes through Winograd. */
export function winogradFits(g: WindowGeometry, filters: number): boolean {
  const enough = (n: number): boolean => n >= 16 && n % 4 === 0;
  return g.sizeY === 3 && g.sizeX === 3 && g.stride === 1 && enough(g.channels) && enough(filters) && g.outHeight > 0 && g.outWidth > 0;
}

interface Plan {
  tilesY: number;
  tilesX: number;
  perExample: number;
  chunk: number;
  bordered: number; // floats of one example's bordered image
}

function planOf(g: WindowGeometry, filters: number): Plan {
  const tilesY = Math.ceil(g.outHeight / 2);
  const tilesX = Math.ceil(g.outWidth / 2);
  const perExample = tilesY * tilesX;
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(CHUNK_FLOATS / (16 * perExample * Math.max(g.channels, filters)))));
  return { tilesY, tilesX, perExample, chunk, bordered: (2 * tilesY + 2) * (2 * tilesX + 2) * g.channels };
}

/** Offsets (bytes) of the convolution's tensors in the wasm memory. */
export interface WinogradTensors {
  x: number;
  weight: number;
  bias: number; // 0: none
  y: number;
}

export class Winograd {
  private readonly buffers = new Map<string, WasmTensor>();

  constructor(
    private readonly heap: Heap,
    private readonly threads: () => Threads,
  ) {}

  /** y = act(x ⊛ weight + bias), act being linear, relu or leaky relu (code `act`; others: apply after). */
  forward(t: WinogradTensors, g: WindowGeometry, filters: number, act: number): void {
    const p = planOf(g, filters);
    const c = g.channels;
    const u = this.buffer("u", 16 * c * filters);
    this.threads().kernels.winogradFilter(t.weight, u, c, filters);
    for (let n0 = 0; n0 < g.batch; n0 += p.chunk) {
      const n1 = Math.min(g.batch, n0 + p.chunk);
      const tiles = (n1 - n0) * p.perExample;
      const rows = tiles + SPARE_ROWS;
      const v = this.buffer("v", 16 * rows * c);
      const m = this.buffer("m", 16 * rows * filters);
      this.input(t.x, v, g, p, rows, n0, n1);
      this.many([v, u, m], tiles, filters, c, [c, filters, filters], false, false, [rows * c, c * filters, rows * filters]);
      const shape = [filters, g.outHeight, g.outWidth, p.tilesY, p.tilesX, rows, n0];
      this.examples("winogradOutput", [m, t.y, t.bias, act, ...shape], n0, n1, tiles * filters * 16);
    }
  }

  /** dWeight and dx (either may be 0: not wanted) of the convolution forward computed, from dy. */
  backward(t: { x: number; weight: number; dy: number; dWeight: number; dx: number }, g: WindowGeometry, filters: number): void {
    const p = planOf(g, filters);
    const c = g.channels;
    const kernels = this.threads().kernels;
    const u = this.buffer("u", 16 * c * filters); // U, then dU
    const ut = this.buffer("ut", 16 * c * filters); // Uᵀ: [filters, channels] each, for dx
    if (t.dx) {
      kernels.winogradFilter(t.weight, u, c, filters);
      kernels.transposeMany(u, ut, c, filters, 16);
    }
    for (let n0 = 0; n0 < g.batch; n0 += p.chunk) {
      const n1 = Math.min(g.batch, n0 + p.chunk);
      const tiles = (n1 - n0) * p.perExample;
      const rows = tiles + SPARE_ROWS;
      const v = this.buffer("v", 16 * rows * c);
      const dm = this.buffer("m", 16 * rows * filters);
      const shape = [filters, g.outHeight, g.outWidth, p.tilesY, p.tilesX, rows, n0];
      this.examples("winogradOutputAdjoint", [t.dy, dm, ...shape], n0, n1, tiles * filters * 16);
      if (t.dWeight) {
        // dU[ξ] (+)= V[ξ]ᵀ · dM[ξ], over the chunks.
        this.input(t.x, v, g, p, rows, n0, n1);
        this.many([v, dm, u], c, filters, tiles, [c, filters, filters], true, n0 > 0, [rows * c, rows * filters, c * filters]);
      }
      if (t.dx) {
        // dV[ξ] = dM[ξ] · U[ξ]ᵀ, into V's buffer (V is spent), then added up into dx.
        this.many([dm, ut, v], tiles, c, filters, [filters, c, c], false, false, [rows * filters, c * filters, rows * c]);
        const bordered = this.buffer("bordered", (n1 - n0) * p.bordered);
        const args = [v, bordered, t.dx, g.height, g.width, c, g.padTop, g.padLeft, p.tilesY, p.tilesX, rows, n0];
        this.examples("winogradInputAdjoint", args, n0, n1, tiles * c * 16);
      }
    }
    if (t.dWeight) kernels.winogradFilterAdjoint(u, t.dWeight, c, filters);
  }

  private input(x: number, v: number, g: WindowGeometry, p: Plan, rows: number, n0: number, n1: number): void {
    const bordered = this.buffer("bordered", (n1 - n0) * p.bordered);
    const args = [x, bordered, v, g.height, g.width, g.channels, g.padTop, g.padLeft, p.tilesY, p.tilesX, rows, n0];
    this.examples("winogradInput", args, n0, n1, rows * g.channels * 16);
  }

  /** A transform kernel over examples [n0, n1), split across threads by examples when it moves `floats` floats or more. */
  private examples(name: KernelName, args: number[], n0: number, n1: number, floats: number): void {
    const t = this.threads();
    const kernel = t.kernels[name] as (...a: number[]) => void;
    if (!t.pool || n1 - n0 < 2 || floats < PARALLEL_MIN_FLOATS) kernel(...args, n0, n1);
    else t.pool.runSlices(name, kernel, n1 - n0, 1, (from, to) => [...args, n0 + from, n0 + to]);
  }

  /** The 16 products (gemmMany), [m, n] each with depth k, split across threads by product. */
  private many([a, b, c]: number[], m: number, n: number, k: number, [lda, ldb, ldc]: number[], transA: boolean, accumulate: boolean, strides: number[]): void {
    const t = this.threads();
    const args = [a, b, c, k, lda, ldb, ldc, transA ? 1 : 0, accumulate ? 1 : 0, m, n, ...strides];
    if (!t.pool) t.kernels.gemmMany(...args, 0, 16);
    else t.pool.runSlices("gemmMany", t.kernels.gemmMany, 16, 1, (from, to) => [...args, from, to]);
  }

  /** The offset of a scratch region of at least `floats` floats kept under `name`, grown when needed. */
  private buffer(name: string, floats: number): number {
    let b = this.buffers.get(name);
    if (!b || b.rows * b.cols < floats) {
      b = this.heap.tensor([floats]);
      this.buffers.set(name, b);
    }
    return b.offset;
  }
}
