/**
 * The image featurizer: PNG/JPEG bytes -> pixels -> a fixed-size vector of brightness (gray)
 * or r,g,b values (rgb), each 0..1, row-major. What it learns from the training images (the
 * size and whether colour matters) is an ImageState, saved as JSON in the model file.
 * Pure code, no Node-only API: the web app runs it too.
 */
import { encode as encodePngFile } from "fast-png";
import { GlassboxError } from "../../errors.js";
import type { RgbaImage } from "./decode.js";
import { checkImage, resizeImage } from "./resize.js";

export { decodeImage, type RgbaImage } from "./decode.js";
export { resizeImage } from "./resize.js";

/** Fitted state, saved as JSON in the model file. */
export interface ImageState {
  kind: "image";
  height: number;
  width: number;
  channels: 1 | 3;
}

/** Options for fitImage. */
export interface ImageOptions {
  /** Size every image is resized to. Default: the most common size among the training images, shrunk so the longer side is at most 64. */
  size?: { height: number; width: number };
  /** 1 = gray, 3 = rgb. Default: 3 if any training image has colour, else 1. */
  channels?: 1 | 3;
}

/** The longest side a default size may have; larger images are shrunk (keeping aspect ratio) to it. */
export const MAX_DEFAULT_SIDE = 64;

/** Pixels whose r, g and b differ by more than this count as colour (one 8-bit step, plus float rounding). */
const COLOUR_THRESHOLD = 1 / 255 + 1e-6;

/** Luma weights (ITU-R BT.601), the same ones most image libraries use for gray. */
const GRAY_WEIGHTS = [0.299, 0.587, 0.114] as const;

/**
 * Checks a state read from a model file; throws BAD_MODEL_FILE naming `source` when it is broken.
 * @example
 * checkImageState({ kind: "image", height: 28, width: 28, channels: 1 }, "m.safetensors") // -> the same object, typed
 */
export function checkImageState(state: unknown, source: string): ImageState {
  const broken = (what: string): never => {
    throw new GlassboxError("BAD_MODEL_FILE", `${source}: the image featurizer state is not valid: ${what}`);
  };
  if (typeof state !== "object" || state === null || Array.isArray(state)) broken(`expected an object, found ${JSON.stringify(state)}`);
  const s = state as Record<string, unknown>;
  if (s.kind !== "image") broken(`expected kind "image", found ${JSON.stringify(s.kind)}`);
  for (const key of ["height", "width"] as const) {
    const value = s[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) broken(`expected ${key} to be a positive integer, found ${JSON.stringify(value)}`);
  }
  if (s.channels !== 1 && s.channels !== 3) broken(`expected channels 1 (gray) or 3 (rgb), found ${JSON.stringify(s.channels)}`);
  return { kind: "image", height: s.height as number, width: s.width as number, channels: s.channels as 1 | 3 };
}

/**
 * Learns the state from the training images. Size: options.size, else the most common size
 * among `images` (ties: the one seen first), shrunk keeping its aspect ratio (rounded, at least
 * 1 pixel) so the longer side is at most 64. Channels: options.channels, else 3 if any visible
 * pixel (alpha > 0) of any image has r, g, b differing by more than 1/255, else 1.
 * Throws BAD_DATA when there are no images and no size was given; BAD_ARGUMENT for bad options.
 * @example
 * fitImage([a28x28GrayImage, another28x28GrayImage]) // -> { kind: "image", height: 28, width: 28, channels: 1 }
 * fitImage([a640x480ColourPhoto]) // -> { kind: "image", height: 48, width: 64, channels: 3 }
 */
export function fitImage(images: Iterable<RgbaImage>, options: ImageOptions = {}): ImageState {
  const { size, channels } = options;
  if (size !== undefined && (!isPositiveInteger(size.height) || !isPositiveInteger(size.width))) {
    throw new GlassboxError("BAD_ARGUMENT", `image size: expected positive integer height and width, got ${size.height}x${size.width} (height x width)`);
  }
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new GlassboxError("BAD_ARGUMENT", `image channels: expected 1 (gray) or 3 (rgb), got ${String(channels)}`);
  }
  if (size !== undefined && channels !== undefined) return { kind: "image", height: size.height, width: size.width, channels };

  const counts = new Map<string, { width: number; height: number; count: number }>();
  let colour = false;
  let index = 0;
  for (const image of images) {
    checkImage(image, `fitImage, image ${index}`);
    const key = `${image.width}x${image.height}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { width: image.width, height: image.height, count: 1 });
    if (channels === undefined && !colour) colour = hasColour(image);
    index++;
  }
  let chosen = size;
  if (chosen === undefined) {
    let best: { width: number; height: number; count: number } | null = null;
    for (const entry of counts.values()) if (best === null || entry.count > best.count) best = entry;
    if (best === null) throw new GlassboxError("BAD_DATA", "cannot learn the image size: there are no training images (give a size instead)");
    chosen = shrinkToFit(best.width, best.height, MAX_DEFAULT_SIDE);
  }
  return { kind: "image", height: chosen.height, width: chosen.width, channels: channels ?? (colour ? 3 : 1) };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}

/** width x height, scaled down (aspect ratio kept, rounded, at least 1) so the longer side is at most `maxSide`. */
function shrinkToFit(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longer = Math.max(width, height);
  if (longer <= maxSide) return { width, height };
  const factor = maxSide / longer;
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

function hasColour(image: RgbaImage): boolean {
  const d = image.data;
  for (let p = 0; p < d.length; p += 4) {
    if (d[p + 3] === 0) continue; // an invisible pixel's colour does not matter
    const r = d[p],
      g = d[p + 1],
      b = d[p + 2];
    if (Math.abs(r - g) > COLOUR_THRESHOLD || Math.abs(r - b) > COLOUR_THRESHOLD || Math.abs(g - b) > COLOUR_THRESHOLD) return true;
  }
  return false;
}

/**
 * pixels -> features: resized to the state's size when needed, alpha composited over black
 * (transparent = 0 brightness, like the dark backgrounds of MNIST-style data), then one number
 * 0..1 per pixel (gray = 0.299 r + 0.587 g + 0.114 b) or r, g, b interleaved per pixel (rgb),
 * row-major. `resizedFrom` is the original size when it differed from the state's, else null.
 * @example
 * imageFeatures({ kind: "image", height: 1, width: 2, channels: 1 }, { width: 2, height: 1, data: Float32Array.of(1,1,1,1, 1,1,1,0) })
 * // -> { features: Float32Array [1, 0], resizedFrom: null }
 */
export function imageFeatures(state: ImageState, image: RgbaImage): { features: Float32Array; resizedFrom: { width: number; height: number } | null } {
  checkImage(image, "imageFeatures");
  const { width, height, channels } = state;
  let resizedFrom: { width: number; height: number } | null = null;
  let pixels = image;
  if (image.width !== width || image.height !== height) {
    resizedFrom = { width: image.width, height: image.height };
    pixels = resizeImage(image, width, height);
  }
  const d = pixels.data;
  const features = new Float32Array(width * height * channels);
  for (let i = 0, p = 0; i < width * height; i++, p += 4) {
    const a = d[p + 3];
    if (channels === 1) {
      features[i] = a * (GRAY_WEIGHTS[0] * d[p] + GRAY_WEIGHTS[1] * d[p + 1] + GRAY_WEIGHTS[2] * d[p + 2]);
    } else {
      features[i * 3] = a * d[p];
      features[i * 3 + 1] = a * d[p + 1];
      features[i * 3 + 2] = a * d[p + 2];
    }
  }
  return { features, resizedFrom };
}

/**
 * Feature names for explanations, rows and columns counted from 0, in feature order.
 * @example
 * imageFeatureNames({ kind: "image", height: 1, width: 2, channels: 1 }) // -> ["pixel (row 1, column 1)", "pixel (row 1, column 2)"]
 * imageFeatureNames({ kind: "image", height: 1, width: 1, channels: 3 })[2] // -> "pixel (row 1, column 1) blue"
 */
export function imageFeatureNames(state: ImageState): string[] {
  const names: string[] = [];
  for (let r = 0; r < state.height; r++) {
    for (let c = 0; c < state.width; c++) {
      const pixel = `pixel (row ${r + 1}, column ${c + 1})`;
      if (state.channels === 1) names.push(pixel);
      else names.push(`${pixel} red`, `${pixel} green`, `${pixel} blue`);
    }
  }
  return names;
}

/**
 * For drawing on a canvas: features back to 8-bit RGBA pixels (gray replicated to r, g, b; alpha
 * 255). Values outside 0..1 are clamped. Throws SHAPE_MISMATCH when the length does not fit the state.
 * @example
 * featuresToRgba({ kind: "image", height: 1, width: 1, channels: 1 }, Float32Array.of(0.5)) // -> Uint8ClampedArray [128, 128, 128, 255]
 */
export function featuresToRgba(state: ImageState, features: Float32Array): Uint8ClampedArray {
  const pixels = state.width * state.height;
  if (features.length !== pixels * state.channels) {
    throw new GlassboxError(
      "SHAPE_MISMATCH",
      `expected ${pixels * state.channels} features (${state.height}x${state.width} image, ${state.channels} per pixel), got ${features.length}`,
    );
  }
  const out = new Uint8ClampedArray(pixels * 4); // rounds and clamps on assignment
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) out[i * 4 + c] = 255 * (state.channels === 1 ? features[i] : features[i * 3 + c]);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Encodes 8-bit RGBA pixels (row-major, 4 bytes per pixel) as PNG file bytes.
 * @example
 * encodePng(1, 1, Uint8Array.of(255, 0, 0, 255)) // -> the bytes of a 1x1 red PNG (they start 0x89 "PNG")
 */
export function encodePng(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    throw new GlassboxError("BAD_ARGUMENT", `encodePng: expected a positive integer width and height, got ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new GlassboxError("BAD_ARGUMENT", `encodePng: a ${width}x${height} image needs ${width * height * 4} bytes (RGBA), got ${rgba.length}`);
  }
  return encodePngFile({ width, height, data: rgba, channels: 4, depth: 8 });
}
