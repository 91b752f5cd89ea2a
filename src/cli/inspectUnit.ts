import { featureRows } from "../data/dataset.js";
import { loadForModel } from "../data/load.js";
import { GlassboxError } from "../errors.js";
import { inspectUnit, type UnitReport, unitOf, visualizeUnit } from "../explain/units.js";
import { unitSheetPng } from "../explain/unitSheet.js";
import { featurizerOf } from "../featurizers/index.js";
import { writeFileAtomic } from "../io/disk.js";
import type { Network } from "../model/network.js";
import { integer, type Parsed, text } from "./args.js";
import { reportLoaded } from "./data.js";

/**
 * `glassbox inspect MODEL --layer N --neuron K [--data DATA] [--top 9] [--out sheet.png] [--json]`:
 * what neuron or channel K (from 1) of layer N (as `inspect` lists them) looks for: the inputs
 * of DATA that excite it most (with the patch a channel reads), whether it is dead, for text and
 * table models what in those inputs drives it, and for image models a contact sheet with a
 * feature visualisation (and a first-layer filter).
 */
export async function inspectUnitCommand(network: Network, modelPath: string, values: Parsed["values"]): Promise<number> {
  if (values.layer === undefined || values.neuron === undefined) {
    throw new GlassboxError("BAD_ARGUMENT", "--layer and --neuron go together: --layer N --neuron K looks at neuron (or channel) K of layer N");
  }
  const layer = integer(values, "layer", 0, 0);
  const unit = integer(values, "neuron", 1) - 1;
  const { kind } = unitOf(network, layer, unit);
  const state = featurizerOf(network);
  const out = text(values, "out", "");
  if (out && state?.kind !== "image")
    throw new GlassboxError(
      "BAD_ARGUMENT",
      `--out: a contact sheet needs an image model; this one reads ${state ? state.kind : "plain features"} (its top inputs are in the text and --json)`,
    );
  let report: UnitReport | null = null;
  let names: (row: number) => string = (row) => `row ${row + 1}`;
  let features: Float32Array = new Float32Array(0);
  if (typeof values.data === "string") {
    const loaded = await loadForModel(network, [values.data], false);
    reportLoaded({ ...loaded, detected: "" }, Boolean(values.json));
    features = featureRows(loaded.data);
    const files = loaded.files;
    if (files) names = (row) => files[row];
    report = inspectUnit(network, features, loaded.data.rows, layer, unit, integer(values, "top", 9));
  } else if (!out) {
    throw new GlassboxError("BAD_ARGUMENT", "--data: the inputs to look through for what excites the unit (or --out for an image model's feature visualisation alone)");
  }
  if (out && state?.kind === "image") {
    const empty: UnitReport = { layer, unit, kind, dead: false, active: 0, rows: 0, top: [] };
    writeFileAtomic(out, unitSheetPng(network, state, features, report ?? empty, visualizeUnit(network, layer, unit)));
  }
  const d = network.describe()[layer];
  const top = (report?.top ?? []).map((e) => ({ input: names(e.row), ...e }));
  if (values.json) {
    const record = {
      command: "inspect",
      model: modelPath,
      layer,
      [kind]: unit + 1,
      summary: d.summary,
      ...(report ? { dead: report.dead, active: report.active, rows: report.rows, top, drivers: report.drivers } : {}),
      ...(out ? { picture: out } : {}),
    };
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return 0;
  }
  const lines = [`${kind} ${unit + 1} of layer ${layer} (${d.summary})`];
  if (report) {
    lines.push(report.dead ? `dead: never above 0 on the ${report.rows} inputs, so it passes nothing on` : `active (above 0) on ${report.active} of ${report.rows} inputs`);
    lines.push("", `the ${top.length} inputs that excite it most:`);
    for (const e of top) {
      const where = e.patch
        ? `, strongest at row ${e.cell!.y + 1}, column ${e.cell!.x + 1} of its grid (pixels rows ${e.patch.top + 1}-${e.patch.bottom + 1}, columns ${e.patch.left + 1}-${e.patch.right + 1})`
        : "";
      const drivers = e.drivers?.length ? `; driven by ${e.drivers.map((x) => x.feature).join(", ")}` : "";
      lines.push(`  ${e.activation.toPrecision(4).padStart(10)}  ${e.input}${where}${drivers}`);
    }
    if (report.drivers?.length)
      lines.push(
        "",
        `what comes back among them: ${report.drivers
          .slice(0, 10)
          .map((x) => `${x.feature} (${x.count})`)
          .join(", ")}`,
      );
  }
  if (out) lines.push("", `contact sheet: ${out} (its top inputs with the patch each reads outlined, and what it wants to see)`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
