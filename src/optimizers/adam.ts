import type { Backend } from "../backends/backend.js";
import type { Param, Tensor } from "../tensor/tensor.js";
import type { Optimizer, OptimizerName, OptimizerState } from "./optimizer.js";

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
  private readonly moments = new Map<Param, { m: Tensor; v: Tensor }>();
  private steps = 0;

  constructor(
    private readonly backend: Backend,
    readonly name: OptimizerName,
    private readonly settings: AdamSettings,
  ) {}

  step(params: Param[], lr: number): void {
    this.steps++;
    const args = { ...this.settings, lr, step: this.steps };
    for (const p of params) {
      const { m, v } = this.momentsOf(p);
      this.backend.adamStep(p.value, p.grad, m, v, args);
    }
  }

  state(params: Param[]): OptimizerState {
    return { steps: this.steps, tensors: params.flatMap((p) => Object.values(this.momentsOf(p))) };
  }

  setState(params: Param[], state: { steps: number; values: ArrayLike<number>[] }): void {
    this.steps = state.steps;
    this.state(params).tensors.forEach((t, i) => this.backend.write(t, state.values[i]));
  }

  private momentsOf(p: Param): { m: Tensor; v: Tensor } {
    let state = this.moments.get(p);
    if (!state) {
      state = { m: this.backend.tensor(p.value.shape), v: this.backend.tensor(p.value.shape) };
      this.moments.set(p, state);
    }
    return state;
  }
}
