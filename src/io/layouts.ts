/**
 * Weight layouts between Glassbox and the formats other engines read (ONNX, PyTorch): Glassbox
 * keeps a dense layer's weights [inputs, units] and a convolution's [size, size, in, out] (HWIO),
 * both read row-major; PyTorch and ONNX keep [units, inputs] and [out, in, size, size] (OIHW).
 */

/** [size, size, channels, filters] -> [filters, channels, size, size]. */
export function hwioToOihw(hwio: ArrayLike<number>, size: number, channels: number, filters: number): Float32Array {
  const oihw = new Float32Array(hwio.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) for (let f = 0; f < filters; f++) oihw[((f * channels + c) * size + y) * size + x] = hwio[((y * size + x) * channels + c) * filters + f];
  return oihw;
}

/** [filters, channels, size, size] -> [size, size, channels, filters]. */
export function oihwToHwio(oihw: ArrayLike<number>, size: number, channels: number, filters: number): Float32Array {
  const hwio = new Float32Array(oihw.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) for (let f = 0; f < filters; f++) hwio[((y * size + x) * channels + c) * filters + f] = oihw[((f * channels + c) * size + y) * size + x];
  return hwio;
}

/** A row-major [rows, cols] matrix as [cols, rows]. */
export function transposed(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}
