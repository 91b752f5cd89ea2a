import { GlassboxError } from "../errors.js";
import { featurizerOf } from "../featurizers/index.js";
import type { Network } from "../model/network.js";
import { Random } from "../tensor/random.js";
import type { FloatArray } from "../tensor/tensor.js";
import { featureAttributions } from "./present.js";

/**
 * What one hidden unit looks for, in any layer: a neuron of a layer whose output is a list of
 * numbers, or a channel of one whose output is a grid [height, width, channels] (a channel's
 * activation for an input is its strongest cell). Through the network's public calls only.
 */

/** The unit of `layer` that `unit` (counting from 0) names: a neuron or a channel, and how many the layer has. */
export function unitOf(network: Network, layer: number, unit: number): { kind: "neuron" | "channel"; count: number } {
  const d = network.describe()[layer];
  if (!d) throw new GlassboxError("BAD_ARGUMENT", `layer ${layer}: this network has layers 0 to ${network.describe().length - 1}`);
  const shape = d.outputShape;
  const kind = shape.length === 3 ? "channel" : "neuron";
  const count = shape[shape.length - 1];
  if (!(Number.isInteger(unit) && unit >= 0 && unit < count)) {
    throw new GlassboxError("BAD_ARGUMENT", `neuron ${unit + 1}: layer ${layer} (${d.summary}) has ${kind}s 1 to ${count}`);
  }
  return { kind, count };
}

/** Each row's activation of the unit, and for a channel the cell (y, x) where it is strongest. */
export function unitActivations(network: Network, features: Float32Array, rows: number, layer: number, unit: number): { values: Float64Array; cells: Int32Array | null } {
  return unitsActivations(network, features, rows, layer, [unit])[0];
}

/** unitActivations for several units of one layer, from one pass over the rows. */
export function unitsActivations(network: Network, features: Float32Array, rows: number, layer: number, units: number[]): { values: Float64Array; cells: Int32Array | null }[] {
  const kinds = units.map((unit) => unitOf(network, layer, unit));
  const out = kinds.map(({ kind }) => ({ values: new Float64Array(rows), cells: kind === "channel" ? new Int32Array(rows) : null }));
  const count = kinds[0]?.count ?? 1;
  const size = network.describe()[layer].outputShape.reduce((a, b) => a * b, 1);
  const chunk = Math.max(1, Math.min(1024, Math.floor((1 << 22) / size)));
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const outputs = network.layerOutputOf(features.subarray(start * network.inputs, (start + n) * network.inputs), n, layer);
    units.forEach((unit, u) => {
      for (let i = 0; i < n; i++) {
        let best = -Infinity;
        let where = 0;
        for (let c = 0; c < size / count; c++) {
          const v = outputs[i * size + c * count + unit];
          if (v > best) [best, where] = [v, c];
        }
        out[u].values[start + i] = best;
        const cells = out[u].cells;
        if (cells) cells[start + i] = where;
      }
    });
  }
  return out;
}

/** The `k` rows with the largest values, largest first (ties: the earlier row first). */
export function strongestRows(values: Float64Array, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, k);
}

/** A rectangle of input pixels: rows top..bottom and columns left..right, inclusive. */
export interface Patch {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/**
 * The input pixels cell (y, x) of layer `layer`'s grid reads: each convolution or pooling window
 * below it widens the rectangle, clipped to the image. A layer that mixes every cell (global
 * pooling, dense) reads the whole image.
 */
export function receptiveField(network: Network, layer: number, y: number, x: number): Patch {
  const layers = network.describe();
  let [top, bottom, left, right] = [y, y, x, x];
  for (let i = layer; i >= 0; i--) {
    const d = layers[i];
    const size = d.settings.size as number | undefined;
    if (d.type === "globalavgpool" || d.outputShape.length !== 3) [top, bottom, left, right] = [0, Infinity, 0, Infinity];
    else if (size !== undefined) {
      // A window layer (convolution or pooling; pooling has no padding).
      const stride = (d.settings.stride as number | undefined) ?? size;
      const padTop = (d.settings.padTop as number | undefined) ?? 0;
      const padLeft = (d.settings.padLeft as number | undefined) ?? 0;
      [top, bottom] = [top * stride - padTop, bottom * stride - padTop + size - 1];
      [left, right] = [left * stride - padLeft, right * stride - padLeft + size - 1];
    }
  }
  const [height, width] = network.inputShape;
  return { top: Math.max(0, top), left: Math.max(0, left), bottom: Math.min(height - 1, bottom), right: Math.min(width - 1, right) };
}

/**
 * d (the unit's activation) / d raw input for each row, the activation being the neuron or, for
 * a channel, its cell `cells[i]` (its strongest, from unitActivations; the channel's mean when null).
 */
function unitGradients(network: Network, rows: Float32Array, n: number, layer: number, unit: number, cells: ArrayLike<number> | null): FloatArray {
  const shape = network.describe()[layer].outputShape;
  const count = shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  const slope = new Float64Array(n * size);
  for (let i = 0; i < n; i++) {
    if (cells) slope[i * size + cells[i] * count + unit] = 1;
    else for (let c = 0; c < size / count; c++) slope[i * size + c * count + unit] = count / size;
  }
  return network.inputGradientOf(rows, n, slope, layer);
}

/** Settings of the feature visualisation: gradient ascent with jitter and blur, seeded. */
export interface VisualizeOptions {
  steps?: number;
  seed?: number;
  /** Step size in brightness, for a gradient scaled to a mean magnitude of 1. */
  rate?: number;
  /** Pixels the image is shifted by, at most, in each direction before each step. */
  jitter?: number;
  /** Steps between blurs (a 3x3 [1 2 1] / 4 blur each way). */
  blurEvery?: number;
}

/**
 * Activation maximisation for an image model: what the unit "wants to see". From a gray image
 * with a little noise, `steps` steps of gradient ascent on the unit's activation (a channel's
 * mean over its grid), each at a random shift of up to `jitter` pixels, brightness kept in
 * [0, 1] and the image blurred every `blurEvery` steps, so that the picture holds shapes rather
 * than pixel noise. Returns the image's features (brightness per pixel and channel).
 */
export function visualizeUnit(network: Network, layer: number, unit: number, options: VisualizeOptions = {}): Float32Array {
  unitOf(network, layer, unit);
  const state = featurizerOf(network);
  if (state?.kind !== "image") throw new GlassboxError("BAD_ARGUMENT", "feature visualisation needs an image model");
  const { steps = 256, seed = 1, rate = 0.02, jitter = 2, blurEvery = 4 } = options;
  const { height, width, channels } = state;
  const gradientAt = preActivationGradient(network, layer, unit);
  const random = new Random(seed);
  let image: Float32Array = Float32Array.from({ length: network.inputs }, () => 0.5 + 0.02 * (random.uniform() - 0.5));
  for (let step = 1; step <= steps; step++) {
    const dy = random.integer(2 * jitter + 1) - jitter;
    const dx = random.integer(2 * jitter + 1) - jitter;
    const shifted = roll(image, height, width, channels, dy, dx);
    const g = roll(Float32Array.from(gradientAt(shifted)), height, width, channels, -dy, -dx);
    let mean = 0;
    for (const v of g) mean += Math.abs(v) / g.length;
    for (let i = 0; i < image.length; i++) image[i] = Math.min(1, Math.max(0, image[i] + (rate * g[i]) / (mean + 1e-12)));
    if (step % blurEvery === 0) image = blur(image, height, width, channels);
  }
  return image;
}

/**
 * d (the unit's sum before its squashing function) / d raw input, for one row: a unit that is
 * off (0 after a relu) where the ascent starts still has a direction to grow. For a layer that
 * is an activation, the unit of the layer before; for a dense layer with its activation, its
 * weighted sum (its column of weights, carried back from the layer before).
 */
function preActivationGradient(network: Network, layer: number, unit: number): (row: Float32Array) => FloatArray {
  const d = network.describe()[layer];
  if (d.type === "activation" && layer > 0) return (row) => unitGradients(network, row, 1, layer - 1, unit, null);
  const weights = d.type === "dense" && d.activation !== null && d.activation !== "linear" ? network.weightsOf(layer) : null;
  if (!weights) return (row) => unitGradients(network, row, 1, layer, unit, null);
  const [inputs, units] = weights.shape;
  const column = Float64Array.from({ length: inputs }, (_, i) => weights.values[i * units + unit]);
  return layer === 0 ? () => column : (row) => network.inputGradientOf(row, 1, column, layer - 1);
}

/** The image moved by (dy, dx) pixels, wrapping round the edges. */
function roll(image: Float32Array, height: number, width: number, channels: number, dy: number, dx: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    const from = ((y - dy + height) % height) * width;
    for (let x = 0; x < width; x++) {
      const source = (from + ((x - dx + width) % width)) * channels;
      out.set(image.subarray(source, source + channels), (y * width + x) * channels);
    }
  }
  return out;
}

/** A [1 2 1] / 4 blur down and across (edges repeat). */
function blur(image: Float32Array, height: number, width: number, channels: number): Float32Array {
  const at = (im: Float32Array, y: number, x: number, c: number): number => im[(Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))) * channels + c];
  const across = new Float32Array(image.length);
  const down = new Float32Array(image.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) across[(y * width + x) * channels + c] = (at(image, y, x - 1, c) + 2 * at(image, y, x, c) + at(image, y, x + 1, c)) / 4;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) down[(y * width + x) * channels + c] = (at(across, y - 1, x, c) + 2 * at(across, y, x, c) + at(across, y + 1, x, c)) / 4;
  return down;
}

/** One of the inputs that excite a unit most. */
export interface UnitExample {
  /** Row of the data, from 0. */
  row: number;
  activation: number;
  /** For a channel: its strongest cell and the input pixels that cell reads. */
  cell?: { y: number; x: number };
  patch?: Patch;
  /** For text and table models: what in this input drives the unit most ("word", "column = value"). */
  drivers?: { feature: string; value: number }[];
}

/** What inspect reports for one unit over a dataset. */
export interface UnitReport {
  layer: number;
  unit: number;
  kind: "neuron" | "channel";
  /** Never above 0 on any of the rows: it passes nothing on. */
  dead: boolean;
  /** How many of the rows it is active (above 0) on. */
  active: number;
  rows: number;
  top: UnitExample[];
  /** For text and table models: the drivers that come back most often among the top inputs. */
  drivers?: { feature: string; count: number }[];
}

/** The `k` rows that excite the unit most, with where (channels) and what (text, tables), and whether it is dead. */
export function inspectUnit(network: Network, features: Float32Array, rows: number, layer: number, unit: number, k = 9): UnitReport {
  const { kind } = unitOf(network, layer, unit);
  const { values, cells } = unitActivations(network, features, rows, layer, unit);
  let active = 0;
  for (const v of values) if (v > 0) active++;
  const gridWidth = kind === "channel" ? network.describe()[layer].outputShape[1] : 1;
  const top: UnitExample[] = strongestRows(values, k).map((row) => {
    const example: UnitExample = { row, activation: values[row] };
    if (cells) {
      const cell = { y: Math.floor(cells[row] / gridWidth), x: cells[row] % gridWidth };
      example.cell = cell;
      if (network.inputShape.length === 3) example.patch = receptiveField(network, layer, cell.y, cell.x);
    }
    return example;
  });
  const report: UnitReport = { layer, unit, kind, dead: active === 0, active, rows, top };
  const state = featurizerOf(network);
  if (state?.kind === "text" || state?.kind === "table") {
    // Gradient x input of the unit's activation, in the featurizer's terms (words, "column = value").
    const counts = new Map<string, number>();
    for (const example of top) {
      const input = features.slice(example.row * network.inputs, (example.row + 1) * network.inputs);
      const g = unitGradients(network, input, 1, layer, unit, cells ? [cells[example.row]] : null);
      const attributions = Float64Array.from(g, (v, j) => v * input[j]);
      example.drivers = featureAttributions(network, input, { attributions, groupAttributions: null })
        .filter((a) => a.value > 0)
        .slice(0, 3);
      for (const d of example.drivers) counts.set(d.feature, (counts.get(d.feature) ?? 0) + 1);
    }
    report.drivers = [...counts].map(([feature, count]) => ({ feature, count })).sort((a, b) => b.count - a.count || a.feature.localeCompare(b.feature));
  }
  return report;
}
