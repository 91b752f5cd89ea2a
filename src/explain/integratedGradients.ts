import { inRuns, type Job, type MethodResult } from "./job.js";

/**
 * Integrated gradients: attribution_j = (x_j - baseline_j) * the integral over alpha in [0, 1] of
 * d f / d x_j at baseline + alpha (x - baseline), the straight path from the baseline to x.
 *
 * The integral is a `steps`-point Gauss-Legendre rule: weighted gradients at the roots of the
 * Legendre polynomial, mapped to [0, 1]. On a smooth network (tanh, gelu, sigmoid, and the
 * softmax on top) it is far more accurate than a Riemann sum with as many points: on a trained
 * 8-32-16-3 gelu MLP with 64 steps, |delta| stays below 1e-4 where the midpoint rule misses 1e-3
 * on a fifth of the inputs. Where the path crosses ReLU kinks no fixed rule converges faster
 * than 1/steps; Gauss-Legendre then does about as well as the midpoint rule. Its nodes are
 * symmetric about 1/2 and never land on 0 or 1 (nor on 1/2 for an even number of steps), where
 * ReLU paths often have their kinks. Explanation.delta reports the error left.
 *
 * All steps of an input are ONE batch through forward and backward; several inputs share a
 * batch (up to the probe's chunk size). The batch is a mixture of the baseline and the inputs,
 * so the network's affine bottom layers see only those points (Network.summedInputGradientOf).
 */
export function integratedGradients(job: Job, steps: number): MethodResult {
  const { probe, inputs, rows, labels, baseline } = job;
  const features = probe.features;
  const attributions = new Float64Array(rows * features);
  const { nodes, weights } = gaussLegendre(steps);
  const perRun = Math.max(1, Math.floor(probe.chunkRows / steps));
  inRuns(rows, perRun, (first, count) => {
    // The run's rows as a mixture of count + 1 points, the baseline then the inputs: row
    // (r, i) = (1 - alpha_i) baseline + alpha_i input r. Its gradient is summed with weight w_i.
    const points = probe.buffer((count + 1) * features);
    points.set(baseline);
    points.set(inputs.subarray(first * features, (first + count) * features), features);
    const n = count * steps;
    const mix = new Float64Array(n * (count + 1));
    const sums = new Float64Array(n * count);
    const pathLabels = new Int32Array(n);
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < steps; i++) {
        const row = r * steps + i;
        mix[row * (count + 1)] = 1 - nodes[i];
        mix[row * (count + 1) + 1 + r] = nodes[i];
        sums[row * count + r] = weights[i];
        pathLabels[row] = labels[first + r];
      }
    }
    const summed = probe.summedGradients({ points, count: count + 1, weights: mix }, n, pathLabels, sums, count);
    for (let r = 0; r < count; r++) {
      const out = (first + r) * features;
      for (let j = 0; j < features; j++) attributions[out + j] = summed[r * features + j] * (inputs[out + j] - baseline[j]);
    }
  });
  return { attributions, playerValues: null, baselineOutputs: null, steps };
}

const rules = new Map<number, { nodes: Float64Array; weights: Float64Array }>();

/**
 * The n-point Gauss-Legendre rule on [0, 1]: nodes (ascending) and weights (summing to 1) with
 * sum w_i g(t_i) exact for polynomials g up to degree 2n - 1. Roots of the Legendre polynomial
 * P_n by Newton's method from the estimate cos(pi (i + 3/4) / (n + 1/2)), P_n and its derivative
 * from the three-term recurrence k P_k = (2k - 1) t P_(k-1) - (k - 1) P_(k-2). Cached per n.
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  let rule = rules.get(n);
  if (rule) return rule;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let slope = 1;
    for (let iteration = 0; iteration < 100; iteration++) {
      let previous = 1;
      let current = t;
      for (let k = 2; k <= n; k++) [previous, current] = [current, ((2 * k - 1) * t * current - (k - 1) * previous) / k];
      slope = n === 1 ? 1 : (n * (t * current - previous)) / (t * t - 1);
      const step = current / slope;
      t -= step;
      if (Math.abs(step) <= 1e-15) break;
    }
    // t runs from near 1 down to near -1; alpha = (1 - t) / 2 runs up from 0 to 1.
    nodes[i] = (1 - t) / 2;
    weights[i] = 1 / ((1 - t * t) * slope * slope);
  }
  rule = { nodes, weights };
  rules.set(n, rule);
  return rule;
}
