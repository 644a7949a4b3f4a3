"""Item 0 of #14: does a plateau restart get a stuck student off the constant-answer plateau?

The third eigen main test (results/cpu/eigen) left 11 of 36 synthetic-data students degenerate: at their step
cap their validation answers were still under 10% distinct. `TrainConfig.plateau_restarts` gives such a model
`max_steps` more steps from its last weights under a fresh warmup and cosine. This script applies exactly that
to students of the run, read back from its cache, and records their validations and test result.

Two phases, because the run's cache is keyed by the code that made it (the trainer's source included):

    # 1. with the code of the run's commit (a git worktree of it): find each student's data and checkpoint
    PYTHONPATH=/path/to/worktree python benchmarks/eigen_restart.py locate --run runs/cpu/eigen --work /tmp/restart
    # 2. with this code: continue each student under the restart rule, in one-thread processes side by side
    python benchmarks/eigen_restart.py restart --work /tmp/restart --out results/diagnostics/eigen_restart.csv
    # 3. the same students' data trained from scratch with other seeds' initial weights and batch order
    python benchmarks/eigen_restart.py reseed --work /tmp/restart --out results/diagnostics/eigen_reseed.csv
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from verified_collapse.core import derive_seed, map_seeds
from verified_collapse.eigen.config import EigenConfig
from verified_collapse.eigen.task import EigenTask
from verified_collapse.tools.runner import load_preset

# seed 0's degenerate students of the third main test (results/cpu/eigen/results.csv): all four stayed under 1%
# distinct answers at their cap, with the best checkpoint at step 250-500
STUDENTS = [("top1", 10000), ("random", 10000), ("noisy_oracle(0.7)", 10000), ("noisy_oracle(0.3)", 160000)]


def _task(cache=None) -> EigenTask:
    cfg = EigenConfig(**{**load_preset("cpu", "eigen"), "out_dir": "unused"})
    return EigenTask(cfg, cache_dir=cache, progress=False)


def locate(run: Path, work: Path, seed: int = 0):
    "Each student's training data and checkpoint (its last weights, its best weights, its state) into `work`."
    from verified_collapse.eigen.diagnostics import replay_selections

    task = _task(run / "cache")
    work.mkdir(parents=True, exist_ok=True)
    for n in sorted({n for _, n in STUDENTS}):
        names = [v for v, m in STUDENTS if m == n]
        _, rep = replay_selections(task, names, n, task.s.k, task.s.chunk, task.s.max_pool, seed)
        for v in names:
            data = task.subset(rep[v]["data"], n)
            steps = task.s.steps_for(task.s.retrain_steps, n)
            ckpt = run / "cache" / f"model-{task.model_key(data, steps, derive_seed(seed, 'train'))}.pt"
            if not ckpt.exists():
                raise SystemExit(f"{v} N={n}: no checkpoint {ckpt} (another commit's code? see the docstring)")
            name = f"{v}-{n}"
            np.savez(work / f"{name}.npz", src=data["src"], tgt=data["tgt"])
            shutil.copy(ckpt, work / f"{name}.pt")
            shutil.copy(f"{ckpt}.best", work / f"{name}.pt.best")
            (work / f"{name}.json").write_text(json.dumps(dict(verifier=v, N=n, seed=seed, steps=steps)))
            print(f"{name}: {len(data['src'])} examples, cap {steps}, checkpoint {ckpt.name}")


def _train_and_test(task, model, data, cfg, name: str, ckpt_path=None, **columns) -> pd.DataFrame:
    "Train `model` under `cfg` with the task's validation (as `EigenTask._fit`); its validations and test result."
    from verified_collapse.eigen.task import evaluate_model
    from verified_collapse.train import FixedData, train_seq2seq

    h = train_seq2seq(
        model,
        FixedData(data["src"], data["tgt"], task.s.batch_size, cfg.seed),
        cfg,
        eval_fn=lambda m: evaluate_model(m, task.valid, task.vocab, task.s.dim),
        metric=("acc@0.05", "neg_loss"),
        ckpt_path=ckpt_path,
        pad_id=task.vocab.pad_id,
        progress=False,
    )
    test = task.evaluate(model.eval())  # the best weights kept
    out = pd.DataFrame([dict(name=name, step=r["step"], acc5=r["acc@0.05"], distinct=r["distinct"]) for r in h["history"]])
    return out.assign(**columns, best_step=h["best_step"], test_acc5=test.metric, test_distinct=test.distinct)


def _model(task, seed: int):
    "A fresh model of the task's architecture with the loop's initial weights for training seed `seed`."
    from verified_collapse.eigen.model import build_model

    v = task.vocab
    return build_model(task.model_cfg, len(v), v.pad_id, v.bos_id, v.eos_id, seed=derive_seed(seed, "init"))


def restart(work: str, name: str) -> pd.DataFrame:
    "Continue one located student under `plateau_restarts` = 1: its checkpoint resumes as if the rule had been on."
    from verified_collapse.files import write_cache
    from verified_collapse.train import load_checkpoint

    torch.set_num_threads(1)
    work, meta = Path(work), json.loads((Path(work) / f"{name}.json").read_text())
    task, steps, seed = _task(), meta["steps"], derive_seed(meta["seed"], "train")
    ck = load_checkpoint(work / f"{name}.pt")
    assert ck["state"]["step"] == steps and ck["state"]["done"], "the student had not finished its cap"
    ck["state"].update(done=False, cap=2 * steps, restarts=1)  # what the rule does at the cap when never off plateau
    buf = io.BytesIO()
    torch.save(ck, buf)
    path = work / f"{name}-restart.pt"
    write_cache(path, buf.getvalue())
    shutil.copy(work / f"{name}.pt.best", f"{path}.best")
    cfg = task.s.train_config(steps, derive_seed(seed, "batches"), plateau_restarts=1)
    return _train_and_test(task, _model(task, seed), np.load(work / f"{name}.npz"), cfg, name, path, cap=steps)


def reseed(work: str, name: str, other: int) -> pd.DataFrame:
    "Train one located student's data from scratch with the initial weights and batch order of seed `other`."
    torch.set_num_threads(1)
    work, meta = Path(work), json.loads((Path(work) / f"{name}.json").read_text())
    task, seed = _task(), derive_seed(other, "train")  # the loop's training seed of seed `other`'s models
    cfg = task.s.train_config(meta["steps"], derive_seed(seed, "batches"))
    data = np.load(work / f"{name}.npz")
    return _train_and_test(task, _model(task, seed), data, cfg, name, init_seed_of=other, cap=meta["steps"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("phase", choices=["locate", "restart", "reseed"])
    ap.add_argument("--seeds", default="1,2,3", help="reseed: whose initial weights and batch order (seed numbers)")
    ap.add_argument("--run", default="runs/cpu/eigen")
    ap.add_argument("--work", default="/tmp/eigen_restart")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.phase == "locate":
        return locate(Path(a.run), Path(a.work))
    names = [f"{v}-{n}" for v, n in STUDENTS]
    if a.phase == "reseed":
        jobs = [(a.work, n, int(s)) for n in names if not n.endswith("160000") for s in a.seeds.split(",")]
        df = pd.concat(map_seeds(reseed, jobs, workers=a.workers))
        last = df.groupby(["name", "init_seed_of"]).tail(1)
        print(last[["name", "init_seed_of", "best_step", "test_acc5", "test_distinct"]].to_string(index=False))
        return df.to_csv(a.out, index=False) if a.out else None
    df = pd.concat(map_seeds(restart, [(a.work, n) for n in names], workers=a.workers))
    last = df.groupby("name").tail(1).set_index("name")
    print(df.pivot_table(index="step", columns="name", values="distinct").round(3).to_string())
    print(last[["cap", "best_step", "test_acc5", "test_distinct"]].to_string())
    if a.out:
        df.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
