import { GlassboxError } from "../errors.js";
import { kindOfFile, type FeaturizerKind } from "../featurizers/index.js";
import type { LabelledFile, Skip } from "./assemble.js";

/**
 * Which files of a folder-per-label dataset to read, and their labels, from their places in the
 * folder alone: the same rules for a folder on disk and for one dropped on a web page.
 */

/** A file of a dataset folder: its path (as messages print it) and its folders and name below the dataset's root. */
export interface FileEntry {
  path: string;
  parts: string[];
}

/** The files of a folder per label, of one kind, with the others and why they were left out. */
export interface LabelledFiles {
  kind: FeaturizerKind;
  files: LabelledFile[];
  skipped: Skip[];
}

/** Names in the order a folder is walked on disk: per folder, by name, numbers by value ("2.png" before "10.png"). */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** Files at the top of a dataset folder that describe it rather than belong to it. */
const DESCRIPTIONS = /^(readme|license|licence|labels|notice|copying)(\.[a-z]+)?$/i;

/**
 * A dataset split into train/ and test/ halves gives the files of the half asked for, with
 * parts below that half; any other dataset is one whole (half null).
 */
export function halfOf(entries: FileEntry[], split: "train" | "test"): { half: "train" | "test" | null; entries: FileEntry[] } {
  const halves = new Set(entries.filter((e) => e.parts.length > 1).map((e) => e.parts[0]));
  if (!halves.has("train") || !halves.has("test")) return { half: null, entries };
  return { half: split, entries: entries.filter((e) => e.parts.length > 1 && e.parts[0] === split).map((e) => ({ path: e.path, parts: e.parts.slice(1) })) };
}

/**
 * Files in label folders (data/<label>/file.png, or nested data/<category>/<label>/file.png for
 * a hierarchy). The kind is the most common kind of file (images, WAVs or texts) unless `kind`
 * says; files of another kind are skipped and reported. When no file is in a folder, all are
 * unlabelled inputs (for predict).
 */
export function labelFiles(root: string, entries: FileEntry[], kind?: FeaturizerKind, skippedBefore: Skip[] = []): LabelledFiles {
  const skipped = [...skippedBefore];
  const labelled = entries.some((e) => e.parts.length > 1);
  const candidates: FileEntry[] = [];
  for (const entry of entries) {
    if (labelled && entry.parts.length === 1) {
      if (!DESCRIPTIONS.test(entry.parts[0])) skipped.push({ file: entry.path, reason: "not inside a label folder" });
      continue;
    }
    candidates.push(entry);
  }
  const counts = new Map<FeaturizerKind, number>();
  for (const { path } of candidates) {
    const k = kindOfFile(path);
    if (k && k !== "table") counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const chosen = kind ?? [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!chosen) {
    throw new GlassboxError("BAD_DATA", `${root} holds no images (.png, .jpg), sounds (.wav) or texts (.txt, .eml): expected a folder per label of such files`);
  }
  const files: LabelledFile[] = [];
  for (const { path, parts } of candidates) {
    const k = kindOfFile(path);
    // An explicit text featurizer reads every file as text (e-mail corpora name files by hash).
    if (k === chosen || (kind === "text" && k !== "image" && k !== "sound")) {
      files.push({ path, labelPath: parts.slice(0, -1) });
    } else {
      skipped.push({ file: path, reason: k ? `a ${k} file in a dataset of ${chosen} files` : `not a ${chosen} file (unknown extension)` });
    }
  }
  if (files.length === 0) throw new GlassboxError("BAD_DATA", `${root} holds no ${chosen} files`);
  return { kind: chosen, files, skipped };
}
