// The wasm backend against the reference, on one thread and on two.
import { after } from "node:test";
import { createWasmBackend, type WasmBackend } from "../../src/backends/wasm/index.js";
import { conformanceSuite } from "./suite.js";

const single = await createWasmBackend({ threads: 1 });
const double = await createWasmBackend({ threads: 2 });
if (!single || !double) throw new Error("the wasm backend did not load: WebAssembly SIMD is required");
conformanceSuite("wasm 1 thread", () => single as WasmBackend);
conformanceSuite("wasm 2 threads", () => double as WasmBackend);
after(() => {
  single.close();
  double.close();
});
