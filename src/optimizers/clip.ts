import type { Backend } from "../backends/backend.js";
import type { Param, Tensor } from "../tensor/tensor.js";

/** out[at] = the squared L2 norm of all gradients together, on the device (non-finite when any gradient is). */
export function gradientNormSquared(backend: Backend, params: Param[], out: Tensor, at: number): void {
  params.forEach((p, i) => backend.sumOfSquares(p.grad, out, at, i > 0));
}

/**
 * Scales every gradient by maxNorm / (norm + 1e-6) when the global norm exceeds maxNorm, as
 * PyTorch's clip_grad_norm_ does. The squared norm is out[at], from gradientNormSquared, so the
 * decision is taken on the device.
 */
export function clipGradients(backend: Backend, params: Param[], normSquared: Tensor, at: number, maxNorm: number): void {
  for (const p of params) backend.clipToNorm(p.grad, normSquared, at, maxNorm);
}
