import { count } from "../words.js";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { GlassboxError } from "../errors.js";
import { didYouMean } from "../suggest.js";
import { DEFAULT_INPUT_LIMITS, parseInputLimit, setInputLimits } from "../limits.js";

/** Command-line parsing on node:util's parseArgs, with errors that say what was expected. */

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

export const COMMON_OPTIONS = {
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  backend: { type: "string" },
  threads: { type: "string" },
  help: { type: "boolean", short: "h" },
  "input-limit": { type: "string", multiple: true },
} satisfies Options;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: Options, usage: string): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${parseProblem(error as Error & { code?: string }, Object.keys({ ...COMMON_OPTIONS, ...options }))}\nusage: ${usage}`);
  }
  // Every command takes --input-limit NAME=VALUE: the defaults, changed by these, hold for the
  // whole command (its decoders and the server's workers).
  const limits = (parsed.values["input-limit"] ?? []) as string[];
  setInputLimits(Object.assign({ ...DEFAULT_INPUT_LIMITS }, ...limits.map(parseInputLimit)));
  return { values: parsed.values as Parsed["values"], positionals: parsed.positionals };
}

/** node's parseArgs error in Glassbox's words: an unknown option with the nearest known one, or a missing value. */
function parseProblem(error: Error & { code?: string }, known: string[]): string {
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(error.message);
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) return `unknown option ${unknown[1]}${unknown[2]}${didYouMean(unknown[2], known, "--")}`;
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(error.message);
  if (missing) return `${missing[1]} needs a value`;
  // Other messages are several sentences on separate lines: keep them on one.
  return error.message.split("\n").join(" ");
}

export function text(values: Parsed["values"], name: string, fallback: string): string {
  const v = values[name];
  return typeof v === "string" ? v : fallback;
}

export function integer(values: Parsed["values"], name: string, fallback: number, min = 1): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new GlassboxError("BAD_ARGUMENT", `--${name}: expected an integer >= ${min}, got "${v}"`);
  return n;
}

export function number(values: Parsed["values"], name: string, fallback: number, check: (n: number) => boolean, expected: string): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new GlassboxError("BAD_ARGUMENT", `--${name}: expected ${expected}, got "${v}"`);
  return n;
}

/** "256,128" -> [256, 128]; "" or "none" -> []. */
export function integerList(values: Parsed["values"], name: string, fallback: number[]): number[] {
  const v = values[name];
  if (v === undefined) return fallback;
  if (v === "" || v === "none") return [];
  const parts = String(v)
    .split(",")
    .map((s) => Number(s.trim()));
  if (parts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new GlassboxError("BAD_ARGUMENT", `--${name}: expected positive integers separated by commas (e.g. 256,128), got "${v}"`);
  }
  return parts;
}

export function choice<T extends string>(values: Parsed["values"], name: string, fallback: T, allowed: readonly T[]): T {
  const v = values[name];
  if (v === undefined) return fallback;
  // Words joined by "-" or "_" alike: "leaky-relu" is "leaky_relu".
  const found = allowed.find((a) => a === v || (typeof v === "string" && a === v.replace(/-/g, "_")));
  if (found === undefined) {
    throw new GlassboxError("BAD_ARGUMENT", `--${name}: expected one of ${allowed.join(", ")}, got "${v}"${typeof v === "string" ? didYouMean(v, allowed) : ""}`);
  }
  return found;
}

export function onePositional(parsed: Parsed, what: string, usage: string): string {
  if (parsed.positionals.length !== 1) throw new UsageError(`expected ${what}, got ${count(parsed.positionals.length, "argument")}\nusage: ${usage}`);
  return parsed.positionals[0];
}
