import type { Loss } from "./loss.js";

/** Mean of (prediction - target)² over every output of every row. */
export function meanSquaredError(): Loss {
  return {
    name: "mean_squared_error",
    compute: (backend, prediction, targets, dPrediction, out, at) => {
      if (!targets.values) throw new Error("mean squared error needs target values");
      backend.meanSquaredError(prediction, targets.values, dPrediction, out, at);
    },
  };
}
