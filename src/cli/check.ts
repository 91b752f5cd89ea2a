// glassbox explain MODEL DATA --check [--method M] [--samples N]: can these explanations be trusted?
import type { Dataset } from "../data/dataset.js";
import { featureRows } from "../data/dataset.js";
import { type CheckedMethod, checkExplanations } from "../explain/checks.js";
import type { Network } from "../model/network.js";

/** Runs the trust checks on the first `samples` rows of `data` and prints them as a table or JSON. */
export function checkCommand(network: Network, data: Dataset, methods: CheckedMethod[] | undefined, samples: number, json: boolean): number {
  const rows = Math.min(samples, data.rows);
  const checks = checkExplanations(network, featureRows(data, 0, rows), rows, methods);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        command: "explain",
        check: checks.map((c) => ({
          method: c.method,
          rows: c.rows,
          deletion_ratio: c.deletionRatio,
          insertion_ratio: c.insertionRatio,
          randomisation_correlation: c.randomisationCorrelation,
          passed: c.passed,
        })),
      })}\n`,
    );
    return 0;
  }
  const lines = [
    `trust checks on ${rows} inputs of ${data.source}:`,
    "  deletion / insertion: area under the label's probability as the method's top features are removed / added,",
    "  a tenth at a time, against a random order (deletion passes at 0.6x or below; insertion should be above 1x);",
    "  randomisation: rank correlation of |attributions| with the same network re-initialised (passes below 0.5)",
    "",
    `  ${"method".padEnd(11)}${"deletion".padEnd(10)}${"insertion".padEnd(11)}${"randomisation".padEnd(15)}verdict`,
    ...checks.map((c) => {
      const failed = [...(c.passed.deletion ? [] : ["deletion"]), ...(c.passed.randomisation ? [] : ["randomisation"])];
      return `  ${c.method.padEnd(11)}${`${c.deletionRatio.toFixed(2)}x`.padEnd(10)}${`${c.insertionRatio.toFixed(2)}x`.padEnd(11)}${c.randomisationCorrelation.toFixed(2).padEnd(15)}${failed.length === 0 ? "pass" : `fail (${failed.join(", ")})`}`;
    }),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
