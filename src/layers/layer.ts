import type { Activation, Backend } from "../backends/backend.js";
import type { Matrix } from "../tensor/matrix.js";
import type { Random } from "../tensor/random.js";

/** A trainable tensor and its gradient, which the backward pass overwrites. */
export interface Param {
  readonly name: string; // e.g. "layers.0.weight"
  readonly value: Matrix;
  readonly grad: Matrix;
}

/** What a layer is, as stored in the model file. */
export type LayerSpec =
  | { type: "dense"; inputs: number; units: number; activation: Activation; init?: Initializer }
  | { type: "dropout"; rate: number };

export type Initializer = "he" | "glorot";

/**
 * The layer contract: forward keeps what backward needs; backward receives d loss / d output,
 * writes the parameter gradients, and returns d loss / d input when asked.
 */
export interface Layer {
  readonly spec: LayerSpec;
  readonly outputs: number;
  forward(x: Matrix, training: boolean, random: Random): Matrix;
  backward(dy: Matrix, needInputGradient: boolean): Matrix | null;
  params(): Param[];
}

/**
 * Per-layer scratch matrices sized for the largest batch seen so far; a smaller batch gets a view
 * of the first rows. Nothing is allocated per step once the largest batch has been seen.
 */
export class Scratch {
  private readonly store = new Map<string, Matrix>();

  constructor(private readonly backend: Backend) {}

  get(name: string, rows: number, cols: number): Matrix {
    let m = this.store.get(name);
    if (!m || m.rows < rows || m.cols !== cols) {
      m = this.backend.matrix(rows, cols);
      this.store.set(name, m);
    }
    return this.backend.view(m, rows);
  }
}
