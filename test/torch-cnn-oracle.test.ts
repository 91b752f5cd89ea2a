// The image layers against PyTorch: conv2d, max/avg/global pools, batch norm, activation and flatten
// layers, and the canonical fmnist and cifar networks, for the cases in test/fixtures/torch-cnn.json
// (made by test/fixtures/make_torch_cnn_fixtures.py in float64): training forward, loss, every
// gradient, the input gradient, one Adam step, batch-norm running statistics and eval logits.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Backend } from "../src/backends/backend.js";
import { createReferenceBackend } from "../src/backends/reference/index.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { Network, type NetworkSpec } from "../src/model/network.js";
import { lossFor } from "../src/losses/index.js";
import { createOptimizer } from "../src/optimizers/index.js";
import { Random } from "../src/tensor/random.js";

/** A tensor stored in full, or (a big one) as a strided sample with its sum and sum of absolute values. */
interface Stored {
  shape: number[];
  data?: number[];
  sample?: { stride: number; data: number[] };
  sum?: number;
  sumAbs?: number;
}
/** A layer tensor: also the generator that made it (value_i = offset + scale * (2 u_i - 1)). */
interface StoredLayerTensor extends Stored {
  generator: { seed: number; offset: number; scale: number };
}
interface Case {
  name: string;
  about: string;
  network: NetworkSpec;
  x: Stored;
  labels: number[];
  params: Record<string, StoredLayerTensor>;
  forward: { logits: Stored; loss: number };
  gradients: Record<string, Stored>;
  input_gradient: Stored;
  /** Biases just before a batch norm: 0 in exact arithmetic ("gradients" holds torch's rounding noise). */
  zero_gradients: string[];
  after_step: Record<string, Stored>;
  eval_logits_after_step?: Stored;
}

const fixture = JSON.parse(readFileSync(new URL("fixtures/torch-cnn.json", import.meta.url), "utf8")) as { cases: Case[] };

/** lowbias32 (Chris Wellons), the fixture script's integer hash. */
function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The fixture's generator: exact in doubles (32-bit integers over 2^32, times a power of two). */
function generate(count: number, { seed, offset, scale }: StoredLayerTensor["generator"]): Float64Array {
  const base = Math.imul(seed, 0x9e3779b9) >>> 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = offset + scale * ((2 * lowbias32((base + i) >>> 0)) / 4294967296 - 1);
  return out;
}

const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const valuesOf = (t: StoredLayerTensor): ArrayLike<number> => t.data ?? generate(sizeOf(t.shape), t.generator);

// Tolerances, relative to the largest magnitude in the same tensor (rounding errors of sums scale
// with the terms summed, not with a small result after cancellation):
// - float64 does PyTorch's float64 arithmetic in another summation order: ~1e-15, so 1e-9 is room
//   to spare yet catches any wrong formula, layout or padding;
// - float32 keeps about 7 digits; sums over up to 3136 terms and one Adam step (whose update
//   lr * g / (|g| + eps) magnifies no error) stay within 1e-4.
interface Setup {
  label: string;
  backend: () => Backend | null;
  tolerance: number;
}
const wasm = await createWasmBackend({ threads: 1 });
after(() => wasm?.close());
const SETUPS: Setup[] = [
  { label: "reference float64", backend: () => createReferenceBackend({ dtype: "float64" }), tolerance: 1e-9 },
  { label: "reference float32", backend: () => createReferenceBackend(), tolerance: 1e-4 },
  { label: "wasm float32", backend: () => wasm, tolerance: 1e-4 },
];

/** The largest error seen per setup, relative to its scale, and where (printed at the end). */
const worst = new Map<string, { ratio: number; where: string }>();
after(() => {
  for (const [label, { ratio, where }] of worst) console.log(`${label}: largest relative error ${ratio.toExponential(2)} (${where})`);
});

function note(label: string, ratio: number, where: string): void {
  const seen = worst.get(label);
  if (!seen || ratio > seen.ratio) worst.set(label, { ratio, where });
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * actual (a full tensor) against a stored one, within tolerance x the tensor's largest magnitude
 * (plus slack(k) for the stored element k, where given).
 */
function close(setup: Setup, actual: ArrayLike<number>, expected: Stored, what: string, slack?: (k: number) => number): void {
  assert.equal(actual.length, sizeOf(expected.shape), `${what}: size`);
  const stride = expected.data ? 1 : (expected.sample?.stride ?? 0);
  const data = expected.data ?? expected.sample?.data;
  assert.ok(data && stride > 0, `${what}: no data in the fixture`);
  const scale = Math.max(maxAbs(data), Number.MIN_VALUE);
  for (let k = 0; k < data.length; k++) {
    const got = actual[k * stride];
    const ratio = Math.max(0, Math.abs(got - data[k]) - (slack?.(k) ?? 0)) / scale;
    note(setup.label, ratio, `${what}[${k * stride}]`);
    assert.ok(ratio <= setup.tolerance, `${what}[${k * stride}]: got ${got}, PyTorch ${data[k]} (error ${ratio.toExponential(2)} of ${scale})`);
  }
  if (expected.sum !== undefined && expected.sumAbs !== undefined) {
    let sum = 0;
    for (let i = 0; i < actual.length; i++) sum += actual[i];
    const ratio = Math.abs(sum - expected.sum) / Math.max(expected.sumAbs, Number.MIN_VALUE);
    note(setup.label, ratio, `${what} sum`);
    assert.ok(ratio <= setup.tolerance, `${what}: sum ${sum}, PyTorch ${expected.sum} (error ${ratio.toExponential(2)} of sumAbs ${expected.sumAbs})`);
  }
}

function closeNumber(setup: Setup, actual: number, expected: number, what: string): void {
  const ratio = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  note(setup.label, ratio, what);
  assert.ok(ratio <= setup.tolerance, `${what}: got ${actual}, PyTorch ${expected}`);
}

test("the fixture covers every image layer type, every activation and both canonical networks", () => {
  const types = new Set<string>(fixture.cases.flatMap((c) => c.network.layers.map((l) => l.type)));
  for (const type of ["conv2d", "maxpool", "avgpool", "globalavgpool", "batchnorm", "activation", "flatten", "dense"]) assert.ok(types.has(type), type);
  const activations = new Set(fixture.cases.flatMap((c) => c.network.layers.flatMap((l) => (l.type === "activation" ? [l.activation] : []))));
  assert.deepEqual(activations, new Set(["relu", "leaky_relu", "gelu", "tanh", "sigmoid"]));
  for (const name of ["fmnist", "cifar", "batchnorm", "conv3x3_same_s2_asymmetric", "conv3x3_same_1x1_image"])
    assert.ok(
      fixture.cases.some((c) => c.name === name),
      name,
    );
});

test("the generator here makes the fixture's stored layer tensors bit for bit", () => {
  let checked = 0;
  for (const c of fixture.cases) {
    for (const [name, t] of Object.entries(c.params)) {
      if (!t.data) continue;
      assert.deepEqual(Array.from(generate(t.data.length, t.generator)), t.data, `${c.name} ${name}`);
      checked++;
    }
  }
  assert.ok(checked > 50, `only ${checked} tensors checked`);
});

for (const setup of SETUPS) {
  for (const c of fixture.cases) {
    const skip = setup.backend() ? false : "the wasm backend did not load (WebAssembly SIMD missing)";
    test(`${c.name} (${setup.label}): forward, loss, gradients, one Adam step${c.eval_logits_after_step ? ", running statistics and eval logits" : ""} match PyTorch`, {
      skip,
    }, () => {
      const backend = setup.backend();
      assert.ok(backend);
      const network = new Network(c.network, { backend });
      // Every tensor the layers keep, trainable or not, is in the fixture and the other way round.
      assert.deepEqual(
        network
          .tensors()
          .map((t) => t.name)
          .sort(),
        Object.keys(c.params).sort(),
        "tensor names",
      );
      assert.deepEqual(
        network
          .params()
          .map((p) => p.name)
          .sort(),
        Object.keys(c.gradients).sort(),
        "trainable names",
      );
      network.loadTensors(new Map(Object.entries(c.params).map(([name, t]) => [name, valuesOf(t)])));

      const x = backend.tensor(c.x.shape);
      backend.write(x, c.x.data ?? []);
      const logits = network.forward(x, true, new Random(0));
      assert.deepEqual([...logits.shape], c.forward.logits.shape, "logits shape");
      close(setup, backend.read(logits), c.forward.logits, "logits");
      const dLogits = backend.tensor(logits.shape);
      const out = backend.tensor([1]);
      lossFor("softmax").compute(backend, logits, { labels: Int32Array.from(c.labels), values: null }, dLogits, out, 0);
      closeNumber(setup, backend.read(out)[0], c.forward.loss, "loss");

      const dx = network.backward(dLogits, true);
      assert.ok(dx, "an input gradient");
      assert.deepEqual([...dx.shape], c.input_gradient.shape, "input gradient shape");
      close(setup, backend.read(dx), c.input_gradient, "input gradient");
      const grads = new Map(network.params().map((p) => [p.name, p.grad]));
      for (const p of network.params()) {
        if (c.zero_gradients.includes(p.name)) continue;
        close(setup, backend.read(p.grad), c.gradients[p.name], `gradient ${p.name}`);
      }
      // A bias before a batch norm: its gradient is rounding noise around 0, small against the
      // sums that made it (the same layer's weight gradient). Both sides step it from exactly 0,
      // since Adam would turn noise near eps into a step of up to lr in a random direction.
      for (const name of c.zero_gradients) {
        const grad = grads.get(name);
        const weight = grads.get(name.replace(/\.bias$/, ".weight"));
        assert.ok(grad && weight, `${name} and its weight are trainable`);
        const ratio = maxAbs(backend.read(grad)) / maxAbs(backend.read(weight));
        note(setup.label, ratio, `gradient ${name} (0 in exact arithmetic)`);
        assert.ok(ratio <= setup.tolerance, `${name}: gradient ${ratio.toExponential(2)} of its weight's, expected rounding noise around 0`);
        backend.write(grad, new Float64Array(grad.rows * grad.cols));
      }

      const lr = 1e-3;
      createOptimizer(backend, { name: "adam" }).step(network.params(), lr);
      // Parameters after the step; batch-norm running statistics after the one training forward.
      // Adam's first step is lr g / (|g| + eps): where PyTorch's gradient is 0 (a tap that reads
      // only zeros), a gradient of rounding noise near eps (Winograd convolutions mix the taps)
      // steps by up to lr, so there the step may differ by lr.
      for (const t of network.tensors()) {
        const after = c.after_step[t.name];
        const gradient = c.gradients[t.name];
        const sameSample = gradient && (gradient.sample?.stride ?? 1) === (after.sample?.stride ?? 1);
        const stored = sameSample ? (gradient.data ?? gradient.sample?.data) : undefined;
        close(setup, backend.read(t.value), after, `after the step ${t.name}`, stored ? (k) => (stored[k] === 0 ? lr : 0) : undefined);
      }
      if (c.eval_logits_after_step) close(setup, backend.read(network.forward(x, false, new Random(0))), c.eval_logits_after_step, "eval logits after the step");
    });
  }
}
