"""Beam search throughput: our batched, cached beam search against re-running the whole prefix.

    .venv/bin/python benchmarks/eigen_beam.py [--n 256] [--k 4] [--dim 3] [--encoding B1999]

Ours: `eigen_model.beam_search` (transformers' generate: batched over inputs, key/value cache).
Baseline: a batched beam search written plainly, that calls the model on the full decoder
prefix at every step (no cache), so step t costs O(t) decoder positions instead of O(1).
Both decode the same inputs with the same untrained-but-fixed model in one run and the script
prints candidates/s and the ratio. As a check that both decode the same model, it compares
their greedy (k = 1) outputs; for k > 1 they rank finished hypotheses differently (ours, as LAWT,
divides a hypothesis' log-probability by its length; the plain one sums), so only speed is compared.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

from verified_collapse.eigen.data import EigenVocab
from verified_collapse.eigen.sequences import make_split, sequence_lengths
from verified_collapse.eigen.model import MODEL_PRESETS, beam_search, build_model


@torch.no_grad()
def prefix_beam_search(model, src, k, max_new_tokens, pad=0, eos=2):
    "Plain beam search, re-encoding nothing but re-decoding the whole prefix at each step."
    n = len(src)
    enc = model.get_encoder()(input_ids=src, attention_mask=(src != pad).long()).last_hidden_state
    enc = enc.repeat_interleave(k, 0); mask = (src != pad).long().repeat_interleave(k, 0)
    seqs = torch.full((n * k, 1), eos)
    scores = torch.zeros(n, k); scores[:, 1:] = -1e9
    done = torch.zeros(n * k, dtype=torch.bool)
    for t in range(max_new_tokens):
        out = model(encoder_outputs=(enc,), attention_mask=mask, decoder_input_ids=seqs).logits[:, -1]
        logp = torch.log_softmax(out.float(), -1)
        logp[done] = -1e9; logp[done, pad] = 0.0  # finished beams only extend with pad
        V = logp.shape[-1]
        cand = (scores.reshape(-1, 1) + logp).reshape(n, k * V)
        top, idx = cand.topk(k, dim=-1)
        beam_idx = (idx // V) + torch.arange(n)[:, None] * k
        tok = (idx % V).reshape(-1, 1)
        seqs = torch.cat([seqs[beam_idx.reshape(-1)], tok], 1)
        done = done[beam_idx.reshape(-1)] | (tok.squeeze(1) == eos) | (tok.squeeze(1) == pad)
        scores = top
        if done.all(): break
    return seqs[:, 1:].reshape(n, k, -1), scores


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--dim", type=int, default=3)
    ap.add_argument("--encoding", default="B1999")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    vocab = EigenVocab(a.encoding, 10)
    model = build_model(MODEL_PRESETS["cpu"], len(vocab), seed=0).eval()
    src = torch.as_tensor(make_split(a.n, a.dim, 0, vocab, symmetric=True)["src"])
    _, tgt_len = sequence_lengths(vocab, a.dim, symmetric=True)
    beam_search(model, src[:8], k=a.k, max_new_tokens=tgt_len)  # warm-up
    t = time.perf_counter(); ids, sc = beam_search(model, src, k=a.k, max_new_tokens=tgt_len, batch_size=256)
    ours = a.n * a.k / (time.perf_counter() - t)
    t = time.perf_counter(); ids2, sc2 = prefix_beam_search(model, src, a.k, tgt_len)
    base = a.n * a.k / (time.perf_counter() - t)
    g1, _ = beam_search(model, src, k=1, max_new_tokens=tgt_len)
    g2, _ = prefix_beam_search(model, src, 1, tgt_len)
    L = min(g1.shape[2], g2.shape[2])
    same = np.mean([(g1[i, 0, :L] == g2[i, 0, :L].numpy()).all() for i in range(a.n)])
    print(f"{a.n} {a.dim}x{a.dim} matrices, {a.encoding}, k = beam = {a.k}, {tgt_len} output tokens, {torch.get_num_threads()} threads")
    print(f"ours (generate, batched, key/value cache): {ours:8.0f} candidates/s")
    print(f"plain beam search re-running the prefix:   {base:8.0f} candidates/s")
    print(f"ratio ours / plain: {ours / base:.2f}; greedy outputs identical on {same:.0%} of inputs")


if __name__ == "__main__":
    main()
