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

    import torch
    deadline = time.time() + timeout
    while not list(Path(cache).glob("model-*.pt")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "training finished before it could be killed: raise the number of steps"
    step = torch.load(next(Path(cache).glob("model-*.pt")), weights_only=True)["state"]["step"]
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
