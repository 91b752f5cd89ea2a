// The README's command blocks, run as a new user would type them (in order: later ones read what
// earlier ones wrote), in a scratch folder that holds the repository's data/ and examples/. Each
// output block the README shows after a command block must match what the commands print, line
// by line in order, up to the numbers (a prediction's label words may differ too: a line that
// starts with a row number or a file name).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { ROOT, scratch } from "./helpers/glassbox.js";

/** Commands the test does not run, and why. */
const NOT_RUN: [RegExp, string][] = [
  [/^npm (ci|test|start)/, "set-up and the test suite itself (npm start is the demo test's)"],
  [/\.\.\/shared/, "reads ../shared, which the tests must not need"],
  [/glassbox serve/, "a server that runs until stopped (the server tests start it)"],
  [/^curl/, "needs the server"],
  [/\[--/, "a usage line with options in brackets, not a command"],
];

interface Block {
  commands: string[];
  output: string[] | null;
}

/** The ```sh blocks and the untyped block right after each one, if any. */
function commandBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /```(\w*)\n([\s\S]*?)```/g;
  let last: { block: Block; end: number } | null = null;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    const lines = m[2].split("\n").filter((l) => l.trim() !== "");
    if (m[1] === "sh") {
      const block = { commands: lines.map((l) => l.replace(/\s+#.*$/, "").trim()), output: null };
      blocks.push(block);
      last = { block, end: m.index + m[0].length };
    } else if (m[1] === "" && last && markdown.slice(last.end, m.index).trim() === "") {
      last.block.output = lines;
    } else last = null;
  }
  return blocks;
}

/** Shell words: spaces split, double quotes group. */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** A line up to its numbers: "accuracy 84.25% on 2000 rows" -> "accuracy #% on # rows". */
function shape(line: string): string {
  return line
    .replace(/<?-?\d+(\.\d+)?(e[+-]?\d+)?/g, "#")
    .replace(/\s+/g, " ")
    .trim();
}

/** And up to its words too, for a prediction's labels: "#: w #% (w #%, w #%) [w: w]". */
function looseShape(line: string): string {
  return shape(line).replace(/[A-Za-z][\w/-]*( [A-Za-z][\w/-]*)*/g, "w");
}

test("the README's commands run, and print what the README shows", { timeout: 600_000 }, () => {
  const { dir, glassbox } = scratch("glassbox-readme-");
  for (const folder of ["data", "examples"]) symlinkSync(join(ROOT, folder), join(dir, folder));
  const blocks = commandBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
  let ran = 0;
  for (const block of blocks) {
    const printed: string[] = [];
    for (const command of block.commands) {
      if (NOT_RUN.some(([pattern]) => pattern.test(command))) continue;
      const args = words(command);
      let r: { code: number | null; stdout: string; stderr: string };
      if (args[0] === "npx" && args[1] === "glassbox") r = glassbox(...args.slice(2));
      else if (args[0] === "node" && args[1] === "--import" && args[2] === "tsx") {
        const run = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), ...args.slice(3)], { cwd: dir, encoding: "utf8" });
        r = { code: run.status, stdout: run.stdout, stderr: run.stderr };
      } else if (args[0] === "node" && args[1]?.startsWith("examples/")) {
        const run = spawnSync(process.execPath, args.slice(1), { cwd: dir, encoding: "utf8" });
        r = { code: run.status, stdout: run.stdout, stderr: run.stderr };
      } else throw new Error(`the README runs a command this test cannot: ${command}`);
      assert.equal(r.code, 0, `${command}\n${r.stderr}`);
      printed.push(...`${r.stderr}\n${r.stdout}`.split("\n"));
      ran++;
    }
    if (!block.output || printed.length === 0) continue;
    let at = 0;
    for (const expected of block.output) {
      if (expected.trim() === "...") continue;
      const exact = printed.findIndex((line, i) => i >= at && shape(line) === shape(expected));
      const found = exact >= 0 ? exact : /^(\d+|\S+\.\w+): /.test(expected) ? printed.findIndex((line, i) => i >= at && looseShape(line) === looseShape(expected)) : -1;
      assert.ok(
        found >= 0,
        `after "${block.commands.join(" && ")}" the README shows\n  ${expected}\nbut nothing printed from line ${at} on has its shape (${shape(expected)}):\n${printed.slice(at).join("\n")}`,
      );
      at = found + 1;
    }
  }
  assert.ok(ran >= 10, `ran ${ran} README commands`);
});
