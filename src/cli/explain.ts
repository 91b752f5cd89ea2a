import { count } from "../words.js";
import { featurizerOf } from "../featurizers/index.js";
import { loadForModel } from "../data/load.js";
import { GlassboxError } from "../errors.js";
import { baselineFor, baselineInWords } from "../explain/baseline.js";
import { explain } from "../explain/index.js";
import { explanationPng, explanationTitle, featureAttributions, plainWords, soundExplanationPng, soundStretches } from "../explain/present.js";
import { EXPLAIN_METHODS, type ExplainMethod, type ExplainOptions, type Explanation } from "../explain/types.js";
import { decodeWav } from "../featurizers/sound/index.js";
import { readBytes } from "../data/files.js";
import { writeFileAtomic } from "../io/disk.js";
import { loadModel } from "../io/disk.js";
import { classify } from "../model/classify.js";
import { labelIndexOfText } from "../model/labels.js";
import { choice, integer, parse, text, UsageError } from "./args.js";
import { backendFrom, reportLoaded } from "./data.js";
import { predictionInWords } from "./format.js";
import { featureRows } from "../data/dataset.js";
import { explainLayerCommand, LAYER_METHODS, type LayerMethod } from "./explainLayer.js";
import { counterfactualCommand } from "./counterfactual.js";
import { checkCommand } from "./check.js";
import type { CheckedMethod } from "../explain/checks.js";

export const EXPLAIN_USAGE = `glassbox explain model.safetensors <input> [--method ig|shap|occlusion|saliency|smoothgrad|gradxinput|gradcam|conductance]
  [--label L] [--out picture.png] [--top 10] [--row 1] [--steps 64] [--exact] [--samples N] [--window N] [--stride N] [--layer N] [--json]
  --exact: integrated gradients split at the kinks of a ReLU network's path, exact up to rounding
  gradcam: where in an image a convolutional layer saw the label (--layer N, default the last conv block)
  conductance: how much each neuron or channel of a hidden layer carried the answer (--layer N)
  --counterfactual [--immutable A,B] [--to LABEL]: for a table row, small sets of changes that would change the answer
  --check [--method M] [--samples 100]: deletion, insertion and randomisation checks of the methods on a dataset
  --plain: the answer in plain words (the default for tables; --details gives the method's numbers)
  input: a file the model reads (photo.png, clip.wav, mail.txt, rows.csv) or a dataset (--row picks the row)`;

const OPTIONS = {
  method: { type: "string" },
  label: { type: "string" },
  out: { type: "string", short: "o" },
  top: { type: "string" },
  row: { type: "string" },
  steps: { type: "string" },
  exact: { type: "boolean" },
  samples: { type: "string" },
  window: { type: "string" },
  stride: { type: "string" },
  layer: { type: "string" },
  counterfactual: { type: "boolean" },
  check: { type: "boolean" },
  plain: { type: "boolean" },
  details: { type: "boolean" },
  immutable: { type: "string" },
  to: { type: "string" },
} as const;

export async function explainCommand(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, EXPLAIN_USAGE);
  if (parsed.positionals.length !== 2) throw new UsageError(`expected a model file and one input, got ${count(parsed.positionals.length, "argument")}\nusage: ${EXPLAIN_USAGE}`);
  const { values } = parsed;
  const [modelPath, inputPath] = parsed.positionals;
  const network = loadModel(modelPath, await backendFrom(values));
  if (network.spec.output === "linear" && values.label === undefined && network.outputs > 1) {
    throw new GlassboxError("BAD_ARGUMENT", "this model predicts several values: pass --label to say which one to explain");
  }
  if (values.counterfactual) {
    const immutable =
      typeof values.immutable === "string"
        ? values.immutable
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
        : [];
    return counterfactualCommand(network, {
      path: inputPath,
      row: integer(values, "row", 1),
      immutable,
      target: typeof values.to === "string" ? values.to : undefined,
      json: Boolean(values.json),
    });
  }
  const loaded = await loadForModel(network, [inputPath], false);
  reportLoaded({ ...loaded, detected: "" }, Boolean(values.json));
  const { data } = loaded;
  if (values.check) {
    const methods = values.method === undefined ? undefined : [choice<CheckedMethod>(values, "method", "ig", [...EXPLAIN_METHODS, "gradcam"])];
    return checkCommand(network, data, methods, integer(values, "samples", 100), Boolean(values.json));
  }
  const row = integer(values, "row", 1);
  if (row > data.rows) throw new GlassboxError("BAD_ARGUMENT", `--row ${row}: ${data.source} has ${data.rows} row${data.rows === 1 ? "" : "s"}`);
  const input = featureRows(data, row - 1, 1).slice();

  const method = choice<ExplainMethod | LayerMethod>(values, "method", "ig", [...EXPLAIN_METHODS, ...LAYER_METHODS]);
  if (method === "gradcam" || method === "conductance") {
    const prediction = network.spec.output === "linear" ? null : classify(network, input, 1, 3)[0];
    return explainLayerCommand(network, input, featurizerOf(network) ?? null, prediction, {
      method,
      layer: values.layer === undefined ? undefined : integer(values, "layer", 0, 0),
      label: values.label === undefined ? undefined : labelIndexOfText(network.labels, String(values.label)),
      steps: values.steps === undefined ? undefined : integer(values, "steps", 64),
      top: integer(values, "top", 10),
      out: text(values, "out", ""),
      json: Boolean(values.json),
    });
  }
  if (values.layer !== undefined) throw new GlassboxError("BAD_ARGUMENT", `--layer: explains a hidden layer with --method gradcam or conductance; ${method} explains the input`);
  const options: ExplainOptions = { method, ...baselineFor(network) };
  if (values.label !== undefined) options.label = labelIndexOfText(network.labels, String(values.label));
  if (values.steps !== undefined) options.steps = integer(values, "steps", 64);
  if (values.exact) options.exact = true;
  if (values.samples !== undefined) options.samples = integer(values, "samples", 32);
  if (values.window !== undefined) options.window = integer(values, "window", 4);
  if (values.stride !== undefined) options.stride = integer(values, "stride", 4);
  const explanation = explain(network, input, options);
  const prediction = network.spec.output === "linear" ? null : classify(network, input, 1, 3)[0];

  const state = featurizerOf(network);
  const attributions = featureAttributions(network, input, explanation);
  const stretches = state?.kind === "sound" ? soundStretches(state, explanation.attributions) : null;
  const out = text(values, "out", "");
  if (out) {
    // An image as its pixels, a sound as the spectrogram the network sees (the server draws the
    // same); a sound read as raw amplitudes as the clip it was (amplitude over time).
    const png =
      explanationPng(state, input, explanation.attributions, 8, explanationTitle(explanation)) ??
      (state?.kind === "sound" && loaded.files ? soundExplanationPng(state, decodeWav(readBytes(loaded.files[row - 1]), loaded.files[row - 1]), explanation.attributions) : null);
    if (!png)
      throw new GlassboxError(
        "BAD_ARGUMENT",
        `--out: a picture needs an image or sound model; this one reads ${state ? state.kind : "plain features"} (use --json for the numbers)`,
      );
    writeFileAtomic(out, png);
  }
  const top = integer(values, "top", 10);
  // Tables are explained in plain words unless --details asks for the method's numbers; --plain asks for words elsewhere.
  if (!values.json && (values.plain || (state?.kind === "table" && !values.details))) {
    const words = plainWords(network, baselineInWords(network), explanation, attributions, top);
    process.stdout.write(`${[...words, "", `(${describeMethod(explanation.method, explanation.steps, Boolean(values.exact))}; --details for its numbers)`].join("\n")}\n`);
    return 0;
  }
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        command: "explain",
        method: explanation.method,
        label: explanation.label,
        output: explanation.output,
        baseline_output: explanation.baselineOutput,
        delta: explanation.delta,
        steps: explanation.steps,
        ...(prediction ? { prediction } : {}),
        ...(stretches ? { stretches } : {}),
        ...(out ? { picture: out } : {}),
        attributions,
      })}\n`,
    );
    return 0;
  }
  const sum = attributions.reduce((s, a) => s + a.value, 0);
  const lines = [
    ...(prediction ? [`answer: ${predictionInWords(prediction)}`] : []),
    `why "${explanation.label}" (${describeMethod(explanation.method, explanation.steps, Boolean(values.exact))}): output ${explanation.output.toFixed(4)}, baseline ${explanation.baselineOutput.toFixed(4)}`,
    `the attributions add up to ${sum.toFixed(4)}; off from output - baseline by ${explanation.delta.toExponential(2)} (delta)`,
    "",
    `top ${Math.min(top, attributions.length)} features (+ pushes towards "${explanation.label}", - away from it):`,
    ...attributions.slice(0, top).map((a) => `  ${a.value >= 0 ? "+" : "-"}${Math.abs(a.value).toFixed(4)}  ${a.feature}`),
    ...(stretches && stretches.length > 0
      ? [
          "",
          "moments that weigh most:",
          ...stretches.slice(0, 5).map((s) => `  ${s.start.toFixed(2)}-${s.end.toFixed(2)} s: ${s.value >= 0 ? "+" : "-"}${Math.abs(s.value).toFixed(4)}`),
        ]
      : []),
    ...(out ? ["", `picture: ${out} (red: towards the answer, blue: against it)`] : []),
    ...(loose(explanation) ? ["", `note: delta is above 1e-3 of the change; --exact (ReLU networks) or --steps ${explanation.steps * 4} narrows it`] : []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** Integrated gradients that miss completeness by more than 1e-3 of the output's change. */
function loose(e: Explanation): boolean {
  return e.method === "ig" && e.delta > 1e-3 * Math.max(1, Math.abs(e.output - e.baselineOutput));
}

function describeMethod(method: ExplainMethod, steps: number, exact: boolean): string {
  const names: Record<ExplainMethod, string> = {
    ig: `integrated gradients, ${steps} ${exact ? "exact pieces of the path" : "steps"}`,
    shap: `Shapley values, ${steps} coalitions`,
    occlusion: `occlusion, ${steps} windows`,
    saliency: "saliency (gradient size)",
    smoothgrad: `SmoothGrad, ${steps} noisy copies`,
    gradxinput: "gradient x input",
  };
  return names[method];
}
