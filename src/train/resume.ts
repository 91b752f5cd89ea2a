import type { Dataset } from "../data/dataset.js";
import { GlassboxError } from "../errors.js";
import type { Network } from "../model/network.js";
import type { Optimizer } from "../optimizers/index.js";
import type { Random } from "../tensor/random.js";
import type { Checkpoint, FitOptions } from "./options.js";

/** Resuming training from a checkpoint: what a run's weights depend on, and taking its state up again. */

/** What shapes a run's weights, as text: a checkpoint records it, and resuming checks it. */
export function runSettings(options: FitOptions, data: Dataset, resolved: { epochs: number; batchSize: number; lr: number }): Record<string, string> {
  const text = (value: unknown): string => JSON.stringify(value ?? null);
  return {
    rows: String(data.rows),
    columns: String(data.columns),
    labels: text(data.labelNames),
    epochs: String(resolved.epochs),
    batchSize: String(resolved.batchSize),
    lr: String(resolved.lr),
    seed: String(options.seed ?? 1),
    readEvery: String(options.readEvery ?? 16),
    optimizer: text(options.optimizer ?? {}),
    schedule: text(options.schedule ?? { kind: "cosine" }),
    validation: typeof options.validation === "object" ? `a dataset of ${options.validation.rows} rows` : String(options.validation ?? 0.1),
    patience: text(options.patience),
    clipNorm: text(options.clipNorm),
    classWeights: text(options.classWeights),
    augment: text(options.augment),
    ...(options.loss ? { loss: options.loss } : {}),
  };
}

/**
 * Puts a checkpoint's state back: the network's tensors, the optimizer's moments and steps, and
 * the run's random generator (the loop's own state is set by the caller). Refuses a checkpoint
 * made with other settings or data, naming the first that differs.
 */
export function takeUp(resume: Checkpoint, settings: Record<string, string>, network: Network, optimizer: Optimizer, random: Random): void {
  checkResume(resume, settings);
  network.loadTensors(new Map(Object.entries(resume.network)));
  const expected = optimizer.state(network.params()).tensors;
  const fits = resume.optimizer.values.length === expected.length && expected.every((t, i) => resume.optimizer.values[i].length === t.rows * t.cols);
  if (!fits) throw new GlassboxError("BAD_ARGUMENT", "cannot resume: the checkpoint's optimizer state does not fit this network");
  optimizer.setState(network.params(), resume.optimizer);
  random.setState(resume.random);
}

function checkResume(resume: Checkpoint, settings: Record<string, string>): void {
  for (const [key, value] of Object.entries(settings)) {
    const was = resume.settings[key];
    if (was !== value) {
      throw new GlassboxError(
        "BAD_ARGUMENT",
        `cannot resume: the checkpoint was made with ${key} ${(was ?? "(none)").slice(0, 100)}, this run has ${value.slice(0, 100)}; use the same settings and data, or start over`,
      );
    }
  }
}
