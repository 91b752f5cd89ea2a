import { GlassboxError } from "../errors.js";
import type { Checkpoint } from "../train/options.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "./safetensors.js";

/**
 * A training checkpoint as a file: safetensors, like a model, with the network's tensors under
 * "network.<name>", the optimizer's under "optimizer.<i>" and the best weights under "best.<i>";
 * the rest of the state is JSON in the metadata (format "glassbox-checkpoint"). It is not a model
 * file: `decodeModel` refuses it, and `glassbox train --resume` reads it.
 */
const FORMAT = "glassbox-checkpoint";
const VERSION = "1";

/** Non-finite numbers (a regression's accuracy is NaN) survive JSON as strings. */
const replacer = (_key: string, value: unknown): unknown => (typeof value === "number" && !Number.isFinite(value) ? String(value) : value);
const reviver = (_key: string, value: unknown): unknown => (value === "NaN" || value === "Infinity" || value === "-Infinity" ? Number(value) : value);

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const flat = (prefix: string, values: Float32Array[]): NamedTensor[] => values.map((data, i) => ({ name: `${prefix}.${i}`, shape: [data.length], data }));
  const tensors: NamedTensor[] = [
    ...Object.entries(c.network).map(([name, data]) => ({ name: `network.${name}`, shape: [data.length], data })),
    ...flat("optimizer", c.optimizer.values),
    ...flat("best", c.best?.weights ?? []),
    // Row indices are whole numbers below 2^24: float32 holds them exactly.
    ...(c.partial ? [{ name: "partial.order", shape: [c.partial.order.length], data: Float32Array.from(c.partial.order) }] : []),
  ];
  const state = {
    epoch: c.epoch,
    settings: c.settings,
    optimizerSteps: c.optimizer.steps,
    random: c.random,
    augmentRandom: c.augmentRandom,
    firstLoss: c.firstLoss,
    history: c.history,
    best: c.best ? { loss: c.best.loss, epoch: c.best.epoch } : null,
    partial: c.partial ? { step: c.partial.step, lossSum: c.partial.lossSum, correct: c.partial.correct } : null,
  };
  return encodeSafetensors({ metadata: { format: FORMAT, format_version: VERSION, state: JSON.stringify(state, replacer) }, tensors });
}

export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  const fail = (what: string): never => {
    throw new GlassboxError("BAD_MODEL_FILE", `${source}: ${what}`);
  };
  const file = decodeSafetensors(bytes, source);
  if (file.metadata.format !== FORMAT || file.metadata.format_version !== VERSION) fail(`not a Glassbox training checkpoint (format ${FORMAT} ${VERSION})`);
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(file.metadata.state ?? "null", reviver);
  } catch {
    return fail("its state is not valid JSON");
  }
  const ok =
    typeof state === "object" &&
    state !== null &&
    Number.isInteger(state.epoch) &&
    typeof state.settings === "object" &&
    Number.isInteger(state.optimizerSteps) &&
    Array.isArray(state.random) &&
    state.random.length === 5 &&
    Array.isArray(state.history);
  if (!ok) fail("its state lacks the epoch, settings, optimizer steps, random state or history");
  const byPrefix = (prefix: string): Float32Array[] =>
    file.tensors
      .filter((t) => t.name.startsWith(`${prefix}.`))
      .sort((a, b) => Number(a.name.slice(prefix.length + 1)) - Number(b.name.slice(prefix.length + 1)))
      .map((t) => t.data);
  const best = state.best as { loss: number; epoch: number } | null;
  const partial = state.partial as { step: number; lossSum: number; correct: number } | null;
  const order = file.tensors.find((t) => t.name === "partial.order");
  if (partial && !order) fail("it is a checkpoint within an epoch but holds no order of the rows");
  return {
    epoch: state.epoch as number,
    settings: state.settings as Record<string, string>,
    network: Object.fromEntries(file.tensors.filter((t) => t.name.startsWith("network.")).map((t) => [t.name.slice("network.".length), t.data])),
    optimizer: { steps: state.optimizerSteps as number, values: byPrefix("optimizer") },
    random: state.random as Checkpoint["random"],
    augmentRandom: (state.augmentRandom ?? null) as Checkpoint["augmentRandom"],
    firstLoss: (state.firstLoss ?? null) as number | null,
    history: state.history as Checkpoint["history"],
    best: best ? { ...best, weights: byPrefix("best") } : null,
    partial: partial && order ? { ...partial, order: Int32Array.from(order.data) } : null,
  };
}
