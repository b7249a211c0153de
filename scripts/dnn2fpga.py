#!/usr/bin/python3
"""The DNN2FPGA case study's model optimizer, on the seed-003 CNN.

Tourad and Eleuldj (J. Comput. Sci. 18(11), 2022, DOI 10.3844/jcssp.2022.1021.1029)
quantize an MNIST CNN in three steps (post-training quantization, then partial
quantization that keeps the layers most sensitive to it wider, then
quantization-aware training) and report size and latency cut by about 4x at
equal accuracy. This script runs those three steps on the network
workloads/mnist_cnn.yaml describes (two 3x3 convs of 12 filters with ReLU, a
2x2 max-pool, an FC of 10; the kernel sizes are assumed), prints a table of
accuracy and model size per step, and exports:

  OUT_DIR/dnn2fpga_float.onnx  the float model (plain torch.onnx.export)
  OUT_DIR/dnn2fpga_qdq.onnx    the quantized model of step 3 as QDQ: integer
                               weight initializers through DequantizeLinear,
                               each layer's input through QuantizeLinear /
                               DequantizeLinear, at the widths step 2 chose

MNIST is not packaged in Debian, so the data are Debian's Fashion-MNIST
(dataset-fashion-mnist): the accuracies cannot be set beside the paper's MNIST
figures, only the drops between steps.

Quantization (as `qnnsim eval` does it): weights symmetric, one scale per
output channel, codes -(2^(b-1)-1) .. 2^(b-1)-1; activations asymmetric
uint8 (or int16 where kept wide), ranges min-max on 1000 training images.
Fake quantization with a straight-through gradient for step 3.

usage: dnn2fpga.py [OUT_DIR] [--epochs N] [--qat-epochs N] [--data DIR] [--threads N]
                   [--qnnsim BINARY [--traces DIR]]
With --qnnsim, also imports both models as workloads/dnn2fpga_float.yaml
(its header set to fp32) and workloads/dnn2fpga_int8.yaml.
Debian's python3-torch on the CPU; run with /usr/bin/python3.
"""
import argparse
import os
import random
import subprocess
import sys
import time
from collections import OrderedDict

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_fashion_mnist import DEFAULT_DATA, accuracy, load, train  # noqa: E402  (the same reader, training and scoring)

LAYERS = ("conv1", "conv2", "fc")  # the layers with weights, in order
NARROW, WIDE = 8, 16               # step 1's width; the width step 2 keeps a sensitive layer at
SENSITIVE_POINTS = 0.5             # a layer is sensitive when quantizing it alone costs more than this


class Cnn(nn.Module):
    """The seed-003 CNN with a quantization setting per layer: {layer: bits} (absent = float)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 12, 3)
        self.conv2 = nn.Conv2d(12, 12, 3)
        self.fc = nn.Linear(12 * 12 * 12, 10)
        self.bits = {}    # layer -> bits of its weights and of its input
        self.ranges = {}  # layer -> (min, max) of its input, from calibration
        self.observe = None  # when a dict, forward records each layer's input range into it

    def _in(self, name, x):
        if self.observe is not None:
            lo, hi = self.observe.get(name, (0.0, 0.0))
            self.observe[name] = (min(lo, x.min().item()), max(hi, x.max().item()))
        if name in self.bits:
            x = fake_quant_act(x, *self.ranges[name], self.bits[name])
        return x

    def _w(self, name):
        w = getattr(self, name).weight
        return fake_quant_weight(w, self.bits[name]) if name in self.bits else w

    def forward(self, x):
        x = torch.relu(nn.functional.conv2d(self._in("conv1", x), self._w("conv1"), self.conv1.bias))
        x = torch.relu(nn.functional.conv2d(self._in("conv2", x), self._w("conv2"), self.conv2.bias))
        x = nn.functional.max_pool2d(x, 2).flatten(1)
        return nn.functional.linear(self._in("fc", x), self._w("fc"), self.fc.bias)


def ste(x, q):
    """q in the forward pass, the identity's gradient in the backward one."""
    return x + (q - x).detach()


def weight_scale(w, bits):
    top = 2 ** (bits - 1) - 1
    return w.detach().abs().flatten(1).max(1).values.clamp_min(1e-12) / top


def fake_quant_weight(w, bits):
    top = 2 ** (bits - 1) - 1
    s = weight_scale(w, bits).view(-1, *([1] * (w.dim() - 1)))
    return ste(w, torch.clamp(torch.round(w / s), -top, top) * s)


def act_params(lo, hi, bits):
    """Asymmetric codes 0 .. 2^bits-1 over [lo, hi] widened to hold 0 (ReLU's floor stays exact)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    levels = 2 ** bits - 1
    scale = max(hi - lo, 1e-12) / levels
    zero = int(round(-lo / scale))
    return scale, zero, levels


def fake_quant_act(x, lo, hi, bits):
    scale, zero, levels = act_params(lo, hi, bits)
    return ste(x, (torch.clamp(torch.round(x / scale) + zero, 0, levels) - zero) * scale)


def calibrate(model, x):
    model.observe = {}
    model.eval()
    with torch.no_grad():
        model(x)
    model.ranges, model.observe = model.observe, None


def size_bytes(model):
    """Weights at their widths plus biases as 32-bit values (as int8 deployments store them)."""
    total = 0
    for name in LAYERS:
        layer = getattr(model, name)
        total += layer.weight.numel() * model.bits.get(name, 32) // 8 + layer.bias.numel() * 4
    return total


def export_float(model, path):
    plain = nn.Sequential(OrderedDict([
        ("conv1", model.conv1), ("relu1", nn.ReLU()), ("conv2", model.conv2), ("relu2", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)), ("flatten", nn.Flatten()), ("fc", model.fc)]))
    plain.eval()
    torch.onnx.export(plain, torch.zeros(1, 1, 28, 28), path, opset_version=13,
                      input_names=["image"], output_names=["logits"])


def export_qdq(model, path):
    """The quantized model as ONNX QDQ, written node by node.

    torch 1.13 exports fake quantization only at 8 bits, and step 2 may keep a
    layer at 16, so the graph is built here: each weight is an integer
    initializer (int8 or int16 codes) through DequantizeLinear with a scale
    per output channel; each layer's input passes QuantizeLinear and
    DequantizeLinear with the calibrated scale and zero point (uint8, or
    int16 with the codes shifted by -32768 at 16 bits). Node names follow
    torch's export, so `qnnsim import` names the layers conv1_Conv, conv2_Conv, fc_Gemm.
    """
    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(array, name))
        return name

    def qdq_input(layer, src):
        bits = model.bits[layer]
        scale, zero, _ = act_params(*model.ranges[layer], bits)
        if bits <= 8:
            zp = np.array(zero, dtype=np.uint8)
        else:  # int16 codes: the unsigned code minus 2^(bits-1)
            zp = np.array(zero - 2 ** (bits - 1), dtype=np.int16)
        s = const(f"{layer}.in_scale", np.array(scale, dtype=np.float32))
        z = const(f"{layer}.in_zero", zp)
        nodes.append(helper.make_node("QuantizeLinear", [src, s, z], [f"{layer}.in_q"], name=f"{layer}_in_Quantize"))
        nodes.append(helper.make_node("DequantizeLinear", [f"{layer}.in_q", s, z], [f"{layer}.in_dq"],
                                      name=f"{layer}_in_Dequantize"))
        return f"{layer}.in_dq"

    def qdq_weight(layer):
        bits = model.bits[layer]
        w = getattr(model, layer).weight.detach()
        scale = weight_scale(w, bits)
        top = 2 ** (bits - 1) - 1
        codes = torch.clamp(torch.round(w / scale.view(-1, *([1] * (w.dim() - 1)))), -top, top).numpy()
        dtype = np.int8 if bits <= 8 else np.int16
        q = const(f"{layer}.weight_q", codes.astype(dtype))
        s = const(f"{layer}.weight_scale", scale.numpy().astype(np.float32))
        z = const(f"{layer}.weight_zero", np.zeros(w.shape[0], dtype=dtype))
        nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [f"{layer}.weight_dq"], axis=0,
                                      name=f"{layer}_weight_Dequantize"))
        return f"{layer}.weight_dq"

    def bias(layer):
        return const(f"{layer}.bias", getattr(model, layer).bias.detach().numpy().astype(np.float32))

    x = qdq_input("conv1", "image")
    nodes.append(helper.make_node("Conv", [x, qdq_weight("conv1"), bias("conv1")], ["c1"], name="conv1/Conv"))
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"], name="relu1/Relu"))
    x = qdq_input("conv2", "r1")
    nodes.append(helper.make_node("Conv", [x, qdq_weight("conv2"), bias("conv2")], ["c2"], name="conv2/Conv"))
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2/Relu"))
    nodes.append(helper.make_node("MaxPool", ["r2"], ["p1"], kernel_shape=[2, 2], strides=[2, 2], name="pool1/MaxPool"))
    nodes.append(helper.make_node("Flatten", ["p1"], ["f"], axis=1, name="flatten/Flatten"))
    x = qdq_input("fc", "f")
    nodes.append(helper.make_node("Gemm", [x, qdq_weight("fc"), bias("fc")], ["logits"], transB=1, name="fc/Gemm"))
    graph = helper.make_graph(nodes, "dnn2fpga_qdq",
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 28, 28])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    # Opset 13's QuantizeLinear names only 8-bit codes; the int16 zero point of a
    # wide layer is the form ONNX 1.14's opset 21 made standard, and the form
    # `qnnsim import` reads the width from.
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


FP32 = {"weights": "{bits: 32, scheme: float}", "inputs": "{bits: 32, scheme: float}",
        "outputs": "{bits: 32, scheme: float}", "accumulator": "{bits: 32, scheme: float}"}


def write_traces(qnnsim, float_path, qdq_path, trace_dir):
    """`qnnsim import` of both models as they are exported, each trace named
    for its file. A float model imports at qnnsim's default precision (8-bit
    uniform; its header says to change it there); the float design computes
    in fp32, so its header is set to that."""
    for name, model in (("dnn2fpga_float", float_path), ("dnn2fpga_int8", qdq_path)):
        path = os.path.join(trace_dir, name + ".yaml")
        subprocess.run([qnnsim, "import", model, "-o", path], check=True)
        with open(path) as f:
            lines = f.read().splitlines()
        lines = [f"network: {name}" if line.startswith("network: ") else line for line in lines]
        if name == "dnn2fpga_float":
            start = lines.index("# The graph has no quantization nodes: the precision below is qnnsim's default,")
            lines[start:start + 2] = ["# The graph has no quantization nodes; scripts/dnn2fpga.py set the precision",
                                      "# below to fp32, the model as trained, before quantization."]
            header = lines.index("precision:")
            for i in range(header + 1, header + 5):
                tensor = lines[i].split(":")[0].strip()
                lines[i] = f"  {tensor + ':':<12} {FP32[tensor]}"
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")


def step_row(label, model, xte, yte, float_acc):
    acc = accuracy(model, xte, yte)
    widths = ", ".join(f"{n} {model.bits.get(n, 32)}{'' if n in model.bits else ' (float)'}" for n in LAYERS)
    drop = "—" if float_acc is None else f"{(acc - float_acc) * 100:+.2f}"
    print(f"| {label} | {widths} | {acc:.4f} | {drop} | {size_bytes(model):,} |", flush=True)
    return acc


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              "..", "workloads", "models"))
    p.add_argument("--epochs", type=int, default=2, help="float training epochs")
    p.add_argument("--qat-epochs", type=int, default=1, help="quantization-aware training epochs (step 3)")
    p.add_argument("--data", default=DEFAULT_DATA, help="folder of the four idx .gz files")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--qnnsim", help="a qnnsim binary: also import both models as workload traces")
    p.add_argument("--traces", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workloads"),
                   help="where --qnnsim writes dnn2fpga_float.yaml and dnn2fpga_int8.yaml")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    random.seed(3)
    np.random.seed(3)
    torch.manual_seed(3)
    start = time.time()

    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "test")
    calib = xtr[:1000]
    model = Cnn()
    print(f"float training, {a.epochs} epochs (Fashion-MNIST: MNIST is not packaged in Debian)", flush=True)
    train(model, xtr, ytr, a.epochs, seed=3, lr=2e-3)
    calibrate(model, calib)
    os.makedirs(a.out_dir, exist_ok=True)
    float_path = os.path.join(a.out_dir, "dnn2fpga_float.onnx")
    export_float(model, float_path)

    print("\n| step | widths (weights and input, bits) | top-1 | vs float, points | size, bytes |")
    print("|---|---|---|---|---|")
    float_acc = step_row("float", model, xte, yte, None)

    # Step 1: post-training quantization of every layer at 8 bits.
    model.bits = {n: NARROW for n in LAYERS}
    ptq_acc = step_row("1. post-training int8", model, xte, yte, float_acc)

    # Step 2: each layer quantized alone; those whose drop passes the
    # threshold stay at 16 bits. None may: then step 2 changes nothing, and
    # no layer is made wide to give it something to do.
    drops = {}
    for n in LAYERS:
        model.bits = {n: NARROW}
        drops[n] = float_acc - accuracy(model, xte, yte)
    print("| | per-layer drop, each quantized alone at 8 bits (points): " +
          ", ".join(f"{n} {-drops[n] * 100:+.2f}" for n in LAYERS) + " | | | |", flush=True)
    sensitive = [n for n in LAYERS if drops[n] * 100 > SENSITIVE_POINTS]
    model.bits = {n: WIDE if n in sensitive else NARROW for n in LAYERS}
    kept = f"{', '.join(sensitive)} kept at {WIDE}" if sensitive else f"no layer loses over {SENSITIVE_POINTS} points alone"
    step_row(f"2. partial: {kept}", model, xte, yte, float_acc)

    # Step 3: quantization-aware training at step 2's widths, from the float
    # weights, at a tenth of the float learning rate; then the ranges again.
    print(f"\nquantization-aware training, {a.qat_epochs} epoch(s)", flush=True)
    train(model, xtr, ytr, a.qat_epochs, seed=4, lr=2e-4)
    calibrate(model, calib)
    step_row("3. quantization-aware training", model, xte, yte, float_acc)
    print(f"post-training int8 cost {(float_acc - ptq_acc) * 100:.2f} points; size float / quantized "
          f"{size_bytes(Cnn()) / size_bytes(model):.2f}x (paper: 0.08 MB -> 0.023 MB, 3.5x; abstract: about 4x)")

    qdq_path = os.path.join(a.out_dir, "dnn2fpga_qdq.onnx")
    export_qdq(model, qdq_path)
    print(f"wrote {os.path.relpath(float_path)} and {os.path.relpath(qdq_path)} ({time.time() - start:.0f} s)")
    if a.qnnsim:
        write_traces(a.qnnsim, float_path, qdq_path, a.traces)


if __name__ == "__main__":
    main()
