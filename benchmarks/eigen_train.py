"""Training throughput: our eigenvalue training step against a straightforward PyTorch loop.

    .venv/bin/python benchmarks/eigen_train.py [--steps 60] [--dim 3] [--encoding B1999]

Ours: the BART model of `eigen_model` (cpu preset), batches from `FixedData` over a split
made by the vectorised `make_split`, the `train_seq2seq` step (Adam, warmup+cosine, clipping).
Baseline: `torch.nn.Transformer` of the same width, depth, heads and feed-forward size, with
each example generated one at a time (numpy matrix, `eigvalsh`, encode) as a naive data
pipeline would. Both run in this process, one after the other; the ratio is what to read
(absolute numbers vary with the machine's load).
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

from verified_collapse.eigen.data import EigenVocab
from verified_collapse.eigen.sequences import encode_matrices, encode_vectors, make_split
from verified_collapse.eigen.model import MODEL_PRESETS, build_model, n_params
from verified_collapse.train import FixedData, TrainConfig, train_seq2seq


class PlainSeq2Seq(torch.nn.Module):
    "nn.Transformer with token embeddings, learned positions and an output layer."
    def __init__(self, vocab, cfg, max_len=64):
        super().__init__()
        self.emb = torch.nn.Embedding(vocab, cfg.d_model)
        self.pos = torch.nn.Embedding(max_len, cfg.d_model)
        self.tf = torch.nn.Transformer(cfg.d_model, cfg.heads, cfg.enc_layers, cfg.dec_layers, cfg.ffn_mult * cfg.d_model,
                                       dropout=0.0, batch_first=True)
        self.out = torch.nn.Linear(cfg.d_model, vocab)

    def forward(self, src, tgt_in):
        e = lambda x: self.emb(x) + self.pos(torch.arange(x.shape[1]))[None]
        mask = torch.nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        return self.out(self.tf(e(src), e(tgt_in), tgt_mask=mask, tgt_is_causal=True))


def naive_batch(n, dim, vocab, rng):
    "One example at a time: draw, diagonalise, encode."
    src, tgt = [], []
    for _ in range(n):
        a = rng.uniform(-10, 10, (dim, dim))
        m = np.tril(a) + np.tril(a, -1).T
        ev = np.sort(np.linalg.eigvalsh(m))[::-1]
        src.append(encode_matrices(m, vocab, symmetric=True)); tgt.append(encode_vectors(ev, vocab))
    return torch.as_tensor(np.stack(src)), torch.as_tensor(np.stack(tgt))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--dim", type=int, default=3)
    ap.add_argument("--encoding", default="B1999")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    vocab, cfg = EigenVocab(a.encoding, 10), MODEL_PRESETS["cpu"]

    # ours
    model = build_model(cfg, len(vocab), seed=0)
    split = make_split(a.steps * a.batch, a.dim, 0, vocab, symmetric=True)
    tc = TrainConfig(max_steps=a.steps, batch_size=a.batch, warmup=5, eval_every=a.steps, ckpt_every_s=1e9)
    t = time.perf_counter()
    split = make_split(a.steps * a.batch, a.dim, 0, vocab, symmetric=True)  # data generation is part of the cost
    train_seq2seq(model, FixedData(split["src"], split["tgt"], a.batch, 0), tc, progress=False)
    ours = a.steps * a.batch / (time.perf_counter() - t)

    # straightforward loop
    plain = PlainSeq2Seq(len(vocab), cfg)
    opt = torch.optim.Adam(plain.parameters(), 5e-4)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for _ in range(a.steps):
        src, tgt = naive_batch(a.batch, a.dim, vocab, rng)
        tgt_in = torch.cat([torch.full((a.batch, 1), vocab.eos_id), tgt[:, :-1]], 1)
        loss = torch.nn.functional.cross_entropy(plain(src, tgt_in).flatten(0, 1), tgt.flatten())
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(plain.parameters(), 5.0); opt.step()
    base = a.steps * a.batch / (time.perf_counter() - t)

    print(f"{a.dim}x{a.dim} matrices, {a.encoding}, batch {a.batch}, {a.steps} steps, {torch.get_num_threads()} threads")
    print(f"ours (BART {n_params(model):,} params, vectorised data): {ours:8.0f} samples/s")
    print(f"nn.Transformer ({sum(p.numel() for p in plain.parameters()):,} params, per-sample data): {base:8.0f} samples/s")
    print(f"ratio ours / straightforward: {ours / base:.2f}")


if __name__ == "__main__":
    main()
