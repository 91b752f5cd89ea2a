/** Node-only helpers: reading datasets and model files from disk, and the ONNX export. Re-exports the whole library. */
export * from "./index.js";
export { loadDataset, loadIdxDirectory, readMaybeGzip, type LoadOptions } from "./data/files.js";
export { saveModel, loadModel, writeFileAtomic } from "./io/disk.js";
export { loadTrainingData, loadForModel } from "./data/load.js";
export { scanFolder, type FolderScan } from "./data/folders.js";
// Kept out of the browser bundle, which it would grow by the protobuf runtime.
export { exportOnnx, ONNX_OPSET } from "./io/onnx.js";
