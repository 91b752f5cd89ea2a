/** Charts as plain SVG text: no library, no script, so a report is one small self-contained file. */

export interface Series {
  name: string;
  /** [x, y] points; points with a non-finite y are left out. */
  points: [number, number][];
  colour: string;
  /** Draw dots instead of a line (a scatter). */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  x: string;
  y: string;
  width?: number;
  height?: number;
  /** Fixed axis ranges; default: the data's. */
  xRange?: [number, number];
  yRange?: [number, number];
  /** A dashed reference line from (x0, y0) to (x1, y1), such as the diagonal of a ROC chart. */
  reference?: [number, number, number, number];
  /** A vertical dashed line at this x, named (the epoch whose weights were kept). */
  marker?: { x: number; name: string } | null;
  /** A logarithmic y axis (values <= 0 are left out). */
  logY?: boolean;
}

const MARGIN = { left: 64, right: 16, top: 28, bottom: 58 };

/** Text for SVG and HTML: &, <, > and quotes escaped. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A line or scatter chart with axes, ticks and a legend. */
export function chart(series: Series[], options: ChartOptions): string {
  const width = options.width ?? 460;
  const height = options.height ?? 300;
  const log = options.logY === true;
  const shown = (s: Series): [number, number][] =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0)).map(([x, y]): [number, number] => [x, log ? Math.log10(y) : y]);
  const all = series.flatMap(shown);
  const [x0, x1] = options.xRange ?? spanOf(all.map((p) => p[0]));
  const [y0, y1] = options.yRange ?? spanOf(all.map((p) => p[1]));
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * (width - MARGIN.left - MARGIN.right);
  const py = (y: number): number => height - MARGIN.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - MARGIN.top - MARGIN.bottom);
  const parts: string[] = [];
  for (const t of ticks(x0, x1)) {
    parts.push(`<line x1="${px(t).toFixed(1)}" y1="${MARGIN.top}" x2="${px(t).toFixed(1)}" y2="${height - MARGIN.bottom}" class="grid"/>`);
    parts.push(`<text x="${px(t).toFixed(1)}" y="${height - MARGIN.bottom + 14}" text-anchor="middle">${tickText(t)}</text>`);
  }
  for (const t of log ? logTicks(y0, y1) : ticks(y0, y1)) {
    parts.push(`<line x1="${MARGIN.left}" y1="${py(t).toFixed(1)}" x2="${width - MARGIN.right}" y2="${py(t).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${log ? tickText(10 ** t) : tickText(t)}</text>`);
  }
  if (options.marker) {
    const x = px(options.marker.x).toFixed(1);
    parts.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${height - MARGIN.bottom}" class="reference"/>`);
    parts.push(`<text x="${x}" y="${MARGIN.top - 4}" text-anchor="middle">${escapeXml(options.marker.name)}</text>`);
  }
  if (options.reference) {
    const [a, b, c, d] = options.reference;
    parts.push(`<line x1="${px(a).toFixed(1)}" y1="${py(b).toFixed(1)}" x2="${px(c).toFixed(1)}" y2="${py(d).toFixed(1)}" class="reference"/>`);
  }
  for (const s of series) {
    const points = shown(s);
    if (s.dots) {
      for (const [x, y] of points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.colour}" fill-opacity="0.7"/>`);
    } else if (points.length > 0) {
      parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`);
    }
  }
  // The legend under the chart, so it never covers a line.
  series.forEach((s, i) => {
    const x = MARGIN.left + 110 * i;
    parts.push(`<rect x="${x}" y="${height - 16}" width="10" height="10" fill="${s.colour}"/>`);
    parts.push(`<text x="${x + 14}" y="${height - 7}">${escapeXml(s.name)}</text>`);
  });
  const axes = `<line x1="${MARGIN.left}" y1="${height - MARGIN.bottom}" x2="${width - MARGIN.right}" y2="${height - MARGIN.bottom}" class="axis"/><line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${height - MARGIN.bottom}" class="axis"/>`;
  const labels = `<text x="${(MARGIN.left + width - MARGIN.right) / 2}" y="${height - MARGIN.bottom + 30}" text-anchor="middle">${escapeXml(options.x)}</text><text transform="translate(12 ${(MARGIN.top + height - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.y + (log ? " (log scale)" : ""))}</text>`;
  const title = `<text x="${MARGIN.left}" y="16" class="title">${escapeXml(options.title)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}">${title}${parts.join("")}${axes}${labels}</svg>`;
}

/** The least and largest value, widened a little when they are equal. */
export function spanOf(values: number[]): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (!Number.isFinite(low)) return [0, 1];
  return low === high ? [low - 0.5, high + 0.5] : [low, high];
}

/** About five round tick values in [low, high]. */
export function ticks(low: number, high: number): number[] {
  const step = 10 ** Math.floor(Math.log10((high - low) / 5 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (high - low) / s <= 6) ?? 10 * step;
  const out: number[] = [];
  // Whole multiples of the step, not a running sum: a sum passes 0 as -2.8e-17.
  for (let i = Math.ceil(low / nice); i * nice <= high + nice * 1e-9; i++) out.push(Number((i * nice).toPrecision(12)));
  return out;
}

/** Ticks of a log axis spanning log10 values [low, high], as log10 values: powers of 10 when it spans two, else 1, 2 and 5 times them. */
export function logTicks(low: number, high: number): number[] {
  const decades: number[] = [];
  for (let k = Math.floor(low); k <= Math.ceil(high); k++) decades.push(k);
  const inside = (t: number): boolean => t >= low - 1e-9 && t <= high + 1e-9;
  const powers = decades.filter(inside);
  if (powers.length >= 2) return powers;
  const marks = decades.flatMap((k) => [1, 2, 5].map((m) => Math.log10(m) + k)).filter(inside);
  return marks.length >= 2 ? marks : ticks(low, high);
}

function tickText(t: number): string {
  return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? t.toExponential(1) : String(Number(t.toPrecision(4)));
}
