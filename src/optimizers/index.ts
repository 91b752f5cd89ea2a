import type { Backend } from "../backends/backend.js";
import { check } from "../errors.js";
import { Adam } from "./adam.js";
import { OPTIMIZERS, type Optimizer, type OptimizerOptions } from "./optimizer.js";
import { Sgd } from "./sgd.js";

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

export { OPTIMIZERS, type Optimizer, type OptimizerName, type OptimizerOptions } from "./optimizer.js";
export { learningRate, type Schedule } from "./schedule.js";
export { clipGradients, gradientNormSquared } from "./clip.js";
