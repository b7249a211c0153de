#!/usr/bin/python3
"""The QDQ models `qnnsim quantize --qdq` writes, checked outside qnnsim.

Each written model must pass onnx.checker (full check, with ONNX's shape
inference), keep its codes inside the widths it states (a Clip before an
activation's QuantizeLinear, metadata for narrow weights), and compute what
ONNX says it computes: a small numpy reference of the ops in these models
(Conv, Relu, MaxPool, Flatten, Gemm, Clip, QuantizeLinear, DequantizeLinear,
as the ONNX operator documents define them) scores the QDQ model on Fashion-MNIST
test images, and that accuracy must lie within a point of what `qnnsim eval`
scores the same model at (qnnsim's integer path differs from float QDQ only in
rounding the bias to the accumulator's scale and in the order of additions).
The shipped QDQ model of scripts/dnn2fpga.py is checked the same way.
PyTorch 1.13 cannot run an ONNX model, hence the reference.

Run by ctest; on its own:  /usr/bin/python3 tests/test_qdq_model.py --qnnsim build/qnnsim
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist
IMAGES = 300
QNNSIM = None


def idx(path):
    """An idx file's array (the MNIST layout: magic, dims, then unsigned bytes)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def round_half_even(x):
    return np.round(x)  # numpy rounds half to even, as QuantizeLinear does


def conv(x, w, b, node):
    """ONNX Conv, groups 1, dilation 1: cross-correlation over the padded input."""
    assert attr(node, "group", 1) == 1 and all(d == 1 for d in attr(node, "dilations", [1, 1]))
    sh, sw = attr(node, "strides", [1, 1])
    t, l, bo, r = attr(node, "pads", [0, 0, 0, 0])
    x = np.pad(x, ((0, 0), (0, 0), (t, bo), (l, r)))
    m, c, kh, kw = w.shape
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    cols = np.empty((c * kh * kw, oh * ow), dtype=np.float64)
    k = 0
    for ci in range(c):
        for i in range(kh):
            for j in range(kw):
                cols[k] = x[0, ci, i:i + sh * oh:sh, j:j + sw * ow:sw].reshape(-1)
                k += 1
    y = w.reshape(m, -1).astype(np.float64) @ cols
    if b is not None:
        y += b.reshape(-1, 1)
    return y.reshape(1, m, oh, ow)


def maxpool(x, node):
    kh, kw = attr(node, "kernel_shape", None)
    sh, sw = attr(node, "strides", [1, 1])
    assert attr(node, "pads", [0, 0, 0, 0]) == [0, 0, 0, 0] or not attr(node, "pads", None)
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    y = np.full((1, x.shape[1], oh, ow), -np.inf)
    for i in range(kh):
        for j in range(kw):
            y = np.maximum(y, x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw])
    return y


def per_axis(v, x, axis):
    """A scale or zero point shaped to broadcast along `axis` of x."""
    if v.size == 1:
        return v.reshape(())
    shape = [1] * x.ndim
    shape[axis] = v.size
    return v.reshape(shape)


def quantize(x, scale, zero, axis):
    info = np.iinfo(zero.dtype)
    s = per_axis(scale.astype(np.float64), x, axis)
    z = per_axis(zero.astype(np.float64), x, axis)
    return np.clip(round_half_even(x / s) + z, info.min, info.max).astype(zero.dtype)


def dequantize(q, scale, zero, axis):
    s = per_axis(scale.astype(np.float64), q, axis)
    z = per_axis(zero.astype(np.float64), q, axis)
    return (q.astype(np.float64) - z) * s


class Reference:
    """Runs a model of the ops above on one image at a time."""

    def __init__(self, model):
        self.model = model
        self.inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        self.input = next(i.name for i in model.graph.input if i.name not in self.inits)
        self.output = model.graph.output[0].name

    def run(self, image):
        v = dict(self.inits)
        v[self.input] = image.reshape(1, 1, 28, 28).astype(np.float64)
        for n in self.model.graph.node:
            x = [v[i] if i else None for i in n.input]
            op = n.op_type
            if op == "Conv":
                y = conv(x[0], x[1], x[2] if len(x) > 2 else None, n)
            elif op == "Relu":
                y = np.maximum(x[0], 0)
            elif op == "MaxPool":
                y = maxpool(x[0], n)
            elif op == "Flatten":
                y = x[0].reshape(x[0].shape[0], -1)
            elif op == "Gemm":
                assert attr(n, "transA", 0) == 0
                w = x[1].T if attr(n, "transB", 0) else x[1]
                y = x[0] @ w.astype(np.float64) + (x[2] if len(x) > 2 and x[2] is not None else 0)
            elif op == "Clip":
                y = np.clip(x[0], x[1], x[2])
            elif op == "QuantizeLinear":
                y = quantize(x[0], x[1], x[2], attr(n, "axis", 1))
            elif op == "DequantizeLinear":
                y = dequantize(x[0], x[1], x[2], attr(n, "axis", 1))
            else:
                raise AssertionError(f"{op} node '{n.name}' is not in the reference")
            v[n.output[0]] = y
        return v[self.output].reshape(-1)


def qnnsim(*args):
    r = subprocess.run([QNNSIM, *args], capture_output=True, text=True,
                       env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    if r.returncode != 0:
        raise AssertionError(f"qnnsim {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout


def stated_widths(model):
    """Per QuantizeLinear output: the codes it may hold, as a Clip before it narrows them."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    clips = {n.output[0]: n for n in model.graph.node if n.op_type == "Clip"}
    ranges = {}
    for n in model.graph.node:
        if n.op_type != "QuantizeLinear":
            continue
        zero = inits[n.input[2]]
        info = np.iinfo(zero.dtype)
        lo, hi = info.min, info.max
        if n.input[0] in clips:
            c = clips[n.input[0]]
            s = float(inits[n.input[1]])
            lo = int(round_half_even(float(inits[c.input[1]]) / s) + int(zero))
            hi = int(round_half_even(float(inits[c.input[2]]) / s) + int(zero))
        ranges[n.output[0]] = (lo, hi)
    return ranges


class QdqModels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        images = idx(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"))[:IMAGES]
        cls.images = images.astype(np.float64) / 255.0  # as the models were trained (workloads/models/README.md)
        cls.labels = idx(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz"))[:IMAGES]
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_model(self, path):
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        ref = Reference(model)
        correct = sum(int(np.argmax(ref.run(img)) == lab) for img, lab in zip(self.images, self.labels))
        out = os.path.join(self.tmp.name, "eval.json")
        qnnsim("eval", path, "--limit", str(IMAGES), "--json", out)
        with open(out) as f:
            ours = json.load(f)
        self.assertEqual(ours["quantization"]["calibration"], "qdq_model")
        gap = 100 * (ours["quantized_accuracy_fraction"] - correct / IMAGES)
        print(f"{os.path.basename(path)}: numpy reference {100 * correct / IMAGES:.2f}%, qnnsim eval "
              f"{100 * ours['quantized_accuracy_fraction']:.2f}% on {IMAGES} test images ({gap:+.2f} points)")
        self.assertLessEqual(abs(gap), 1.0)
        return model

    def written(self, name, *options):
        path = os.path.join(self.tmp.name, name + ".onnx")
        qnnsim("quantize", "mnist_cnn_fashion", "--calibration-images", "200", *options,
               "-o", os.path.join(self.tmp.name, name + ".yaml"), "--qdq", path)
        return path

    def test_8_bit_asymmetric_per_channel(self):
        model = self.check_model(self.written("cnn_q8"))
        ops = [n.op_type for n in model.graph.node]
        self.assertEqual(ops.count("Clip"), 0)  # uint8's codes are 8-bit asymmetric's own
        self.assertEqual(ops.count("QuantizeLinear"), 3)  # the image, conv1's and conv2's outputs
        self.assertEqual(ops.count("DequantizeLinear"), 6)  # those, and three layers' weights
        axes = [attr(n, "axis", None) for n in model.graph.node
                if n.op_type == "DequantizeLinear" and n.input[0].endswith("weight_quantized")]
        self.assertEqual(axes, [0, 0, 0])

    def test_narrow_symmetric_per_tensor(self):
        path = self.written("cnn_q4", "--bits", "4/4", "--bits", "fc_Gemm=3/4", "--scheme", "symmetric",
                            "--weight-scales", "per-tensor", "--calibrate", "mse")
        model = self.check_model(path)
        for out, (lo, hi) in stated_widths(model).items():
            self.assertEqual((lo, hi), (-7, 7), out)  # 4-bit symmetric codes
        meta = {p.key: p.value for p in model.metadata_props}
        inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        weights = [n for n in inits if n.endswith("weight_quantized")]
        self.assertEqual(len(weights), 3)
        for w in weights:
            bits = int(meta["qnnsim.weight_bits." + w])
            self.assertEqual(bits, 3 if w.startswith("fc") else 4)
            top = 2 ** (bits - 1) - 1
            self.assertLessEqual(int(np.abs(inits[w]).max()), top, w)
            self.assertEqual(int(np.abs(inits[w]).max()), top, w)  # the largest weight takes the largest code

    def test_shipped_qdq_model(self):
        self.check_model(os.path.join(ROOT, "workloads", "models", "dnn2fpga_qdq.onnx"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--qnnsim", default=os.path.join(ROOT, "build", "qnnsim"))
    args, rest = parser.parse_known_args()
    QNNSIM = args.qnnsim
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
