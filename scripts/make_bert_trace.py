#!/usr/bin/env python3
"""Produces workloads/bert_base.yaml: BERT-base (12 layers, hidden 768, 12
heads, feed-forward 3,072) over a sequence of 128 tokens, built in PyTorch
from the published shape by scripts/bert_model.py (random weights, seed 0),
exported by torch.onnx.export at opset 13 and translated by `qnnsim import`
unmodified. Debian's python3-torch; run with /usr/bin/python3.

usage: make_bert_trace.py QNNSIM [--out DIR]
QNNSIM is the qnnsim binary (e.g. build/qnnsim); DIR defaults to workloads/.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENS = 128

HEADER = """\
# BERT-base over a sequence of 128 tokens: J. Devlin et al., "BERT: Pre-training
# of Deep Bidirectional Transformers for Language Understanding", NAACL 2019
# (section 3: L = 12 layers, H = 768, A = 12 heads, feed-forward 4H = 3,072).
# Produced by scripts/make_bert_trace.py: the encoder written in PyTorch from
# that shape (scripts/bert_model.py, random weights, seed 0, nothing
# downloaded), exported by torch.onnx.export at opset 13 and imported by
# `qnnsim import` unmodified. Do not edit by hand; run the script again.
#
# The input is the summed token, segment and position embeddings (the lookups
# are table reads, not modelled), 128 tokens of 768 features held as C = 768,
# H = 128, W = 1. Attention is written as BERT's reference code writes it
# (view, transpose, matmul), so the trace keeps the exported transposes of q,
# k, v and the context as data-movement layers. The pooler scores the [CLS]
# token. Per sequence 11,174,215,680 MACs: 12 x (4 x 128 x 768^2 projections
# + 2 x 12 x 128^2 x 64 attention + 2 x 128 x 768 x 3,072 feed-forward)
# + 768^2 pooler (tests/test_transformer_workloads.cpp derives it).
"""


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit(f"make_bert_trace: {' '.join(cmd)} failed:\n{r.stdout}")
    return r.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("qnnsim")
    p.add_argument("--out", default=os.path.normpath(os.path.join(HERE, "..", "workloads")))
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "bert_base.onnx")
        run([sys.executable, os.path.join(HERE, "bert_model.py"), model, "--tokens", str(TOKENS), "--opset", "13"])
        trace = os.path.join(tmp, "bert_base.yaml")
        print(run([a.qnnsim, "import", model, "-o", trace]), end="")
        with open(trace) as f:
            lines = f.read().splitlines()
    # The graph is named by the exporter (torch_jit); the trace by the model.
    lines = ["network: bert_base" if line.startswith("network: ") else line for line in lines]
    out = os.path.join(a.out, "bert_base.yaml")
    with open(out + ".tmp", "w") as f:
        f.write(HEADER + "\n".join(lines) + "\n")
    os.replace(out + ".tmp", out)
    print(out)


if __name__ == "__main__":
    main()
