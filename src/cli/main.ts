#!/usr/bin/env node
import { GlassboxError } from "../errors.js";
import { didYouMean } from "../suggest.js";
import { DEFAULT_INPUT_LIMITS, limitOption, type InputLimits } from "../limits.js";
import { UsageError } from "./args.js";
import { demo, DEMO_USAGE } from "./demo.js";
import { evaluate, EVALUATE_USAGE } from "./evaluate.js";
import { explainCommand, EXPLAIN_USAGE } from "./explain.js";
import { inspect, INSPECT_USAGE } from "./inspect.js";
import { predict, PREDICT_USAGE } from "./predict.js";
import { serve, SERVE_USAGE } from "./serve.js";
import { train, TRAIN_USAGE } from "./train.js";
import { exportCommand, EXPORT_USAGE } from "./export.js";
import { featurize, FEATURIZE_USAGE } from "./featurize.js";
import { importCommand, IMPORT_USAGE } from "./import.js";
import { version } from "./version.js";

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string; about: string }> = {
  train: { run: train, usage: TRAIN_USAGE, about: "train a network on images, sounds, texts, a table or an IDX directory" },
  evaluate: { run: evaluate, usage: EVALUATE_USAGE, about: "accuracy, per-class metrics and confusion matrix (R², MAE, RMSE for a regression; --folds K)" },
  predict: { run: predict, usage: PREDICT_USAGE, about: "labels and probabilities for every input, in words" },
  explain: { run: explainCommand, usage: EXPLAIN_USAGE, about: "why the model gave its answer: each feature's contribution" },
  inspect: { run: inspect, usage: INSPECT_USAGE, about: "the architecture, and what the first hidden layer's neurons look for" },
  featurize: { run: featurize, usage: FEATURIZE_USAGE, about: "the numbers the network reads for each input (CSV, or JSON for ONNX consumers)" },
  export: { run: exportCommand, usage: EXPORT_USAGE, about: "the model as ONNX (ONNX Runtime, Triton, Spark) or as PyTorch code and weights" },
  import: { run: importCommand, usage: IMPORT_USAGE, about: "an ONNX model (from PyTorch, or an export) as a Glassbox model, to explain it" },
  serve: { run: serve, usage: SERVE_USAGE, about: "an HTTP API and the web app for one model (predict, explain)" },
  demo: { run: demo, usage: DEMO_USAGE, about: "train on the embedded Fashion-MNIST subset (npm start)" },
};

function help(): string {
  const lines = [
    `glassbox ${version()}: neural networks you can see inside`,
    "",
    "usage: glassbox <command> [options]   glassbox help <command>   glassbox --version",
    "",
    "commands:",
  ];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.about}`);
  lines.push(
    "",
    "every command takes --backend wasm|reference|webgpu|auto (default wasm), --threads N (default: timed at start-up),",
    "--json and --verbose (stack traces on errors); glassbox <command> --help lists its options",
    `and --input-limit NAME=N (repeatable) to raise or lower a limit on what it reads: ${(Object.keys(DEFAULT_INPUT_LIMITS) as (keyof InputLimits)[]).map((k) => `${limitOption(k)} (${DEFAULT_INPUT_LIMITS[k]})`).join(", ")}`,
  );
  return lines.join("\n");
}

/** Runs one command; returns the exit code: 0 ok, 1 error, 2 usage error, 3 training stopped on NaN or divergence, 130 training interrupted (Ctrl-C). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const verbose = rest.includes("--verbose");
  if (name === "--version" || name === "-v") {
    process.stdout.write(`glassbox ${version()}\n`);
    return 0;
  }
  if (name === "help" && rest[0] && COMMANDS[rest[0]]) {
    process.stdout.write(`usage: ${COMMANDS[rest[0]].usage}\n`);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const unknown = name === "help" && rest[0] ? `glassbox help: unknown command "${rest[0]}"${didYouMean(rest[0], Object.keys(COMMANDS))}\n\n` : "";
    process.stdout.write(`${unknown}${help()}\n`);
    return name && !unknown ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`glassbox: unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(", ")}${didYouMean(name, Object.keys(COMMANDS))}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`glassbox ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof GlassboxError && error.code === "BAD_ARGUMENT") {
      process.stderr.write(`glassbox ${name}: error: ${error.message.split("\n")[0]}\n`);
      if (verbose) process.stderr.write(`${error.stack ?? ""}\n`);
      return 2;
    }
    const message = error instanceof GlassboxError ? error.message : `unexpected error: ${(error as Error).message ?? String(error)}`;
    process.stderr.write(`glassbox ${name}: error: ${message.split("\n")[0]}\n`);
    if (verbose) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
