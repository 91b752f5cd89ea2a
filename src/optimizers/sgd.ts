import type { Backend } from "../backends/backend.js";
import type { Param, Tensor } from "../tensor/tensor.js";
import type { Optimizer, OptimizerName, OptimizerState } from "./optimizer.js";

/**
 * Stochastic gradient descent: param -= lr * grad. With momentum the step follows a velocity
 * v = momentum * v + grad; Nesterov looks one step ahead: step = grad + momentum * v.
 */
export class Sgd implements Optimizer {
  private readonly velocity = new Map<Param, Tensor>();

  constructor(
    private readonly backend: Backend,
    readonly name: OptimizerName,
    private readonly momentum: number,
    private readonly nesterov: boolean,
    private readonly weightDecay: number,
  ) {}

  step(params: Param[], lr: number): void {
    const args = { lr, momentum: this.momentum, nesterov: this.nesterov, weightDecay: this.weightDecay };
    for (const p of params) this.backend.sgdStep(p.value, p.grad, this.momentum > 0 ? this.velocityOf(p) : null, args);
  }

  state(params: Param[]): OptimizerState {
    return { steps: 0, tensors: this.momentum > 0 ? params.map((p) => this.velocityOf(p)) : [] };
  }

  setState(params: Param[], state: { steps: number; values: ArrayLike<number>[] }): void {
    this.state(params).tensors.forEach((t, i) => this.backend.write(t, state.values[i]));
  }

  private velocityOf(p: Param): Tensor {
    let v = this.velocity.get(p);
    if (!v) {
      v = this.backend.tensor(p.value.shape);
      this.velocity.set(p, v);
    }
    return v;
  }
}
