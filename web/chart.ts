/**
 * A small live line chart on a canvas (loss or accuracy against epochs), redrawn at most once
 * per frame as points arrive. The canvas follows its CSS width and the screen's pixel density.
 * data-points on the canvas counts the points drawn, for tests and curious readers.
 */

export interface Series {
  name: string;
  colour: string;
  points: [number, number][];
  /** Draw each point as a dot (per-epoch values) instead of only a line. */
  dots?: boolean;
}

export class LineChart {
  private series: Series[] = [];
  private xMax = 1;
  private scheduled = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly options: { yLabel: string; percent?: boolean },
  ) {
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  reset(series: Omit<Series, "points">[], xMax: number): void {
    this.series = series.map((s) => ({ ...s, points: [] }));
    this.xMax = Math.max(xMax, 1e-9);
    this.schedule();
  }

  add(name: string, x: number, y: number): void {
    const series = this.series.find((s) => s.name === name);
    if (!series || !Number.isFinite(y)) return;
    series.points.push([x, y]);
    this.schedule();
  }

  get points(): number {
    return this.series.reduce((sum, s) => sum + s.points.length, 0);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = Math.max(200, canvas.clientWidth);
    const cssHeight = Math.max(120, canvas.clientHeight);
    if (canvas.width !== Math.round(cssWidth * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
      canvas.width = Math.round(cssWidth * ratio);
      canvas.height = Math.round(cssHeight * ratio);
    }
    canvas.dataset.points = String(this.points);
    const context = canvas.getContext("2d");
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, cssWidth, cssHeight);
    context.font = "12px system-ui, sans-serif";
    const title = `${this.options.yLabel} by epoch`;
    const legendWidth = this.series.reduce((sum, series) => sum + context.measureText(series.name).width + 22, 0);
    // The legend sits beside the title when both fit on one line, else on a line of its own.
    const legendBelow = 44 + context.measureText(title).width + 16 + legendWidth > cssWidth - 10;
    const left = 44,
      right = 10,
      top = legendBelow ? 40 : 22,
      bottom = 26;
    const plotWidth = cssWidth - left - right;
    const plotHeight = cssHeight - top - bottom;
    let low = 0;
    let high = -Infinity;
    for (const series of this.series) {
      for (const [, y] of series.points) {
        if (!Number.isFinite(y)) continue;
        low = Math.min(low, y);
        high = Math.max(high, y);
      }
    }
    // No points yet, or all zero: a 0..1 axis rather than five ticks that all read 0.00.
    let yMin = this.options.percent ? 0 : low;
    let yMax = this.options.percent ? 1 : high * 1.05;
    if (!(yMax - yMin > 1e-9)) [yMin, yMax] = [0, 1];
    // Enough decimals that neighbouring ticks read differently (a loss of 0.004 is not "0.00").
    const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10((yMax - yMin) / 4)) + 1));
    const px = (x: number): number => left + (x / this.xMax) * plotWidth;
    const py = (y: number): number => top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight;

    context.strokeStyle = "#c9c9c4";
    context.fillStyle = "#4a4a46";
    context.lineWidth = 1;
    for (let t = 0; t <= 4; t++) {
      const y = yMin + ((yMax - yMin) * t) / 4;
      context.beginPath();
      context.moveTo(left, py(y));
      context.lineTo(left + plotWidth, py(y));
      context.stroke();
      context.fillText(this.options.percent ? `${Math.round(y * 100)}%` : y.toFixed(decimals), 4, py(y) + 4);
    }
    const epochStep = Math.max(1, Math.ceil(this.xMax / 10));
    for (let e = 0; e <= this.xMax; e += epochStep) context.fillText(String(e), px(e) - 3, top + plotHeight + 16);
    context.fillText(title, left, 14);

    let legendX = legendBelow ? left : cssWidth - right - legendWidth;
    const legendY = legendBelow ? 24 : 6;
    for (const series of this.series) {
      context.fillStyle = series.colour;
      context.fillRect(legendX, legendY, 10, 10);
      context.fillStyle = "#4a4a46";
      context.fillText(series.name, legendX + 14, legendY + 9);
      legendX += context.measureText(series.name).width + 22;
    }
    for (const series of this.series) {
      context.strokeStyle = series.colour;
      context.fillStyle = series.colour;
      context.lineWidth = 1.5;
      context.beginPath();
      series.points.forEach(([x, y], i) => (i === 0 ? context.moveTo(px(x), py(y)) : context.lineTo(px(x), py(y))));
      context.stroke();
      if (series.dots) {
        for (const [x, y] of series.points) {
          context.beginPath();
          context.arc(px(x), py(y), 3.5, 0, 2 * Math.PI);
          context.fill();
        }
      }
    }
  }
}
