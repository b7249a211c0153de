#!/usr/bin/env python3
"""A BERT encoder built in PyTorch from its published shape, exported to
ONNX (no weights are downloaded; they are random, seed 0). Debian's
python3-torch; run with /usr/bin/python3.

usage: bert_model.py OUT.onnx [--layers L --hidden H --heads A --ffn F
                               --tokens T --attention matmul|einsum --opset N
                               --embeddings | --hf-inputs [--mask-fill
                               finfo|-10000] [--vocabulary V --positions P
                               --segments S]]

BERT: J. Devlin et al., "BERT: Pre-training of Deep Bidirectional
Transformers for Language Understanding", NAACL 2019. Section 3: BERT-base
has L = 12 layers, hidden size H = 768 and A = 12 self-attention heads, a
feed-forward size of 4H = 3,072, GELU activations; the encoder is the
original Transformer's (Vaswani et al. 2017): each sub-block is followed by
a residual add and a layer norm. The pooler is a dense layer with tanh on
the first ([CLS]) token.

By default the model's input is the sum of the token, segment and position
embeddings; the embedding layer norm, the encoder and the pooler are
exported. With --embeddings it starts from the token ids instead, as a
BERT export does: input_ids (batch, tokens, int64) index the word table,
the positions 0..T-1 the position table and segment 0 (one sentence) the
segment table, and the three rows are summed before the layer norm. The
tables' sizes are bert-base-uncased's: a WordPiece vocabulary of 30,522
(the released bert-base-uncased config.json, vocab_size; section 3 of the
paper gives "30,000"), 512 positions (max_position_embeddings; the paper
pre-trains sequences of up to 512 tokens, section A.2) and 2 segments
(type_vocab_size; sentences A and B, section 3). No attention mask: every
one of the sequence's tokens is real.

With --hf-inputs the model takes the three inputs Hugging Face
transformers' BertModel.forward takes and exports with torch.onnx.export:
input_ids, token_type_ids and attention_mask, each int64 (batch, tokens).
The segment table is indexed by token_type_ids; the word and segment rows
are summed, then the position rows (BertEmbeddings' order). The mask
becomes the extended mask of BertModel.get_extended_attention_mask,
(1 - mask[:, None, None, :]) * fill, added to every layer's attention
scores before the softmax; fill is torch.finfo(float32).min (current
transformers) or -10000.0 (--mask-fill -10000, as older versions wrote it).

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

    def forward(self, x, mask=None):
        # mask: None, or the extended mask (batch, 1, 1, tokens) added to the scores.
        b, s, d = x.shape
        # (batch, tokens, heads, head size): the projections' own layout.
        q, k, v = (p(x).view(b, s, self.heads, self.dk) for p in (self.q, self.k, self.v))
        scale = 1.0 / math.sqrt(self.dk)
        masked = (lambda scores: scores) if mask is None else (lambda scores: scores + mask)
        if self.attention == "einsum":
            p = torch.softmax(masked(torch.einsum("bihd,bjhd->bhij", q, k) * scale), dim=-1)
            ctx = torch.einsum("bhij,bjhd->bihd", p, v)
        else:
            q, k, v = (t.transpose(1, 2) for t in (q, k, v))
            p = torch.softmax(masked(torch.matmul(q, k.transpose(-1, -2)) * scale), dim=-1)
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

    def forward(self, x, mask=None):
        x = self.norm1(x + self.attention(x, mask))
        return self.norm2(x + self.down(self.gelu(self.up(x))))


class Embeddings(nn.Module):
    """Token ids to the summed word, position and segment embeddings. The
    position and segment ids are the model's own buffers, sliced to the
    sequence, as BERT's reference code and Hugging Face's keep them."""

    def __init__(self, hidden, vocabulary, positions, segments):
        super().__init__()
        self.word = nn.Embedding(vocabulary, hidden)
        self.position = nn.Embedding(positions, hidden)
        self.segment = nn.Embedding(segments, hidden)
        self.register_buffer("position_ids", torch.arange(positions).unsqueeze(0), persistent=False)
        self.register_buffer("segment_ids", torch.zeros(1, positions, dtype=torch.long), persistent=False)

    def forward(self, ids, token_type_ids=None):
        t = ids.shape[1]
        if token_type_ids is not None:  # Hugging Face's BertEmbeddings: words plus types, then positions
            return self.word(ids) + self.segment(token_type_ids) + self.position(self.position_ids[:, :t])
        return self.word(ids) + self.position(self.position_ids[:, :t]) + self.segment(self.segment_ids[:, :t])


class Bert(nn.Module):
    def __init__(self, layers=12, hidden=768, heads=12, ffn=3072, attention="matmul", embeddings=None,
                 mask_fill=None):
        super().__init__()
        # embeddings: None (the input is the summed embeddings), or the
        # tables' sizes {vocabulary, positions, segments}. mask_fill: None
        # (no attention mask), or what a masked token's scores get added.
        self.mask_fill = mask_fill
        self.embeddings = Embeddings(hidden, **embeddings) if embeddings else None
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(Layer(hidden, heads, ffn, attention) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)

    def forward(self, embeddings, token_type_ids=None, attention_mask=None):
        if self.embeddings is not None:
            embeddings = self.embeddings(embeddings, token_type_ids)
        mask = None
        if attention_mask is not None:
            # BertModel.get_extended_attention_mask: 1 keeps a token, 0 masks it.
            mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * self.mask_fill
        x = self.norm(embeddings)
        for layer in self.layers:
            x = layer(x, mask)
        return torch.tanh(self.pooler(x[:, 0]))


def export(path, tokens=128, opset=13, **shape):
    """Writes the model of `shape` (Bert's arguments) for `tokens` tokens to path."""
    torch.manual_seed(0)
    model = Bert(**shape).eval()
    hidden = model.pooler.in_features
    if model.embeddings is None:
        x, names = (torch.randn(1, tokens, hidden),), ["embeddings"]
    else:
        x, names = (torch.randint(model.embeddings.word.num_embeddings, (1, tokens)),), ["input_ids"]
    if model.mask_fill is not None:
        # Two sentences (types 0 and 1) and a padded tail the mask drops, so
        # no input is a constant the exporter could fold.
        types = (torch.arange(tokens) >= tokens // 2).long().unsqueeze(0)
        mask = (torch.arange(tokens) < tokens - tokens // 4).long().unsqueeze(0)
        x, names = x + (types, mask), names + ["token_type_ids", "attention_mask"]
    with torch.no_grad():
        torch.onnx.export(model, x, path, opset_version=opset, input_names=names, output_names=["pooled"])


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
    p.add_argument("--embeddings", action="store_true", help="start from token ids through the three embedding tables")
    p.add_argument("--hf-inputs", action="store_true",
                   help="take input_ids, token_type_ids and attention_mask, as Hugging Face's BertModel exports")
    p.add_argument("--mask-fill", choices=("finfo", "-10000"), default="finfo",
                   help="with --hf-inputs: a masked token's added score, torch.finfo(float32).min or -10000.0")
    p.add_argument("--vocabulary", type=int, default=30522)
    p.add_argument("--positions", type=int, default=512)
    p.add_argument("--segments", type=int, default=2)
    a = p.parse_args()
    if a.embeddings and a.hf_inputs:
        p.error("--embeddings and --hf-inputs are two forms of the input; give one")
    tables = dict(vocabulary=a.vocabulary, positions=a.positions, segments=a.segments)
    fill = None
    if a.hf_inputs:
        fill = torch.finfo(torch.float32).min if a.mask_fill == "finfo" else -10000.0
    export(a.out, a.tokens, a.opset, layers=a.layers, hidden=a.hidden, heads=a.heads, ffn=a.ffn, attention=a.attention,
           embeddings=tables if a.embeddings or a.hf_inputs else None, mask_fill=fill)


if __name__ == "__main__":
    main()
