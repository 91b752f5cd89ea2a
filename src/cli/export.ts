import { count } from "../words.js";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { GlassboxError } from "../errors.js";
import { loadModel, writeFileAtomic } from "../io/disk.js";
import { exportPytorch } from "../io/pytorch.js";
import { exportOnnx, ONNX_OPSET } from "../io/onnx.js";
import { parse, UsageError } from "./args.js";
import { checkOutputPath } from "./report.js";
import { version } from "./version.js";

export const EXPORT_USAGE = `glassbox export model.safetensors [--onnx model.onnx] [--pytorch DIR] [--json]
  --onnx: an ONNX graph (opset ${ONNX_OPSET}) that ONNX Runtime, Triton or Spark can run: input "features" [batch, F], the rows
  \`glassbox featurize\` prints; outputs "probabilities" (or "values" for a regression) and "logits"; the labels,
  featurizer and Glassbox version in its metadata
  --pytorch: DIR/model.py (a torch.nn.Module with the same layers; model.load(DIR)) and DIR/weights.safetensors in
  PyTorch's names and layouts: train it further on GPUs, it starts from these weights`;

export async function exportCommand(argv: string[]): Promise<number> {
  const parsed = parse(argv, { onnx: { type: "string" }, pytorch: { type: "string" } }, EXPORT_USAGE);
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one model file, got ${count(parsed.positionals.length, "argument")}\nusage: ${EXPORT_USAGE}`);
  const { onnx, pytorch } = parsed.values;
  if (typeof onnx !== "string" && typeof pytorch !== "string") throw new UsageError(`say what to write: --onnx model.onnx or --pytorch DIR\nusage: ${EXPORT_USAGE}`);
  if (typeof onnx === "string") checkOutputPath("onnx", onnx);
  if (typeof pytorch === "string" && existsSync(pytorch) && !statSync(pytorch).isDirectory())
    throw new GlassboxError("CANNOT_WRITE", `--pytorch ${pytorch} is a file; expected a folder`);
  const network = loadModel(parsed.positionals[0]);
  const written: Record<string, unknown> = {};
  const lines: string[] = [];
  if (typeof onnx === "string") {
    const bytes = exportOnnx(network, version());
    writeFileAtomic(onnx, bytes);
    written.onnx = onnx;
    lines.push(`wrote ${onnx} (ONNX opset ${ONNX_OPSET}, ${bytes.length} bytes): input "features" [batch, ${network.inputs}]`);
  }
  if (typeof pytorch === "string") {
    const { modelPy, weights } = exportPytorch(network, version());
    mkdirSync(pytorch, { recursive: true });
    writeFileAtomic(join(pytorch, "model.py"), new TextEncoder().encode(modelPy));
    writeFileAtomic(join(pytorch, "weights.safetensors"), weights);
    written.pytorch = pytorch;
    lines.push(`wrote ${join(pytorch, "model.py")} and ${join(pytorch, "weights.safetensors")}: import model; model.load("${pytorch}").predict(features)`);
  }
  process.stdout.write(parsed.values.json ? `${JSON.stringify({ command: "export", ...written })}\n` : `${lines.join("\n")}\n`);
  return 0;
}
