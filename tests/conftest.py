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
