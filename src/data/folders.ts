import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { GlassboxError } from "../errors.js";
import { kindOfFile, type FeaturizerKind } from "../featurizers/index.js";

/** Node-only: finding the files of a folder-per-label dataset. */

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

export interface FolderScan {
  kind: FeaturizerKind;
  files: LabelledFile[];
  skipped: Skip[];
  /** The folder the files were read from (the train/ or test/ half when the dataset is split). */
  root: string;
}

/** Files at the top of a dataset folder that describe it rather than belong to it. */
const DESCRIPTIONS = /^(readme|license|licence|labels|notice|copying)(\.[a-z]+)?$/i;

/**
 * A folder of labelled files: data/<label>/file.png, or nested data/<category>/<label>/file.png
 * for a hierarchy. When it holds train/ and test/ folders, `split` picks one. The kind is the
 * most common kind of file (images, WAVs or texts) unless `kind` says; files of another kind are
 * skipped and reported. Files directly inside a folder without label folders are unlabelled
 * inputs (for predict).
 */
export function scanFolder(dir: string, split: "train" | "test", kind?: FeaturizerKind): FolderScan {
  const root = hasSplit(dir) ? under(dir, split) : dir;
  const all: string[] = [];
  const skipped: Skip[] = [];
  walk(root, all, skipped);
  const labelled = all.some((path) => relative(root, path).includes(sep));
  const candidates: string[] = [];
  for (const path of all) {
    const nested = relative(root, path).includes(sep);
    if (labelled && !nested) {
      const name = relative(root, path);
      if (!DESCRIPTIONS.test(name)) skipped.push({ file: path, reason: "not inside a label folder" });
      continue;
    }
    candidates.push(path);
  }
  const counts = new Map<FeaturizerKind, number>();
  for (const path of candidates) {
    const k = kindOfFile(path);
    if (k && k !== "table") counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const chosen = kind ?? [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!chosen) {
    throw new GlassboxError("BAD_DATA", `${root} holds no images (.png, .jpg), sounds (.wav) or texts (.txt, .eml): expected a folder per label of such files`);
  }
  const files: LabelledFile[] = [];
  for (const path of candidates) {
    const k = kindOfFile(path);
    // An explicit text featurizer reads every file as text (e-mail corpora name files by hash).
    if (k === chosen || (kind === "text" && k !== "image" && k !== "sound")) {
      const parts = relative(root, path).split(sep);
      files.push({ path, labelPath: parts.slice(0, -1) });
    } else {
      skipped.push({ file: path, reason: k ? `a ${k} file in a dataset of ${chosen} files` : `not a ${chosen} file (unknown extension)` });
    }
  }
  if (files.length === 0) throw new GlassboxError("BAD_DATA", `${root} holds no ${chosen} files`);
  return { kind: chosen, files, skipped, root };
}

function hasSplit(dir: string): boolean {
  return ["train", "test"].every((name) => existsSync(join(dir, name)) && statSync(join(dir, name)).isDirectory());
}

/**
 * Every file under `dir` (dot files and dot folders left out), in a stable order. A symbolic link
 * to a file counts as that file; one that leads nowhere (dangling, or a loop) is skipped with its
 * reason, like a corrupt image. Links to folders are not followed.
 */
/** `name` inside `dir`, with dir as the user typed it ("./photos" stays "./photos/cat.png"): what messages and predictions print. */
function under(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

function walk(dir: string, out: string[], skipped: Skip[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = under(dir, entry.name);
    if (entry.isDirectory()) walk(path, out, skipped);
    else if (entry.isFile()) out.push(path);
    else if (entry.isSymbolicLink()) {
      const target = linkTarget(path);
      if (target === "file") out.push(path);
      else if (target !== "folder") skipped.push({ file: path, reason: target });
    }
  }
}

/** What a symbolic link leads to: a file, a folder, or why it leads nowhere. */
function linkTarget(path: string): "file" | "folder" | string {
  try {
    const stat = statSync(path);
    return stat.isFile() ? "file" : stat.isDirectory() ? "folder" : "a link to something that is not a file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ELOOP"
      ? "a symbolic link that loops back on itself"
      : code === "ENOENT"
        ? "a broken symbolic link (its target does not exist)"
        : `a symbolic link that cannot be followed (${code})`;
  }
}
