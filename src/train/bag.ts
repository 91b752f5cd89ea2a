import { featureRows, foldsOf, otherRows, selectRows, type Dataset } from "../data/dataset.js";
import type { Network } from "../model/network.js";
import { Random } from "../tensor/random.js";
import type { FitResult } from "./options.js";
import { linearPredict, ridgeFit, ridgeSums, type LinearModel } from "./ridge.js";

/** Folds of a table's bag under the defaults (trainingDefaults). */
export const BAG_FOLDS = 5;
/** A bag needs this many rows per fold; smaller tables train one network. */
export const BAG_MIN_ROWS_PER_FOLD = 10;
/** The ridge penalties tried for a regression's least-squares part, on standardised targets; the out-of-fold error chooses. */
export const RIDGE_PENALTIES = [0.01, 0.1, 1, 3, 10, 30, 100];
/** Feature columns up to which a regression's bag fits a least-squares part (the solve grows with their cube). */
export const LINEAR_MAX_COLUMNS = 300;

/** What a bag did, fold by fold, and how it answers the rows it trained on. */
export interface Bag {
  folds: number;
  /** Each member's training run, fold by fold (fewer than `folds` when interrupted). */
  members: FitResult[];
  /** The training rows that have an out-of-fold answer: those of the folds whose member finished. */
  outOfFoldRows: Int32Array;
  /** [outOfFoldRows.length, outputs]: each row answered (as predict answers) by the member that did not train on it. */
  outOfFold: Float32Array;
  /** A regression's share of the answer that least squares gives (0 to 1), chosen on the out-of-fold answers; 0 for classes. */
  linearShare: number;
  /** The ridge penalty of that least-squares part, or null without one. */
  ridgePenalty: number | null;
  /** That least-squares part, on standardised targets (refitted on all rows), or null without one. */
  linear: LinearModel | null;
}

/** How trainModel trains a bag: its rows, a fresh network per fold and for the whole, and one fit. */
export interface BagPlan {
  /** The training rows, a regression's targets standardised. */
  data: Dataset;
  folds: number;
  seed: number;
  /** Whether a regression may blend in least squares (ReLU hidden layers pass its two halves on unchanged). */
  linear: boolean;
  member: (fold: number) => Network;
  /** A fresh network like the members with these hidden widths, to hold the bag. */
  whole: (hidden: number[]) => Network;
  fit: (network: Network, train: Dataset, validation: Dataset) => Promise<FitResult>;
}

/**
 * Cross-validation bagging: the rows are dealt into `folds` parts, and one network per part is
 * trained on the other parts and stopped early on it. The networks' answers are averaged (their
 * logits, or a regression's standardised values), and a regression may blend in ridge regression
 * by the share that fits the out-of-fold answers best (stacking). The result is one dense
 * network: its hidden layers side by side, the least-squares part as ReLU(x) and ReLU(-x)
 * neurons. Every row trains all but one member, and every row is validated once.
 */
export async function trainBag(plan: BagPlan, signal?: AbortSignal): Promise<{ network: Network; bag: Bag }> {
  const { data, folds } = plan;
  const parts = foldsOf(data, folds, new Random(plan.seed));
  const members: Network[] = [];
  const results: FitResult[] = [];
  const heldOut: number[][] = [];
  for (const [k, held] of parts.entries()) {
    const rest = otherRows(data.rows, held);
    const member = plan.member(k);
    results.push(await plan.fit(member, selectRows(data, rest), selectRows(data, held)));
    members.push(member);
    heldOut.push(held);
    if (signal?.aborted || results[k].stopped?.reason === "non_finite" || results[k].stopped?.reason === "diverged") break;
  }
  const outOfFoldRows = Int32Array.from(heldOut.flat());
  const outputs = members[0].outputs;
  const complete = members.length === folds;
  const stacks = plan.linear && complete && Boolean(data.targets) && data.columns <= LINEAR_MAX_COLUMNS;
  // Out of fold, as predict answers and, to stack least squares on, in standardised units.
  const raw = new Float64Array(stacks ? outOfFoldRows.length * outputs : 0);
  const outOfFold = new Float32Array(outOfFoldRows.length * outputs);
  let at = 0;
  heldOut.forEach((held, k) => {
    const set = selectRows(data, held);
    if (stacks) raw.set(rawOutputs(members[k], set), at * outputs);
    outOfFold.set(members[k].predict(featureRows(set), set.rows), at * outputs);
    at += held.length;
  });
  const linear = stacks ? stackLinear(data, parts, outOfFoldRows, raw) : null;
  const share = linear?.share ?? 0;
  if (linear && share > 0) {
    for (let i = 0; i < outOfFold.length; i++) {
      const z = share * linear.outOfFold[i] + (1 - share) * raw[i];
      outOfFold[i] = members[0].valueOf(z, i % outputs);
    }
  }
  const blended = linear && share > 0 ? linear : null;
  const network = combine(plan, members, blended ? { model: blended.model, share } : null);
  return {
    network,
    bag: { folds, members: results, outOfFoldRows, outOfFold, linearShare: share, ridgePenalty: blended?.penalty ?? null, linear: blended?.model ?? null },
  };
}

/** A network's outputs before its answer (logits, a regression's standardised values) for a dataset's rows, a chunk at a time. */
function rawOutputs(network: Network, data: Dataset): Float64Array {
  const out = new Float64Array(data.rows * network.outputs);
  for (let start = 0; start < data.rows; start += network.chunkRows) {
    const n = Math.min(network.chunkRows, data.rows - start);
    out.set(network.logitsOf(featureRows(data, start, n), n), start * network.outputs);
  }
  return out;
}

/**
 * Ridge regression stacked on the bag: the penalty whose out-of-fold answers have the least
 * squared error, then the share s in [0, 1] of s·ridge + (1 - s)·networks with the least squared
 * error out of fold (a one-variable least squares, clipped), and the ridge refitted on all rows.
 */
function stackLinear(data: Dataset, parts: number[][], rows: Int32Array, network: Float64Array): { model: LinearModel; share: number; penalty: number; outOfFold: Float64Array } {
  const outputs = network.length / rows.length;
  const targets = data.targets as Float32Array;
  const byPenalty = RIDGE_PENALTIES.map(() => new Float64Array(network.length));
  let at = 0;
  for (const held of parts) {
    const rest = otherRows(data.rows, held);
    const train = selectRows(data, rest);
    const sums = ridgeSums(featureRows(train), train.targets as Float32Array, train.rows, data.columns, outputs);
    const x = featureRows(selectRows(data, held));
    RIDGE_PENALTIES.forEach((penalty, p) => byPenalty[p].set(linearPredict(ridgeFit(sums, penalty), x, held.length), at * outputs));
    at += held.length;
  }
  const target = (i: number): number => targets[rows[Math.floor(i / outputs)] * outputs + (i % outputs)];
  const squaredError = (answers: Float64Array): number => answers.reduce((s, a, i) => s + (target(i) - a) ** 2, 0);
  const errors = byPenalty.map(squaredError);
  const best = errors.indexOf(errors.reduce((a, b) => Math.min(a, b)));
  const linear = byPenalty[best];
  let along = 0;
  let spread = 0;
  for (let i = 0; i < network.length; i++) {
    const d = linear[i] - network[i];
    along += d * (target(i) - network[i]);
    spread += d * d;
  }
  const share = spread > 0 ? Math.min(1, Math.max(0, along / spread)) : 0;
  const all = ridgeSums(featureRows(data), targets, data.rows, data.columns, outputs);
  return { model: ridgeFit(all, RIDGE_PENALTIES[best]), share, penalty: RIDGE_PENALTIES[best], outOfFold: linear };
}

/** One dense layer of a member: x: [inputs] -> [units]; weights [inputs, units] row-major. */
interface DenseBlock {
  inputs: number;
  units: number;
  weights: ArrayLike<number>;
  bias: ArrayLike<number>;
}

/**
 * The network that answers as the average of the members (weighted by 1 - share) plus `linear`
 * (weighted by share): the first layer's neurons side by side, deeper hidden layers block by
 * block, the output layer's weights scaled by each part's weight and its biases summed.
 */
function combine(plan: BagPlan, members: Network[], linear: { model: LinearModel; share: number } | null): Network {
  const parts = members.map((m) => ({ blocks: denseBlocks(m), weight: (1 - (linear?.share ?? 0)) / members.length }));
  if (linear) parts.push({ blocks: linearBlocks(linear.model, parts[0].blocks.length), weight: linear.share });
  const depth = parts[0].blocks.length;
  const hidden = Array.from({ length: depth - 1 }, (_, d) => parts.reduce((s, p) => s + p.blocks[d].units, 0));
  const whole = plan.whole(hidden);
  const values = new Map<string, Float32Array>();
  const names = denseNames(whole);
  if (names.length !== depth) throw new Error(`a bag's network has ${names.length} dense layers, its members ${depth}`);
  for (let d = 0; d < depth; d++) {
    const last = d === depth - 1;
    const inputs = d === 0 ? whole.inputs : hidden[d - 1];
    const units = last ? whole.outputs : hidden[d];
    const weights = new Float32Array(inputs * units);
    const bias = new Float32Array(units);
    let row = 0;
    let column = 0;
    for (const { blocks, weight } of parts) {
      const b = blocks[d];
      const scale = last ? weight : 1;
      const r0 = d === 0 ? 0 : row;
      const c0 = last ? 0 : column;
      for (let i = 0; i < b.inputs; i++) for (let j = 0; j < b.units; j++) weights[(r0 + i) * units + c0 + j] += scale * b.weights[i * b.units + j];
      for (let j = 0; j < b.units; j++) bias[c0 + j] += scale * b.bias[j];
      row += b.inputs;
      column += b.units;
    }
    values.set(names[d].weight, weights);
    values.set(names[d].bias, bias);
  }
  whole.loadTensors(values);
  return whole;
}

/** The names of a network's dense layers' tensors, in order. */
function denseNames(network: Network): { weight: string; bias: string }[] {
  return network.spec.layers.flatMap((spec, i) => (spec.type === "dense" ? [{ weight: `layers.${i}.weight`, bias: `layers.${i}.bias` }] : []));
}

function denseBlocks(network: Network): DenseBlock[] {
  const tensors = new Map(network.tensors().map((t) => [t.name, network.backend.read(t.value)]));
  return denseNames(network).map((names) => {
    const bias = tensors.get(names.bias) as ArrayLike<number>;
    const weights = tensors.get(names.weight) as ArrayLike<number>;
    return { inputs: weights.length / bias.length, units: bias.length, weights, bias };
  });
}

/** A linear model as `depth` dense layers: ReLU(x) and ReLU(-x) passed on unchanged, then w·ReLU(x) - w·ReLU(-x) + b = w·x + b. */
function linearBlocks(model: LinearModel, depth: number): DenseBlock[] {
  const { columns: n, outputs } = model;
  if (depth === 1) return [{ inputs: n, units: outputs, weights: model.weights, bias: model.bias }];
  const split = new Float64Array(n * 2 * n);
  for (let i = 0; i < n; i++) {
    split[i * 2 * n + i] = 1;
    split[i * 2 * n + n + i] = -1;
  }
  const identity = new Float64Array(4 * n * n);
  for (let i = 0; i < 2 * n; i++) identity[i * 2 * n + i] = 1;
  const out = new Float64Array(2 * n * outputs);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < outputs; k++) {
      out[i * outputs + k] = model.weights[i * outputs + k];
      out[(n + i) * outputs + k] = -model.weights[i * outputs + k];
    }
  }
  const zeros = new Float64Array(2 * n);
  return [
    { inputs: n, units: 2 * n, weights: split, bias: zeros },
    ...Array.from({ length: depth - 2 }, () => ({ inputs: 2 * n, units: 2 * n, weights: identity, bias: zeros })),
    { inputs: 2 * n, units: outputs, weights: out, bias: model.bias },
  ];
}
