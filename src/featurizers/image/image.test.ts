import { test } from "node:test";
import assert from "node:assert/strict";
import { encode as pngEncode } from "fast-png";
import jpeg from "jpeg-js";
import { checkImageState, decodeImage, encodePng, featuresToRgba, fitImage, imageFeatureNames, imageFeatures, resizeImage, type ImageState, type RgbaImage } from "./index.js";
import { errorCode } from "../../../test/helpers/errors.js";

/** An image from 8-bit RGBA values. */
function rgba8(width: number, height: number, bytes: ArrayLike<number>): RgbaImage {
  return { width, height, data: Float32Array.from(bytes, (v) => v / 255) };
}

/** Expected decoded floats: each sample / max, rounded to float32 like the decoder's storage. */
function expectedFloats(samples: ArrayLike<number>, max: number): Float32Array {
  return Float32Array.from(samples, (v) => v / max);
}

/** Spreads per-pixel samples with `channels` per pixel into RGBA (gray replicated, alpha 1 if absent). */
function toRgbaSamples(samples: ArrayLike<number>, channels: number, max: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += channels) {
    const px = Array.from({ length: channels }, (_, c) => samples[i + c]);
    if (channels <= 2) out.push(px[0], px[0], px[0], channels === 2 ? px[1] : max);
    else out.push(px[0], px[1], px[2], channels === 4 ? px[3] : max);
  }
  return out;
}

// ------------------------------------------------------------------ PNG decoding

test("8-bit PNG in gray, gray+alpha, RGB and RGBA decodes exactly", () => {
  const width = 5,
    height = 3;
  for (const channels of [1, 2, 3, 4]) {
    const samples = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 53 + 7) % 256);
    const bytes = pngEncode({ width, height, data: samples, channels, depth: 8 });
    const image = decodeImage(bytes, "x.png");
    assert.equal(image.width, width);
    assert.equal(image.height, height);
    assert.deepEqual(image.data, expectedFloats(toRgbaSamples(samples, channels, 255), 255), `${channels} channels`);
  }
});

test("16-bit PNG (gray and RGBA) keeps its full precision", () => {
  const gray = Uint16Array.of(0, 1, 257, 12345, 65534, 65535);
  const decoded = decodeImage(pngEncode({ width: 3, height: 2, data: gray, channels: 1, depth: 16 }), "g16.png");
  assert.deepEqual(decoded.data, expectedFloats(toRgbaSamples(gray, 1, 65535), 65535));
  // 1/65535 apart must stay apart: an 8-bit shortcut would merge 0 and 1.
  assert.ok(decoded.data[4] > 0);
  const colour = Uint16Array.from({ length: 4 * 4 }, (_, i) => (i * 4099) % 65536);
  const rgba = decodeImage(pngEncode({ width: 2, height: 2, data: colour, channels: 4, depth: 16 }), "c16.png");
  assert.deepEqual(rgba.data, expectedFloats(colour, 65535));
});

test("palette PNG (8-bit and packed 2-bit indices, with tRNS alpha) decodes exactly", () => {
  const palette = [
    [0, 0, 0, 0],
    [255, 0, 0, 128],
    [0, 255, 0, 255],
    [10, 20, 250, 255],
  ];
  const indices = [3, 2, 1, 0, 1, 2];
  const expected = expectedFloats(
    indices.flatMap((k) => palette[k]),
    255,
  );
  const eight = decodeImage(pngEncode({ width: 3, height: 2, data: Uint8Array.from(indices), channels: 1, depth: 8, palette }), "p8.png");
  assert.deepEqual(eight.data, expected);
  // 2-bit indices, 3 per row: each row is one byte, high bits first.
  const packed = Uint8Array.of((3 << 6) | (2 << 4) | (1 << 2), (0 << 6) | (1 << 4) | (2 << 2));
  const two = decodeImage(pngEncode({ width: 3, height: 2, data: packed, channels: 1, depth: 2, palette }), "p2.png");
  assert.deepEqual(two.data, expected);
});

test("1-bit gray PNG unpacks its bits, rows starting on a new byte", () => {
  // width 10: each row takes two bytes, the last 6 bits of the second unused.
  const rows = [
    [1, 0, 1, 1, 0, 0, 0, 1, 1, 0],
    [0, 1, 0, 0, 1, 1, 1, 0, 0, 1],
  ];
  const packed = new Uint8Array(4);
  rows.forEach((row, y) =>
    row.forEach((bit, x) => {
      packed[y * 2 + (x >> 3)] |= bit << (7 - (x & 7));
    }),
  );
  const image = decodeImage(pngEncode({ width: 10, height: 2, data: packed, channels: 1, depth: 1 }), "bits.png");
  assert.deepEqual(image.data, expectedFloats(toRgbaSamples(rows.flat(), 1, 1), 1));
});

test("interlaced (Adam7) PNG decodes to the same pixels", () => {
  const samples = Uint8Array.from({ length: 9 * 7 * 3 }, (_, i) => (i * 31) % 256);
  const plain = decodeImage(pngEncode({ width: 9, height: 7, data: samples, channels: 3, depth: 8 }), "a.png");
  const interlaced = decodeImage(pngEncode({ width: 9, height: 7, data: samples, channels: 3, depth: 8 }, { interlace: "Adam7" }), "b.png");
  assert.deepEqual(interlaced.data, plain.data);
  assert.deepEqual(plain.data, expectedFloats(toRgbaSamples(samples, 3, 255), 255));
});

/** Standard CRC-32 of PNG chunks, to build a chunk fast-png cannot write. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Inserts a chunk right after IHDR (which ends at byte 33). */
function insertChunk(png: Uint8Array, type: string, body: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + body.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, body.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(body, 8);
  view.setUint32(8 + body.length, crc32(chunk.subarray(4, 8 + body.length)));
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, 33));
  out.set(chunk, 33);
  out.set(png.subarray(33), 33 + chunk.length);
  return out;
}

test("tRNS in gray and RGB PNG makes exactly the named colour transparent", () => {
  const gray = insertChunk(pngEncode({ width: 3, height: 1, data: Uint8Array.of(0, 200, 255), channels: 1, depth: 8 }), "tRNS", Uint8Array.of(0, 200));
  assert.deepEqual(Array.from(decodeImage(gray, "g.png").data.filter((_, i) => i % 4 === 3)), [1, 0, 1]);
  // (fast-png refuses an RGB tRNS on images under 3 pixels, so this one has 4.)
  const rgb = insertChunk(
    pngEncode({ width: 2, height: 2, data: Uint8Array.of(1, 2, 3, 1, 2, 4, 9, 9, 9, 1, 2, 3), channels: 3, depth: 8 }),
    "tRNS",
    Uint8Array.of(0, 1, 0, 2, 0, 3),
  );
  assert.deepEqual(Array.from(decodeImage(rgb, "c.png").data.filter((_, i) => i % 4 === 3)), [0, 1, 1, 0]);
});

test("encodePng output decodes back to the same 8-bit pixels", () => {
  const pixels = Uint8ClampedArray.from({ length: 4 * 3 * 4 }, (_, i) => (i * 97) % 256);
  const bytes = encodePng(4, 3, pixels);
  assert.deepEqual(Array.from(bytes.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual(decodeImage(bytes, "out.png").data, expectedFloats(pixels, 255));
  assert.match(
    errorCode(() => encodePng(4, 3, new Uint8Array(47))),
    /BAD_ARGUMENT: encodePng: a 4x3 image needs 48 bytes \(RGBA\), got 47/,
  );
});

// ------------------------------------------------------------------ JPEG decoding

test("a JPEG decodes close to the pixels it was made from", () => {
  const width = 16,
    height = 16;
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([x * 16, y * 16, 128, 255], (y * width + x) * 4);
  }
  const bytes = new Uint8Array(jpeg.encode({ width, height, data: pixels }, 95).data);
  const image = decodeImage(bytes, "smooth.jpg");
  assert.equal(image.width, width);
  assert.equal(image.height, height);
  // JPEG is lossy (colour subsampling, quantisation): at quality 95 on a smooth gradient each
  // channel stays within 8 levels of 255 and within 2 levels on average.
  let worst = 0,
    total = 0;
  for (let i = 0; i < pixels.length; i++) {
    if (i % 4 === 3) {
      assert.equal(image.data[i], 1);
      continue;
    }
    const error = Math.abs(image.data[i] - pixels[i] / 255);
    worst = Math.max(worst, error);
    total += error;
  }
  assert.ok(worst <= 8 / 255, `worst error ${worst * 255} levels`);
  assert.ok(total / (width * height * 3) <= 2 / 255, `mean error ${(total / (width * height * 3)) * 255} levels`);
});

// ------------------------------------------------------------------ bad files

test("empty, foreign, truncated and corrupt files are BAD_DATA errors that say why", () => {
  const png = pngEncode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(90), channels: 3, depth: 8 });
  assert.match(
    errorCode(() => decodeImage(new Uint8Array(0), "e.png")),
    /^BAD_DATA: e.png: the file is empty/,
  );
  assert.match(
    errorCode(() => decodeImage(new TextEncoder().encode("hello world"), "h.png")),
    /^BAD_DATA: h.png: not a PNG or JPEG file \(it starts with bytes 68 65 6c 6c 6f 20 77 6f "hello wo"\)$/,
  );
  assert.match(
    errorCode(() =>
      decodeImage(
        Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 3) % 256),
        "r.bin",
      ),
    ),
    /^BAD_DATA: r.bin: not a PNG or JPEG file/,
  );
  assert.match(
    errorCode(() => decodeImage(new TextEncoder().encode("GIF89a......"), "a.gif")),
    /it looks like a GIF image: convert it to PNG/,
  );
  for (const cut of [png.length - 13, 40, 20, 9]) {
    assert.match(
      errorCode(() => decodeImage(png.subarray(0, cut), "t.png")),
      /^BAD_DATA: t.png: corrupt PNG: the file ends too early \(truncated\)$/,
      `cut at ${cut}`,
    );
  }
  const flipped = png.slice();
  flipped[45] ^= 0xff; // inside the IDAT data: caught by the chunk checksum
  assert.match(
    errorCode(() => decodeImage(flipped, "f.png")),
    /^BAD_DATA: f.png: corrupt PNG: CRC mismatch for chunk IDAT/,
  );
  const jpg = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(200) }, 90).data);
  assert.match(
    errorCode(() => decodeImage(jpg.subarray(0, jpg.length - 40), "t.jpg")),
    /^BAD_DATA: t.jpg: corrupt JPEG: /,
  );
  assert.match(
    errorCode(() => decodeImage(jpg.subarray(0, 3), "s.jpg")),
    /^BAD_DATA: s.jpg: corrupt JPEG: /,
  );
});

// ------------------------------------------------------------------ resizing

function constantImage(width: number, height: number, pixel: number[]): RgbaImage {
  const data = new Float32Array(width * height * 4);
  for (let p = 0; p < data.length; p += 4) data.set(pixel, p);
  return { width, height, data };
}

test("resizing a constant image keeps it constant, shrinking and enlarging", () => {
  const pixel = [0.2, 0.6, 0.9, 1];
  for (const [w, h] of [
    [3, 2],
    [11, 9],
    [7, 1],
    [1, 13],
  ]) {
    const out = resizeImage(constantImage(7, 5, pixel), w, h);
    assert.equal(out.data.length, w * h * 4);
    // float32 sums of weights that add to 1: a few ulps of drift at most.
    out.data.forEach((v, i) => assert.ok(Math.abs(v - pixel[i % 4]) < 1e-6, `${w}x${h} value ${i}: ${v}`));
  }
});

test("shrinking a checkerboard 4x averages it to gray (antialiased, not sampled)", () => {
  const size = 32;
  const board = constantImage(size, size, [0, 0, 0, 1]);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x + y) % 2 === 1) board.data.fill(1, (y * size + x) * 4, (y * size + x) * 4 + 3);
  const out = resizeImage(board, 8, 8);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const v = out.data[(y * 8 + x) * 4];
      const interior = x > 0 && x < 7 && y > 0 && y < 7;
      // Inside, the 8 symmetric taps cover 4 black and 4 white pixels with equal weight: 0.5 up to
      // float rounding. At the border a cut-off kernel tilts it slightly (by about 0.004).
      assert.ok(Math.abs(v - 0.5) < (interior ? 1e-6 : 0.01), `pixel (${y}, ${x}) = ${v}`);
    }
  }
  // A white dot every 4th pixel each way (mean 1/16): the widened kernel sees every dot, while a
  // plain 2-tap bilinear reads only pixels 4k+1 and 4k+2 and would give 0.
  const dots = constantImage(size, size, [0, 0, 0, 1]);
  for (let y = 0; y < size; y += 4) for (let x = 0; x < size; x += 4) dots.data.fill(1, (y * size + x) * 4, (y * size + x) * 4 + 3);
  const small = resizeImage(dots, 8, 8);
  for (let y = 1; y < 7; y++) for (let x = 1; x < 7; x++) assert.ok(Math.abs(small.data[(y * 8 + x) * 4] - 1 / 16) < 1e-6, `dot grid pixel (${y}, ${x})`);
});

test("enlarging a 2-pixel ramp 2x is bilinear with centres aligned: 0, 0.25, 0.75, 1", () => {
  const ramp = rgba8(2, 1, [0, 0, 0, 255, 255, 255, 255, 255]);
  const out = resizeImage(ramp, 4, 1);
  const reds = Array.from(out.data.filter((_, i) => i % 4 === 0));
  [0, 0.25, 0.75, 1].forEach((v, i) => assert.ok(Math.abs(reds[i] - v) < 1e-6, `pixel ${i}: ${reds[i]}`));
  for (let i = 1; i < reds.length; i++) assert.ok(reds[i] > reds[i - 1], "strictly increasing");
  // The same ramp along the other axis gives the same numbers.
  const tall = resizeImage({ width: 1, height: 2, data: ramp.data }, 1, 4);
  assert.deepEqual(tall.data, out.data);
});

test("resizing to the same size returns an equal copy", () => {
  const image = rgba8(
    3,
    2,
    Array.from({ length: 24 }, (_, i) => (i * 41) % 256),
  );
  const out = resizeImage(image, 3, 2);
  assert.deepEqual(out, image);
  assert.notEqual(out.data, image.data);
});

test("resizing weights colour by alpha: a transparent neighbour's colour does not bleed in", () => {
  const image = { width: 2, height: 1, data: Float32Array.of(1, 0, 0, 1, 0, 1, 0, 0) }; // opaque red, invisible green
  const out = resizeImage(image, 1, 1);
  assert.deepEqual(Array.from(out.data), [1, 0, 0, 0.5]);
  assert.match(
    errorCode(() => resizeImage(image, 0, 1)),
    /BAD_ARGUMENT: resizeImage: expected a positive integer width and height, got 0x1/,
  );
  assert.match(
    errorCode(() => resizeImage({ width: 2, height: 2, data: new Float32Array(8) }, 1, 1)),
    /needs 16 floats \(4 per pixel\), found 8 floats/,
  );
});

// ------------------------------------------------------------------ features

test("features composite alpha over black: transparent is 0 brightness", () => {
  const image = { width: 3, height: 1, data: Float32Array.of(1, 1, 1, 0.25, 1, 0.5, 0, 0.5, 0.7, 0.2, 0.9, 0) };
  const gray = imageFeatures({ kind: "image", height: 1, width: 3, channels: 1 }, image).features;
  const expectGray = [0.25, 0.5 * (0.299 + 0.587 * 0.5), 0];
  expectGray.forEach((v, i) => assert.ok(Math.abs(gray[i] - v) < 1e-6, `gray ${i}: ${gray[i]} vs ${v}`));
  const rgb = imageFeatures({ kind: "image", height: 1, width: 3, channels: 3 }, image).features;
  [0.25, 0.25, 0.25, 0.5, 0.25, 0, 0, 0, 0].forEach((v, i) => assert.ok(Math.abs(rgb[i] - v) < 1e-6, `rgb ${i}: ${rgb[i]} vs ${v}`));
});

test("gray features are one luma per pixel, rgb features interleave r,g,b, both row-major", () => {
  // width 3, height 2: pixel (row r, column c) has red r/2, green c/4, blue 1.
  const image = constantImage(3, 2, [0, 0, 1, 1]);
  for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) image.data.set([r / 2, c / 4], (r * 3 + c) * 4);
  const grayState: ImageState = { kind: "image", height: 2, width: 3, channels: 1 };
  const rgbState: ImageState = { ...grayState, channels: 3 };
  const gray = imageFeatures(grayState, image);
  const rgb = imageFeatures(rgbState, image);
  assert.equal(gray.resizedFrom, null);
  assert.equal(gray.features.length, 6);
  assert.equal(rgb.features.length, 18);
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 3; c++) {
      const i = r * 3 + c;
      assert.ok(Math.abs(gray.features[i] - (0.299 * (r / 2) + 0.587 * (c / 4) + 0.114)) < 1e-6);
      assert.deepEqual(Array.from(rgb.features.subarray(i * 3, i * 3 + 3)), [r / 2, c / 4, 1]);
    }
  }
  const names = imageFeatureNames(rgbState);
  assert.equal(names.length, 18);
  // Rows and columns are counted from 1, as a person reads them.
  assert.equal(names[3 * 4 + 1], "pixel (row 2, column 2) green");
  assert.deepEqual(imageFeatureNames(grayState).slice(2, 4), ["pixel (row 1, column 3)", "pixel (row 2, column 1)"]);
  // Back to pixels for drawing: gray replicated, opaque.
  const drawn = featuresToRgba(grayState, Float32Array.of(0, 0.5, 1, 2, -1, 0.2));
  assert.deepEqual(Array.from(drawn.subarray(0, 8)), [0, 0, 0, 255, 128, 128, 128, 255]);
  assert.deepEqual(Array.from(drawn.subarray(12, 24)), [255, 255, 255, 255, 0, 0, 0, 255, 51, 51, 51, 255]);
  assert.deepEqual(Array.from(featuresToRgba(rgbState, rgb.features).subarray(16, 20)), [128, 64, 255, 255]); // row 1, column 1
  assert.match(
    errorCode(() => featuresToRgba(rgbState, new Float32Array(6))),
    /SHAPE_MISMATCH: expected 18 features \(2x3 image, 3 per pixel\), got 6/,
  );
});

test("an image of another size is resized to the state's size and says so", () => {
  const state: ImageState = { kind: "image", height: 2, width: 2, channels: 1 };
  const { features, resizedFrom } = imageFeatures(state, constantImage(6, 4, [0.5, 0.5, 0.5, 1]));
  assert.deepEqual(resizedFrom, { width: 6, height: 4 });
  assert.equal(features.length, 4);
  features.forEach((v) => assert.ok(Math.abs(v - 0.5) < 1e-6));
});

// ------------------------------------------------------------------ fitting and state

test("fitImage defaults: the most common size, shrunk to 64 on the longer side, colour detected", () => {
  const gray = (w: number, h: number) => constantImage(w, h, [0.3, 0.3, 0.3, 1]);
  assert.deepEqual(fitImage([gray(30, 20), gray(28, 28), gray(28, 28)]), { kind: "image", height: 28, width: 28, channels: 1 });
  assert.deepEqual(fitImage([gray(640, 480)]), { kind: "image", height: 48, width: 64, channels: 1 });
  assert.deepEqual(fitImage([gray(30, 100)]), { kind: "image", height: 64, width: 19, channels: 1 }); // 30 * 0.64 = 19.2
  assert.deepEqual(fitImage([gray(1000, 5)]), { kind: "image", height: 1, width: 64, channels: 1 }); // never 0
  const tinted = gray(4, 4);
  tinted.data.set([0.5, 0.5, 0.52], 20);
  assert.equal(fitImage([gray(4, 4), tinted]).channels, 3);
  // One 8-bit step apart (as JPEG rounding leaves in gray photos) is still gray.
  assert.equal(fitImage([rgba8(1, 1, [100, 101, 100, 255])]).channels, 1);
  assert.equal(fitImage([rgba8(1, 1, [100, 102, 100, 255])]).channels, 3);
  // The colour of an invisible pixel does not count.
  assert.equal(fitImage([rgba8(1, 1, [255, 0, 0, 0])]).channels, 1);
});

test("fitImage options win over what the images say, and are checked", () => {
  const colour = constantImage(10, 10, [1, 0, 0, 1]);
  assert.deepEqual(fitImage([colour], { channels: 1 }), { kind: "image", height: 10, width: 10, channels: 1 });
  assert.deepEqual(fitImage([colour], { size: { height: 5, width: 7 } }), { kind: "image", height: 5, width: 7, channels: 3 });
  assert.deepEqual(fitImage([], { size: { height: 3, width: 2 }, channels: 3 }), { kind: "image", height: 3, width: 2, channels: 3 });
  assert.match(
    errorCode(() => fitImage([])),
    /^BAD_DATA: cannot learn the image size: there are no training images/,
  );
  assert.match(
    errorCode(() => fitImage([colour], { size: { height: 0, width: 7 } })),
    /^BAD_ARGUMENT: image size/,
  );
  assert.match(
    errorCode(() => fitImage([colour], { channels: 2 as 1 })),
    /^BAD_ARGUMENT: image channels: expected 1 \(gray\) or 3 \(rgb\), got 2/,
  );
});

test("checkImageState accepts a good state and names what is wrong with a broken one", () => {
  const good = { kind: "image", height: 28, width: 28, channels: 1 };
  assert.deepEqual(checkImageState(JSON.parse(JSON.stringify(good)), "m"), good);
  const broken: [unknown, RegExp][] = [
    [null, /expected an object, found null/],
    [{ ...good, kind: "sound" }, /expected kind "image", found "sound"/],
    [{ ...good, width: 0 }, /expected width to be a positive integer, found 0/],
    [{ ...good, height: 2.5 }, /expected height to be a positive integer, found 2.5/],
    [{ ...good, height: "28" }, /expected height to be a positive integer, found "28"/],
    [{ ...good, channels: 4 }, /expected channels 1 \(gray\) or 3 \(rgb\), found 4/],
  ];
  for (const [state, reason] of broken) {
    const message = errorCode(() => checkImageState(state, "m.safetensors"));
    assert.match(message, /^BAD_MODEL_FILE: m.safetensors: the image featurizer state is not valid: /);
    assert.match(message, reason);
  }
});

test("decompression bombs are refused from the header, before decoding: a PNG and a JPEG that declare 10000x10000", () => {
  // A PNG signature and an IHDR chunk declaring 10000x10000 RGBA, then a tiny IDAT: 60 bytes for 400 MB of pixels.
  const png = new Uint8Array(8 + 25 + 12 + 3);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer);
  view.setUint32(8, 13);
  png.set(
    [..."IHDR"].map((c) => c.charCodeAt(0)),
    12,
  );
  view.setUint32(16, 10000);
  view.setUint32(20, 10000);
  png.set([8, 6, 0, 0, 0], 24);
  view.setUint32(33, 3);
  png.set(
    [..."IDAT"].map((c) => c.charCodeAt(0)),
    37,
  );
  assert.throws(
    () => decodeImage(png, "bomb.png"),
    /^GlassboxError: bomb\.png: the image is 10000x10000 pixels, more than the 25-megapixel limit; shrink it first \(or raise the input limit image-pixels\)$/,
  );
  // SOI, an APP0 segment, then a baseline frame header (SOF0) declaring 10000x10000, 3 components.
  const jpegBytes = Uint8Array.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0,
    16,
    ...Array(14).fill(0),
    0xff,
    0xc0,
    0,
    17,
    8,
    10000 >> 8,
    10000 & 255,
    10000 >> 8,
    10000 & 255,
    3,
    1,
    0x11,
    0,
    2,
    0x11,
    0,
    3,
    0x11,
    0,
  ]);
  assert.throws(
    () => decodeImage(jpegBytes, "bomb.jpg"),
    /^GlassboxError: bomb\.jpg: the image is 10000x10000 pixels, more than the 25-megapixel limit; shrink it first \(or raise the input limit image-pixels\)$/,
  );
  // The limit is an argument: lowered, a small image is refused the same way.
  assert.throws(() => decodeImage(encodePng(20, 20, new Uint8Array(20 * 20 * 4)), "small.png", 100), /the image is 20x20 pixels, more than the 0.0001-megapixel limit/);
});
