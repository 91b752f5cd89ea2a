import { GlassboxError } from "../errors.js";
import { fitForFiles, fromFiles, type LoadedData, type TrainingDataOptions } from "./assemble.js";
import { compareNames, halfOf, labelFiles, type FileEntry } from "./folderFiles.js";

/** A file held in memory, by its path inside what was given ("pets/cat/1.png"). */
export interface FileBytes {
  path: string;
  bytes: Uint8Array;
}

/** A dataset folder read for training, and its test/ half read through the same featurizer when it has one. */
export interface FolderData {
  training: LoadedData;
  test: LoadedData | null;
}

/**
 * A folder per label held in memory, as a browser gives a dropped or chosen folder: the same
 * datasets, rules and features as `loadTrainingData` on that folder on disk (the files in the
 * same order, so the same seed trains the same network). Paths start with the folder's own name
 * ("pets/cat/1.png"); dot files are left out. With train/ and test/ halves, the test half is read
 * against the training half's featurizer and labels.
 * @example folderTrainingData([{ path: "pets/cat/1.png", bytes }, ...]).training.detected // "folder of image files: 2 labels, 40 files"
 */
export function folderTrainingData(files: FileBytes[], options: TrainingDataOptions = {}): FolderData {
  const bytes = new Map(files.map((f) => [f.path, f.bytes]));
  const bytesOf = (path: string): Uint8Array => bytes.get(path) as Uint8Array;
  const split = files.map((f) => ({ path: f.path, parts: f.path.split("/").filter((p) => p !== "") }));
  const visible = split.filter((e) => e.parts.length > 0 && !e.parts.some((p) => p.startsWith(".")));
  if (visible.length === 0)
    throw new GlassboxError("BAD_DATA", `expected a folder per label of images, sounds or texts; got ${files.length === 0 ? "no files" : "only hidden files"}`);
  // The folder given is the root when every file is inside it.
  const top = visible[0].parts[0];
  const inside = visible.every((e) => e.parts.length > 1 && e.parts[0] === top);
  const root = inside ? top : "the files given";
  const entries: FileEntry[] = visible.map((e) => ({ path: e.path, parts: inside ? e.parts.slice(1) : e.parts }));
  entries.sort((a, b) => compareParts(a.parts, b.parts));

  const train = halfOf(entries, "train");
  const trainRoot = train.half ? `${root}/train` : root;
  const scan = labelFiles(trainRoot, train.entries, options.featurizer);
  const state = fitForFiles(scan.kind, scan.files, options, bytesOf);
  const what = `folder of ${scan.kind} files`;
  const training = fromFiles(state, scan.files, bytesOf, { skipped: scan.skipped, what, source: trainRoot, onProgress: options.onProgress });
  if (!train.half) return { training, test: null };
  const half = halfOf(entries, "test");
  const testScan = labelFiles(`${root}/test`, half.entries, scan.kind);
  const known = { labelNames: training.data.labelNames, hierarchy: training.hierarchy };
  const test = fromFiles(state, testScan.files, bytesOf, { skipped: testScan.skipped, known, what, source: `${root}/test` });
  return { training, test };
}

/** Walk order: folder by folder, each by name. */
function compareParts(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compareNames(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}
