// The conformance suite in a browser page, unchanged: test/browser/webgpu.test.ts bundles this file
// with "node:test" and "node:assert/strict" aliased to test/browser/shims/, serves it from
// 127.0.0.1 (WebGPU needs a secure context) and reads `window.results` once it is set.
// ?backend=reference (the float32 reference: proves the harness) or ?backend=webgpu.
import type { Backend } from "../../src/backends/backend.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { runRegistered, type TestResult } from "../browser/shims/node-test.js";
import { conformanceSuite } from "./suite.js";

/** What the page says about WebGPU, whichever backend it tests. */
export interface GpuReport {
  /** Whether navigator.gpu exists. */
  api: boolean;
  /** The adapter requestAdapter() returned, or null when it returned none. */
  adapter: { vendor: string; architecture: string; device: string; description: string; fallback: boolean; limits: Record<string, number> } | null;
}

/** What the page leaves on `window` for the test to read. */
export interface PageWindow {
  gpu?: GpuReport;
  /** The backend's description, once it is made (its name, and the adapter for webgpu). */
  backend?: string;
  /** Every test's result, once all have run; a single failed entry when the backend could not be made. */
  results?: TestResult[];
}

const LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
] as const;

async function describeGpu(): Promise<GpuReport> {
  if (!("gpu" in navigator)) return { api: false, adapter: null };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { api: true, adapter: null };
  const { vendor, architecture, device, description } = adapter.info;
  const limits = Object.fromEntries(LIMITS.map((name) => [name, adapter.limits[name]]));
  return { api: true, adapter: { vendor, architecture, device, description, fallback: adapter.info.isFallbackAdapter ?? false, limits } };
}

async function createBackend(name: string): Promise<[Backend, string]> {
  if (name === "reference") return [createReferenceBackend({ dtype: "float32" }), "reference float32"];
  if (name === "webgpu") {
    const { createWebGpuBackend } = await import("../../src/backends/webgpu/index.js");
    const backend = await createWebGpuBackend();
    return [backend, `webgpu (${backend.adapter})`];
  }
  throw new Error(`?backend= names a backend: reference or webgpu, got "${name}"`);
}

const page = window as unknown as PageWindow;
const name = new URLSearchParams(location.search).get("backend") ?? "reference";
try {
  page.gpu = await describeGpu(); // first, so the test knows the script started
  const [backend, description] = await createBackend(name);
  page.backend = description;
  conformanceSuite(name === "reference" ? "reference float32" : name, () => backend);
  page.results = await runRegistered((result) => {
    document.title = `${result.ok ? "ok" : "not ok"} ${result.name}`; // progress, for anyone watching
  });
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  page.results = [{ name: `${name}: the backend is made`, ok: false, skipped: null, error: message, ms: 0 }];
}
