import { featureNames, featurizerOf, inputNamesOf, type FeaturizerState } from "../featurizers/index.js";
import { encodePng } from "../featurizers/image/index.js";
import { fixedWindow, resample, spectrogramShape, type Clip, type SoundState } from "../featurizers/sound/index.js";
import { tableFeatureGroups, type TableState } from "../featurizers/table/index.js";
import type { Network } from "../model/network.js";
import { extent, maxAbs } from "../tensor/scalar.js";
import type { FloatArray } from "../tensor/tensor.js";
import { canvas, fillRect, heatColor, withLegend } from "./drawing.js";
import type { ExplainMethod, Explanation } from "./types.js";

/**
 * Attributions in the featurizer's language: pixels, words, table columns (one-hot groups summed
 * back to their column), moments of a sound. Pure: the CLI, the server and the web app share it.
 */

export interface FeatureAttribution {
  feature: string;
  value: number;
}

/**
 * One entry per thing a person recognises, sorted by |value|, largest first:
 * - tables: one per column, "city = Oslo" or "income = 95" (its one-hot or missing-flag features summed);
 * - texts: one per word of the vocabulary present in the input;
 * - images: one per pixel, colour channels summed;
 * - sounds and plain features: one per feature.
 * @example featureAttributions(network, row, explanation)[0] // { feature: "city = Oslo", value: -0.21 }
 */
export function featureAttributions(
  network: Network,
  input: Float32Array,
  { attributions, groupAttributions }: Pick<Explanation, "attributions" | "groupAttributions">,
): FeatureAttribution[] {
  const state = featurizerOf(network);
  let out: FeatureAttribution[];
  if (state?.kind === "table") out = tableAttributions(state, input, attributions, groupAttributions);
  else if (state?.kind === "text")
    out = featureNames(state)
      .map((feature, k) => ({ feature, value: attributions[k] }))
      .filter((_, k) => input[k] !== 0);
  else if (state?.kind === "image" && state.channels === 3)
    out = pixelSums(attributions, 3).map((value, p) => ({ feature: `pixel (row ${Math.floor(p / state.width) + 1}, column ${(p % state.width) + 1})`, value }));
  else {
    out = inputNamesOf(network).map((feature, k) => ({ feature, value: attributions[k] }));
  }
  return out.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
}

/** One entry per column: its group's value (shap, occlusion with the column groups) or its features' sum. */
function tableAttributions(state: TableState, input: Float32Array, attributions: FloatArray, groupValues: FloatArray | null): FeatureAttribution[] {
  const groups = tableFeatureGroups(state);
  return groups.map(({ column, features }, c) => {
    const spec = state.columns[c];
    const value = groupValues && groupValues.length === groups.length ? groupValues[c] : features.reduce((sum, k) => sum + attributions[k], 0);
    let shown: string;
    if (spec.type === "numeric") {
      const missing = spec.indicator && input[features[1]] === 1;
      shown = missing ? "(missing)" : String(Number((input[features[0]] * spec.std + spec.mean).toPrecision(6)));
    } else {
      const active = features.findIndex((k) => input[k] === 1);
      shown = active >= 0 && active < spec.categories.length ? spec.categories[active] : "other";
    }
    return { feature: `${column} = ${shown}`, value };
  });
}

function pixelSums(attributions: FloatArray, channels: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < attributions.length / channels; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += attributions[p * channels + c];
    out.push(sum);
  }
  return out;
}

/**
 * A picture of an explanation, for image and sound models (null for others): the input in gray
 * (an image, or a sound's spectrogram with time left to right and pitch upwards) with positive
 * attributions in red and negative ones in blue, stronger where they weigh more. RGB
 * attributions are summed per pixel. Each cell is drawn `scale` pixels wide, or more: the
 * picture is at least 256 px on its long side. With a `title` (the label and the method), a
 * band below it holds the title and the colour legend.
 */
export function explanationPng(state: FeaturizerState | null | undefined, input: Float32Array, attributions: FloatArray, scale = 8, title?: string): Uint8Array | null {
  const cells = explanationPixels(state, input, attributions);
  if (!cells) return null;
  const { width, height, rgba, max } = cells;
  const cell = Math.max(scale, Math.ceil(256 / Math.max(width, height)));
  const picture = canvas(width * cell, height * cell);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) fillRect(picture, x * cell, y * cell, cell, cell, Array.from(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 3)));
  }
  const out = title === undefined ? picture : withLegend(picture, title, max);
  return encodePng(out.width, out.height, out.rgba);
}

/**
 * The picture of an explanation at one pixel per cell (an image's pixel, a spectrogram's frame
 * and band), RGBA, or null for models that read neither: what explanationPng scales up, and what
 * the web page draws itself and lets the browser scale. `max` is the largest |attribution|.
 */
export function explanationPixels(
  state: FeaturizerState | null | undefined,
  input: Float32Array,
  attributions: FloatArray,
): { width: number; height: number; rgba: Uint8ClampedArray; max: number } | null {
  const grid = gridOf(state, input, attributions);
  if (!grid) return null;
  const { width, height, base, heat } = grid;
  const max = Math.max(1e-12, maxAbs(heat));
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set([...heatColor(255 * base[p] * 0.6, heat[p], max), 255], p * 4);
  return { width, height, rgba, max };
}

/** A method's name for a title: "Integrated gradients for "Sneaker"". */
export const METHOD_TITLES: Record<ExplainMethod, string> = {
  ig: "Integrated gradients",
  shap: "Shapley values",
  occlusion: "Occlusion",
  saliency: "Saliency",
  smoothgrad: "SmoothGrad",
  gradxinput: "Gradient x input",
};

/** The title of an explanation's picture: its method and the label it explains. */
export function explanationTitle(e: Pick<Explanation, "method" | "label">): string {
  return `${METHOD_TITLES[e.method]} for "${e.label}"`;
}

/** The input's brightness (0..1) and attribution per cell of a 2-D grid, top row first. */
function gridOf(
  state: FeaturizerState | null | undefined,
  input: Float32Array,
  attributions: FloatArray,
): { width: number; height: number; base: number[]; heat: number[] } | null {
  if (state?.kind === "image") {
    const c = state.channels;
    const base = pixelSums(input, c).map((v) => v / c);
    return { width: state.width, height: state.height, base, heat: pixelSums(attributions, c) };
  }
  if (state?.kind === "sound") {
    const shape = spectrogramShape(state);
    if (!shape) return null;
    const { frames, mels } = shape;
    const { min: lo, max: hi } = extent(input);
    const base: number[] = [];
    const heat: number[] = [];
    for (let m = mels - 1; m >= 0; m--) {
      for (let f = 0; f < frames; f++) {
        base.push((input[f * mels + m] - lo) / Math.max(hi - lo, 1e-12));
        heat.push(attributions[f * mels + m]);
      }
    }
    return { width: frames, height: mels, base, heat };
  }
  return null;
}

/**
 * For sound models: the stretches of time that weigh most, as seconds, with their summed
 * attribution; adjacent moments above a third of the strongest moment's weight are joined.
 */
export function soundStretches(state: SoundState, attributions: FloatArray): { start: number; end: number; value: number }[] {
  const shape = spectrogramShape(state);
  const step = shape ? state.spectrogram!.hopSeconds : 1 / state.rate;
  const width = shape ? shape.mels : 1;
  const moments = attributions.length / width;
  const perMoment = Array.from({ length: moments }, (_, t) => {
    let sum = 0;
    for (let k = 0; k < width; k++) sum += attributions[t * width + k];
    return sum;
  });
  const threshold = maxAbs(perMoment) / 3;
  const out: { start: number; end: number; value: number }[] = [];
  let open: { start: number; end: number; value: number } | null = null;
  perMoment.forEach((value, t) => {
    if (Math.abs(value) >= threshold && threshold > 0) {
      if (!open) {
        open = { start: t * step, end: (t + 1) * step, value: 0 };
        out.push(open);
      }
      open.end = (t + 1) * step;
      open.value += value;
    } else {
      open = null;
    }
  });
  return out.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
}

/**
 * A sound explanation as a picture: the clip's window (as the model heard it) as amplitude over
 * time, with the stretches that weigh most shaded red (towards the answer) or blue (against it),
 * stronger where they weigh more.
 */
export function soundExplanationPng(state: SoundState, clip: Clip, attributions: FloatArray, width = 800, height = 200): Uint8Array {
  const samples = fixedWindow(resample(clip, state.rate).samples, Math.round(state.rate * state.seconds));
  const stretches = soundStretches(state, attributions);
  const strongest = Math.max(1e-12, maxAbs(stretches.map((s) => s.value)));
  const rgba = new Uint8Array(width * height * 4).fill(255);
  const paint = (x: number, y: number, [r, g, b]: number[]): void => {
    const o = (y * width + x) * 4;
    rgba.set([r, g, b, 255], o);
  };
  for (const s of stretches) {
    const strength = Math.abs(s.value) / strongest;
    const tint = s.value >= 0 ? [255, 255 - 150 * strength, 255 - 150 * strength] : [255 - 150 * strength, 255 - 110 * strength, 255];
    const from = Math.max(0, Math.floor((s.start / state.seconds) * width));
    const to = Math.min(width, Math.ceil((s.end / state.seconds) * width));
    for (let x = from; x < to; x++) for (let y = 0; y < height; y++) paint(x, y, tint);
  }
  const peak = Math.max(1e-12, maxAbs(samples));
  const perColumn = samples.length / width;
  for (let x = 0; x < width; x++) {
    let lo = 0;
    let hi = 0;
    for (let t = Math.floor(x * perColumn); t < Math.min(samples.length, Math.floor((x + 1) * perColumn) + 1); t++) {
      lo = Math.min(lo, samples[t]);
      hi = Math.max(hi, samples[t]);
    }
    const top = Math.round((0.5 - (0.45 * hi) / peak) * (height - 1));
    const bottom = Math.round((0.5 - (0.45 * lo) / peak) * (height - 1));
    for (let y = top; y <= bottom; y++) paint(x, y, [60, 60, 60]);
  }
  return encodePng(width, height, rgba);
}

/**
 * An explanation in words for someone who is not a data scientist: the answer, the one baseline
 * named in words, what pushed the answer up and down in percentage points of the probability
 * (in the output's own units for a regression), and a completeness line only for the methods
 * whose attributions add up to the change (integrated gradients and Shapley values).
 * @example plainWords(network, "the average applicant", e, featureAttributions(network, row, e), 3)
 * // ['The model says "Bad" (90%).', 'Compared with the average applicant (29% "Bad"), these made "Bad" more likely:', ...]
 */
export function plainWords(network: Network, baseline: string, e: Explanation, attributions: FeatureAttribution[], top: number): string[] {
  const regression = network.spec.output === "linear";
  const amount = (v: number): string => (regression ? `${v >= 0 ? "+" : "-"}${Math.abs(v).toPrecision(3)}` : `${v >= 0 ? "+" : "-"}${Math.abs(100 * v).toFixed(1)} points`);
  const level = (v: number): string => (regression ? v.toPrecision(4) : `${Math.round(100 * v)}%`);
  const shown = attributions.slice(0, top).filter((a) => a.value !== 0);
  const up = shown.filter((a) => a.value > 0);
  const down = shown.filter((a) => a.value < 0);
  const more = regression ? "higher" : "more likely";
  const less = regression ? "lower" : "less likely";
  const lines = [
    regression ? `The model says "${e.label}" is ${level(e.output)}.` : `The model says "${e.label}" (${level(e.output)}).`,
    `Compared with ${baseline} (${level(e.baselineOutput)}${regression ? "" : ` "${e.label}"`}), ${up.length > 0 ? `these made "${e.label}" ${more}:` : `nothing shown made "${e.label}" ${more}.`}`,
    ...up.map((a) => `  ${a.feature}: ${amount(a.value)}`),
    ...(down.length > 0 ? [`and these made it ${less}:`, ...down.map((a) => `  ${a.feature}: ${amount(a.value)}`)] : []),
  ];
  if (e.method === "ig" || e.method === "shap") {
    const total = attributions.reduce((s, a) => s + a.value, 0);
    lines.push(`All ${attributions.length} together: ${amount(total)}, of the ${amount(e.output - e.baselineOutput)} between the two.`);
  }
  return lines;
}
