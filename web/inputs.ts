/**
 * The input controls, made for the loaded model's featurizer: a file picker and drop zone for
 * images (plus a drawing pad for small gray images), WAV clips and text files; a text box for text
 * models; a form with one field per column for table models. Every input becomes one row of
 * features with the library's own featurizers, exactly as in training.
 */
import {
  csvText,
  featureNames,
  featurizeFile,
  featurizerOf as modelFeaturizer,
  parseCsvTable,
  tableCells,
  tableFeatureRows,
  tableFeatures,
  unseenCategories,
  type FeaturizerState,
  type Network,
  type TableState,
} from "glassbox";
import { DrawPad } from "./drawpad.js";
import { h } from "./dom.js";

export interface InputSource {
  /** A text model's raw text, to highlight its words in the explanation. */
  text: string | null;
  /** A change in progress (a stroke on the pad): answered roughly (fewer integrated-gradient steps), not animated. */
  live?: boolean;
}

export interface InputEvents {
  onFeatures(features: Float32Array, source: InputSource): void;
  onNote(message: string | null, isError: boolean): void;
  /** A 28x28 example image from the embedded Fashion-MNIST test images. */
  example: () => Promise<Float32Array>;
}

/** The model's featurizer, or an image state for models whose input is an image without one (old IDX models). */
export function featurizerOf(network: Network): FeaturizerState | null {
  const state = modelFeaturizer(network);
  if (state) return state;
  const [height, width, channels] = network.inputShape;
  return network.inputShape.length === 3 ? { kind: "image", height, width, channels: channels === 3 ? 3 : 1 } : null;
}

export class InputPanel {
  private network: Network | null = null;
  private state: FeaturizerState | null = null;
  private pad: DrawPad | null = null;
  private audioUrl: string | null = null;
  /** The table form's fields by column name, to fill them with an example. */
  private fields = new Map<string, HTMLInputElement | HTMLSelectElement>();

  constructor(
    private readonly container: HTMLElement,
    private readonly events: InputEvents,
  ) {}

  setModel(network: Network): void {
    this.network = network;
    this.state = featurizerOf(network);
    this.pad = null;
    this.fields = new Map();
    const state = this.state;
    const parts: Node[] = [];
    if (state?.kind === "image") {
      parts.push(
        this.filePicker(`Choose an image (PNG or JPEG, ${state.width}×${state.height} ${state.channels === 1 ? "gray" : "colour"})`, "image/png,image/jpeg,.png,.jpg,.jpeg"),
      );
      if (state.channels === 1 && state.width <= 64 && state.height <= 64) {
        const fashion = state.width === 28 && state.height === 28;
        this.pad = new DrawPad(
          state.width,
          state.height,
          (grid, stroking) => this.events.onFeatures(Float32Array.from(grid), { text: null, live: stroking }),
          fashion ? { example: this.events.example } : {},
        );
        parts.push(h("h4", {}, "…or draw one"), this.pad.element);
      }
    } else if (state?.kind === "sound") {
      parts.push(this.filePicker(`Choose a sound (WAV; the model listens to ${state.seconds} s at ${state.rate} Hz)`, "audio/wav,audio/x-wav,.wav,.wave"));
    } else if (state?.kind === "text") {
      parts.push(...this.textBox(), this.filePicker("…or choose a text file or e-mail", ".txt,.eml,.text,text/plain,message/rfc822"));
    } else if (state?.kind === "table") {
      parts.push(this.tableForm(state), this.filePicker("…or choose a CSV file: its first row fills the form", ".csv,text/csv"));
    } else {
      parts.push(this.numberForm(network));
    }
    if (network.examples) parts.unshift(this.examplePicker(network));
    this.container.replaceChildren(...parts);
  }

  /** Whether the model keeps examples to start from (train keeps the first of each label). */
  get hasExamples(): boolean {
    return (this.network?.examples?.rows ?? 0) > 0;
  }

  /** Shows the model's kept example k as the input: on the pad or as the table form's cells, then answered. */
  showExample(k: number): void {
    const network = this.network;
    const examples = network?.examples;
    if (!network || !examples || k < 0 || k >= examples.rows) return;
    const features = examples.features.slice(k * network.inputs, (k + 1) * network.inputs);
    const picker = this.container.querySelector<HTMLSelectElement>("#example-pick");
    if (picker) picker.value = String(k);
    this.events.onNote(null, false);
    if (this.state?.kind === "table") {
      this.setCells(Array.from(tableCells(this.state, features), ([feature, to]) => ({ feature, to })));
      return;
    }
    this.pad?.set(features, false);
    this.events.onFeatures(features, { text: null });
  }

  /** The table form's cells now, by column name (null for other models). */
  tableCellsNow(): Map<string, string> | null {
    if (this.state?.kind !== "table") return null;
    return new Map(Array.from(this.fields, ([name, input]) => [name, input.value]));
  }

  /** Puts new values in the table form's fields, and answers for them. */
  setCells(values: { feature: string; to: string }[]): void {
    for (const { feature, to } of values) {
      const field = this.fields.get(feature);
      if (field) field.value = to;
    }
    this.container.querySelector("#input-form")?.dispatchEvent(new Event("change"));
  }

  private examplePicker(network: Network): HTMLElement {
    const examples = network.examples!;
    const select = h(
      "select",
      { id: "example-pick" },
      ...Array.from(examples.labels, (label, k) => h("option", { value: String(k) }, `${k + 1}: a training ${network.labels[label]}`)),
    );
    select.addEventListener("change", () => this.showExample(Number(select.value)));
    return h("div", { class: "field inline example-pick" }, h("label", { for: "example-pick" }, "Start from an example"), select);
  }

  /** Reads a dropped or picked file as the model's input. */
  async readFile(file: File): Promise<void> {
    const network = this.network;
    const state = this.state;
    if (!network) return;
    if (state?.kind === "table") {
      await this.readCsvRow(state, file);
      return;
    }
    if (!state) {
      this.events.onNote(`This model reads numbers: fill in the form; it does not read ${file.name}.`, true);
      return;
    }
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const featurized = featurizeFile(state, bytes, file.name);
      if (state.kind === "sound") this.showAudio(file);
      const text = state.kind === "text" ? new TextDecoder().decode(bytes) : null;
      if (text !== null) {
        const box = this.container.querySelector<HTMLTextAreaElement>("#input-text");
        if (box) box.value = text;
      }
      this.pad?.set(featurized.features, false);
      this.events.onNote(featurized.note ?? `Read ${file.name}.`, false);
      this.events.onFeatures(featurized.features, { text });
    } catch (error) {
      this.events.onNote(error instanceof Error ? error.message : String(error), true);
    }
  }

  /**
   * A CSV's first row into the table form. Its header must name the model's columns; a category
   * the model never saw is flagged (the model reads it as "other").
   */
  private async readCsvRow(state: TableState, file: File): Promise<void> {
    try {
      const { text } = csvText(new Uint8Array(await file.arrayBuffer()), file.name);
      const table = parseCsvTable(text, file.name);
      // The library reads the row as predict does (every column found, numbers checked); the form shows it back.
      const features = tableFeatureRows(state, { header: table.header, rows: table.rows.slice(0, 1), lines: table.lines.slice(0, 1) }, file.name);
      const row = new Map(table.header.map((name, j) => [name, table.rows[0][j]]));
      const flagged = unseenCategories(state, (name) => row.get(name)).map(({ column, value }) => `“${value}” is not a ${column} the model knows (it reads it as other)`);
      this.setCells(Array.from(tableCells(state, features), ([feature, to]) => ({ feature, to })));
      this.events.onNote(
        `Read row 1 of ${file.name}${table.rows.length > 1 ? ` (of ${table.rows.length})` : ""}.${flagged.length > 0 ? ` ${flagged.join("; ")}.` : ""}`,
        flagged.length > 0,
      );
    } catch (error) {
      this.events.onNote(error instanceof Error ? error.message : String(error), true);
    }
  }

  private filePicker(text: string, accept: string): HTMLElement {
    const input = h("input", { type: "file", id: "input-file", accept });
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      if (file) void this.readFile(file);
    });
    return h(
      "div",
      { class: "drop-zone", id: "drop-zone" },
      h("label", { for: "input-file" }, text),
      input,
      h("p", { class: "hint" }, "You can also drop a file anywhere on this panel."),
    );
  }

  private showAudio(file: File): void {
    if (this.audioUrl) URL.revokeObjectURL(this.audioUrl);
    this.audioUrl = URL.createObjectURL(file);
    const existing = this.container.querySelector("audio");
    const audio = existing ?? h("audio", { controls: true, "aria-label": "the chosen sound" });
    audio.src = this.audioUrl;
    if (!existing) this.container.append(audio);
  }

  private textBox(): Node[] {
    const box = h("textarea", { id: "input-text", rows: 6, spellcheck: "false" });
    const button = h("button", { type: "button", id: "input-text-read" }, "Read it");
    let timer = 0;
    const read = (): void => {
      const state = this.state;
      if (state?.kind !== "text") return;
      if (box.value.trim() === "") {
        this.events.onNote("Type or paste some text first.", false);
        return;
      }
      try {
        const { features } = featurizeFile(state, new TextEncoder().encode(box.value), "the text box");
        this.events.onNote(null, false);
        this.events.onFeatures(features, { text: box.value });
      } catch (error) {
        this.events.onNote(error instanceof Error ? error.message : String(error), true);
      }
    };
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = window.setTimeout(read, 300);
    });
    button.addEventListener("click", read);
    return [h("label", { for: "input-text" }, "Type or paste a text"), box, button];
  }

  private tableForm(state: TableState): HTMLElement {
    const form = h("form", { class: "table-form", id: "input-form" });
    const fields: { name: string; input: HTMLInputElement | HTMLSelectElement }[] = [];
    state.columns.forEach((column, c) => {
      const id = `column-${c}`;
      let input: HTMLInputElement | HTMLSelectElement;
      if (column.type === "numeric") {
        input = h("input", { id, type: "text", inputmode: "decimal", value: String(Number(column.mean.toPrecision(4))), autocomplete: "off" });
      } else {
        // The categories the model knows, and "other" for any it never saw (what it reads them as).
        input = h(
          "select",
          { id },
          ...column.categories.map((category) => h("option", { value: category }, category === "" ? "(empty)" : category)),
          ...(column.categories.includes("other") ? [] : [h("option", { value: "other" }, "other (not seen in training)")]),
        );
      }
      fields.push({ name: column.name, input });
      this.fields.set(column.name, input);
      form.append(h("div", { class: "field" }, h("label", { for: id }, column.name), input));
    });
    const read = (): void => {
      try {
        const cells = new Map(fields.map(({ name, input }) => [name, input.value]));
        this.events.onNote(null, false);
        this.events.onFeatures(
          tableFeatures(state, (name) => cells.get(name), "the form"),
          { text: null },
        );
      } catch (error) {
        this.events.onNote(error instanceof Error ? error.message : String(error), true);
      }
    };
    return submitting(form, read);
  }

  /** Models without a featurizer read numbers as they are: one field per feature. */
  private numberForm(network: Network): HTMLElement {
    const names = network.about.featureNames ?? Array.from({ length: network.inputs }, (_, k) => `feature ${k + 1}`);
    if (names.length > 100) {
      return h("p", {}, `This model reads ${names.length} plain numbers and has no featurizer, so the page cannot build its input from a file.`);
    }
    const form = h("form", { class: "table-form", id: "input-form" });
    const inputs = names.map((name, k) => {
      const input = h("input", { id: `feature-${k}`, type: "number", step: "any", value: "0" });
      form.append(h("div", { class: "field" }, h("label", { for: `feature-${k}` }, name), input));
      return input;
    });
    const read = (): void =>
      this.events.onFeatures(
        Float32Array.from(inputs, (input) => Number(input.value) || 0),
        { text: null },
      );
    return submitting(form, read);
  }
}

/** Adds a Predict button to `form`; `read` runs on submit, on every change and once now. */
function submitting(form: HTMLElement, read: () => void): HTMLElement {
  form.append(h("button", { type: "submit", id: "input-form-submit" }, "Predict"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    read();
  });
  form.addEventListener("change", read);
  queueMicrotask(read);
  return form;
}

/** Names for the input column of the network drawing (null for images). */
export function inputNames(network: Network): string[] | null {
  const state = featurizerOf(network);
  if (state?.kind === "image") return null;
  return state ? featureNames(state) : network.about.featureNames;
}
