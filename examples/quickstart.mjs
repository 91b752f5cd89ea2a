// Train a small network on the embedded Fashion-MNIST subset, save it, load it, classify one image.
// Run: npm run build && node examples/quickstart.mjs
import { createMlp, createWasmBackend, fit, evaluate, classify, featureRows, loadIdxDirectory, saveModel, loadModel } from "glassbox/node";

const train = await loadIdxDirectory("data/fashion-mnist-small", "train");
const test = await loadIdxDirectory("data/fashion-mnist-small", "test");

const backend = await createWasmBackend(); // null where WebAssembly SIMD is missing: then the reference is used
const network = createMlp({ inputs: 784, hidden: [64], labels: train.labelNames, seed: 1, backend: backend ?? undefined });
const result = await fit(network, train, { epochs: 3, batchSize: 64, lr: 0.001, seed: 1 });
console.log("validation accuracy:", result.validationAccuracy?.toFixed(3)); // null with no validation rows
console.log("test accuracy:", evaluate(network, test).accuracy.toFixed(3));

saveModel(network, "quickstart.safetensors");
const loaded = loadModel("quickstart.safetensors", backend ?? undefined);
const [answer] = classify(loaded, featureRows(test, 0, 1), 1, 3);
console.log(answer);
backend?.close();
