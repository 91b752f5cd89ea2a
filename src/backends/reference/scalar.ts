import { sigmoid } from "../../tensor/scalar.js";
import { LEAKY_RELU_SLOPE, type Activation } from "../backend.js";

export { sigmoid };

/** Element-wise activations and their derivatives, in float64: the definitions every backend must match. */

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Standard normal cumulative distribution Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

/** GELU, exact form z·Φ(z). */
export function gelu(z: number): number {
  return z * normalCdf(z);
}

export function geluDerivative(z: number): number {
  return normalCdf(z) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** y = f(z) for every element-wise activation (softmax works on rows: see the backend). */
export function activateScalar(activation: Activation, z: number): number {
  switch (activation) {
    case "linear":
      return z;
    case "relu":
      return Math.max(z, 0); // NaN stays NaN, as in the wasm kernels
    case "leaky_relu":
      return z > 0 ? z : LEAKY_RELU_SLOPE * z;
    case "sigmoid":
      return sigmoid(z);
    case "tanh":
      return Math.tanh(z);
    case "gelu":
      return gelu(z);
    case "softmax":
      throw new Error("softmax is a row-wise activation");
  }
}

/** f'(z), given both z and y = f(z) (whichever is cheaper to use). */
export function derivativeScalar(activation: Activation, z: number, y: number): number {
  switch (activation) {
    case "linear":
      return 1;
    case "relu":
      return z > 0 ? 1 : 0;
    case "leaky_relu":
      return z > 0 ? 1 : LEAKY_RELU_SLOPE;
    case "sigmoid":
      return y * (1 - y);
    case "tanh":
      return 1 - y * y;
    case "gelu":
      return geluDerivative(z);
    case "softmax":
      throw new Error("softmax is a row-wise activation");
  }
}

/** Error function to about 1e-14: power series near 0, continued fraction in the tails. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 2.5) return erfSeries(x);
  return Math.sign(x) * (1 - erfcTail(a));
}

/** Complementary error function 1 - erf(x), accurate in the right tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2.5) return erfcTail(x);
  if (x <= -2.5) return 2 - erfcTail(-x);
  return 1 - erfSeries(x);
}

// erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x; // (-1)^n x^(2n+1) / n!
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return sum * (2 / Math.sqrt(Math.PI));
}

// erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) for x >= 2.5
function erfcTail(x: number): number {
  let f = x;
  for (let n = 80; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}
