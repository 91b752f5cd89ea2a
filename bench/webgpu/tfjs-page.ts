// bench:webgpu's TF.js page: the same canonical networks with TF.js layers on its WebGPU backend
// (@tensorflow/tfjs-backend-webgpu), Adam 1e-3, batch 64, categorical cross-entropy, as
// ../shared/peers/tfjs_mlp.mjs trains the MLP.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { report, type Setup, served } from "./page-data.js";

function model(setup: Setup): tfl.Sequential {
  const [height, width, channels] = setup.shape;
  const conv = (filters: number, activation: "relu" | "linear", first: boolean) =>
    tfl.layers.conv2d({ filters, kernelSize: 3, padding: "same", activation, ...(first ? { inputShape: [height, width, channels] } : {}) });
  const layers: tfl.layers.Layer[] =
    setup.net === "mlp"
      ? [tfl.layers.dense({ inputShape: [height * width * channels], units: 256, activation: "relu" }), tfl.layers.dense({ units: 128, activation: "relu" })]
      : setup.net === "cnn_fmnist"
        ? [
            conv(32, "relu", true),
            tfl.layers.maxPooling2d({ poolSize: 2 }),
            conv(64, "relu", false),
            tfl.layers.maxPooling2d({ poolSize: 2 }),
            tfl.layers.flatten(),
            tfl.layers.dense({ units: 128, activation: "relu" }),
          ]
        : [32, 64, 128]
            .flatMap((filters, i): tfl.layers.Layer[] => [
              conv(filters, "linear", i === 0),
              tfl.layers.batchNormalization(),
              tfl.layers.activation({ activation: "relu" }),
              tfl.layers.maxPooling2d({ poolSize: 2 }),
            ])
            .concat([tfl.layers.flatten()]);
  const network = tfl.sequential({ layers: [...layers, tfl.layers.dense({ units: setup.classes, activation: "softmax" })] });
  network.compile({ optimizer: tf.train.adam(0.001), loss: "categoricalCrossentropy" });
  return network;
}

await report(async () => {
  const { setup, x, y } = await served();
  if (!(await tf.setBackend("webgpu"))) throw new Error("TF.js could not start its webgpu backend");
  await tf.ready();
  const [height, width, channels] = setup.shape;
  const inputs = (rows: number) =>
    tf.tidy(() => {
      const values = tf.tensor(x.subarray(0, rows * height * width * channels), setup.net === "mlp" ? [rows, height * width * channels] : [rows, height, width, channels], "int32");
      return tf.div(tf.cast(values, "float32"), 255);
    });
  const targets = (rows: number) => tf.oneHot(tf.tensor1d(Int32Array.from(y.subarray(0, rows)), "int32"), setup.classes);
  const pass = async (rows: number) => {
    const network = model(setup);
    const [xs, ys] = [inputs(rows), targets(rows)];
    const history = await network.fit(xs, ys, { epochs: 1, batchSize: 64, shuffle: true, verbose: 0 });
    // The weights are on the GPU: read one so the timed pass ends when the GPU has finished.
    await network.getWeights()[0].data();
    tf.dispose([xs, ys]);
    return history.history.loss[0] as number;
  };
  await pass(setup.warmup);
  const started = performance.now();
  const loss = await pass(y.length);
  const seconds = (performance.now() - started) / 1000;
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return { adapter: info ? `${info.vendor ?? ""} ${info.architecture ?? ""}`.trim() : "unknown", seconds, batches: Math.ceil(y.length / 64), loss };
});
