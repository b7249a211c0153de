#!/usr/bin/env python3
"""Exports torchvision classification models to ONNX as a user would: random
weights, plain torch.onnx.export, nothing patched. Debian's python3-torch and
python3-torchvision (installed by scripts/setup.sh); run with /usr/bin/python3.

usage: export_torchvision.py OUT_DIR MODEL [MODEL ...] [--opset N] [--size S]
writes OUT_DIR/MODEL.onnx for each model (a torchvision.models name).
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
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    torch.manual_seed(0)
    for name in a.models:
        builder = getattr(torchvision.models, name, None)
        if builder is None:
            sys.exit(f"export_torchvision: torchvision.models has no '{name}'")
        kwargs = {"weights": None}
        if name == "googlenet":
            kwargs["aux_logits"] = False  # the auxiliary heads exist only in training
            kwargs["init_weights"] = False  # random weights; scipy's truncated normal is not needed
        model = builder(**kwargs).eval()
        x = torch.randn(1, 3, a.size, a.size)
        path = os.path.join(a.out_dir, name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=a.opset)
        print(path)


if __name__ == "__main__":
    main()
