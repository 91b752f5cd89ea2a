// The Glassbox wasm kernels: every export works on byte offsets into the one shared memory that
// holds parameters, gradients, activations and optimizer state.
export { gemm, gemmScratchBytes } from "./gemm";
export { activate, activationBackward, columnSums, dropout, multiply, scale, sumOfSquares } from "./elementwise";
export { im2col, col2im } from "./im2col";
export { gemmMany, transposeMany, winogradFilter, winogradFilterAdjoint, winogradInput, winogradInputAdjoint, winogradOutput, winogradOutputAdjoint } from "./winograd";
export { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward } from "./pooling";
export { batchNormForward, batchNormBackward, batchNormScratchBytes } from "./batchnorm";
export { softmaxCrossEntropy, binaryCrossEntropy, meanSquaredError, huberLoss } from "./losses";
export { sgdStep, adamStep } from "./optimizers";

/** First byte free for the JavaScript allocator (above the module's static data). */
export function heapBase(): usize {
  return __heap_base;
}
