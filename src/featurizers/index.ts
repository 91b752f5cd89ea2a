import { GlassboxError } from "../errors.js";
import { csvText, parseCsvTable, rowName, type CsvTable } from "./table/csv.js";
import { FEATURIZER_KINDS, type FeaturizerKind, type FeaturizerState } from "./featurizer.js";
import { checkImageState, decodeImage, imageFeatureNames, imageFeatures } from "./image/index.js";
import { checkSoundState, decodeWav, resample, soundFeatureCount, soundFeatureNames, soundFeatures, spectrogramShape } from "./sound/index.js";
import { checkTextState, emailText, textFeatureNames, textFeatures } from "./text/index.js";
import { checkTableState, tableFeatureCount, tableFeatureNames, tableFeatures, unseenCategories } from "./table/index.js";

export { FEATURIZER_KINDS, type FeaturizerKind, type FeaturizerState } from "./featurizer.js";

/** Numbers per input. */
export function featureCount(state: FeaturizerState): number {
  switch (state.kind) {
    case "image":
      return state.height * state.width * state.channels;
    case "sound":
      return soundFeatureCount(state);
    case "text":
      return state.vocabulary.length;
    case "table":
      return tableFeatureCount(state);
  }
}

/**
 * The shape of one input's features: [height, width, channels] for an image (channels
 * interleaved, NHWC), [frames, bands] for a log-mel spectrogram, [features] otherwise.
 */
export function featureShape(state: FeaturizerState): number[] {
  if (state.kind === "image") return [state.height, state.width, state.channels];
  const spectrogram = state.kind === "sound" ? spectrogramShape(state) : null;
  return spectrogram ? [spectrogram.frames, spectrogram.mels] : [featureCount(state)];
}

/**
 * A model's featurizer record as the featurizer state it is. The model keeps the record as
 * JSON; the model file reader checks it (checkFeaturizerState) before any model holds it.
 */
export function featurizerOf(model: { about: { featurizer: { readonly kind: string } | null } }): FeaturizerState | null {
  return model.about.featurizer as FeaturizerState | null;
}

/** A model's input names: its featurizer's, else the names it was trained with, else "feature 1", "feature 2"... */
export function inputNamesOf(model: { inputs: number; about: { featurizer: { readonly kind: string } | null; featureNames: string[] | null } }): string[] {
  const state = featurizerOf(model);
  return state ? featureNames(state) : (model.about.featureNames ?? Array.from({ length: model.inputs }, (_, k) => `feature ${k + 1}`));
}

/** One name per number, in the featurizer's language ("pixel (row 3, column 5)", "city = Oslo", "free"). */
export function featureNames(state: FeaturizerState): string[] {
  switch (state.kind) {
    case "image":
      return imageFeatureNames(state);
    case "sound":
      return soundFeatureNames(state);
    case "text":
      return textFeatureNames(state);
    case "table":
      return tableFeatureNames(state);
  }
}

/** "image 28x28 gray", "text: 5000 words, tf-idf", ... */
export function describeFeaturizer(state: FeaturizerState): string {
  switch (state.kind) {
    case "image":
      return `image ${state.width}x${state.height} ${state.channels === 1 ? "gray" : "rgb"}`;
    case "sound": {
      const shape = spectrogramShape(state);
      const what = shape ? `log-mel spectrogram ${shape.frames} frames x ${shape.mels} bands` : "amplitudes";
      return `sound ${state.rate} Hz, ${state.seconds} s window, ${what}`;
    }
    case "text":
      return `text: ${state.vocabulary.length} terms${state.bigrams ? " (with bigrams)" : ""}, ${state.idf ? "tf-idf" : state.logCounts ? "log(1 + word count)" : "word counts"}`;
    case "table": {
      const numeric = state.columns.filter((c) => c.type === "numeric").length;
      return `table: ${state.columns.length} columns (${numeric} numeric, ${state.columns.length - numeric} categorical) -> ${tableFeatureCount(state)} features`;
    }
  }
}

/** Checks a featurizer state read from a model file. */
export function checkFeaturizerState(state: unknown, source: string): FeaturizerState {
  const kind = (state as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case "image":
      return checkImageState(state, source);
    case "sound":
      return checkSoundState(state, source);
    case "text":
      return checkTextState(state, source);
    case "table":
      return checkTableState(state, source);
    default:
      throw new GlassboxError("BAD_MODEL_FILE", `${source}: unknown featurizer "${String(kind)}"; expected one of ${FEATURIZER_KINDS.join(", ")}`);
  }
}

/** Features of one or more inputs from one raw file, with a note when something was adapted (an image resized). */
export interface Featurized {
  features: Float32Array; // [rows, featureCount]
  rows: number;
  note: string | null;
  /** Labels found in the file (a CSV's label column), else null. */
  labelTexts: string[] | null;
  /** For a CSV, the line each row ends on, for messages. */
  lines?: number[];
  /** For a table, the values of categorical columns the model never saw (each read as "other"), most rows first. */
  unseen?: UnseenValue[];
}

/** A category value the model was not trained on, and how many rows hold it. */
export interface UnseenValue {
  column: string;
  value: string;
  rows: number;
}

/**
 * The bytes of one raw file -> features, the way the model was trained: a PNG or JPEG for an
 * image model, a WAV for a sound model, a text or e-mail for a text model, a CSV (one row per
 * input, header first) for a table model. Throws BAD_DATA with the reason for unusable input.
 * @example featurizeFile(model.about.featurizer, pngBytes, "shoe.png").rows // 1
 */
export function featurizeFile(state: FeaturizerState, bytes: Uint8Array, source: string, labelColumn: string | null = null): Featurized {
  switch (state.kind) {
    case "image": {
      const { features, resizedFrom } = imageFeatures(state, decodeImage(bytes, source));
      const note = resizedFrom ? `${source} is ${resizedFrom.width}x${resizedFrom.height}; resized to the model's ${state.width}x${state.height}` : null;
      return { features, rows: 1, note, labelTexts: null };
    }
    case "sound":
      return { features: soundFeatures(state, resample(decodeWav(bytes, source), state.rate)), rows: 1, note: null, labelTexts: null };
    case "text":
      return { features: textFeatures(state, readableText(bytes, source)), rows: 1, note: null, labelTexts: null };
    case "table": {
      const { text, note } = csvText(bytes, source);
      const rows = tableRows(state, text, source, labelColumn);
      return note ? { ...rows, note } : rows;
    }
  }
}

/**
 * featurizeFile through a model's own featurizer (and, for a table, its label column): the raw
 * file read the way the model was trained. A model without a featurizer reads numbers as they
 * are, and is refused here with that said.
 * @example featurizeFor(loadModel("png.safetensors"), readFileSync("shoe.png"), "shoe.png").features.length // 784
 */
export function featurizeFor(model: { about: { featurizer: { readonly kind: string } | null; labelColumn?: string | null } }, bytes: Uint8Array, source: string): Featurized {
  const state = featurizerOf(model);
  if (!state) throw new GlassboxError("BAD_ARGUMENT", `${source}: this model has no featurizer (it reads rows of numbers as they are); pass it features, not a raw file`);
  return featurizeFile(state, bytes, source, model.about.labelColumn ?? null);
}

/**
 * A text file's words: UTF-8, or Windows-1252 when the bytes are not UTF-8 (older e-mails);
 * an e-mail keeps its subject, sender and decoded body. An empty or blank file is BAD_DATA.
 */
export function readableText(bytes: Uint8Array, source: string): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("windows-1252").decode(bytes);
  }
  if (text.trim() === "") throw new GlassboxError("BAD_DATA", `${source} is empty: expected some text`);
  return looksLikeEmail(text) ? emailText(text) : text;
}

/** An e-mail starts with header lines such as "From: ..." or "Received: ...". */
function looksLikeEmail(text: string): boolean {
  const head = text.slice(0, 2000).split(/\r?\n/, 8);
  return /^(From |[A-Za-z][A-Za-z0-9-]*: )/.test(head[0] ?? "") && head.slice(0, 5).filter((line) => /^[A-Za-z][A-Za-z0-9-]*: /.test(line)).length >= 2;
}

/** A CSV -> one feature row per data row; the label column, when present, is read but not a feature. */
function tableRows(state: Extract<FeaturizerState, { kind: "table" }>, text: string, source: string, labelColumn: string | null): Featurized {
  const table = parseCsvTable(text, source);
  const { header, rows, lines } = table;
  const labelAt = labelColumn === null ? -1 : header.indexOf(labelColumn);
  const features = tableFeatureRows(state, table, source);
  const position = new Map(header.map((name, j) => [name, j]));
  const unseen = new Map<string, UnseenValue>();
  for (const row of rows) {
    for (const { column, value } of unseenCategories(state, (name) => row[position.get(name) ?? -1])) {
      const key = JSON.stringify([column, value]);
      const found = unseen.get(key) ?? { column, value, rows: 0 };
      found.rows++;
      unseen.set(key, found);
    }
  }
  const sorted = [...unseen.values()].sort((a, b) => b.rows - a.rows || a.column.localeCompare(b.column) || a.value.localeCompare(b.value));
  return { features, rows: rows.length, note: null, labelTexts: labelAt >= 0 ? rows.map((r) => r[labelAt]) : null, lines, unseen: sorted };
}

/** Parsed CSV rows -> features: [rows, featureCount], every column the model was trained on found by name. */
export function tableFeatureRows(state: Extract<FeaturizerState, { kind: "table" }>, { header, rows, lines }: CsvTable, source: string): Float32Array {
  const count = tableFeatureCount(state);
  const features = new Float32Array(rows.length * count);
  const position = new Map(header.map((name, j) => [name, j]));
  for (const column of state.columns) {
    if (!position.has(column.name)) {
      throw new GlassboxError("BAD_DATA", `${source} lacks the column "${column.name}" the model was trained on; its columns are: ${header.join(", ")}`);
    }
  }
  const at = state.columns.map((column) => position.get(column.name) ?? -1);
  rows.forEach((row, i) => {
    features.set(
      tableFeatures(state, (_, j) => row[at[j]], rowName(i, lines, source)),
      i * count,
    );
  });
  return features;
}

/** What kind of raw file a name suggests: images, sounds, texts or a table. */
export function kindOfFile(name: string): FeaturizerKind | null {
  const extension = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
  if (["png", "jpg", "jpeg"].includes(extension)) return "image";
  if (["wav", "wave"].includes(extension)) return "sound";
  if (["txt", "eml", "text", "msg", ""].includes(extension)) return "text";
  if (extension === "csv") return "table";
  return null;
}
