// im2col and col2im for NHWC convolutions (AssemblyScript), for examples [n0, n1) so that threads
// can share a batch. cols: [batch * outHeight * outWidth, sizeY * sizeX * channels], one row per
// output pixel in the weight's (ky, kx, c) order, so that the convolution is the matrix product
// cols · weight: [sizeY * sizeX * channels, filters], which writes the NHWC output directly.
//
// In NHWC the taps of one window row that fall inside the image are sizeX * channels (or fewer,
// at the left and right borders) contiguous floats of the input and of the cols row: one copy,
// and for col2im one vector add, per window row. Taps in the padding are 0.
//
// Measured (batch 64, 3x3 same, one thread, best of 30; the machine is shared and noisy):
// - The JavaScript im2col this replaces (copyWithin per window row) was fine for 32 channels and
//   slow for one: the conv 28x28x1 -> 32 layer's forward pass went 7.4 -> 2.4 ms, most of it the
//   im2col; its col2im summed in float64 in JavaScript. 14x14x32 -> 64: forward 16.3 -> 16.5
//   (the GEMM is the cost), backward with dx 40.9 -> 29.6.
// - A first version walked each output pixel's window (left and right border checks, a copy per
//   window row): one channel ran at 0.8 GB/s of cols written (2.2 ms for 28x28x1, 12-byte runs).
//   Walking each output row's window row, the interior pixels as one loop of runs, and 12-byte
//   runs as a u64 and a u32 copy: 0.36 ms (5 GB/s); 14x14x32 1.1 ms; col2im 0.5 and 1.1 ms.
// - memory.copy for runs of 256 bytes and more (14x14x32: 384-byte runs) against inline v128
//   loops up to 1 KiB, interleaved runs: im2col 14x14x32 1.07-1.21 ms against 0.81-1.05, 7x7x64
//   0.49-0.54 against 0.39-0.50. V8's memory.copy is a call; short runs do better inline.
// - Two threads (examples split between them): 14x14x32 im2col 0.58 ms, col2im 0.63.

/** Runs of at least this many bytes go through memory.copy / memory.fill; shorter ones are inline loops. */
const BULK: usize = 1024;

@inline function copyBytes(dst: usize, src: usize, bytes: usize): void {
  if (bytes >= BULK) {
    memory.copy(dst, src, bytes);
    return;
  }
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < bytes; i += 4) store<u32>(dst + i, load<u32>(src + i));
}

@inline function zeroBytes(dst: usize, bytes: usize): void {
  if (bytes >= BULK) {
    memory.fill(dst, 0, bytes);
    return;
  }
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i32x4.splat(0));
  for (; i < bytes; i += 4) store<u32>(dst + i, 0);
}

// dst += src, float by float (float32 sums)
@inline function addBytes(dst: usize, src: usize, bytes: usize): void {
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, f32x4.add(v128.load(dst + i), v128.load(src + i)));
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(src + i));
}

/** Output columns [first, end) whose windows lie wholly inside the image horizontally. */
@inline function interiorStart(stride: i32, padLeft: i32): i32 {
  return (padLeft + stride - 1) / stride;
}

@inline function interiorEnd(width: i32, sizeX: i32, stride: i32, padLeft: i32, outWidth: i32): i32 {
  // ox * stride - padLeft + sizeX <= width
  const limit = width + padLeft - sizeX;
  return limit < 0 ? 0 : min(outWidth, limit / stride + 1);
}

// `count` runs of `bytes` bytes: dst += dstStep, src += srcStep after each (the interior pixels of
// one window row). Runs shorter than 16 bytes (one channel: 12) are a u64 and a u32 copy.
function copyRuns(dst: usize, dstStep: usize, src: usize, srcStep: usize, count: i32, bytes: usize): void {
  if (bytes >= BULK) {
    for (let i = 0; i < count; i++, dst += dstStep, src += srcStep) memory.copy(dst, src, bytes);
    return;
  }
  for (let i = 0; i < count; i++, dst += dstStep, src += srcStep) {
    let j: usize = 0;
    for (; j + 16 <= bytes; j += 16) v128.store(dst + j, v128.load(src + j));
    if (j + 8 <= bytes) {
      store<u64>(dst + j, load<u64>(src + j));
      j += 8;
    }
    if (j < bytes) store<u32>(dst + j, load<u32>(src + j));
  }
}

// dst += src for `count` runs of `bytes` bytes (float32 sums), stepping like copyRuns
function addRuns(dst: usize, dstStep: usize, src: usize, srcStep: usize, count: i32, bytes: usize): void {
  for (let i = 0; i < count; i++, dst += dstStep, src += srcStep) addBytes(dst, src, bytes);
}

// cols rows for examples [n0, n1) from x: [batch, height, width, channels]. For each output row
// and window row: the pixels whose windows cross the left or right border one by one, the
// interior ones as runs.
export function im2col(
  x: usize, cols: usize, height: i32, width: i32, channels: i32, sizeY: i32, sizeX: i32, stride: i32,
  padTop: i32, padLeft: i32, outHeight: i32, outWidth: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>channels << 2;
  const span = <usize>sizeX * pixel; // one window row in a cols row
  const row = <usize>sizeY * span;
  const first = min(outWidth, interiorStart(stride, padLeft));
  const end = max(first, interiorEnd(width, sizeX, stride, padLeft, outWidth));
  for (let n = n0; n < n1; n++) {
    const image = x + <usize>n * height * width * pixel;
    for (let oy = 0; oy < outHeight; oy++) {
      const out = cols + <usize>(n * outHeight + oy) * outWidth * row;
      for (let ky = 0; ky < sizeY; ky++) {
        const iy = oy * stride + ky - padTop;
        const to = out + <usize>ky * span;
        if (iy < 0 || iy >= height) {
          for (let ox = 0; ox < outWidth; ox++) zeroBytes(to + <usize>ox * row, span);
          continue;
        }
        const line = image + <usize>iy * width * pixel;
        for (let ox = 0; ox < outWidth; ox++) {
          if (ox == first && end > first) {
            // the interior: whole window rows
            copyRuns(to + <usize>ox * row, row, line + <usize>(ox * stride - padLeft) * pixel, <usize>stride * pixel, end - first, span);
            ox = end - 1;
            continue;
          }
          const left = ox * stride - padLeft;
          // Taps [kx0, kx1) lie inside the image.
          const kx0 = max(0, -left);
          const kx1 = min(sizeX, width - left);
          const at = to + <usize>ox * row;
          if (kx1 <= kx0) {
            zeroBytes(at, span);
            continue;
          }
          if (kx0 > 0) zeroBytes(at, <usize>kx0 * pixel);
          copyBytes(at + <usize>kx0 * pixel, line + <usize>(left + kx0) * pixel, <usize>(kx1 - kx0) * pixel);
          if (kx1 < sizeX) zeroBytes(at + <usize>kx1 * pixel, <usize>(sizeX - kx1) * pixel);
        }
      }
    }
  }
}

// dx for examples [n0, n1) = the sum, over the windows that read each input value, of its
// entries in dCols (im2col's adjoint; dx is overwritten). Sums in float32; each input value's
// terms come in the reference's order (output pixels in row-major order).
export function col2im(
  dCols: usize, dx: usize, height: i32, width: i32, channels: i32, sizeY: i32, sizeX: i32, stride: i32,
  padTop: i32, padLeft: i32, outHeight: i32, outWidth: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>channels << 2;
  const span = <usize>sizeX * pixel;
  const row = <usize>sizeY * span;
  const imageBytes = <usize>height * width * pixel;
  const first = min(outWidth, interiorStart(stride, padLeft));
  const end = max(first, interiorEnd(width, sizeX, stride, padLeft, outWidth));
  memory.fill(dx + <usize>n0 * imageBytes, 0, <usize>(n1 - n0) * imageBytes);
  for (let n = n0; n < n1; n++) {
    const image = dx + <usize>n * imageBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const from = dCols + <usize>(n * outHeight + oy) * outWidth * row;
      for (let ky = 0; ky < sizeY; ky++) {
        const iy = oy * stride + ky - padTop;
        if (iy < 0 || iy >= height) continue;
        const line = image + <usize>iy * width * pixel;
        const at = from + <usize>ky * span;
        for (let ox = 0; ox < outWidth; ox++) {
          if (ox == first && end > first) {
            addRuns(line + <usize>(ox * stride - padLeft) * pixel, <usize>stride * pixel, at + <usize>ox * row, row, end - first, span);
            ox = end - 1;
            continue;
          }
          const left = ox * stride - padLeft;
          const kx0 = max(0, -left);
          const kx1 = min(sizeX, width - left);
          if (kx1 <= kx0) continue;
          addBytes(line + <usize>(left + kx0) * pixel, at + <usize>ox * row + <usize>kx0 * pixel, <usize>(kx1 - kx0) * pixel);
        }
      }
    }
  }
}
