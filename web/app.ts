/**
 * The Glassbox web app: see inside a neural network, or train one. Once a model is loaded
 * (from the server that serves this page, a file the user picks or drops, or the Train view),
 * everything runs in this page with the library: features, predictions, activations and
 * explanations; nothing is sent anywhere.
 */
import {
  createReferenceBackend,
  createWasmBackend,
  decodeModel,
  describeFeaturizer,
  featureRows,
  featuresToRgba,
  spectrogramShape,
  type Backend,
  type Dataset,
  type Network,
} from "glassbox";
import { analyse, methodsFor, type Analysis, type PageMethod } from "./analysis.js";
import { renderAnswer } from "./answer.js";
import { byId, grayDataUrl, h } from "./dom.js";
import { ExplanationView } from "./explanation.js";
import { renderFeatureMaps } from "./feature-maps.js";
import { CounterfactualView } from "./counterfactual-view.js";
import { loadFashion } from "./fashion.js";
import { featurizerOf, InputPanel, inputNames, type InputSource } from "./inputs.js";
import { NetworkView, type InputColumn, type NeuronRef } from "./network-view.js";
import { renderNeuron } from "./neuron.js";
import { TrainView } from "./train-view.js";

interface Current {
  network: Network;
  features: Float32Array | null;
  source: InputSource;
  analysis: Analysis | null;
  selected: NeuronRef | null;
  /** The label the explanation is about (an index), or null for the answer. */
  explainLabel: number | null;
  /** The method the Why panel explains by. */
  method: PageMethod;
}

const backend: Promise<Backend> = createWasmBackend({ threads: 1 })
  .then((wasm) => wasm ?? createReferenceBackend())
  .catch(() => createReferenceBackend());

let current: Current | null = null;
const message = byId("message");
const animateFlow = byId<HTMLInputElement>("animate-flow");
animateFlow.checked = !matchMedia("(prefers-reduced-motion: reduce)").matches;
const explanation = new ExplanationView(byId("explanation"));
const networkView = new NetworkView(byId("network") as unknown as SVGSVGElement, (ref) => {
  if (!current) return;
  current.selected = ref;
  refresh();
});
const inputs = new InputPanel(byId("input-controls"), {
  onFeatures: (features, source) => {
    if (!current) return;
    current.features = features;
    current.source = source;
    refresh(!source.live);
  },
  onNote: (text, isError) => note(text, isError),
  example: fashionExample,
});

const counterfactualView = new CounterfactualView(
  byId("counterfactuals"),
  () => inputs.tableCellsNow(),
  (changes) => inputs.setCells(changes),
);

function note(text: string | null, isError = false): void {
  message.textContent = text ?? "";
  message.classList.toggle("error", isError);
}

/** Decodes model file bytes on this page's backend and shows the model. */
async function loadModelBytes(bytes: Uint8Array, source: string): Promise<void> {
  try {
    const network = decodeModel(bytes, source, await backend);
    setModel(network, source);
  } catch (error) {
    note(error instanceof Error ? error.message : String(error), true);
  }
}

function setModel(network: Network, source: string): void {
  current = { network, features: null, source: { text: null }, analysis: null, selected: null, explainLabel: null, method: "ig" };
  const state = featurizerOf(network);
  // Dense layers by their units, convolutions by their filters; activations, pooling and the like are left out.
  const sizes: (number | string)[] = [
    network.inputs,
    ...network.describe().flatMap((layer): (number | string)[] => {
      if (layer.units !== null) return [layer.units];
      return layer.type === "conv2d" ? [`conv ${layer.outputShape[layer.outputShape.length - 1]}`] : [];
    }),
  ];
  const training = network.about.training as { validation_accuracy?: number | null; test_accuracy?: number | null } | null;
  const accuracy = training?.test_accuracy ?? training?.validation_accuracy ?? null;
  byId("model-summary").replaceChildren(
    h("strong", {}, sizes.join(" → ")),
    ` · ${state ? describeFeaturizer(state) : `${network.inputs} numbers`} · ${network.labels.length} ${network.spec.output === "linear" ? "outputs" : "labels"}`,
    accuracy === null ? "" : ` · ${Math.round(accuracy * 1000) / 10}% accuracy when trained`,
    h("span", { class: "source" }, ` · from ${source}`),
  );
  const methods = methodsFor(network);
  byId<HTMLSelectElement>("explain-method").replaceChildren(...methods.map((m) => h("option", { value: m.method }, m.name)));
  byId("method-hint").textContent = methods[0].hint;
  const select = byId<HTMLSelectElement>("explain-label");
  select.replaceChildren(h("option", { value: "" }, "the answer"), ...network.labels.map((label, k) => h("option", { value: String(k) }, label)));
  note(null);
  inputs.setModel(network);
  counterfactualView.setModel(network);
  if (inputs.hasExamples) {
    // The first screen answers a real input: the model's first kept example.
    inputs.showExample(0);
  } else if (state?.kind !== "table" && network.inputs <= 100_000) {
    current.features = new Float32Array(network.inputs);
    refresh(true);
  }
  document.body.classList.add("has-model");
}

/**
 * During a stroke the answer and the network follow every frame, the why panel (and a chosen
 * neuron's share of the answer) at most this often: an explanation costs several passes.
 */
const LIVE_EXPLAIN_MS = 100;
let lastLiveExplanation = 0;

/** Runs the network on the current input and redraws everything that depends on it; `animate`: a new input, shown flowing through the layers. */
function refresh(animate = false): void {
  if (!current?.features) return;
  const { network } = current;
  const live = current.source.live === true;
  const keep = live && current.analysis && performance.now() - lastLiveExplanation < LIVE_EXPLAIN_MS ? current.analysis : null;
  let analysis: Analysis;
  try {
    analysis = analyse(network, current.features, current.explainLabel, current.method, live, keep);
  } catch (error) {
    note(error instanceof Error ? error.message : String(error), true);
    return;
  }
  current.analysis = analysis;
  renderAnswer(byId("answer"), byId("probabilities"), network, analysis.answer);
  networkView.render(network, analysis, inputColumn(network, analysis.features), current.selected, animate && animateFlow.checked, live);
  if (keep) return;
  if (live) lastLiveExplanation = performance.now();
  explanation.render(network, analysis, current.source.text);
  // The feature maps take two more forward passes and a picture per channel: during a stroke they
  // wait for the pen to lift (26 of a CNN answer's 90 ms).
  if (!live) renderFeatureMaps(byId("feature-maps"), network, analysis.features);
  const detail = byId("neuron-detail");
  if (current.selected) renderNeuron(detail, network, analysis, current.selected);
  else detail.replaceChildren(h("p", { class: "hint" }, "Choose a neuron (click it, or Tab to the network and use the arrow keys and Enter) to see its weights."));
}

/** The input as the network drawing shows it: the image, a sound's spectrogram, or named features. */
function inputColumn(network: Network, features: Float32Array): InputColumn {
  const state = featurizerOf(network);
  if (state?.kind === "image") {
    const canvas = h("canvas", { width: state.width, height: state.height });
    const context = canvas.getContext("2d");
    if (context) context.putImageData(new ImageData(featuresToRgba(state, features) as Uint8ClampedArray<ArrayBuffer>, state.width, state.height), 0, 0);
    return { picture: { url: canvas.toDataURL("image/png"), width: state.width, height: state.height, what: "the input image" }, names: null };
  }
  const shape = state?.kind === "sound" ? spectrogramShape(state) : null;
  if (shape) {
    // Features are [frame][band]; the picture has time left to right and pitch upwards.
    const { frames, mels } = shape;
    let lo = Infinity,
      hi = -Infinity;
    for (const v of features) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const gray = new Float32Array(frames * mels);
    for (let m = 0; m < mels; m++) {
      for (let f = 0; f < frames; f++) gray[(mels - 1 - m) * frames + f] = (features[f * mels + m] - lo) / Math.max(hi - lo, 1e-12);
    }
    return { picture: { url: grayDataUrl(gray, frames, mels), width: frames, height: mels, what: "the input's spectrogram" }, names: null };
  }
  return { picture: null, names: inputNames(network) };
}

let fashionTest: Promise<Dataset> | null = null;

/** A random image from the embedded Fashion-MNIST test set (fetched once). */
async function fashionExample(): Promise<Float32Array> {
  fashionTest ??= loadFashion(new URL("data/", location.href).href, "test");
  const data = await fashionTest.catch((error: unknown) => {
    fashionTest = null;
    throw error;
  });
  const row = Math.floor(Math.random() * data.rows);
  return featureRows(data, row, 1).slice();
}

function showView(name: "see" | "train"): void {
  for (const view of ["see", "train"] as const) {
    byId(view).hidden = view !== name;
    byId(`view-${view}`).setAttribute("aria-pressed", String(view === name));
  }
  // The default view has no fragment: a "#see" in the address made the browser scroll to that
  // section when the page finished loading, 78 px down, past the header.
  const address = name === "see" ? `${location.pathname}${location.search}` : "#train";
  if (location.hash !== (name === "see" ? "" : "#train")) history.replaceState(null, "", address);
}

function listen(): void {
  byId("view-see").addEventListener("click", () => showView("see"));
  byId("view-train").addEventListener("click", () => showView("train"));
  byId<HTMLSelectElement>("explain-label").addEventListener("change", (event) => {
    if (!current) return;
    const value = (event.target as HTMLSelectElement).value;
    current.explainLabel = value === "" ? null : Number(value);
    refresh();
  });
  byId<HTMLSelectElement>("explain-method").addEventListener("change", (event) => {
    if (!current) return;
    const methods = methodsFor(current.network);
    const chosen = methods.find((m) => m.method === (event.target as HTMLSelectElement).value) ?? methods[0];
    current.method = chosen.method;
    byId("method-hint").textContent = chosen.hint;
    refresh();
  });
  const modelFile = byId<HTMLInputElement>("model-file");
  modelFile.addEventListener("change", async () => {
    const file = modelFile.files?.[0];
    if (file) await loadModelBytes(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  const see = byId("see");
  see.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    see.classList.add("dragging");
  });
  see.addEventListener("dragleave", () => see.classList.remove("dragging"));
  see.addEventListener("drop", async (event) => {
    see.classList.remove("dragging");
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    event.preventDefault();
    if (/\.safetensors$/i.test(file.name)) await loadModelBytes(new Uint8Array(await file.arrayBuffer()), file.name);
    else if (current) await inputs.readFile(file);
    else note("Open a model first: drop a .safetensors file, choose one, or train one.", true);
  });
}

/**
 * The model to start with: ?model=URL, else the one `glassbox serve` publishes beside the page
 * (that server isolates the page with COOP/COEP; plain static hosting has no model to ask for).
 */
async function startingModel(): Promise<void> {
  const asked = new URLSearchParams(location.search).get("model");
  const url = asked ?? (crossOriginIsolated ? "model.safetensors" : null);
  if (!url) {
    note("No model yet: open a .safetensors model file, drop one here, or train one in the Train view.");
    return;
  }
  note("Loading the model…");
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await loadModelBytes(new Uint8Array(await response.arrayBuffer()), new URL(url, location.href).pathname.split("/").pop() ?? url);
  } catch (error) {
    note(`Could not load ${url} (${error instanceof Error ? error.message : String(error)}): open a model file or train one.`, true);
  }
}

new TrainView((bytes, source) => {
  void loadModelBytes(bytes, source).then(() => showView("see"));
});
listen();
showView(location.hash === "#train" ? "train" : "see");
await startingModel();
document.body.dataset.ready = "true";
