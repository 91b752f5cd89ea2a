import { existsSync, statSync } from "node:fs";
import { GlassboxError } from "../errors.js";
import { featureNames, featurizeFile, type FeaturizerState, type UnseenValue } from "../featurizers/index.js";
import { textFeatures } from "../featurizers/text/index.js";
import { columnList, csvText, parseCsvTable, rowName } from "../featurizers/table/csv.js";
import { concat, csvTrainingData, dataset, fitForFiles, fromFiles, loaded, type Hierarchy, type LoadedData, type Progress, type TrainingDataOptions } from "./assemble.js";
import { indexLabels, parseTargets } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { loadDataset, loadIdxDirectory, readBytes } from "./files.js";
import { scanFolder } from "./folders.js";

export type { LoadedData, Progress, TrainingDataOptions } from "./assemble.js";

/** Node-only: any supported dataset on disk -> features, through a featurizer fitted on it or a model's. */

/** What reading data for a trained model needs to know of the model (a Network has all of it). */
export interface ModelInputs {
  readonly inputs: number;
  readonly inputShape: readonly number[];
  readonly labels: string[];
  /** "linear" for a regression, whose label column holds numbers. */
  readonly spec: { readonly output: string };
  readonly about: {
    readonly featurizer: { readonly kind: string } | null;
    readonly featureNames: string[] | null;
    readonly labelColumn: string | null;
    readonly hierarchy: Hierarchy | null;
    readonly textColumn: string | null;
  };
}

/**
 * A training dataset: an IDX directory, a folder per label of images / WAVs / texts (nested
 * folders for a hierarchy; train/ and test/ halves when present), or a CSV (a table, or texts
 * with --text). The featurizer is fitted on it.
 * @example (await loadTrainingData("data/pets", {})).detected // "folder of images: 3 labels, 120 files"
 */
export async function loadTrainingData(path: string, options: TrainingDataOptions): Promise<LoadedData> {
  if (!existsSync(path)) throw new GlassboxError("FILE_NOT_FOUND", `no such file or directory: ${path}`);
  if (statSync(path).isDirectory()) {
    if (options.task === "regress") throw new GlassboxError("BAD_ARGUMENT", `${path}: a folder's labels are classes; a regression reads its numbers from a CSV's label column`);
    if (isIdxDirectory(path) && !options.featurizer) return fromIdx(await loadIdxDirectory(path, "train"));
    const scan = scanFolder(path, "train", options.featurizer);
    // The bytes fitting read are kept, so that featurizing does not read them again.
    const read = new Map<string, Uint8Array>();
    const fitBytes = (file: string): Uint8Array => {
      const bytes = readBytes(file);
      read.set(file, bytes);
      return bytes;
    };
    const state = fitForFiles(scan.kind, scan.files, options, fitBytes);
    const bytesOf = (file: string): Uint8Array => {
      const bytes = read.get(file) ?? readBytes(file);
      read.delete(file);
      return bytes;
    };
    return fromFiles(state, scan.files, bytesOf, { skipped: scan.skipped, what: `folder of ${scan.kind} files`, source: scan.root, onProgress: options.onProgress });
  }
  if (!/\.csv$/i.test(path)) throw new GlassboxError("BAD_DATA", `${path}: expected a dataset folder, an IDX directory or a .csv file`);
  return csvTrainingData(readBytes(path), path, options);
}

/**
 * Data for a trained model (evaluate, predict): the same kinds as for training, read through
 * the model's own featurizer; for predict also single files (photo.png, clip.wav, mail.txt,
 * rows.csv), several at once. A model's labels are required when `requireLabel`.
 */
export async function loadForModel(network: ModelInputs, paths: string[], requireLabel: boolean, onProgress?: Progress): Promise<LoadedData> {
  const state = network.about.featurizer as FeaturizerState | null;
  const known = { labelNames: network.labels, hierarchy: network.about.hierarchy ?? null };
  if (paths.length === 0) throw new GlassboxError("BAD_ARGUMENT", "expected at least one data path");
  for (const path of paths) if (!existsSync(path)) throw new GlassboxError("FILE_NOT_FOUND", `no such file or directory: ${path}`);
  const single = paths.length === 1 ? paths[0] : null;
  if (single && statSync(single).isDirectory() && (isIdxDirectory(single) || !state)) {
    return fromLegacy(network, single, requireLabel);
  }
  if (!state || (single && /\.csv$/i.test(single) && state.kind !== "table" && state.kind !== "text")) {
    // A model without a featurizer, or a CSV of numbers for an image or sound model.
    if (!single) throw new GlassboxError("BAD_ARGUMENT", "this model reads one dataset at a time (an IDX directory or a CSV file)");
    return fromLegacy(network, single, requireLabel);
  }
  if (single && statSync(single).isDirectory()) {
    const scan = scanFolder(single, "test", state.kind);
    const labelled = scan.files.every((f) => f.labelPath.length > 0);
    if (requireLabel && !labelled) throw new GlassboxError("BAD_DATA", `${single}: expected a folder per label to evaluate against`);
    return fromFiles(state, scan.files, readBytes, { skipped: scan.skipped, known: labelled ? known : null, what: `folder of ${scan.kind} files`, source: scan.root, onProgress });
  }
  if (single && /\.csv$/i.test(single) && state.kind === "table") {
    const labelColumn = network.about.labelColumn ?? "label";
    const featurized = featurizeFile(state, readBytes(single), single, labelColumn);
    if (requireLabel && !featurized.labelTexts) throw new GlassboxError("BAD_DATA", `${single} has no label column "${labelColumn}" to evaluate against`);
    const texts = featurized.labelTexts;
    const labelled = texts ? labelsFor(network, texts, (i) => `${rowName(i, featurized.lines ?? [], single)}, column "${labelColumn}"`) : null;
    const data = {
      ...dataset(featurized.features, featurized.rows, featureNames(state), labelled?.labels ?? null, network.labels, single, labelColumn),
      targets: labelled?.targets ?? null,
    };
    const unseen = featurized.unseen ?? [];
    return loaded(data, state, "CSV table", { hierarchy: known.hierarchy, unseen, advice: unseen.length > 0 ? [unseenInWords(unseen)] : [] });
  }
  if (single && /\.csv$/i.test(single) && state.kind === "text") return textCsvForModel(network, state, single, requireLabel);
  if (requireLabel) throw new GlassboxError("BAD_DATA", "evaluate needs labelled data: a folder per label, or a CSV with a label column");
  const what = `${paths.length} ${state.kind} file${paths.length === 1 ? "" : "s"}`;
  const files = paths.map((path) => ({ path, labelPath: [] }));
  return fromFiles(state, files, readBytes, { what, source: null, unlabelled: true });
}

function isIdxDirectory(dir: string): boolean {
  return ["train", "t10k"].some((prefix) => ["", ".gz"].some((gz) => existsSync(`${dir}/${prefix}-images-idx3-ubyte${gz}`)));
}

/** IDX images keep an image featurizer, so the model also reads PNG and JPEG files. */
function fromIdx(data: Dataset): LoadedData {
  const input = data.input;
  const featurizer: FeaturizerState | null = input?.kind === "image" ? { kind: "image", height: input.height, width: input.width, channels: 1 } : null;
  const detected = `IDX directory: ${data.labelNames.length} labels, ${data.rows} images`;
  return loaded(data, featurizer, detected);
}

/** IDX directories and numeric CSVs, for models that read numbers as they are. */
async function fromLegacy(network: ModelInputs, path: string, requireLabel: boolean): Promise<LoadedData> {
  const names = network.about.featurizer ? null : network.about.featureNames;
  const data = await loadDataset(path, {
    split: "test",
    labelNames: network.labels,
    requireLabel,
    ...(names ? { featureNames: names } : {}),
    // A model trained on images reads a CSV of pixels: every column is a feature but "label".
    label: network.about.labelColumn ?? "label",
  });
  if (data.columns !== network.inputs) {
    const shape = network.inputShape;
    const what = shape.length === 3 ? ` (${shape[0]}x${shape[1]} image)` : "";
    throw new GlassboxError("SHAPE_MISMATCH", `${data.source}: expected ${network.inputs} features per row${what}, got ${data.columns}`);
  }
  return loaded(data, network.about.featurizer as FeaturizerState | null, "", { hierarchy: network.about.hierarchy ?? null });
}

function textCsvForModel(network: ModelInputs, state: Extract<FeaturizerState, { kind: "text" }>, path: string, requireLabel: boolean): LoadedData {
  const { header, rows, lines } = parseCsvTable(csvText(readBytes(path), path).text, path);
  const column = network.about.textColumn ?? "text";
  const textAt = header.indexOf(column);
  if (textAt < 0) throw new GlassboxError("BAD_DATA", `${path} has no text column "${column}" (the model was trained on it); its columns are: ${columnList(header)}`);
  const label = network.about.labelColumn ?? "label";
  const labelAt = header.indexOf(label);
  if (requireLabel && labelAt < 0) throw new GlassboxError("BAD_DATA", `${path} has no label column "${label}" to evaluate against`);
  const labelled =
    labelAt < 0
      ? null
      : labelsFor(
          network,
          rows.map((r) => r[labelAt]),
          (i) => `${rowName(i, lines, path)}, column "${label}"`,
        );
  const features = concat(
    rows.map((r) => textFeatures(state, r[textAt])),
    state.vocabulary.length,
  );
  const data = { ...dataset(features, rows.length, null, labelled?.labels ?? null, network.labels, path, label), targets: labelled?.targets ?? null };
  return loaded(data, state, "CSV of texts", { textColumn: column });
}

/** A label column read for a model: its class indices, or for a regression the numbers to predict. */
function labelsFor(network: ModelInputs, texts: string[], where: (i: number) => string): { labels: Int32Array | null; targets: Float32Array | null } {
  if (network.spec.output === "linear") return { labels: null, targets: parseTargets(texts, where) };
  return { labels: indexLabels(texts, network.labels, where).labels, targets: null };
}

/** 'rows hold categories the model never saw, each read as "other": purpose = "yacht" (2 rows), ...' */
function unseenInWords(unseen: UnseenValue[]): string {
  const shown = unseen.slice(0, 5).map((u) => `${u.column} = "${u.value.slice(0, 40)}" (${u.rows} row${u.rows === 1 ? "" : "s"})`);
  const more = unseen.length > 5 ? `, and ${unseen.length - 5} more` : "";
  return `${unseen.length} value${unseen.length === 1 ? "" : "s"} the model never saw, each read as "other": ${shown.join(", ")}${more}`;
}
