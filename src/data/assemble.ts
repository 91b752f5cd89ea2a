import { GlassboxError } from "../errors.js";
import { featureCount, featureNames, featurizeFile, readableText, tableFeatureRows, type FeaturizerKind, type FeaturizerState, type UnseenValue } from "../featurizers/index.js";
import { decodeImage, fitImage, type ImageOptions, type RgbaImage } from "../featurizers/image/index.js";
import { fitSound, type SoundOptions } from "../featurizers/sound/index.js";
import { fitText, textFeatures, type TextOptions } from "../featurizers/text/index.js";
import { fitTable, type TableOptions, type TableState } from "../featurizers/table/index.js";
import { columnList, csvText, parseCsvTable, rowName } from "../featurizers/table/csv.js";
import { defaultLabelColumn, indexLabels, MOST_NUMERIC_CLASSES, parseTargets, taskOf, type Task } from "./csv.js";
import { labelsFromPaths } from "./labels.js";
import { imageBytes, type Dataset, type FeatureArray } from "./dataset.js";

/**
 * Datasets from bytes, wherever the bytes come from (the disk in Node, dropped files in a
 * browser): files of a folder per label, or a CSV, turned into feature rows through a featurizer
 * fitted on them or a model's.
 */

export interface TrainingDataOptions {
  /** Overrides detection. */
  featurizer?: FeaturizerKind;
  /** The label column of a CSV. Default "label", else the last column. */
  label?: string;
  /** Whether a CSV's label column holds classes or numbers to predict. Default: see taskOf (many different numbers: a regression). */
  task?: Task;
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

/** A file's bytes by its path (read from disk, or held in memory). */
export type ReadBytes = (path: string) => Uint8Array;

/** A file left out of a dataset, and why. */
export interface Skip {
  file: string;
  reason: string;
}

export interface LabelledFile {
  path: string;
  /** Folders between the dataset root and the file: ["animal", "domestic", "dog"]; [] when unlabelled. */
  labelPath: string[];
}

/** How often, in files, a folder's reading reports progress. */
const PROGRESS_EVERY = 256;

/** Each label's path of categories, root first (as a model keeps it). */
export type Hierarchy = string[][];

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
  /** Things adapted on the way, one per file (images resized). */
  notes: string[];
  /** What to tell a person about the dataset as a whole: its text encoding, columns that look like free text, categories a model never saw. */
  advice: string[];
  /** For a table read for a model: the category values it was not trained on (read as "other"). */
  unseen?: UnseenValue[];
  /** The file each row came from, when rows are files. */
  files: string[] | null;
}

/** Images sampled to learn a default size and colour. */
const IMAGE_SAMPLE = 500;

/**
 * A CSV to train on: a table, or texts when `options.text` names the column (or the text
 * featurizer is asked for). The featurizer is fitted on its rows.
 */
export function csvTrainingData(bytes: Uint8Array, path: string, options: TrainingDataOptions): LoadedData {
  const decoded = csvText(bytes, path);
  const table = parseCsvTable(decoded.text, path);
  const { header, rows, lines } = table;
  const label = options.label ?? defaultLabelColumn(header);
  const labelAt = header.indexOf(label);
  if (labelAt < 0) throw new GlassboxError("BAD_DATA", `${path} has no label column "${label}"; its columns are: ${columnList(header)}`);
  const where = (i: number): string => rowName(i, lines, path);
  const texts = rows.map((r) => r[labelAt]);
  const task = options.task ?? taskOf(texts);
  const target = (i: number): string => `${where(i)}, column "${label}"`;
  const { labels, labelNames } = task === "regress" ? { labels: null, labelNames: [label] } : indexLabels(texts, undefined, target);
  const targets = task === "regress" ? parseTargets(texts, target) : null;
  const advice = decoded.note ? [decoded.note] : [];
  if (task === "regress" && options.task === undefined) {
    const distinct = new Set(texts).size;
    advice.push(
      `the label column "${label}" holds ${distinct} different numbers${distinct > MOST_NUMERIC_CLASSES ? ` (over ${MOST_NUMERIC_CLASSES})` : ""}: training a regression that predicts it; to treat its values as classes, set the task to "classify" (train --task classify)`,
    );
  }
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
    const data = { ...dataset(features, rows.length, featureNames(state), labels, labelNames, path, label), targets };
    return loaded(data, state, `CSV of texts (column "${column}")`, { textColumn: column, advice });
  }
  const names = header.filter((_, j) => j !== labelAt);
  const state = fitTable(
    names,
    rows.map((r) => r.filter((_, j) => j !== labelAt)),
    options.table,
    where,
  );
  const data = { ...dataset(tableFeatureRows(state, table, path), rows.length, featureNames(state), labels, labelNames, path, label), targets };
  return loaded(data, state, task === "regress" ? `CSV table, a regression on "${label}"` : "CSV table", { advice: [...advice, ...freeTextColumns(names, rows, labelAt, state)] });
}

/**
 * Columns read as categories that look like free text: many distinct values (over 20, and over
 * a quarter of the rows), most of them of three words or more. As categories they give one
 * feature per frequent value and learn little; as text (the `text` option) their words count.
 */
function freeTextColumns(names: string[], rows: string[][], labelAt: number, state: TableState): string[] {
  const advice: string[] = [];
  for (const column of state.columns) {
    if (column.type !== "categorical") continue;
    const j = names.indexOf(column.name);
    const at = j < labelAt ? j : j + 1; // names leave the label column out
    const values = rows.map((r) => (r[at] ?? "").trim()).filter((v) => v !== "");
    const distinct = new Set(values).size;
    const wordy = values.filter((v) => v.split(/\s+/).length >= 3).length;
    if (distinct > 20 && distinct * 4 > rows.length && wordy * 2 > values.length) {
      advice.push(
        `column "${column.name}" looks like free text (${distinct} different values, most of three words or more): it is read as categories; to read its words, make it the text column (the text option; train --text ${column.name})`,
      );
    }
  }
  return advice;
}

/** The featurizer for a folder of files, fitted on them (texts: the vocabulary; images: size and colour). */
export function fitForFiles(kind: FeaturizerKind, files: LabelledFile[], options: TrainingDataOptions, bytesOf: ReadBytes): FeaturizerState {
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
function* sampledImages(files: LabelledFile[], bytesOf: ReadBytes): Generator<RgbaImage> {
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

/** What a folder's files are read against: the labels (and hierarchy) of a model, or none to learn them. */
export interface KnownLabels {
  labelNames: string[];
  hierarchy: Hierarchy | null;
}

/**
 * Files -> one feature row each. A file that cannot be read is skipped with its reason, unless
 * it is the only input (then its error stands). Labels come from the folders, unless `unlabelled`.
 */
export function fromFiles(
  state: FeaturizerState,
  files: LabelledFile[],
  bytesOf: ReadBytes,
  how: { skipped?: Skip[]; known?: KnownLabels | null; what: string; source: string | null; unlabelled?: boolean; onProgress?: Progress | undefined },
): LoadedData {
  const { known = null, what, source, unlabelled = false, onProgress } = how;
  const count = featureCount(state);
  // Images are held as bytes (a quarter of the floats), rounded to 256 levels as an 8-bit resize would.
  const asBytes = state.kind === "image";
  const features = asBytes ? new Uint8Array(files.length * count) : new Float32Array(files.length * count);
  const kept: LabelledFile[] = [];
  const skipped = [...(how.skipped ?? [])];
  const notes: string[] = [];
  for (const [i, file] of files.entries()) {
    if (onProgress && i % PROGRESS_EVERY === 0) onProgress(i, files.length);
    try {
      const out = featurizeFile(state, bytesOf(file.path), file.path);
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

/** A LoadedData; what extra leaves out is empty: no hierarchy, text column, skips, notes, advice or files. */
export function loaded(data: Dataset, featurizer: FeaturizerState | null, detected: string, extra: Partial<LoadedData> = {}): LoadedData {
  return { data, featurizer, hierarchy: null, textColumn: null, detected, skipped: [], notes: [], advice: [], files: null, ...extra };
}

export function dataset(
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

export function concat(rows: Float32Array[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, i) => out.set(row, i * width));
  return out;
}
