/**
 * "What would change the decision" for table models: on request, a few small sets of changes to
 * the row in the form after which the model gives the other answer (the library's
 * counterfactuals, each checked by the model), columns the reader ticks kept as they are. Each
 * set has an Apply button that puts its values in the form, so the reader sees the answer flip.
 */
import { MAX_CHANGES, changesInWords, counterfactuals, featurizerOf, type Change, type Network } from "glassbox";
import { h, percent } from "./dom.js";

export class CounterfactualView {
  constructor(
    private readonly container: HTMLElement,
    /** The form's cells now, by column name. */
    private readonly cells: () => Map<string, string> | null,
    /** Puts changed values in the form (which then answers again). */
    private readonly apply: (changes: Change[]) => void,
  ) {}

  /** Offers the search for a table classifier; hides itself for other models. */
  setModel(network: Network): void {
    const state = featurizerOf(network);
    if (state?.kind !== "table" || network.spec.output === "linear") {
      this.container.replaceChildren();
      this.container.hidden = true;
      return;
    }
    this.container.hidden = false;
    const keep = h(
      "fieldset",
      { class: "keep" },
      h("legend", {}, "Keep as they are"),
      ...state.columns.map((column, c) => h("label", { class: "toggle" }, h("input", { type: "checkbox", id: `keep-${c}`, value: column.name }), column.name)),
    );
    const button = h("button", { type: "button", id: "counterfactual-find" }, "What would change the decision?");
    const results = h("div", { id: "counterfactual-results", "aria-live": "polite" });
    button.addEventListener("click", () => {
      const cells = this.cells();
      if (!cells) return;
      const immutable = Array.from(keep.querySelectorAll<HTMLInputElement>("input:checked"), (input) => input.value);
      try {
        const found = counterfactuals(network, state, cells, { immutable });
        results.replaceChildren(...this.list(found.label, found.probability, found.target, found.counterfactuals));
      } catch (error) {
        results.replaceChildren(h("p", { class: "error" }, error instanceof Error ? error.message : String(error)));
      }
    });
    this.container.replaceChildren(h("h4", {}, "What would change the decision"), keep, button, results);
  }

  private list(label: string, probability: number, target: string, sets: { changes: Change[]; probability: number }[]): Node[] {
    if (sets.length === 0) return [h("p", { id: "counterfactual-none" }, `No set of up to ${MAX_CHANGES} changes within the training values makes the model say “${target}”.`)];
    const items = sets.map((set, k) => {
      const apply = h("button", { type: "button", class: "apply", id: `counterfactual-apply-${k}` }, "Apply");
      apply.addEventListener("click", () => this.apply(set.changes));
      return h("li", {}, `${changesInWords(set.changes, "→")} (${target} ${percent(set.probability)}) `, apply);
    });
    return [h("p", {}, `The model says “${label}” (${percent(probability)}). These would make it say “${target}”:`), h("ol", { id: "counterfactual-list" }, ...items)];
  }
}
