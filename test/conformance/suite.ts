// One suite every backend must pass: each kernel against the float64 reference backend, on random
// inputs with awkward shapes (1, 3, 7, 63, 65, 257 rows and columns) and both transposes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ACTIVATIONS, type Backend } from "../../src/backends/backend.js";
import { Random } from "../../src/tensor/random.js";
import { conformance, ELEMENT_TOLERANCE, SUM_TOLERANCE } from "./context.js";
import { windowTests } from "./windows.js";

/** Shapes [m, k, n] for matrix products: small, odd, just under and over powers of two. */
export const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [3, 1, 7],
  [7, 3, 1],
  [63, 65, 7],
  [65, 63, 3],
  [1, 257, 65],
  [257, 1, 63],
  [64, 257, 3],
  [63, 7, 257],
  [65, 65, 65],
  [257, 257, 257],
  // wider than one packed block of columns (512), and large enough to be split across threads
  [65, 70, 600],
  [3, 1, 1030],
  [600, 300, 9],
];

/**
 * Registers the suite for one backend (node:test's `test`; in a browser, the shim's). Every number
 * of the backend under test is read with `readAsync`; `device` backends must throw from `read`.
 */
export function conformanceSuite(name: string, make: () => Backend): void {
  const checks = conformance(name, make);
  const { backend, oracle, random, pair, scalarOf, same } = checks;

  test(`${name}: matmul on awkward shapes, both transposes, with and without accumulate`, async () => {
    for (const [m, k, n] of SHAPES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const [a, a0] = transA ? pair(k, m) : pair(m, k);
          const [b, b0] = transB ? pair(n, k) : pair(k, n);
          const [c, c0] = pair(m, n);
          const accumulate = (m + n) % 2 === 0;
          backend.matmul(a, b, c, transA, transB, accumulate);
          oracle.matmul(a0, b0, c0, transA, transB, accumulate);
          await same(c, c0, SUM_TOLERANCE, `matmul ${m}x${k}x${n} transA=${transA} transB=${transB}`);
        }
      }
    }
  });

  test(`${name}: matmul where a is mostly zeros (runs of zeros, zero rows, minus zeros) and where a holds a NaN`, async () => {
    // The wasm backend drops steps where both rows of a packed panel are zero; the answer must not change.
    const sparse = (rows: number, cols: number): Float32Array =>
      Float32Array.from({ length: rows * cols }, (_, i) => {
        const [r, c] = [Math.floor(i / cols), i % cols];
        if (r % 5 === 3 || (c >= cols / 3 && c < (2 * cols) / 3)) return r % 2 ? -0 : 0; // a zero row, a run of zero steps
        return random.uniform() < 0.6 ? 0 : random.normal();
      });
    for (const [m, k, n] of [
      [1, 9, 5],
      [7, 30, 17],
      [65, 63, 33],
      [64, 784, 40],
      [33, 1, 16],
    ] as const) {
      for (const transA of [false, true]) {
        const values = transA ? sparse(k, m) : sparse(m, k);
        const [a, a0] = [backend.matrix(transA ? k : m, transA ? m : k), oracle.matrix(transA ? k : m, transA ? m : k)];
        backend.write(a, values);
        oracle.write(a0, values);
        const [b, b0] = pair(k, n);
        const [c, c0] = pair(m, n);
        backend.matmul(a, b, c, transA, false, false);
        oracle.matmul(a0, b0, c0, transA, false, false);
        await same(c, c0, SUM_TOLERANCE, `sparse matmul ${m}x${k}x${n} transA=${transA}`);
        // A NaN in a reaches its row of c and no other.
        const poisoned = Float32Array.from(values);
        const row = m - 1;
        poisoned[transA ? (k - 1) * m + row : row * k + k - 1] = NaN;
        backend.write(a, poisoned);
        backend.matmul(a, b, c, transA, false, false);
        const out = await backend.readAsync(c);
        for (let i = 0; i < m; i++) {
          const nan = out.subarray(i * n, (i + 1) * n).some(Number.isNaN);
          assert.equal(nan, i === row, `sparse matmul ${m}x${k}x${n} transA=${transA}: NaN in row ${i} of c`);
        }
      }
    }
  });

  test(`${name}: dense forward and backward for every activation`, async () => {
    for (const activation of ACTIVATIONS) {
      for (const [batch, inputs, units] of [
        [1, 3, 7],
        [63, 65, 7],
        [65, 257, 63],
        [3, 7, 1],
      ] as const) {
        const [x, x0] = pair(batch, inputs);
        const [w, w0] = pair(inputs, units, 0.3);
        const [b, b0] = pair(1, units, 0.1);
        const [z, z0] = pair(batch, units);
        const [y, y0] = pair(batch, units);
        backend.denseForward({ x, weight: w, bias: b, z, y, activation });
        oracle.denseForward({ x: x0, weight: w0, bias: b0, z: z0, y: y0, activation });
        const what = `${activation} ${batch}x${inputs}x${units}`;
        await same(z, z0, SUM_TOLERANCE, `${what} z`);
        await same(y, y0, SUM_TOLERANCE, `${what} y`);
        const [dy, dy0] = pair(batch, units);
        const [dz, dz0] = pair(batch, units);
        const [dw, dw0] = pair(inputs, units);
        const [db, db0] = pair(1, units);
        const [dx, dx0] = pair(batch, inputs);
        backend.denseBackward({ x, weight: w, z, y, dy, dz, dWeight: dw, dBias: db, dx, activation });
        oracle.denseBackward({ x: x0, weight: w0, z: z0, y: y0, dy: dy0, dz: dz0, dWeight: dw0, dBias: db0, dx: dx0, activation });
        await same(dw, dw0, SUM_TOLERANCE, `${what} dWeight`);
        await same(db, db0, SUM_TOLERANCE, `${what} dBias`);
        await same(dx, dx0, SUM_TOLERANCE, `${what} dx`);
      }
    }
  });

  test(`${name}: dense forward in place (z and y one matrix) for relu, leaky relu and linear`, async () => {
    for (const activation of ["relu", "leaky_relu", "linear"] as const) {
      for (const [batch, inputs, units] of [
        [64, 784, 256],
        [3, 7, 9],
        [65, 63, 17],
      ] as const) {
        const [x, x0] = pair(batch, inputs);
        const [w, w0] = pair(inputs, units, 0.1);
        const [b, b0] = pair(1, units, 0.1);
        const [y, y0] = pair(batch, units);
        const [z0] = [oracle.matrix(batch, units)];
        backend.denseForward({ x, weight: w, bias: b, z: y, y, activation });
        oracle.denseForward({ x: x0, weight: w0, bias: b0, z: z0, y: y0, activation });
        await same(y, y0, SUM_TOLERANCE, `${activation} in place ${batch}x${inputs}x${units}`);
      }
    }
  });

  test(`${name}: losses match in value and gradient`, async () => {
    for (const [batch, classes] of [
      [1, 2],
      [7, 3],
      [65, 10],
      [257, 7],
    ] as const) {
      const [logits, logits0] = pair(batch, classes, 3);
      const labels = Int32Array.from({ length: batch }, () => random.integer(classes));
      const weights = Float32Array.from({ length: classes }, () => 0.5 + random.uniform());
      for (const w of [null, weights]) {
        const [d, d0] = pair(batch, classes);
        const loss = await scalarOf(backend, (out, at) => backend.softmaxCrossEntropy(logits, labels, w, d, out, at));
        const loss0 = await scalarOf(oracle, (out, at) => oracle.softmaxCrossEntropy(logits0, labels, w, d0, out, at));
        assert.ok(Math.abs(loss - loss0) <= ELEMENT_TOLERANCE * Math.max(1, loss0), `softmax cross-entropy ${loss} vs ${loss0}`);
        await same(d, d0, ELEMENT_TOLERANCE, "softmax cross-entropy gradient");
      }
      const [z, z0] = pair(batch, 1, 5);
      const yesNo = Int32Array.from({ length: batch }, () => random.integer(2));
      const [dz, dz0] = pair(batch, 1);
      const bce = await scalarOf(backend, (out, at) => backend.binaryCrossEntropy(z, yesNo, Float32Array.of(1, 3), dz, out, at));
      const bce0 = await scalarOf(oracle, (out, at) => oracle.binaryCrossEntropy(z0, yesNo, Float32Array.of(1, 3), dz0, out, at));
      assert.ok(Math.abs(bce - bce0) <= ELEMENT_TOLERANCE * Math.max(1, bce0), `binary cross-entropy ${bce} vs ${bce0}`);
      await same(dz, dz0, ELEMENT_TOLERANCE, "binary cross-entropy gradient");
      const [t, t0] = pair(batch, classes);
      const [dp, dp0] = pair(batch, classes);
      const mse = await scalarOf(backend, (out, at) => backend.meanSquaredError(logits, t, dp, out, at));
      const mse0 = await scalarOf(oracle, (out, at) => oracle.meanSquaredError(logits0, t0, dp0, out, at));
      assert.ok(Math.abs(mse - mse0) <= ELEMENT_TOLERANCE * Math.max(1, mse0), `mean squared error ${mse} vs ${mse0}`);
      await same(dp, dp0, ELEMENT_TOLERANCE, "mean squared error gradient");
      // delta 0.5 on targets 3x the logits' spread: both the squared and the straight parts
      // (drawn from their own generator, so the cases after these see the numbers they always did).
      const huberRandom = new Random(batch * 31 + classes);
      const wide = Float32Array.from({ length: batch * classes }, () => 3 * huberRandom.normal());
      const [h, h0] = [backend.matrix(batch, classes), oracle.matrix(batch, classes)];
      backend.write(h, wide);
      oracle.write(h0, wide);
      const huber = await scalarOf(backend, (out, at) => backend.huberLoss(logits, h, 0.5, dp, out, at));
      const huber0 = await scalarOf(oracle, (out, at) => oracle.huberLoss(logits0, h0, 0.5, dp0, out, at));
      assert.ok(Math.abs(huber - huber0) <= ELEMENT_TOLERANCE * Math.max(1, huber0), `Huber loss ${huber} vs ${huber0}`);
      await same(dp, dp0, ELEMENT_TOLERANCE, "Huber loss gradient");
    }
  });

  test(`${name}: element-wise kernels, dropout masks and optimizer steps`, async () => {
    for (const [rows, cols] of [
      [1, 1],
      [3, 7],
      [63, 65],
      [257, 3],
    ] as const) {
      for (const activation of ACTIVATIONS) {
        const [z, z0] = pair(rows, cols, 3);
        const [y, y0] = pair(rows, cols);
        backend.activate(z, y, activation);
        oracle.activate(z0, y0, activation);
        await same(y, y0, ELEMENT_TOLERANCE, `activate ${activation}`);
      }
      const [x, x0] = pair(rows, cols);
      const [mask, mask0] = pair(rows, cols);
      const [y, y0] = pair(rows, cols);
      backend.dropout(x, mask, y, 0.3, 77);
      oracle.dropout(x0, mask0, y0, 0.3, 77);
      await same(mask, mask0, ELEMENT_TOLERANCE, "dropout mask");
      const dropped = Array.from(await backend.readAsync(mask), (v) => v === 0);
      assert.deepEqual(
        dropped,
        Array.from(oracle.read(mask0), (v) => v === 0),
        "the same inputs are dropped",
      );
      await same(y, y0, ELEMENT_TOLERANCE, "dropout output");
      const [out, out0] = pair(rows, cols);
      backend.multiply(x, y, out);
      oracle.multiply(x0, y0, out0);
      await same(out, out0, ELEMENT_TOLERANCE, "multiply");
      const sum = await scalarOf(backend, (out, at) => backend.sumOfSquares(x, out, at, false));
      const sum0 = await scalarOf(oracle, (out, at) => oracle.sumOfSquares(x0, out, at, false));
      assert.ok(Math.abs(sum - sum0) <= SUM_TOLERANCE * Math.max(1, sum0), `sumOfSquares ${sum} vs ${sum0}`);
      const twice = await scalarOf(backend, (out, at) => [false, true].forEach((accumulate) => backend.sumOfSquares(x, out, at, accumulate)));
      assert.ok(Math.abs(twice - 2 * sum0) <= SUM_TOLERANCE * Math.max(1, sum0), `sumOfSquares accumulated ${twice} vs ${2 * sum0}`);
      const [c, c0] = pair(rows, cols);
      // Clip to a third of the norm (scales), then to ten times it (leaves alone).
      for (const factor of [1 / 3, 10]) {
        const norm = backend.tensor([1]);
        const norm0 = oracle.tensor([1]);
        backend.sumOfSquares(c, norm, 0, false);
        oracle.sumOfSquares(c0, norm0, 0, false);
        const limit = Math.sqrt(oracle.read(norm0)[0]) * factor;
        backend.clipToNorm(c, norm, 0, limit);
        oracle.clipToNorm(c0, norm0, 0, limit);
        await same(c, c0, ELEMENT_TOLERANCE, `clipToNorm to ${factor} of the norm`);
      }
      const [mean, mean0] = pair(cols, 1);
      const [std, std0] = pair(cols, 1);
      backend.multiply(std, std, std); // deviations are positive
      oracle.multiply(std0, std0, std0);
      const [st, st0] = pair(rows, cols);
      backend.standardize(x, mean, std, st);
      oracle.standardize(x0, mean0, std0, st0);
      await same(st, st0, ELEMENT_TOLERANCE * 1e3, "standardize"); // a small std makes big values: relative to the largest
      const [dst, dst0] = pair(rows, cols);
      backend.standardizeBackward(x, std, dst);
      oracle.standardizeBackward(x0, std0, dst0);
      await same(dst, dst0, ELEMENT_TOLERANCE * 1e3, "standardizeBackward");
      for (const [classes, threshold] of [
        [cols, 0],
        [1, 0],
        [1, 0.5],
      ] as const) {
        const [scores, scores0] = pair(rows, classes);
        const truth = Int32Array.from({ length: rows }, () => random.integer(Math.max(classes, 2)));
        const right = await scalarOf(backend, (out, at) => backend.countCorrect(scores, truth, threshold, out, at));
        const right0 = await scalarOf(oracle, (out, at) => oracle.countCorrect(scores0, truth, threshold, out, at));
        assert.equal(right, right0, `countCorrect over ${classes} columns, threshold ${threshold}`);
      }
      backend.scale(x, 0.7);
      oracle.scale(x0, 0.7);
      await same(x, x0, ELEMENT_TOLERANCE, "scale");

      const [p, p0] = pair(rows, cols);
      const [g, g0] = pair(rows, cols);
      const [v, v0] = pair(rows, cols);
      const sgd = { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 };
      backend.sgdStep(p, g, v, sgd);
      oracle.sgdStep(p0, g0, v0, sgd);
      await same(p, p0, ELEMENT_TOLERANCE, "sgd step");
      await same(v, v0, ELEMENT_TOLERANCE, "sgd velocity");
      const [m, m0] = pair(rows, cols, 0.1);
      const [s, s0] = pair(rows, cols, 0.1);
      backend.scale(s, 0); // second moments start non-negative
      oracle.scale(s0, 0);
      for (const decoupled of [false, true]) {
        const adam = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, decoupled, step: 3 };
        backend.adamStep(p, g, m, s, adam);
        oracle.adamStep(p0, g0, m0, s0, adam);
        await same(p, p0, ELEMENT_TOLERANCE, `adam step decoupled=${decoupled}`);
        await same(s, s0, ELEMENT_TOLERANCE, "adam second moment");
      }
    }
  });

  test(`${name}: optimizer steps on a large tensor (split across threads where there are several)`, async () => {
    const [rows, cols] = [300, 201]; // 60,300 parameters, not a multiple of 4
    const [p, p0] = pair(rows, cols);
    const [g, g0] = pair(rows, cols);
    const [m, m0] = pair(rows, cols, 0.1);
    const [v, v0] = pair(rows, cols);
    backend.multiply(v, v, v); // second moments are squares
    oracle.multiply(v0, v0, v0);
    for (const step of [1, 2]) {
      const adam = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, decoupled: step === 2, step };
      backend.adamStep(p, g, m, v, adam);
      oracle.adamStep(p0, g0, m0, v0, adam);
      await same(p, p0, ELEMENT_TOLERANCE, `large adam step ${step}`);
      await same(m, m0, ELEMENT_TOLERANCE, `large adam first moment ${step}`);
    }
  });

  windowTests(checks);

  test(`${name}: tensors keep their shapes; views and reshapes share storage; readAsync reads what read does`, async () => {
    const t = backend.tensor([4, 3, 2, 1]);
    assert.deepEqual([...t.shape], [4, 3, 2, 1]);
    assert.deepEqual([t.rows, t.cols], [4, 6], "the matrix view: the first axis against the rest");
    backend.write(
      t,
      Float32Array.from({ length: 24 }, (_, i) => i),
    );
    const view = backend.view(t, 2);
    assert.deepEqual([...view.shape], [2, 3, 2, 1]);
    const flat = backend.reshape(t, [24]);
    assert.deepEqual([flat.rows, flat.cols], [24, 1]);
    backend.scale(view, 2);
    const scaled = Array.from({ length: 24 }, (_, i) => (i < 12 ? 2 * i : i));
    assert.deepEqual(Array.from(await backend.readAsync(flat)), scaled);
    if (backend.device) {
      assert.throws(() => backend.read(t), /readAsync/, "a device backend's read throws and points to readAsync");
    } else {
      assert.deepEqual(Array.from(backend.read(flat)), scaled);
      assert.deepEqual(Array.from(await backend.readAsync(t)), Array.from(backend.read(t)));
    }
    assert.throws(() => backend.reshape(t, [5, 5]), /cannot reshape \[4, 3, 2, 1\] to \[5, 5\]/);
  });

  test(`${name}: views share storage with the first rows`, async () => {
    const [a, a0] = pair(5, 3);
    const view = backend.view(a, 2);
    assert.equal(view.rows, 2);
    backend.scale(view, 0);
    const values = await backend.readAsync(a);
    const original = oracle.read(a0);
    for (let i = 0; i < 15; i++) assert.ok(values[i] === (i < 6 ? 0 : Math.fround(original[i])), `element ${i}`);
  });
}
