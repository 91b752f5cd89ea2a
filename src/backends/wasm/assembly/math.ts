// Activation codes shared with the JavaScript side (src/backends/wasm/index.ts) and scalar math.
export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_LEAKY_RELU = 2;
export const ACT_SIGMOID = 3;
export const ACT_TANH = 4;
export const ACT_GELU = 5;
export const ACT_SOFTMAX = 6;

export const LEAKY_SLOPE: f32 = 0.01;

/** a·b + c on four lanes: one fused instruction with relaxed SIMD, a multiply and an add without. */
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

const INV_SQRT_2PI = 0.3989422804014327;

export function sigmoid(z: f64): f64 {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

// Complementary error function with fractional error below 1.2e-7 everywhere
// (Chebyshev fit of exp(z^2) erfc(z), Numerical Recipes' erfcc): ample for float32 outputs.
export function erfc(x: f64): f64 {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(z: f64): f64 {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/** Four lanes of linear, relu or leaky relu (the activations that need no transcendental). */
@inline export function activateVector(v: v128, act: i32): v128 {
  if (act == ACT_RELU) return f32x4.max(v, f32x4.splat(0));
  if (act == ACT_LEAKY_RELU) return v128.bitselect(v, f32x4.mul(v, f32x4.splat(LEAKY_SLOPE)), f32x4.gt(v, f32x4.splat(0)));
  return v;
}

export function activateScalar(act: i32, z: f64): f64 {
  if (act == ACT_RELU) return Math.max(z, 0);
  if (act == ACT_LEAKY_RELU) return z > 0 ? z : <f64>LEAKY_SLOPE * z;
  if (act == ACT_SIGMOID) return sigmoid(z);
  if (act == ACT_TANH) return Math.tanh(z);
  if (act == ACT_GELU) return z * normalCdf(z);
  return z;
}

export function derivativeScalar(act: i32, z: f64, y: f64): f64 {
  if (act == ACT_RELU) return z > 0 ? 1 : 0;
  if (act == ACT_LEAKY_RELU) return z > 0 ? 1 : <f64>LEAKY_SLOPE;
  if (act == ACT_SIGMOID) return y * (1 - y);
  if (act == ACT_TANH) return 1 - y * y;
  if (act == ACT_GELU) return normalCdf(z) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
  return 1;
}

/** The same stateless hash as src/tensor/random.ts hashUniform, as an unsigned 32-bit integer. */
export function hashBits(seed: u32, index: u32): u32 {
  let z = seed ^ (index * 0x9e3779b9);
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}
