"""Interruptions lose nothing: `vcollapse run` is killed with SIGKILL -- the command and every process it started --
at chosen moments of generator training, candidate generation, selection, retraining and result writing, then
started again, until it finishes. After every kill no file is half-written, and the finished run's results
tables are byte-identical (after sorting, wall-clock seconds excepted) to those of an uninterrupted run.

The moments come from the run's own trace (`VCOLLAPSE_TRACE`): a kill point is "the n-th event of this kind
in this process", followed by a random delay of up to 50 ms. Kill points are listed in the order they first
happen, so every restart gets further than the last one."""
import json
import random
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest
from conftest import REPO, SMOKE_ARGS, VCOLLAPSE, result_tables, run_vcollapse, vcollapse_env

from verified_collapse.files import read_cache

# (event, fields the event must have, n): kill after the n-th matching event of the restarted process
KILL_POINTS = {
    "eigen": [
        ("train_step", {"desc": "generator"}, 8),             # generator training
        ("checkpoint", {"desc": "generator"}, 1),             # the generator's checkpoint just written
        ("generate", {}, 2),                                  # candidate generation (beam search), second chunk
        ("select", {}, 12),                                   # selection by the verifiers
        ("retrain", {}, 2),                                   # retraining: second model
        ("train_step", {"desc": "retrain N=60"}, 40),         # retraining, mid-training
        ("write", {"file": "results.csv"}, 1),                # writing the results table
        ("write", {"file": "summary.json"}, 1),               # writing the summary, after the claims
    ],
    "summ": [
        ("train_step", {"desc": "pretrain (documents only)"}, 12),   # denoising pretraining
        ("train_step", {"desc": "generator"}, 20),                    # generator training
        ("train_step", {"desc": "stronger"}, 30),                     # the stronger verifier's training
        ("select", {}, 3),                                            # selection
        ("retrain", {}, 3),                                           # retraining: third model
        ("train_step", {"desc": "retrain N=100"}, 45),                # retraining, mid-training
        ("write", {"file": "results.csv"}, 1),                        # writing the results table
    ],
}
MAX_DELAY_S = 0.05


def _matches(event, kind, fields):
    return event["event"] == kind and all(event.get(k) == v for k, v in fields.items())


def _kill_tree(proc):
    "SIGKILL the command and every process it started (papermill's kernel runs in its own session)."
    try: procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess: procs = []
    for p in procs:
        try: p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess: pass
    proc.wait()
    psutil.wait_procs(procs, timeout=10)


def _start(key, out, trace):
    return subprocess.Popen([str(VCOLLAPSE), "run", key, "--out", str(out), *SMOKE_ARGS[key]], cwd=REPO,
                            env=vcollapse_env(out.parent, VCOLLAPSE_TRACE=str(trace)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _run_until(key, out, trace, point, rng, timeout=300):
    "Start the run, wait for the kill point, kill it after a random delay; return True if it was killed mid-run."
    kind, fields, n = point
    trace.unlink(missing_ok=True)
    proc, seen, pos, deadline = _start(key, out, trace), 0, 0, time.time() + timeout
    while proc.poll() is None and time.time() < deadline:
        if trace.exists():
            with open(trace) as f:
                f.seek(pos); chunk = f.read()
            lines = chunk.split("\n")
            pos += len(chunk) - len(lines[-1])                 # keep a partly written last line for the next read
            seen += sum(_matches(json.loads(l), kind, fields) for l in lines[:-1] if l)
            if seen >= n:
                time.sleep(rng.uniform(0, MAX_DELAY_S))
                alive = proc.poll() is None
                _kill_tree(proc)
                return alive
        time.sleep(0.005)
    _kill_tree(proc)
    raise AssertionError(f"kill point {point} never came (exit {proc.returncode}): {proc.stderr.read()[-2000:]}")


def _check_whole(out):
    "Every file a run keeps is whole: JSON parses, CSV reads, caches match their hash, notebooks and figures are complete."
    checked = 0
    for p in sorted(Path(out).rglob("*")):
        if not p.is_file() or p.name.endswith(".tmp") or p.name.endswith(".running.ipynb"): continue  # in-progress, never read
        if p.suffix in (".pt", ".best", ".npz") or p.name.startswith("cands-"): read_cache(p)
        elif p.suffix == ".json": json.loads(p.read_text())
        elif p.suffix == ".csv": pd.read_csv(p)
        elif p.suffix == ".ipynb": nbformat.read(str(p), as_version=4)
        elif p.suffix == ".png": assert p.read_bytes()[-8:-4] == b"IEND", f"{p} is truncated"
        elif p.suffix == ".svg": assert p.read_text().rstrip().endswith("</svg>"), f"{p} is truncated"
        elif p.suffix == ".jsonl":
            for line in p.read_text().splitlines(): json.loads(line)
        else: continue
        checked += 1
    return checked


@pytest.mark.slow
@pytest.mark.parametrize("key", ["eigen", "summ"])
def test_killed_runs_resume_to_the_same_results(key, smoke_reference, tmp_path):
    reference = result_tables(smoke_reference(key))
    out, trace = tmp_path / "runs" / key, tmp_path / "trace.jsonl"
    rng = random.Random(f"kill-{key}")
    survived = []
    for point in KILL_POINTS[key]:
        assert _run_until(key, out, trace, point, rng), f"the run finished before kill point {point}"
        _check_whole(out)
        survived.append(point)
    r = run_vcollapse(["run", key, "--out", out, *SMOKE_ARGS[key]], out.parent, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _check_whole(out) > 10
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.endswith(".running.ipynb")]
    got = result_tables(out)
    assert set(got) == set(reference)
    for name in reference:
        assert got[name] == reference[name], f"{key}: {name} differs from the uninterrupted run after {len(survived)} kills"
    print(f"{key}: survived {len(survived)} kill points")
