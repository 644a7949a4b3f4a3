"""Item 0 of #14: do real-label and synthetic-label students leave the constant-output plateau, and when?

    .venv/bin/python benchmarks/eigen_plateau.py [--run runs/cpu/eigen] [--n 5000] [--steps 3000] [--out FILE]

Reads the eigen cpu run's cache (its seed-0 generator and candidates), takes the first n
examples of three training sets -- real data, the top-1 candidates, the oracle's choices -- and
trains each from the experiment's initialisation and batch order (seed 0, as its retrained
models) with the experiment's schedule but no early stopping, for `steps` steps. Every 250
steps it records the validation accuracy at 5%, the share of distinct answers on the
validation matrices (the degenerate check: below 0.1 the answers barely depend on the matrix)
and the mean training loss since the last validation. The three run side by side in three
one-thread processes.
"""
from __future__ import annotations

import argparse
import dataclasses
import warnings

import numpy as np
import pandas as pd
import yaml

from verified_collapse.core import derive_seed, map_seeds
from verified_collapse.eigen.config import EigenConfig
from verified_collapse.eigen.data import rel_l1_error
from verified_collapse.eigen.model import build_model
from verified_collapse.eigen.task import EigenTask, predict
from verified_collapse.outcomes import distinct_share
from verified_collapse.train import FixedData, train_seq2seq


def curve(run: str, name: str, n: int, steps: int) -> pd.DataFrame:
    warnings.simplefilter("ignore", UserWarning)
    cfg = EigenConfig.from_params(yaml.safe_load(open("configs/cpu.yaml"))["eigen"])
    task = EigenTask(cfg, cache_dir=f"{run}/cache", progress=False)
    if name == "real":
        data = task.real_dataset(n, derive_seed(0, "real"))
    else:
        from verified_collapse.eigen.diagnostics import replay_selections

        _, rep = replay_selections(task, [name], n, cfg.k, cfg.chunk, cfg.max_pool, 0)
        data = task.subset(rep[name]["data"], n)
    seed = derive_seed(0, "train")  # the loop's training seed of every retrained model of seed 0
    m = build_model(task.model_cfg, len(task.vocab), task.vocab.pad_id, task.vocab.bos_id, task.vocab.eos_id,
                    seed=derive_seed(seed, "init"))
    tc = dataclasses.replace(task.s.train_config(steps, derive_seed(seed, "batches")), patience=0)
    rows = []

    def evaluate(model):
        pred = predict(model, task.valid["src"], task.vocab, task.s.dim)
        err = rel_l1_error(pred, task.valid["eigenvalues"])
        rows.append(dict(data=name, acc5=float((err < 0.05).mean()), distinct=distinct_share(pred),
                         parsable=float(np.isfinite(pred).all(1).mean())))
        return {"acc": rows[-1]["acc5"]}

    h = train_seq2seq(m, FixedData(data["src"], data["tgt"], task.s.batch_size, tc.seed), tc, eval_fn=evaluate,
                      metric="acc", pad_id=task.vocab.pad_id, progress=False)
    loss = np.asarray(h["losses"])
    for r, e in zip(rows, h["history"]):
        r.update(step=e["step"], train_loss=float(loss[max(0, e["step"] - tc.eval_every):e["step"]].mean()))
    return pd.DataFrame(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", default="runs/cpu/eigen")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    names = ["real", "top1", "oracle"]
    df = pd.concat(map_seeds(curve, [(a.run, s, a.n, a.steps) for s in names], workers=len(names)))
    print(df.pivot_table(index="step", columns="data", values=["acc5", "distinct", "train_loss"]).round(4).to_string())
    if a.out:
        df.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
