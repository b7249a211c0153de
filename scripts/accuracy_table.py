#!/usr/bin/env python3
"""Prints the README's accuracy tables (section "Accuracy beside energy"):
top-1 of the shipped Fashion-MNIST models in float and quantized at 8, 4 and
2 bits under each calibration method, then the scheme and accumulator
variants at one width, each from one `qnnsim eval --json` run over all
10,000 test images.

usage: accuracy_table.py [--qnnsim build/qnnsim] [--limit N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODELS = [("CNN", "mnist_cnn_fashion"), ("LeNet-5", "lenet5_fashion")]
WIDTHS = ["8/8", "4/8", "4/4", "2/8", "2/2"]
METHODS = ["minmax", "percentile", "mse"]
VARIANTS = [
    ("4/4, per-tensor weights", ["--bits", "4/4", "--weight-scales", "per-tensor"]),
    ("4/4, symmetric activations", ["--bits", "4/4", "--scheme", "symmetric"]),
    ("8/8, 16-bit accumulator, wrap", ["--bits", "8/8", "--accumulator", "16", "--overflow", "wrap"]),
    ("8/8, 16-bit accumulator, saturate", ["--bits", "8/8", "--accumulator", "16", "--overflow", "saturate"]),
]


def evaluate(qnnsim, model, args, limit):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eval.json")
        cmd = [qnnsim, "eval", model, "--quiet", "--json", out] + args
        if limit:
            cmd += ["--limit", str(limit)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"accuracy_table: {' '.join(cmd)} failed: {done.stderr.strip()}")
        with open(out) as f:
            return json.load(f)


def pct(x):
    return f"{100 * x:.2f}%"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qnnsim", default=os.path.join(ROOT, "build", "qnnsim"))
    p.add_argument("--limit", type=int, default=0, help="score the first N test images only (default: all)")
    a = p.parse_args()

    print("| model (float top-1) | W/A | min-max | percentile 99.99 | mse |")
    print("|---|---|---|---|---|")
    for label, model in MODELS:
        for i, bits in enumerate(WIDTHS):
            runs = [evaluate(a.qnnsim, model, ["--bits", bits, "--calibrate", m], a.limit) for m in METHODS]
            head = f"{label} ({pct(runs[0]['float_accuracy_fraction'])})" if i == 0 else ""
            print(f"| {head} | {bits} | " + " | ".join(pct(r["quantized_accuracy_fraction"]) for r in runs) + " |")
    print()
    print("| model | variant (min-max ranges) | top-1 | overflow per layer |")
    print("|---|---|---|---|")
    for label, model in MODELS:
        for name, args in VARIANTS:
            r = evaluate(a.qnnsim, model, args, a.limit)
            overflow = ", ".join(f"{100 * l['overflow_fraction']:.1f}%" for l in r["layers"])
            print(f"| {label} | {name} | {pct(r['quantized_accuracy_fraction'])} | {overflow} |")


if __name__ == "__main__":
    main()
