#!/usr/bin/env python3
"""Trains the two networks `qnnsim eval` ships with on Fashion-MNIST and exports
them to ONNX: LeNet-5 (workloads/lenet5.yaml, conv1 padded by 2 so a 28x28
image sees the trace's 32x32 input) and the seed-003 MNIST-style CNN
(workloads/mnist_cnn.yaml: two 3x3 convs of 12 filters with ReLU, a 2x2
max-pool, one FC of 10). Debian's python3-torch on the CPU, run with
/usr/bin/python3; the data are Debian's dataset-fashion-mnist.

usage: train_fashion_mnist.py [OUT_DIR] [--epochs N] [--data DIR] [--threads N]
writes OUT_DIR/lenet5_fashion.onnx and OUT_DIR/mnist_cnn_fashion.onnx
(default OUT_DIR: workloads/models) and prints each model's float top-1
accuracy on the 10,000 test images.

Inputs are the raw pixels divided by 255 (no mean or standard deviation), so
the C++ side feeds exactly what the network was trained on without a
normalisation constant to keep in step.
"""
import argparse
import gzip
import os
import random
import struct
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An idx file (the MNIST format): magic with the element type and rank, then big-endian dims."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype, rank = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"train_fashion_mnist: {path}: not an idx file of unsigned bytes")
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(data_dir, split):
    stem = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, f"{stem}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{stem}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class LeNet5(nn.Sequential):
    # Named layers: ONNX nodes (and so `qnnsim eval` layers) are called conv1_Conv, fc_Gemm, ...
    def __init__(self):
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(1, 6, 5, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(400, 120)), ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
            ("fc3", nn.Linear(84, 10))]))


class MnistCnn(nn.Sequential):
    # Named layers: ONNX nodes (and so `qnnsim eval` layers) are called conv1_Conv, fc_Gemm, ...
    def __init__(self):
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(1, 12, 3)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(12, 12, 3)), ("relu2", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(12 * 12 * 12, 10))]))


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


def train(model, x, y, epochs, seed, lr=2e-3):
    # The order of the batches comes from its own generator, so each model's
    # training does not depend on what ran before it.
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * ((len(x) + 127) // 128))
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"  epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              "..", "workloads", "models"))
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--data", default=DEFAULT_DATA, help="folder of the four idx .gz files")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    random.seed(3)
    np.random.seed(3)

    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "test")
    os.makedirs(a.out_dir, exist_ok=True)
    for name, cls, seed in (("lenet5_fashion", LeNet5, 5), ("mnist_cnn_fashion", MnistCnn, 3)):
        torch.manual_seed(seed)  # the initial weights
        model = cls()
        start = time.time()
        print(f"{name}: training {a.epochs} epochs", flush=True)
        train(model, xtr, ytr, a.epochs, seed)
        acc = accuracy(model, xte, yte)
        out = os.path.join(a.out_dir, name + ".onnx")
        model.eval()
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), out, opset_version=13,
                          input_names=["image"], output_names=["logits"])
        print(f"{name}: float test accuracy {acc:.4f} ({round(acc * 10000)}/10000), "
              f"{time.time() - start:.0f} s, wrote {os.path.relpath(out)}", flush=True)


if __name__ == "__main__":
    main()
