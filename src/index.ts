/**
 * Glassbox: neural networks in TypeScript that you can see inside.
 * This entry point runs in Node and in browsers. Reading datasets and model files from disk
 * (loadDataset, saveModel, loadModel) needs Node: import those from "glassbox/node".
 */
export { GlassboxError, type ErrorCode } from "./errors.js";
export { DEFAULT_INPUT_LIMITS, inputLimits, setInputLimits, type InputLimits } from "./limits.js";
export { sizeOf, type Matrix, type FloatArray, type Param, type Shape, type Tensor } from "./tensor/tensor.js";
export { Random } from "./tensor/random.js";
export { extent, maxAbs, sigmoid } from "./tensor/scalar.js";
export { ACTIVATIONS, type Activation, type Backend } from "./backends/backend.js";
export { createReferenceBackend, type ReferenceOptions } from "./backends/reference/index.js";
export { createWasmBackend, type WasmBackend, type WasmOptions } from "./backends/wasm/index.js";
export { createWebGpuBackend, type GpuEntry, type WebGpuBackend, type WebGpuOptions } from "./backends/webgpu/index.js";
export {
  Dense,
  Dropout,
  Standardize,
  LAYER_TYPES,
  layerShapes,
  type Layer,
  type LayerSpec,
  type LayerDescription,
  type DenseSpec,
  type DropoutSpec,
  type StandardizeSpec,
  type Initializer,
} from "./layers/index.js";
export {
  Network,
  type NetworkOptions,
  type NetworkSpec,
  type OutputKind,
  type ModelAbout,
  type Background,
  type Examples,
  type TargetScale,
} from "./model/network.js";
export { createMlp, type MlpOptions } from "./model/mlp.js";
export type { Mixture } from "./model/pass.js";
export { lossFor, type Loss, type RegressionLoss, type Targets } from "./losses/index.js";
export { trainingDefaults, type TrainingDefaults } from "./train/defaults.js";
export {
  OPTIMIZERS,
  createOptimizer,
  learningRate,
  type Optimizer,
  type OptimizerName,
  type OptimizerOptions,
  type Schedule,
} from "./optimizers/index.js";
export { fit } from "./train/fit.js";
export { trainModel, defaultImageLayers, type TrainingInput, type TrainModelOptions, type TrainedModel } from "./train/pipeline.js";
export { augmentRows, checkAugment, parseAugment, type Augment } from "./train/augment.js";
export { parseLayers } from "./layers/parse.js";
export type { FitOptions, FitResult, BatchEvent, EpochEvent, StopReason } from "./train/options.js";
export { evaluate, type Evaluation } from "./train/evaluate.js";
export { evaluateRegression, type RegressionReport, type TargetFit } from "./train/regression.js";
export { crossValidate, type CrossValidation, type FoldMetric } from "./train/folds.js";
export { BAG_FOLDS, type Bag } from "./train/bag.js";
export { ridgeFit, ridgeSums, linearPredict, type LinearModel, type RidgeSums } from "./train/ridge.js";
export { reportHtml, historyOf, type HistoryRow, type ReportOptions } from "./report/html.js";
export { curvesPng } from "./report/png.js";
export { classificationReport, predictedClasses, type ClassificationReport, type ClassMetrics } from "./train/metrics.js";
export { classify, type Prediction } from "./model/classify.js";
export { labelIndexOf, labelIndexOfText } from "./model/labels.js";
export type { Dataset, FeatureArray, InputDescription } from "./data/dataset.js";
export { featureRows, isRegression, selectRows } from "./data/dataset.js";
export { defaultLabelColumn, parseCsvDataset, taskOf, type CsvDatasetOptions, type Task } from "./data/csv.js";
export { parseCsvTable, csvText, type CsvTable } from "./featurizers/table/csv.js";
export { parseIdx, encodeIdx, type IdxArray } from "./data/idx.js";
export { csvTrainingData, type LabelledFile, type LoadedData, type Progress, type Skip, type TrainingDataOptions } from "./data/assemble.js";
export { folderTrainingData, type FileBytes, type FolderData } from "./data/memory.js";
export { datasetFromArrays, type ArraysOptions } from "./data/arrays.js";
export { encodeModel, encodeModelAsync, decodeModel, FORMAT_VERSION } from "./io/modelFile.js";
export { encodeSafetensors, decodeSafetensors, type NamedTensor, type SafetensorsFile } from "./io/safetensors.js";
export {
  featurizeFile,
  featurizeFor,
  tableFeatureRows,
  featureCount,
  featureNames,
  featureShape,
  featurizerOf,
  describeFeaturizer,
  checkFeaturizerState,
  readableText,
  kindOfFile,
  FEATURIZER_KINDS,
  type Featurized,
  type FeaturizerKind,
  type FeaturizerState,
} from "./featurizers/index.js";
export {
  decodeImage,
  resizeImage,
  fitImage,
  imageFeatures,
  imageFeatureNames,
  featuresToRgba,
  encodePng,
  type ImageState,
  type ImageOptions,
  type RgbaImage,
} from "./featurizers/image/index.js";
export {
  decodeWav,
  encodeWav,
  resample,
  fixedWindow,
  fitSound,
  soundFeatures,
  soundFeatureNames,
  spectrogramShape,
  type SoundState,
  type SoundOptions,
  type SpectrogramState,
  type Clip,
} from "./featurizers/sound/index.js";
export { tokenize, fitText, textFeatures, textFeatureNames, textTokens, emailText, type TextState, type TextOptions } from "./featurizers/text/index.js";
export {
  fitTable,
  tableFeatures,
  tableCells,
  unseenCategories,
  tableFeatureNames,
  tableFeatureGroups,
  MISSING,
  type TableState,
  type TableColumn,
  type TableOptions,
} from "./featurizers/table/index.js";
export { levels, accuracyByLevel, type Hierarchy, type Level } from "./model/hierarchy.js";
export { labelsFromPaths } from "./data/labels.js";
export { explain, explainBatch, baselineFor, baselineInWords, EXPLAIN_METHODS, type ExplainMethod, type ExplainOptions, type Explanation } from "./explain/index.js";
export { featureAttributions, explanationPng, explanationPixels, explanationTitle, METHOD_TITLES, soundStretches, type FeatureAttribution } from "./explain/present.js";
export { conductance, convolutionBlocks, gradCam, gradCamPng, type Conductance, type GradCam, type LayerOptions } from "./explain/layers.js";
export { checkExplanations, spearman, type CheckedMethod, type MethodCheck } from "./explain/checks.js";
export {
  MAX_CHANGES,
  changesInWords,
  counterfactuals,
  counterfactualsOfCsv,
  type Change,
  type Counterfactual,
  type CounterfactualOptions,
  type Counterfactuals,
} from "./explain/counterfactual.js";
export { inspectUnit, receptiveField, unitActivations, visualizeUnit, type Patch, type UnitExample, type UnitReport, type VisualizeOptions } from "./explain/units.js";
export { unitSheetPng } from "./explain/unitSheet.js";
