"""Candidate generation throughput: batched beam generation against one document at a time.

    .venv/bin/python benchmarks/summ_generate.py [--n 64] [--k 4] [--batch 32]

A small BART (the smoke/cpu model family of `summ_model`) is trained for a few steps on the
Debian-description sample shipped with the tests, so that it writes summaries of realistic
length; then `generate_summaries` writes k beam candidates for n documents, once in batches
and once one document per call, in this process. It prints candidates/s of both, their
ratio, and whether both returned the same candidates.
"""
from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from verified_collapse.train import FixedData, TrainConfig, train_seq2seq
from verified_collapse.summ.data import debian_corpus
from verified_collapse.summ.model import build_seq2seq, encode_pairs, generate_summaries, train_tokenizer

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=150)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    splits = debian_corpus(ROOT / "tests" / "fixtures" / "summ" / "apt_sample", cache_dir=tempfile.mkdtemp())
    train = splits["train"]
    tok = train_tokenizer([d.text for d in train] + [d.summary for d in train], 2000)
    model = build_seq2seq(tok, d_model=128, layers=2, heads=4, ffn=512, seed=0)
    data = encode_pairs(tok, [d.text for d in train], [d.summary for d in train], 128, 24)
    train_seq2seq(model, FixedData(data["src"], data["tgt"], 32, 0), TrainConfig(max_steps=a.steps, batch_size=32, lr=1e-3, warmup=20),
                  pad_id=tok.pad_token_id, progress=False)
    docs = [d.text for d in (splits["validation"] + splits["test"] + train)[:a.n]]
    generate_summaries(model, tok, docs[:4], k=a.k, max_new_tokens=24)  # warm-up
    t = time.perf_counter(); batched, sb = generate_summaries(model, tok, docs, k=a.k, max_new_tokens=24, batch_size=a.batch, max_source_len=128)
    t_b = time.perf_counter() - t
    t = time.perf_counter(); single = [generate_summaries(model, tok, [d], k=a.k, max_new_tokens=24, max_source_len=128) for d in docs]
    t_s = time.perf_counter() - t
    same = np.mean([s[0][0] == b for s, b in zip(single, batched)])
    lengths = np.mean([len(c.split()) for cs in batched for c in cs])
    print(f"{a.n} documents, k = beam = {a.k}, batch {a.batch}, summaries of {lengths:.1f} words on average")
    print(f"batched:      {a.n * a.k / t_b:8.1f} candidates/s")
    print(f"one at a time:{a.n * a.k / t_s:8.1f} candidates/s")
    print(f"ratio batched / one at a time: {t_s / t_b:.2f}; same candidates for {same:.0%} of documents")


if __name__ == "__main__":
    main()
