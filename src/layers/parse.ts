import { ACTIVATIONS } from "../backends/backend.js";
import { GlassboxError } from "../errors.js";
import { shapeText, type Shape } from "../tensor/tensor.js";
import { outputShapeOf, type LayerSpec } from "./index.js";

/**
 * A layer list in words, one item per layer, separated by commas:
 * `conv:K`, `conv:K:F`, `conv:K:F:S` (K filters F x F, stride S; padding same), `bn`,
 * `relu` / `leaky_relu` / `gelu` / `tanh` / `sigmoid`, `maxpool:P`, `avgpool:P`, `gap`,
 * `flatten`, `dense:N`, `dropout:R`.
 * - an activation right after `dense:N` becomes that dense layer's activation (one fused kernel);
 * - a flatten goes before the first dense layer that meets an image-shaped input;
 * - the output layer is not part of the list (the task appends it).
 * Every item is checked against the shape it receives, and an error names the item, the one
 * before it and the shapes.
 * @example parseLayers("conv:32,relu,maxpool:2,dense:128,relu", [28, 28, 1]).length // 5 (flatten added)
 */
export function parseLayers(text: string, inputShape: Shape): LayerSpec[] {
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) throw bad(`expected a list of layers such as "conv:32,relu,maxpool:2,dense:128,relu", got "${text}"`);
  const specs: { spec: LayerSpec; item: string }[] = [];
  for (const item of items) {
    const spec = parseItem(item);
    const last = specs[specs.length - 1];
    if (spec.type === "activation" && last?.spec.type === "dense" && last.spec.activation === "linear") {
      last.spec = { ...last.spec, activation: spec.activation };
      last.item += `,${item}`;
      continue;
    }
    specs.push({ spec, item });
  }
  // Check each layer against the shape it receives; add a flatten before a dense layer that meets an image.
  const out: LayerSpec[] = [];
  let shape = inputShape;
  specs.forEach(({ spec, item }, k) => {
    if (spec.type === "dense" && shape.length > 1) {
      out.push({ type: "flatten" });
      shape = [shape.reduce((a, b) => a * b, 1)];
    }
    try {
      shape = outputShapeOf(spec, shape);
    } catch (error) {
      const after = k > 0 ? ` after ${specs[k - 1].item}` : "";
      const message = (error as Error).message;
      const got = message.startsWith("gets a ") ? "" : ` gets a ${shape.length === 3 ? shape.join("x") : shapeText(shape)} input:`;
      throw bad(`${item}${after}${got} ${message}`);
    }
    out.push(spec);
  });
  return out;
}

const ACTIVATION_ITEMS = ACTIVATIONS.filter((a) => a !== "softmax" && a !== "linear");

function parseItem(item: string): LayerSpec {
  // "leaky-relu" is read as "leaky_relu".
  const [name, ...args] = item.toLowerCase().replace(/-/g, "_").split(":");
  const numbers = args.map(Number);
  const whole = (i: number, what: string, fallback?: number): number => {
    const n = args[i] === undefined ? fallback : numbers[i];
    if (n === undefined || !Number.isInteger(n) || n < 1) throw bad(`${item}: ${what} must be a whole number >= 1, got "${args[i] ?? ""}"`);
    return n;
  };
  const arity = (most: number): void => {
    if (args.length > most) throw bad(`${item}: ${name} takes at most ${most} number${most === 1 ? "" : "s"}, got ${args.length}`);
  };
  if ((ACTIVATION_ITEMS as readonly string[]).includes(name)) {
    arity(0);
    return { type: "activation", activation: name as (typeof ACTIVATION_ITEMS)[number] };
  }
  switch (name) {
    case "conv":
      arity(3);
      return { type: "conv2d", filters: whole(0, "the number of filters"), size: whole(1, "the window size", 3), stride: whole(2, "the stride", 1), padding: "same" };
    case "bn":
      arity(0);
      return { type: "batchnorm" };
    case "maxpool":
    case "avgpool":
      arity(1);
      return { type: name, size: whole(0, "the window size", 2) };
    case "gap":
      arity(0);
      return { type: "globalavgpool" };
    case "flatten":
      arity(0);
      return { type: "flatten" };
    case "dense":
      arity(1);
      return { type: "dense", units: whole(0, "the number of neurons"), activation: "linear" };
    case "dropout": {
      arity(1);
      const rate = numbers[0];
      if (!(rate >= 0 && rate < 1)) throw bad(`${item}: the dropout rate must be in [0, 1), got "${args[0] ?? ""}"`);
      return { type: "dropout", rate };
    }
    default:
      throw bad(`unknown layer "${item}"; expected conv:K[:F[:S]], bn, ${ACTIVATION_ITEMS.join(", ")}, maxpool:P, avgpool:P, gap, flatten, dense:N or dropout:R`);
  }
}

function bad(message: string): GlassboxError {
  return new GlassboxError("BAD_ARGUMENT", `layers: ${message}`);
}
