"""Calibration of the eigen `cpu` preset on validation data: generators of several n0 under the one training rule.

    .venv/bin/python benchmarks/eigen_calibrate.py [--n0 2500 5000 10000] [--epochs 60] [--out FILE]

Each generator is trained with the experiment's training rule (validate every `eval_every`
steps on `n_valid` real matrices, stop after `patience` validations without gain or at a cap
of `epochs` passes over its n0 examples, keep the best weights). Reported: the steps used,
the best step, validation accuracy at 5% of the kept weights, coverage of k = 4 beam
candidates on the validation matrices (some candidate within 5%), the share of distinct
answers on the validation matrices (the truth's is about 1), the wall time and
training samples per second. Test matrices are never looked at: this chooses the protocol.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch

from verified_collapse.eigen.config import EigenSettings
from verified_collapse.eigen.task import EigenTask, evaluate_model, predict
from verified_collapse.outcomes import distinct_share


def calibrate(n0: int, a) -> dict:
    s = EigenSettings(dim=2, model="cpu", encoding="B1999", n0=n0, gen_steps=1, epochs=a.epochs, batch_size=a.batch,
                      lr=a.lr, warmup=a.warmup, eval_every=a.eval_every, patience=a.patience, n_valid=a.n_valid,
                      n_test=1, k=4, beam=4)
    task = EigenTask(s, cache_dir=None, progress=False)
    t0 = time.perf_counter()
    gen = task.train_generator(a.seed)
    dt = time.perf_counter() - t0
    h = gen.history
    val = evaluate_model(gen, task.valid, task.vocab, s.dim)
    distinct = distinct_share(predict(gen, task.valid["src"], task.vocab, s.dim))
    cands = task.judge(*task._candidates(gen, task.valid["src"], 4, 0), task.valid["eigenvalues"])
    return dict(n0=n0, epochs=a.epochs, step_cap=s.steps_for(1, n0), steps=h["step"], best_step=h["best_step"],
                val_acc5=val["acc@0.05"], val_distinct=round(distinct, 3), val_coverage_k4=float(cands.correct.any(1).mean()), seconds=round(dt, 1),
                samples_per_s=round(h["step"] * a.batch / dt), batch=a.batch, lr=a.lr, patience=a.patience)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n0", type=int, nargs="+", default=[2500, 5000, 10000])
    ap.add_argument("--epochs", type=float, default=60)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--eval_every", type=int, default=500)
    ap.add_argument("--patience", type=int, default=4)
    ap.add_argument("--n_valid", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    torch.set_num_threads(2)
    warnings.simplefilter("ignore", UserWarning)
    rows = []
    for n0 in a.n0:
        rows.append(calibrate(n0, a))
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    print(df.to_string(index=False))
    if a.out:
        df.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
