// The float32 reference backend dressed as a device backend (read throws, only readAsync answers),
// so the suite's device path runs without a GPU: every number it checks is read with readAsync.
import type { Backend } from "../../src/backends/backend.js";
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { conformanceSuite } from "./suite.js";

function asDevice(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, key) {
      if (key === "device") return true;
      if (key === "read") {
        return () => {
          throw new Error("read: a device backend's numbers come back with readAsync");
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

conformanceSuite("reference float32 as a device", () => asDevice(createReferenceBackend({ dtype: "float32" })));
