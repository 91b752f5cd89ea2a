import { existsSync, statSync } from "node:fs";
import { GlassboxError } from "../errors.js";
import { featureCount, featureNames, featurizeFile, readableText, tableFeatureRows, type FeaturizerKind, type FeaturizerState } from "../featurizers/index.js";
import { decodeImage, fitImage, type ImageOptions, type RgbaImage } from "../featurizers/image/index.js";
import { fitSound, type SoundOptions } from "../featurizers/sound/index.js";
import { fitText, textFeatures, type TextOptions } from "../featurizers/text/index.js";
import { fitTable, type TableOptions } from "../featurizers/table/index.js";
import { columnList, csvText, parseCsvTable, rowName } from "../featurizers/table/csv.js";
import { defaultLabelColumn, indexLabels } from "./csv.js";
import { labelsFromPaths } from "./labels.js";
import { imageBytes, type Dataset, type FeatureArray } from "./dataset.js";
import { loadDataset, loadIdxDirectory, readBytes } from "./files.js";
import { scanFolder, type LabelledFile, type Skip } from "./folders.js";

/** Node-only: any supported dataset on disk -> features, through a featurizer fitted on it or a model's. */

export interface TrainingDataOptions {
  /** Overrides detection. */
  featurizer?: FeaturizerKind;
  /** The label column of a CSV. Default "label", else the last column. */
  label?: string;
  /** The text column of a CSV read by the text featurizer. Default "text". */
  text?: string;
  image?: ImageOptions;
  sound?: SoundOptions;
  textOptions?: TextOptions;
  table?: TableOptions;
  /** Called as the files of a folder are read: files done and in all (every 256 files and at the end). */
  onProgress?: Progress;
}

/** Files read so far, of `total`. */
export type Progress = (done: number, total: number) => void;

/** How often, in files, a folder's reading reports progress. */
const PROGRESS_EVERY = 256;

/** Each label's path of categories, root first (as a model keeps it). */
type Hierarchy = string[][];

/** What reading data for a trained model needs to know of the model (a Network has all of it). */
export interface ModelInputs {
  readonly inputs: number;
  readonly inputShape: readonly number[];
  readonly labels: string[];
  readonly about: {
    readonly featurizer: { readonly kind: string } | null;
    readonly featureNames: string[] | null;
    readonly labelColumn: string | null;
    readonly hierarchy: Hierarchy | null;
    readonly textColumn: string | null;
  };
}

/** A dataset with what was detected, what was left out and why. */
export interface LoadedData {
  data: Dataset;
  featurizer: FeaturizerState | null;
  hierarchy: Hierarchy | null;
  /** The CSV column that held the text (text featurizer on a CSV), else null. */
  textColumn: string | null;
  /** "folder of images: 10 labels in 2 levels, 1000 files". */
  detected: string;
  skipped: Skip[];
  /** Things adapted on the way (images resized). */
  notes: string[];
  /** The file each row came from, when rows are files. */
  files: string[] | null;
}

/** Images sampled to learn a default size and colour. */
const IMAGE_SAMPLE = 500;

/**
 * A training dataset: an IDX directory, a folder per label of images / WAVs / texts (nested
 * folders for a hierarchy; train/ and test/ halves when present), or a CSV (a table, or texts
 * with --text). The featurizer is fitted on it.
 * @example (await loadTrainingData("data/pets", {})).detected // "folder of images: 3 labels, 120 files"
 */
export async function loadTrainingData(path: string, options: TrainingDataOptions): Promise<LoadedData> {
  if (!existsSync(path)) throw new GlassboxError("FILE_NOT_FOUND", `no such file or directory: ${path}`);
  if (statSync(path).isDirectory()) {
    if (isIdxDirectory(path) && !options.featurizer) return fromIdx(await loadIdxDirectory(path, "train"));
    const scan = scanFolder(path, "train", options.featurizer);
    const read = new Map<string, Uint8Array>(); // the bytes fitting read, so featurizing does not read them again
    const state = fitForFiles(scan.kind, scan.files, options, read);
    return fromFiles(state, scan.files, scan.skipped, null, `folder of ${scan.kind} files`, scan.root, false, read, options.onProgress);
  }
  if (!/\.csv$/i.test(path)) throw new GlassboxError("BAD_DATA", `${path}: expected a dataset folder, an IDX directory or a .csv file`);
  const decoded = csvText(readBytes(path), path);
  const table = parseCsvTable(decoded.text, path);
  const { header, rows, lines } = table;
  const label = options.label ?? defaultLabelColumn(header);
  const labelAt = header.indexOf(label);
  if (labelAt < 0) throw new GlassboxError("BAD_DATA", `${path} has no label column "${label}"; its columns are: ${columnList(header)}`);
  const where = (i: number): string => rowName(i, lines, path);
  const { labels, labelNames } = indexLabels(
    rows.map((r) => r[labelAt]),
    undefined,
    (i) => `${where(i)}, column "${label}"`,
  );
  if (options.featurizer === "text" || options.text !== undefined) {
    const column = options.text ?? "text";
    const textAt = header.indexOf(column);
    if (textAt < 0) throw new GlassboxError("BAD_DATA", `${path} has no text column "${column}" (pass --text COLUMN); its columns are: ${columnList(header)}`);
    const state = fitText(
      rows.map((r) => r[textAt]),
      options.textOptions,
    );
    const features = concat(
      rows.map((r) => textFeatures(state, r[textAt])),
      state.vocabulary.length,
    );
    const data = dataset(features, rows.length, featureNames(state), labels, labelNames, path, label);
    return loaded(data, state, `CSV of texts (column "${column}")`, { textColumn: column, notes: decoded.note ? [decoded.note] : [] });
  }
  const names = header.filter((_, j) => j !== labelAt);
  const state = fitTable(
    names,
    rows.map((r) => r.filter((_, j) => j !== labelAt)),
    options.table,
    where,
  );
  const data = dataset(tableFeatureRows(state, table, path), rows.length, featureNames(state), labels, labelNames, path, label);
  return loaded(data, state, "CSV table", { notes: decoded.note ? [decoded.note] : [] });
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
    return fromFiles(state, scan.files, scan.skipped, labelled ? known : null, `folder of ${scan.kind} files`, scan.root, false, undefined, onProgress);
  }
  if (single && /\.csv$/i.test(single) && state.kind === "table") {
    const labelColumn = network.about.labelColumn ?? "label";
    const featurized = featurizeFile(state, readBytes(single), single, labelColumn);
    if (requireLabel && !featurized.labelTexts) throw new GlassboxError("BAD_DATA", `${single} has no label column "${labelColumn}" to evaluate against`);
    const labelled = featurized.labelTexts
      ? indexLabels(featurized.labelTexts, network.labels, (i) => `${rowName(i, featurized.lines ?? [], single)}, column "${labelColumn}"`)
      : null;
    const data = dataset(featurized.features, featurized.rows, featureNames(state), labelled?.labels ?? null, network.labels, single, labelColumn);
    return loaded(data, state, "CSV table", { hierarchy: known.hierarchy });
  }
  if (single && /\.csv$/i.test(single) && state.kind === "text") return textCsvForModel(network, state, single, requireLabel);
  if (requireLabel) throw new GlassboxError("BAD_DATA", "evaluate needs labelled data: a folder per label, or a CSV with a label column");
  return fromFiles(
    state,
    paths.map((path) => ({ path, labelPath: [] })),
    [],
    null,
    `${paths.length} ${state.kind} file${paths.length === 1 ? "" : "s"}`,
    null,
    true,
  );
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
  const labels =
    labelAt < 0
      ? null
      : indexLabels(
          rows.map((r) => r[labelAt]),
          network.labels,
          (i) => `${rowName(i, lines, path)}, column "${label}"`,
        ).labels;
  const features = concat(
    rows.map((r) => textFeatures(state, r[textAt])),
    state.vocabulary.length,
  );
  return loaded(dataset(features, rows.length, null, labels, network.labels, path, label), state, "CSV of texts", { textColumn: column });
}

/** The featurizer for a folder of files, fitted on them (texts: the vocabulary; images: size and colour). */
function fitForFiles(kind: FeaturizerKind, files: LabelledFile[], options: TrainingDataOptions, read: Map<string, Uint8Array>): FeaturizerState {
  const bytesOf = (path: string): Uint8Array => {
    const bytes = readBytes(path);
    read.set(path, bytes);
    return bytes;
  };
  if (kind === "sound") return fitSound(options.sound);
  if (kind === "table") throw new GlassboxError("BAD_ARGUMENT", "a table is read from a .csv file, not a folder");
  if (kind === "text") {
    const documents: string[] = [];
    for (const f of files) {
      try {
        documents.push(readableText(bytesOf(f.path), f.path));
      } catch (error) {
        if (!(error instanceof GlassboxError)) throw error;
      }
    }
    return fitText(documents, options.textOptions);
  }
  return fitImage(sampledImages(files, bytesOf), options.image);
}

/** Up to IMAGE_SAMPLE images spread evenly over the files; unreadable ones are left out here (and reported later). */
function* sampledImages(files: LabelledFile[], bytesOf: (path: string) => Uint8Array): Generator<RgbaImage> {
  const step = Math.max(1, files.length / IMAGE_SAMPLE);
  for (let i = 0; i < files.length; i += step) {
    const path = files[Math.floor(i)].path;
    try {
      yield decodeImage(bytesOf(path), path);
    } catch (error) {
      if (!(error instanceof GlassboxError)) throw error;
    }
  }
}

/**
 * Files -> one feature row each. A file that cannot be read is skipped with its reason, unless
 * it is the only input (then its error stands). Labels come from the folders. Files already in
 * `read` (by fitting) are taken from there.
 */
function fromFiles(
  state: FeaturizerState,
  files: LabelledFile[],
  skippedBefore: Skip[],
  known: { labelNames: string[]; hierarchy: Hierarchy | null } | null,
  what: string,
  source: string | null,
  unlabelled = false,
  read?: Map<string, Uint8Array>,
  onProgress?: Progress,
): LoadedData {
  const count = featureCount(state);
  // Images are held as bytes (a quarter of the floats), rounded to 256 levels as an 8-bit resize would.
  const asBytes = state.kind === "image";
  const features = asBytes ? new Uint8Array(files.length * count) : new Float32Array(files.length * count);
  const kept: LabelledFile[] = [];
  const skipped = [...skippedBefore];
  const notes: string[] = [];
  for (const [i, file] of files.entries()) {
    if (onProgress && i % PROGRESS_EVERY === 0) onProgress(i, files.length);
    try {
      const bytes = read?.get(file.path) ?? readBytes(file.path);
      read?.delete(file.path);
      const out = featurizeFile(state, bytes, file.path);
      const row = out.features.subarray(0, count);
      features.set(asBytes ? imageBytes(row) : row, kept.length * count);
      if (out.note) notes.push(out.note);
      kept.push(file);
    } catch (error) {
      if (!(error instanceof GlassboxError) || files.length === 1) throw error;
      skipped.push({ file: file.path, reason: error.message.startsWith(`${file.path}: `) ? error.message.slice(file.path.length + 2) : error.message });
    }
  }
  onProgress?.(files.length, files.length);
  if (kept.length === 0) throw new GlassboxError("BAD_DATA", `none of the ${files.length} files could be read; the first: ${skipped[0]?.file}: ${skipped[0]?.reason}`);
  const name = source ?? kept[0].path;
  let labels: Int32Array | null = null;
  let labelNames = known?.labelNames ?? [];
  let hierarchy = known?.hierarchy ?? null;
  if (!unlabelled && kept.every((f) => f.labelPath.length > 0)) {
    ({ labels, labelNames, hierarchy } = labelsFromPaths(
      kept.map((f) => f.labelPath),
      known,
      (i) => kept[i].path,
    ));
  }
  const levels = hierarchy ? ` in ${hierarchy.reduce((deepest, p) => Math.max(deepest, p.length), 0)} levels` : "";
  const detected = labels ? `${what}: ${labelNames.length} labels${levels}, ${kept.length} files` : `${what}`;
  const data = dataset(features.subarray(0, kept.length * count), kept.length, featureNames(state), labels, labelNames, name, null);
  return loaded(data, state, detected, { hierarchy, skipped, notes, files: kept.map((f) => f.path) });
}

/** A LoadedData; what extra leaves out is empty: no hierarchy, text column, skips, notes or files. */
function loaded(data: Dataset, featurizer: FeaturizerState | null, detected: string, extra: Partial<LoadedData> = {}): LoadedData {
  return { data, featurizer, hierarchy: null, textColumn: null, detected, skipped: [], notes: [], files: null, ...extra };
}

function dataset(
  features: FeatureArray,
  rows: number,
  names: string[] | null,
  labels: Int32Array | null,
  labelNames: string[],
  source: string,
  labelColumn: string | null,
): Dataset {
  const columns = rows > 0 ? features.length / rows : 0;
  return { features, rows, columns, featureNames: names, labels, labelNames, source, ...(labelColumn ? { labelColumn } : {}) };
}

function concat(rows: Float32Array[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, i) => out.set(row, i * width));
  return out;
}
