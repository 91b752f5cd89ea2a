import { matrixOf, sizeOf, type Shape, type Tensor } from "../../tensor/tensor.js";

/** A tensor living in the wasm memory: `offset` is its first byte. */
export class WasmTensor implements Tensor {
  readonly rows: number;
  readonly cols: number;

  constructor(
    readonly shape: Shape,
    readonly offset: number,
    /** The tensor a view was taken from, kept alive while the view is. */
    readonly parent: WasmTensor | null = null,
  ) {
    ({ rows: this.rows, cols: this.cols } = matrixOf(shape));
  }
}

const ALIGN = 64; // bytes: a cache line, and a multiple of the 16 bytes a v128 load wants
const PAGE = 65536;

/**
 * Hands out regions of one WebAssembly.Memory. Regions are never freed by hand: when a tensor
 * object is garbage collected its region goes back to a free list for its size, so callers
 * never dispose anything and steady-state training allocates nothing new.
 */
export class Heap {
  private top: number;
  private readonly free = new Map<number, number[]>();
  private readonly reclaim = new FinalizationRegistry<{ offset: number; bytes: number }>(({ offset, bytes }) => {
    let list = this.free.get(bytes);
    if (!list) {
      list = [];
      this.free.set(bytes, list);
    }
    list.push(offset);
  });
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = roundUp(base, ALIGN);
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /**
   * A zero-filled region of `bytes` bytes that is never reclaimed (scratch, control blocks). It
   * comes from above `top`, which no region has reached before, and WebAssembly memory starts
   * (and grows) zeroed: nothing needs filling (a 100 MB layer's four tensors took 0.2 s to fill).
   */
  reserve(bytes: number): number {
    const size = roundUp(Math.max(bytes, 4), ALIGN);
    const offset = this.top;
    this.top += size;
    this.ensure(this.top);
    return offset;
  }

  tensor(shape: Shape): WasmTensor {
    const bytes = roundUp(Math.max(sizeOf(shape) * 4, 4), ALIGN);
    const reused = this.free.get(bytes)?.pop();
    const offset = reused ?? this.reserve(bytes);
    if (reused !== undefined) this.f32().fill(0, offset >>> 2, (offset + bytes) >>> 2);
    const m = new WasmTensor([...shape], offset);
    this.reclaim.register(m, { offset, bytes });
    return m;
  }

  /** Float32 view of the whole memory, renewed after the memory grows. */
  f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer || this.f32View.byteLength !== this.memory.buffer.byteLength) {
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return this.f32View;
  }

  i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer || this.i32View.byteLength !== this.memory.buffer.byteLength) {
      this.i32View = new Int32Array(this.memory.buffer);
    }
    return this.i32View;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
