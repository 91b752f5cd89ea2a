// What every check of the conformance suite shares: the backend under test, the float64 reference
// beside it, one seeded generator, and the comparisons. Every number of the backend under test is
// read with readAsync, so a device backend (whose read throws) runs the same suite.
import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import type { Matrix, Tensor } from "../../src/tensor/tensor.js";
import { Random } from "../../src/tensor/random.js";

// float32 storage rounds each input to 2^-24 relative; sums over k terms of size ~1 can drift by
// about k * 2^-24 ≈ 1.5e-5 at k = 257. Element-wise kernels are within a few float32 ulps.
export const SUM_TOLERANCE = 1e-4;
export const ELEMENT_TOLERANCE = 1e-5;

export interface Conformance {
  /** The backend's name in messages. */
  readonly name: string;
  readonly backend: Backend;
  /** The float64 reference backend. */
  readonly oracle: Backend;
  readonly random: Random;
  /** The same random values in a matrix of each backend. */
  pair(rows: number, cols: number, scale?: number): [Matrix, Matrix];
  /** A tensor of each backend holding the same random values. */
  tensors(shape: number[], scale?: number): [Tensor, Tensor];
  /** The number a kernel writes to out[at] (a [3] tensor, at 1), on either backend. */
  scalarOf(b: Backend, write: (out: Tensor, at: number) => void): Promise<number>;
  /** Fails unless every number of `actual` is within tolerance x the largest of `expected` (at least 1). */
  same(actual: Matrix, expected: Matrix, tolerance: number, what: string): Promise<void>;
}

export function conformance(name: string, make: () => Backend): Conformance {
  const oracle = createReferenceBackend({ dtype: "float64" });
  const backend = make();
  const random = new Random(2024);

  /** The same random values in a matrix of each backend. */
  function pair(rows: number, cols: number, scale = 1): [Matrix, Matrix] {
    const values = Float32Array.from({ length: rows * cols }, () => random.normal() * scale);
    const a = backend.matrix(rows, cols);
    const b = oracle.matrix(rows, cols);
    backend.write(a, values);
    oracle.write(b, values);
    return [a, b];
  }

  /** The number a kernel writes to out[at] (a [3] tensor, at 1), on either backend. */
  async function scalarOf(b: Backend, write: (out: Tensor, at: number) => void): Promise<number> {
    const out = b.tensor([3]);
    write(out, 1);
    const values = await b.readAsync(out);
    assert.ok(values[0] === 0 && values[2] === 0, "a kernel writes out[at] only");
    return values[1];
  }

  async function same(actual: Matrix, expected: Matrix, tolerance: number, what: string): Promise<void> {
    const a = await backend.readAsync(actual);
    const e = oracle.read(expected);
    assert.equal(a.length, e.length, `${what}: size`);
    let scale = 1;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < e.length; i++) {
      assert.ok(Math.abs(a[i] - e[i]) <= tolerance * scale, `${what}[${i}]: ${name} ${a[i]}, reference ${e[i]}`);
    }
  }

  /** A tensor of each backend holding the same random values. */
  function tensors(shape: number[], scale = 1): [Tensor, Tensor] {
    const size = shape.reduce((p, d) => p * d, 1);
    const values = Float32Array.from({ length: size }, () => random.normal() * scale);
    const a = backend.tensor(shape);
    const b = oracle.tensor(shape);
    backend.write(a, values);
    oracle.write(b, values);
    return [a, b];
  }

  return { name, backend, oracle, random, pair, tensors, scalarOf, same };
}
