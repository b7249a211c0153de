#!/usr/bin/python3
"""Writes an ONNX model with the layers of a qnnsim workload trace.

Each conv, dwconv and fc layer becomes a float Conv or Gemm with weights of
its real size (random values), each followed by a ReLU; pools and adds
become MaxPool / AveragePool / Add nodes. A model of a real network's size,
built here from Debian's python3-onnx, so `qnnsim import` can be timed and
checked (a round trip must give the same MACs) without downloading a model.

  /usr/bin/python3 scripts/trace_to_onnx.py workloads/resnet50.yaml resnet50.onnx
"""
import sys

import numpy as np
import onnx
import yaml
from onnx import TensorProto, helper, numpy_helper


def layer_nodes(layer, inputs, rng, initializers):
    """The nodes of one layer, reading `inputs`; returns (nodes, output name)."""
    name, kind = layer["name"], layer["type"]
    out = name + "_out"
    pads = [layer.get("padding", 0)] * 4
    strides = [layer.get("stride", 1)] * 2
    if kind in ("conv", "dwconv"):
        groups = layer["C"] if kind == "dwconv" else layer.get("groups", 1)
        m = layer["C"] if kind == "dwconv" else layer["M"]
        w = rng.standard_normal((m, layer["C"] // groups, layer["R"], layer["S"]), dtype=np.float32)
        initializers.append(numpy_helper.from_array(w, name + "_w"))
        dil = [layer.get("dilation", 1)] * 2
        conv = helper.make_node("Conv", [inputs[0], name + "_w"], [name + "_conv"], name=name, pads=pads,
                                strides=strides, dilations=dil, group=groups)
        return [conv, helper.make_node("Relu", [name + "_conv"], [out])], out
    if kind == "fc":
        flat = helper.make_node("Flatten", [inputs[0]], [name + "_flat"])
        w = rng.standard_normal((layer["M"], layer["C"]), dtype=np.float32)
        initializers.append(numpy_helper.from_array(w, name + "_w"))
        gemm = helper.make_node("Gemm", [name + "_flat", name + "_w"], [out], name=name, transB=1)
        return [flat, gemm], out
    if kind in ("maxpool", "avgpool"):
        op = "MaxPool" if kind == "maxpool" else "AveragePool"
        return [helper.make_node(op, [inputs[0]], [out], name=name, kernel_shape=[layer["R"], layer["S"]],
                                 pads=pads, strides=strides)], out
    if kind == "add":
        return [helper.make_node("Add", inputs, [out], name=name)], out
    if kind == "mul" and not layer.get("broadcast_row", False):
        return [helper.make_node("Mul", inputs, [out], name=name)], out
    if kind == "mul":
        # A squeeze-excite scale: the second producer's C values, as (N, C, 1, 1), times every pixel.
        row = name + "_row"
        shape = name + "_row_shape"
        initializers.append(numpy_helper.from_array(np.array([-1, layer["C"], 1, 1], dtype=np.int64), shape))
        return [helper.make_node("Reshape", [inputs[1], shape], [row]),
                helper.make_node("Mul", [inputs[0], row], [out], name=name)], out
    raise SystemExit(f"trace_to_onnx: layer type {kind} has no ONNX form here")


def activation_nodes(layer, x):
    """The nodes of a layer's `activations`, applied to x, as PyTorch exports them; returns (nodes, output name)."""
    nodes = []
    for k, function in enumerate(layer.get("activations", [])):
        y = f"{layer['name']}_act{k}"
        if function in ("sigmoid", "tanh", "hardsigmoid"):
            op = {"sigmoid": "Sigmoid", "tanh": "Tanh", "hardsigmoid": "HardSigmoid"}[function]
            nodes.append(helper.make_node(op, [x], [y]))
        elif function in ("silu", "hardswish"):
            gate = y + "_gate"
            nodes.append(helper.make_node("Sigmoid" if function == "silu" else "HardSigmoid", [x], [gate]))
            nodes.append(helper.make_node("Mul", [x, gate], [y]))
        else:
            raise SystemExit(f"trace_to_onnx: activation function {function} has no ONNX form here")
        x = y
    return nodes, x


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        trace = yaml.safe_load(f)
    rng = np.random.default_rng(0)
    shape = trace["input"]
    nodes, initializers = [], []
    outputs = {"input": "input"}
    previous = "input"
    for layer in trace["layers"]:
        inputs = [outputs[p] for p in layer.get("from", [previous])]
        if layer["type"] not in ("add", "mul") and len(inputs) > 1:
            nodes.append(helper.make_node("Concat", inputs, [layer["name"] + "_cat"], axis=1))
            inputs = [layer["name"] + "_cat"]
        new, out = layer_nodes(layer, inputs, rng, initializers)
        nodes += new
        new, out = activation_nodes(layer, out)
        nodes += new
        outputs[layer["name"]] = out
        previous = layer["name"]
    graph = helper.make_graph(
        nodes, trace["network"],
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, shape["C"], shape["H"], shape["W"]])],
        [helper.make_tensor_value_info(outputs[previous], TensorProto.FLOAT, None)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, sys.argv[2])
    print(f"wrote {sys.argv[2]}: {trace['network']}, {len(trace['layers'])} layers as {len(nodes)} ONNX nodes")


if __name__ == "__main__":
    main()
