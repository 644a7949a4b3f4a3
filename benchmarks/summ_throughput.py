"""Seeds side by side: what one summarization model costs on the 2-core machine, in one process or three.

    .venv/bin/python benchmarks/summ_throughput.py [--steps 200] [--docs 200] [--k 8] [--out FILE]

The numbers behind the budget of the summ `cpu` preset (issue #15: three seeds, the whole test
split, in at most 90 minutes). The model is the cpu preset's (`configs/cpu.yaml`, section
`summ`: a pre-LayerNorm BART of width 128, 2+2 layers, on its 4000-token tokenizer of the Debian
descriptions), trained from scratch (no denoising pretraining: only the speed is measured).
Each process, for its own seed:

- trains `--steps` steps at the preset's batch size (one validation, on 10 documents): steps per second;
- samples `--k` candidates for `--docs` new documents, as candidate generation does: documents/s;
- summarises `--docs` test documents greedily and scores them, as every model's test evaluation does.

Configurations: one process with two torch threads, and three processes of one thread each side
by side (`core.map_seeds`, as `run_loop(workers=3)` starts them). Run it on an otherwise idle
machine; the ratios within one run are what to read.
"""
from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd
import torch
import yaml

from verified_collapse.core import map_seeds
from verified_collapse.summ.config import SummSettings
from verified_collapse.summ.data import debian_corpus
from verified_collapse.summ.task import SummTask

ROOT = Path(__file__).resolve().parents[1]


def preset() -> SummSettings:
    "The cpu preset's summ settings (fields `SummSettings` has), on the cpu, without external scorers."
    sec = yaml.safe_load((ROOT / "configs" / "cpu.yaml").read_text())["summ"]
    keep = {k: v for k, v in sec.items() if k in SummSettings.__dataclass_fields__}
    return SummSettings(**{**keep, "scorers": (), "device": "cpu", "pretrain_steps": 0, "sampling": True})


def costs(seed: int, steps: int, docs: int, k: int, cache: str) -> dict:
    "Train, sample and evaluate in this process (its torch threads as set); the rates."
    warnings.simplefilter("ignore")
    s = preset()
    corpus = debian_corpus(yaml.safe_load((ROOT / "configs" / "cpu.yaml").read_text())["summ"]["lists_dir"])
    splits = dict(train=corpus["train"], validation=corpus["validation"][:10], test=corpus["test"][:docs])
    rule = dict(n_test=docs, n_valid=10, retrain_steps=steps, eval_every=steps, patience=0, epochs=0.0)
    task = SummTask(splits, replace(s, **rule), cache_dir=Path(cache), progress=False)
    pairs = task.real_dataset(min(steps * s.batch_size, s.n0), seed)
    t = time.perf_counter()
    model = task.train(pairs, seed)  # the task's own training: `steps` steps, one validation on 10 documents
    train_s = time.perf_counter() - t
    t = time.perf_counter()
    task.generate(model, task.test, k, seed)  # `docs` documents, as a chunk of the pool
    sample_s = time.perf_counter() - t
    t = time.perf_counter()
    task.evaluate(model)
    eval_s = time.perf_counter() - t
    return dict(steps_per_s=steps / train_s, docs_per_s_sampling=docs / sample_s, docs_per_s_eval=docs / eval_s)


def measure(processes: int, threads: int, a, cache: str) -> dict:
    "One configuration: `processes` side by side (one thread each when more than one)."
    seeds = [100 * processes + 10 * threads + i for i in range(processes)]  # never a model the cache already holds
    args = [(seed, a.steps, a.docs, a.k, cache) for seed in seeds]
    if processes == 1:
        torch.set_num_threads(threads)
        each = [costs(*args[0])]
    else:
        each = map_seeds(costs, args, workers=processes)
    mean = pd.DataFrame(each).mean()
    return dict(processes=processes, threads_each=threads, **{f"{c}_each": round(v, 2) for c, v in mean.items()},
                steps=a.steps, docs=a.docs, k=a.k)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--out", default=None, help="CSV file for the table (default: print only)")
    a = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="summ-throughput-")  # the tokenizer is trained once, then read back
    measure(1, 2, argparse.Namespace(steps=1, docs=1, k=1), cache)  # warm-up: tokenizer and corpus
    rows = [measure(1, 2, a, cache), measure(3, 1, a, cache)]
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if a.out:
        table.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
