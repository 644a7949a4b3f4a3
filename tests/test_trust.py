"""Results a researcher can trust: a run's key sees the library's code, artifacts are keyed by their content,
two runs never share a folder, and result files keep the user's umask."""
import json
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, VCOLLAPSE, vcollapse_env

PACKAGE = REPO / "verified_collapse"

# A small experiment notebook: it imports `verified_collapse.loop` (and through it `verify` and `core`), runs the
# toy task and writes its results the way the real experiments do.
NOTEBOOK_CODE = """
from pathlib import Path
from verified_collapse.files import atomic_write_csv, atomic_write_json
from verified_collapse.loop import run_loop
from verified_collapse.toy_task import ToyTask
from verified_collapse.outcomes import ItemStore
import time
out = Path(out_dir); (out / "figures").mkdir(parents=True, exist_ok=True)
time.sleep(pause)
store = ItemStore()
df = run_loop(ToyTask(0.3), ["top1", "oracle"], sizes=[10, 20], progress=False, items=store)
atomic_write_csv(df, out / "results.csv")
store.write(out / "items.parquet", experiment="toy")
atomic_write_json(out / "claims.json", [])
atomic_write_json(out / "params.json", {"pause": pause})
(out / "figures" / "plot.svg").write_text("<svg></svg>")
"""


@pytest.fixture
def toy_notebook(tmp_path):
    "An experiment notebook of our own (fast: no models), with a `parameters` cell."
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('out_dir: str = "out"  # where results go\npause: float = 0.0  # seconds to sleep first',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(NOTEBOOK_CODE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "toy.ipynb"
    nbformat.write(nb, str(path))
    return path


def vc(*args, runs, env=None, umask=None, wait=True):
    "`vcollapse ARGS` in a subprocess (optionally under `umask`); the CompletedProcess, or the Popen when not `wait`."
    kw = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=vcollapse_env(runs, **(env or {})),
              preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    p = subprocess.Popen([str(VCOLLAPSE), *map(str, args)], **kw)
    if not wait: return p
    out, err = p.communicate(timeout=600)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


@pytest.fixture
def scratch_package(tmp_path):
    "A copy of the package that `vcollapse` and its notebook kernels import instead of the installed one: (copy, env)."
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGE, pkg / "verified_collapse", ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp_path / "site"
    site.mkdir()
    # the editable install's import hook comes before PYTHONPATH: drop it so the copy is imported everywhere
    (site / "sitecustomize.py").write_text("import sys\nsys.meta_path[:] = [f for f in sys.meta_path "
                                           "if not getattr(f, '__module__', '').startswith('__editable__')]\n")
    env = {"PYTHONPATH": f"{site}{os.pathsep}{pkg}", "VCOLLAPSE_NBS": str(REPO / "nbs"), "VCOLLAPSE_CONFIGS": str(REPO / "configs")}
    return pkg / "verified_collapse", env


def test_the_scratch_copy_is_what_runs(scratch_package, tmp_path):
    copy, env = scratch_package
    r = subprocess.run([str(Path(VCOLLAPSE).parent / "python"), "-c", "import verified_collapse; print(verified_collapse.__file__)"],
                       capture_output=True, text=True, env={**os.environ, **env}, cwd=tmp_path)
    assert r.stdout.strip() == str(copy / "__init__.py"), r.stdout + r.stderr


def test_a_library_change_reruns_the_experiments_that_use_it(scratch_package, toy_notebook, tmp_path):
    copy, env = scratch_package
    runs, out = tmp_path / "runs", tmp_path / "out"
    first = vc("run", toy_notebook, "--out", out, runs=runs, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "running" in first.stdout
    again = vc("run", toy_notebook, "--out", out, runs=runs, env=env)
    assert "up to date" in again.stdout, again.stdout + again.stderr
    # a module the notebook does not use (summarization): still up to date
    f = copy / "summ" / "task.py"
    f.write_text(f.read_text().replace('"Greedy summaries of the test documents', '"Greedy summaries (edited) of the test documents'))
    unrelated = vc("run", toy_notebook, "--out", out, runs=runs, env=env)
    assert "up to date" in unrelated.stdout, unrelated.stdout + unrelated.stderr
    # a fix in a selector, which the notebook uses through `loop`: the run is done again, and says why
    f = copy / "verify.py"
    src = f.read_text()
    assert 'return Selector("top1", lambda c, rng: np.zeros(c.n, dtype=np.int64))' in src
    f.write_text(src.replace('return Selector("top1", lambda c, rng: np.zeros(c.n, dtype=np.int64))',
                             'return Selector("top1", lambda c, rng: np.zeros(c.n, dtype=np.int64))  # edited'))
    rerun = vc("run", toy_notebook, "--out", out, runs=runs, env=env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "up to date" not in rerun.stdout and "the library changed since the last run (verify)" in rerun.stdout, rerun.stdout
    record = json.loads((out / "run.json").read_text())
    assert set(record["library"]) == {"core", "files", "fingerprint", "loop", "loop_queue", "outcomes", "proxy", "toy_task", "verify"}


def test_changing_n_test_reuses_the_generator(tmp_path):
    runs = tmp_path / "runs"
    out, trace = tmp_path / "eigen", tmp_path / "trace.jsonl"
    first = vc("run", "eigen", "--out", out, runs=runs, env={"VCOLLAPSE_TRACE": str(trace)})
    assert first.returncode == 0, first.stdout + first.stderr
    events = [json.loads(l) for l in trace.read_text().splitlines()]
    assert any(e["event"] == "train_step" and e["desc"] == "generator" for e in events)
    trace.unlink()
    second = vc("run", "eigen", "--out", out, "-p", "n_test", "120", runs=runs, env={"VCOLLAPSE_TRACE": str(trace)})
    assert second.returncode == 0, second.stdout + second.stderr
    assert "parameters changed (n_test)" in second.stdout, second.stdout
    events = [json.loads(l) for l in trace.read_text().splitlines()]
    assert not any(e["event"] == "train_step" and e["desc"] == "generator" for e in events)   # read back, not retrained
    assert not any(e["event"] == "train_step" for e in events)                                 # nor any retrained model
    import pandas as pd
    items = pd.read_parquet(out / "items.parquet")
    assert items.item.nunique() == 120 and set(items.verifier) >= {"generator", "top1", "real"}


def test_two_runs_into_one_folder(toy_notebook, tmp_path):
    runs, out = tmp_path / "runs", tmp_path / "out"
    holder = vc("run", toy_notebook, "--out", out, "-p", "pause", "8", runs=runs, wait=False)
    lock = out / ".vcollapse.lock"
    deadline = time.time() + 60
    while not (lock.exists() and lock.read_text().strip()) and time.time() < deadline: time.sleep(0.1)
    assert json.loads(lock.read_text())["pid"] == holder.pid
    refused = vc("run", toy_notebook, "--out", out, "-p", "pause", "8", runs=runs)
    assert refused.returncode == 2 and f"pid {holder.pid}" in refused.stderr and "in use" in refused.stderr, refused.stderr
    assert not (out / "run.json").exists()                      # the refused run wrote nothing
    waited = vc("run", toy_notebook, "--out", out, "-p", "pause", "8", "--wait", "300", runs=runs)
    assert holder.wait(timeout=300) == 0
    assert waited.returncode == 0 and "up to date" in waited.stdout, waited.stdout + waited.stderr  # it found the finished run


def test_result_files_are_readable_under_umask_022(toy_notebook, tmp_path):
    runs, out = tmp_path / "runs", tmp_path / "out"
    r = vc("run", toy_notebook, "--out", out, runs=runs, umask=0o022)
    assert r.returncode == 0, r.stdout + r.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"results.csv", "claims.json", "params.json", "run.json", "items.parquet", "toy.ipynb", "plot.svg"} <= names
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, f"{p.relative_to(out)} is {oct(stat.S_IMODE(p.stat().st_mode))}"
    for d in [out, *[p for p in out.rglob("*") if p.is_dir()]]:
        assert stat.S_IMODE(d.stat().st_mode) == 0o755, f"{d} is {oct(stat.S_IMODE(d.stat().st_mode))}"
