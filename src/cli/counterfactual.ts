// glassbox explain ROW.csv --counterfactual [--immutable A,B] [--to LABEL]: what would change the decision.
import { readBytes } from "../data/files.js";
import { MAX_CHANGES, changesInWords, counterfactualsOfCsv } from "../explain/counterfactual.js";
import { csvText } from "../featurizers/table/csv.js";
import type { Network } from "../model/network.js";

export interface CounterfactualRequest {
  path: string;
  row: number;
  immutable: string[];
  target: string | undefined;
  json: boolean;
}

/** Finds and prints the counterfactuals of one row of a CSV file (the model must read tables). */
export function counterfactualCommand(network: Network, request: CounterfactualRequest): number {
  const result = counterfactualsOfCsv(network, csvText(readBytes(request.path), request.path).text, request.path, request.row, {
    immutable: request.immutable,
    ...(request.target !== undefined ? { target: request.target } : {}),
  });
  if (request.json) {
    process.stdout.write(`${JSON.stringify({ command: "explain", ...result })}\n`);
    return 0;
  }
  const percent = (p: number) => `${Math.round(p * 100)}%`;
  const lines = [`The model says ${result.label} (${percent(result.probability)}).`];
  if (result.counterfactuals.length === 0) {
    lines.push(`No change of at most ${MAX_CHANGES} columns, within the values seen in training, makes it say ${result.target}.`);
  } else {
    lines.push(`These changes would make it say ${result.target}:`);
    result.counterfactuals.forEach((cf, i) => {
      lines.push(`  ${i + 1}. ${changesInWords(cf.changes)} (${result.target} ${percent(cf.probability)})`);
    });
  }
  if (request.immutable.length > 0) lines.push(`Kept as they are: ${request.immutable.join(", ")}.`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
