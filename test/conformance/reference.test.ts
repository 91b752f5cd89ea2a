// The float32 reference backend (the one Glassbox trains with) against the float64 one.
import { createReferenceBackend } from "../../src/backends/reference/index.js";
import { conformanceSuite } from "./suite.js";

conformanceSuite("reference float32", () => createReferenceBackend({ dtype: "float32" }));
