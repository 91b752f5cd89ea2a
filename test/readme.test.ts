// The README's library examples stay true: the quickstart block is examples/quickstart.mjs and
// prints what the README says, and every name a README example imports exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as library from "../src/node.js";
import { ROOT } from "./helpers/glassbox.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const blocks = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("every name the README's examples import from glassbox is exported", () => {
  assert.ok(blocks.length >= 3, `found ${blocks.length} js blocks`);
  const imported = blocks.flatMap((block) =>
    [...block.matchAll(/import \{([^}]*)\} from "glassbox(?:\/node)?"/g)].flatMap((m) =>
      m[1]
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  );
  assert.ok(imported.length > 10);
  for (const name of imported) assert.ok(name in library, `the README imports ${name}, which glassbox does not export`);
});

test("the README's quickstart is examples/quickstart.mjs, and it prints what the README says", () => {
  const quickstart = blocks.find((b) => b.includes("quickstart.safetensors"));
  assert.ok(quickstart, "the README has the quickstart block");
  const file = readFileSync(join(ROOT, "examples/quickstart.mjs"), "utf8");
  // The same statements, line for line (the README adds comments with the output).
  const code = (text: string) =>
    text
      .split("\n")
      .map((l) => l.replace(/\s*\/\/.*$/, ""))
      .filter((l) => l.trim() !== "");
  assert.deepEqual(
    code(file).filter((l) => !l.startsWith("console.log(answer)") && !l.startsWith("const [answer]")),
    code(quickstart).filter((l) => !l.startsWith("console.log(classify")),
  );

  const dir = mkdtempSync(join(tmpdir(), "glassbox-readme-"));
  symlinkSync(join(ROOT, "data"), join(dir, "data"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/glassbox"));
  const run = spawnSync(process.execPath, [join(ROOT, "examples/quickstart.mjs")], { cwd: dir, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  for (const what of ["validation accuracy", "test accuracy"]) {
    const said = Number(new RegExp(`// ${what}: ([0-9.]+)`).exec(quickstart)?.[1]);
    const got = Number(new RegExp(`^${what}: ([0-9.]+)$`, "m").exec(run.stdout)?.[1]);
    // Same seed and backend give the same weights; another CPU's float rounding (FMA or not) may move a few of 2,000 answers.
    assert.ok(Math.abs(got - said) <= 0.005, `${what}: the README says ${said}, the example prints ${got}`);
  }
  assert.match(run.stdout, /label: 'Ankle boot', probability: 0\.6/);
});

test("the README's library examples compile as strict TypeScript against the package's types", () => {
  const dir = mkdtempSync(join(tmpdir(), "glassbox-readme-types-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/glassbox"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const files = blocks.map((block, k) => {
    const file = join(dir, `block${k + 1}.ts`);
    writeFileSync(file, `${block}\nexport {};\n`); // each block is a module of its own
    return file;
  });
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const options = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck"];
  const run = spawnSync(process.execPath, [tsc, ...options, "--types", "node", "--typeRoots", join(ROOT, "node_modules/@types"), ...files], { cwd: dir, encoding: "utf8" });
  assert.equal(run.status, 0, `README blocks that do not type-check:\n${run.stdout}${run.stderr}`);
});
