/**
 * Image files -> pixels. PNG goes through fast-png and JPEG through jpeg-js, both pure
 * JavaScript, so this file runs unchanged in Node and in the browser (no fs, no Buffer).
 * The format is told by the first bytes of the file, never by its name.
 */
import { decode as decodePngFile, type DecodedPng } from "fast-png";
import jpeg from "jpeg-js";
import { GlassboxError } from "../../errors.js";
import { inputLimits } from "../../limits.js";

/** Decoded pixels: RGBA, 4 floats 0..1 per pixel, row-major. Colour is not premultiplied by alpha. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Float32Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * bytes of a PNG or JPEG (detected by magic bytes, not by name) -> pixels.
 * Handles 1/2/4/8/16-bit PNG in gray, gray+alpha, RGB, RGBA and palette form (tRNS transparency
 * included, interlaced or not), and baseline and progressive JPEG.
 * Throws GlassboxError("BAD_DATA", `${source}: ...`) for empty, unknown, corrupt or truncated files.
 * @example
 * decodeImage(pngBytesOfOneWhitePixel, "dot.png") // -> { width: 1, height: 1, data: Float32Array [1, 1, 1, 1] }
 */
export function decodeImage(bytes: Uint8Array, source: string, maxPixels = inputLimits().imagePixels): RgbaImage {
  if (bytes.length === 0) fail(source, "the file is empty; expected a PNG or JPEG image");
  if (startsWith(bytes, PNG_SIGNATURE)) return decodePng(bytes, source, maxPixels);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return decodeJpeg(bytes, source, maxPixels);
  fail(source, `not a PNG or JPEG file (it starts with ${describeStart(bytes)})${otherFormatHint(bytes)}`);
}

function fail(source: string, reason: string): never {
  throw new GlassboxError("BAD_DATA", `${source}: ${reason}`);
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((value, i) => bytes[i] === value);
}

/** The first bytes in hex, plus their printable characters, e.g. `47 49 46 38 39 61 "GIF89a"`. */
function describeStart(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, 8));
  const hex = head.map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const text = head.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
  return `bytes ${hex} "${text}"`;
}

/** Names a few well-known formats we do not read, so the user knows what to convert. */
function otherFormatHint(bytes: Uint8Array): string {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  let name: string | null = null;
  if (ascii(0, 4) === "GIF8") name = "a GIF image";
  else if (ascii(0, 2) === "BM") name = "a BMP image";
  else if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") name = "a WebP image";
  else if (ascii(0, 4) === "II*\0" || ascii(0, 4) === "MM\0*") name = "a TIFF image";
  return name === null ? "" : `; it looks like ${name}: convert it to PNG`;
}

function checkPixelCount(source: string, format: string, width: number, height: number, maxPixels: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height)) fail(source, `corrupt ${format}: no image size found in the file`);
  if (width <= 0 || height <= 0) fail(source, `corrupt ${format}: the image is ${width}x${height} pixels`);
  if (width * height > maxPixels) {
    fail(source, `the image is ${width}x${height} pixels, more than the ${maxPixels / 1e6}-megapixel limit; shrink it first (or raise the input limit image-pixels)`);
  }
}

// ---------------------------------------------------------------- PNG

function decodePng(bytes: Uint8Array, source: string, maxPixels: number): RgbaImage {
  // Read the IHDR size ourselves first, so a huge or zero size is refused before decoding.
  if (bytes.length < 24) fail(source, "corrupt PNG: the file ends too early (truncated)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkPixelCount(source, "PNG", view.getUint32(16), view.getUint32(20), maxPixels);
  let png: DecodedPng;
  try {
    png = decodePngFile(bytes, { checkCrc: true });
  } catch (error) {
    fail(source, `corrupt PNG: ${pngReason(error)}`);
  }
  return pngToRgba(png, source);
}

function pngReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // IOBuffer reads past the end of the byte array: the file was cut short.
  if (error instanceof RangeError && /outside the bounds/i.test(error.message)) return "the file ends too early (truncated)";
  const cause = error.cause instanceof Error ? ` ${error.cause.message}` : "";
  return `${error.message.replace(/:$/, "")}${cause ? `:${cause}` : ""}`;
}

/** Reads one sample of a decoded PNG; below 8 bits the samples are packed high bits first, each row starting on a new byte. */
type SampleReader = (x: number, y: number, channel: number) => number;

function sampleReader(png: DecodedPng): SampleReader {
  const { width, depth, channels, data } = png;
  if (depth >= 8) {
    const rowLength = width * channels;
    return (x, y, c) => data[y * rowLength + x * channels + c];
  }
  // depth 1, 2 or 4: only gray and palette images (one channel) use these depths.
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  return (x, y) => {
    const bit = x * depth;
    const byte = data[y * rowBytes + (bit >> 3)];
    return (byte >> (8 - depth - (bit & 7))) & mask;
  };
}

function pngToRgba(png: DecodedPng, source: string): RgbaImage {
  const { width, height, depth, channels } = png;
  const expected = depth < 8 ? Math.ceil((width * depth) / 8) * height : width * height * channels;
  if (png.data.length !== expected) fail(source, `corrupt PNG: expected ${expected} samples of pixel data, found ${png.data.length}`);
  const read = sampleReader(png);
  const out = new Float32Array(width * height * 4);
  const max = 2 ** depth - 1;
  const palette = png.palette;
  const transparent = png.transparency; // tRNS for gray / RGB: the one sample value that is fully transparent
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 4) {
      if (palette) {
        const index = read(x, y, 0);
        const colour = palette[index];
        if (!colour) fail(source, `corrupt PNG: pixel (row ${y + 1}, column ${x + 1}) uses palette entry ${index}, but the palette has ${palette.length} colours`);
        out[o] = colour[0] / 255;
        out[o + 1] = colour[1] / 255;
        out[o + 2] = colour[2] / 255;
        out[o + 3] = colour.length > 3 ? colour[3] / 255 : 1;
      } else if (channels === 1 || channels === 2) {
        const gray = read(x, y, 0);
        out[o] = out[o + 1] = out[o + 2] = gray / max;
        if (channels === 2) out[o + 3] = read(x, y, 1) / max;
        else out[o + 3] = transparent && transparent[0] === gray ? 0 : 1;
      } else if (channels === 3 || channels === 4) {
        const r = read(x, y, 0);
        const g = read(x, y, 1);
        const b = read(x, y, 2);
        out[o] = r / max;
        out[o + 1] = g / max;
        out[o + 2] = b / max;
        if (channels === 4) out[o + 3] = read(x, y, 3) / max;
        else out[o + 3] = transparent && transparent[0] === r && transparent[1] === g && transparent[2] === b ? 0 : 1;
      } else {
        fail(source, `corrupt PNG: ${channels} channels per pixel`);
      }
    }
  }
  return { width, height, data: out };
}

// ---------------------------------------------------------------- JPEG

function decodeJpeg(bytes: Uint8Array, source: string, maxPixels: number): RgbaImage {
  // The frame header's size first, so a huge one is refused before decoding.
  const size = jpegSize(bytes);
  if (size) checkPixelCount(source, "JPEG", size.width, size.height, maxPixels);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/limit exceeded/.test(message)) fail(source, `the JPEG image is too large to decode (${message})`);
    fail(source, `corrupt JPEG: ${message}`);
  }
  const { width, height, data } = decoded;
  checkPixelCount(source, "JPEG", width, height, maxPixels);
  if (data.length !== width * height * 4) fail(source, `corrupt JPEG: expected ${width * height * 4} bytes of pixels, found ${data.length}`);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return { width, height, data: out };
}

/**
 * The width and height in a JPEG's first frame header (SOF0-SOF15 but DHT, JPG and DAC), found by
 * walking the marker segments; null when there is none before the scan data or the end.
 */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let at = 2;
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data or the end, and no frame yet
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8] };
    }
    at += 2 + length;
  }
  return null;
}
