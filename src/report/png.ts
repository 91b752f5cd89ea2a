import { encodePng } from "../featurizers/image/index.js";
import type { HistoryRow } from "./html.js";
import { spanOf, ticks } from "./svg.js";

/**
 * Training curves as a PNG, for a terminal user who wants a picture without a browser: the loss
 * (and accuracy for a classifier) by epoch, training in blue and validation in orange, with
 * axis ticks written in a 3x5 pixel font.
 */
export function curvesPng(history: HistoryRow[], classifier: boolean): Uint8Array {
  const panels = classifier ? 2 : 1;
  const width = 480 * panels;
  const height = 320;
  const canvas = new Canvas(width, height);
  drawPanel(canvas, 0, history, "loss", [(h) => h.loss, (h) => h.validationLoss], null);
  if (classifier) drawPanel(canvas, 480, history, "accuracy", [(h) => h.accuracy, (h) => h.validationAccuracy], [0, 1]);
  return encodePng(width, height, canvas.rgba);
}

const BLUE: Rgb = [37, 99, 235];
const ORANGE: Rgb = [234, 88, 12];
const GREY: Rgb = [150, 150, 150];
const LIGHT: Rgb = [235, 235, 235];
const INK: Rgb = [40, 40, 40];
type Rgb = [number, number, number];

function drawPanel(canvas: Canvas, left: number, history: HistoryRow[], name: string, picks: ((h: HistoryRow) => number | null)[], yRange: [number, number] | null): void {
  const box = { x0: left + 50, x1: left + 460, y0: 30, y1: 280 };
  const [e0, e1] = spanOf(history.map((h) => h.epoch));
  const values = history.flatMap((h) => picks.map((p) => p(h) ?? Number.NaN)).filter(Number.isFinite);
  const [v0, v1] = yRange ?? spanOf(values);
  const px = (x: number): number => box.x0 + ((x - e0) / (e1 - e0 || 1)) * (box.x1 - box.x0);
  const py = (y: number): number => box.y1 - ((y - v0) / (v1 - v0 || 1)) * (box.y1 - box.y0);
  for (const t of ticks(v0, v1)) {
    canvas.line(box.x0, py(t), box.x1, py(t), LIGHT);
    canvas.text(label(t), box.x0 - 4, py(t) - 5, INK, "right");
  }
  for (const t of ticks(e0, e1)) {
    canvas.line(px(t), box.y0, px(t), box.y1, LIGHT);
    canvas.text(label(t), px(t), box.y1 + 6, INK, "centre");
  }
  canvas.line(box.x0, box.y1, box.x1, box.y1, GREY);
  canvas.line(box.x0, box.y0, box.x0, box.y1, GREY);
  canvas.text(`${name} by epoch`, box.x0, 10, INK, "left");
  picks.forEach((pick, k) => {
    const colour = k === 0 ? BLUE : ORANGE;
    let last: [number, number] | null = null;
    for (const h of history) {
      const v = pick(h);
      if (v === null || !Number.isFinite(v)) continue;
      const point: [number, number] = [px(h.epoch), py(v)];
      if (last) canvas.line(last[0], last[1], point[0], point[1], colour, 2);
      else canvas.dot(point[0], point[1], colour);
      last = point;
    }
    canvas.text(k === 0 ? "training" : "validation", box.x1 - (k === 0 ? 170 : 80), 10, colour, "left");
  });
}

function label(t: number): string {
  return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? t.toExponential(0) : String(Number(t.toPrecision(3)));
}

/** 3x5 glyphs of the capitals, digits and signs the charts write, row by row, "#" for ink. */
const GLYPHS: Record<string, string> = {
  "0": ".#.#.##.##.#.#.",
  "1": ".#.##..#..#.###",
  "2": "##...#.#.#..###",
  "3": "##...#.#...###.",
  "4": "#.##.####..#..#",
  "5": "####..##...###.",
  "6": ".###..##.#.#.#.",
  "7": "###..#.#..#..#.",
  "8": ".#.#.#.#.#.#.#.",
  "9": ".#.#.#.##..###.",
  ".": "............#..",
  "-": "......###......",
  "+": "....#.###.#....",
  " ": "...............",
  A: ".#.#.#####.##.#",
  B: "##.#.###.#.###.",
  C: ".###..#..#...##",
  D: "##.#.##.##.###.",
  E: "####..##.#..###",
  G: ".###..#.##.#.##",
  H: "#.##.#####.##.#",
  I: "###.#..#..#.###",
  L: "#..#..#..#..###",
  N: "#.########.##.#",
  O: ".#.#.##.##.#.#.",
  P: "##.#.###.#..#..",
  R: "##.#.###.#.##.#",
  S: ".###...#...###.",
  T: "###.#..#..#..#.",
  U: "#.##.##.##.####",
  V: "#.##.##.##.#.#.",
  Y: "#.##.#.#..#..#.",
};

const SCALE = 2;

class Canvas {
  readonly rgba: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = new Uint8Array(width * height * 4).fill(255);
  }

  set(x: number, y: number, [r, g, b]: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    this.rgba.set([r, g, b, 255], (yi * this.width + xi) * 4);
  }

  dot(x: number, y: number, colour: Rgb): void {
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) this.set(x + dx, y + dy, colour);
  }

  /** A straight line, `thick` pixels wide. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thick = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let d = 0; d < thick; d++) this.set(x, y + d, colour);
    }
  }

  text(text: string, x: number, y: number, colour: Rgb, align: "left" | "right" | "centre"): void {
    const advance = 4 * SCALE;
    const start = align === "left" ? x : align === "right" ? x - text.length * advance : x - (text.length * advance) / 2;
    [...text].forEach((c, i) => {
      const glyph = GLYPHS[c.toUpperCase()] ?? GLYPHS[" "];
      for (let k = 0; k < 15; k++) {
        if (glyph[k] !== "#") continue;
        for (let dy = 0; dy < SCALE; dy++) for (let dx = 0; dx < SCALE; dx++) this.set(start + i * advance + (k % 3) * SCALE + dx, y + Math.floor(k / 3) * SCALE + dy, colour);
      }
    });
  }
}
