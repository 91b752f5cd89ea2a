// The error a call throws, for tests that check its code and message.
import assert from "node:assert/strict";
import { GlassboxError } from "../../src/errors.js";

/** Runs `fn`, which must throw a GlassboxError, and returns that error. */
export function failure(fn: () => unknown): GlassboxError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GlassboxError, `expected a GlassboxError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an error");
}

/** "CODE: message" of the GlassboxError `fn` throws. */
export function errorCode(fn: () => unknown): string {
  const error = failure(fn);
  return `${error.code}: ${error.message}`;
}
