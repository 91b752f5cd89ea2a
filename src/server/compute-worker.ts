// A compute worker of the server (compute.ts): its own copy of the model, on a one-thread wasm
// backend (or the reference where wasm cannot load), answering one job at a time.
import { parentPort, workerData } from "node:worker_threads";
import { createReferenceBackend } from "../backends/reference/index.js";
import { createWasmBackend } from "../backends/wasm/index.js";
import { decodeModel } from "../io/modelFile.js";
import { setInputLimits, type InputLimits } from "../limits.js";
import { answer, type Job } from "./answers.js";
import { errorData } from "./compute.js";

const { modelBytes, name, limits } = workerData as { modelBytes: Uint8Array; name: string; limits: InputLimits };
setInputLimits(limits);
const backend = (await createWasmBackend({ threads: 1 })) ?? createReferenceBackend();
const network = decodeModel(modelBytes, name, backend);
const port = parentPort as NonNullable<typeof parentPort>;
port.on("message", ({ id, job }: { id: number; job: Job }) => {
  try {
    port.postMessage({ id, result: answer(network, job) });
  } catch (error) {
    port.postMessage({ id, error: errorData(error) });
  }
});
port.postMessage({ ready: true });
