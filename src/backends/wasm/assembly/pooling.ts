// Max and average pooling over NHWC images (AssemblyScript), for examples [n0, n1) so that
// threads can share a batch without sharing an output element. Windows sizeY x sizeX every
// `stride` pixels with no padding; every window lies inside the image (the caller checks).
// Four channels at a time in a v128 where channels >= 4, then one at a time.
//
// Max pooling keeps the reference's order (src/backends/reference/conv.ts): the first largest
// value in row-major window order wins, and a NaN wins and stays, so the output is the same
// float, bit for bit, as the reference's. The backward pass recomputes each window's winner
// from x (as the reference does) and routes dy to it.
//
// Measured on the canonical CNN's shapes (batch 64, 2x2 windows), ms, best of 15, the reference
// loops over the wasm memory (what ran before) -> these kernels on one thread / two:
//   max 28x28x32 forward 16.3 -> 0.45 / 0.24, backward 20.8 -> 1.39 / 0.76
//   max 14x14x64 forward  7.6 -> 0.19 / 0.09, backward 10.2 -> 0.73 / 0.40
//   avg 28x28x32 forward  6.3 -> 0.80 / 0.41 (float64 sums), backward 9.7 -> 0.60 / 0.33
// The 2x2 forward unrolled against the general window loop: 0.49-0.62 ms against 0.63-0.67
// (28x28x32), 0.26-0.28 against 0.31-0.33 (14x14x64). Max backward is memory-bound: it reads x
// and dy and writes dx once (14 MB for 28x28x32, about 15 GB/s on two threads).

/** Whether v replaces best as a window's winner: v > best, or v is NaN and best is not. */
@inline function replaces(v: v128, best: v128): v128 {
  // best == best (best is not NaN) and not v <= best (v is larger or NaN)
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

@inline function replacesScalar(v: f32, best: f32): bool {
  return best == best && !(v <= best);
}

// y: [batch, outHeight, outWidth, channels] = the first largest x of each window
export function maxPoolForward(
  x: usize, y: usize, height: i32, width: i32, channels: i32, sizeY: i32, sizeX: i32, stride: i32,
  outHeight: i32, outWidth: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>channels << 2;
  const row = <usize>width * pixel;
  const vectors = channels & ~3;
  let out = y + <usize>n0 * outHeight * outWidth * pixel;
  for (let n = n0; n < n1; n++) {
    const image = x + <usize>n * height * row;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, out += pixel) {
        const corner = image + <usize>(oy * stride) * row + <usize>(ox * stride) * pixel;
        if (sizeY == 2 && sizeX == 2) {
          // The common window, unrolled: four loads and three selects per four channels.
          let c = 0;
          for (; c < vectors; c += 4) {
            const at = corner + (<usize>c << 2);
            let best = v128.load(at);
            let v = v128.load(at + pixel);
            best = v128.bitselect(v, best, replaces(v, best));
            v = v128.load(at + row);
            best = v128.bitselect(v, best, replaces(v, best));
            v = v128.load(at + row + pixel);
            best = v128.bitselect(v, best, replaces(v, best));
            v128.store(out + (<usize>c << 2), best);
          }
          for (; c < channels; c++) store<f32>(out + (<usize>c << 2), maxScalar(corner + (<usize>c << 2), 2, 2, row, pixel));
          continue;
        }
        let c = 0;
        for (; c < vectors; c += 4) {
          const at = corner + (<usize>c << 2);
          let best = v128.load(at);
          for (let ky = 0; ky < sizeY; ky++) {
            const line = at + <usize>ky * row;
            for (let kx = ky == 0 ? 1 : 0; kx < sizeX; kx++) {
              const v = v128.load(line + <usize>kx * pixel);
              best = v128.bitselect(v, best, replaces(v, best));
            }
          }
          v128.store(out + (<usize>c << 2), best);
        }
        for (; c < channels; c++) store<f32>(out + (<usize>c << 2), maxScalar(corner + (<usize>c << 2), sizeY, sizeX, row, pixel));
      }
    }
  }
}

function maxScalar(at: usize, sizeY: i32, sizeX: i32, row: usize, pixel: usize): f32 {
  let best = load<f32>(at);
  for (let ky = 0; ky < sizeY; ky++) {
    for (let kx = ky == 0 ? 1 : 0; kx < sizeX; kx++) {
      const v = load<f32>(at + <usize>ky * row + <usize>kx * pixel);
      if (replacesScalar(v, best)) best = v;
    }
  }
  return best;
}

/**
 * dx: [batch, height, width, channels] = dy routed to the first largest x of each window, summed
 * where windows overlap. When the windows tile the image exactly (stride = size, no remainder)
 * every dx element is written once, as dy or 0; otherwise dx is zeroed and the windows add to it.
 */
export function maxPoolBackward(
  x: usize, dy: usize, dx: usize, height: i32, width: i32, channels: i32, sizeY: i32, sizeX: i32, stride: i32,
  outHeight: i32, outWidth: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>channels << 2;
  const row = <usize>width * pixel;
  const vectors = channels & ~3;
  const tiles = tilesExactly(height, width, sizeY, sizeX, stride, outHeight, outWidth);
  if (!tiles) memory.fill(dx + <usize>n0 * height * row, 0, <usize>(n1 - n0) * height * row);
  const zero = f32x4.splat(0);
  let g = dy + <usize>n0 * outHeight * outWidth * pixel;
  for (let n = n0; n < n1; n++) {
    const offset = <usize>n * height * row;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, g += pixel) {
        const corner = <usize>(oy * stride) * row + <usize>(ox * stride) * pixel + offset;
        let c = 0;
        for (; c < vectors; c += 4) {
          const at = corner + (<usize>c << 2);
          // The winner's tap number in each lane.
          let best = v128.load(x + at);
          let winner = i32x4.splat(0);
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = ky == 0 ? 1 : 0; kx < sizeX; kx++) {
              const v = v128.load(x + at + <usize>ky * row + <usize>kx * pixel);
              const m = replaces(v, best);
              best = v128.bitselect(v, best, m);
              winner = v128.bitselect(i32x4.splat(ky * sizeX + kx), winner, m);
            }
          }
          const d = v128.load(g + (<usize>c << 2));
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = 0; kx < sizeX; kx++) {
              const to = dx + at + <usize>ky * row + <usize>kx * pixel;
              const routed = v128.and(d, i32x4.eq(winner, i32x4.splat(ky * sizeX + kx)));
              // + 0 (or + the zeroed dx) turns a routed -0 into 0, as the reference's float64 sums do.
              v128.store(to, f32x4.add(routed, tiles ? zero : v128.load(to)));
            }
          }
        }
        for (; c < channels; c++) {
          const at = corner + (<usize>c << 2);
          let best = load<f32>(x + at);
          let winner = 0;
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = ky == 0 ? 1 : 0; kx < sizeX; kx++) {
              const v = load<f32>(x + at + <usize>ky * row + <usize>kx * pixel);
              if (replacesScalar(v, best)) {
                best = v;
                winner = ky * sizeX + kx;
              }
            }
          }
          const d = load<f32>(g + (<usize>c << 2));
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = 0; kx < sizeX; kx++) {
              const to = dx + at + <usize>ky * row + <usize>kx * pixel;
              const routed: f32 = ky * sizeX + kx == winner ? d : 0;
              store<f32>(to, routed + (tiles ? <f32>0 : load<f32>(to)));
            }
          }
        }
      }
    }
  }
}

/** Whether the windows cover every pixel exactly once. */
function tilesExactly(height: i32, width: i32, sizeY: i32, sizeX: i32, stride: i32, outHeight: i32, outWidth: i32): bool {
  return sizeY == stride && sizeX == stride && outHeight * stride == height && outWidth * stride == width;
}

// y = the mean of each window: sums in float64 lanes (the reference's order and precision, so the
// same float), divided by the window's area.
export function avgPoolForward(
  x: usize, y: usize, height: i32, width: i32, channels: i32, sizeY: i32, sizeX: i32, stride: i32,
  outHeight: i32, outWidth: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>channels << 2;
  const row = <usize>width * pixel;
  const vectors = channels & ~3;
  const area = <f64>(sizeY * sizeX);
  const areas = f64x2.splat(area);
  let out = y + <usize>n0 * outHeight * outWidth * pixel;
  for (let n = n0; n < n1; n++) {
    const image = x + <usize>n * height * row;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, out += pixel) {
        const corner = image + <usize>(oy * stride) * row + <usize>(ox * stride) * pixel;
        let c = 0;
        for (; c < vectors; c += 4) {
          const at = corner + (<usize>c << 2);
          let low = f64x2.splat(0), high = f64x2.splat(0);
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = 0; kx < sizeX; kx++) {
              const v = v128.load(at + <usize>ky * row + <usize>kx * pixel);
              low = f64x2.add(low, f64x2.promote_low_f32x4(v));
              high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
            }
          }
          const l = f32x4.demote_f64x2_zero(f64x2.div(low, areas));
          const h = f32x4.demote_f64x2_zero(f64x2.div(high, areas));
          v128.store(out + (<usize>c << 2), v128.shuffle<f32>(l, h, 0, 1, 4, 5));
        }
        for (; c < channels; c++) {
          const at = corner + (<usize>c << 2);
          let sum: f64 = 0;
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = 0; kx < sizeX; kx++) sum += <f64>load<f32>(at + <usize>ky * row + <usize>kx * pixel);
          }
          store<f32>(out + (<usize>c << 2), <f32>(sum / area));
        }
      }
    }
  }
}

// dx = dy / area spread over each window, summed (in float32) where windows overlap.
export function avgPoolBackward(
  dy: usize, dx: usize, height: i32, width: i32, channels: i32, sizeY: i32, sizeX: i32, stride: i32,
  outHeight: i32, outWidth: i32, n0: i32, n1: i32,
): void {
  const pixel = <usize>channels << 2;
  const row = <usize>width * pixel;
  const vectors = channels & ~3;
  const tiles = tilesExactly(height, width, sizeY, sizeX, stride, outHeight, outWidth);
  if (!tiles) memory.fill(dx + <usize>n0 * height * row, 0, <usize>(n1 - n0) * height * row);
  const area = <f32>(sizeY * sizeX);
  const areas = f32x4.splat(area);
  const zero = f32x4.splat(0);
  let g = dy + <usize>n0 * outHeight * outWidth * pixel;
  for (let n = n0; n < n1; n++) {
    const image = dx + <usize>n * height * row;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, g += pixel) {
        const corner = image + <usize>(oy * stride) * row + <usize>(ox * stride) * pixel;
        let c = 0;
        // dy / area in float32 is the float64 quotient rounded once: the reference's value (+ 0
        // turns -0 into 0, as its sums from 0 do).
        for (; c < vectors; c += 4) {
          const share = f32x4.div(v128.load(g + (<usize>c << 2)), areas);
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = 0; kx < sizeX; kx++) {
              const to = corner + (<usize>c << 2) + <usize>ky * row + <usize>kx * pixel;
              v128.store(to, f32x4.add(tiles ? zero : v128.load(to), share));
            }
          }
        }
        for (; c < channels; c++) {
          const share = load<f32>(g + (<usize>c << 2)) / area;
          for (let ky = 0; ky < sizeY; ky++) {
            for (let kx = 0; kx < sizeX; kx++) {
              const to = corner + (<usize>c << 2) + <usize>ky * row + <usize>kx * pixel;
              store<f32>(to, (tiles ? <f32>0 : load<f32>(to)) + share);
            }
          }
        }
      }
    }
  }
}
