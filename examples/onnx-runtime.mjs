// Runs a Glassbox model exported to ONNX in ONNX Runtime (onnxruntime-web, here on Node), on the
// features `glassbox featurize --json` wrote, and prints each row's most probable label.
//   npx glassbox export model.safetensors --onnx model.onnx
//   npx glassbox featurize model.safetensors photos/ --json --out features.json
//   node examples/onnx-runtime.mjs model.onnx features.json
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-web";

const [modelPath, featuresPath] = process.argv.slice(2);
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(readFileSync(modelPath));
const { labels, features, files } = JSON.parse(readFileSync(featuresPath, "utf8"));
const input = new ort.Tensor("float32", Float32Array.from(features.flat()), [features.length, features[0].length]);
const { probabilities } = await session.run({ features: input });
const k = probabilities.dims[1];
for (let i = 0; i < features.length; i++) {
  const row = Array.from(probabilities.data.slice(i * k, (i + 1) * k));
  const best = k === 1 ? (row[0] >= 0.5 ? 1 : 0) : row.indexOf(Math.max(...row));
  const p = k === 1 ? (best === 1 ? row[0] : 1 - row[0]) : row[best];
  console.log(`${files ? files[i] : i + 1}: ${labels[best]} ${(100 * p).toFixed(1)}%`);
}
