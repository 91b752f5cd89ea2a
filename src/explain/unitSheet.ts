import type { ImageState } from "../featurizers/image/index.js";
import { encodePng } from "../featurizers/image/index.js";
import type { Network } from "../model/network.js";
import { canvas, drawText, fillRect, fitText, GLYPH_HEIGHT, type Canvas } from "./drawing.js";
import type { Patch, UnitReport } from "./units.js";

const TILE = 84; // pixels of one example's picture on the sheet
const GAP = 8;
const INK = [40, 40, 40];
const OUTLINE = [255, 200, 0];

/**
 * A contact sheet of what one unit of an image model looks for: a title; its top inputs, each
 * with the pixels its strongest cell reads outlined (channels) and its activation under it; for
 * channels the outlined patches cut out and enlarged; the feature visualisation; and for a
 * first-layer convolution the filter itself.
 */
export function unitSheetPng(network: Network, image: ImageState, features: Float32Array, report: UnitReport, visualisation: Float32Array | null): Uint8Array {
  const layer = network.describe()[report.layer];
  const perRow = Math.max(1, report.top.length);
  const width = Math.max(GAP + perRow * (TILE + GAP), 2 * (TILE * 2 + GAP) + GAP, 420);
  const line = GLYPH_HEIGHT + 6;
  const sections = 1 + (report.kind === "channel" ? 1 : 0);
  const height = GAP + 2 * line + sections * (TILE + line + GAP) + line + 2 * TILE + 2 * GAP;
  const sheet = canvas(width, height);
  const what = `layer ${report.layer} (${layer.summary}), ${report.kind} ${report.unit + 1}`;
  drawText(sheet, fitText(what, width - 2 * GAP, 1), GAP, GAP, INK);
  const status =
    report.rows === 0
      ? "no --data: what it wants to see only"
      : report.dead
        ? `dead: never above 0 on the ${report.rows} inputs`
        : `top ${report.top.length} of ${report.rows} inputs; active on ${report.active}`;
  drawText(sheet, fitText(status, width - 2 * GAP, 1), GAP, GAP + line, report.dead ? [200, 30, 30] : INK);
  let y = GAP + 2 * line + 4;
  report.top.forEach((example, i) => {
    const x = GAP + i * (TILE + GAP);
    const row = features.subarray(example.row * network.inputs, (example.row + 1) * network.inputs);
    drawImage(sheet, image, row, x, y, TILE, null, example.patch ?? null);
    drawText(sheet, fitText(example.activation.toPrecision(3), TILE, 1), x, y + TILE + 3, INK);
  });
  y += TILE + line + GAP;
  if (report.kind === "channel") {
    report.top.forEach((example, i) => {
      const row = features.subarray(example.row * network.inputs, (example.row + 1) * network.inputs);
      if (example.patch) drawImage(sheet, image, row, GAP + i * (TILE + GAP), y, TILE, example.patch, null);
    });
    drawText(sheet, "the outlined patches, enlarged", GAP, y + TILE + 3, INK);
    y += TILE + line + GAP;
  }
  if (visualisation) {
    drawImage(sheet, image, visualisation, GAP, y + line, 2 * TILE, null, null);
    drawText(sheet, "wants to see", GAP, y, INK);
  }
  const filter = report.layer === 0 && layer.type === "conv2d" ? network.weightsOf(0) : null;
  if (filter) {
    // The filter's weights as a picture: RGB for a colour input, else its channels summed; 0 is mid-gray.
    const [size, , channels, filters] = filter.shape;
    const shown = channels === 3 ? 3 : 1;
    const weights = new Float32Array(size * size * shown);
    for (let t = 0; t < size * size; t++) {
      for (let c = 0; c < channels; c++) weights[t * shown + (shown === 3 ? c : 0)] += filter.values[(t * channels + c) * filters + report.unit];
    }
    let max = 1e-12;
    for (const w of weights) max = Math.max(max, Math.abs(w));
    const x = GAP + 2 * TILE + 2 * GAP;
    drawText(sheet, "its filter", x, y, INK);
    const tile = Float32Array.from(weights, (w) => 0.5 + (0.5 * w) / max);
    drawImage(sheet, { kind: "image", height: size, width: size, channels: shown }, tile, x, y + line, 2 * TILE, null, null);
  }
  return encodePng(sheet.width, sheet.height, sheet.rgba);
}

/** An image's features drawn into a square of `size` pixels at (x0, y0): all of it, or only `crop`; `outline` drawn over it. */
function drawImage(c: Canvas, image: ImageState, row: ArrayLike<number>, x0: number, y0: number, size: number, crop: Patch | null, outline: Patch | null): void {
  const { height, width, channels } = image;
  const area = crop ?? { top: 0, left: 0, bottom: height - 1, right: width - 1 };
  const rows = area.bottom - area.top + 1;
  const cols = area.right - area.left + 1;
  const scale = size / Math.max(rows, cols);
  for (let y = 0; y < Math.round(rows * scale); y++) {
    for (let x = 0; x < Math.round(cols * scale); x++) {
      const p = (Math.min(height - 1, area.top + Math.floor(y / scale)) * width + Math.min(width - 1, area.left + Math.floor(x / scale))) * channels;
      const rgb = channels === 3 ? [row[p], row[p + 1], row[p + 2]] : [row[p], row[p], row[p]];
      fillRect(
        c,
        x0 + x,
        y0 + y,
        1,
        1,
        rgb.map((v) => 255 * Math.min(1, Math.max(0, v))),
      );
    }
  }
  if (!outline) return;
  const [top, left] = [y0 + Math.floor(outline.top * scale), x0 + Math.floor(outline.left * scale)];
  const [bottom, right] = [y0 + Math.ceil((outline.bottom + 1) * scale) - 1, x0 + Math.ceil((outline.right + 1) * scale) - 1];
  fillRect(c, left, top, right - left + 1, 1, OUTLINE);
  fillRect(c, left, bottom, right - left + 1, 1, OUTLINE);
  fillRect(c, left, top, 1, bottom - top + 1, OUTLINE);
  fillRect(c, right, top, 1, bottom - top + 1, OUTLINE);
}
