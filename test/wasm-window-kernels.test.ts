// The wasm backend's pooling, batch norm and convolution kernels against the float32 reference
// (the same loops over Float32Array storage), float for float where the kernels promise it:
// ties and NaNs in max pooling, -0, windows that overlap or leave a remainder, channel counts on
// both sides of the four-lane vectors. The conformance suite checks tolerances against float64;
// this checks the exact semantics.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { ACTIVATIONS, type Backend, type WindowGeometry } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { windowGeometry } from "../src/layers/window.js";
import { Random } from "../src/tensor/random.js";
import type { Tensor } from "../src/tensor/tensor.js";

const single = await createWasmBackend({ threads: 1 });
const double = await createWasmBackend({ threads: 2 });
if (!single || !double) throw new Error("the wasm backend did not load: WebAssembly SIMD is required");
after(() => {
  single.close();
  double.close();
});
const oracle = createReferenceBackend({ dtype: "float32" });
const random = new Random(7);

/** The same values in a tensor of each backend. */
function both(backend: Backend, shape: number[], values: Float32Array): [Tensor, Tensor] {
  const a = backend.tensor(shape);
  const b = oracle.tensor(shape);
  backend.write(a, values);
  oracle.write(b, values);
  return [a, b];
}

/** A number as a message should show it (-0 is not 0 here). */
const show = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

/** Bit-for-bit equality as Object.is sees it (NaN equals NaN; 0 and -0 differ). */
function identical(backend: Backend, actual: Tensor, expected: Tensor, what: string): void {
  const a = backend.read(actual);
  const e = oracle.read(expected);
  assert.equal(a.length, e.length, `${what}: size`);
  for (let i = 0; i < e.length; i++) assert.ok(Object.is(a[i], e[i]), `${what}[${i}]: ${show(a[i])}, reference ${show(e[i])}`);
}

/** Small integers (many ties), zeros of both signs, and a NaN now and then. */
function tied(size: number, nanRate: number): Float32Array {
  return Float32Array.from({ length: size }, () => {
    const u = random.uniform();
    if (u < nanRate) return NaN;
    if (u < 0.15) return -0;
    return random.integer(5) - 2;
  });
}

// [batch, height, width, channels, size, stride]: tiling exactly, with a remainder, overlapping, one window
const POOLS: [number, number, number, number, number, number][] = [
  [3, 4, 4, 32, 2, 2],
  [2, 5, 5, 7, 2, 2],
  [2, 6, 6, 4, 3, 2],
  [1, 5, 4, 65, 3, 1],
  [4, 2, 2, 3, 2, 2],
  [2, 6, 6, 1, 6, 1],
  [5, 3, 3, 9, 1, 1],
];

for (const [name, backend] of [
  ["1 thread", single],
  ["2 threads", double],
] as const) {
  test(`wasm ${name}: max pooling picks the reference's winner (first largest, NaN wins) and routes dy to it, float for float`, () => {
    for (const [batch, height, width, channels, size, stride] of POOLS) {
      for (const nanRate of [0, 0.03]) {
        const g = windowGeometry([height, width, channels], size, size, stride, "valid", batch);
        const what = `${batch}x${height}x${width}x${channels} window ${size} stride ${stride} NaN rate ${nanRate}`;
        const out = [batch, g.outHeight, g.outWidth, channels];
        const outSize = out.reduce((p, d) => p * d);
        const [x, x0] = both(backend, [batch, height, width, channels], tied(batch * height * width * channels, nanRate));
        const [y, y0] = both(backend, out, new Float32Array(outSize));
        backend.maxPoolForward(x, y, g);
        oracle.maxPoolForward(x0, y0, g);
        identical(backend, y, y0, `max pool ${what}`);
        // Integer gradients: overlapping windows' float32 sums are exact too.
        const [dy, dy0] = both(
          backend,
          out,
          Float32Array.from({ length: outSize }, () => random.integer(9) - 4),
        );
        const [dx, dx0] = both(backend, [batch, height, width, channels], new Float32Array(batch * height * width * channels).fill(7));
        backend.maxPoolBackward(x, dy, dx, g);
        oracle.maxPoolBackward(x0, dy0, dx0, g);
        identical(backend, dx, dx0, `max pool backward ${what}`);
      }
    }
  });

  test(`wasm ${name}: average pooling matches the reference float for float (float64 sums); its gradient where windows tile the image`, () => {
    for (const [batch, height, width, channels, size, stride] of POOLS) {
      const g = windowGeometry([height, width, channels], size, size, stride, "valid", batch);
      const what = `${batch}x${height}x${width}x${channels} window ${size} stride ${stride}`;
      const out = [batch, g.outHeight, g.outWidth, channels];
      const outSize = out.reduce((p, d) => p * d);
      const [x, x0] = both(
        backend,
        [batch, height, width, channels],
        Float32Array.from({ length: batch * height * width * channels }, () => random.normal()),
      );
      const [y, y0] = both(backend, out, new Float32Array(outSize));
      backend.avgPoolForward(x, y, g);
      oracle.avgPoolForward(x0, y0, g);
      identical(backend, y, y0, `average pool ${what}`);
      const [dy, dy0] = both(
        backend,
        out,
        Float32Array.from({ length: outSize }, () => (random.uniform() < 0.1 ? -0 : random.normal())),
      );
      const [dx, dx0] = both(backend, [batch, height, width, channels], new Float32Array(batch * height * width * channels).fill(7));
      backend.avgPoolBackward(dy, dx, g);
      oracle.avgPoolBackward(dy0, dx0, g);
      const tiles = size === stride && g.outHeight * stride === height && g.outWidth * stride === width;
      if (tiles) identical(backend, dx, dx0, `average pool backward ${what}`);
      else {
        const a = backend.read(dx);
        const e = oracle.read(dx0);
        // float32 sums of at most size^2 shares of |dy| < 5: a few float32 ulps of 5 * size^2
        for (let i = 0; i < e.length; i++) assert.ok(Math.abs(a[i] - e[i]) <= 1e-5 * size * size, `average pool backward ${what}[${i}]: ${a[i]} vs ${e[i]}`);
      }
    }
  });

  test(`wasm ${name}: batch norm's statistics and output are the reference's floats; its gradients within a float32 ulp`, () => {
    for (const [rows, channels] of [
      [1, 1],
      [9, 3],
      [200, 4],
      [64 * 49, 65],
      [1000, 1030],
    ]) {
      const values = Float32Array.from({ length: rows * channels }, () => 3 + random.normal() * 2);
      const [x, x0] = both(backend, [rows, channels], values);
      const vector = (f: () => number): Float32Array => Float32Array.from({ length: channels }, f);
      const [gamma, gamma0] = both(
        backend,
        [channels],
        vector(() => 1 + random.normal()),
      );
      const [beta, beta0] = both(backend, [channels], vector(random.normal.bind(random)));
      const [rm, rm0] = both(backend, [channels], vector(random.normal.bind(random)));
      const [rv, rv0] = both(
        backend,
        [channels],
        vector(() => 0.5 + random.uniform()),
      );
      const [mean, mean0] = both(
        backend,
        [channels],
        vector(() => 0),
      );
      const [invStd, invStd0] = both(
        backend,
        [channels],
        vector(() => 0),
      );
      for (const training of [true, false]) {
        const what = `batch norm ${rows}x${channels} training=${training}`;
        const [y, y0] = both(backend, [rows, channels], new Float32Array(rows * channels));
        const common = { momentum: 0.1, epsilon: 1e-5, training };
        backend.batchNormForward({ x, gamma, beta, runningMean: rm, runningVar: rv, mean, invStd, y, ...common });
        oracle.batchNormForward({ x: x0, gamma: gamma0, beta: beta0, runningMean: rm0, runningVar: rv0, mean: mean0, invStd: invStd0, y: y0, ...common });
        for (const [a, e, n] of [
          [y, y0, "y"],
          [mean, mean0, "mean"],
          [invStd, invStd0, "invStd"],
          [rm, rm0, "running mean"],
          [rv, rv0, "running variance"],
        ] as const) {
          identical(backend, a, e, `${what} ${n}`);
        }
        const [dy, dy0] = both(
          backend,
          [rows, channels],
          Float32Array.from({ length: rows * channels }, () => random.normal()),
        );
        const [dx, dx0] = both(backend, [rows, channels], new Float32Array(rows * channels));
        const [dGamma, dGamma0] = both(
          backend,
          [channels],
          vector(() => 0),
        );
        const [dBeta, dBeta0] = both(
          backend,
          [channels],
          vector(() => 0),
        );
        backend.batchNormBackward({ x, gamma, mean, invStd, dy, dx, dGamma, dBeta, training });
        oracle.batchNormBackward({ x: x0, gamma: gamma0, mean: mean0, invStd: invStd0, dy: dy0, dx: dx0, dGamma: dGamma0, dBeta: dBeta0, training });
        identical(backend, dGamma, dGamma0, `${what} dGamma`);
        identical(backend, dBeta, dBeta0, `${what} dBeta`);
        // dx divides sumDy and sumDyXhat by the rows once per channel, the reference per row: the
        // float64 results differ by an ulp or so, which rounding to float32 almost always hides.
        const a = backend.read(dx);
        const e = oracle.read(dx0);
        for (let i = 0; i < e.length; i++) {
          assert.ok(Math.abs(a[i] - e[i]) <= 2 ** -23 * Math.abs(e[i]) + 1e-30, `${what} dx[${i}]: ${a[i]} vs ${e[i]}`);
        }
      }
    }
  });

  test(`wasm ${name}: convolutions through im2col / col2im and the pointwise path (1x1, stride 1) agree with the reference`, () => {
    // [batch, height, width, channels, filters, size, stride, padding]
    const cases: [number, number, number, number, number, number, number, "same" | "valid"][] = [
      [3, 5, 4, 6, 5, 1, 1, "same"],
      [2, 6, 6, 5, 3, 1, 2, "valid"],
      [2, 9, 7, 20, 9, 3, 1, "same"],
      [3, 8, 8, 2, 4, 5, 2, "same"],
      [1, 3, 3, 1, 2, 4, 1, "same"],
    ];
    for (const [batch, height, width, channels, filters, size, stride, padding] of cases) {
      const g: WindowGeometry = windowGeometry([height, width, channels], size, size, stride, padding, batch);
      const what = `conv ${batch}x${height}x${width}x${channels} -> ${filters} ${size}x${size} stride ${stride} ${padding}`;
      const normal = (n: number): Float32Array => Float32Array.from({ length: n }, () => random.normal());
      const inSize = batch * height * width * channels;
      const outShape = [batch, g.outHeight, g.outWidth, filters];
      const outSize = outShape.reduce((p, d) => p * d);
      const [x, x0] = both(backend, [batch, height, width, channels], normal(inSize));
      const [w, w0] = both(backend, [size, size, channels, filters], normal(size * size * channels * filters));
      const [b, b0] = both(backend, [filters], normal(filters));
      const [y, y0] = both(backend, outShape, new Float32Array(outSize));
      backend.convForward({ x, weight: w, bias: b, y, geometry: g });
      oracle.convForward({ x: x0, weight: w0, bias: b0, y: y0, geometry: g });
      const [dy, dy0] = both(backend, outShape, normal(outSize));
      const [dw, dw0] = both(backend, [size, size, channels, filters], new Float32Array(size * size * channels * filters));
      const [db, db0] = both(backend, [filters], new Float32Array(filters));
      const [dx, dx0] = both(backend, [batch, height, width, channels], new Float32Array(inSize).fill(7));
      backend.convBackward({ x, weight: w, dy, dWeight: dw, dBias: db, dx, geometry: g });
      oracle.convBackward({ x: x0, weight: w0, dy: dy0, dWeight: dw0, dBias: db0, dx: dx0, geometry: g });
      // float32 sums of up to batch * pixels terms of size ~1 (the reference sums in float64)
      for (const [a, e, n] of [
        [y, y0, "y"],
        [dw, dw0, "dWeight"],
        [db, db0, "dBias"],
        [dx, dx0, "dx"],
      ] as const) {
        const got = backend.read(a);
        const want = oracle.read(e);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * Math.max(1, Math.abs(want[i])), `${what} ${n}[${i}]: ${got[i]} vs ${want[i]}`);
      }
    }
  });
}

test("wasm: activations and their gradients over a large matrix (split across threads) give one thread's floats and the reference's values", () => {
  // 67 x 1001: not a multiple of 4 elements per row, so a split by rows would move the scalar tail.
  const [rows, cols] = [67, 1001];
  const z = Float32Array.from({ length: rows * cols }, () => (random.uniform() < 0.1 ? -0 : random.normal() * 3));
  const dy = Float32Array.from({ length: rows * cols }, (_, i) => (i % 997 === 5 ? NaN : random.normal()));
  for (const activation of ACTIVATIONS) {
    const results = [single, double].map((backend) => {
      const [zt, yt, dyt, dzt] = [z, new Float32Array(z.length), dy, new Float32Array(z.length)].map((v) => {
        const t = backend.matrix(rows, cols);
        backend.write(t, v);
        return t;
      });
      backend.activate(zt, yt, activation);
      backend.activationBackward(zt, yt, dyt, dzt, activation);
      return [backend.read(yt), backend.read(dzt)];
    });
    for (const k of [0, 1]) {
      const [a, b] = [results[0][k], results[1][k]];
      for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${activation} ${k ? "gradient" : "output"}[${i}]: 1 thread ${show(a[i])}, 2 threads ${show(b[i])}`);
    }
    const [z0, y0] = [oracle.matrix(rows, cols), oracle.matrix(rows, cols)];
    oracle.write(z0, z);
    oracle.activate(z0, y0, activation);
    const expected = oracle.read(y0);
    // float32 outputs of float64 formulas (softmax over 1001 columns: its sum too): a few ulps
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(results[1][0][i] - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `${activation}[${i}]`);
  }
});
