/** Node-only helpers: reading datasets and model files from disk. Re-exports the whole library. */
export * from "./index.js";
export { loadDataset, loadIdxDirectory, readMaybeGzip, type LoadOptions } from "./data/files.js";
export { saveModel, loadModel, writeFileAtomic } from "./io/disk.js";
export { loadTrainingData, loadForModel } from "./data/load.js";
export { scanFolder, type FolderScan } from "./data/folders.js";
