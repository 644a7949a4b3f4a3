"Shared fixtures: the `vcollapse` command run in a subprocess with its own runs folder."
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VCOLLAPSE = Path(sys.executable).parent / "vcollapse"


@pytest.fixture
def runs(tmp_path):
    "An empty runs folder for one test."
    d = tmp_path / "runs"
    return d


@pytest.fixture
def vc(runs):
    "Run `vcollapse ARGS...` with VCOLLAPSE_RUNS pointing at the test's runs folder."
    def call(*args, timeout=600, env=None):
        e = {**os.environ, "VCOLLAPSE_RUNS": str(runs), **(env or {})}
        return subprocess.run([str(VCOLLAPSE), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, cwd=REPO, env=e)
    return call


def files_under(d):
    "Every file under `d` (empty list if `d` does not exist)."
    d = Path(d)
    return sorted(p for p in d.rglob("*") if p.is_file()) if d.exists() else []


def kill_at_first_checkpoint(proc, cache, steps, timeout=120):
    "Wait for a training checkpoint `model-*.pt` under `cache`, SIGKILL `proc`, check it died mid-run; return the checkpoint's step."
    import signal
    import time

    from verified_collapse.train import load_checkpoint
    deadline = time.time() + timeout
    while not list(Path(cache).glob("model-*.pt")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "training finished before it could be killed: raise the number of steps"
    step = load_checkpoint(next(Path(cache).glob("model-*.pt")))["state"]["step"]
    assert 0 < step < steps, f"checkpoint at step {step} of {steps}: not a mid-run kill"
    return step


def json_output(proc, timeout=300):
    "Wait for `proc` to finish successfully and return its standard output read as JSON."
    import json
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return json.loads(out)


def check_kill_and_resume(start, tmp_path, steps):
    """Run `start(cache)` once uninterrupted; run it again, SIGKILL it at its first checkpoint and start it once more:
    the resumed run must print exactly what the uninterrupted one printed. Returns the interrupted run's cache folder."""
    expected = json_output(start(tmp_path / "whole"))
    cache = tmp_path / "killed"
    kill_at_first_checkpoint(start(cache), cache, steps)
    assert json_output(start(cache)) == expected  # same losses at every step, same validations, same test metric
    return cache


def param_args(command, params):
    "`command` (a list) followed by `-p NAME VALUE` for each parameter."
    args = list(command)
    for name, value in params.items():
        args += ["-p", name, str(value)]
    return args


# -- shared by the determinism and kill-and-resume tests ------------------------------------------

# The smoke preset as `vcollapse reproduce --preset smoke` runs it; the determinism and kill-and-resume tests run the same.
SMOKE_ARGS = {"theory": [], "eigen": [], "summ": []}


def vcollapse_env(runs, **extra):
    "The environment of a `vcollapse` subprocess: VCOLLAPSE_RUNS=runs, one torch thread, `extra` on top."
    return {**os.environ, "VCOLLAPSE_RUNS": str(runs), "OMP_NUM_THREADS": "1", **extra}


def run_vcollapse(args, runs, env=None, timeout=900):
    "`vcollapse ARGS` in a subprocess with VCOLLAPSE_RUNS=runs; returns the CompletedProcess."
    return subprocess.run([str(VCOLLAPSE), *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env=vcollapse_env(runs, **(env or {})))


def result_tables(folder):
    """The results of one experiment folder in a canonical form: every CSV with its rows sorted and the
    wall-clock `seconds` column dropped, every Parquet table (items.parquet) with its rows sorted, and every JSON
    result with its `seconds` and `out_dir` keys dropped."""
    import json

    import pandas as pd

    def clean(o):
        if isinstance(o, dict): return {k: clean(v) for k, v in o.items() if k not in ("seconds", "out_dir")}
        if isinstance(o, list): return [clean(v) for v in o]
        return o
    out = {}
    for f in sorted(Path(folder).glob("*.csv")):
        df = pd.read_csv(f)
        df = df.drop(columns=[c for c in df.columns if c == "seconds"])
        out[f.name] = df.sort_values(list(df.columns)).to_csv(index=False).encode()
    for f in sorted(Path(folder).glob("*.parquet")):
        df = pd.read_parquet(f)
        out[f.name] = df.sort_values(list(df.columns)).to_csv(index=False).encode()
    for f in sorted(Path(folder).glob("*.json")):
        if f.name == "run.json": continue
        out[f.name] = json.dumps(clean(json.loads(f.read_text())), sort_keys=True).encode()
    return out


@pytest.fixture(scope="session")
def smoke_reproduce(tmp_path_factory):
    "`vcollapse reproduce --preset smoke` run once per test session: (runs folder, its CompletedProcess)."
    runs = tmp_path_factory.mktemp("smoke-reproduce") / "runs"
    r = run_vcollapse(["reproduce", "--preset", "smoke"], runs)
    return runs, r


@pytest.fixture(scope="session")
def smoke_reference(smoke_reproduce):
    "Uninterrupted smoke runs of every experiment (from the session's `vcollapse reproduce`): key -> its output folder."
    runs, r = smoke_reproduce
    assert r.returncode == 0, r.stdout + r.stderr
    return lambda key: runs / "smoke" / key


def pytest_collection_modifyitems(items):
    """Under `pytest -n 2 --dist loadgroup` (vc.sh test), every test that reads the session's smoke reproduction runs
    on one worker, so that reproduction is made once; the other tests spread over both workers."""
    for item in items:
        if {"smoke_reproduce", "smoke_reference"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("smoke"))
