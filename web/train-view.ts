/**
 * The Train view: choose the hidden layers and epochs, train on the embedded Fashion-MNIST
 * subset in a Web Worker (the page stays responsive), watch the loss and accuracy curves, then
 * use the model in the See-inside view or download its model file.
 */
import { LineChart } from "./chart.js";
import { byId, percent } from "./dom.js";
import type { TrainMessage, TrainRequest } from "./messages.js";

const MAX_HIDDEN_LAYERS = 4;
const MAX_UNITS = 1024;

/** "256, 128" -> [256, 128]; "" -> [] (no hidden layer); throws with a reason for anything else. */
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

  constructor(private readonly onUse: (bytes: Uint8Array, source: string) => void) {
    this.loss = new LineChart(byId<HTMLCanvasElement>("loss-chart"), { yLabel: "Loss" });
    this.accuracy = new LineChart(byId<HTMLCanvasElement>("accuracy-chart"), { yLabel: "Accuracy", percent: true });
    // A field once marked invalid would block every later submit: editing it clears the mark.
    const hiddenInput = byId<HTMLInputElement>("hidden-layers");
    hiddenInput.addEventListener("input", () => {
      hiddenInput.setCustomValidity("");
      hiddenInput.removeAttribute("aria-invalid");
    });
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

  private train(): void {
    let hidden: number[];
    const hiddenInput = byId<HTMLInputElement>("hidden-layers");
    try {
      hidden = parseHidden(hiddenInput.value);
      hiddenInput.setCustomValidity("");
      hiddenInput.removeAttribute("aria-invalid");
    } catch (error) {
      hiddenInput.setCustomValidity((error as Error).message);
      hiddenInput.setAttribute("aria-invalid", "true");
      hiddenInput.reportValidity();
      this.status.textContent = (error as Error).message; // the browser's bubble fades; the status stays
      return;
    }
    const epochs = Number(byId<HTMLInputElement>("epochs").value);
    const rows = Number(byId<HTMLSelectElement>("train-rows").value);
    this.finish();
    this.model = null;
    this.best = null;
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
    const request: TrainRequest = { type: "train", hidden, epochs, rows, dataUrl: new URL("data/", location.href).href };
    worker.postMessage(request);
  }

  private onMessage(message: TrainMessage): void {
    switch (message.type) {
      case "status":
        this.status.textContent = message.text;
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
        this.status.textContent = `Epoch ${message.epoch} of ${message.epochs}: loss ${message.loss.toFixed(3)}, training accuracy ${percent(message.accuracy)}${validation} (${message.seconds.toFixed(1)} s).`;
        break;
      }
      case "done":
        this.model = message.model;
        this.finish();
        this.use.disabled = false;
        this.download.disabled = false;
        this.status.textContent = `Done: ${message.epochs} epoch${message.epochs === 1 ? "" : "s"} in ${message.seconds.toFixed(1)} s; accuracy on 2,000 test images ${percent(message.testAccuracy)}. Use the model or download it.`;
        break;
      case "error":
        this.status.textContent = `Training failed: ${message.message}`;
        this.finish();
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
    link.download = "fashion-mnist.safetensors";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
