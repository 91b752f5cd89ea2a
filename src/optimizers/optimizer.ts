import type { Param, Tensor } from "../tensor/tensor.js";

export const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adam", "adamw"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerOptions {
  /** Default "adam". */
  name?: OptimizerName;
  /** Momentum for "momentum" and "nesterov". Default 0.9. */
  momentum?: number;
  /** L2 weight decay (added to the gradient), or for AdamW the decoupled decay. Default 0 (AdamW: 0.01). */
  weightDecay?: number;
  /** Adam's moment decay rates and epsilon. Defaults 0.9, 0.999, 1e-8. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Updates parameters from their gradients; keeps its own state (velocities, moments) per parameter. */
export interface Optimizer {
  readonly name: OptimizerName;
  step(params: Param[], lr: number): void;
  /** What the optimizer carries between steps for `params` (its tensors, in order, and its step count), for a checkpoint. */
  state(params: Param[]): OptimizerState;
  /** Takes up a state `state(params)` gave, for the same params. */
  setState(params: Param[], state: { steps: number; values: ArrayLike<number>[] }): void;
}

/** An optimizer's tensors (Adam: m then v of each param; SGD with momentum: each velocity) and steps taken. */
export interface OptimizerState {
  steps: number;
  tensors: Tensor[];
}
