#!/usr/bin/env python3
"""Quantization-aware training in PyTorch, handed to qnnsim: fine-tunes the
shipped seed-003 CNN (workloads/models/mnist_cnn_fashion.onnx) with eager QAT
(torch.ao.quantization fake quantization) on Fashion-MNIST, then

  1. exports the fine-tuned weights as a float ONNX model and `qnnsim import`s it;
  2. writes the QAT model's own scales and zero points into that trace (the
     `scale` and `zero_point` keys `qnnsim quantize` writes), so qnnsim runs
     PyTorch's quantization, not one it calibrates itself;
  3. scores it with `qnnsim eval MODEL --trace TRACE`, beside PyTorch's
     accuracy of the same fake-quantized model and qnnsim's own post-training
     quantization of the shipped and of the fine-tuned weights;
  4. at 8 bits, converts the model to PyTorch's int8 kernels, exports that
     (QuantizeLinear / DequantizeLinear around the ops), `qnnsim import`s
     it, and scores it with `qnnsim eval` by the export's own scales (a QDQ
     model needs no trace) beside PyTorch's int8 kernels.

The fake quantization is the one qnnsim's integer path computes: symmetric
weights with a scale per output channel and codes -(2^(b-1)-1) .. 2^(b-1)-1,
asymmetric activations 0 .. 2^b-1 with a zero point, rounding to nearest even.
The logits are observed but not rounded in PyTorch, as qnnsim reads them as
real values (the int8 conversion at 8 bits does round them).

usage: qat_handoff.py [--qnnsim build/qnnsim] [--bits 8] [--steps 400] [--limit N] [--out DIR] [--check POINTS]
Debian's python3-torch, python3-onnx and python3-yaml; run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
import torch.ao.quantization as tq
import yaml
from onnx import numpy_helper
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from train_fashion_mnist import DEFAULT_DATA, MnistCnn, accuracy, load  # noqa: E402

SHIPPED = os.path.join(HERE, "..", "workloads", "models", "mnist_cnn_fashion.onnx")


class QatCnn(nn.Module):
    """MnistCnn with the stubs eager QAT needs; the same module names, so the
    same ONNX node names and the same layer names in qnnsim."""

    def __init__(self, f):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1, self.relu1, self.conv2, self.relu2 = f.conv1, f.relu1, f.conv2, f.relu2
        self.pool1, self.flatten, self.fc = f.pool1, f.flatten, f.fc
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu2(self.conv2(self.relu1(self.conv1(x))))
        return self.dequant(self.fc(self.flatten(self.pool1(x))))


def qconfig(bits):
    """qnnsim's scheme (numerics/quant_params.h) as fake quantization."""
    top = 2 ** (bits - 1) - 1
    act = tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=0, quant_max=2 ** bits - 1,
                                    dtype=torch.quint8, qscheme=torch.per_tensor_affine)
    weight = tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-top,
                                       quant_max=top, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                                       ch_axis=0)
    return tq.QConfig(activation=act, weight=weight)


def shipped_model(path):
    """MnistCnn with the weights of the shipped ONNX file (its initializers keep PyTorch's names)."""
    model = MnistCnn()
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(path).graph.initializer}
    state = model.state_dict()
    missing = [k for k in state if k not in weights]
    if missing:
        sys.exit(f"qat_handoff: {path} has no initializers {missing}")
    model.load_state_dict({k: weights[k] for k in state})
    return model


def fine_tune(model, x, y, steps, lr, seed):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(len(x), generator=g)
    for step in range(steps):
        idx = order[(step * 128) % len(x):][:128]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        if (step + 1) % 100 == 0:
            print(f"  step {step + 1}/{steps}: loss {loss.item():.4f}", flush=True)


def quant_of(fake_quant):
    return float(fake_quant.scale.item()), int(fake_quant.zero_point.item())


def tensor(bits, scale, zero_point):
    return {"bits": bits, "scheme": "uniform_asymmetric", "scale": scale, "zero_point": zero_point}


def write_trace(qnnsim, qat, bits, float_onnx, trace):
    """`qnnsim import` the fine-tuned float model, then give each layer the QAT model's scales."""
    imported = trace + ".imported.yaml"
    run([qnnsim, "import", float_onnx, "-o", imported])
    with open(imported) as f:
        doc = yaml.safe_load(f)
    image = tensor(bits, *quant_of(qat.quant.activation_post_process))
    out1 = tensor(bits, *quant_of(qat.conv1.activation_post_process))  # after the fused ReLU
    out2 = tensor(bits, *quant_of(qat.conv2.activation_post_process))

    def weights(module):
        return {"bits": bits, "scheme": "uniform_symmetric", "granularity": "per_channel",
                "scale": [float(s) for s in module.weight_fake_quant.scale]}

    fields = {"conv1": {"weights": weights(qat.conv1), "inputs": image, "outputs": out1},
              "conv2": {"weights": weights(qat.conv2), "inputs": out1, "outputs": out2},
              "pool1": {"inputs": out2, "outputs": out2},  # max-pooling keeps the codes and the scale
              "fc": {"weights": weights(qat.fc), "inputs": out2}}  # the logits: real values in qnnsim
    for layer in doc["layers"]:
        module = layer["name"].split("_")[0]
        if module not in fields:
            sys.exit(f"qat_handoff: the imported trace has a layer {layer['name']} this script does not know")
        layer.update(fields[module])
    with open(trace, "w") as f:
        f.write(f"# The QAT model of scripts/qat_handoff.py at {bits} bits: PyTorch's fake-quantization scales\n")
        yaml.safe_dump(doc, f, default_flow_style=None, sort_keys=False, width=1 << 20)
    os.remove(imported)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"qat_handoff: {' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def qnnsim_eval(qnnsim, args, tmp):
    out = os.path.join(tmp, "eval.json")
    run([qnnsim, "eval", *args, "--jobs", "2", "--quiet", "--json", out])
    with open(out) as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qnnsim", default=os.path.join(HERE, "..", "build", "qnnsim"))
    p.add_argument("--bits", type=int, default=8, help="weight and activation bits (2 to 8)")
    p.add_argument("--steps", type=int, default=400, help="fine-tuning steps of 128 images")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--limit", type=int, default=0, help="score the first N test images (default all)")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", help="keep the models and traces in this folder (default: a temporary one)")
    p.add_argument("--check", type=float, metavar="POINTS",
                   help="exit 1 unless qnnsim's accuracy on the QAT model's scales is within POINTS of PyTorch's")
    a = p.parse_args()
    if not 2 <= a.bits <= 8:
        sys.exit("qat_handoff: --bits: expected 2 to 8 (PyTorch's fake quantization holds 8-bit codes)")
    torch.set_num_threads(a.threads)
    torch.manual_seed(3)
    start = time.time()

    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "test")
    if a.limit:
        xte, yte = xte[:a.limit], yte[:a.limit]
    model = QatCnn(shipped_model(SHIPPED))
    model = tq.fuse_modules(model, [["conv1", "relu1"], ["conv2", "relu2"]])
    model.qconfig = qconfig(a.bits)
    tq.prepare_qat(model.train(), inplace=True)
    # qnnsim reads the logits as real values out of the last output stage:
    # PyTorch observes them (its int8 conversion needs a scale) but does not
    # round them, so both quantize the same tensors. At 4 bits, rounding the
    # logits to 16 levels alone costs about 3 points (ties in the argmax).
    model.fc.activation_post_process.disable_fake_quant()
    print(f"QAT at {a.bits}/{a.bits} bits: {a.steps} steps of 128 images, Adam lr {a.lr:g}", flush=True)
    fine_tune(model, xtr, ytr, a.steps, a.lr, seed=3)
    model.apply(tq.disable_observer)
    train_s = time.time() - start
    torch_qat = accuracy(model, xte, yte)

    # The fine-tuned float weights (the ReLUs are fused into the QAT modules; there is no batch norm).
    tuned = MnistCnn()
    for name in ("conv1", "conv2", "fc"):
        getattr(tuned, name).weight.data.copy_(getattr(model, name).weight.data)
        getattr(tuned, name).bias.data.copy_(getattr(model, name).bias.data)

    with tempfile.TemporaryDirectory() as tmp:
        folder = a.out or tmp
        os.makedirs(folder, exist_ok=True)
        float_onnx = os.path.join(folder, "cnn_qat_float.onnx")
        torch.onnx.export(tuned.eval(), torch.zeros(1, 1, 28, 28), float_onnx, opset_version=13,
                          input_names=["image"], output_names=["logits"])
        trace = os.path.join(folder, f"cnn_qat{a.bits}.yaml")
        write_trace(a.qnnsim, model, a.bits, float_onnx, trace)
        limit = ["--limit", str(a.limit)] if a.limit else []
        bits = ["--bits", f"{a.bits}/{a.bits}"]
        handed = qnnsim_eval(a.qnnsim, [float_onnx, "--trace", trace, *limit], tmp)
        ptq_tuned = qnnsim_eval(a.qnnsim, [float_onnx, *bits, *limit], tmp)
        ptq_shipped = qnnsim_eval(a.qnnsim, [SHIPPED, *bits, *limit], tmp)

        int8_line = "not converted (PyTorch's int8 kernels hold 8-bit codes only)"
        int8_gap = None
        if a.bits == 8:
            engine = next(e for e in ("fbgemm", "qnnpack", "onednn", "none")
                          if e in torch.backends.quantized.supported_engines)
            torch.backends.quantized.engine = engine
            try:
                model.fc.activation_post_process.enable_fake_quant()  # int8 kernels output codes
                int8 = tq.convert(model.eval(), inplace=False)
                torch_int8 = accuracy(int8, xte, yte)
                qdq = os.path.join(folder, "cnn_qat_int8.onnx")
                torch.onnx.export(int8, torch.zeros(1, 1, 28, 28), qdq, opset_version=13,
                                  input_names=["image"], output_names=["logits"])
            except (RuntimeError, NotImplementedError) as e:  # an engine without these kernels
                int8_line = f"not converted: PyTorch's {engine} engine: {str(e).splitlines()[0]}"
            else:
                imported = run([a.qnnsim, "import", qdq, "-o", os.path.join(folder, "cnn_qat_int8.yaml")])
                int8_line = (f"{100 * torch_int8:6.2f}%  PyTorch's int8 kernels ({engine}); the export imports: "
                             + imported.strip().splitlines()[0])
                # The export is QDQ: qnnsim scores it by its own scales and zero points.
                own = qnnsim_eval(a.qnnsim, [qdq, *limit], tmp)["quantized_accuracy_fraction"]
                int8_gap = 100 * (own - torch_int8)
                int8_line += (f"\n  {100 * own:6.2f}%  qnnsim eval of that int8 export (QDQ): its own scales, "
                              f"integer path ({int8_gap:+.2f} points from PyTorch's int8 kernels)")

    images = handed["images"]
    print(f"\nQAT hand-off, seed-003 CNN, {a.bits}/{a.bits} bits, {images} test images "
          f"(fine-tuning {train_s:.0f} s, whole script {time.time() - start:.0f} s)")
    print(f"  {100 * ptq_shipped['float_accuracy_fraction']:6.2f}%  float, shipped weights (qnnsim)")
    print(f"  {100 * ptq_shipped['quantized_accuracy_fraction']:6.2f}%  qnnsim PTQ of the shipped weights (min-max)")
    print(f"  {100 * handed['float_accuracy_fraction']:6.2f}%  float, fine-tuned weights (qnnsim)")
    print(f"  {100 * torch_qat:6.2f}%  PyTorch, the QAT model (fake quantization)")
    print(f"  {100 * handed['quantized_accuracy_fraction']:6.2f}%  qnnsim eval --trace: the QAT model's scales, "
          f"integer path")
    print(f"  {100 * ptq_tuned['quantized_accuracy_fraction']:6.2f}%  qnnsim PTQ of the fine-tuned weights (min-max)")
    print(f"  {int8_line}")
    gap = 100 * (handed['quantized_accuracy_fraction'] - torch_qat)
    print(f"  PyTorch vs qnnsim on the same quantization: {gap:+.2f} points")
    if a.check is not None and abs(gap) > a.check:
        sys.exit(f"qat_handoff: qnnsim and PyTorch differ by {gap:+.2f} points on the same quantization, "
                 f"more than --check {a.check:g}")
    if a.check is not None and int8_gap is not None and abs(int8_gap) > a.check:
        sys.exit(f"qat_handoff: qnnsim's eval of the int8 export and PyTorch's int8 kernels differ by "
                 f"{int8_gap:+.2f} points, more than --check {a.check:g}")


if __name__ == "__main__":
    main()
