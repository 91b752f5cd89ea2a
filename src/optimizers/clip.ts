import type { Backend } from "../backends/backend.js";
import type { Param } from "../layers/layer.js";

/** The L2 norm of all gradients together (non-finite when any gradient is). */
export function gradientNorm(backend: Backend, params: Param[]): number {
  return Math.sqrt(params.reduce((sum, p) => sum + backend.sumOfSquares(p.grad), 0));
}

/**
 * Scales every gradient by maxNorm / (norm + 1e-6) when the global norm exceeds maxNorm, as
 * PyTorch's clip_grad_norm_ does. `norm` is gradientNorm(params), computed once by the caller.
 */
export function clipGradients(backend: Backend, params: Param[], norm: number, maxNorm: number): void {
  const factor = maxNorm / (norm + 1e-6);
  if (factor >= 1) return;
  for (const p of params) backend.scale(p.grad, factor);
}
