import type { Loss } from "./loss.js";

/**
 * Huber loss: squared for residuals up to `delta`, straight beyond, so a few wild targets pull
 * less than under mean squared error. On standardised targets delta 1 is one standard deviation.
 */
export function huberLoss(delta = 1): Loss {
  return {
    name: "huber",
    compute: (backend, prediction, targets, dPrediction, out, at) => {
      if (!targets.values) throw new Error("the Huber loss needs target values");
      backend.huberLoss(prediction, targets.values, delta, dPrediction, out, at);
    },
  };
}
