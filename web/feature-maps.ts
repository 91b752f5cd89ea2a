/**
 * A convolutional network at work on this input: for each convolution block (its output after
 * the batch norm and activation that follow), its first MAPS channels as small pictures of where
 * that detector fires (black: not at all, white: the block's strongest), and the first
 * convolution's filters as pictures (mid-gray 0, lighter positive, darker negative; in colour for
 * colour images), so a learner sees what each detector looks for and where it lights up.
 */
import { convolutionBlocks, type Network } from "glassbox";
import { grayDataUrl, h, rgbaDataUrl } from "./dom.js";

const MAPS = 16;

export function renderFeatureMaps(container: HTMLElement, network: Network, features: Float32Array): void {
  const blocks = convolutionBlocks(network);
  if (blocks.length === 0) {
    container.replaceChildren();
    return;
  }
  const layers = network.describe();
  const parts: Node[] = [h("h4", {}, "Feature maps: where each detector fires for this input")];
  for (const { conv, end } of blocks) {
    const [height, width, channels] = layers[end].outputShape;
    const values = network.layerOutputOf(features, 1, end);
    let max = 1e-12;
    for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
    const tiles = Array.from({ length: Math.min(MAPS, channels) }, (_, k) => {
      const grid = new Float32Array(height * width);
      for (let p = 0; p < grid.length; p++) grid[p] = values[p * channels + k] / max;
      return h("img", { class: "map", src: grayDataUrl(grid, width, height), alt: `channel ${k + 1} of layer ${end}`, title: `channel ${k + 1}`, "data-channel": k + 1 });
    });
    const more = channels > MAPS ? [h("span", { class: "more" }, `+${channels - MAPS} more`)] : [];
    parts.push(
      h(
        "figure",
        { class: "map-row", "data-layer": end },
        h("figcaption", {}, `Layer ${end} (${layers[conv].summary}) · ${height}×${width}`),
        h("div", { class: "tiles" }, ...tiles, ...more),
      ),
    );
  }
  parts.push(filterRow(network, blocks[0].conv));
  container.replaceChildren(...parts);
}

/** The first convolution's filters, each a size x size picture of its weights (RGB for 3 input channels, else their mean). */
function filterRow(network: Network, conv: number): HTMLElement {
  const weights = network.weightsOf(conv);
  if (!weights) return h("p", {}, "");
  const [sizeY, sizeX, channels, filters] = weights.shape;
  let max = 1e-12;
  for (const w of weights.values) max = Math.max(max, Math.abs(w));
  const at = (y: number, x: number, c: number, f: number): number => 0.5 + (0.5 * weights.values[((y * sizeX + x) * channels + c) * filters + f]) / max;
  const tiles = Array.from({ length: Math.min(MAPS * 2, filters) }, (_, f) => {
    const url =
      channels === 3
        ? rgbaDataUrl(
            Uint8ClampedArray.from({ length: sizeY * sizeX * 4 }, (_, i) => (i % 4 === 3 ? 255 : 255 * at(Math.floor(i / 4 / sizeX), Math.floor(i / 4) % sizeX, i % 4, f))),
            sizeX,
            sizeY,
          )
        : grayDataUrl(
            Array.from({ length: sizeY * sizeX }, (_, p) => {
              let sum = 0;
              for (let c = 0; c < channels; c++) sum += at(Math.floor(p / sizeX), p % sizeX, c, f);
              return sum / channels;
            }),
            sizeX,
            sizeY,
          );
    return h("img", { class: "filter", src: url, alt: `filter ${f + 1} of layer ${conv}`, title: `filter ${f + 1}` });
  });
  return h(
    "figure",
    { class: "map-row filters" },
    h("figcaption", {}, `Layer ${conv}'s filters (${sizeY}×${sizeX}): what each first detector looks for`),
    h("div", { class: "tiles" }, ...tiles),
  );
}
