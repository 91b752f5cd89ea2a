import type { WindowGeometry } from "../backend.js";

// Convolutions other than the 3x3 stride-1 ones that winograd.ts takes (at least 16 channels and
// filters, multiples of 4; the figures below are from before it took them): im2col
// (assembly/im2col.ts) into a scratch tensor, then the GEMM, which writes
// the NHWC output directly and adds the bias as it stores. A 1x1 convolution with stride 1 and
// no padding needs no im2col: the input, [batch * height * width, channels], is the matrix
// (for 14x14x64 -> 64 filters, batch 64: a 0.25 ms copy saved of a 3.3 ms forward pass).
// The GEMMs are most of the time: on the canonical CNN the 14x14x32 -> 64 layer's three
// products (12544x288x64 forward, 288x12544x64 for dWeight, 12544x64x288 for dCols) run at
// 17-24 GFLOP/s on one thread against 27-29 for square ones: with its im2col, col2im and bias
// gradient, two thirds of a training step (30 of 45 ms on two threads).
// Not done: keeping the forward pass's im2col for the backward pass (0.6 ms a step for the
// last convolution; the scratch is shared by every convolution and x could change between).

/** A 1x1 convolution with stride 1 and no padding: each output pixel reads its own input pixel. */
export function pointwise(g: WindowGeometry): boolean {
  return g.sizeY === 1 && g.sizeX === 1 && g.stride === 1 && g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.height && g.outWidth === g.width;
}

/** Whether every pooling window lies inside the image (no padding, none reaching past the bottom or right). */
export function insideImage(g: WindowGeometry): boolean {
  const fits = (g.outHeight - 1) * g.stride + g.sizeY <= g.height && (g.outWidth - 1) * g.stride + g.sizeX <= g.width;
  return g.padTop === 0 && g.padLeft === 0 && g.outHeight > 0 && g.outWidth > 0 && fits;
}
