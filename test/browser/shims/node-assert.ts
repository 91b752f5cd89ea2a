// node:assert/strict in a browser page: the methods test/conformance uses (ok, equal, deepEqual,
// throws), strict as in Node (Object.is, prototypes compared), with messages worded like Node's.
// The browser tests bundle a suite with "node:assert/strict" aliased to this file.

type Message = string | Error | undefined;

export class AssertionError extends Error {
  readonly code = "ERR_ASSERTION";
  readonly generatedMessage: boolean;

  constructor(
    message: string,
    readonly actual: unknown,
    readonly expected: unknown,
    readonly operator: string,
    generated: boolean,
  ) {
    super(message);
    this.generatedMessage = generated;
  }
}
AssertionError.prototype.name = "AssertionError";

function fail(message: Message, generated: () => string, actual: unknown, expected: unknown, operator: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? generated(), actual, expected, operator, message === undefined);
}

/** Fails unless `value` is truthy. */
export function ok(value: unknown, message?: Message): void {
  // Node quotes the call's source here; a bundle has none, so the value stands in for it.
  if (!value) fail(message, () => `The expression evaluated to a falsy value:\n\n  assert.ok(${preview(value)})\n`, value, true, "==");
}

/** Fails unless Object.is(actual, expected). */
export function equal(actual: unknown, expected: unknown, message?: Message): void {
  if (!Object.is(actual, expected)) {
    fail(message, () => `Expected values to be strictly equal:\n\n${preview(actual)} !== ${preview(expected)}\n`, actual, expected, "strictEqual");
  }
}

/** Fails unless actual and expected are deep-equal in Node's strict sense (arrays, typed arrays and plain objects). */
export function deepEqual(actual: unknown, expected: unknown, message?: Message): void {
  const difference = firstDifference(actual, expected, "");
  if (difference === null) return;
  const diff = `+ actual - expected\n\n+ ${preview(actual)}\n- ${preview(expected)}\n\nfirst difference at ${difference}`;
  if (message instanceof Error) throw message;
  const head = message ?? "Expected values to be strictly deep-equal:";
  throw new AssertionError(`${head}\n${diff}`, actual, expected, "deepStrictEqual", message === undefined);
}

type ErrorClass = abstract new (...args: never[]) => Error;
type Expected = RegExp | ErrorClass | ((error: unknown) => boolean);

/** Fails unless fn throws, and the error matches `expected` (a RegExp against String(error), an error class, or a validation function). */
export function throws(fn: () => unknown, expected?: Expected | string, message?: Message): void {
  if (typeof expected === "string") [message, expected] = [expected, undefined];
  try {
    fn();
  } catch (error) {
    if (expected !== undefined) matches(error, expected, message);
    return;
  }
  if (message instanceof Error) throw message;
  const detail = message === undefined ? "." : `: ${message}`;
  throw new AssertionError(`Missing expected exception${detail}`, undefined, expected, "throws", message === undefined);
}

function matches(error: unknown, expected: Expected, message: Message): void {
  if (expected instanceof RegExp) {
    const input = String(error);
    expected.lastIndex = 0;
    if (!expected.test(input)) {
      fail(message, () => `The input did not match the regular expression ${String(expected)}. Input:\n\n${preview(input)}\n`, error, expected, "throws");
    }
    return;
  }
  if (typeof expected !== "function") throw new TypeError(`the browser shim of assert.throws takes a RegExp, an error class or a function, got ${preview(expected)}`);
  if (expected.prototype instanceof Error || expected === Error) {
    if (!(error instanceof (expected as ErrorClass))) {
      const received = error instanceof Error ? error.name : preview(error);
      fail(message, () => `The error is expected to be an instance of "${expected.name}". Received "${received}"`, error, expected, "throws");
    }
    return;
  }
  const verdict = (expected as (error: unknown) => unknown)(error);
  if (verdict !== true) {
    fail(message, () => `The validation function is expected to return "true". Received ${preview(verdict)}`, error, expected, "throws");
  }
}

/** Where a and b first differ ("[3]", ".shape[1]", "the root: ..."), or null when they are deep-equal. */
function firstDifference(a: unknown, b: unknown, at: string): string | null {
  if (Object.is(a, b)) return null;
  const here = at || "the root";
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return `${here}: ${preview(a)} !== ${preview(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${here}: different prototypes (${kind(a)} and ${kind(b)})`;
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const [x, y] = [a as ArrayLike<unknown>, b as ArrayLike<unknown>];
    if (x.length !== y.length) return `${here}: length ${x.length} !== ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const inner = firstDifference(x[i], y[i], `${at}[${i}]`);
      if (inner !== null) return inner;
    }
    return null;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype && Object.getPrototypeOf(a) !== null) {
    throw new TypeError(`the browser shim of assert.deepEqual compares arrays, typed arrays and plain objects, got ${kind(a)}`);
  }
  const [keysA, keysB] = [Object.keys(a).sort(), Object.keys(b).sort()];
  if (keysA.join("\0") !== keysB.join("\0")) return `${here}: keys [${keysA.join(", ")}] !== [${keysB.join(", ")}]`;
  for (const key of keysA) {
    const inner = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (inner !== null) return inner;
  }
  return null;
}

function kind(value: object): string {
  return value.constructor?.name ?? "Object";
}

const SHOWN = 24; // elements of a long array before "... N more items", as Node cuts its output short

/** A short, Node-like rendering of a value for messages. */
function preview(value: unknown, depth = 0): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return `'${value.replaceAll("'", "\\'")}'`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `[Function: ${value.name || "(anonymous)"}]`;
  if (typeof value !== "object" || value === null) return String(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof RegExp) return String(value);
  if (depth > 2) return Array.isArray(value) ? "[Array]" : "[Object]";
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const shown = items.slice(0, SHOWN).map((item) => preview(item, depth + 1));
    if (items.length > SHOWN) shown.push(`... ${items.length - SHOWN} more items`);
    const prefix = Array.isArray(value) ? "" : `${kind(value)}(${items.length}) `;
    return `${prefix}${shown.length ? `[ ${shown.join(", ")} ]` : "[]"}`;
  }
  const entries = Object.entries(value).map(([key, item]) => `${key}: ${preview(item, depth + 1)}`);
  return entries.length ? `{ ${entries.join(", ")} }` : "{}";
}

/** assert(value, message) is assert.ok, as in node:assert/strict; the methods hang off it. */
const assert = Object.assign((value: unknown, message?: Message) => ok(value, message), { ok, equal, deepEqual, throws, AssertionError });
export default assert;
