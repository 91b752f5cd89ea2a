/**
 * What the page shows for one input, computed in the browser with the library: every layer of
 * neurons' activations, the answer, and an integrated-gradients explanation.
 */
import { baselineFor, explain, gradCam, levels, predictedClasses, type ExplainMethod, type Explanation, type GradCam, type Network } from "glassbox";

/** What the page can explain by: every method of `glassbox explain`, and Grad-CAM for convolutional networks. */
export type PageMethod = ExplainMethod | "gradcam";

/** The methods offered for a network, with what each says in a line (the page's hint). */
export function methodsFor(network: Network): { method: PageMethod; name: string; hint: string }[] {
  const all: { method: PageMethod; name: string; hint: string }[] = [
    {
      method: "ig",
      name: "integrated gradients",
      hint: "Integrated gradients: each input's share of the move from the baseline named above to this answer; the shares add up to it.",
    },
    { method: "shap", name: "Shapley values", hint: "Shapley values: each input's average effect when added to the baseline in every order (sampled); they add up to the move." },
    { method: "occlusion", name: "occlusion", hint: "Occlusion: how much the answer drops when a patch of the input is set to the baseline." },
    { method: "saliency", name: "saliency", hint: "Saliency: where a small change of the input would change the answer most (its size, not its direction)." },
    {
      method: "smoothgrad",
      name: "SmoothGrad",
      hint: "SmoothGrad: the gradient averaged over noisy copies of the input, which shows where the answer is sensitive with less speckle.",
    },
    { method: "gradxinput", name: "gradient × input", hint: "Gradient × input: a first-order estimate of each input's share (exact for a linear model)." },
  ];
  if (network.describe().some((d) => d.type === "conv2d")) {
    all.push({
      method: "gradcam",
      name: "Grad-CAM",
      hint: "Grad-CAM: where the last convolution block saw evidence for the label, at that layer's resolution and resized to the picture.",
    });
  }
  return all;
}

export interface Analysis {
  features: Float32Array;
  /** Activations of each layer of neurons, after its activation function; the last holds the logits. */
  layers: Float32Array[];
  /** Probabilities per label (softmax; sigmoid as [1 - p, p]) or values (linear). */
  answer: number[];
  explanation: Explanation | null;
  /** Grad-CAM's map when the page explains by Grad-CAM (then `explanation` is null). */
  cam: GradCam | null;
  /** Why no explanation, when there is none. */
  explanationError: string | null;
}

/** The weights of one layer of neurons: [inputs, units], row-major, so w(i -> j) = weights[i * units + j]. */
export interface LayerWeights {
  inputs: number;
  units: number;
  weights: Float32Array;
  activation: string;
}

const weightCache = new WeakMap<Network, LayerWeights[]>();

/** The weights of each layer of neurons, read once per network. */
export function weightsOf(network: Network): LayerWeights[] {
  const cached = weightCache.get(network);
  if (cached) return cached;
  const out: LayerWeights[] = [];
  for (const layer of network.describe()) {
    if (layer.units === null) continue;
    const weights = network.weightsOf(layer.index);
    if (!weights) throw new Error(`the network has no weights for layer ${layer.index}`);
    out.push({ inputs: weights.shape[0], units: layer.units, weights: weights.values, activation: layer.activation ?? "linear" });
  }
  weightCache.set(network, out);
  return out;
}

/** Integrated gradients' steps while an input is still changing (a stroke in progress): a rough answer at a quarter of the cost. */
export const LIVE_STEPS = 16;

/**
 * Runs the network on one raw feature row and explains the answer (or `label`, an index) by
 * `method`, against the library's baseline; `live` (the input is still changing) takes
 * integrated gradients at LIVE_STEPS steps instead of the library's 64. With `keep`
 * it only runs the network and keeps that analysis's explanation (the frames of a stroke
 * between two explanations).
 */
export function analyse(network: Network, features: Float32Array, label: number | null, method: PageMethod = "ig", live = false, keep: Analysis | null = null): Analysis {
  const { layers, answer } = network.layerOutputs(features);
  const values = network.spec.output === "sigmoid" ? [1 - answer[0], answer[0]] : Array.from(answer);
  if (keep) return { features, layers, answer: values, explanation: keep.explanation, cam: keep.cam, explanationError: keep.explanationError };
  let explanation: Explanation | null = null;
  let cam: GradCam | null = null;
  let explanationError: string | null = null;
  try {
    const labelOption = label === null ? {} : { label };
    if (method === "gradcam") {
      cam = gradCam(network, features, labelOption);
    } else {
      const { baseline } = baselineFor(network);
      explanation = explain(network, features, { method, ...labelOption, ...(baseline ? { baseline } : {}), ...(live && method === "ig" ? { steps: LIVE_STEPS } : {}) });
    }
  } catch (error) {
    explanationError = error instanceof Error ? error.message : String(error);
  }
  return { features, layers, answer: values, explanation, cam, explanationError };
}

/** The name of output unit k: a sigmoid model's one unit answers "is it labels[1]?". */
export function outputName(network: Network, k: number): string {
  return (network.spec.output === "sigmoid" ? network.labels[1] : network.labels[k]) ?? `output ${k}`;
}

/** What output unit k says for this input: its probability, or its value for regression. */
export function outputValue(network: Network, answer: number[], k: number): number {
  return network.spec.output === "sigmoid" ? answer[1] : answer[k];
}

/** Labels with their probabilities, most probable first (classifiers only). */
export function ranked(network: Network, answer: number[]): { label: string; probability: number; index: number }[] {
  return answer.map((probability, index) => ({ label: network.labels[index], probability, index })).sort((a, b) => b.probability - a.probability);
}

/** The answer in words: "Ankle boot: 93%", "footwear 97% > Sneaker 81%", or "price = 12.3". */
export function answerInWords(network: Network, answer: number[], format: (p: number) => string, value: (x: number) => string): string {
  if (network.spec.output === "linear") return network.labels.map((name, k) => `${name} = ${value(answer[k])}`).join(", ");
  const hierarchy = network.about.hierarchy;
  if (hierarchy)
    return levels(answer, hierarchy)
      .map((level) => `${level.label} ${format(level.probability)}`)
      .join(" > ");
  // A two-label model decides by its threshold, as predict does.
  if (network.labels.length === 2) {
    const k = predictedClasses(Float32Array.from(answer), 1, 2, network.threshold)[0];
    return `${network.labels[k]}: ${format(answer[k])}`;
  }
  const best = ranked(network, answer)[0];
  return `${best.label}: ${format(best.probability)}`;
}
