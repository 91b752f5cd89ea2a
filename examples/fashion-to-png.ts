/**
 * Writes Fashion-MNIST images as a folder-per-label PNG dataset, the layout `glassbox train`
 * reads: <out>/train/<label>/<n>.png and <out>/test/<label>/<n>.png, or with --nested the
 * labels under categories (<out>/train/footwear/Sneaker/<n>.png).
 *
 *   node --import tsx examples/fashion-to-png.ts [--idx DIR] [--out DIR] [--nested] [--limit N] [--test-share 0.2]
 *
 * It reads the t10k (test) images of --idx (default: the embedded data/fashion-mnist-small, 2,000
 * images, so the README's figures hold on any machine) and splits them into train/ and test/ halves.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { loadIdxDirectory } from "../src/node.js";
import { encodePng } from "../src/featurizers/image/index.js";

/** Two-level categories for the ten Fashion-MNIST labels. */
const CATEGORIES: Record<string, string> = {
  "T-shirt/top": "tops",
  Pullover: "tops",
  Coat: "tops",
  Shirt: "tops",
  Trouser: "bottoms",
  Dress: "dresses",
  Sandal: "footwear",
  Sneaker: "footwear",
  "Ankle boot": "footwear",
  Bag: "bags",
};

const { values } = parseArgs({
  options: {
    idx: { type: "string" },
    out: { type: "string", default: "out/fashion-png" },
    nested: { type: "boolean", default: false },
    limit: { type: "string" },
    "test-share": { type: "string", default: "0.2" },
  },
});
const idx = values.idx ?? "data/fashion-mnist-small";
// The class names of Fashion-MNIST, for copies of the dataset that come without labels.txt.
const names = readFileSync("data/fashion-mnist-small/labels.txt", "utf8")
  .split("\n")
  .filter((line) => line.trim());
const data = await loadIdxDirectory(idx, "test", existsSync(join(idx, "labels.txt")) ? undefined : names);
const count = Math.min(data.rows, Number(values.limit ?? data.rows));
const testFrom = Math.round(count * (1 - Number(values["test-share"])));
const [height, width] = [28, 28];
const rgba = new Uint8Array(height * width * 4);
for (let i = 0; i < count; i++) {
  const label = data.labelNames[data.labels![i]];
  const folder = label.replace(/\//g, "-"); // "T-shirt/top" cannot be a folder name
  const path = [values.out!, i < testFrom ? "train" : "test", ...(values.nested ? [CATEGORIES[label] ?? "other"] : []), folder];
  mkdirSync(join(...path), { recursive: true });
  for (let p = 0; p < height * width; p++) {
    const v = Math.round(data.features[i * height * width + p] * 255);
    rgba.set([v, v, v, 255], p * 4);
  }
  writeFileSync(join(...path, `${i}.png`), encodePng(width, height, rgba));
}
process.stdout.write(`${JSON.stringify({ source: idx, out: values.out, images: count, train: testFrom, test: count - testFrom, nested: values.nested })}\n`);
