import type { Backend } from "../backends/backend.js";
import { check } from "../errors.js";
import type { Param } from "../layers/layer.js";
import { Adam } from "./adam.js";
import { Sgd } from "./sgd.js";

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
}

/**
 * @example createOptimizer(backend, { name: "nesterov" }).name // "nesterov"
 */
export function createOptimizer(backend: Backend, options: OptimizerOptions = {}): Optimizer {
  const name = options.name ?? "adam";
  check((OPTIMIZERS as readonly string[]).includes(name), `unknown optimizer "${name}": expected one of ${OPTIMIZERS.join(", ")}`);
  const weightDecay = options.weightDecay ?? (name === "adamw" ? 0.01 : 0);
  check(weightDecay >= 0, `weight decay must be >= 0, got ${weightDecay}`);
  switch (name) {
    case "sgd":
      return new Sgd(backend, name, 0, false, weightDecay);
    case "momentum":
    case "nesterov":
      return new Sgd(backend, name, options.momentum ?? 0.9, name === "nesterov", weightDecay);
    case "adam":
    case "adamw":
      return new Adam(backend, name, {
        beta1: options.beta1 ?? 0.9,
        beta2: options.beta2 ?? 0.999,
        epsilon: options.epsilon ?? 1e-8,
        weightDecay,
        decoupled: name === "adamw",
      });
  }
}
