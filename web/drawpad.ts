/**
 * A drawing pad the size of a gray image model's input (28x28 for Fashion-MNIST): white on black,
 * like the training images. Draw with a mouse, pen or finger; or with the keyboard: the arrow
 * keys move the pen, Space or Enter puts it down or lifts it, Delete clears.
 */
import { h } from "./dom.js";

const BRUSH_RADII = [0.9, 1.4, 2.1, 3.0]; // in cells, for brush sizes 1..4

export interface DrawPadOptions {
  /** Loads an example image (pixels 0..1), for the "Example image" button; omitted: no button. */
  example?: () => Promise<Float32Array>;
}

export class DrawPad {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly grid: Float32Array;
  private readonly cell: number;
  private readonly small: HTMLCanvasElement;
  private readonly status: HTMLElement;
  private readonly brush: HTMLInputElement;
  private readonly eraser: HTMLInputElement;
  private cursor: { x: number; y: number };
  private penDown = false;
  private last: { x: number; y: number } | null = null;
  private scheduled = false;
  /** The pad's place on the screen during a stroke. */
  private box: DOMRect | null = null;

  constructor(
    readonly width: number,
    readonly height: number,
    /** `stroking`: a stroke is in progress (the page answers roughly, and exactly when the pen lifts). */
    private readonly onChange: (grid: Float32Array, stroking: boolean) => void,
    options: DrawPadOptions = {},
  ) {
    this.grid = new Float32Array(width * height);
    this.cell = Math.max(4, Math.floor(280 / Math.max(width, height)));
    this.cursor = { x: Math.floor(width / 2), y: Math.floor(height / 2) };
    this.small = h("canvas", { width, height });
    this.canvas = h("canvas", {
      id: "draw-pad",
      class: "draw-pad",
      width: width * this.cell,
      height: height * this.cell,
      tabindex: 0,
      role: "application",
      "aria-roledescription": "drawing pad",
      "aria-describedby": "draw-help",
      "aria-label": `Drawing pad, ${width} by ${height} pixels`,
    });
    this.status = h("p", { class: "pad-status", id: "draw-status", "aria-live": "polite" }, "Pen up.");
    this.brush = h("input", { type: "range", id: "brush-size", min: 1, max: 4, value: 3 });
    this.eraser = h("input", { type: "checkbox", id: "eraser" });
    const clear = h("button", { type: "button", id: "draw-clear" }, "Clear");
    clear.addEventListener("click", () => this.clear());
    const controls = h("div", { class: "pad-controls" }, clear, h("label", { for: "brush-size" }, "Brush"), this.brush, h("label", { class: "check" }, this.eraser, " Eraser"));
    if (options.example) {
      const load = options.example;
      const example = h("button", { type: "button", id: "draw-example" }, "Example image");
      example.addEventListener("click", () => {
        example.disabled = true;
        load()
          .then((pixels) => this.set(pixels, true))
          .catch((error: unknown) => {
            this.status.textContent = `Could not load an example: ${error instanceof Error ? error.message : String(error)}`;
          })
          .finally(() => (example.disabled = false));
      });
      controls.append(example);
    }
    const help = h(
      "p",
      { id: "draw-help", class: "hint" },
      "Draw with the mouse or a finger. Keyboard: arrow keys move the pen (Shift: faster), Space puts it down or lifts it, Delete clears.",
    );
    this.element = h("div", { class: "pad" }, this.canvas, controls, help, this.status);
    this.listen();
    this.paint();
  }

  /** Shows pixels (an uploaded image, an example) on the pad; `notify` re-runs the network on them. */
  set(values: Float32Array, notify: boolean): void {
    this.grid.set(values.subarray(0, this.grid.length));
    this.paint();
    if (notify) this.changed();
  }

  clear(): void {
    this.grid.fill(0);
    this.paint();
    this.changed();
    this.status.textContent = "Cleared.";
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      c.setPointerCapture(event.pointerId);
      c.focus({ preventScroll: true });
      // Measured once per stroke: measuring on every move would lay the page out again mid-frame.
      this.box = c.getBoundingClientRect();
      this.last = this.cellAt(event);
      this.stroke(this.last, this.last);
    });
    c.addEventListener("pointermove", (event) => {
      if (!this.last || !c.hasPointerCapture(event.pointerId)) return;
      const point = this.cellAt(event);
      this.stroke(this.last, point);
      this.last = point;
    });
    const end = (): void => {
      if (this.last) requestAnimationFrame(() => this.onChange(this.grid, false)); // the stroke's final answer
      this.last = null;
      this.box = null;
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    c.addEventListener("keydown", (event) => this.onKey(event));
    c.addEventListener("focus", () => this.paint());
    c.addEventListener("blur", () => this.paint());
  }

  private onKey(event: KeyboardEvent): void {
    const step = event.shiftKey ? 4 : 1;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      const from = { x: this.cursor.x + 0.5, y: this.cursor.y + 0.5 };
      this.cursor = {
        x: Math.min(this.width - 1, Math.max(0, this.cursor.x + move[0])),
        y: Math.min(this.height - 1, Math.max(0, this.cursor.y + move[1])),
      };
      if (this.penDown) this.stroke(from, { x: this.cursor.x + 0.5, y: this.cursor.y + 0.5 });
      else this.paint();
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      this.penDown = !this.penDown;
      const at = { x: this.cursor.x + 0.5, y: this.cursor.y + 0.5 };
      if (this.penDown) this.stroke(at, at);
      else this.paint();
      this.status.textContent = `Pen ${this.penDown ? "down" : "up"} at row ${this.cursor.y + 1}, column ${this.cursor.x + 1}.`;
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      this.clear();
    }
  }

  private cellAt(event: PointerEvent): { x: number; y: number } {
    const rect = this.box ?? this.canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * this.width,
      y: ((event.clientY - rect.top) / rect.height) * this.height,
    };
  }

  /** Paints the brush along the segment a -> b (cell coordinates). */
  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const radius = BRUSH_RADII[Number(this.brush.value) - 1] ?? 1.4;
    const erase = this.eraser.checked;
    const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / 0.25));
    for (let s = 0; s <= steps; s++) {
      const x = a.x + ((b.x - a.x) * s) / steps;
      const y = a.y + ((b.y - a.y) * s) / steps;
      const reach = Math.ceil(radius + 1);
      for (let row = Math.floor(y) - reach; row <= Math.floor(y) + reach; row++) {
        for (let col = Math.floor(x) - reach; col <= Math.floor(x) + reach; col++) {
          if (row < 0 || col < 0 || row >= this.height || col >= this.width) continue;
          const d = Math.hypot(col + 0.5 - x, row + 0.5 - y);
          const ink = Math.min(1, Math.max(0, radius + 0.5 - d));
          const k = row * this.width + col;
          this.grid[k] = erase ? Math.min(this.grid[k], 1 - ink) : Math.max(this.grid[k], ink);
        }
      }
    }
    this.paint();
    this.changed();
  }

  private paint(): void {
    const small = this.small.getContext("2d");
    const context = this.canvas.getContext("2d");
    if (!small || !context) return;
    const image = small.createImageData(this.width, this.height);
    for (let i = 0; i < this.grid.length; i++) {
      const v = Math.round(255 * this.grid[i]);
      image.data.set([v, v, v, 255], i * 4);
    }
    small.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(this.small, 0, 0, this.canvas.width, this.canvas.height);
    if (document.activeElement === this.canvas) {
      context.lineWidth = 2;
      context.strokeStyle = this.penDown ? "#ff9f1c" : "#4cc9f0";
      context.strokeRect(this.cursor.x * this.cell + 1, this.cursor.y * this.cell + 1, this.cell - 2, this.cell - 2);
    }
  }

  /** Tells the page at most once per frame. */
  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.onChange(this.grid, this.last !== null);
    });
  }
}
