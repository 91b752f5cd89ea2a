// Train a small network on the embedded Fashion-MNIST subset, save it, load it, classify one image.
// Run: npm run build && node examples/quickstart.mjs
import { createMlp, fit, evaluate, classify, loadIdxDirectory, saveModel, loadModel } from "glassbox/node";

const train = await loadIdxDirectory("data/fashion-mnist-small", "train");
const test = await loadIdxDirectory("data/fashion-mnist-small", "test");

const network = createMlp({ inputs: 784, hidden: [64], labels: train.labelNames, seed: 1 });
const result = fit(network, train, { epochs: 3, batchSize: 64, lr: 0.001, seed: 1 });
console.log("validation accuracy:", result.validationAccuracy.toFixed(3));
console.log("test accuracy:", evaluate(network, test).accuracy.toFixed(3));

saveModel(network, "quickstart.safetensors");
const loaded = loadModel("quickstart.safetensors");
const [answer] = classify(loaded, test.features.subarray(0, 784), 1, 3);
console.log(answer);
