/**
 * A featurizer turns one raw input (an image file, a WAV clip, a text, a table row) into the
 * numbers a network reads, and keeps what it learnt from the training data (sizes, vocabulary,
 * column statistics) as plain JSON, saved inside the model file.
 *
 * The featurizers are pure: they take bytes or strings, never paths, and use no Node-only API,
 * so the web app runs the very same code. Reading files sits in data/folders.ts.
 */
import type { ImageState } from "./image/index.js";
import type { SoundState } from "./sound/index.js";
import type { TextState } from "./text/index.js";
import type { TableState } from "./table/index.js";

export type FeaturizerState = ImageState | SoundState | TextState | TableState;
export type FeaturizerKind = FeaturizerState["kind"];
export const FEATURIZER_KINDS: readonly FeaturizerKind[] = ["image", "sound", "text", "table"];
