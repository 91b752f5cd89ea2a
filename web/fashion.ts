/**
 * The embedded Fashion-MNIST subset (10,000 training and 2,000 test images, 28x28 gray), read in
 * the browser: the gzipped IDX files are fetched from data/ beside the page, un-gzipped with the
 * platform's DecompressionStream and parsed with the library's parseIdx.
 */
import { parseIdx, type Dataset, type IdxArray } from "glassbox";

export const FASHION_FILES = {
  train: { images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz" },
  test: { images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz" },
} as const;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A gzip stream starts with 0x1f 0x8b; a server may already have un-gzipped it (Content-Encoding). */
async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function fetchIdx(url: string): Promise<IdxArray> {
  return parseIdx(await gunzipIfNeeded(await fetchBytes(url)), url);
}

/** Class names, one per line, in label order. */
export async function fetchLabelNames(dataUrl: string): Promise<string[]> {
  const response = await fetch(new URL("labels.txt", dataUrl));
  if (!response.ok) throw new Error(`could not fetch labels.txt from ${dataUrl}: HTTP ${response.status}`);
  return (await response.text())
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * The first `limit` images of a split as a dataset: pixels 0..1 (byte / 255), row-major, the
 * same numbers the library reads from these files in Node.
 */
export async function loadFashion(dataUrl: string, split: "train" | "test", limit = Infinity): Promise<Dataset> {
  const files = FASHION_FILES[split];
  const [images, labels, labelNames] = await Promise.all([fetchIdx(new URL(files.images, dataUrl).href), fetchIdx(new URL(files.labels, dataUrl).href), fetchLabelNames(dataUrl)]);
  const [count, height, width] = images.dims;
  if (images.dims.length !== 3 || labels.dims[0] !== count) {
    throw new Error(`${files.images}: expected [images, height, width] with one label per image, got [${images.dims.join(", ")}] and ${labels.dims[0]} labels`);
  }
  const rows = Math.min(count, limit);
  const columns = height * width;
  const features = new Float32Array(rows * columns);
  for (let i = 0; i < features.length; i++) features[i] = images.data[i] / 255;
  return {
    features,
    rows,
    columns,
    featureNames: null,
    labels: Int32Array.from(labels.data.subarray(0, rows)),
    labelNames,
    source: files.images,
    input: { kind: "image", height, width, channels: 1 },
  };
}
