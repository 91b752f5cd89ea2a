// The window kernels of the conformance suite: convolutions, pooling, batch norm (and activation backward).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ACTIVATIONS } from "../../src/backends/backend.js";
import { type Padding, windowGeometry } from "../../src/layers/window.js";
import { type Conformance, ELEMENT_TOLERANCE, SUM_TOLERANCE } from "./context.js";

export function windowTests({ name, backend, oracle, pair, tensors, same }: Conformance): void {
  test(`${name}: convolutions forward and backward on awkward shapes (1x1 and 5x5 images, stride 2, 1 and 3 channels, 65 filters, batch 1, the Winograd path, an activation in the same pass)`, async () => {
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
      // webgpu: a window of 64 taps or more is a product of 64x64 tiles: stride 2, and filters over one tile
      [2, 9, 9, 8, 70, 3, 2, "same"],
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
      await same(y, y0, SUM_TOLERANCE, `${what} forward`);
      // With the activation applied in the same pass (inference runs conv, batch norm and activation as one).
      const [ya, ya0] = tensors(out);
      backend.convForward({ x, weight: w, bias: b, y: ya, geometry, activation: "tanh" });
      oracle.convForward({ x: x0, weight: w0, bias: b0, y: ya0, geometry, activation: "tanh" });
      await same(ya, ya0, SUM_TOLERANCE, `${what} forward with tanh`);
      const [dy, dy0] = tensors(out);
      const [dw, dw0] = tensors([size, size, channels, filters]);
      const [db, db0] = tensors([filters]);
      const [dx, dx0] = tensors([batch, height, width, channels]);
      backend.convBackward({ x, weight: w, dy, dWeight: dw, dBias: db, dx, geometry });
      oracle.convBackward({ x: x0, weight: w0, dy: dy0, dWeight: dw0, dBias: db0, dx: dx0, geometry });
      await same(dw, dw0, SUM_TOLERANCE, `${what} filter gradient`);
      await same(db, db0, SUM_TOLERANCE, `${what} bias gradient`);
      await same(dx, dx0, SUM_TOLERANCE, `${what} input gradient`);
      // Only dx (explanations): the same input gradient, and the weight gradients left as they were.
      const [dxOnly] = tensors([batch, height, width, channels]);
      const before = Float32Array.from(await backend.readAsync(dw));
      backend.convBackward({ x, weight: w, dy, dWeight: null, dBias: null, dx: dxOnly, geometry });
      await same(dxOnly, dx0, SUM_TOLERANCE, `${what} input gradient alone`);
      assert.deepEqual(Float32Array.from(await backend.readAsync(dw)), before);
    }
  });

  test(`${name}: pooling, batch norm and activation backward`, async () => {
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
      await same(y, y0, ELEMENT_TOLERANCE, `max ${what}`);
      backend.maxPoolBackward(x, dy, dx, geometry);
      oracle.maxPoolBackward(x0, dy0, dx0, geometry);
      await same(dx, dx0, ELEMENT_TOLERANCE, `max ${what} backward`);
      backend.avgPoolForward(x, y, geometry);
      oracle.avgPoolForward(x0, y0, geometry);
      await same(y, y0, ELEMENT_TOLERANCE, `average ${what}`);
      backend.avgPoolBackward(dy, dx, geometry);
      oracle.avgPoolBackward(dy0, dx0, geometry);
      await same(dx, dx0, ELEMENT_TOLERANCE, `average ${what} backward`);
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
        await same(y, y0, ELEMENT_TOLERANCE * 10, `batch norm ${rows}x${channels} training=${training}`);
        await same(runningVar, runningVar0, ELEMENT_TOLERANCE, `batch norm running variance ${rows}x${channels}`);
      }
      const [dy, dy0] = pair(rows, channels);
      const [dx, dx0] = pair(rows, channels);
      const [dGamma, dGamma0] = tensors([channels]);
      const [dBeta, dBeta0] = tensors([channels]);
      for (const training of [false, true]) {
        backend.batchNormBackward({ x, gamma, mean, invStd, dy, dx, dGamma, dBeta, training });
        oracle.batchNormBackward({ x: x0, gamma: gamma0, mean: mean0, invStd: invStd0, dy: dy0, dx: dx0, dGamma: dGamma0, dBeta: dBeta0, training });
        await same(dx, dx0, SUM_TOLERANCE * 10, `batch norm input gradient ${rows}x${channels} training=${training}`);
        // Only dx (explanations): the same input gradient, the parameter gradients left as they were.
        const [dxOnly] = tensors([rows, channels]);
        const before = Float32Array.from(await backend.readAsync(dGamma));
        backend.batchNormBackward({ x, gamma, mean, invStd, dy, dx: dxOnly, dGamma: null, dBeta: null, training });
        await same(dxOnly, dx0, SUM_TOLERANCE * 10, `batch norm input gradient alone ${rows}x${channels} training=${training}`);
        assert.deepEqual(Float32Array.from(await backend.readAsync(dGamma)), before);
      }
      await same(dGamma, dGamma0, SUM_TOLERANCE, `batch norm gamma gradient ${rows}x${channels}`);
      await same(dBeta, dBeta0, SUM_TOLERANCE, `batch norm beta gradient ${rows}x${channels}`);
      await same(dx, dx0, SUM_TOLERANCE * 10, `batch norm input gradient ${rows}x${channels}`);
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
      await same(dz, dz0, ELEMENT_TOLERANCE, `activation backward ${activation}`);
    }
  });
}
