"""Calibration of the summ `cpu` preset on validation data: does the generator beat copying the document?

    .venv/bin/python benchmarks/summ_calibrate.py [--variants base pretrain3000 ...] [--n_cal 1000] [--out FILE]

Issue #15 asks that the generator beat the lead-k baseline (the document's first k words, k
chosen on validation) by a paired interval that excludes 0 before any summarization claim is
tested. This script trains the generator of `configs/cpu.yaml` (section `summ`) and variants
of it (more pretraining, more generator steps, a wider or deeper model, a longer source) and
compares each with lead-k and the best constant synopsis, paired on the same documents.

Test documents are never looked at: the first `n_valid` validation documents select the
checkpoint (the training rule) and choose lead-k's k and the constant; the next `n_cal`
validation documents are the calibration items every number here is measured on.
One seed (0); one variant at a time in this process (two torch threads).
"""
from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd
import torch
import yaml

from verified_collapse.stats import paired_bootstrap
from verified_collapse.summ.baselines import summ_baselines
from verified_collapse.summ.config import SummSettings
from verified_collapse.summ.data import debian_corpus
from verified_collapse.summ.task import SummTask

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {  # name -> overrides of the cpu preset's summ section
    "base": {},
    "gen2000": dict(gen_steps=2000),
    "gen5000": dict(gen_steps=5000),
    "pretrain4000": dict(pretrain_steps=4000),
    "src128": dict(max_source_len=128),
    "wide256": dict(d_model=256, ffn=1024),
    "deep4": dict(layers=4),
    "pretrain4000_gen2000": dict(pretrain_steps=4000, gen_steps=2000),
    "wide256_gen2000": dict(d_model=256, ffn=1024, gen_steps=2000),
    "deep4_gen2000": dict(layers=4, gen_steps=2000),
}
_SETTINGS = set(SummSettings.__dataclass_fields__)


def cpu_section() -> dict:
    "The cpu preset's summ section."
    return yaml.safe_load((ROOT / "configs" / "cpu.yaml").read_text())["summ"]


def cpu_summ() -> dict:
    "The cpu preset's summ section, keeping the fields `SummSettings` has."
    return {k: v for k, v in cpu_section().items() if k in _SETTINGS}


def calibrate(name: str, splits: dict, a) -> dict:
    "Train one variant's generator (seed 0) and compare it with the baselines on the calibration documents."
    s = SummSettings(**{**cpu_summ(), **VARIANTS[name], "scorers": (), "n_test": a.n_cal, "device": "cpu"})
    task = SummTask(splits, s, cache_dir=a.cache, progress=False)
    t0 = time.perf_counter()
    gen = task.train_generator(0)
    seconds = time.perf_counter() - t0
    ev = task.test_outcomes(gen)  # task.test holds the calibration documents, not the test split
    base, info = summ_baselines(task.train_docs, task.valid, task.test)
    g, lead, const = (e.items.score.to_numpy() for e in (ev, base["lead-k"], base["constant"]))
    vs_lead, vs_const = paired_bootstrap(g, lead), paired_bootstrap(g, const)
    h = getattr(gen, "history", {}) or {}
    return dict(variant=name, overrides=str(VARIANTS[name]), generator=round(ev.metric, 4),
                lead_k=round(float(lead.mean()), 4), k=info["k"], constant=round(float(const.mean()), 4),
                gen_minus_lead=round(vs_lead["estimate"], 4), lo=round(vs_lead["lo"], 4), hi=round(vs_lead["hi"], 4),
                gen_minus_constant=round(vs_const["estimate"], 4), distinct=round(ev.distinct, 3),
                steps=h.get("step"), best_step=h.get("best_step"), seconds=round(seconds, 1), n_cal=len(g))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", default=["base", "pretrain4000", "src128"], choices=list(VARIANTS))
    ap.add_argument("--n_cal", type=int, default=1000, help="validation documents measured on (after n_valid)")
    ap.add_argument("--cache", default=str(ROOT / "runs" / "calibrate" / "summ"))
    ap.add_argument("--out", default=None, help="CSV file for the table (appended per variant)")
    a = ap.parse_args()
    torch.set_num_threads(2)
    warnings.simplefilter("ignore")
    sec = cpu_section()
    corpus = debian_corpus(sec["lists_dir"])
    valid = list(corpus["validation"])
    if len(valid) < sec["n_valid"] + a.n_cal:
        raise SystemExit(f"the validation split has {len(valid)} documents: fewer than n_valid + n_cal")
    splits = dict(train=corpus["train"], validation=valid[: sec["n_valid"]],
                  test=valid[sec["n_valid"]: sec["n_valid"] + a.n_cal])
    rows = []
    for name in a.variants:
        rows.append(calibrate(name, splits, a))
        print(rows[-1], flush=True)
        if a.out:
            pd.DataFrame(rows).to_csv(a.out, index=False)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
