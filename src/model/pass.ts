import type { Backend } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { BatchNorm, Conv2d, type Layer, type Scratch } from "../layers/index.js";
import type { Random } from "../tensor/random.js";
import type { FloatArray, Tensor } from "../tensor/tensor.js";

/**
 * Rows given as affine mixtures of a few points: row i = sum_j weights[i * count + j] point_j,
 * each row's weights summing to 1. A straight path's rows are mixtures of its two ends, (1 - t)
 * baseline + t input, which is how integrated gradients and conductance ask for them.
 */
export interface Mixture {
  /** [count, ...inputShape] raw. */
  points: FloatArray;
  count: number;
  /** [rows, count]. */
  weights: ArrayLike<number>;
}

/** One stretch of layers as a prediction-time pass runs it: one layer, or a convolution with its batch norm folded in. */
interface Step {
  first: number;
  last: number;
  /** An affine map of its input (no activation, no max): mixtures pass through it unchanged. */
  affine: boolean;
  forward(x: Tensor): Tensor;
  backward(dy: Tensor): Tensor;
}

/** The batch norm right after layer i when it is a convolution's (inference then folds the two into one product). */
export function foldedNorm(layers: readonly Layer[], i: number): BatchNorm | null {
  const next = layers[i + 1];
  return layers[i] instanceof Conv2d && next instanceof BatchNorm ? next : null;
}

/**
 * The layers at prediction time, forward and back for the gradients of activations only (what
 * explanations read). Two shortcuts, both exact up to float rounding:
 *
 * - A convolution and the batch norm after it run as one convolution with the batch norm folded
 *   in, forward and back: at prediction time a batch norm is a per-channel affine map, so the
 *   folded product has the same outputs and the same input gradient. On the CIFAR-10 network
 *   the batch norms took 18% of an explanation pass.
 * - Rows given as a Mixture go through the affine layers at the bottom of the network (the
 *   prefix: standardisation, the first convolution and its batch norm) as their few points,
 *   then are mixed: an affine map keeps affine mixtures. Gradients summed over such rows with
 *   fixed weights are pulled back through the prefix once, summed: its Jacobian is the same
 *   everywhere. Integrated gradients at 64 steps then run the first convolution on 2 rows and
 *   its gradient on 1, where they ran both on 64.
 *
 * `keep` is the layer whose output the caller reads: no step folds across it.
 */
export class PredictionPass {
  private readonly steps: Step[] = [];

  constructor(
    layers: readonly Layer[],
    private readonly backend: Backend,
    private readonly scratch: Scratch,
    random: Random,
    keep: number,
  ) {
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const norm = i === keep ? null : foldedNorm(layers, i);
      if (norm && layer instanceof Conv2d) {
        let weight: Tensor | null = null;
        this.steps.push({
          first: i,
          last: i + 1,
          affine: true,
          forward: (x) => {
            const folded = norm.folded(layer.weight.value, layer.bias.value);
            weight = folded.weight;
            return layer.forwardWith(x, folded.weight, folded.bias, "linear");
          },
          backward: (dy) => gradientOrThrow(layer.backward(dy, true, false, weight ?? undefined)),
        });
        i++;
        continue;
      }
      const d = layer.describe();
      this.steps.push({
        first: i,
        last: i,
        affine: d.affine && (d.activation === null || d.activation === "linear"),
        forward: (x) => layer.forward(x, false, random),
        backward: (dy) => gradientOrThrow(layer.backward(dy, true, false)),
      });
    }
  }

  /**
   * x (rows, or a mixture's points already loaded, for `rows` mixed rows) through the layers up
   * to and including `last`: what layer `last` outputs for the rows.
   */
  forward(x: Tensor, last: number, mixture: Mixture | null = null, rows = x.rows): Tensor {
    let h = x;
    let mixed = mixture === null;
    for (const step of this.steps) {
      if (step.first > last) break;
      if (!mixed && !step.affine) {
        h = this.mix(h, mixture as Mixture, rows);
        mixed = true;
      }
      h = step.forward(h);
    }
    return mixed ? h : this.mix(h, mixture as Mixture, rows);
  }

  /** h, what layer `after` outputs, through the layers after it up to and including `last`. */
  forwardFrom(h: Tensor, after: number, last: number): Tensor {
    for (const step of this.steps) if (step.first > after && step.first <= last) h = step.forward(h);
    return h;
  }

  /** d (at layer `from`'s output) back through the layers from `from` down to just above `downTo` (-1: to the raw input). */
  backward(d: Tensor, from: number, downTo: number): Tensor {
    for (let s = this.steps.length - 1; s >= 0; s--) {
      const step = this.steps[s];
      if (step.last > from || step.first <= downTo) continue;
      d = step.backward(d);
    }
    return d;
  }

  /** The last layer of the affine prefix a mixture goes through as points (-1 when the first step bends). */
  prefixEnd(last: number): number {
    let end = -1;
    for (const step of this.steps) {
      if (!step.affine || step.last > last) break;
      end = step.last;
    }
    return end;
  }

  /** The points' outputs h: [count, ...] mixed into [rows, ...]: one product, weights [rows, count] times h. */
  private mix(h: Tensor, mixture: Mixture, rows: number): Tensor {
    checkMixture(mixture, rows);
    const weights = this.scratch.get("mixWeights", [rows, mixture.count]);
    this.backend.write(weights, mixture.weights);
    const out = this.scratch.get("mixed", [rows, ...h.shape.slice(1)]);
    this.backend.matmul(weights, this.backend.reshape(h, [mixture.count, h.cols]), this.backend.reshape(out, [rows, h.cols]), false, false, false);
    return out;
  }
}

function gradientOrThrow(d: Tensor | null): Tensor {
  if (!d) throw new Error("a layer's backward pass gave no input gradient");
  return d;
}

/** A mixture's weights must be [rows, count] with every row summing to 1 (else the affine layers' biases would not mix). */
function checkMixture(mixture: Mixture, rows: number): void {
  const { count, weights } = mixture;
  if (!Number.isInteger(count) || count < 1 || weights.length !== rows * count) {
    throw new GlassboxError("SHAPE_MISMATCH", `mixture weights: expected ${rows} rows x ${count} points = ${rows * count} numbers, got ${weights.length}`);
  }
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < count; j++) sum += weights[i * count + j];
    if (!(Math.abs(sum - 1) <= 1e-6)) throw new GlassboxError("BAD_ARGUMENT", `mixture weights: row ${i} sums to ${sum}; each row of an affine mixture sums to 1`);
  }
}
