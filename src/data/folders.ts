import { readdirSync, statSync } from "node:fs";
import { relative, sep } from "node:path";
import type { FeaturizerKind } from "../featurizers/index.js";
import type { Skip } from "./assemble.js";
import { compareNames, halfOf, labelFiles, type LabelledFiles } from "./folderFiles.js";

/** Node-only: finding the files of a folder-per-label dataset. */

export type { LabelledFile, Skip } from "./assemble.js";

export interface FolderScan extends LabelledFiles {
  /** The folder the files were read from (the train/ or test/ half when the dataset is split). */
  root: string;
}

/**
 * A folder of labelled files: data/<label>/file.png, or nested data/<category>/<label>/file.png
 * for a hierarchy. When it holds train/ and test/ folders, `split` picks one. The kind is the
 * most common kind of file (images, WAVs or texts) unless `kind` says (labelFiles has the rules).
 */
export function scanFolder(dir: string, split: "train" | "test", kind?: FeaturizerKind): FolderScan {
  const all: string[] = [];
  const walkSkips: Skip[] = [];
  walk(dir, all, walkSkips);
  const { half, entries } = halfOf(
    all.map((path) => ({ path, parts: relative(dir, path).split(sep) })),
    split,
  );
  const root = half ? under(dir, half) : dir;
  const inside = half ? walkSkips.filter((s) => relative(root, s.file).split(sep)[0] !== "..") : walkSkips;
  return { ...labelFiles(root, entries, kind, inside), root };
}

/** `name` inside `dir`, with dir as the user typed it ("./photos" stays "./photos/cat.png"): what messages and predictions print. */
function under(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

/**
 * Every file under `dir` (dot files and dot folders left out), in a stable order. A symbolic link
 * to a file counts as that file; one that leads nowhere (dangling, or a loop) is skipped with its
 * reason, like a corrupt image. Links to folders are not followed.
 */
function walk(dir: string, out: string[], skipped: Skip[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareNames(a.name, b.name));
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
