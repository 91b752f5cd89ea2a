import { GlassboxError, check } from "../errors.js";

/**
 * A label given by index or by name -> its index into the model's labels (sigmoid: 0 or 1).
 * @example
 * labelIndexOf(["cat", "dog"], "dog") // 1
 * labelIndexOf(["cat", "dog"], 0) // 0
 */
export function labelIndexOf(labels: readonly string[], label: number | string): number {
  if (typeof label === "number") {
    check(
      Number.isInteger(label) && label >= 0 && label < labels.length,
      `label index ${label} is out of range: this model has labels 0..${labels.length - 1} (${labels.join(", ")})`,
    );
    return label;
  }
  const index = labels.indexOf(label);
  if (index < 0) throw new GlassboxError("UNKNOWN_LABEL", `unknown label "${label}"; this model knows ${labels.join(", ")}`);
  return index;
}

/**
 * A label typed as text (a command-line argument, a query parameter) -> its index: a label's name
 * first; else a string of digits picks the label by index.
 * @example
 * labelIndexOfText(["cat", "dog"], "1") // 1
 * labelIndexOfText(["0", "1"], "1") // 1 (the name "1")
 */
export function labelIndexOfText(labels: readonly string[], text: string): number {
  if (!labels.includes(text) && /^\d+$/.test(text)) return labelIndexOf(labels, Number(text));
  return labelIndexOf(labels, text);
}
