import type { Prediction } from "../model/classify.js";
import type { Evaluation } from "../train/evaluate.js";
import type { RegressionReport } from "../train/regression.js";
import { count } from "../words.js";

export { count };

/** Text for people: percentages, predictions in words, metric tables. */

export function percent(p: number): string {
  const value = p * 100;
  if (value > 0 && value < 1) return "<1%";
  return `${Math.round(value)}%`;
}

/** "Ankle boot 93% (Sneaker 5%, Sandal 1%)"; with categories "footwear 97% > Ankle boot 93% (...)" */
export function predictionInWords(p: Prediction): string {
  const others = p.top.slice(1).map((t) => `${t.label} ${percent(t.probability)}`);
  const above = (p.levels ?? [])
    .slice(0, -1)
    .map((l) => `${l.label} ${percent(l.probability)} > `)
    .join("");
  return `${above}${p.label} ${percent(p.probability)}${others.length > 0 ? ` (${others.join(", ")})` : ""}`;
}

export function seconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

/** Per-class precision, recall and F1, then the confusion matrix (rows: true label, columns: predicted). */
export function evaluationTable(e: Evaluation): string {
  const width = Math.max(5, ...e.perClass.map((c) => c.label.length));
  const lines = [
    `accuracy ${(e.accuracy * 100).toFixed(2)}% on ${count(e.count, "row")} (loss ${e.loss.toFixed(4)})`,
    ...(e.binary
      ? [
          `ranking "${e.binary.positive}" above the other label: ROC-AUC ${e.binary.rocAuc.toFixed(3)}, PR-AUC ${e.binary.prAuc.toFixed(3)}; at threshold ${Number(e.binary.threshold.toFixed(3))}: precision ${e.binary.precision.toFixed(3)}, recall ${e.binary.recall.toFixed(3)}`,
        ]
      : []),
    "",
    `${"label".padEnd(width)}  precision  recall     f1  support`,
    ...e.perClass.map(
      (c) =>
        `${c.label.padEnd(width)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3).padStart(5)}  ${String(c.support).padStart(7)}`,
    ),
    "",
    "confusion matrix (rows: true label, columns: predicted label, numbered as the rows)",
  ];
  const labels = e.confusion.length;
  const cell = e.confusion.reduce((widest, row) => row.reduce((w, n) => Math.max(w, String(n).length + 1), widest), Math.max(4, String(labels).length + 1));
  const number = String(labels).length;
  const name = (k: number): string => `${String(k + 1).padStart(number)} ${e.perClass[k].label.padEnd(width)}`;
  lines.push(`${" ".repeat(number + 1 + width)} ${Array.from({ length: labels }, (_, k) => String(k + 1).padStart(cell)).join("")}`);
  e.confusion.forEach((row, k) => lines.push(`${name(k)} ${row.map((n) => String(n).padStart(cell)).join("")}`));
  if (e.lowRecall) {
    const { label, recall, others } = e.lowRecall;
    lines.push(
      "",
      `hint: recall for "${label}" is ${recall.toFixed(3)}, under half the other labels' (${others.toFixed(3)}); train with --class-weights balanced to weigh every label equally`,
    );
  }
  return lines.join("\n");
}

/** "R² 0.834  MAE 2.31  RMSE 3.05 (on 120 rows)", with a line per target when there are several. */
export function regressionTable(report: RegressionReport): string {
  const line = (t: { r2: number; mae: number; rmse: number }): string => `R² ${t.r2.toFixed(3)}  MAE ${t.mae.toPrecision(4)}  RMSE ${t.rmse.toPrecision(4)}`;
  const per = report.targets.length > 1 ? report.targets.map((t) => `  ${t.name}: ${line(t)}`) : [];
  return [`${line(report)} (on ${count(report.count, "row")}${report.targets.length === 1 ? `, predicting "${report.targets[0].name}"` : ""})`, ...per].join("\n");
}

/** A float32 value in the fewest digits that read back as it: 1650.65, not 1650.6500244140625. */
export function float32Text(v: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(v.toPrecision(digits)));
    if (Math.fround(Number(text)) === Math.fround(v)) return text;
  }
  return String(v);
}
