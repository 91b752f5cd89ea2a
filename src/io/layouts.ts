/**
 * Weight layouts between Glassbox and the formats other engines read (ONNX, PyTorch): Glassbox
 * keeps a dense layer's weights [inputs, units] and a convolution's [size, size, in, out] (HWIO),
 * both read row-major; PyTorch and ONNX keep [units, inputs] and [out, in, size, size] (OIHW).
 */

/** [size, size, channels, filters] -> [filters, channels, size, size]. */
export function hwioToOihw(hwio: ArrayLike<number>, size: number, channels: number, filters: number): Float32Array {
  return convLayout(hwio, size, channels, filters, true);
}

/** [filters, channels, size, size] -> [size, size, channels, filters]. */
export function oihwToHwio(oihw: ArrayLike<number>, size: number, channels: number, filters: number): Float32Array {
  return convLayout(oihw, size, channels, filters, false);
}

/** Each convolution weight's place in both layouts; `toOihw` says which way the numbers move. */
function convLayout(values: ArrayLike<number>, size: number, channels: number, filters: number, toOihw: boolean): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++)
        for (let f = 0; f < filters; f++) {
          const hwio = ((y * size + x) * channels + c) * filters + f;
          const oihw = ((f * channels + c) * size + y) * size + x;
          if (toOihw) out[oihw] = values[hwio];
          else out[hwio] = values[oihw];
        }
  return out;
}

/** A row-major [rows, cols] matrix as [cols, rows]. */
export function transposed(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}
