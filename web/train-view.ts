/**
 * The Train view: choose the data (the embedded Fashion-MNIST subset, your folder or your CSV),
 * the layers, learning rate, epochs and augmentation; train in a Web Worker (the page stays
 * responsive); watch the loss and accuracy curves and the weights change; then use the model in
 * the See-inside view or download its model file.
 */
import { LineChart } from "./chart.js";
import { byId, percent } from "./dom.js";
import type { TrainBackend, TrainField, TrainMessage, TrainRequest, TrainTiming } from "./messages.js";
import { TrainDataChoice } from "./train-data.js";
import { renderLive } from "./train-live.js";

const MAX_HIDDEN_LAYERS = 4;
const MAX_UNITS = 1024;
/** The weights and maps are redrawn every this many batches. */
const SNAPSHOT_EVERY = 10;
/** The form field each worker error is about. */
const FIELD_IDS: Record<TrainField, string> = { layers: "hidden-layers", augment: "augment", data: "train-source", backend: "train-backend" };

/** "256, 128" -> [256, 128]; throws with a reason for anything else. */
export function parseHidden(text: string): number[] {
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const sizes = parts.map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_UNITS)) {
    throw new Error(`hidden layers: expected whole numbers from 1 to ${MAX_UNITS} separated by commas, like "256,128"; got "${text}"`);
  }
  if (sizes.length > MAX_HIDDEN_LAYERS) throw new Error(`hidden layers: at most ${MAX_HIDDEN_LAYERS} layers, got ${sizes.length}`);
  return sizes;
}

export class TrainView {
  private worker: Worker | null = null;
  private model: Uint8Array | null = null;
  /** The best epoch's model so far (by validation accuracy, else the latest): what Stop keeps. */
  private best: { model: Uint8Array; epoch: number; accuracy: number | null } | null = null;
  private readonly loss: LineChart;
  private readonly accuracy: LineChart;
  private readonly form = byId<HTMLFormElement>("train-form");
  private readonly start = byId<HTMLButtonElement>("train-start");
  private readonly stop = byId<HTMLButtonElement>("train-stop");
  private readonly status = byId("train-status");
  private readonly use = byId<HTMLButtonElement>("use-model");
  private readonly download = byId<HTMLButtonElement>("download-model");
  private readonly data = new TrainDataChoice();
  private readonly live = byId("train-live");
  private readonly summary = byId("train-data");
  private readonly timing = byId("train-timing");

  constructor(private readonly onUse: (bytes: Uint8Array, source: string) => void) {
    this.loss = new LineChart(byId<HTMLCanvasElement>("loss-chart"), { yLabel: "Loss" });
    this.accuracy = new LineChart(byId<HTMLCanvasElement>("accuracy-chart"), { yLabel: "Accuracy", percent: true });
    // A field once marked invalid would block every later submit: editing it clears the mark.
    for (const id of ["hidden-layers", "augment", "learning-rate", "epochs", "train-source", "train-backend"]) {
      const field = byId<HTMLInputElement>(id);
      const clear = (): void => {
        field.setCustomValidity("");
        field.removeAttribute("aria-invalid");
      };
      field.addEventListener("input", clear);
      field.addEventListener("change", clear);
    }
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.train();
    });
    this.stop.addEventListener("click", () => {
      this.finish();
      const best = this.best;
      if (!best) {
        this.status.textContent = "Stopped before the first epoch ended: there is no model yet. Train again to get one.";
        return;
      }
      this.model = best.model;
      this.use.disabled = false;
      this.download.disabled = false;
      const accuracy = best.accuracy === null ? "" : ` (validation accuracy ${percent(best.accuracy)})`;
      this.status.textContent = `Stopped. Kept the model after epoch ${best.epoch}${accuracy}: use it or download it.`;
    });
    this.use.addEventListener("click", () => {
      if (this.model) this.onUse(this.model.slice(), "the model trained in this page");
    });
    this.download.addEventListener("click", () => this.save());
  }

  /** Marks a field invalid with its message (kept in the status line too: the browser's bubble fades). */
  private invalid(id: string, message: string): void {
    const field = byId<HTMLInputElement>(id);
    field.setCustomValidity(message);
    field.setAttribute("aria-invalid", "true");
    field.reportValidity();
    this.status.textContent = message;
  }

  /** The form as a request, or null after marking the first bad field. */
  private request(): TrainRequest | null {
    const layersText = byId<HTMLInputElement>("hidden-layers").value.trim();
    let hidden: number[] | null = null;
    if (/^[\d\s,]+$/.test(layersText)) {
      try {
        hidden = parseHidden(layersText);
      } catch (error) {
        this.invalid("hidden-layers", (error as Error).message);
        return null;
      }
    }
    const lr = Number(byId<HTMLInputElement>("learning-rate").value);
    if (!(lr > 0 && lr < 10)) {
      this.invalid("learning-rate", `learning rate: expected a number above 0 and below 10, like 0.001; got "${byId<HTMLInputElement>("learning-rate").value}"`);
      return null;
    }
    const epochs = Number(byId<HTMLInputElement>("epochs").value);
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > 200) {
      this.invalid("epochs", `epochs: expected a whole number from 1 to 200; got "${byId<HTMLInputElement>("epochs").value}"`);
      return null;
    }
    try {
      const data = this.data.data();
      const layers = hidden || layersText === "" ? null : layersText;
      const backend = byId<HTMLSelectElement>("train-backend").value as TrainBackend;
      return { type: "train", data, hidden, layers, epochs, lr, augment: byId<HTMLInputElement>("augment").value, snapshotEvery: SNAPSHOT_EVERY, backend };
    } catch (error) {
      this.invalid("train-source", (error as Error).message);
      return null;
    }
  }

  private train(): void {
    const request = this.request();
    if (!request) return;
    const { epochs } = request;
    this.finish();
    this.model = null;
    this.best = null;
    delete this.status.dataset.testAccuracy;
    delete this.status.dataset.validationAccuracy;
    this.use.disabled = true;
    this.download.disabled = true;
    this.start.disabled = true;
    this.stop.disabled = false;
    this.loss.reset(
      [
        { name: "training (per step)", colour: "#e07a00" },
        { name: "validation", colour: "#2864dc", dots: true },
      ],
      epochs,
    );
    this.accuracy.reset(
      [
        { name: "training (per step)", colour: "#e07a00" },
        { name: "validation", colour: "#2864dc", dots: true },
      ],
      epochs,
    );
    const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
    this.worker = worker;
    worker.addEventListener("message", (event: MessageEvent<TrainMessage>) => this.onMessage(event.data));
    worker.addEventListener("error", (event) => {
      this.status.textContent = `Training failed: ${event.message || "the worker could not start"}`;
      this.finish();
    });
    this.live.replaceChildren();
    this.timing.textContent = "";
    this.status.textContent = "Starting…";
    worker.postMessage(request);
  }

  private onMessage(message: TrainMessage): void {
    switch (message.type) {
      case "status":
        this.status.textContent = message.text;
        break;
      case "data":
        this.summary.classList.remove("error");
        this.summary.textContent = `${message.detected}. Network: ${message.network} (${message.backend}).`;
        this.status.textContent = "Training…";
        break;
      case "snapshot":
        renderLive(this.live, message.model, `epoch ${message.epoch}, step ${message.step}`);
        break;
      case "batch": {
        const x = message.epoch - 1 + message.step / message.steps;
        this.loss.add("training (per step)", x, message.loss);
        this.accuracy.add("training (per step)", x, message.accuracy);
        break;
      }
      case "epoch": {
        const better = this.best === null || message.validationAccuracy === null || this.best.accuracy === null || message.validationAccuracy >= this.best.accuracy;
        if (better) this.best = { model: message.model, epoch: message.epoch, accuracy: message.validationAccuracy };
        this.loss.add("validation", message.epoch, message.validationLoss ?? NaN);
        this.accuracy.add("validation", message.epoch, message.validationAccuracy ?? NaN);
        const validation = message.validationAccuracy === null ? "" : `, validation accuracy ${percent(message.validationAccuracy)}`;
        this.status.textContent = `Epoch ${message.epoch} of ${message.epochs}: loss ${message.loss.toFixed(3)}, training accuracy ${percent(message.accuracy)}${validation} (${message.seconds.toFixed(1)} s, ${message.msPerBatch.toFixed(1)} ms per batch).`;
        break;
      }
      case "done": {
        this.model = message.model;
        this.finish();
        this.use.disabled = false;
        this.download.disabled = false;
        renderLive(this.live, message.model, "trained");
        const held =
          message.testAccuracy !== null
            ? `accuracy on ${message.testRows.toLocaleString("en")} test rows ${percent(message.testAccuracy)}`
            : message.validationAccuracy !== null
              ? `validation accuracy ${percent(message.validationAccuracy)}`
              : "no rows were held out to measure accuracy on";
        if (message.testAccuracy !== null) this.status.dataset.testAccuracy = String(message.testAccuracy);
        if (message.validationAccuracy !== null) this.status.dataset.validationAccuracy = String(message.validationAccuracy);
        this.status.textContent = `Done: ${message.epochs} epoch${message.epochs === 1 ? "" : "s"} in ${message.seconds.toFixed(1)} s; ${held}. Use the model or download it.`;
        this.timing.textContent = timingText(message.timing);
        this.timing.dataset.msPerBatch = String(message.timing.msPerBatch);
        if (message.timing.wasmMsPerBatch !== null) this.timing.dataset.wasmMsPerBatch = String(message.timing.wasmMsPerBatch);
        break;
      }
      case "error":
        this.finish();
        if (message.field) this.invalid(FIELD_IDS[message.field], message.message);
        this.status.textContent = `Training failed: ${message.message}`;
        break;
    }
  }

  /** Ends the worker (a finished or stopped run) and re-enables the form. */
  private finish(): void {
    this.worker?.terminate();
    this.worker = null;
    this.start.disabled = false;
    this.stop.disabled = true;
  }

  private save(): void {
    if (!this.model) return;
    const url = URL.createObjectURL(new Blob([this.model as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = this.data.modelName();
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** "GPU (webgpu): 12.3 ms per batch; the CPU (wasm), the same network: 45.6 ms per batch (3.7x)". */
export function timingText(timing: TrainTiming): string {
  const own = `${timing.device ? "GPU" : "CPU"} (${timing.backend}): ${timing.msPerBatch.toFixed(1)} ms per batch`;
  if (timing.wasmMsPerBatch === null) return `Time: ${own}.`;
  const ratio = timing.wasmMsPerBatch / timing.msPerBatch;
  const compare = ratio >= 1 ? `the GPU is ${ratio.toFixed(1)}x faster` : `the CPU is ${(1 / ratio).toFixed(1)}x faster`;
  return `Time: ${own}; the CPU (wasm), the same network, 4 batches timed after training: ${timing.wasmMsPerBatch.toFixed(1)} ms per batch (${compare}).`;
}
