/** The answer: in words ("Ankle boot: 93%") and as one bar per label, most probable first. */
import type { Network } from "glassbox";
import { answerInWords, ranked } from "./analysis.js";
import { h, number, percent } from "./dom.js";

const MAX_BARS = 10;

export function renderAnswer(words: HTMLElement, list: HTMLElement, network: Network, answer: number[]): void {
  words.textContent = answerInWords(network, answer, percent, number);
  if (network.spec.output === "linear") {
    list.replaceChildren(...network.labels.map((name, k) => h("li", { class: "value-row" }, h("span", { class: "name" }, name), h("span", { class: "value" }, number(answer[k])))));
    return;
  }
  const rows = ranked(network, answer);
  const items = rows.slice(0, MAX_BARS).map(({ label, probability }, rank) =>
    h(
      "li",
      {
        class: rank === 0 ? "probability top" : "probability",
        "data-label": label,
        "data-probability": probability.toFixed(6),
      },
      h("span", { class: "name" }, label),
      h("span", { class: "track", "aria-hidden": "true" }, h("span", { class: "fill", style: `width: ${(probability * 100).toFixed(1)}%` })),
      h("span", { class: "value" }, percent(probability)),
    ),
  );
  if (rows.length > MAX_BARS) items.push(h("li", { class: "more" }, `+${rows.length - MAX_BARS} more labels, each under ${percent(rows[MAX_BARS - 1].probability)}`));
  list.replaceChildren(...items);
}
