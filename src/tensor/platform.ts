/**
 * Whether this code runs under Node (not a browser or a web worker).
 * @example
 * if (isNode()) await import("node:os");
 */
export function isNode(): boolean {
  return Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);
}
