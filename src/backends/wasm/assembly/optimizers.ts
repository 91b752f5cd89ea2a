// Optimizer steps, in place and vectorised: every parameter, gradient and state array is updated
// in one pass without leaving the module.

@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// step = grad + wd * p; with momentum v = momentum * v + step and step = v (or step + momentum * v
// for Nesterov); p -= lr * step. velocity 0 means plain SGD.
export function sgdStep(p: usize, g: usize, velocity: usize, count: i32, lr: f32, momentum: f32, nesterov: bool, weightDecay: f32): void {
  const vlr = f32x4.splat(-lr);
  const vm = f32x4.splat(momentum);
  const vwd = f32x4.splat(weightDecay);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = <usize>i << 2;
    const param = v128.load(p + at);
    let step = fma(vwd, param, v128.load(g + at));
    if (velocity != 0) {
      const v = fma(vm, v128.load(velocity + at), step);
      v128.store(velocity + at, v);
      step = nesterov ? fma(vm, v, step) : v;
    }
    v128.store(p + at, fma(vlr, step, param));
  }
  for (; i < count; i++) {
    const at = <usize>i << 2;
    const param = load<f32>(p + at);
    let step = load<f32>(g + at) + weightDecay * param;
    if (velocity != 0) {
      const v = momentum * load<f32>(velocity + at) + step;
      store<f32>(velocity + at, v);
      step = nesterov ? step + momentum * v : v;
    }
    store<f32>(p + at, param - lr * step);
  }
}

// Adam (decoupled: AdamW). stepSize = lr / (1 - beta1^t), sqrtCorrection2 = sqrt(1 - beta2^t).
export function adamStep(
  p: usize, g: usize, m: usize, v: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, epsilon: f32, weightDecay: f32, decoupled: bool,
  stepSize: f32, sqrtCorrection2: f32,
): void {
  const shrink = f32x4.splat(decoupled ? 1 - lr * weightDecay : 1);
  const wd = f32x4.splat(decoupled ? 0 : weightDecay);
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const eps = f32x4.splat(epsilon);
  const minusStep = f32x4.splat(-stepSize);
  const invCorrection = f32x4.splat(1 / sqrtCorrection2);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = <usize>i << 2;
    const param = f32x4.mul(v128.load(p + at), shrink);
    const grad = fma(wd, v128.load(p + at), v128.load(g + at));
    const mi = fma(b1, v128.load(m + at), f32x4.mul(c1, grad));
    const vi = fma(b2, v128.load(v + at), f32x4.mul(c2, f32x4.mul(grad, grad)));
    v128.store(m + at, mi);
    v128.store(v + at, vi);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), invCorrection), eps);
    v128.store(p + at, fma(minusStep, f32x4.div(mi, denom), param));
  }
  for (; i < count; i++) {
    const at = <usize>i << 2;
    let param = load<f32>(p + at);
    let grad = load<f32>(g + at);
    if (decoupled) param *= 1 - lr * weightDecay;
    else grad += weightDecay * param;
    const mi = beta1 * load<f32>(m + at) + (1 - beta1) * grad;
    const vi = beta2 * load<f32>(v + at) + (1 - beta2) * grad * grad;
    store<f32>(m + at, mi);
    store<f32>(v + at, vi);
    store<f32>(p + at, param - stepSize * mi / (Mathf.sqrt(vi) / sqrtCorrection2 + epsilon));
  }
}
