import { ActivationLayer, Conv2d, type Layer } from "../layers/index.js";
import { foldedNorm } from "./pass.js";
import type { Random } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * x through `layers` for answers only (no backward follows): as each layer's forward(x, false),
 * but a convolution followed by a batch norm runs as one convolution with the batch norm folded
 * into its weights, and an activation layer after either as that product's epilogue. The
 * CIFAR-10 network's batch norms and ReLUs took 16% of its inference. The logits differ from
 * forward's by float rounding only (about 1e-7 relative); explanations, which need gradients,
 * run forward.
 */
export function inferThrough(layers: readonly Layer[], x: Tensor, random: Random): Tensor {
  let h = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    if (!(layer instanceof Conv2d)) {
      h = layer.forward(h, false, random);
      continue;
    }
    const norm = foldedNorm(layers, i);
    const after = layers[i + (norm ? 2 : 1)];
    const activation = after instanceof ActivationLayer ? after.spec.activation : "linear";
    const { weight, bias } = norm ? norm.folded(layer.weight.value, layer.bias.value) : { weight: layer.weight.value, bias: layer.bias.value };
    h = layer.forwardWith(h, weight, bias, activation);
    i += (norm ? 1 : 0) + (activation === "linear" ? 0 : 1);
  }
  return h;
}
