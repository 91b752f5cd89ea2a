import type { Backend } from "../backends/backend.js";
import type { Param } from "../layers/layer.js";
import type { Matrix } from "../tensor/matrix.js";
import type { Optimizer, OptimizerName } from "./optimizer.js";

export interface AdamSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  decoupled: boolean;
}

/**
 * Adam: steps by a running mean of gradients (m) over the root of a running mean of their
 * squares (v), both bias-corrected. AdamW shrinks the weights directly instead of adding
 * weightDecay * param to the gradient.
 */
export class Adam implements Optimizer {
  private readonly moments = new Map<Param, { m: Matrix; v: Matrix }>();
  private steps = 0;

  constructor(private readonly backend: Backend, readonly name: OptimizerName, private readonly settings: AdamSettings) {}

  step(params: Param[], lr: number): void {
    this.steps++;
    const args = { ...this.settings, lr, step: this.steps };
    for (const p of params) {
      const { m, v } = this.momentsOf(p);
      this.backend.adamStep(p.value, p.grad, m, v, args);
    }
  }

  private momentsOf(p: Param): { m: Matrix; v: Matrix } {
    let state = this.moments.get(p);
    if (!state) {
      state = { m: this.backend.matrix(p.value.rows, p.value.cols), v: this.backend.matrix(p.value.rows, p.value.cols) };
      this.moments.set(p, state);
    }
    return state;
  }
}
