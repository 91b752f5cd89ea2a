import { GlassboxError, check } from "../errors.js";
import type { Random } from "../tensor/random.js";
import type { Shape } from "../tensor/tensor.js";

/** Random changes to training images, drawn anew for every batch (never at prediction time). */
export interface Augment {
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
  /** Move by up to this many pixels up, down, left and right (each drawn uniformly), filling with 0. */
  shift?: number;
}

/**
 * Augmentation in words, as `train --augment` and the web page take it: "flip,shift:2" ->
 * { flip: true, shift: 2 }; "" or "none" -> none (null).
 */
export function parseAugment(text: string): Augment | null {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0 || (items.length === 1 && items[0] === "none")) return null;
  const out: Augment = {};
  for (const item of items) {
    const shift = /^shift:(\d+)$/.exec(item);
    if (item === "flip") out.flip = true;
    else if (shift) out.shift = Number(shift[1]);
    else throw new GlassboxError("BAD_ARGUMENT", `augmentation: expected flip and/or shift:N separated by commas (e.g. flip,shift:2), got "${item}"`);
  }
  return out;
}

/** Throws unless `augment` fits the input: images only, a whole number of pixels smaller than the image. */
export function checkAugment(augment: Augment, shape: Shape): void {
  check(shape.length === 3, `augmentation moves and mirrors images; this network reads inputs of shape [${shape.join(", ")}]`);
  const shift = augment.shift ?? 0;
  check(
    Number.isInteger(shift) && shift >= 0 && shift < Math.min(shape[0], shape[1]),
    `shift must be a whole number of pixels from 0 to ${Math.min(shape[0], shape[1]) - 1}, got ${shift}`,
  );
}

/**
 * Rows: [n, height, width, channels] (NHWC), changed in place: each image is flipped with
 * probability 1/2 when asked, then shifted by (dy, dx) in [-shift, shift]^2 with zeros coming in,
 * as PyTorch's pad-and-crop jitter does. `scratch` holds one image.
 */
export function augmentRows(rows: Float32Array, n: number, shape: Shape, augment: Augment, random: Random, scratch: Float32Array): void {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  const shift = augment.shift ?? 0;
  for (let i = 0; i < n; i++) {
    const image = rows.subarray(i * size, (i + 1) * size);
    const flip = augment.flip === true && random.uniform() < 0.5;
    const dy = shift > 0 ? Math.floor(random.uniform() * (2 * shift + 1)) - shift : 0;
    const dx = shift > 0 ? Math.floor(random.uniform() * (2 * shift + 1)) - shift : 0;
    if (!flip && dy === 0 && dx === 0) continue;
    scratch.set(image);
    // Output pixel (y, x) reads source (y - dy, x - dx) of the (possibly mirrored) image.
    for (let y = 0; y < height; y++) {
      const sy = y - dy;
      for (let x = 0; x < width; x++) {
        const sx0 = x - dx;
        const to = (y * width + x) * channels;
        if (sy < 0 || sy >= height || sx0 < 0 || sx0 >= width) {
          image.fill(0, to, to + channels);
          continue;
        }
        const sx = flip ? width - 1 - sx0 : sx0;
        const from = (sy * width + sx) * channels;
        for (let c = 0; c < channels; c++) image[to + c] = scratch[from + c];
      }
    }
  }
}
