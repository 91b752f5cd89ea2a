import { GlassboxError } from "../errors.js";
import type { ImageState } from "../featurizers/image/index.js";
import { encodePng } from "../featurizers/image/index.js";
import type { Network } from "../model/network.js";
import { strongestRows, unitsActivations } from "./units.js";

/** What hidden neurons look for: their incoming weights, and the inputs that excite them most. */

/** The first layer of neurons (each a weighted sum of the inputs): its index and size. */
export function firstNeurons(network: Network): { index: number; units: number } {
  const layer = network.describe().find((l) => l.units !== null);
  if (!layer || layer.units === null) throw new GlassboxError("BAD_ARGUMENT", "the model has no layer of neurons");
  return { index: layer.index, units: layer.units };
}

/** Neuron `unit` of the first hidden layer: one incoming weight per input feature. */
export function neuronWeights(network: Network, unit: number): Float32Array {
  const { index, units } = firstNeurons(network);
  if (!(Number.isInteger(unit) && unit >= 0 && unit < units)) {
    throw new GlassboxError("BAD_ARGUMENT", `neuron ${unit}: the first layer has neurons 0..${units - 1}`);
  }
  const weights = network.weightsOf(index); // [inputs, units]
  if (!weights) throw new GlassboxError("BAD_ARGUMENT", `layer ${index} has no weights`);
  const inputs = weights.shape[0];
  const out = new Float32Array(inputs);
  for (let i = 0; i < inputs; i++) out[i] = weights.values[i * units + unit];
  return out;
}

/**
 * First-layer neurons of an image model as pictures, side by side in a grid: each neuron's
 * weights laid out like the image (colour channels summed), positive weights red, negative blue,
 * each neuron scaled to its own strongest weight.
 * @example weightPicturesPng(network, image, [0, 1, 2]) // PNG bytes of 3 pictures
 */
export function weightPicturesPng(network: Network, image: ImageState, neurons: number[], scale = 3, perRow = 8): Uint8Array {
  const { width, height, channels } = image;
  const cell = width * scale + 2;
  const rowsOfCells = Math.ceil(neurons.length / perRow);
  const W = Math.min(neurons.length, perRow) * cell;
  const H = rowsOfCells * (height * scale + 2);
  const rgba = new Uint8Array(W * H * 4).fill(255);
  neurons.forEach((unit, n) => {
    const w = neuronWeights(network, unit);
    const pixels = new Float32Array(width * height);
    for (let p = 0; p < pixels.length; p++) for (let c = 0; c < channels; c++) pixels[p] += w[p * channels + c];
    let max = 1e-12;
    for (const p of pixels) max = Math.max(max, Math.abs(p));
    const x0 = (n % perRow) * cell;
    const y0 = Math.floor(n / perRow) * (height * scale + 2);
    for (let y = 0; y < height * scale; y++) {
      for (let x = 0; x < width * scale; x++) {
        const v = pixels[Math.floor(y / scale) * width + Math.floor(x / scale)] / max;
        const o = ((y0 + y) * W + x0 + x) * 4;
        const fade = 1 - Math.abs(v);
        rgba[o] = v >= 0 ? 255 : 255 * fade;
        rgba[o + 1] = 255 * fade;
        rgba[o + 2] = v < 0 ? 255 : 255 * fade;
      }
    }
  });
  return encodePng(W, H, rgba);
}

/**
 * For each neuron in `neurons` (first hidden layer), the `k` rows of `features` that excite it
 * most, with its activation for them.
 */
export function topActivating(network: Network, features: Float32Array, rows: number, neurons: number[], k = 5): { neuron: number; rows: { row: number; activation: number }[] }[] {
  const activations = unitsActivations(network, features, rows, firstNeurons(network).index, neurons);
  return neurons.map((neuron, n) => {
    const { values } = activations[n];
    return { neuron, rows: strongestRows(values, k).map((row) => ({ row, activation: values[row] })) };
  });
}
