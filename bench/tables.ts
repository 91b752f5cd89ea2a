// npm run bench:tables [-- --seeds 10] [-- key=value ...]: Glassbox's defaults on the small public tables of
// data/tables (fixed splits written by scripts/tables.py), seeds 1..N, against scikit-learn's figures on the
// same splits (data/tables/sklearn.json). Extra key=value pairs are trainModel options, to try others
// (epochs=50, lr=0.003, hidden=64). One JSON object on stdout.
import { readFileSync } from "node:fs";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { loadForModel, loadTrainingData } from "../src/data/load.js";
import { evaluate } from "../src/train/evaluate.js";
import { trainModel, type TrainModelOptions } from "../src/train/pipeline.js";
import { evaluateRegression } from "../src/train/regression.js";

const args = process.argv.slice(2);
const seedsAt = args.indexOf("--seeds");
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 10;
const only = args.filter((a) => a.startsWith("--only=")).map((a) => a.slice("--only=".length));
const extra: Record<string, unknown> = Object.fromEntries(
  args
    .filter((a) => a.includes("=") && !a.startsWith("--"))
    .map((a) => {
      const [key, value] = a.split("=");
      return [
        key,
        key === "hidden"
          ? value === ""
            ? []
            : value.split(",").map(Number)
          : key === "schedule"
            ? { kind: value }
            : key === "optimizer"
              ? value.startsWith("adamw:")
                ? { name: "adamw", weightDecay: Number(value.slice(6)) }
                : { name: value }
              : Number.isNaN(Number(value))
                ? value
                : Number(value),
      ];
    }),
);
const sklearn = JSON.parse(readFileSync("data/tables/sklearn.json", "utf8")) as {
  sklearn: string;
  tables: Record<string, { task: string; metric: string; rows: number[]; [peer: string]: unknown }>;
};
const backend = await createWasmBackend({ threads: 1 });
if (!backend) throw new Error("bench:tables needs WebAssembly SIMD");

const rows: Record<string, unknown>[] = [];
for (const [name, peer] of Object.entries(sklearn.tables)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const scores: number[] = [];
  const epochs: number[] = [];
  const shares: number[] = [];
  let seconds = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const loaded = await loadTrainingData(`data/tables/${name}-train.csv`, {});
    const started = performance.now();
    const { network, result } = await trainModel(loaded, { seed, backend, ...(extra as TrainModelOptions) });
    seconds += (performance.now() - started) / 1000;
    epochs.push(result.epochs);
    const bag = network.about.training?.bag as { linear_share?: number } | undefined;
    if (typeof bag?.linear_share === "number") shares.push(bag.linear_share);
    const test = (await loadForModel(network, [`data/tables/${name}-test.csv`], true)).data;
    scores.push(peer.task === "regress" ? evaluateRegression(network, test).r2 : evaluate(network, test).accuracy);
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sk = (peer.task === "regress" ? peer.mlp_regressor : peer.mlp_classifier) as { mean: number };
  const linear = (peer.task === "regress" ? peer.linear_regression : peer.logistic_regression) as number;
  const row = {
    table: name,
    task: peer.task,
    metric: peer.metric,
    rows: peer.rows,
    glassbox: { mean, min: Math.min(...scores), max: Math.max(...scores), epochs, seconds_per_run: seconds / seeds, linear_shares: shares },
    sklearn_mlp: sk.mean,
    sklearn_linear: linear,
    beats_sklearn_mlp: mean >= sk.mean,
    beats_sklearn_linear: mean >= linear,
  };
  rows.push(row);
  process.stderr.write(
    `${name}: glassbox ${mean.toFixed(3)} (${Math.min(...scores).toFixed(3)}-${Math.max(...scores).toFixed(3)}, epochs ${epochs.join(",")}) | sklearn mlp ${sk.mean.toFixed(3)} | linear ${linear.toFixed(3)}\n`,
  );
}
process.stdout.write(`${JSON.stringify({ bench: "tables", seeds, options: extra, sklearn: sklearn.sklearn, tables: rows }, null, 2)}\n`);
