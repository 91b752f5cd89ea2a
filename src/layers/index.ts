import type { Backend } from "../backends/backend.js";
import type { Shape } from "../tensor/tensor.js";
import { ACTIVATION, type ActivationSpec } from "./activation.js";
import { BATCHNORM, type BatchNormSpec } from "./batchnorm.js";
import { CONV2D, type Conv2dSpec } from "./conv2d.js";
import { DENSE, type DenseSpec } from "./dense.js";
import { DROPOUT, type DropoutSpec } from "./dropout.js";
import { FLATTEN, type FlattenSpec } from "./flatten.js";
import { AVGPOOL, type AvgPoolSpec, GLOBALAVGPOOL, type GlobalAvgPoolSpec, MAXPOOL, type MaxPoolSpec } from "./pool.js";
import { layerName, type Layer, type LayerType } from "./layer.js";
import { STANDARDIZE, type StandardizeSpec } from "./standardize.js";

/**
 * The layer types Glassbox knows. Adding one: a file in this folder with its spec, shape rule,
 * forward, backward and describe(), its spec in LayerSpec and one line in REGISTRY; the backends
 * get the kernels it calls. Nothing outside layers/ asks which type a layer is.
 */
export type LayerSpec = DenseSpec | DropoutSpec | StandardizeSpec | Conv2dSpec | MaxPoolSpec | AvgPoolSpec | GlobalAvgPoolSpec | BatchNormSpec | ActivationSpec | FlattenSpec;

const REGISTRY: Record<LayerSpec["type"], LayerType<LayerSpec>> = {
  dense: DENSE as LayerType<LayerSpec>,
  dropout: DROPOUT as LayerType<LayerSpec>,
  standardize: STANDARDIZE as LayerType<LayerSpec>,
  conv2d: CONV2D as LayerType<LayerSpec>,
  maxpool: MAXPOOL as LayerType<LayerSpec>,
  avgpool: AVGPOOL as LayerType<LayerSpec>,
  globalavgpool: GLOBALAVGPOOL as LayerType<LayerSpec>,
  batchnorm: BATCHNORM as LayerType<LayerSpec>,
  activation: ACTIVATION as LayerType<LayerSpec>,
  flatten: FLATTEN as LayerType<LayerSpec>,
};

export const LAYER_TYPES = Object.keys(REGISTRY) as LayerSpec["type"][];

function typeOf(spec: LayerSpec, index: number): LayerType<LayerSpec> {
  const type = typeof spec === "object" && spec !== null ? REGISTRY[spec.type] : undefined;
  if (!type) throw new Error(`layer ${index}: unknown layer type "${String((spec as { type?: unknown } | null)?.type)}"; expected one of ${LAYER_TYPES.join(", ")}`);
  return type;
}

/** One layer's output shape for this input shape; throws with the reason (no layer index). */
export function outputShapeOf(spec: LayerSpec, input: Shape): Shape {
  return typeOf(spec, 0).outputShape(spec, input);
}

/**
 * The shapes through a list of layers, from the per-example input shape, checking each spec:
 * shapes[i] is layer i's input, shapes[layers.length] the output. Allocates nothing.
 */
export function layerShapes(specs: readonly LayerSpec[], input: Shape): Shape[] {
  const shapes: Shape[] = [input];
  specs.forEach((spec, index) => {
    const type = typeOf(spec, index);
    try {
      shapes.push(type.outputShape(spec, shapes[index]));
    } catch (error) {
      throw new Error(`layer ${index} (${spec.type}): ${(error as Error).message}`);
    }
  });
  return shapes;
}

/** Every tensor the layers keep, with its full name ("layers.0.weight") and shape, before any is allocated. */
export function tensorShapes(specs: readonly LayerSpec[], input: Shape): Map<string, Shape> {
  const shapes = layerShapes(specs, input);
  const out = new Map<string, Shape>();
  specs.forEach((spec, index) => {
    for (const [name, shape] of Object.entries(typeOf(spec, index).tensorShapes(spec, shapes[index]))) out.set(`${layerName(index)}.${name}`, shape);
  });
  return out;
}

/** The layers of `specs` on `backend` (call layerShapes first to check them). */
export function createLayers(specs: readonly LayerSpec[], input: Shape, backend: Backend): Layer[] {
  const shapes = layerShapes(specs, input);
  return specs.map((spec, index) => typeOf(spec, index).create(spec, index, shapes[index], backend));
}

export { ActivationLayer, type ActivationSpec } from "./activation.js";
export { BatchNorm, type BatchNormSpec } from "./batchnorm.js";
export { Conv2d, type Conv2dSpec } from "./conv2d.js";
export { DENSE, Dense, defaultInitializer, type DenseSpec, type Initializer } from "./dense.js";
export { Flatten, type FlattenSpec } from "./flatten.js";
export { Pool, type AvgPoolSpec, type GlobalAvgPoolSpec, type MaxPoolSpec } from "./pool.js";
export { Dropout, type DropoutSpec } from "./dropout.js";
export { Standardize, type StandardizeSpec } from "./standardize.js";
export { Scratch, layerName, type Layer, type LayerDescription, type LayerType, type NamedTensor } from "./layer.js";
