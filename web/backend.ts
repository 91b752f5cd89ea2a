/**
 * Where the training worker computes: WebGPU when asked for (any adapter) or, under "auto", when
 * the adapter is a GPU and not a software rasteriser; else the wasm backend (with threads when the
 * page is cross-origin isolated, else one: the worker is already the page's second thread), else
 * the reference backend. The text says which, and why WebGPU was not taken.
 */
import { createReferenceBackend, createWasmBackend, createWebGpuBackend, type Backend } from "glassbox";
import type { TrainBackend } from "./messages.js";

export async function cpuBackend(isolated: boolean): Promise<Backend> {
  return (await createWasmBackend(isolated ? {} : { threads: 1 })) ?? createReferenceBackend();
}

/**
 * The backend for `choice`; throws (for "webgpu" only) with the reason WebGPU cannot start.
 * Automatic trains a regression on the CPU: the webgpu backend trains classifiers only so far.
 */
export async function chooseBackend(choice: TrainBackend, isolated: boolean, regression: boolean): Promise<{ backend: Backend; text: string }> {
  let why = "";
  if (choice === "auto" && regression) why = "; WebGPU trains classifiers only so far";
  else if (choice !== "wasm") {
    try {
      const gpu = await createWebGpuBackend({ allowSoftware: choice === "webgpu" });
      const software = gpu.software ? ", a software adapter: slower than the CPU" : "";
      return { backend: gpu, text: `webgpu backend on ${gpu.adapter}${software}` };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (choice === "webgpu") throw new Error(`${message}. Choose Automatic or CPU (wasm) to train on the CPU.`);
      why = `; ${message.replace(/^webgpu: /, "no WebGPU: ")}`;
    }
  }
  const backend = await cpuBackend(isolated);
  const threads = (backend as { threads?: number }).threads ?? 1;
  const note = isolated ? "" : " (the page is not cross-origin isolated)";
  return { backend, text: `${backend.name} backend, ${threads} thread${threads === 1 ? "" : "s"}${note}${why}` };
}
