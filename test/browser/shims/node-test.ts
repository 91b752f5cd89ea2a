// node:test's `test` and `after` in a browser page, enough for test/conformance: `test` registers,
// `runRegistered` runs the registered tests one after another and says how each went. The browser
// tests bundle a suite with "node:test" aliased to this file (see test/browser/webgpu.test.ts).

export interface TestOptions {
  /** true or a reason: the test is reported and not run. */
  skip?: boolean | string;
  /** Milliseconds before the test fails as too slow (none by default, as in node:test). */
  timeout?: number;
}

type TestFn = () => unknown;

/** How one registered test went, in registration order. */
export interface TestResult {
  name: string;
  ok: boolean;
  /** The reason, when the test was skipped. */
  skipped: string | null;
  /** The error's name, message and stack, when it failed. */
  error: string | null;
  ms: number;
}

const registered: { name: string; options: TestOptions; fn: TestFn }[] = [];
const afterAll: TestFn[] = [];

/** Registers a test: test(name, fn) or test(name, options, fn), as node:test takes them. */
export function test(name: string, fn: TestFn): void;
export function test(name: string, options: TestOptions, fn: TestFn): void;
export function test(name: string, second: TestOptions | TestFn, third?: TestFn): void {
  const [options, fn] = typeof second === "function" ? [{}, second] : [second, third];
  if (typeof fn !== "function") throw new TypeError(`test "${name}": expected a function, got ${typeof fn}`);
  registered.push({ name, options, fn });
}

/** Runs once every registered test has run (in the order registered). */
export function after(fn: TestFn): void {
  afterAll.push(fn);
}

/** Runs the tests registered so far, in order, then the `after` hooks; `onResult` hears each as it ends. */
export async function runRegistered(onResult: (result: TestResult) => void = () => {}): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const { name, options, fn } of registered.splice(0)) {
    const start = performance.now();
    const skip = options.skip === true ? "skipped" : options.skip || null;
    let error: string | null = null;
    if (!skip) {
      try {
        await withTimeout(Promise.resolve().then(fn), options.timeout, name);
      } catch (thrown) {
        error = describe(thrown);
      }
    }
    const result = { name, ok: error === null, skipped: skip, error, ms: Math.round(performance.now() - start) };
    results.push(result);
    onResult(result);
  }
  for (const hook of afterAll.splice(0)) await hook();
  return results;
}

function withTimeout(run: Promise<unknown>, ms: number | undefined, name: string): Promise<unknown> {
  if (ms === undefined || !Number.isFinite(ms)) return run;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test "${name}" timed out after ${ms} ms`)), ms);
  });
  return Promise.race([run, late]).finally(() => clearTimeout(timer));
}

function describe(thrown: unknown): string {
  if (!(thrown instanceof Error)) return `thrown: ${String(thrown)}`;
  const frames = (thrown.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  return [`${thrown.name}: ${thrown.message}`, ...frames].join("\n");
}
