import type { Prediction } from "../model/classify.js";
import type { Evaluation } from "../train/evaluate.js";
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
          `ranking "${e.binary.positive}" above the other label: ROC-AUC ${e.binary.rocAuc.toFixed(3)}, PR-AUC ${e.binary.prAuc.toFixed(3)}; at threshold ${e.binary.threshold}: precision ${e.binary.precision.toFixed(3)}, recall ${e.binary.recall.toFixed(3)}`,
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
