// The architecture of src/ as rules: imports only point down the layers (see STYLE.md), no circles.
// Run: npx depcruise src test web bench scripts examples --config .dependency-cruiser.cjs
// Type-only imports count (tsPreCompilationDeps). Test files are exempt from the layer rules, not from circles.

/** Folders and files of src/, as path patterns relative to the repository root. */
const P = {
  errors: "^src/(errors|limits|suggest|words)\\.ts$", // the leaves every layer may use: errors, limits, "did you mean", counts in words
  tensor: "^src/tensor/",
  backends: "^src/backends/",
  layers: "^src/layers/",
  losses: "^src/losses/",
  optimizers: "^src/optimizers/",
  model: "^src/model/",
  featurizers: "^src/featurizers/",
  data: "^src/data/",
  train: "^src/train/",
  explain: "^src/explain/",
  report: "^src/report/",
  io: "^src/io/",
  cli: "^src/cli/",
  server: "^src/server/",
  entry: "^src/(index|node)\\.ts$",
};
const TESTS = ["\\.test\\.ts$", "^test/"];
const L0 = [P.errors, P.tensor];
const L1 = [...L0, P.backends];
const L2 = [...L1, P.layers, P.losses, P.optimizers];
const L3 = [...L2, P.model];
const L4 = [...L3, P.featurizers, P.data, P.train];
const L5 = [...L4, P.explain, P.report];
const L6 = [...L5, P.io];

/** A module under `from` may import, inside src/, only modules matching `allowed`. */
function layer(name, from, allowed, comment) {
  return {
    name: `layer-${name}`,
    comment,
    severity: "error",
    from: { path: from, pathNot: TESTS },
    to: { path: "^src/", pathNot: allowed },
  };
}

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import circles, type-only imports included (STYLE.md: 'no circles').",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing on disk (the generated wasm kernels exist only after npm run build:wasm).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, pathNot: ["kernels\\.generated(\\.js)?$", "^glassbox(/node)?$"] },
    },
    layer("tensor", [P.errors, P.tensor], L0, "errors.ts and tensor/ are the bottom layer: they import only each other."),
    layer("backends", P.backends, L1, "backends/ import only errors.ts, tensor/ and themselves."),
    layer("layers", P.layers, [...L1, P.layers], "layers/ import only L0-L1 and their own folder (not losses/, optimizers/, model/)."),
    layer("losses", P.losses, [...L1, P.losses], "losses/ import only L0-L1 and their own folder (not layers/, optimizers/, model/)."),
    layer("optimizers", P.optimizers, [...L1, P.optimizers], "optimizers/ import only L0-L1 and their own folder."),
    layer("model", P.model, L3, "model/ imports L0-L2 and itself; never featurizers/ or data/ (the network does not know where its inputs came from)."),
    layer("featurizers", P.featurizers, [...L0, P.featurizers], "featurizers/ import only errors.ts, tensor/ and themselves."),
    layer("data", P.data, [...L0, P.featurizers, P.data], "data/ imports only errors.ts, tensor/, featurizers/ and itself."),
    layer("train", P.train, L4, "train/ imports L0-L3, featurizers/, data/ and itself."),
    layer(
      "explain",
      P.explain,
      [...L0, P.model, P.featurizers, P.data, P.explain],
      "explain/ works through the network's public API: errors.ts, tensor/, model/, featurizers/, data/ and itself; never backends/ or layers/.",
    ),
    layer(
      "report",
      P.report,
      [...L0, P.model, P.featurizers, P.data, P.train, P.report],
      "report/ draws what train/ measures (pages and pictures): errors.ts, tensor/, model/, featurizers/, data/, train/ and itself.",
    ),
    layer("io", P.io, L6, "io/ may import everything below it, not cli/, server/ or the entry points."),
    layer("cli", P.cli, [...L6, P.entry, P.cli, "^src/server/index\\.ts$"], "cli/ may import all of src/, but server/ only through src/server/index.ts."),
    layer("server", P.server, [...L6, P.entry, P.server], "server/ may import all of src/ except cli/."),
    layer("entry", P.entry, [...L6, P.entry], "The entry points (src/index.ts, src/node.ts) export the library, not the CLI or the server."),
    {
      name: "src-not-to-tests",
      comment: "Library code never imports test helpers, fixtures, benchmarks or scripts.",
      severity: "error",
      from: { path: "^src/", pathNot: TESTS },
      to: { path: ["^test/", "^bench/", "^scripts/", "^examples/"] },
    },
    {
      name: "web-only-public-api",
      comment: "web/ imports only the public entry point \"glassbox\" (dist/) and its own files, never ../src/.",
      severity: "error",
      from: { path: "^web/" },
      to: { pathNot: ["^web/", "^dist/index\\.(js|d\\.ts)$", "^glassbox$"] },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "^dist/"] },
    exclude: { path: ["^src/backends/wasm/assembly/", "^dist/", "^bench/\\.peers/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "node", "default"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".d.ts", ".json"],
      mainFields: ["module", "main", "types", "typings"],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
