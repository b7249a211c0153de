#!/usr/bin/env python3
"""A BERT encoder built in PyTorch from its published shape, exported to
ONNX (no weights are downloaded; they are random, seed 0). Debian's
python3-torch; run with /usr/bin/python3.

usage: bert_model.py OUT.onnx [--layers L --hidden H --heads A --ffn F
                               --tokens T --attention matmul|einsum --opset N]

BERT: J. Devlin et al., "BERT: Pre-training of Deep Bidirectional
Transformers for Language Understanding", NAACL 2019. Section 3: BERT-base
has L = 12 layers, hidden size H = 768 and A = 12 self-attention heads, a
feed-forward size of 4H = 3,072, GELU activations; the encoder is the
original Transformer's (Vaswani et al. 2017): each sub-block is followed by
a residual add and a layer norm. The pooler is a dense layer with tanh on
the first ([CLS]) token.

The model's input is the sum of the token, segment and position embeddings
(the three lookups are table reads, which the simulator does not model);
the embedding layer norm, the encoder and the pooler are exported. No
attention mask: every one of the sequence's tokens is real.

attention="matmul" writes the attention as BERT's reference code and
Hugging Face's do (view, transpose, matmul); attention="einsum" as
torch.einsum over the projections' own layout ("bihd,bjhd->bhij" and
"bhij,bjhd->bihd"), which needs no transposes.
"""
import math

import torch
from torch import nn


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads, attention):
        super().__init__()
        self.heads, self.dk, self.attention = heads, hidden // heads, attention
        self.q, self.k, self.v = (nn.Linear(hidden, hidden) for _ in range(3))
        self.out = nn.Linear(hidden, hidden)

    def forward(self, x):
        b, s, d = x.shape
        # (batch, tokens, heads, head size): the projections' own layout.
        q, k, v = (p(x).view(b, s, self.heads, self.dk) for p in (self.q, self.k, self.v))
        scale = 1.0 / math.sqrt(self.dk)
        if self.attention == "einsum":
            p = torch.softmax(torch.einsum("bihd,bjhd->bhij", q, k) * scale, dim=-1)
            ctx = torch.einsum("bhij,bjhd->bihd", p, v)
        else:
            q, k, v = (t.transpose(1, 2) for t in (q, k, v))
            p = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * scale, dim=-1)
            ctx = torch.matmul(p, v).transpose(1, 2)
        return self.out(ctx.reshape(b, s, d))


class Layer(nn.Module):
    def __init__(self, hidden, heads, ffn, attention):
        super().__init__()
        self.attention = SelfAttention(hidden, heads, attention)
        self.norm1 = nn.LayerNorm(hidden, eps=1e-12)
        self.up = nn.Linear(hidden, ffn)
        self.gelu = nn.GELU()
        self.down = nn.Linear(ffn, hidden)
        self.norm2 = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x):
        x = self.norm1(x + self.attention(x))
        return self.norm2(x + self.down(self.gelu(self.up(x))))


class Bert(nn.Module):
    def __init__(self, layers=12, hidden=768, heads=12, ffn=3072, attention="matmul"):
        super().__init__()
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(Layer(hidden, heads, ffn, attention) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)

    def forward(self, embeddings):
        x = self.norm(embeddings)
        for layer in self.layers:
            x = layer(x)
        return torch.tanh(self.pooler(x[:, 0]))


def export(path, tokens=128, opset=13, **shape):
    """Writes the model of `shape` (Bert's arguments) for `tokens` tokens to path."""
    torch.manual_seed(0)
    model = Bert(**shape).eval()
    hidden = model.pooler.in_features
    x = torch.randn(1, tokens, hidden)
    with torch.no_grad():
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["embeddings"], output_names=["pooled"])


def main():
    import argparse

    p = argparse.ArgumentParser(description="Exports a BERT encoder of the given shape (default BERT-base) to ONNX.")
    p.add_argument("out", help="the .onnx file to write")
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--hidden", type=int, default=768)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--ffn", type=int, default=3072)
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--attention", choices=("matmul", "einsum"), default="matmul")
    p.add_argument("--opset", type=int, default=13)
    a = p.parse_args()
    export(a.out, a.tokens, a.opset, layers=a.layers, hidden=a.hidden, heads=a.heads, ffn=a.ffn, attention=a.attention)


if __name__ == "__main__":
    main()
