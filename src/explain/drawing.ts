// Words and a colour legend drawn into RGBA pictures (explanation heatmaps, contact sheets),
// with no font file: a 5x7 pixel font of capitals, digits and the punctuation that labels and
// numbers use. Lower-case letters are drawn as capitals; other characters as "?".

// Each glyph is 7 rows of 5 pixels, "#" on, top row first.
const GLYPHS: Record<string, string> = {
  A: ".###. #...# #...# ##### #...# #...# #...#",
  B: "####. #...# #...# ####. #...# #...# ####.",
  C: ".###. #...# #.... #.... #.... #...# .###.",
  D: "####. #...# #...# #...# #...# #...# ####.",
  E: "##### #.... #.... ####. #.... #.... #####",
  F: "##### #.... #.... ####. #.... #.... #....",
  G: ".###. #...# #.... #.### #...# #...# .####",
  H: "#...# #...# #...# ##### #...# #...# #...#",
  I: ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
  J: "..### ...#. ...#. ...#. ...#. #..#. .##..",
  K: "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
  L: "#.... #.... #.... #.... #.... #.... #####",
  M: "#...# ##.## #.#.# #.#.# #...# #...# #...#",
  N: "#...# #...# ##..# #.#.# #..## #...# #...#",
  O: ".###. #...# #...# #...# #...# #...# .###.",
  P: "####. #...# #...# ####. #.... #.... #....",
  Q: ".###. #...# #...# #...# #.#.# #..#. .##.#",
  R: "####. #...# #...# ####. #.#.. #..#. #...#",
  S: ".#### #.... #.... .###. ....# ....# ####.",
  T: "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
  U: "#...# #...# #...# #...# #...# #...# .###.",
  V: "#...# #...# #...# #...# #...# .#.#. ..#..",
  W: "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
  X: "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
  Y: "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
  Z: "##### ....# ...#. ..#.. .#... #.... #####",
  "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
  "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
  "2": ".###. #...# ....# ...#. ..#.. .#... #####",
  "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
  "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
  "5": "##### #.... ####. ....# ....# #...# .###.",
  "6": "..##. .#... #.... ####. #...# #...# .###.",
  "7": "##### ....# ...#. ..#.. .#... .#... .#...",
  "8": ".###. #...# #...# .###. #...# #...# .###.",
  "9": ".###. #...# #...# .#### ....# ...#. .##..",
  " ": "..... ..... ..... ..... ..... ..... .....",
  ".": "..... ..... ..... ..... ..... .##.. .##..",
  ",": "..... ..... ..... ..... .##.. ..#.. .#...",
  ":": "..... .##.. .##.. ..... .##.. .##.. .....",
  ";": "..... .##.. .##.. ..... .##.. ..#.. .#...",
  "-": "..... ..... ..... ##### ..... ..... .....",
  "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
  "%": "##... ##..# ...#. ..#.. .#... #..## ...##",
  "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
  ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
  "/": "..... ....# ...#. ..#.. .#... #.... .....",
  "=": "..... ..... ##### ..... ##### ..... .....",
  "<": "...#. ..#.. .#... #.... .#... ..#.. ...#.",
  ">": ".#... ..#.. ...#. ....# ...#. ..#.. .#...",
  _: "..... ..... ..... ..... ..... ..... #####",
  '"': ".#.#. .#.#. ..... ..... ..... ..... .....",
  "'": "..#.. ..#.. ..... ..... ..... ..... .....",
  "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
};

/** Pixels a character takes across at scale 1 (5 of glyph, 1 of space). */
export const GLYPH_ADVANCE = 6;
/** Pixels a line of text takes down at scale 1. */
export const GLYPH_HEIGHT = 7;

/** An RGBA picture being drawn on. */
export interface Canvas {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export function canvas(width: number, height: number, background: [number, number, number] = [255, 255, 255]): Canvas {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([...background, 255], i * 4);
  return { width, height, rgba };
}

export function fillRect(c: Canvas, x: number, y: number, w: number, h: number, [r, g, b]: number[]): void {
  for (let yy = Math.max(0, y); yy < Math.min(c.height, y + h); yy++) {
    for (let xx = Math.max(0, x); xx < Math.min(c.width, x + w); xx++) c.rgba.set([r, g, b, 255], (yy * c.width + xx) * 4);
  }
}

/** Pixels `text` takes across at `scale`. */
export function textWidth(text: string, scale: number): number {
  return Math.max(0, text.length * GLYPH_ADVANCE - 1) * scale;
}

/** Draws `text` with its top-left corner at (x, y), each font pixel `scale` pixels square. */
export function drawText(c: Canvas, text: string, x: number, y: number, color: number[], scale = 1): void {
  for (const [i, ch] of [...text.toUpperCase()].entries()) {
    const rows = (GLYPHS[ch] ?? GLYPHS["?"]).split(" ");
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let col = 0; col < 5; col++) if (rows[r][col] === "#") fillRect(c, x + (i * GLYPH_ADVANCE + col) * scale, y + r * scale, scale, scale, color);
    }
  }
}

/** `text`, cut short with ".." when it would take more than `width` pixels at `scale`. */
export function fitText(text: string, width: number, scale: number): string {
  const most = Math.floor((width / scale + 1) / GLYPH_ADVANCE);
  return text.length <= most ? text : `${text.slice(0, Math.max(0, most - 2))}..`;
}

/** The colour of an attribution `value` of at most `max` in size over a gray `gray` (0..255): red for, blue against. */
export function heatColor(gray: number, value: number, max: number): [number, number, number] {
  const strength = Math.min(1, Math.abs(value) / Math.max(max, 1e-12));
  const [r, g, b] = value >= 0 ? [220, 40, 40] : [40, 90, 230];
  return [gray + (r - gray) * strength, gray + (g - gray) * strength, gray + (b - gray) * strength];
}

const INK = [40, 40, 40];

/**
 * `picture` with a band below it: `title` (cut to fit), then a colour bar from -max (blue,
 * against) through 0 to +max (red, for), labelled with the numbers.
 */
export function withLegend(picture: Canvas, title: string, max: number, gray = 153): Canvas {
  const width = Math.max(picture.width, 256);
  const scale = width >= 400 ? 2 : 1;
  const line = GLYPH_HEIGHT * scale;
  const pad = 6 * scale;
  const out = canvas(width, picture.height + 4 * pad + 3 * line);
  const left = Math.floor((width - picture.width) / 2);
  for (let y = 0; y < picture.height; y++) out.rgba.set(picture.rgba.subarray(y * picture.width * 4, (y + 1) * picture.width * 4), (y * width + left) * 4);
  let y = picture.height + pad;
  drawText(out, fitText(title, width - 2 * pad, scale), pad, y, INK, scale);
  y += line + pad;
  const barWidth = width - 2 * pad;
  for (let x = 0; x < barWidth; x++) fillRect(out, pad + x, y, 1, line, heatColor(gray, ((2 * x) / (barWidth - 1) - 1) * max, max));
  y += line + pad / 2;
  const number = Number(max.toPrecision(2)).toString();
  const against = `-${number} against`;
  const towards = `+${number} for`;
  drawText(out, against, pad, y, INK, scale);
  drawText(out, "0", Math.floor(width / 2 - textWidth("0", scale) / 2), y, INK, scale);
  drawText(out, towards, width - pad - textWidth(towards, scale), y, INK, scale);
  return out;
}
