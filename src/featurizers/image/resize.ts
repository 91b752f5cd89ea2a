/**
 * Resampling an RGBA image to a fixed size, the way careful image libraries do it:
 * - separable: one pass along rows, then one along columns;
 * - a triangle (bilinear) kernel; when shrinking by a factor s its support widens to s input
 *   pixels on each side, so every input pixel contributes (antialiasing) instead of being skipped;
 *   when enlarging it is plain bilinear interpolation;
 * - pixel centres aligned: output pixel o samples input position (o + 0.5) * scale - 0.5;
 * - taps that fall outside the image are dropped and the remaining weights renormalised;
 * - colour is weighted by alpha (premultiplied) while filtering, so the colour of fully
 *   transparent pixels does not bleed into their neighbours.
 */
import { GlassboxError } from "../../errors.js";
import type { RgbaImage } from "./decode.js";

/** For each output position: the first input index it reads, how many, and their weights (summing to 1). */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  /** [outSize, stride]: weights of output o start at o * stride */
  weights: Float64Array;
  stride: number;
}

/** The triangle-kernel taps that map `inSize` samples onto `outSize`. */
function triangleTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const radius = Math.max(1, scale); // kernel half-width in input pixels
  const stride = 2 * Math.ceil(radius) + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - radius));
    const hi = Math.min(inSize - 1, Math.floor(centre + radius));
    let sum = 0;
    for (let i = lo; i <= hi; i++) {
      const w = Math.max(0, 1 - Math.abs(i - centre) / radius);
      weights[o * stride + (i - lo)] = w;
      sum += w;
    }
    // The input pixel nearest the centre is at most 0.5 away and radius >= 1, so sum >= 0.5.
    for (let k = 0; k <= hi - lo; k++) weights[o * stride + k] /= sum;
    first[o] = lo;
    count[o] = hi - lo + 1;
  }
  return { first, count, weights, stride };
}

/**
 * Resamples `image` to `width` x `height` with the filter described at the top of this file.
 * Returns a new image; the input is not changed. Same size in and out returns an exact copy.
 * @example
 * resizeImage({ width: 2, height: 1, data: Float32Array.of(0,0,0,1, 1,1,1,1) }, 1, 1).data // -> [0.5, 0.5, 0.5, 1]
 */
export function resizeImage(image: RgbaImage, width: number, height: number): RgbaImage {
  checkImage(image, "resizeImage");
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new GlassboxError("BAD_ARGUMENT", `resizeImage: expected a positive integer width and height, got ${width}x${height}`);
  }
  if (width === image.width && height === image.height) {
    return { width, height, data: image.data.slice() };
  }
  const premultiplied = horizontalPass(image, width);
  const out = verticalPass(premultiplied, image.height, width, height);
  unpremultiply(out);
  return { width, height, data: out };
}

/** Throws BAD_ARGUMENT unless `image` holds width x height RGBA pixels. */
export function checkImage(image: RgbaImage, where: string): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new GlassboxError("BAD_ARGUMENT", `${where}: expected an image with a positive integer width and height, got ${width}x${height}`);
  }
  if (!(data instanceof Float32Array) || data.length !== width * height * 4) {
    const found = data instanceof Float32Array ? `${data.length} floats` : "no Float32Array";
    throw new GlassboxError("BAD_ARGUMENT", `${where}: a ${width}x${height} RGBA image needs ${width * height * 4} floats (4 per pixel), found ${found}`);
  }
}

// image: [height, inWidth, 4] straight alpha -> [height, outWidth, 4] premultiplied
function horizontalPass(image: RgbaImage, outWidth: number): Float32Array {
  const { width: inWidth, height, data } = image;
  const taps = triangleTaps(inWidth, outWidth);
  const out = new Float32Array(height * outWidth * 4);
  for (let y = 0; y < height; y++) {
    const row = y * inWidth * 4;
    for (let o = 0; o < outWidth; o++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      const base = o * taps.stride;
      for (let k = 0; k < taps.count[o]; k++) {
        const p = row + (taps.first[o] + k) * 4;
        const wa = taps.weights[base + k] * data[p + 3];
        r += wa * data[p];
        g += wa * data[p + 1];
        b += wa * data[p + 2];
        a += wa;
      }
      const q = (y * outWidth + o) * 4;
      out[q] = r;
      out[q + 1] = g;
      out[q + 2] = b;
      out[q + 3] = a;
    }
  }
  return out;
}

// data: [inHeight, width, 4] -> [outHeight, width, 4], premultiplied throughout
function verticalPass(data: Float32Array, inHeight: number, width: number, outHeight: number): Float32Array {
  const taps = triangleTaps(inHeight, outHeight);
  const rowLength = width * 4;
  const out = new Float32Array(outHeight * rowLength);
  const acc = new Float64Array(rowLength);
  for (let o = 0; o < outHeight; o++) {
    acc.fill(0);
    const base = o * taps.stride;
    for (let k = 0; k < taps.count[o]; k++) {
      const w = taps.weights[base + k];
      if (w === 0) continue;
      const row = (taps.first[o] + k) * rowLength;
      for (let j = 0; j < rowLength; j++) acc[j] += w * data[row + j];
    }
    out.set(acc, o * rowLength);
  }
  return out;
}

/** Premultiplied -> straight alpha, in place; fully transparent pixels become transparent black. */
function unpremultiply(data: Float32Array): void {
  for (let p = 0; p < data.length; p += 4) {
    const a = Math.min(1, data[p + 3]);
    data[p + 3] = a;
    for (let c = 0; c < 3; c++) data[p + c] = a > 0 ? Math.min(1, Math.max(0, data[p + c] / a)) : 0;
  }
}
