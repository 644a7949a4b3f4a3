"""Diagnostic: does a smoke-sized eigenvalue generator write candidates that parse, and which checkpoint is kept?

    .venv/bin/python benchmarks/eigen_smoke_parse.py [--out results/diagnostics/eigen_smoke_parse.csv]

For each setting, one generator (seed 0, n0 = 200, smoke model, batch 32) is trained and asked for 3 beam
candidates on 100 new matrices. Recorded: the share of candidates that parse as eigenvalue lists (`valid`), that
are correct at 5%, the share of distinct greedy test outputs (1/n_test: a constant model), the first and last
training loss, the step whose weights are kept (`best_step`, selection on accuracy, ties broken by validation
loss) and the step the old rule (accuracy alone, the first maximum) would have kept. "pre-LN" swaps the BART
blocks for mBART's (LayerNorm before each block), as the summarization models use, by replacing the task's
model builder in this process only. Each row differs from the first in the settings named in its `setting`.
This is why the smoke preset uses 1x1 matrices (configs/smoke.yaml).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import verified_collapse.eigen.task as eigen_task
from verified_collapse.eigen.config import EigenSettings
from verified_collapse.seq2seq import encoder_decoder

BASE = dict(dim=2, model="smoke", n0=200, gen_steps=150, batch_size=32, eval_every=15, n_valid=50, n_test=60, beam=3)
SETTINGS = [
    ("2x2, post-LN, lr 1e-3, 150 steps", {}, False),
    ("2x2, post-LN, lr 3e-3", dict(lr=3e-3), False),
    ("2x2, post-LN, 300 steps", dict(gen_steps=300), False),
    ("2x2, post-LN, 200 steps", dict(gen_steps=200), False),
    ("2x2, pre-LN, lr 1e-3, 150 steps", {}, True),
    ("2x2, pre-LN, lr 3e-3", dict(lr=3e-3), True),
    ("2x2, pre-LN, 300 steps", dict(gen_steps=300), True),
    ("2x2, post-LN, P1000, lr 3e-3", dict(encoding="P1000", lr=3e-3), False),
    ("1x1, post-LN, lr 3e-3, 300 steps (smoke preset)", dict(dim=1, lr=3e-3, gen_steps=300), False),
]


def pre_ln_builder(cfg, vocab_size, pad_id=0, bos_id=1, eos_id=2, seed=None):
    "`eigen.model.build_model` with mBART's pre-LN blocks."
    sizes = dict(d_model=cfg.d_model, enc_layers=cfg.enc_layers, dec_layers=cfg.dec_layers, heads=cfg.heads)
    sizes.update(ffn=cfg.ffn_mult * cfg.d_model, max_len=cfg.max_len)
    ids = dict(pad=pad_id, bos=bos_id, eos=eos_id, start=eos_id)
    return encoder_decoder(vocab_size, **sizes, **ids, dropout=cfg.dropout, inner_dropout=cfg.dropout, pre_ln=True, seed=seed)


def measure(setting: str, over: dict, pre_ln: bool) -> dict:
    post_ln_builder = eigen_task.build_model
    eigen_task.build_model = pre_ln_builder if pre_ln else post_ln_builder
    try:
        t0 = time.perf_counter()
        task = eigen_task.EigenTask(EigenSettings(**{**BASE, **over}), cache_dir=None, progress=False)
        g = task.train_generator(0)
        c = task.generate(g, task.sample_inputs(100, 5), 3, 5)
        ev = task.evaluate(g)
    finally:
        eigen_task.build_model = post_ln_builder
    acc = [(h["acc@0.05"], h["step"]) for h in g.history["history"]]
    first_max = next(s for a, s in acc if a == max(a for a, _ in acc))
    losses = g.history["losses"]
    return dict(setting=setting, valid=float(c.valid.mean()), correct=float(c.correct.mean()), test_acc=ev.metric,
                distinct_outputs=ev.distinct, loss_first=losses[0], loss_last=losses[-1], steps=g.history["step"],
                best_step=g.history["best_step"], best_step_accuracy_only=first_max,
                seconds=round(time.perf_counter() - t0, 1))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results/diagnostics/eigen_smoke_parse.csv")
    args = ap.parse_args()
    table = pd.DataFrame([measure(*s) for s in SETTINGS])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4g")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table)
