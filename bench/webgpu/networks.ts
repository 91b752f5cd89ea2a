// The canonical networks of bench:webgpu, in Glassbox's layer syntax (../shared/peers/torch_cnn.py's;
// the MLP is 784-256-128-10 ReLU). tfjs-page.ts builds the same ones with TF.js layers.
export const LAYERS = {
  mlp: null,
  cnn_fmnist: "conv:32,relu,maxpool:2,conv:64,relu,maxpool:2,dense:128,relu",
  cnn_cifar: "conv:32,bn,relu,maxpool:2,conv:64,bn,relu,maxpool:2,conv:128,bn,relu,maxpool:2",
} as const;
