import { count } from "../words.js";
import { loadForModel } from "../data/load.js";
import { GlassboxError } from "../errors.js";
import { topActivating, weightPicturesPng } from "../explain/neurons.js";
import { describeFeaturizer, featurizerOf } from "../featurizers/index.js";
import { loadModel, writeFileAtomic } from "../io/disk.js";
import { shapeText } from "../tensor/tensor.js";
import { integerList, parse, text, UsageError } from "./args.js";
import { backendFrom, reportLoaded } from "./data.js";
import { inspectUnitCommand } from "./inspectUnit.js";
import { featureRows } from "../data/dataset.js";

export const INSPECT_USAGE = `glassbox inspect model.safetensors [--out neurons.png] [--neurons 1,2,3,...] [--data <dataset>] [--json]
  --out: for image models, a picture of what the first hidden layer's neurons look for (default: the first 32)
  --data: the inputs of a dataset that excite those neurons most
glassbox inspect model.safetensors --layer N --neuron K [--data <dataset>] [--top 9] [--out sheet.png] [--json]
  neuron (or channel) K, from 1, of layer N as the layer table numbers them: the inputs that excite it
  most (with the patch a channel reads), whether it is dead, what drives it (text and tables), and for
  image models a contact sheet with what it wants to see (a feature visualisation)`;

export async function inspect(argv: string[]): Promise<number> {
  const options = {
    out: { type: "string", short: "o" },
    neurons: { type: "string" },
    data: { type: "string" },
    layer: { type: "string" },
    neuron: { type: "string" },
    top: { type: "string" },
  } as const;
  const parsed = parse(argv, options, INSPECT_USAGE);
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one model file, got ${count(parsed.positionals.length, "argument")}\nusage: ${INSPECT_USAGE}`);
  const { values } = parsed;
  const modelPath = parsed.positionals[0];
  const network = loadModel(modelPath, await backendFrom(values));
  if (values.layer !== undefined || values.neuron !== undefined) return inspectUnitCommand(network, modelPath, values);
  const layers = network.describe();
  const first = layers.find((l) => l.units !== null);
  const firstUnits = first?.units ?? 0;
  // --neurons counts from 1, as --row does; inside, neurons count from 0.
  const neurons = integerList(
    values,
    "neurons",
    Array.from({ length: Math.min(32, firstUnits) }, (_, k) => k + 1),
  ).map((n) => n - 1);
  const bad = neurons.find((n) => n >= firstUnits);
  if (bad !== undefined) throw new GlassboxError("BAD_ARGUMENT", `--neurons: the first layer has neurons 1..${firstUnits}, got ${bad + 1}`);
  const state = featurizerOf(network);
  const out = text(values, "out", "");
  if (out) {
    if (state?.kind !== "image" || !first || first.index === layers.length - 1) {
      throw new GlassboxError("BAD_ARGUMENT", "--out: neuron pictures need an image model with a hidden layer");
    }
    writeFileAtomic(out, weightPicturesPng(network, state, neurons));
  }
  let excite: { neuron: number; rows: { input: string; activation: number }[] }[] | null = null;
  if (typeof values.data === "string") {
    const loaded = await loadForModel(network, [values.data], false);
    reportLoaded({ ...loaded, detected: "" }, Boolean(values.json));
    const { data, files } = loaded;
    excite = topActivating(network, featureRows(data), data.rows, neurons).map(({ neuron, rows }) => ({
      neuron: neuron + 1,
      rows: rows.map(({ row, activation }) => ({ input: files ? files[row] : `row ${row + 1}`, activation })),
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
    `${modelPath}: ${network.summary()}`,
    `features: ${state ? describeFeaturizer(state) : `${network.inputs} numbers per row`}`,
    `labels (${network.labels.length}): ${network.labels.join(", ")}`,
    ...(network.about.hierarchy ? [`categories: ${[...new Set(network.about.hierarchy.map((p) => p.slice(0, -1).join("/")))].join(", ")}`] : []),
    "",
    "layer  type         input shape  output shape  activation  parameters",
    ...layers.map(
      (l) =>
        `${String(l.index).padStart(5)}  ${l.type.padEnd(11)}  ${shapeText(l.inputShape).padStart(11)}  ${shapeText(l.outputShape).padStart(12)}  ${(l.activation ?? "-").padEnd(10)}  ${String(l.parameters).padStart(10)}`,
    ),
    `total parameters: ${parameters}`,
    ...(out
      ? [
          "",
          `neurons ${neurons[0] + 1}..${neurons[neurons.length - 1] + 1} of layer ${first?.index ?? 0} as pictures: ${out} (red: weights that excite the neuron, blue: weights that inhibit it)`,
        ]
      : []),
    ...(excite
      ? ["", "inputs that excite each neuron most:", ...excite.map((e) => `  neuron ${e.neuron}: ${e.rows.map((r) => `${r.input} (${r.activation.toFixed(2)})`).join(", ")}`)]
      : []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
