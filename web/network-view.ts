/**
 * The network drawn as columns of neurons (SVG): the input (the image itself for image models),
 * each hidden layer's neurons coloured by their activation for this input, the outputs with their
 * label names, and the signal flowing for this input between drawn neurons as lines: activation x
 * weight, the strongest contributions only (red: excites the neuron it reaches, blue: inhibits).
 * Neurons keep their places from one input to the next (a layer too wide to draw shows a fixed
 * subset: see drawnUnits), so different inputs light different neurons; a new input lights the
 * columns one after another, unless the reader prefers reduced motion. Neurons are buttons:
 * click, or move with the arrow keys and press Enter or Space, to open a neuron's details.
 */
import { maxAbs, type Network } from "glassbox";
import { activationColour, number, percent, s, NEGATIVE, POSITIVE } from "./dom.js";
import type { Analysis, LayerWeights } from "./analysis.js";
import { outputName, outputValue, weightsOf } from "./analysis.js";

export const MAX_DRAWN = 64;
const PER_SUBCOLUMN = 16;
const STEP = 20; // distance between neuron centres
const RADIUS = 7.5;
const GAP = 96; // between columns, room for the weight lines
const TOP = 44; // room for the column titles
const LINES_PER_GAP = 90;
const PICTURE = 112; // the input picture's longer side
const INPUTS_DRAWN = 16; // input features drawn for non-image models, one column so their names fit

/** A neuron: dense layer index (the last is the output layer) and unit index. */
export interface NeuronRef {
  layer: number;
  neuron: number;
}

export interface InputColumn {
  /** For image and spectrogram models: the input as a picture (data URL) and its size in cells. */
  picture: { url: string; width: number; height: number; what: string } | null;
  /** Otherwise: feature names (or null for "feature k"). */
  names: string[] | null;
}

interface Column {
  title: string;
  x: number;
  /** Unit indices drawn, in drawing order, with their centres. */
  drawn: { index: number; x: number; y: number; value: number; shade: number }[];
  hidden: number; // units not drawn
  layer: number; // dense layer index, -1 for the input
}

/** Indices of the `limit` largest |values| (largest first). */
export function strongest(values: ArrayLike<number>, limit: number): number[] {
  return Array.from({ length: values.length }, (_, k) => k)
    .sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]))
    .slice(0, limit);
}

const drawnCache = new WeakMap<Network, number[][]>();

/**
 * The units drawn for each layer of neurons, in index order, fixed for the network: all of a
 * layer that fits, else the MAX_DRAWN that matter most over the model's examples. A unit matters
 * by how strongly it fires on the examples the model keeps (its background rows; none kept:
 * equally) times how strongly the next layer listens to it (the length of its outgoing weights),
 * so a dead neuron or one the next layer ignores is not drawn. The output layer is all drawn.
 */
export function drawnUnits(network: Network, layers: readonly LayerWeights[]): number[][] {
  const cached = drawnCache.get(network);
  if (cached) return cached;
  const firing = layers.map((l) => new Float64Array(l.units).fill(1));
  const background = network.background;
  if (background) {
    firing.forEach((f) => f.fill(0));
    for (let r = 0; r < background.rows; r++) {
      const { layers: outputs } = network.layerOutputs(background.features.subarray(r * network.inputs, (r + 1) * network.inputs));
      outputs.forEach((values, l) => values.forEach((v, k) => (firing[l][k] += Math.abs(v) / background.rows)));
    }
  }
  const drawn = layers.map((layer, l) => {
    const next = layers[l + 1];
    if (layer.units <= MAX_DRAWN || !next) return Array.from({ length: layer.units }, (_, k) => k);
    const matters = Array.from(firing[l], (f, k) => {
      let listened = 0;
      for (let j = 0; j < next.units; j++) listened += next.weights[k * next.units + j] ** 2;
      return f * Math.sqrt(listened);
    });
    return strongest(matters, MAX_DRAWN).sort((a, b) => a - b);
  });
  drawnCache.set(network, drawn);
  return drawn;
}

function place(values: ArrayLike<number>, order: number[], x0: number, shadeOf: (v: number) => number): Column["drawn"] {
  return order.map((index, rank) => ({
    index,
    x: x0 + Math.floor(rank / PER_SUBCOLUMN) * STEP + RADIUS,
    y: TOP + (rank % PER_SUBCOLUMN) * STEP + RADIUS,
    value: values[index],
    shade: shadeOf(values[index]),
  }));
}

function scaleBy(values: ArrayLike<number>): (v: number) => number {
  let max = 1e-12;
  for (let k = 0; k < values.length; k++) max = Math.max(max, Math.abs(values[k]));
  return (v) => v / max;
}

/** Lays out the columns for one analysis. */
function layout(network: Network, analysis: Analysis, input: InputColumn): { columns: Column[]; width: number; height: number; inputWidth: number } {
  const units = drawnUnits(network, weightsOf(network));
  const columns: Column[] = [];
  let x = 12;
  let inputWidth = 0;
  if (input.picture) {
    inputWidth = pictureSize(input.picture).width;
    columns.push({ title: `Input ${input.picture.width}×${input.picture.height}`, x, drawn: [], hidden: 0, layer: -1 });
  } else {
    const order = strongest(analysis.features, INPUTS_DRAWN);
    inputWidth = 150;
    columns.push({ title: "Input", x, drawn: place(analysis.features, order, x + 136, scaleBy(analysis.features)), hidden: analysis.features.length - order.length, layer: -1 });
  }
  x += inputWidth + GAP;
  const last = analysis.layers.length - 1;
  analysis.layers.forEach((values, layer) => {
    const isOutput = layer === last;
    const shown = isOutput && network.spec.output !== "linear" ? Array.from(values, (_, k) => outputValue(network, analysis.answer, k)) : Array.from(values);
    const order = units[layer];
    const shade = isOutput && network.spec.output !== "linear" ? (p: number) => p : scaleBy(shown);
    const title = isOutput ? "Output" : `Layer ${layer + 1} · ${values.length}`;
    columns.push({ title, x, drawn: place(shown, order, x, shade), hidden: values.length - order.length, layer });
    x += Math.ceil(order.length / PER_SUBCOLUMN) * STEP + (isOutput ? 150 : GAP);
  });
  const rows = columns.reduce((most, c) => Math.max(most, Math.min(PER_SUBCOLUMN, Math.max(c.drawn.length, 1))), 0);
  const height = Math.max(TOP + rows * STEP + 34, input.picture ? TOP + pictureSize(input.picture).height + 34 : 0);
  return { columns, width: x, height, inputWidth };
}

/** The signal between two drawn columns for this input, as lines: activation x weight, the strongest LINES_PER_GAP. */
function signalLines(from: Column, to: Column, weights: LayerWeights): SVGElement[] {
  const pairs: { a: Column["drawn"][number]; b: Column["drawn"][number]; signal: number }[] = [];
  for (const a of from.drawn) {
    if (a.value === 0) continue;
    for (const b of to.drawn) pairs.push({ a, b, signal: a.value * weights.weights[a.index * weights.units + b.index] });
  }
  pairs.sort((p, q) => Math.abs(q.signal) - Math.abs(p.signal));
  const chosen = pairs.slice(0, LINES_PER_GAP).filter((p) => p.signal !== 0);
  const max = Math.max(1e-12, maxAbs(chosen.map((p) => p.signal)));
  return chosen.reverse().map(({ a, b, signal }) =>
    s("line", {
      x1: a.x + RADIUS,
      y1: a.y,
      x2: b.x - RADIUS,
      y2: b.y,
      stroke: signal >= 0 ? POSITIVE : NEGATIVE,
      "stroke-width": (0.4 + (2.2 * Math.abs(signal)) / max).toFixed(2),
      "stroke-opacity": (0.15 + (0.6 * Math.abs(signal)) / max).toFixed(2),
      "data-from": a.index,
      "data-to": b.index,
    }),
  );
}

export class NetworkView {
  private focusKey: string | null = null;
  /** What the last full drawing holds, to change in place: its neurons by layer:index, the signal line groups by column, the input picture. */
  private drawn: {
    network: Network;
    key: string;
    neurons: Map<string, SVGCircleElement>;
    gaps: Map<number, SVGGElement>;
    picture: SVGImageElement | null;
  } | null = null;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly onSelect: (ref: NeuronRef) => void,
  ) {
    svg.addEventListener("click", (event) => {
      const ref = refOf(event.target);
      if (ref) this.choose(ref);
    });
    svg.addEventListener("keydown", (event) => this.onKey(event));
  }

  /**
   * `animate`: the signal lights the columns one after another (a new input, not a stroke in
   * progress). `live`: a frame of a stroke in progress; when it draws the same neurons in the
   * same places as the last drawing, only their colours and the signal lines change, in place.
   */
  render(network: Network, analysis: Analysis, input: InputColumn, selected: NeuronRef | null, animate = false, live = false): void {
    const { columns, width, height, inputWidth } = layout(network, analysis, input);
    const weights = weightsOf(network);
    const key = [
      ...columns.map((c) => `${c.layer}:${c.drawn.map((d) => d.index).join(",")}`),
      `${width}x${height}`,
      selected ? `${selected.layer}:${selected.neuron}` : "",
      input.picture ? "picture" : "names",
    ].join("|");
    const drawn = this.drawn;
    if (live && drawn && drawn.network === network && drawn.key === key) {
      // Colours only: the words (tooltips, labels) follow when the stroke ends, which draws the
      // whole network again (a fifth of a frame's time went to rewriting them).
      for (const column of columns) {
        for (const d of column.drawn) drawn.neurons.get(`${column.layer}:${d.index}`)?.setAttribute("fill", activationColour(d.shade));
      }
      for (const [c, gap] of drawn.gaps) gap.replaceChildren(...signalLines(columns[c - 1], columns[c], weights[columns[c].layer]));
      if (input.picture) drawn.picture?.setAttribute("href", input.picture.url);
      this.svg.classList.remove("flow");
      return;
    }
    const hadFocus = this.svg.contains(document.activeElement);
    const lines = s("g", { class: "weights", "aria-hidden": "true" });
    const neurons = s("g", { class: "neurons" });
    const labels = s("g", { class: "column-titles", "aria-hidden": "true" });
    const kept: NonNullable<NetworkView["drawn"]> = { network, key, neurons: new Map(), gaps: new Map(), picture: null };
    const last = analysis.layers.length - 1;
    columns.forEach((column, c) => {
      labels.append(s("text", { x: column.x, y: 20, class: "column-title" }, column.title));
      if (column.hidden > 0) {
        const bottom = column.drawn.reduce((lowest, d) => Math.max(lowest, d.y), -Infinity) + RADIUS + 18;
        labels.append(s("text", { x: column.x, y: bottom, class: "more" }, `+${column.hidden} more`));
      }
      const previous = columns[c - 1];
      if (previous && previous.drawn.length > 0 && column.layer >= 0) {
        const gap = s("g", { style: `--column: ${c}`, "data-layer": column.layer });
        gap.append(...signalLines(previous, column, weights[column.layer]));
        lines.append(gap);
        kept.gaps.set(c, gap);
      }
      if (previous && previous.drawn.length === 0 && column.layer === 0) {
        // The image feeds every first-layer neuron: a faint fan from its edge.
        const middle = TOP + pictureSize(input.picture ?? { width: 1, height: 1 }).height / 2;
        for (const d of column.drawn) lines.append(s("line", { x1: previous.x + inputWidth, y1: middle, x2: d.x - RADIUS, y2: d.y, class: "fan" }));
      }
    });
    if (input.picture) {
      const size = pictureSize(input.picture);
      kept.picture = s("image", {
        href: input.picture.url,
        x: columns[0].x,
        y: TOP,
        width: size.width,
        height: size.height,
        class: "input-picture",
        preserveAspectRatio: "none",
        role: "img",
        "aria-label": input.picture.what,
      });
      neurons.append(kept.picture);
    }
    for (const column of columns) {
      for (const d of column.drawn) {
        const isOutput = column.layer === last;
        const what = describe(network, column, d, input, last);
        if (column.layer < 0) {
          const circle = s("circle", { cx: d.x, cy: d.y, r: RADIUS - 1.5, fill: activationColour(d.shade), class: "input-neuron" }, s("title", {}, what));
          neurons.append(circle, s("text", { x: d.x - RADIUS - 4, y: d.y + 4, class: "input-name" }, shorten(input.names?.[d.index] ?? `feature ${d.index + 1}`, 20)));
          kept.neurons.set(`${column.layer}:${d.index}`, circle);
          continue;
        }
        const key = `${column.layer}:${d.index}`;
        const chosen = selected?.layer === column.layer && selected.neuron === d.index;
        const circle = s(
          "circle",
          {
            cx: d.x,
            cy: d.y,
            r: RADIUS,
            fill: activationColour(d.shade),
            class: chosen ? "neuron selected" : "neuron",
            role: "button",
            tabindex: -1,
            "aria-pressed": chosen ? "true" : "false",
            "aria-label": what,
            "data-layer": column.layer,
            "data-neuron": d.index,
            "data-key": key,
            style: `--column: ${columns.indexOf(column)}`,
          },
          s("title", {}, what),
        );
        neurons.append(circle);
        kept.neurons.set(key, circle);
        if (isOutput) {
          neurons.append(s("text", { x: d.x + RADIUS + 6, y: d.y + 4, class: "output-name", "aria-hidden": "true" }, shorten(outputName(network, d.index), 18)));
        }
      }
    }
    this.drawn = kept;
    this.svg.replaceChildren(lines, neurons, labels);
    this.svg.classList.toggle("flow", animate);
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.style.setProperty("--natural-width", `${width}px`);
    // One tab stop for all neurons (a roving tabindex); the arrow keys move between them.
    const focusable = this.circles();
    const keep = focusable.find((c) => c.dataset.key === this.focusKey) ?? focusable.find((c) => c.dataset.layer === "0") ?? focusable[0];
    if (keep) {
      keep.setAttribute("tabindex", "0");
      this.focusKey = keep.dataset.key ?? null;
      if (hadFocus) keep.focus();
    }
  }

  private circles(): SVGCircleElement[] {
    return Array.from(this.svg.querySelectorAll<SVGCircleElement>("circle.neuron"));
  }

  private choose(ref: NeuronRef): void {
    this.focusKey = `${ref.layer}:${ref.neuron}`;
    this.onSelect(ref);
    this.svg.querySelector<SVGCircleElement>(`circle.neuron[data-key="${this.focusKey}"]`)?.focus();
  }

  private onKey(event: KeyboardEvent): void {
    const current = refOf(event.target);
    if (!current) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.choose(current);
      return;
    }
    const moves: Record<string, [number, number]> = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0], Home: [0, -Infinity], End: [0, Infinity] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const all = this.circles();
    const layers = [...new Set(all.map((c) => Number(c.dataset.layer)))];
    const inLayer = (layer: number): SVGCircleElement[] => all.filter((c) => Number(c.dataset.layer) === layer);
    const here = inLayer(current.layer);
    const rank = here.findIndex((c) => Number(c.dataset.neuron) === current.neuron);
    const layerAt = layers[Math.min(layers.length - 1, Math.max(0, layers.indexOf(current.layer) + move[0]))];
    const target = inLayer(layerAt);
    const next = target[Math.min(target.length - 1, Math.max(0, move[1] === 0 ? rank : rank + move[1]))];
    if (!next) return;
    for (const c of all) c.setAttribute("tabindex", "-1");
    next.setAttribute("tabindex", "0");
    this.focusKey = next.dataset.key ?? null;
    next.focus();
  }
}

function refOf(target: EventTarget | null): NeuronRef | null {
  if (!(target instanceof SVGElement)) return null;
  const circle = target.closest<SVGCircleElement>("circle.neuron");
  if (!circle) return null;
  return { layer: Number(circle.dataset.layer), neuron: Number(circle.dataset.neuron) };
}

/** A drawn neuron in words, its tooltip and label: "Sneaker: 93%", "layer 2, neuron 17: activation 0.41", "age = 42". */
function describe(network: Network, column: Column, d: Column["drawn"][number], input: InputColumn, last: number): string {
  if (column.layer < 0) return `${input.names?.[d.index] ?? `feature ${d.index + 1}`} = ${number(d.value)}`;
  if (column.layer === last) return `${outputName(network, d.index)}: ${network.spec.output === "linear" ? number(d.value) : percent(d.value)}`;
  return `layer ${column.layer + 1}, neuron ${d.index + 1}: activation ${number(d.value)}`;
}

/** The picture's drawn size: its longer side PICTURE pixels, its aspect ratio kept. */
function pictureSize(picture: { width: number; height: number }): { width: number; height: number } {
  const scale = PICTURE / Math.max(picture.width, picture.height);
  return { width: Math.round(picture.width * scale), height: Math.round(picture.height * scale) };
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
