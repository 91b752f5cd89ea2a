/**
 * The Train view's data: the embedded Fashion-MNIST subset, a folder chosen or dropped (a folder
 * per label of images, sounds or texts), or a CSV chosen or dropped (with its label column). The
 * files are read into memory here and handed to the worker, which reads them through the library.
 */
import { csvText, defaultLabelColumn, parseCsvTable, type FileBytes } from "glassbox";
import { byId, h } from "./dom.js";
import type { TrainData } from "./messages.js";

type Source = "fashion" | "folder" | "csv";

/** A dropped or chosen folder larger than this is refused (the page holds every file in memory). */
const MAX_BYTES = 512 * 1024 * 1024;
const MAX_FILES = 100_000;

export class TrainDataChoice {
  private folder: { name: string; files: FileBytes[] } | null = null;
  private csv: { name: string; bytes: Uint8Array } | null = null;
  private readonly source = byId<HTMLSelectElement>("train-source");
  private readonly label = byId<HTMLSelectElement>("train-label");
  private readonly summary = byId("train-data");

  constructor() {
    this.source.addEventListener("change", () => this.show());
    const folderInput = byId<HTMLInputElement>("train-folder");
    folderInput.addEventListener("change", () => {
      const files = [...(folderInput.files ?? [])];
      void this.useFolder(files.map((file) => ({ file, path: file.webkitRelativePath || file.name })));
    });
    const csvInput = byId<HTMLInputElement>("train-csv");
    csvInput.addEventListener("change", () => {
      const file = csvInput.files?.[0];
      if (file) void this.useCsv(file);
    });
    const drop = byId("train-drop");
    drop.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      drop.classList.add("dragging");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
    drop.addEventListener("drop", (event) => {
      drop.classList.remove("dragging");
      if (!event.dataTransfer) return;
      event.preventDefault();
      void this.dropped(event.dataTransfer);
    });
    this.show();
  }

  /** What the worker trains on; throws with what is missing when the chosen source has no data yet. */
  data(): TrainData {
    const source = this.source.value as Source;
    if (source === "folder") {
      if (!this.folder) throw new Error("Data: choose a folder (one folder per label inside) or drop one here");
      return { kind: "folder", ...this.folder };
    }
    if (source === "csv") {
      if (!this.csv) throw new Error("Data: choose a CSV file or drop one here");
      return { kind: "csv", ...this.csv, label: this.label.value };
    }
    const rows = Number(byId<HTMLSelectElement>("train-rows").value);
    return { kind: "fashion", rows, dataUrl: new URL("data/", location.href).href };
  }

  /** The name the trained model is downloaded under. */
  modelName(): string {
    const source = this.source.value as Source;
    const name = source === "folder" ? this.folder?.name : source === "csv" ? this.csv?.name.replace(/\.csv$/i, "") : "fashion-mnist";
    return `${(name ?? "model").replace(/[^\w.-]+/g, "-")}.safetensors`;
  }

  /** Shows the fields of the chosen source only. */
  private show(): void {
    for (const field of document.querySelectorAll<HTMLElement>("#train-form [data-source]")) field.hidden = field.dataset.source !== this.source.value;
  }

  private say(text: string, isError = false): void {
    this.summary.textContent = text;
    this.summary.classList.toggle("error", isError);
  }

  private async useFolder(entries: { file: File; path: string }[]): Promise<void> {
    this.source.value = "folder";
    this.show();
    if (entries.length === 0) return this.say("That folder holds no files.", true);
    if (entries.length > MAX_FILES)
      return this.say(
        `That folder holds ${entries.length} files; this page reads at most ${MAX_FILES.toLocaleString("en")}. Train on it with the CLI: glassbox train FOLDER`,
        true,
      );
    const size = entries.reduce((sum, e) => sum + e.file.size, 0);
    if (size > MAX_BYTES)
      return this.say(
        `That folder holds ${(size / 2 ** 20).toFixed(0)} MB; this page reads at most ${MAX_BYTES / 2 ** 20} MB. Train on it with the CLI: glassbox train FOLDER`,
        true,
      );
    this.say(`Reading ${entries.length} files…`);
    const files = await Promise.all(entries.map(async (e) => ({ path: e.path, bytes: new Uint8Array(await e.file.arrayBuffer()) })));
    const name = files[0].path.split("/")[0] || "folder";
    this.folder = { name, files };
    const labels = new Set(files.map((f) => f.path.split("/").slice(1, -1).join("/")).filter((l) => l !== ""));
    this.say(`${name}: ${files.length} files in ${labels.size} folders, ready to train.`);
  }

  private async useCsv(file: File): Promise<void> {
    this.source.value = "csv";
    this.show();
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      const { header, rows } = parseCsvTable(csvText(bytes, file.name).text, file.name);
      const chosen = defaultLabelColumn(header);
      this.label.replaceChildren(...header.map((column) => h("option", { value: column, ...(column === chosen ? { selected: "" } : {}) }, column)));
      this.csv = { name: file.name, bytes };
      this.say(`${file.name}: ${rows.length} rows, ${header.length} columns, ready to train. Pick the label column.`);
    } catch (error) {
      this.csv = null;
      this.label.replaceChildren();
      this.say((error as Error).message, true);
    }
  }

  /** A dropped CSV file, or a dropped folder (walked through the entries API), or loose files. */
  private async dropped(transfer: DataTransfer): Promise<void> {
    const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.() ?? null);
    const folder = entries.find((e): e is FileSystemDirectoryEntry => e?.isDirectory === true);
    if (folder) return this.useFolder(await filesUnder(folder));
    const file = transfer.files[0];
    if (file && /\.csv$/i.test(file.name)) return this.useCsv(file);
    this.say("Drop a folder (one folder per label inside) or a .csv file.", true);
  }
}

/** Every file under a dropped folder, its path starting with the folder's name ("pets/cat/1.png"). */
async function filesUnder(root: FileSystemDirectoryEntry): Promise<{ file: File; path: string }[]> {
  const out: { file: File; path: string }[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ file, path: entry.fullPath.replace(/^\//, "") });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries gives a folder's entries in batches, until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child);
    }
  };
  await walk(root);
  return out;
}
