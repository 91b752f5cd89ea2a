// Builds the web app (web/) into static files in dist/web: index.html, style.css, app.js (the page)
// and worker.js (training), both bundled with the library by esbuild, and data/ with the embedded
// Fashion-MNIST subset for the Train view. Needs dist/index.js and dist/index.d.ts (tsc) first.
// The web code imports "glassbox", the public entry point, which here means dist/index.js.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const out = "dist/web";
if (!existsSync("dist/index.js") || !existsSync("dist/index.d.ts")) {
  throw new Error("build-web: dist/index.js is missing; compile the library first (npm run build)");
}

// Type-check the app against the library's public declarations (esbuild only strips types).
try {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "web/tsconfig.json"], { stdio: "inherit" });
} catch {
  console.error("build-web: web/ has type errors (above)");
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "data"), { recursive: true });
await build({
  entryPoints: { app: "web/app.ts", worker: "web/worker.ts" },
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  alias: { glassbox: "./dist/index.js" },
  outdir: out,
  minify: true,
  sourcemap: true,
  logLevel: "error",
});
for (const file of ["index.html", "style.css"]) copyFileSync(join("web", file), join(out, file));
const data = "data/fashion-mnist-small";
for (const file of readdirSync(data)) {
  if (file.endsWith(".gz") || ["labels.txt", "LICENSE", "README.md"].includes(file)) copyFileSync(join(data, file), join(out, "data", file));
}
