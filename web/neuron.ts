/**
 * One neuron up close: its activation for this input, where it ranks in its layer, its share of
 * this answer (conductance: its part of the move from the baseline to the answer), the model's
 * kept examples that excite it most, and its weights. A first-layer neuron of an image model
 * shows its incoming weights as a picture the size of the input (red where a bright pixel
 * raises it, blue where it lowers it); other neurons list their strongest incoming
 * contributions and outgoing weights. For image models a button draws what the neuron "wants
 * to see" (a feature visualisation, a few hundred steps of gradient ascent).
 */
import { baselineFor, baselineInWords, conductance, featureNames, maxAbs, unitActivations, visualizeUnit, type Network } from "glassbox";
import { featurizerOf } from "./inputs.js";
import type { Analysis } from "./analysis.js";
import { outputName, outputValue, weightsOf } from "./analysis.js";
import { grayDataUrl, h, number, percent, signedBars } from "./dom.js";
import type { NeuronRef } from "./network-view.js";

const LISTED = 8;

export function renderNeuron(container: HTMLElement, network: Network, analysis: Analysis, ref: NeuronRef): void {
  const weights = weightsOf(network);
  const layer = weights[ref.layer];
  const values = analysis.layers[ref.layer];
  const isOutput = ref.layer === weights.length - 1;
  const activation = values[ref.neuron];
  const rank = 1 + Array.from(values).filter((v) => Math.abs(v) > Math.abs(activation)).length;
  const title = isOutput ? `Output: ${outputName(network, ref.neuron)}` : `Layer ${ref.layer + 1}, neuron ${ref.neuron + 1}`;
  const parts: Node[] = [h("h4", { id: "neuron-title" }, title)];
  if (isOutput && network.spec.output !== "linear") {
    parts.push(h("p", {}, `Probability ${percent(outputValue(network, analysis.answer, ref.neuron))} (logit ${number(activation)}).`));
  } else {
    parts.push(
      h(
        "p",
        { id: "neuron-activation" },
        `Activation ${number(activation)} for this input (${layer.activation}); the ${rank === 1 ? "" : `${ordinal(rank)} `}strongest of ${values.length} in this layer.`,
      ),
    );
  }

  const state = featurizerOf(network);
  const index = network.describe().filter((d) => d.units !== null)[ref.layer].index; // the layer's index in the network
  if (!isOutput) parts.push(...shareOfAnswer(network, analysis, index, ref.neuron), ...strongestExamples(network, index, ref.neuron));
  if (!isOutput && state?.kind === "image") parts.push(featureVisualisation(network, index, ref.neuron, state.width, state.height, state.channels));

  const incoming = column(layer.weights, layer.units, layer.inputs, ref.neuron);
  const image = state?.kind === "image" ? state : null;
  if (ref.layer === 0 && image && image.height * image.width * image.channels === layer.inputs) {
    parts.push(weightPicture(incoming, image.width, image.height, image.channels, title));
  } else if (ref.layer === 0) {
    const names = state ? featureNames(state) : (network.about.featureNames ?? null);
    const entries = topEntries(incoming, (k) => names?.[k] ?? `feature ${k + 1}`);
    parts.push(h("p", { class: "caption" }, "Strongest incoming weights:"), signedBars(entries, "strongest incoming weights"));
  } else {
    // What each neuron of the previous layer adds to this one for this input: activation x weight.
    const previous = analysis.layers[ref.layer - 1];
    const contributions = incoming.map((w, k) => w * previous[k]);
    const entries = topEntries(contributions, (k) => `layer ${ref.layer} neuron ${k + 1}`);
    parts.push(
      h("p", { class: "caption" }, "Largest contributions from the previous layer for this input (activation × weight):"),
      signedBars(entries, "largest incoming contributions"),
    );
  }
  if (!isOutput) {
    const next = weights[ref.layer + 1];
    const outgoing = next.weights.subarray(ref.neuron * next.units, (ref.neuron + 1) * next.units);
    const toOutput = ref.layer + 1 === weights.length - 1;
    const entries = topEntries(Array.from(outgoing), (k) => (toOutput ? outputName(network, k) : `layer ${ref.layer + 2} neuron ${k + 1}`));
    parts.push(h("p", { class: "caption" }, toOutput ? "It pushes the outputs (weights):" : "Strongest outgoing weights:"), signedBars(entries, "strongest outgoing weights"));
  }
  container.replaceChildren(...parts);
}

/** Conductance: the neuron's share of the move from the baseline's answer to this one, in points of the explained label's probability. */
function shareOfAnswer(network: Network, analysis: Analysis, layer: number, neuron: number): Node[] {
  const label = analysis.explanation?.labelIndex ?? analysis.cam?.labelIndex;
  try {
    const { baseline } = baselineFor(network);
    const c = conductance(network, analysis.features, { layer, ...(label === undefined ? {} : { label }), ...(baseline ? { baseline } : {}) });
    const linear = network.spec.output === "linear";
    const amount = (v: number): string => {
      if (linear) return number(v);
      const points = Math.abs(100 * v).toFixed(1);
      return points === "0.0" ? "0.0 points" : `${v >= 0 ? "+" : "−"}${points} points`;
    };
    const rank = 1 + Array.from(c.values).filter((v) => Math.abs(v) > Math.abs(c.values[neuron])).length;
    return [
      h(
        "p",
        { id: "neuron-share" },
        `Its share of “${c.label}” against ${baselineInWords(network)}: ${amount(c.values[neuron])} of the ${amount(c.output - c.baselineOutput)} move, all of which this layer carries (conductance; ${ordinal(rank)} largest of ${c.values.length}).`,
      ),
    ];
  } catch (error) {
    return [h("p", { class: "hint" }, `No conductance: ${error instanceof Error ? error.message : String(error)}`)];
  }
}

/** The model's kept examples (one per label) that excite the neuron most. */
function strongestExamples(network: Network, layer: number, neuron: number): Node[] {
  const examples = network.examples;
  if (!examples) return [];
  const { values } = unitActivations(network, examples.features, examples.rows, layer, neuron);
  const order = Array.from(values, (v, r) => ({ v, r }))
    .sort((a, b) => b.v - a.v)
    .slice(0, 3);
  const text = order.map(({ v, r }) => `${network.labels[examples.labels[r]]} (${number(v)})`).join(", ");
  return [h("p", { id: "neuron-examples" }, `Of the model's ${examples.rows} kept examples, it fires most for: ${text}.`)];
}

/** A button that draws what the neuron wants to see: its feature visualisation. */
function featureVisualisation(network: Network, layer: number, neuron: number, width: number, height: number, channels: number): HTMLElement {
  const figure = h("figure", { class: "weight-figure", id: "neuron-visualisation" });
  const button = h("button", { type: "button", id: "neuron-visualise" }, "Picture what it looks for");
  button.addEventListener("click", () => {
    const image = visualizeUnit(network, layer, neuron);
    const gray = Array.from({ length: width * height }, (_, p) => {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += image[p * channels + c];
      return sum / channels;
    });
    const picture = h("img", {
      src: grayDataUrl(gray, width, height),
      class: "weight-picture",
      alt: `what neuron ${neuron + 1} of this layer responds to most: a picture made by gradient ascent on its activation`,
    });
    figure.replaceChildren(picture, h("figcaption", {}, "What it wants to see: 256 steps of gradient ascent on its activation, with jitter and blur."));
  });
  figure.append(button);
  return figure;
}

/** Weights into unit j of a [inputs, units] matrix. */
function column(weights: Float32Array, units: number, inputs: number, j: number): number[] {
  const out = new Array<number>(inputs);
  for (let i = 0; i < inputs; i++) out[i] = weights[i * units + j];
  return out;
}

function topEntries(values: number[], name: (k: number) => string): { feature: string; value: number }[] {
  return values
    .map((value, k) => ({ k, value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, LISTED)
    .map(({ k, value }) => ({ feature: name(k), value }));
}

/** Incoming weights as a picture: red positive, blue negative, white near zero (colour channels summed). */
function weightPicture(incoming: number[], width: number, height: number, channels: number, title: string): HTMLElement {
  const canvas = h("canvas", {
    width,
    height,
    id: "weight-picture",
    class: "weight-picture",
    role: "img",
    "aria-label": `${title}: its ${incoming.length} incoming weights as a ${width}×${height} picture, red where a bright pixel raises the neuron, blue where it lowers it`,
  });
  const context = canvas.getContext("2d");
  if (context) {
    const sums = new Array<number>(width * height).fill(0);
    incoming.forEach((w, k) => (sums[Math.floor(k / channels)] += w));
    const max = Math.max(1e-12, maxAbs(sums));
    const picture = context.createImageData(width, height);
    sums.forEach((w, p) => {
      const t = Math.min(1, Math.abs(w) / max);
      const [r, g, b] = w >= 0 ? [214, 40, 40] : [40, 100, 220];
      picture.data.set([255 + (r - 255) * t, 255 + (g - 255) * t, 255 + (b - 255) * t, 255], p * 4);
    });
    context.putImageData(picture, 0, 0);
  }
  return h("figure", { class: "weight-figure" }, canvas, h("figcaption", {}, h("span", { class: "swatch up" }), " raises it ", h("span", { class: "swatch down" }), " lowers it"));
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}
