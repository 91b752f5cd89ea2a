import { GlassboxError } from "../errors.js";
import { featureRows, type Dataset } from "../data/dataset.js";
import type { Network } from "../model/network.js";
import { thresholdPoints } from "../train/curves.js";
import { evaluateAnswers } from "../train/evaluate.js";
import { regressionReport } from "../train/regression.js";
import { chart, escapeXml, spanOf, type Series } from "./svg.js";

/** One epoch of a training run, as a report draws it. */
export interface HistoryRow {
  epoch: number;
  loss: number;
  accuracy: number | null;
  validationLoss: number | null;
  validationAccuracy: number | null;
}

/** The epochs a model file keeps in its training summary (`about.training.history`), or null. */
export function historyOf(training: Record<string, unknown> | null): HistoryRow[] | null {
  const rows = training?.history;
  if (!Array.isArray(rows)) return null;
  const number = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return rows
    .filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null && typeof r.epoch === "number")
    .map((r) => ({
      epoch: r.epoch as number,
      loss: number(r.loss) ?? Number.NaN,
      accuracy: number(r.accuracy),
      validationLoss: number(r.validation_loss),
      validationAccuracy: number(r.validation_accuracy),
    }));
}

export interface ReportOptions {
  /** The page's heading, e.g. the model file's name. */
  title: string;
  /** Labelled rows to measure the model on (a test set, or the validation rows), or null. */
  data: Dataset | null;
  /** What `data` is, in words: "the 30 validation rows", "test.csv". */
  dataName?: string;
  /** The model's answers for `data`'s rows, when they were made elsewhere (a bag's out-of-fold answers); default: the network's predictions. */
  answers?: Float32Array | null;
  /** The training run's epochs, or null when unknown. */
  history: HistoryRow[] | null;
  /** The epoch whose weights the model holds (early stopping keeps the best), when known. */
  keptEpoch?: number | null;
}

const BLUE = "#2563eb";
const ORANGE = "#ea580c";

/**
 * One self-contained HTML page about a model: its training curves, how it does on `data` (a
 * classifier: the confusion matrix as a heatmap and per-class metrics, and for two labels the ROC
 * and precision-recall curves; a regression: R², MAE, RMSE and residual plots) and its layers.
 * Plain SVG and CSS, no script: it opens anywhere, offline.
 * @example writeFileSync("report.html", reportHtml(network, { title: "credit", data: test, history: null }))
 */
export function reportHtml(network: Network, options: ReportOptions): string {
  const sections: string[] = [`<p class="summary">${escapeXml(network.summary())}</p>`];
  if (options.history && options.history.length > 0) {
    // A bag keeps its first network's epochs (trainModel's summary).
    const bag = network.about.training?.bag as { members?: unknown } | undefined;
    const whose = typeof bag?.members === "number" ? `The first of the bag's ${bag.members} networks, one per fold: ` : "";
    sections.push(curvesSection(options.history, network.spec.output !== "linear", options.keptEpoch ?? null, whose));
  }
  if (options.data) {
    const answers = options.answers ?? network.predict(featureRows(options.data), options.data.rows);
    sections.push(
      network.spec.output === "linear" ? regressionSection(network, options.data, answers, options.dataName) : classifierSection(network, options.data, answers, options.dataName),
    );
  }
  sections.push(layersSection(network));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(options.title)}: Glassbox report</title>
<style>${STYLE}</style></head>
<body><h1>${escapeXml(options.title)}</h1>
${sections.join("\n")}
<footer>Written by Glassbox.</footer>
</body></html>
`;
}

function curvesSection(history: HistoryRow[], classifier: boolean, kept: number | null, whose: string): string {
  const marker = kept !== null && kept < history.length ? { x: kept, name: `kept: epoch ${kept}` } : null;
  const losses = history.flatMap((h) => [h.loss, h.validationLoss ?? Number.NaN]).filter((v) => v > 0);
  // A loss that falls by more than 20 times reads better on a log scale.
  const logY = losses.length > 0 && losses.reduce((a, b) => Math.max(a, b)) > 20 * losses.reduce((a, b) => Math.min(a, b));
  const line = (name: string, colour: string, pick: (h: HistoryRow) => number | null): Series => ({
    name,
    colour,
    points: history.map((h) => [h.epoch, pick(h) ?? Number.NaN]),
  });
  const loss = chart([line("training", BLUE, (h) => h.loss), line("validation", ORANGE, (h) => h.validationLoss)], { title: "Loss", x: "epoch", y: "loss", marker, logY });
  const accuracy = classifier
    ? chart([line("training", BLUE, (h) => h.accuracy), line("validation", ORANGE, (h) => h.validationAccuracy)], {
        title: "Accuracy",
        x: "epoch",
        y: "accuracy",
        yRange: [0, 1],
        marker,
      })
    : "";
  const stopped = marker ? `; early stopping kept the weights of epoch ${kept}` : "";
  return `<section><h2>Training</h2><p>${escapeXml(whose)}${history.length} epochs${stopped}.</p><div class="charts">${loss}${accuracy}</div></section>`;
}

function classifierSection(network: Network, data: Dataset, answers: Float32Array, dataName = data.source): string {
  const e = evaluateAnswers(network, data, answers);
  const labels = network.labels;
  const cells = e.confusion
    .map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const tds = row.map(
        (n, j) =>
          `<td style="background:${heat(n / total)};color:${n / total > 0.5 ? "#fff" : "#111"}" title="true ${escapeXml(labels[i])}, predicted ${escapeXml(labels[j])}: ${n}">${n}</td>`,
      );
      return `<tr><th>${escapeXml(labels[i])}</th>${tds.join("")}</tr>`;
    })
    .join("");
  const heads = labels.map((l) => `<th class="column">${escapeXml(l)}</th>`).join("");
  const confusion = `<p class="note">Confusion matrix: rows are the true labels, columns the predicted ones; the colour is the share of the row.</p><table class="confusion"><tr><th></th>${heads}</tr>${cells}</table>`;
  const perClass = `<table><tr><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>rows</th></tr>${e.perClass
    .map(
      (c) =>
        `<tr><td class="text">${escapeXml(c.label)}</td><td>${c.precision.toFixed(3)}</td><td>${c.recall.toFixed(3)}</td><td>${c.f1.toFixed(3)}</td><td>${c.support}</td></tr>`,
    )
    .join("")}</table>`;
  let binary = "";
  if (e.binary && data.labels) {
    const outputs = network.outputs;
    const scores = Float32Array.from({ length: data.rows }, (_, i) => answers[i * outputs + outputs - 1]);
    const { points, positives, negatives } = thresholdPoints(
      scores,
      Array.from(data.labels, (l) => l === 1),
    );
    const roc: [number, number][] = [[0, 0], ...points.map((p): [number, number] => [p.fp / Math.max(negatives, 1), p.tp / Math.max(positives, 1)])];
    const pr: [number, number][] = points.map((p) => [p.tp / Math.max(positives, 1), p.tp / (p.tp + p.fp)]);
    const b = e.binary;
    binary = `<h3>Ranking "${escapeXml(b.positive)}" above "${escapeXml(labels[0])}"</h3><div class="charts">${chart([{ name: "ROC", colour: BLUE, points: roc }], {
      title: `ROC curve (AUC ${b.rocAuc.toFixed(3)})`,
      x: "false positive rate",
      y: "true positive rate",
      xRange: [0, 1],
      yRange: [0, 1],
      reference: [0, 0, 1, 1],
    })}${chart([{ name: "precision-recall", colour: ORANGE, points: pr }], { title: `Precision-recall (average precision ${b.prAuc.toFixed(3)})`, x: "recall", y: "precision", xRange: [0, 1], yRange: [0, 1] })}</div><p>At the threshold ${b.threshold.toFixed(3)}: precision ${b.precision.toFixed(3)}, recall ${b.recall.toFixed(3)}.</p>`;
  }
  return `<section><h2>On ${escapeXml(dataName)}</h2><p class="big">Accuracy ${(100 * e.accuracy).toFixed(2)}% on ${e.count} rows</p>${confusion}${perClass}${binary}</section>`;
}

function regressionSection(network: Network, data: Dataset, answers: Float32Array, dataName = data.source): string {
  if (!data.targets) throw new GlassboxError("BAD_DATA", `${data.source} has no target values to measure the model against`);
  const targets = data.targets;
  const r = regressionReport(network.labels, answers, targets, data.rows);
  const k = network.outputs;
  const plots = network.labels.map((name, j) => {
    const pairs: [number, number][] = Array.from({ length: r.count }, (_, i) => [r.predictions[i * k + j], targets[i * k + j]]);
    const [low, high] = spanOf(pairs.flat());
    const actual = chart([{ name: "rows", colour: BLUE, points: pairs, dots: true }], {
      title: `${name}: predicted against true`,
      x: "predicted",
      y: "true",
      xRange: [low, high],
      yRange: [low, high],
      reference: [low, low, high, high],
    });
    const residuals: [number, number][] = pairs.map(([p, t]) => [p, t - p]);
    const [x0, x1] = spanOf(residuals.map((p) => p[0]));
    const residual = chart([{ name: "rows", colour: ORANGE, points: residuals, dots: true }], {
      title: `${name}: residuals (true - predicted)`,
      x: "predicted",
      y: "residual",
      reference: [x0, 0, x1, 0],
    });
    return `<div class="charts">${actual}${residual}</div>`;
  });
  const table = `<table><tr><th>target</th><th>R²</th><th>MAE</th><th>RMSE</th></tr>${r.targets.map((t) => `<tr><td>${escapeXml(t.name)}</td><td>${t.r2.toFixed(3)}</td><td>${t.mae.toPrecision(4)}</td><td>${t.rmse.toPrecision(4)}</td></tr>`).join("")}</table>`;
  return `<section><h2>On ${escapeXml(dataName)}</h2><p class="big">R² ${r.r2.toFixed(3)} on ${r.count} rows</p>${table}${plots.join("")}</section>`;
}

function layersSection(network: Network): string {
  const rows = network
    .describe()
    .map(
      (d) =>
        `<tr><td>${d.index}</td><td class="text">${escapeXml(d.type)}</td><td class="text">${escapeXml(d.summary)}</td><td>[${d.outputShape.join(", ")}]</td><td>${d.parameters.toLocaleString("en")}</td></tr>`,
    )
    .join("");
  const total = network.describe().reduce((s, d) => s + d.parameters, 0);
  return `<section><h2>Layers</h2><table><tr><th>#</th><th>type</th><th>what it does</th><th>output shape</th><th>parameters</th></tr>${rows}<tr><td></td><td></td><td>in all</td><td></td><td>${total.toLocaleString("en")}</td></tr></table></section>`;
}

/** White to deep blue as a share goes from 0 to 1. */
function heat(share: number): string {
  const t = Math.max(0, Math.min(1, share));
  const mix = (from: number, to: number): number => Math.round(from + (to - from) * t);
  return `rgb(${mix(255, 29)}, ${mix(255, 78)}, ${mix(255, 216)})`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#111;max-width:1000px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}h3{font-size:15px}
.summary{color:#555;font-family:ui-monospace,monospace;font-size:12px}.big{font-size:18px}
.charts{display:flex;flex-wrap:wrap;gap:12px}svg{background:#fff;border:1px solid #eee}
svg text{font-size:11px;fill:#333}svg .title{font-size:13px;font-weight:600}svg .grid{stroke:#eee}svg .axis{stroke:#999}
svg .reference{stroke:#999;stroke-dasharray:4 4}table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border:1px solid #e5e5e5;text-align:right}
th{background:#fafafa}.note{color:#555;margin:4px 0}td.text{text-align:left}table.confusion td{min-width:32px;text-align:center}
th.column{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left}footer{margin:32px 0;color:#888;font-size:12px}`;
