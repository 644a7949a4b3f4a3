"Parameter sweeps: both executors run a two-point grid, gather one table, skip finished points, name failed ones."
import json

import nbformat
import pandas as pd
import pytest
import yaml

from verified_collapse.tools.results import load
from verified_collapse.tools.sweep import run_sweep

# The theory notebook below its smoke scale: a few seconds a point.
THEORY_TINY = {"d": 5, "p_grid": [0.3, 0.8], "verifiers": ["1,1", "1,0"], "sizes": [100], "replicates": 2,
               "loop_sizes": [100], "loop_replicates": 1, "loop_verifiers": ["1,1", "1,0", "0.9,0.3"], "loop_chunk": 2000,
               "linear_angles": [0.2], "linear_p_grid": [0.3], "linear_sizes": [100]}

EXECUTORS = [pytest.param("local", None, id="local"),
             pytest.param("slurm", {"cluster": "local"}, id="slurm-local-cluster")]


def write_grid(path, experiment, params, grid):
    path.write_text(yaml.safe_dump({"experiment": str(experiment), "params": params, "grid": grid}, sort_keys=False))
    return path


def started(lines):
    "The points a sweep started, from its progress lines ('[1/2] seed=0: started (pid 123)')."
    return [l.split("] ", 1)[1].split(":")[0] for l in lines if ": started (" in l]


def run_json_mtimes(root):
    return {d.name: (d / "run.json").stat().st_mtime_ns for d in sorted((root / "points").iterdir()) if (d / "run.json").exists()}


@pytest.mark.parametrize("executor, slurm", EXECUTORS)
def test_two_point_sweep_gathers_one_table_then_skips_both(vc, runs, tmp_path, monkeypatch, executor, slurm):
    monkeypatch.setenv("VCOLLAPSE_RUNS", str(runs))
    grid = write_grid(tmp_path / "seeds.yaml", "theory", THEORY_TINY, {"seed": [0, 1]})
    lines = []
    t = run_sweep(grid, executor=executor, slurm=slurm, workers=2, log=lines.append)
    root = runs / "sweeps" / "seeds"                      # the default folder: runs/sweeps/<grid file name>
    assert sorted(started(lines)) == ["seed=0", "seed=1"], lines
    assert sorted(t.point.unique()) == ["seed=0", "seed=1"] and set(t.status) == {"ok"}
    assert t.groupby("point").grid_seed.agg(set).to_dict() == {"seed=0": {0}, "seed=1": {1}}
    assert {"p", "verifier", "accuracy", "seed"} <= set(t.columns)    # the experiment's own columns, untouched
    assert t.groupby("point").size().min() > 0
    rec = json.loads((root / "sweep.json").read_text())
    assert [(p["name"], p["status"], p["dir"]) for p in rec["points"]] == [("seed=0", "ok", "points/seed=0"),
                                                                          ("seed=1", "ok", "points/seed=1")]
    assert rec["executor"] == executor and rec["spec"]["params"] == THEORY_TINY and rec["finished"]
    for p in rec["points"]:
        run = json.loads((root / p["dir"] / "run.json").read_text())
        assert run["status"] == "ok" and run["params"]["seed"] == p["values"]["seed"] and run["params"]["d"] == 5
    if executor == "local":
        assert len(list((root / "jobs").glob("*.log"))) == 2
    else:
        assert len(list((root / "submitit").glob("*_result.pkl"))) == 2
    assert load(root).equals(t) and pd.read_csv(root / "results.csv").shape == t.shape

    before = run_json_mtimes(root)
    again = []
    t2 = run_sweep(grid, executor=executor, slurm=slurm, workers=2, log=again.append)
    assert started(again) == [] and sum("skipped (finished, same parameters)" in l for l in again) == 2, again
    assert run_json_mtimes(root) == before                # no point ran again
    assert set(t2.status) == {"cached"} and t2.drop(columns="status").equals(t.drop(columns="status"))
    assert [p["status"] for p in json.loads((root / "sweep.json").read_text())["points"]] == ["cached", "cached"]

    # the runner itself agrees that a point is finished (the sweep's skip uses the runner's hash)
    args = [a for n, v in {**THEORY_TINY, "seed": 1}.items() for a in ("-p", n, json.dumps(v))]
    r = vc("run", "theory", "--out", root / "points" / "seed=1", *args)
    assert r.returncode == 0 and "up to date" in r.stdout, r.stdout + r.stderr


TOY_PARAMS = '''seed: int = 0  # the grid value
out_dir: str = "out"  # where results.csv goes
fail_flag: str = ""  # while this file exists, the point with seed 1 raises
kill_flag: str = ""  # while this file exists, the point with seed 1 kills the process running it'''
TOY_BODY = '''import os, signal
from pathlib import Path
import pandas as pd
if seed == 1 and fail_flag and Path(fail_flag).exists(): raise RuntimeError("told to fail")
if seed == 1 and kill_flag and Path(kill_flag).exists(): os.kill(os.getppid(), signal.SIGKILL)
Path(out_dir).mkdir(parents=True, exist_ok=True)
pd.DataFrame({"seed": [seed], "value": [10 * seed]}).to_csv(Path(out_dir) / "results.csv", index=False)'''


def toy_notebook(path):
    "A notebook experiment that takes a second, and fails on demand."
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(TOY_PARAMS, metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(TOY_BODY)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize("executor, slurm, how, error", [
    pytest.param("local", None, "fail", "(RuntimeError): told to fail", id="local-notebook-error"),
    pytest.param("local", None, "kill", "worker process was killed by signal 9", id="local-killed-process"),
    pytest.param("slurm", {"cluster": "local"}, "kill", "UncompletedJobError: job", id="slurm-local-killed-job"),
])
def test_failed_point_is_named_others_gathered_and_only_unfinished_points_rerun(runs, tmp_path, executor, slurm, how, error):
    flag = tmp_path / "flag"; flag.touch()
    grid = write_grid(tmp_path / "toy.yaml", toy_notebook(tmp_path / "toy.ipynb"), {f"{how}_flag": str(flag)}, {"seed": [0, 1]})
    root = runs / "sweeps" / "toy"
    lines = []
    t = run_sweep(grid, executor=executor, slurm=slurm, out_dir=root, log=lines.append)
    bad = [l for l in lines if "FAILED" in l]
    assert len(bad) == 1 and "seed=1: FAILED" in bad[0] and error in bad[0], lines
    assert t.point.tolist() == ["seed=0"] and t.value.tolist() == [0]          # the other point is gathered
    assert list(t.attrs["failed"]) == ["seed=1"] and error in t.attrs["failed"]["seed=1"]
    rec = {p["name"]: p for p in json.loads((root / "sweep.json").read_text())["points"]}
    assert rec["seed=0"]["status"] == "ok" and rec["seed=1"]["status"] == "failed" and error in rec["seed=1"]["error"]
    assert "1 failed (seed=1)" in lines[-1]

    flag.unlink()                                         # fixed: the same sweep again runs only the failed point
    before = run_json_mtimes(root)
    lines = []
    t = run_sweep(grid, executor=executor, slurm=slurm, out_dir=root, log=lines.append)
    assert started(lines) == ["seed=1"] and any("seed=0: skipped" in l for l in lines), lines
    assert run_json_mtimes(root)["seed=0"] == before["seed=0"]
    assert t.point.tolist() == ["seed=0", "seed=1"] and t.status.tolist() == ["cached", "ok"] and t.value.tolist() == [0, 10]
    assert t.attrs["failed"] == {}

    (root / "points" / "seed=0" / "run.json").unlink()    # half-finished: a point without its run record runs again
    lines = []
    t = run_sweep(grid, executor=executor, slurm=slurm, out_dir=root, log=lines.append)
    assert started(lines) == ["seed=0"], lines
    assert t.status.tolist() == ["ok", "cached"] and load(root).equals(t)
