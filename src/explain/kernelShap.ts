import { Random } from "../tensor/random.js";
import { binomial, type CoalitionValues, type ShapleyResult } from "./coalitions.js";

/**
 * KernelSHAP: Shapley values as the weighted least-squares fit of an additive model to the
 * coalition values,
 *   minimise  sum over sampled S of w(S) (v(S) - v(none) - sum_{p in S} phi_p)^2
 *   subject to  sum_p phi_p = v(all) - v(none)   (efficiency),
 * with the Shapley kernel w(S) = (n - 1) / (C(n, |S|) |S| (n - |S|)). With every coalition
 * present the fit gives the exact Shapley values.
 *
 * Which coalitions: coalition sizes carry kernel weight (n - 1) / (s (n - s)), most at the
 * small and large sizes. Sizes are taken in pairs (s, n - s) from the outside in; a pair whose
 * coalitions all fit in the remaining budget is enumerated with its exact weights. The sizes
 * that do not fit are sampled: a size drawn in proportion to its weight, a random coalition of
 * that size, and its complement (paired sampling), each sample carrying an equal share of those
 * sizes' total weight. Needs samples >= 2n, which always enumerates sizes 1 and n - 1.
 */
export function kernelShap(game: CoalitionValues, samples: number, seed: number): ShapleyResult {
  const n = game.players;
  const ends = new Uint8Array(2 * n).fill(1, n); // the empty coalition, then the full one
  const [empty, full] = game.values(ends, 2);
  const total = full - empty;
  if (n === 1) return { values: Float64Array.of(total), empty, coalitions: 2 };
  const chosen = chooseCoalitions(n, samples, new Random(seed));
  const v = game.values(chosen.membership, chosen.count);

  // Eliminate the last player through the constraint: phi_last = total - sum_{j<last} phi_j, so
  // sum_{p in S} phi_p = sum_{j<last} (z_j - z_last) phi_j + z_last total. The entries
  // a_j = z_j - z_last that are not 0 all have the same sign (+1 if last is out of S, -1 if in).
  const m = n - 1;
  const normal = new Float64Array(m * m); // sum of w a a^T
  const right = new Float64Array(m); // sum of w a y
  const nonzero = new Int32Array(m);
  for (let c = 0; c < chosen.count; c++) {
    const z = chosen.membership.subarray(c * n, (c + 1) * n);
    const w = chosen.weights[c];
    const lastIn = z[m] === 1;
    const y = v[c] - empty - (lastIn ? total : 0);
    let k = 0;
    for (let j = 0; j < m; j++) if ((z[j] === 1) !== lastIn) nonzero[k++] = j;
    const sign = lastIn ? -1 : 1;
    for (let a = 0; a < k; a++) {
      const row = nonzero[a] * m;
      right[nonzero[a]] += w * sign * y;
      for (let b = 0; b < k; b++) normal[row + nonzero[b]] += w;
    }
  }
  const solved = solve(normal, right, m);
  const values = new Float64Array(n);
  let sum = 0;
  for (let j = 0; j < m; j++) {
    values[j] = solved[j];
    sum += solved[j];
  }
  values[m] = total - sum;
  return { values, empty, coalitions: chosen.count + 2 };
}

/** Coalitions [count, n] of 0/1 and their least-squares weights, as described above. */
export function chooseCoalitions(n: number, samples: number, random: Random): { membership: Uint8Array; weights: Float64Array; count: number } {
  const membership: number[][] = [];
  const weights: number[] = [];
  const add = (members: number[], weight: number): void => {
    const z = new Array<number>(n).fill(0);
    for (const p of members) z[p] = 1;
    membership.push(z);
    weights.push(weight);
    membership.push(z.map((bit) => 1 - bit)); // the complement
    weights.push(weight);
  };
  let remaining = samples;
  const enumerated = new Uint8Array(n + 1);
  for (let s = 1; s <= Math.floor(n / 2); s++) {
    const middle = s === n - s;
    const count = binomial(n, s) * (middle ? 1 : 2);
    if (count > remaining) break;
    const weight = (n - 1) / (binomial(n, s) * s * (n - s));
    // For the middle size, each coalition's complement has the same size: visit only those
    // holding player 0, and add them with their complement.
    forEachSubset(n, s, (members) => {
      if (!middle || members[0] === 0) add(members, weight);
    });
    remaining -= count;
    enumerated[s] = enumerated[n - s] = 1;
  }
  const leftover: number[] = [];
  for (let s = 1; s < n; s++) if (!enumerated[s]) leftover.push(s);
  const pairs = Math.floor(remaining / 2);
  if (leftover.length > 0 && pairs > 0) {
    const sizeWeights = leftover.map((s) => (n - 1) / (s * (n - s)));
    const weightLeft = sizeWeights.reduce((a, b) => a + b, 0);
    const share = weightLeft / (2 * pairs);
    const order = Array.from({ length: n }, (_, p) => p);
    for (let i = 0; i < pairs; i++) {
      let pick = random.uniform() * weightLeft;
      let k = 0;
      while (k < leftover.length - 1 && pick >= sizeWeights[k]) pick -= sizeWeights[k++];
      const size = leftover[k];
      for (let a = 0; a < size; a++) {
        const b = a + random.integer(n - a);
        [order[a], order[b]] = [order[b], order[a]];
      }
      add(order.slice(0, size), share);
    }
  }
  const flat = new Uint8Array(membership.length * n);
  membership.forEach((z, c) => flat.set(z, c * n));
  return { membership: flat, weights: Float64Array.from(weights), count: membership.length };
}

/** Calls back every size-k subset of 0..n-1 (as sorted indices), in lexicographic order. */
function forEachSubset(n: number, k: number, each: (members: number[]) => void): void {
  const members = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    each(members);
    let i = k - 1;
    while (i >= 0 && members[i] === n - k + i) i--;
    if (i < 0) return;
    members[i]++;
    for (let j = i + 1; j < k; j++) members[j] = members[j - 1] + 1;
  }
}

/** Solves a [m, m] · x = b by Gaussian elimination with partial pivoting (a and b are overwritten). */
function solve(a: Float64Array, b: Float64Array, m: number): Float64Array {
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * m + col]) > Math.abs(a[pivot * m + col])) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < m; c++) [a[col * m + c], a[pivot * m + c]] = [a[pivot * m + c], a[col * m + c]];
      [b[col], b[pivot]] = [b[pivot], b[col]];
    }
    const diagonal = a[col * m + col];
    if (diagonal === 0) continue; // a player no sampled coalition separates: its value stays 0
    for (let r = col + 1; r < m; r++) {
      const factor = a[r * m + col] / diagonal;
      if (factor === 0) continue;
      for (let c = col; c < m; c++) a[r * m + c] -= factor * a[col * m + c];
      b[r] -= factor * b[col];
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let sum = b[r];
    for (let c = r + 1; c < m; c++) sum -= a[r * m + c] * x[c];
    x[r] = a[r * m + r] === 0 ? 0 : sum / a[r * m + r];
  }
  return x;
}
