#!/usr/bin/env python3
"""Writes the GPT-2-small decoder traces from the model's published shape:
workloads/gpt2_small_prefill.yaml (a prompt of 512 tokens) and
workloads/gpt2_small_decode.yaml (one token against a KV cache of 1,024).

GPT-2 small: A. Radford et al., "Language Models are Unsupervised Multitask
Learners", OpenAI 2019, Table 2 (12 layers, d_model 768) and section 2.3
(context 1,024 tokens, vocabulary 50,257); 12 heads of 64 and an MLP of
4 x 768 = 3,072 as in GPT (Radford et al. 2018), GELU activations, layer
norm before each sub-block and after the last.

usage: make_gpt2_traces.py [--out DIR]   (DIR defaults to workloads/)
"""
import argparse
import os

LAYERS, D, HEADS, MLP, VOCAB = 12, 768, 12, 3072, 50257
DK = D // HEADS


def header(phase, what):
    return f"""\
# GPT-2 small, {phase}: {what}
# Written by scripts/make_gpt2_traces.py from the published shape (A. Radford
# et al., "Language Models are Unsupervised Multitask Learners", 2019: 12
# layers, d_model 768, 12 heads of 64, MLP 3,072, context 1,024, vocabulary
# 50,257); do not edit by hand. The input is the token embeddings (the
# embedding lookup is a table read, not modelled). Attention reads q, k and
# v in place from the fused projection's splits, heads and all (no
# transpose layers, as a fused attention kernel would); the causal mask is
# not exploited (every score is computed). The LM head scores the last token.
network: gpt2_small_{phase}
batch: 1
"""


def block(i, tokens, context, previous, decode):
    """One decoder block; returns its lines and the name of its output."""
    b = f"b{i}"
    lines = [
        f"  - {{name: {b}_ln1, type: layernorm, C: {D}, H: {tokens}, from: [{previous}]}}",
        f"  - {{name: {b}_qkv, type: conv, C: {D}, H: {tokens}, W: 1, M: {3 * D}, R: 1, S: 1}}",
    ]
    for t in "qkv":
        lines.append(f"  - {{name: {b}_{t}, type: split, C: {D}, H: {tokens}, from: [{b}_qkv]}}")
    keys, values = f"{b}_k", f"{b}_v"
    if decode:
        # The new token's key and value join the caches in DRAM, which the
        # attention then reads whole.
        lines.append(f"  - {{name: {b}_kcache, type: kv_cache, C: {D}, H: {context}, append: {tokens}, from: [{b}_k]}}")
        lines.append(f"  - {{name: {b}_vcache, type: kv_cache, C: {D}, H: {context}, append: {tokens}, from: [{b}_v]}}")
        keys, values = f"{b}_kcache", f"{b}_vcache"
    lines += [
        f"  - {{name: {b}_scores, type: matmul, heads: {HEADS}, rows: {tokens}, inner: {DK}, cols: {context}, "
        f"from: [{b}_q, {keys}]}}",
        f"  - {{name: {b}_softmax, type: softmax, C: {context}, H: {HEADS * tokens}}}",
        f"  - {{name: {b}_context, type: matmul, heads: {HEADS}, rows: {tokens}, inner: {context}, cols: {DK}, "
        f"from: [{b}_softmax, {values}]}}",
        f"  - {{name: {b}_proj, type: conv, C: {D}, H: {tokens}, W: 1, M: {D}, R: 1, S: 1}}",
        f"  - {{name: {b}_res1, type: add, C: {D}, H: {tokens}, W: 1, from: [{b}_proj, {previous}]}}",
        f"  - {{name: {b}_ln2, type: layernorm, C: {D}, H: {tokens}}}",
        f"  - {{name: {b}_up, type: conv, C: {D}, H: {tokens}, W: 1, M: {MLP}, R: 1, S: 1}}",
        f"  - {{name: {b}_gelu, type: gelu, C: {MLP}, H: {tokens}}}",
        f"  - {{name: {b}_down, type: conv, C: {MLP}, H: {tokens}, W: 1, M: {D}, R: 1, S: 1}}",
        f"  - {{name: {b}_res2, type: add, C: {D}, H: {tokens}, W: 1, from: [{b}_down, {b}_res1]}}",
    ]
    return lines, f"{b}_res2"


def trace(phase, what, tokens, context, decode):
    text = header(phase, what) + f"input: {{C: {D}, H: {tokens}, W: 1}}\nlayers:\n"
    lines, previous = [], "input"
    for i in range(LAYERS):
        more, previous = block(i, tokens, context, previous, decode)
        lines += more
    lines.append(f"  - {{name: ln_f, type: layernorm, C: {D}, H: {tokens}, from: [{previous}]}}")
    if tokens > 1:
        lines.append(f"  - {{name: last_token, type: split, C: {D}, H: 1}}")
    lines.append(f"  - {{name: lm_head, type: fc, C: {D}, M: {VOCAB}}}")
    return text + "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--out", default=os.path.normpath(os.path.join(here, "..", "workloads")))
    a = p.parse_args()
    for name, text in [
        ("gpt2_small_prefill", trace("prefill", "a prompt of 512 tokens, which also writes the KV cache.", 512, 512, False)),
        ("gpt2_small_decode", trace("decode", "one new token against a KV cache of 1,024 positions.", 1, 1024, True)),
    ]:
        path = os.path.join(a.out, name + ".yaml")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        print(path)


if __name__ == "__main__":
    main()
