import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Dataset } from "../data/dataset.js";
import { GlassboxError } from "../errors.js";
import { writeFileAtomic } from "../io/disk.js";
import type { Network } from "../model/network.js";
import { reportHtml, type HistoryRow } from "../report/html.js";
import { curvesPng } from "../report/png.js";
import type { Parsed } from "./args.js";

/** --report page.html and --curves curves.png (train and evaluate). */
export const REPORT_OPTIONS = {
  report: { type: "string" },
  curves: { type: "string" },
} as const;

export const REPORT_USAGE = `  --report report.html: one self-contained page of the training curves, the metrics (confusion matrix, per-class,
  ROC and precision-recall for two labels, residuals for a regression) and the layers; --curves curves.png: the curves`;

/** Refuses a --report or --curves path that cannot be written, before any work. */
export function checkReportPaths(values: Parsed["values"]): void {
  for (const name of ["report", "curves"] as const) {
    const path = values[name];
    if (typeof path === "string") checkOutputPath(name, path);
  }
}

/** Refuses the file path of option --`name` when its folder is missing or it is a folder. */
export function checkOutputPath(name: string, path: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new GlassboxError("FILE_NOT_FOUND", `--${name} ${path}: the directory ${folder} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new GlassboxError("CANNOT_WRITE", `--${name} ${path} is a directory; expected a file path`);
}

/** Writes what --report and --curves ask for; says on stderr where, unless --json. */
export function writeReports(
  values: Parsed["values"],
  network: Network,
  title: string,
  data: Dataset | null,
  dataName: string,
  history: HistoryRow[] | null,
  answers: Float32Array | null = null,
): void {
  const kept = network.about.training?.kept_epoch;
  const keptEpoch = typeof kept === "number" ? kept : null;
  const said: string[] = [];
  if (typeof values.report === "string") {
    writeFileAtomic(values.report, new TextEncoder().encode(reportHtml(network, { title, data, dataName, history, keptEpoch, answers })));
    said.push(`report: ${values.report}`);
  }
  if (typeof values.curves === "string") {
    if (!history || history.length === 0) throw new GlassboxError("BAD_ARGUMENT", `--curves ${values.curves}: this model keeps no training history to draw`);
    writeFileAtomic(values.curves, curvesPng(history, network.spec.output !== "linear"));
    said.push(`training curves: ${values.curves}`);
  }
  if (said.length > 0 && !values.json) process.stderr.write(`${said.join("\n")}\n`);
}
