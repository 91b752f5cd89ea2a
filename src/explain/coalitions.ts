import type { Probe } from "./probe.js";

/**
 * The value of a coalition S of players for one input x:
 *   v(S) = mean over background rows b of f(x on S's features, b elsewhere).
 * v(all) = f(x); v(none) = the mean answer on the background.
 */
export class CoalitionValues {
  readonly players: number;

  constructor(
    private readonly probe: Probe,
    private readonly x: Float32Array,
    private readonly label: number,
    private readonly members: Int32Array[],
    private readonly background: Float32Array,
    private readonly backgroundRows: number,
  ) {
    this.players = members.length;
  }

  /**
   * membership: [coalitions, players] of 0/1 -> v per coalition. Each coalition is one
   * background-sized block of rows; blocks are batched up to the probe's chunk size.
   */
  values(membership: Uint8Array, coalitions: number): Float64Array {
    const { probe, x, members, background, backgroundRows: rowsPer } = this;
    const features = probe.features;
    const out = new Float64Array(coalitions);
    const perRun = Math.max(1, Math.floor(probe.chunkRows / rowsPer));
    for (let first = 0; first < coalitions; first += perRun) {
      const count = Math.min(perRun, coalitions - first);
      const rows = new Float32Array(count * rowsPer * features);
      for (let c = 0; c < count; c++) {
        const block = rows.subarray(c * rowsPer * features, (c + 1) * rowsPer * features);
        block.set(background);
        for (let p = 0; p < this.players; p++) {
          if (!membership[(first + c) * this.players + p]) continue;
          for (let b = 0; b < rowsPer; b++) for (const j of members[p]) block[b * features + j] = x[j];
        }
      }
      const answers = probe.answers(rows, count * rowsPer, new Int32Array(count * rowsPer).fill(this.label));
      for (let c = 0; c < count; c++) {
        let sum = 0;
        for (let b = 0; b < rowsPer; b++) sum += answers[c * rowsPer + b];
        out[first + c] = sum / rowsPer;
      }
    }
    return out;
  }
}

/** Shapley values with v(empty coalition) and how many coalitions were evaluated. */
export interface ShapleyResult {
  values: Float64Array;
  empty: number;
  coalitions: number;
}

/**
 * Exact Shapley values by enumerating all 2^n coalitions S (bit p of the index = player p):
 *   phi_p = sum over S without p of |S|! (n - |S| - 1)! / n! * (v(S + p) - v(S)),
 * where |S|! (n - |S| - 1)! / n! = 1 / (n * C(n - 1, |S|)).
 */
export function exactShapley(game: CoalitionValues): ShapleyResult {
  const n = game.players;
  const total = 2 ** n;
  const membership = new Uint8Array(total * n);
  for (let s = 0; s < total; s++) for (let p = 0; p < n; p++) membership[s * n + p] = (s >>> p) & 1;
  const v = game.values(membership, total);
  const weight = new Float64Array(n);
  for (let size = 0; size < n; size++) weight[size] = 1 / (n * binomial(n - 1, size));
  const values = new Float64Array(n);
  for (let s = 0; s < total; s++) {
    const w = weight[popCount(s)];
    for (let p = 0; p < n; p++) {
      if ((s >>> p) & 1) continue;
      values[p] += w * (v[s | (1 << p)] - v[s]);
    }
  }
  return { values, empty: v[0], coalitions: total };
}

export function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function popCount(s: number): number {
  let count = 0;
  for (let v = s; v; v &= v - 1) count++;
  return count;
}
