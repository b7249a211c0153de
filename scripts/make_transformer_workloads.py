#!/usr/bin/env python3
"""Produces the shipped transformer traces from stock PyTorch models:
workloads/vit_b_16.yaml from torchvision's vit_b_16 (224x224, random
weights, seed 0), exported by scripts/export_torchvision.py with plain
torch.onnx.export at opset 13 and translated by `qnnsim import`, unmodified.
Debian's python3-torch and python3-torchvision; run with /usr/bin/python3.

usage: make_transformer_workloads.py QNNSIM [--out DIR]
QNNSIM is the qnnsim binary (e.g. build/qnnsim); DIR defaults to workloads/.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

HEADER = """\
# ViT-B/16 at 224x224 (torchvision's vit_b_16): A. Dosovitskiy et al., "An
# Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
# ICLR 2021 (Table 1: 12 layers, hidden size 768, MLP size 3072, 12 heads).
# Produced by scripts/make_transformer_workloads.py: the stock torchvision
# model with random weights (seed 0), exported by torch.onnx.export at opset
# 13 and imported by `qnnsim import` unmodified. Do not edit by hand; run the
# script again.
#
# Per image 17,563,828,224 MACs; torchvision's model documentation gives
# 17.56 GFLOPS (multiply-accumulates) for ViT_B_16_Weights.IMAGENET1K_V1
# (tests/test_transformer_workloads.cpp checks both).
# 197 tokens (196 patches and a class token) of 768 features are held as
# C = 768, H = 197, W = 1; attention is 12 heads of 64.
"""


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit(f"make_transformer_workloads: {' '.join(cmd)} failed:\n{r.stdout}")
    return r.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("qnnsim")
    p.add_argument("--out", default=os.path.normpath(os.path.join(HERE, "..", "workloads")))
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run([sys.executable, os.path.join(HERE, "export_torchvision.py"), tmp, "vit_b_16", "--opset", "13"])
        trace = os.path.join(tmp, "vit_b_16.yaml")
        print(run([a.qnnsim, "import", os.path.join(tmp, "vit_b_16.onnx"), "-o", trace]), end="")
        with open(trace) as f:
            lines = f.read().splitlines()
    # The graph is named by the exporter (torch_jit); the trace by the model.
    lines = ["network: vit_b_16" if line.startswith("network: ") else line for line in lines]
    out = os.path.join(a.out, "vit_b_16.yaml")
    with open(out + ".tmp", "w") as f:
        f.write(HEADER + "\n".join(lines) + "\n")
    os.replace(out + ".tmp", out)
    print(out)


if __name__ == "__main__":
    main()
