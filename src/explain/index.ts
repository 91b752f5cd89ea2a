/**
 * Explanations: why a network gave its answer for an input, one number per feature.
 * Gradients come from the network's own backward pass on its backend (never finite differences).
 */
export { explain, explainBatch } from "./explain.js";
export { EXPLAIN_METHODS, type ExplainMethod, type ExplainOptions, type Explanation } from "./types.js";
export { baselineFor, baselineInWords } from "./baseline.js";
