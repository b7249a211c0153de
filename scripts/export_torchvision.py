#!/usr/bin/env python3
"""Exports torchvision classification models to ONNX as a user would: random
weights, plain torch.onnx.export, nothing patched. Debian's python3-torch and
python3-torchvision (installed by scripts/setup.sh); run with /usr/bin/python3.

usage: export_torchvision.py OUT_DIR MODEL [MODEL ...] [--opset N] [--size S] [--int8]
writes OUT_DIR/MODEL.onnx for each model (a torchvision.models name). With
--int8 the model comes from torchvision.models.quantization and is quantized
by eager-mode post-training static quantization (torch.ao.quantization,
fbgemm, calibrated on two random images) before export: OUT_DIR/MODEL_int8.onnx.
"""
import argparse
import os
import sys

import torch
import torchvision


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir")
    p.add_argument("models", nargs="+")
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--size", type=int, default=224, help="input height and width")
    p.add_argument("--int8", action="store_true", help="quantize (eager post-training static) before export")
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    torch.manual_seed(0)
    for name in a.models:
        builder = getattr(torchvision.models.quantization if a.int8 else torchvision.models, name, None)
        if builder is None:
            sys.exit(f"export_torchvision: torchvision.models{'.quantization' if a.int8 else ''} has no '{name}'")
        kwargs = {"weights": None}
        if name == "googlenet":
            kwargs["aux_logits"] = False  # the auxiliary heads exist only in training
            kwargs["init_weights"] = False  # random weights; scipy's truncated normal is not needed
        if a.int8:
            kwargs["quantize"] = False
        model = builder(**kwargs).eval()
        x = torch.randn(1, 3, a.size, a.size)
        if a.int8:
            model.fuse_model()
            model.qconfig = torch.ao.quantization.get_default_qconfig("fbgemm")
            torch.ao.quantization.prepare(model, inplace=True)
            for _ in range(2):
                model(torch.randn(1, 3, a.size, a.size))
            torch.ao.quantization.convert(model, inplace=True)
        path = os.path.join(a.out_dir, name + ("_int8" if a.int8 else "") + ".onnx")
        torch.onnx.export(model, x, path, opset_version=a.opset)
        print(path)


if __name__ == "__main__":
    main()
