// Bundles the library (dist/index.js, already compiled by tsc) into one ES module for browsers,
// dist/glassbox.browser.js: the decoders it uses (PNG, JPEG, WAV, CSV) come along, nothing else
// is needed on the page. The web app and the browser tests load this file.
import { build } from "esbuild";

await build({
  entryPoints: ["dist/index.js"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  outfile: "dist/glassbox.browser.js",
  sourcemap: true,
  logLevel: "error",
});
