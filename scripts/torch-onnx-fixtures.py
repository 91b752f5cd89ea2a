"""Writes the PyTorch-made ONNX fixtures of test/onnx-import.test.ts: two small CNNs on 8x8 gray
images (one flattens with x.view) and an MLP on 6 numbers (LeakyReLU, GELU, Tanh), exported by torch.onnx.export (opset 13), a few inputs, and
PyTorch's softmax on them; and an LSTM graph, which Glassbox must refuse by name.

Run with Debian's python3-torch and python3-pil: /usr/bin/python3 scripts/torch-onnx-fixtures.py
"""
import json
import os

import numpy as np
import torch
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch-onnx")
torch.manual_seed(0)


def export(model, example, name):
    model.eval()
    torch.onnx.export(model, example, os.path.join(OUT, name), input_names=["input"], output_names=["logits"], opset_version=13,
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


cnn = torch.nn.Sequential(
    torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(4, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(8 * 2 * 2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
# A few batches in training mode give batch norm running statistics that are not 0 and 1.
cnn.train()
with torch.no_grad():
    for _ in range(5):
        cnn(torch.rand(16, 1, 8, 8) * 2)
export(cnn, torch.rand(1, 1, 8, 8), "cnn.onnx")

rng = np.random.default_rng(1)
images = []
for i in range(4):
    pixels = (rng.random((8, 8)) * 255).astype(np.uint8)
    pixels[i : i + 3, :] = 255  # a bright bar, lower in each image
    Image.fromarray(pixels, mode="L").save(os.path.join(OUT, f"digit{i}.png"))
    images.append(pixels.astype(np.float32) / 255)
with torch.no_grad():
    cnn_softmax = torch.softmax(cnn(torch.tensor(np.stack(images))[:, None]), 1).numpy()

class ViewNet(torch.nn.Module):
    """Flattens with x.view(x.size(0), -1), which exports as Shape, Gather, Unsqueeze, Concat and Reshape."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 3, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.head = torch.nn.Linear(3 * 4 * 4, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        return self.head(x.view(x.size(0), -1))


view = ViewNet()
export(view, torch.rand(1, 1, 8, 8), "cnn-view.onnx")
with torch.no_grad():
    view_softmax = torch.softmax(view(torch.tensor(np.stack(images))[:, None]), 1).numpy()

mlp = torch.nn.Sequential(torch.nn.Linear(6, 12), torch.nn.LeakyReLU(0.01), torch.nn.Linear(12, 10), torch.nn.GELU(), torch.nn.Linear(10, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
export(mlp, torch.rand(1, 6), "mlp.onnx")
rows = rng.normal(size=(5, 6)).astype(np.float32)
with open(os.path.join(OUT, "rows.csv"), "w") as f:
    f.write(",".join(f"f{j + 1}" for j in range(6)) + "\n")
    for r in rows:
        f.write(",".join(f"{v:.6f}" for v in r) + "\n")
rows = np.array([[float(f"{v:.6f}") for v in r] for r in rows], dtype=np.float32)
with torch.no_grad():
    mlp_softmax = torch.softmax(mlp(torch.tensor(rows)), 1).numpy()


class Recurrent(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(4, 3, batch_first=True)
        self.head = torch.nn.Linear(3, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


torch.onnx.export(Recurrent().eval(), torch.rand(1, 5, 4), os.path.join(OUT, "lstm.onnx"), input_names=["input"], opset_version=13)

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cnn_softmax": cnn_softmax.tolist(), "view_softmax": view_softmax.tolist(), "mlp_softmax": mlp_softmax.tolist()}, f)
    f.write("\n")
print("wrote", sorted(os.listdir(OUT)))
