import { count } from "../words.js";
import { GlassboxError } from "../errors.js";
import { readBytes } from "../data/files.js";
import { saveModel } from "../io/disk.js";
import { importOnnx } from "../io/onnxImport.js";
import { choice, parse, text, UsageError } from "./args.js";
import { checkOutputPath } from "./report.js";

export const IMPORT_USAGE = `glassbox import model.onnx --out model.safetensors [--labels a,b,...]
  [--featurizer image --size WxH --channels gray|rgb | --feature-names a,b,...] [--json]
  reads an ONNX graph that is one chain of Conv, Gemm/MatMul(+Add), pools, BatchNormalization, Relu, LeakyRelu,
  Sigmoid, Tanh, Flatten/Reshape and a final Softmax or Sigmoid (as torch.onnx.export or glassbox export write
  them); an NCHW image input becomes Glassbox's image rows. The result predicts, explains and serves like any model.
  --labels: one per output (default: the graph's metadata, else 0, 1, ...); a graph that ends in logits is read
  as a softmax over them`;

const OPTIONS = {
  out: { type: "string", short: "o" },
  labels: { type: "string" },
  featurizer: { type: "string" },
  size: { type: "string" },
  channels: { type: "string" },
  "feature-names": { type: "string" },
} as const;

export async function importCommand(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, IMPORT_USAGE);
  const { values } = parsed;
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one ONNX file, got ${count(parsed.positionals.length, "argument")}\nusage: ${IMPORT_USAGE}`);
  const out = text(values, "out", "");
  if (!out) throw new UsageError(`--out is required: where to write the Glassbox model\nusage: ${IMPORT_USAGE}`);
  checkOutputPath("out", out);
  const list = (name: string): string[] | null =>
    typeof values[name] === "string"
      ? String(values[name])
          .split(",")
          .map((s) => s.trim())
      : null;
  const labels = list("labels");
  const featurizer = values.featurizer === undefined ? undefined : choice(values, "featurizer", "image", ["image"]);
  const source = parsed.positionals[0];
  const network = importOnnx(readBytes(source), source, { ...(labels ? { labels } : {}), ...(list("feature-names") ? { featureNames: list("feature-names") } : {}) });
  if (featurizer === "image" || values.size !== undefined || values.channels !== undefined) checkImage(network.inputShape, values);
  saveModel(network, out);
  const what = `${network.summary()}`;
  if (values.json) process.stdout.write(`${JSON.stringify({ command: "import", model: out, labels: network.labels, layers: network.describe().map((d) => d.summary) })}\n`);
  else process.stdout.write(`imported ${source}: ${what}\nsaved ${out}\n`);
  return 0;
}

/** --size WxH and --channels must be the graph's image input. */
function checkImage(shape: readonly number[], values: Record<string, string | boolean | undefined>): void {
  if (shape.length !== 3) throw new GlassboxError("BAD_ARGUMENT", `--featurizer image: the graph's input is [${shape.join(", ")}], not an image`);
  const [height, width, channels] = shape;
  if (typeof values.size === "string" && values.size !== `${width}x${height}`) {
    throw new GlassboxError("BAD_ARGUMENT", `--size ${values.size}: the graph reads ${width}x${height} images`);
  }
  if (typeof values.channels === "string") {
    const wanted = choice(values, "channels", "gray", ["gray", "rgb"]) === "gray" ? 1 : 3;
    if (wanted !== channels) throw new GlassboxError("BAD_ARGUMENT", `--channels ${values.channels}: the graph reads ${channels === 1 ? "gray" : `${channels}-channel`} images`);
  }
}
