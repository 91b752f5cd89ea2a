import { Random } from "../tensor/random.js";
import { inRuns, type Job, type MethodResult } from "./job.js";

/**
 * Saliency: |d f / d x_j| at the input. Says where the answer is sensitive, not which way.
 * All inputs go through one batched backward pass (chunked by the probe).
 */
export function saliency(job: Job): MethodResult {
  const gradients = job.probe.allGradients(job.inputs, job.rows, job.labels);
  for (let i = 0; i < gradients.length; i++) gradients[i] = Math.abs(gradients[i]);
  return { attributions: gradients, playerValues: null, baselineOutputs: null, steps: 1 };
}

/**
 * Gradient x input: (x_j - baseline_j) * d f / d x_j at the input. For a linear model this is
 * exactly each feature's share of f(x) - f(baseline); elsewhere a first-order estimate of it.
 */
export function gradientTimesInput(job: Job): MethodResult {
  const gradients = job.probe.allGradients(job.inputs, job.rows, job.labels);
  const features = job.probe.features;
  for (let i = 0; i < gradients.length; i++) gradients[i] *= job.inputs[i] - job.baseline[i % features];
  return { attributions: gradients, playerValues: null, baselineOutputs: null, steps: 1 };
}

export interface SmoothGradOptions {
  samples: number;
  /** Noise standard deviation as a fraction of each input's range (max - min; 1 for a constant row). */
  noise: number;
  seed: number;
}

/**
 * SmoothGrad: the mean gradient d f / d x over `samples` copies of the input with Gaussian noise
 * added to every feature. Each input draws its noise from a fresh Random(seed), so an input gets
 * the same answer alone or in a batch. The noisy copies of several inputs share batches.
 */
export function smoothGrad(job: Job, options: SmoothGradOptions): MethodResult {
  const { probe, inputs, rows, labels } = job;
  const { samples } = options;
  const features = probe.features;
  const attributions = new Float64Array(rows * features);
  const perRun = Math.max(1, Math.floor(probe.chunkRows / samples));
  inRuns(rows, perRun, (first, count) => {
    const noisy = new Float64Array(count * samples * features);
    const runLabels = new Int32Array(count * samples);
    for (let r = 0; r < count; r++) {
      const x = inputs.subarray((first + r) * features, (first + r + 1) * features);
      const random = new Random(options.seed);
      const std = options.noise * rangeOf(x);
      for (let s = 0; s < samples; s++) {
        const row = (r * samples + s) * features;
        for (let j = 0; j < features; j++) noisy[row + j] = x[j] + std * random.normal();
        runLabels[r * samples + s] = labels[first + r];
      }
    }
    probe.gradients(noisy, count * samples, runLabels, (start, rowsInChunk, gradients) => {
      for (let k = 0; k < rowsInChunk; k++) {
        const out = (first + Math.floor((start + k) / samples)) * features;
        const row = k * features;
        for (let j = 0; j < features; j++) attributions[out + j] += gradients[row + j] / samples;
      }
    });
  });
  return { attributions, playerValues: null, baselineOutputs: null, steps: samples };
}

/** max - min of a row, or 1 when every feature has the same value. */
function rangeOf(x: Float32Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return max > min ? max - min : 1;
}
