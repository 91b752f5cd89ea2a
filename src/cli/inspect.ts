import { relative } from "node:path";
import { loadForModel } from "../data/load.js";
import { GlassboxError } from "../errors.js";
import { topActivating, weightPicturesPng } from "../explain/neurons.js";
import { describeFeaturizer } from "../featurizers/index.js";
import { loadModel, writeFileAtomic } from "../io/disk.js";
import type { Network } from "../model/network.js";
import { integerList, parse, text, UsageError } from "./args.js";
import { backendFrom, reportLoaded } from "./data.js";

export const INSPECT_USAGE = `glassbox inspect model.safetensors [--out neurons.png] [--neurons 0,1,2,...] [--data <dataset>] [--json]
  --out: for image models, a picture of what the first hidden layer's neurons look for (default: the first 32)
  --data: the inputs of a dataset that excite those neurons most`;

/** The architecture in numbers: one entry per layer. */
export function architecture(network: Network): { index: number; type: string; inputs: number; outputs: number; activation: string | null; parameters: number }[] {
  let width = network.inputs;
  return network.spec.layers.map((layer, index) => {
    const inputs = width;
    if (layer.type === "dense") {
      width = layer.units;
      return { index, type: "dense", inputs, outputs: layer.units, activation: layer.activation, parameters: layer.inputs * layer.units + layer.units };
    }
    return { index, type: `dropout ${layer.rate}`, inputs, outputs: width, activation: null, parameters: 0 };
  });
}

export async function inspect(argv: string[]): Promise<number> {
  const parsed = parse(argv, { out: { type: "string", short: "o" }, neurons: { type: "string" }, data: { type: "string" } }, INSPECT_USAGE);
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one model file, got ${parsed.positionals.length} arguments\nusage: ${INSPECT_USAGE}`);
  const { values } = parsed;
  const modelPath = parsed.positionals[0];
  const network = loadModel(modelPath, await backendFrom(values));
  const layers = architecture(network);
  const firstUnits = layers[0].outputs;
  // --neurons counts from 1, as --row does; inside, neurons count from 0.
  const neurons = integerList(values, "neurons", Array.from({ length: Math.min(32, firstUnits) }, (_, k) => k + 1)).map((n) => n - 1);
  const bad = neurons.find((n) => n >= firstUnits);
  if (bad !== undefined) throw new GlassboxError("BAD_ARGUMENT", `--neurons: the first layer has neurons 1..${firstUnits}, got ${bad + 1}`);
  const state = network.about.featurizer ?? null;
  const out = text(values, "out", "");
  if (out) {
    if (state?.kind !== "image" || layers[0].type !== "dense" || layers.length < 2) {
      throw new GlassboxError("BAD_ARGUMENT", "--out: neuron pictures need an image model with a hidden layer");
    }
    writeFileAtomic(out, weightPicturesPng(network, state, neurons));
  }
  let excite: { neuron: number; rows: { input: string; activation: number }[] }[] | null = null;
  if (typeof values.data === "string") {
    const loaded = await loadForModel(network, [values.data], false);
    reportLoaded({ ...loaded, detected: "" }, Boolean(values.json));
    const { data, files } = loaded;
    excite = topActivating(network, data.features, data.rows, neurons).map(({ neuron, rows }) => ({
      neuron: neuron + 1,
      rows: rows.map(({ row, activation }) => ({ input: files ? relative(process.cwd(), files[row]) || files[row] : `row ${row + 1}`, activation })),
    }));
  }
  const parameters = layers.reduce((sum, l) => sum + l.parameters, 0);
  const summary = {
    command: "inspect",
    model: modelPath,
    inputs: network.inputs,
    output: network.spec.output,
    labels: network.labels,
    hierarchy: network.about.hierarchy ?? null,
    featurizer: state ? describeFeaturizer(state) : null,
    layers,
    parameters,
    training: network.about.training,
    ...(out ? { picture: out, neurons: neurons.map((n) => n + 1) } : {}),
    ...(excite ? { top_inputs: excite } : {}),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  const lines = [
    `${modelPath}: ${network.inputs} inputs -> ${layers.filter((l) => l.type === "dense").map((l) => `${l.outputs} ${l.activation}`).join(" -> ")} -> ${network.spec.output}`,
    `features: ${state ? describeFeaturizer(state) : `${network.inputs} numbers per row`}`,
    `labels (${network.labels.length}): ${network.labels.join(", ")}`,
    ...(network.about.hierarchy ? [`categories: ${[...new Set(network.about.hierarchy.map((p) => p.slice(0, -1).join("/")))].join(", ")}`] : []),
    "",
    "layer  type        inputs  outputs  activation  parameters",
    ...layers.map((l) => `${String(l.index).padStart(5)}  ${l.type.padEnd(10)}  ${String(l.inputs).padStart(6)}  ${String(l.outputs).padStart(7)}  ${(l.activation ?? "-").padEnd(10)}  ${String(l.parameters).padStart(10)}`),
    `total parameters: ${parameters}`,
    ...(out ? ["", `neurons ${neurons[0] + 1}..${neurons[neurons.length - 1] + 1} of layer 0 as pictures: ${out} (red: weights that excite the neuron, blue: weights that inhibit it)`] : []),
    ...(excite ? ["", "inputs that excite each neuron most:", ...excite.map((e) => `  neuron ${e.neuron}: ${e.rows.map((r) => `${r.input} (${r.activation.toFixed(2)})`).join(", ")}`)] : []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
