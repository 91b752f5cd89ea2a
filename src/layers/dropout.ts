import type { Backend } from "../backends/backend.js";
import type { Matrix } from "../tensor/matrix.js";
import type { Random } from "../tensor/random.js";
import { Scratch, type Layer, type LayerSpec, type Param } from "./layer.js";

/**
 * Dropout: while training, zero each input with probability `rate` and scale the survivors by
 * 1/(1-rate) so the expected sum is unchanged; at prediction time, pass inputs through.
 */
export class Dropout implements Layer {
  readonly spec: LayerSpec;
  private readonly scratch: Scratch;
  private mask: Matrix | null = null;

  constructor(private readonly backend: Backend, readonly outputs: number, readonly rate: number) {
    this.spec = { type: "dropout", rate };
    this.scratch = new Scratch(backend);
  }

  forward(x: Matrix, training: boolean, random: Random): Matrix {
    if (!training || this.rate === 0) {
      this.mask = null;
      return x;
    }
    this.mask = this.scratch.get("mask", x.rows, x.cols);
    const y = this.scratch.get("y", x.rows, x.cols);
    this.backend.dropout(x, this.mask, y, this.rate, random.nextUint32());
    return y;
  }

  backward(dy: Matrix, needInputGradient: boolean): Matrix | null {
    if (!needInputGradient) return null;
    if (!this.mask) return dy;
    const dx = this.scratch.get("dx", dy.rows, dy.cols);
    this.backend.multiply(dy, this.mask, dx);
    return dx;
  }

  params(): Param[] {
    return [];
  }
}
