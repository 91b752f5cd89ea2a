import { GlassboxError } from "../errors.js";
import { padsOf, windowGeometry } from "../layers/window.js";
import type { LayerSpec } from "../layers/index.js";
import type { Network } from "../model/network.js";
import { sizeOf } from "../tensor/tensor.js";
import { hwioToOihw, transposed } from "./layouts.js";
import { encodeSafetensors, type NamedTensor } from "./safetensors.js";

/**
 * A Glassbox model as PyTorch code and weights, to train on at scale: `model.py` defines
 * `GlassboxModel`, a torch.nn.Module whose `layers` are Glassbox's layers by the same index
 * (nn.Linear, nn.Conv2d, pools, nn.BatchNorm1d/2d, activations), and `load(folder)`, which reads
 * `weights.safetensors` (PyTorch's names and layouts: Linear [out, in], Conv2d [out, in, h, w],
 * batch norm's running_mean and running_var) with no package beyond torch. `forward` takes
 * Glassbox's feature rows [batch, F] and returns the logits; `predict` the probabilities (or
 * a regression's values in the label's units), as `glassbox predict` gives them.
 */
export function exportPytorch(network: Network, version: string): { modelPy: string; weights: Uint8Array } {
  const values = new Map(network.tensors().map((t) => [t.name, Float32Array.from(network.backend.read(t.value))]));
  const get = (i: number, name: string): Float32Array => values.get(`layers.${i}.${name}`) ?? new Float32Array(0);
  const tensors: NamedTensor[] = [];
  const modules: string[] = [];
  const forward: string[] = [];
  const shapes = network.describe();
  let layout: "flat" | "nchw" = "flat";
  const toImage = (shape: number[]): void => {
    if (layout === "nchw") return;
    forward.push(`x = x.reshape(-1, ${shape.join(", ")}).permute(0, 3, 1, 2)  # Glassbox's [H, W, C] rows -> NCHW`);
    layout = "nchw";
  };
  const toFlat = (): void => {
    if (layout === "flat") return;
    forward.push("x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # back to Glassbox's HWC order");
    layout = "flat";
  };
  network.spec.layers.forEach((spec: LayerSpec, i) => {
    const input = shapes[i].inputShape;
    const at = `self.layers[${i}]`;
    switch (spec.type) {
      case "standardize":
        if (layout !== "flat") throw new GlassboxError("BAD_ARGUMENT", "PyTorch export: a standardize layer is exported on flat features only");
        modules.push("Standardize()");
        tensors.push({ name: `layers.${i}.mean`, shape: [sizeOf(input)], data: get(i, "mean") }, { name: `layers.${i}.std`, shape: [sizeOf(input)], data: get(i, "std") });
        forward.push(`x = ${at}(x)`);
        break;
      case "dense": {
        toFlat();
        const inputs = sizeOf(input);
        modules.push(`nn.Linear(${inputs}, ${spec.units})`);
        tensors.push(
          { name: `layers.${i}.weight`, shape: [spec.units, inputs], data: transposed(get(i, "weight"), inputs, spec.units) },
          { name: `layers.${i}.bias`, shape: [spec.units], data: get(i, "bias") },
        );
        forward.push(`x = ${activation(spec.activation, `${at}(x)`)}`);
        break;
      }
      case "activation":
        modules.push("nn.Identity()");
        forward.push(`x = ${activation(spec.activation, "x")}`);
        break;
      case "dropout":
        modules.push(`nn.Dropout(${spec.rate})`);
        forward.push(`x = ${at}(x)`);
        break;
      case "flatten":
        modules.push("nn.Identity()");
        toFlat();
        break;
      case "conv2d": {
        toImage(input);
        const size = spec.size ?? 3;
        const stride = spec.stride ?? 1;
        const [top, left, bottom, right] = padsOf(windowGeometry(input, size, size, stride, spec.padding ?? "same"));
        const symmetric = top === bottom && left === right;
        modules.push(`nn.Conv2d(${input[2]}, ${spec.filters}, ${size}, stride=${stride}, padding=${symmetric ? `(${top}, ${left})` : 0})`);
        const c = input[2];
        const f = spec.filters;
        tensors.push(
          { name: `layers.${i}.weight`, shape: [f, c, size, size], data: hwioToOihw(get(i, "weight"), size, c, f) },
          { name: `layers.${i}.bias`, shape: [f], data: get(i, "bias") },
        );
        forward.push(symmetric ? `x = ${at}(x)` : `x = ${at}(F.pad(x, (${left}, ${right}, ${top}, ${bottom})))  # "same" padding, more below and right`);
        break;
      }
      case "maxpool":
      case "avgpool":
        toImage(input);
        modules.push(`nn.${spec.type === "maxpool" ? "MaxPool2d" : "AvgPool2d"}(${spec.size}, stride=${spec.stride ?? spec.size})`);
        forward.push(`x = ${at}(x)`);
        break;
      case "globalavgpool":
        toImage(input);
        modules.push("nn.Identity()");
        forward.push("x = x.mean(dim=(2, 3))");
        layout = "flat";
        break;
      case "batchnorm": {
        const c = input[input.length - 1];
        if (input.length === 3) toImage(input);
        modules.push(`nn.BatchNorm${input.length === 3 ? "2d" : "1d"}(${c}, eps=${spec.epsilon ?? 1e-5}, momentum=${spec.momentum ?? 0.1})`);
        tensors.push(
          { name: `layers.${i}.weight`, shape: [c], data: get(i, "gamma") },
          { name: `layers.${i}.bias`, shape: [c], data: get(i, "beta") },
          { name: `layers.${i}.running_mean`, shape: [c], data: get(i, "runningMean") },
          { name: `layers.${i}.running_var`, shape: [c], data: get(i, "runningVar") },
        );
        forward.push(`x = ${at}(x)`);
        break;
      }
    }
  });
  toFlat();
  const scale = network.about.targetScale;
  if (scale)
    tensors.push(
      { name: "target_mean", shape: [scale.mean.length], data: Float32Array.from(scale.mean) },
      { name: "target_std", shape: [scale.std.length], data: Float32Array.from(scale.std) },
    );
  const output = network.spec.output;
  const answer =
    output === "softmax" ? "torch.softmax(logits, dim=1)" : output === "sigmoid" ? "torch.sigmoid(logits)" : scale ? "logits * self.target_std + self.target_mean" : "logits";
  const weights = encodeSafetensors({ metadata: { format: "pt", glassbox_version: version }, tensors });
  return { modelPy: modelPy(network, version, modules, forward, answer, Boolean(scale)), weights };
}

function activation(a: string, x: string): string {
  switch (a) {
    case "relu":
      return `F.relu(${x})`;
    case "leaky_relu":
      return `F.leaky_relu(${x}, 0.01)`;
    case "sigmoid":
      return `torch.sigmoid(${x})`;
    case "tanh":
      return `torch.tanh(${x})`;
    case "gelu":
      return `F.gelu(${x})`;
    case "softmax":
      return `torch.softmax(${x}, dim=1)`;
    default:
      return x;
  }
}

function modelPy(network: Network, version: string, modules: string[], forward: string[], answer: string, scaled: boolean): string {
  const indent = (lines: string[], by: string): string => lines.map((l) => `${by}${l}`).join("\n");
  return `"""A Glassbox model as a PyTorch module, written by glassbox ${version} (glassbox export --pytorch).

    import model
    net = model.load(".")                 # reads weights.safetensors beside this file
    net.predict(features)                 # features: [batch, ${network.inputs}] float32, as glassbox featurize prints them

forward() gives the logits and trains like any torch.nn.Module; predict() gives ${network.spec.output === "linear" ? "the values, in the label's units" : "the probabilities"}.
"""
import json
import os
import struct

import torch
from torch import nn
from torch.nn import functional as F

LABELS = ${JSON.stringify(network.labels)}
INPUT_SHAPE = ${JSON.stringify(network.inputShape)}  # one example, as Glassbox holds it


class Standardize(nn.Module):
    """(x - mean) / std with the training rows' statistics."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(${network.inputs}))
        self.register_buffer("std", torch.ones(${network.inputs}))

    def forward(self, x):
        return (x - self.mean) / self.std


class GlassboxModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([
${indent(
  modules.map((m) => `${m},`),
  "            ",
)}
        ])${
          scaled
            ? `
        self.register_buffer("target_mean", torch.zeros(${network.outputs}))
        self.register_buffer("target_std", torch.ones(${network.outputs}))`
            : ""
        }

    def forward(self, features):
        x = features
${indent(forward, "        ")}
        return x

    def predict(self, features):
        with torch.no_grad():
            logits = self.forward(features)
            return ${answer}


def read_safetensors(path):
    """The tensors of a safetensors file of float32 tensors, by name."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = 8 + length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[body + begin : body + end]), dtype=torch.float32).reshape(entry["shape"])
    return tensors


def load(folder=os.path.dirname(os.path.abspath(__file__))):
    net = GlassboxModel()
    state = read_safetensors(os.path.join(folder, "weights.safetensors"))
    missing, unexpected = net.load_state_dict(state, strict=False)
    missing = [name for name in missing if not name.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"weights.safetensors does not fit the model: missing {missing}, unexpected {unexpected}")
    return net.eval()
`;
}
