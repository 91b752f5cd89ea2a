// Writes data/fashion-mnist-small/: the first 10,000 training and first 2,000 test images of
// Fashion-MNIST, as IDX gzip, for `npm start` and the tests.
// Usage: node --import tsx scripts/make-embedded-dataset.ts [path/to/fashion-mnist]
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { encodeIdx, parseIdx } from "../src/data/idx.js";
import { readMaybeGzip } from "../src/data/files.js";

const source = process.argv[2] ?? "../shared/data/fashion-mnist";
const target = "data/fashion-mnist-small";
mkdirSync(target, { recursive: true });

for (const [prefix, count] of [
  ["train", 10_000],
  ["t10k", 2_000],
] as const) {
  const images = parseIdx(readMaybeGzip(`${source}/${prefix}-images-idx3-ubyte.gz`), prefix);
  const labels = parseIdx(readMaybeGzip(`${source}/${prefix}-labels-idx1-ubyte.gz`), prefix);
  const [, height, width] = images.dims;
  const pixels = images.data.subarray(0, count * height * width);
  // mtime 0 in the gzip header (level 9, no file name) keeps the output byte-identical run to run.
  writeFileSync(`${target}/${prefix}-images-idx3-ubyte.gz`, gzipSync(encodeIdx([count, height, width], pixels), { level: 9 }));
  writeFileSync(`${target}/${prefix}-labels-idx1-ubyte.gz`, gzipSync(encodeIdx([count], labels.data.subarray(0, count)), { level: 9 }));
  console.log(`${prefix}: ${count} of ${images.dims[0]} images`);
}
