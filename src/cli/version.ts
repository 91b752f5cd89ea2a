import { readFileSync } from "node:fs";

/** Glassbox's version, from the package.json beside dist/ and src/ alike. */
export function version(): string {
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return version;
}
