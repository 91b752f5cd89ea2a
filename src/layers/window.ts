import type { WindowGeometry } from "../backends/backend.js";
import type { Shape } from "../tensor/tensor.js";

/** How a window layer treats the border: "same" pads so that the output is ceil(size / stride); "valid" does not pad. */
export type Padding = "same" | "valid";

/**
 * Where the windows of a convolution or pooling layer fall on an [height, width, channels]
 * input, for `batch` examples. "same" pads as TensorFlow does: total padding
 * max((out - 1) * stride + size - in, 0), the smaller half above and left (for stride 1 and an
 * odd size, PyTorch's padding = size // 2). Throws with the shapes when the input is too small.
 */
export function windowGeometry(input: Shape, sizeY: number, sizeX: number, stride: number, padding: Padding, batch = 1): WindowGeometry {
  if (input.length !== 3) throw new Error(`expects an image input [height, width, channels], got [${input.join(", ")}]`);
  const [height, width, channels] = input;
  if (padding === "valid" && (height < sizeY || width < sizeX)) {
    throw new Error(`gets a ${height}x${width}x${channels} input; a ${sizeY}x${sizeX} window with padding valid needs at least ${sizeY}x${sizeX}`);
  }
  const outHeight = padding === "same" ? Math.ceil(height / stride) : Math.floor((height - sizeY) / stride) + 1;
  const outWidth = padding === "same" ? Math.ceil(width / stride) : Math.floor((width - sizeX) / stride) + 1;
  const padTop = padding === "same" ? Math.floor(Math.max((outHeight - 1) * stride + sizeY - height, 0) / 2) : 0;
  const padLeft = padding === "same" ? Math.floor(Math.max((outWidth - 1) * stride + sizeX - width, 0) / 2) : 0;
  return { batch, height, width, channels, sizeY, sizeX, stride, padTop, padLeft, outHeight, outWidth };
}

/** A window layer's padding on each side, [top, left, bottom, right] (the order of ONNX's pads). */
export function padsOf(g: WindowGeometry): [number, number, number, number] {
  const bottom = Math.max((g.outHeight - 1) * g.stride + g.sizeY - g.height, 0) - g.padTop;
  const right = Math.max((g.outWidth - 1) * g.stride + g.sizeX - g.width, 0) - g.padLeft;
  return [g.padTop, g.padLeft, Math.max(0, bottom), Math.max(0, right)];
}

/** Throws unless `n` is a whole number >= 1 (for a spec field). */
export function positive(n: unknown, what: string): void {
  if (!(Number.isInteger(n) && (n as number) >= 1)) throw new Error(`${what} must be a whole number >= 1, got ${JSON.stringify(n)}`);
}
