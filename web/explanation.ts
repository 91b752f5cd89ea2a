/**
 * The explanation of an answer (by the chosen method), in the input's own terms: a heat map over
 * the image or spectrogram, the words of a text highlighted, signed bars for table columns.
 * Red pushes towards the explained label, blue against it.
 */
import { baselineInWords, explanationPixels, featureAttributions, gradCamPng, maxAbs, soundStretches, textTokens, type Network } from "glassbox";
import { featurizerOf } from "./inputs.js";
import type { Analysis } from "./analysis.js";
import { h, number, percent, pngUrl, rgbaDataUrl, signedBars } from "./dom.js";

const BARS = 12;

export class ExplanationView {
  private url: string | null = null;

  constructor(private readonly container: HTMLElement) {}

  /** `text`: the raw text of a text model's input, to highlight its words. */
  render(network: Network, analysis: Analysis, text: string | null): void {
    const explanation = analysis.explanation;
    this.container.dataset.method = analysis.cam ? "gradcam" : (explanation?.method ?? "");
    if (analysis.cam) {
      this.renderCam(network, analysis);
      return;
    }
    if (!explanation) {
      this.container.replaceChildren(h("p", { class: "error" }, `No explanation: ${analysis.explanationError ?? "unknown reason"}`));
      return;
    }
    const linear = network.spec.output === "linear";
    const shown = (x: number): string => (linear ? number(x) : percent(x));
    const summary = h(
      "p",
      { class: "caption", id: "explanation-summary" },
      `Why “${explanation.label}” (${shown(explanation.output)}, against ${shown(explanation.baselineOutput)} for ${baselineInWords(network)}): `,
      h("span", { class: "key up" }, "red"),
      " pushed towards it, ",
      h("span", { class: "key down" }, "blue"),
      " against it.",
    );
    const parts: Node[] = [summary];
    const state = featurizerOf(network);
    // One pixel per cell, drawn by the browser and scaled by CSS: encoding a 224 px PNG in script took 30 ms an answer.
    const pixels = explanationPixels(state, analysis.features, explanation.attributions);
    if (pixels) {
      parts.push(
        h("img", {
          src: rgbaDataUrl(pixels.rgba, pixels.width, pixels.height),
          id: "heatmap",
          class: "heatmap",
          alt: `Heat map of the explanation for ${explanation.label}: red areas pushed towards it, blue areas against it`,
        }),
      );
      if (state?.kind === "sound") {
        const stretches = soundStretches(state, explanation.attributions).slice(0, 5);
        parts.push(
          signedBars(
            stretches.map((st) => ({ feature: `${st.start.toFixed(2)}–${st.end.toFixed(2)} s`, value: st.value })),
            "moments that weigh most",
          ),
        );
      }
    } else if (state?.kind === "text" && text !== null) {
      parts.push(highlightedText(state, text, explanation.attributions));
      parts.push(signedBars(featureAttributions(network, analysis.features, explanation).slice(0, BARS), "words that weigh most"));
    } else {
      const entries = featureAttributions(network, analysis.features, explanation).slice(0, BARS);
      parts.push(signedBars(entries, state?.kind === "table" ? "columns that weigh most" : "features that weigh most"));
    }
    this.container.replaceChildren(...parts);
  }

  /** Grad-CAM: the map over the picture, and which layer it reads. */
  private renderCam(network: Network, analysis: Analysis): void {
    const cam = analysis.cam!;
    const picture = gradCamPng(network, analysis.features, cam);
    const parts: Node[] = [
      h(
        "p",
        { class: "caption", id: "explanation-summary" },
        `Where layer ${cam.layer} (${cam.height}×${cam.width}) saw evidence for “${cam.label}”: `,
        h("span", { class: "key up" }, "red"),
        " where it saw the most.",
      ),
    ];
    if (picture) {
      this.url = pngUrl(picture, this.url);
      parts.push(h("img", { src: this.url, id: "heatmap", class: "heatmap", alt: `Grad-CAM map for ${cam.label}: red where the layer saw evidence for it` }));
    }
    if (cam.map.every((v) => v === 0)) parts.push(h("p", { class: "hint" }, "The map is all zero: this layer's channels weigh against the label on average."));
    this.container.replaceChildren(...parts);
  }
}

/** The text with each known word's background tinted by its attribution. */
function highlightedText(state: Parameters<typeof textTokens>[0], text: string, attributions: ArrayLike<number>): HTMLElement {
  const tokens = textTokens(state, text);
  const max = Math.max(1e-12, maxAbs(tokens.map((t) => (t.index >= 0 ? attributions[t.index] : 0))));
  const out = h("p", { class: "highlighted-text", id: "highlighted-text" });
  for (const { token, index } of tokens) {
    if (index < 0) {
      out.append(`${token} `);
      continue;
    }
    const value = attributions[index];
    const alpha = Math.min(1, Math.abs(value) / max) * 0.7;
    const colour = value >= 0 ? `rgba(214, 40, 40, ${alpha.toFixed(2)})` : `rgba(40, 100, 220, ${alpha.toFixed(2)})`;
    out.append(h("mark", { style: `background: ${colour}`, title: `${value >= 0 ? "+" : ""}${number(value)}` }, token), " ");
  }
  return out;
}
