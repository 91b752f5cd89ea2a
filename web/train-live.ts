/**
 * The Train view's live look at the weights, redrawn from each snapshot the worker sends: for a
 * convolutional network its feature maps on the first kept example and its first filters (as
 * the See view draws them), for a dense network on images the first layer's neurons as pictures
 * of their weights (what each looks for: light where a bright pixel pushes it up, dark where it
 * pushes it down), for other data the first layer's weights as a grid of neurons by features.
 */
import { convolutionBlocks, createReferenceBackend, decodeModel, type Network } from "glassbox";
import { grayDataUrl, h } from "./dom.js";
import { renderFeatureMaps } from "./feature-maps.js";

const NEURONS = 16;
const backend = createReferenceBackend();

export function renderLive(container: HTMLElement, model: Uint8Array, when: string): void {
  const network = decodeModel(model, "the model being trained", backend);
  const heading = h("h3", {}, `What the network is learning (${when})`);
  if (convolutionBlocks(network).length > 0 && network.examples) {
    const maps = h("div", {});
    renderFeatureMaps(maps, network, network.examples.features.subarray(0, network.inputs));
    container.replaceChildren(heading, maps);
    return;
  }
  container.replaceChildren(heading, firstDenseLayer(network));
}

/** The first dense layer's weights as pictures: one per neuron for images, else one grid. */
function firstDenseLayer(network: Network): HTMLElement {
  const index = network.describe().findIndex((layer) => layer.type === "dense");
  const weights = index >= 0 ? network.weightsOf(index) : null;
  if (!weights) return h("p", {}, "This network has no dense layer to draw.");
  const [inputs, units] = weights.shape;
  let max = 1e-12;
  for (const w of weights.values) max = Math.max(max, Math.abs(w));
  const at = (i: number, u: number): number => 0.5 + (0.5 * weights.values[i * units + u]) / max;
  const shape = network.inputShape;
  if (shape.length === 3 && shape[0] * shape[1] * shape[2] === inputs) {
    const [height, width, channels] = shape;
    const tiles = Array.from({ length: Math.min(NEURONS, units) }, (_, u) => {
      const pixels = Array.from({ length: height * width }, (_, p) => {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += at(p * channels + c, u);
        return sum / channels;
      });
      return h("img", { class: "map", src: grayDataUrl(pixels, width, height), alt: `weights of neuron ${u + 1} of layer ${index}`, title: `neuron ${u + 1}` });
    });
    const more = units > NEURONS ? [h("span", { class: "more" }, `+${units - NEURONS} more`)] : [];
    return h(
      "figure",
      { class: "map-row", "data-layer": index },
      h("figcaption", {}, `Layer ${index}'s first neurons: the weight on each pixel (light +, dark −)`),
      h("div", { class: "tiles" }, ...tiles, ...more),
    );
  }
  const rows = Math.min(NEURONS * 2, units);
  const grid = Array.from({ length: rows * inputs }, (_, k) => at(k % inputs, Math.floor(k / inputs)));
  return h(
    "figure",
    { class: "map-row", "data-layer": index },
    h("figcaption", {}, `Layer ${index}'s weights: a row per neuron (${rows} of ${units}), a column per feature (${inputs}); light +, dark −`),
    h("img", { class: "weight-grid", src: grayDataUrl(grid, inputs, rows), alt: `weights of layer ${index}` }),
  );
}
