// One suite every backend must pass: each kernel against the float64 reference backend, on random
// inputs with awkward shapes (1, 3, 7, 63, 65, 257 rows and columns) and both transposes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ACTIVATIONS, type Backend } from "../../src/backends/backend.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { type Padding, windowGeometry } from "../../src/layers/window.js";
import type { Matrix, Tensor } from "../../src/tensor/tensor.js";
import { Random } from "../../src/tensor/random.js";

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

// float32 storage rounds each input to 2^-24 relative; sums over k terms of size ~1 can drift by
// about k * 2^-24 ≈ 1.5e-5 at k = 257. Element-wise kernels are within a few float32 ulps.
const SUM_TOLERANCE = 1e-4;
const ELEMENT_TOLERANCE = 1e-5;

export function conformanceSuite(name: string, make: () => Backend): void {
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
  function scalarOf(b: Backend, write: (out: Tensor, at: number) => void): number {
    const out = b.tensor([3]);
    write(out, 1);
    const values = b.read(out);
    assert.ok(values[0] === 0 && values[2] === 0, "a kernel writes out[at] only");
    return values[1];
  }

  function same(actual: Matrix, expected: Matrix, tolerance: number, what: string): void {
    const a = backend.read(actual);
    const e = oracle.read(expected);
    assert.equal(a.length, e.length, `${what}: size`);
    let scale = 1;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < e.length; i++) {
      assert.ok(Math.abs(a[i] - e[i]) <= tolerance * scale, `${what}[${i}]: ${name} ${a[i]}, reference ${e[i]}`);
    }
  }

  test(`${name}: matmul on awkward shapes, both transposes, with and without accumulate`, () => {
    for (const [m, k, n] of SHAPES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const [a, a0] = transA ? pair(k, m) : pair(m, k);
          const [b, b0] = transB ? pair(n, k) : pair(k, n);
          const [c, c0] = pair(m, n);
          const accumulate = (m + n) % 2 === 0;
          backend.matmul(a, b, c, transA, transB, accumulate);
          oracle.matmul(a0, b0, c0, transA, transB, accumulate);
          same(c, c0, SUM_TOLERANCE, `matmul ${m}x${k}x${n} transA=${transA} transB=${transB}`);
        }
      }
    }
  });

  test(`${name}: matmul where a is mostly zeros (runs of zeros, zero rows, minus zeros) and where a holds a NaN`, () => {
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
        same(c, c0, SUM_TOLERANCE, `sparse matmul ${m}x${k}x${n} transA=${transA}`);
        // A NaN in a reaches its row of c and no other.
        const poisoned = Float32Array.from(values);
        const row = m - 1;
        poisoned[transA ? (k - 1) * m + row : row * k + k - 1] = NaN;
        backend.write(a, poisoned);
        backend.matmul(a, b, c, transA, false, false);
        const out = backend.read(c);
        for (let i = 0; i < m; i++) {
          const nan = out.subarray(i * n, (i + 1) * n).some(Number.isNaN);
          assert.equal(nan, i === row, `sparse matmul ${m}x${k}x${n} transA=${transA}: NaN in row ${i} of c`);
        }
      }
    }
  });

  test(`${name}: dense forward and backward for every activation`, () => {
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
        same(z, z0, SUM_TOLERANCE, `${what} z`);
        same(y, y0, SUM_TOLERANCE, `${what} y`);
        const [dy, dy0] = pair(batch, units);
        const [dz, dz0] = pair(batch, units);
        const [dw, dw0] = pair(inputs, units);
        const [db, db0] = pair(1, units);
        const [dx, dx0] = pair(batch, inputs);
        backend.denseBackward({ x, weight: w, z, y, dy, dz, dWeight: dw, dBias: db, dx, activation });
        oracle.denseBackward({ x: x0, weight: w0, z: z0, y: y0, dy: dy0, dz: dz0, dWeight: dw0, dBias: db0, dx: dx0, activation });
        same(dw, dw0, SUM_TOLERANCE, `${what} dWeight`);
        same(db, db0, SUM_TOLERANCE, `${what} dBias`);
        same(dx, dx0, SUM_TOLERANCE, `${what} dx`);
      }
    }
  });

  test(`${name}: dense forward in place (z and y one matrix) for relu, leaky relu and linear`, () => {
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
        same(y, y0, SUM_TOLERANCE, `${activation} in place ${batch}x${inputs}x${units}`);
      }
    }
  });

  test(`${name}: losses match in value and gradient`, () => {
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
        const loss = scalarOf(backend, (out, at) => backend.softmaxCrossEntropy(logits, labels, w, d, out, at));
        const loss0 = scalarOf(oracle, (out, at) => oracle.softmaxCrossEntropy(logits0, labels, w, d0, out, at));
        assert.ok(Math.abs(loss - loss0) <= ELEMENT_TOLERANCE * Math.max(1, loss0), `softmax cross-entropy ${loss} vs ${loss0}`);
        same(d, d0, ELEMENT_TOLERANCE, "softmax cross-entropy gradient");
      }
      const [z, z0] = pair(batch, 1, 5);
      const yesNo = Int32Array.from({ length: batch }, () => random.integer(2));
      const [dz, dz0] = pair(batch, 1);
      const bce = scalarOf(backend, (out, at) => backend.binaryCrossEntropy(z, yesNo, Float32Array.of(1, 3), dz, out, at));
      const bce0 = scalarOf(oracle, (out, at) => oracle.binaryCrossEntropy(z0, yesNo, Float32Array.of(1, 3), dz0, out, at));
      assert.ok(Math.abs(bce - bce0) <= ELEMENT_TOLERANCE * Math.max(1, bce0), `binary cross-entropy ${bce} vs ${bce0}`);
      same(dz, dz0, ELEMENT_TOLERANCE, "binary cross-entropy gradient");
      const [t, t0] = pair(batch, classes);
      const [dp, dp0] = pair(batch, classes);
      const mse = scalarOf(backend, (out, at) => backend.meanSquaredError(logits, t, dp, out, at));
      const mse0 = scalarOf(oracle, (out, at) => oracle.meanSquaredError(logits0, t0, dp0, out, at));
      assert.ok(Math.abs(mse - mse0) <= ELEMENT_TOLERANCE * Math.max(1, mse0), `mean squared error ${mse} vs ${mse0}`);
      same(dp, dp0, ELEMENT_TOLERANCE, "mean squared error gradient");
      // delta 0.5 on targets 3x the logits' spread: both the squared and the straight parts
      // (drawn from their own generator, so the cases after these see the numbers they always did).
      const huberRandom = new Random(batch * 31 + classes);
      const wide = Float32Array.from({ length: batch * classes }, () => 3 * huberRandom.normal());
      const [h, h0] = [backend.matrix(batch, classes), oracle.matrix(batch, classes)];
      backend.write(h, wide);
      oracle.write(h0, wide);
      const huber = scalarOf(backend, (out, at) => backend.huberLoss(logits, h, 0.5, dp, out, at));
      const huber0 = scalarOf(oracle, (out, at) => oracle.huberLoss(logits0, h0, 0.5, dp0, out, at));
      assert.ok(Math.abs(huber - huber0) <= ELEMENT_TOLERANCE * Math.max(1, huber0), `Huber loss ${huber} vs ${huber0}`);
      same(dp, dp0, ELEMENT_TOLERANCE, "Huber loss gradient");
    }
  });

  test(`${name}: element-wise kernels, dropout masks and optimizer steps`, () => {
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
        same(y, y0, ELEMENT_TOLERANCE, `activate ${activation}`);
      }
      const [x, x0] = pair(rows, cols);
      const [mask, mask0] = pair(rows, cols);
      const [y, y0] = pair(rows, cols);
      backend.dropout(x, mask, y, 0.3, 77);
      oracle.dropout(x0, mask0, y0, 0.3, 77);
      same(mask, mask0, ELEMENT_TOLERANCE, "dropout mask");
      const dropped = Array.from(backend.read(mask), (v) => v === 0);
      assert.deepEqual(
        dropped,
        Array.from(oracle.read(mask0), (v) => v === 0),
        "the same inputs are dropped",
      );
      same(y, y0, ELEMENT_TOLERANCE, "dropout output");
      const [out, out0] = pair(rows, cols);
      backend.multiply(x, y, out);
      oracle.multiply(x0, y0, out0);
      same(out, out0, ELEMENT_TOLERANCE, "multiply");
      const sum = scalarOf(backend, (out, at) => backend.sumOfSquares(x, out, at, false));
      const sum0 = scalarOf(oracle, (out, at) => oracle.sumOfSquares(x0, out, at, false));
      assert.ok(Math.abs(sum - sum0) <= SUM_TOLERANCE * Math.max(1, sum0), `sumOfSquares ${sum} vs ${sum0}`);
      const twice = scalarOf(backend, (out, at) => [false, true].forEach((accumulate) => backend.sumOfSquares(x, out, at, accumulate)));
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
        same(c, c0, ELEMENT_TOLERANCE, `clipToNorm to ${factor} of the norm`);
      }
      const [mean, mean0] = pair(cols, 1);
      const [std, std0] = pair(cols, 1);
      backend.multiply(std, std, std); // deviations are positive
      oracle.multiply(std0, std0, std0);
      const [st, st0] = pair(rows, cols);
      backend.standardize(x, mean, std, st);
      oracle.standardize(x0, mean0, std0, st0);
      same(st, st0, ELEMENT_TOLERANCE * 1e3, "standardize"); // a small std makes big values: relative to the largest
      const [dst, dst0] = pair(rows, cols);
      backend.standardizeBackward(x, std, dst);
      oracle.standardizeBackward(x0, std0, dst0);
      same(dst, dst0, ELEMENT_TOLERANCE * 1e3, "standardizeBackward");
      for (const [classes, threshold] of [
        [cols, 0],
        [1, 0],
        [1, 0.5],
      ] as const) {
        const [scores, scores0] = pair(rows, classes);
        const truth = Int32Array.from({ length: rows }, () => random.integer(Math.max(classes, 2)));
        const right = scalarOf(backend, (out, at) => backend.countCorrect(scores, truth, threshold, out, at));
        const right0 = scalarOf(oracle, (out, at) => oracle.countCorrect(scores0, truth, threshold, out, at));
        assert.equal(right, right0, `countCorrect over ${classes} columns, threshold ${threshold}`);
      }
      backend.scale(x, 0.7);
      oracle.scale(x0, 0.7);
      same(x, x0, ELEMENT_TOLERANCE, "scale");

      const [p, p0] = pair(rows, cols);
      const [g, g0] = pair(rows, cols);
      const [v, v0] = pair(rows, cols);
      const sgd = { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 };
      backend.sgdStep(p, g, v, sgd);
      oracle.sgdStep(p0, g0, v0, sgd);
      same(p, p0, ELEMENT_TOLERANCE, "sgd step");
      same(v, v0, ELEMENT_TOLERANCE, "sgd velocity");
      const [m, m0] = pair(rows, cols, 0.1);
      const [s, s0] = pair(rows, cols, 0.1);
      backend.scale(s, 0); // second moments start non-negative
      oracle.scale(s0, 0);
      for (const decoupled of [false, true]) {
        const adam = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, decoupled, step: 3 };
        backend.adamStep(p, g, m, s, adam);
        oracle.adamStep(p0, g0, m0, s0, adam);
        same(p, p0, ELEMENT_TOLERANCE, `adam step decoupled=${decoupled}`);
        same(s, s0, ELEMENT_TOLERANCE, "adam second moment");
      }
    }
  });

  test(`${name}: optimizer steps on a large tensor (split across threads where there are several)`, () => {
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
      same(p, p0, ELEMENT_TOLERANCE, `large adam step ${step}`);
      same(m, m0, ELEMENT_TOLERANCE, `large adam first moment ${step}`);
    }
  });

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

  test(`${name}: convolutions forward and backward on awkward shapes (1x1 and 5x5 images, stride 2, 1 and 3 channels, 65 filters, batch 1, the Winograd path)`, () => {
    // [batch, height, width, channels, filters, size, stride, padding]
    const cases: [number, number, number, number, number, number, number, Padding][] = [
      [1, 1, 1, 1, 1, 3, 1, "same"],
      [1, 5, 5, 3, 65, 3, 1, "same"],
      [2, 5, 5, 1, 4, 3, 2, "same"],
      [3, 7, 6, 3, 5, 5, 1, "valid"],
      [2, 6, 6, 2, 3, 2, 1, "same"],
      [1, 9, 9, 4, 7, 3, 2, "valid"],
      [4, 4, 4, 8, 16, 1, 1, "same"],
      [2, 12, 12, 3, 32, 3, 1, "same"],
      // wasm: Winograd F(2x2, 3x3) (3x3, stride 1, channels and filters multiples of 4 from 16):
      // odd outputs, a 1x1 image, and a batch in two chunks of examples (32 + 1)
      [2, 8, 8, 16, 16, 3, 1, "same"],
      [3, 7, 9, 20, 24, 3, 1, "valid"],
      [1, 1, 1, 16, 20, 3, 1, "same"],
      [33, 16, 16, 16, 32, 3, 1, "same"],
    ];
    for (const [batch, height, width, channels, filters, size, stride, padding] of cases) {
      const geometry = windowGeometry([height, width, channels], size, size, stride, padding, batch);
      const what = `conv ${batch}x${height}x${width}x${channels} -> ${filters} filters ${size}x${size} stride ${stride} ${padding}`;
      const out = [batch, geometry.outHeight, geometry.outWidth, filters];
      const [x, x0] = tensors([batch, height, width, channels]);
      const [w, w0] = tensors([size, size, channels, filters], 0.3);
      const [b, b0] = tensors([filters]);
      const [y, y0] = tensors(out);
      backend.convForward({ x, weight: w, bias: b, y, geometry });
      oracle.convForward({ x: x0, weight: w0, bias: b0, y: y0, geometry });
      same(y, y0, SUM_TOLERANCE, `${what} forward`);
      const [dy, dy0] = tensors(out);
      const [dw, dw0] = tensors([size, size, channels, filters]);
      const [db, db0] = tensors([filters]);
      const [dx, dx0] = tensors([batch, height, width, channels]);
      backend.convBackward({ x, weight: w, dy, dWeight: dw, dBias: db, dx, geometry });
      oracle.convBackward({ x: x0, weight: w0, dy: dy0, dWeight: dw0, dBias: db0, dx: dx0, geometry });
      same(dw, dw0, SUM_TOLERANCE, `${what} filter gradient`);
      same(db, db0, SUM_TOLERANCE, `${what} bias gradient`);
      same(dx, dx0, SUM_TOLERANCE, `${what} input gradient`);
      // Only dx (explanations): the same input gradient, and the weight gradients left as they were.
      const [dxOnly] = tensors([batch, height, width, channels]);
      const before = Float32Array.from(backend.read(dw));
      backend.convBackward({ x, weight: w, dy, dWeight: null, dBias: null, dx: dxOnly, geometry });
      same(dxOnly, dx0, SUM_TOLERANCE, `${what} input gradient alone`);
      assert.deepEqual(Float32Array.from(backend.read(dw)), before);
    }
  });

  test(`${name}: pooling, batch norm and activation backward`, () => {
    for (const [batch, height, width, channels, size, stride] of [
      [1, 1, 1, 1, 1, 1],
      [2, 5, 5, 3, 2, 2],
      [1, 7, 6, 2, 3, 2],
      [3, 4, 4, 65, 2, 1],
      [2, 6, 6, 1, 6, 1],
    ]) {
      const geometry = windowGeometry([height, width, channels], size, size, stride, "valid", batch);
      const out = [batch, geometry.outHeight, geometry.outWidth, channels];
      const what = `pool ${batch}x${height}x${width}x${channels} window ${size} stride ${stride}`;
      const [x, x0] = tensors([batch, height, width, channels]);
      const [y, y0] = tensors(out);
      const [dy, dy0] = tensors(out);
      const [dx, dx0] = tensors([batch, height, width, channels]);
      backend.maxPoolForward(x, y, geometry);
      oracle.maxPoolForward(x0, y0, geometry);
      same(y, y0, ELEMENT_TOLERANCE, `max ${what}`);
      backend.maxPoolBackward(x, dy, dx, geometry);
      oracle.maxPoolBackward(x0, dy0, dx0, geometry);
      same(dx, dx0, ELEMENT_TOLERANCE, `max ${what} backward`);
      backend.avgPoolForward(x, y, geometry);
      oracle.avgPoolForward(x0, y0, geometry);
      same(y, y0, ELEMENT_TOLERANCE, `average ${what}`);
      backend.avgPoolBackward(dy, dx, geometry);
      oracle.avgPoolBackward(dy0, dx0, geometry);
      same(dx, dx0, ELEMENT_TOLERANCE, `average ${what} backward`);
    }
    for (const [rows, channels] of [
      [1, 1],
      [7, 3],
      [64 * 9, 65],
    ]) {
      const [x, x0] = pair(rows, channels, 2);
      const stats = [0, 1, 2, 3, 4, 5].map(() => tensors([channels]));
      const [[gamma, gamma0], [beta, beta0], [runningMean, runningMean0], [runningVar, runningVar0], [mean, mean0], [invStd, invStd0]] = stats;
      backend.multiply(runningVar, runningVar, runningVar); // variances are positive
      oracle.multiply(runningVar0, runningVar0, runningVar0);
      for (const training of [true, false]) {
        const [y, y0] = pair(rows, channels);
        const common = { momentum: 0.1, epsilon: 1e-5, training };
        backend.batchNormForward({ x, gamma, beta, runningMean, runningVar, mean, invStd, y, ...common });
        oracle.batchNormForward({ x: x0, gamma: gamma0, beta: beta0, runningMean: runningMean0, runningVar: runningVar0, mean: mean0, invStd: invStd0, y: y0, ...common });
        // rows = 1 has variance 0: outputs of size 1 / sqrt(1e-5) ~ 300 times beta's, so relative to the largest
        same(y, y0, ELEMENT_TOLERANCE * 10, `batch norm ${rows}x${channels} training=${training}`);
        same(runningVar, runningVar0, ELEMENT_TOLERANCE, `batch norm running variance ${rows}x${channels}`);
      }
      const [dy, dy0] = pair(rows, channels);
      const [dx, dx0] = pair(rows, channels);
      const [dGamma, dGamma0] = tensors([channels]);
      const [dBeta, dBeta0] = tensors([channels]);
      for (const training of [false, true]) {
        backend.batchNormBackward({ x, gamma, mean, invStd, dy, dx, dGamma, dBeta, training });
        oracle.batchNormBackward({ x: x0, gamma: gamma0, mean: mean0, invStd: invStd0, dy: dy0, dx: dx0, dGamma: dGamma0, dBeta: dBeta0, training });
        same(dx, dx0, SUM_TOLERANCE * 10, `batch norm input gradient ${rows}x${channels} training=${training}`);
        // Only dx (explanations): the same input gradient, the parameter gradients left as they were.
        const [dxOnly] = tensors([rows, channels]);
        const before = Float32Array.from(backend.read(dGamma));
        backend.batchNormBackward({ x, gamma, mean, invStd, dy, dx: dxOnly, dGamma: null, dBeta: null, training });
        same(dxOnly, dx0, SUM_TOLERANCE * 10, `batch norm input gradient alone ${rows}x${channels} training=${training}`);
        assert.deepEqual(Float32Array.from(backend.read(dGamma)), before);
      }
      same(dGamma, dGamma0, SUM_TOLERANCE, `batch norm gamma gradient ${rows}x${channels}`);
      same(dBeta, dBeta0, SUM_TOLERANCE, `batch norm beta gradient ${rows}x${channels}`);
      same(dx, dx0, SUM_TOLERANCE * 10, `batch norm input gradient ${rows}x${channels}`);
    }
    for (const activation of ACTIVATIONS) {
      const [z, z0] = pair(9, 65, 3);
      const [y, y0] = pair(9, 65);
      backend.activate(z, y, activation);
      oracle.activate(z0, y0, activation);
      const [dy, dy0] = pair(9, 65);
      const [dz, dz0] = pair(9, 65);
      backend.activationBackward(z, y, dy, dz, activation);
      oracle.activationBackward(z0, y0, dy0, dz0, activation);
      same(dz, dz0, ELEMENT_TOLERANCE, `activation backward ${activation}`);
    }
  });

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
    assert.deepEqual(
      Array.from(backend.read(flat)),
      Array.from({ length: 24 }, (_, i) => (i < 12 ? 2 * i : i)),
    );
    assert.deepEqual(Array.from(await backend.readAsync(t)), Array.from(backend.read(t)));
    assert.throws(() => backend.reshape(t, [5, 5]), /cannot reshape \[4, 3, 2, 1\] to \[5, 5\]/);
  });

  test(`${name}: views share storage with the first rows`, () => {
    const [a, a0] = pair(5, 3);
    const view = backend.view(a, 2);
    assert.equal(view.rows, 2);
    backend.scale(view, 0);
    const values = backend.read(a);
    const original = oracle.read(a0);
    for (let i = 0; i < 15; i++) assert.ok(values[i] === (i < 6 ? 0 : Math.fround(original[i])), `element ${i}`);
  });
}
