"""Seeds side by side: training steps per second of the eigen cpu model in one process or several.

    .venv/bin/python benchmarks/eigen_throughput.py [--steps 300] [--dim 2] [--batch 64] [--out FILE]

The numbers behind `workers` in `configs/cpu.yaml` (section `eigen`) and the calibration table
of `nbs/24_eigen_collapse.ipynb`. Each configuration trains the cpu model (BART 2+1 layers,
width 128) for `--steps` steps on 2x2 symmetric matrices, B1999, and reports steps per second
of each process and in all:

- one process with two torch threads (the default of a run without `workers`);
- one process with one thread;
- 2 and 3 processes of one thread each, side by side, started by `core.map_seeds` as the
  experiment starts them.

Run it on an otherwise idle machine: another busy process halves every number. The ratios
within one run are what to read.
"""
from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd
import torch

from verified_collapse.core import map_seeds
from verified_collapse.eigen.data import EigenVocab
from verified_collapse.eigen.model import MODEL_PRESETS, build_model
from verified_collapse.eigen.sequences import make_split
from verified_collapse.train import FixedData, TrainConfig, train_seq2seq


def steps_per_second(
    seed: int,  # seed of the model and the data
    steps: int,  # training steps timed
    dim: int,  # matrix size
    batch: int,  # examples per step
) -> float:
    "Train the cpu model `steps` steps in this process (its torch threads as set); steps per second."
    warnings.simplefilter("ignore")
    vocab = EigenVocab("B1999", 10)
    model = build_model(MODEL_PRESETS["cpu"], len(vocab), seed=seed)
    split = make_split(steps * batch, dim, seed, vocab, symmetric=True)
    tc = TrainConfig(max_steps=steps, batch_size=batch, warmup=5, eval_every=steps, ckpt_every_s=1e9)
    t = time.perf_counter()
    train_seq2seq(model, FixedData(split["src"], split["tgt"], batch, seed), tc, progress=False)
    return steps / (time.perf_counter() - t)


def measure(processes: int, threads: int, a) -> dict:
    "One configuration: `processes` side by side (one thread each when more than one)."
    args = [(seed, a.steps, a.dim, a.batch) for seed in range(processes)]
    if processes == 1:
        torch.set_num_threads(threads)
        each = [steps_per_second(*args[0])]
    else:
        each = map_seeds(steps_per_second, args, workers=processes)  # spawned, one torch thread each
    return dict(processes=processes, threads_each=threads, steps_per_s_each=round(sum(each) / len(each), 1),
                steps_per_s_all=round(sum(each), 1), steps=a.steps, dim=a.dim, batch=a.batch)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--dim", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--out", default=None, help="CSV file for the table (default: print only)")
    a = ap.parse_args()
    rows = [measure(1, 2, a), measure(1, 1, a), measure(2, 1, a), measure(3, 1, a)]
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if a.out:
        table.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
