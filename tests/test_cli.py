"The `vcollapse` command line: help, parameter checks that write nothing, papermill runs, reports."
import json

import nbformat
import pytest
from conftest import files_under, run_vcollapse


def test_help_lists_commands(vc):
    r = vc("--help")
    assert r.returncode == 0
    for word in ("run", "reproduce", "list"):
        assert word in r.stdout


def test_help_params_lists_parameters_with_comments(vc):
    r = vc("run", "theory", "--help-params")
    assert r.returncode == 0, r.stderr
    assert "out_dir" in r.stdout and "seed" in r.stdout
    assert "where results and figures go" in r.stdout


# Bad input: tests/test_bad_input.py (table-driven).


def test_failing_notebook_is_reported_with_its_cell(vc, runs, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x: int = 1  # a value", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise ValueError('broken on purpose')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, str(path))
    r = vc("run", path, "--out", tmp_path / "out")
    assert r.returncode == 1
    rec = json.loads((tmp_path / "out" / "run.json").read_text())
    assert rec["status"] == "failed" and "ValueError" in rec["error"] and "broken on purpose" in rec["error"]
    assert (tmp_path / "out" / "bad.ipynb").exists()


def test_reproduce_smoke_writes_report_results_and_figures_then_skips(smoke_reproduce):
    runs, r = smoke_reproduce
    assert r.returncode == 0, r.stdout + r.stderr
    root = runs / "smoke"
    report = (root / "REPORT.md").read_text()
    assert "| theory |" in report and "## Claims" in report
    claims = json.loads((root / "theory" / "claims.json").read_text())
    from verified_collapse.tools.report import VERDICTS, decide
    assert len(claims) >= 4 and all(c["verdict"] in VERDICTS + ("observation",) and decide(c) == c["verdict"] for c in claims)
    ids = " ".join(c["id"] for c in claims)
    for key in ("breakdown", "scaling", "theory"):
        assert key in ids
    assert (root / "results.csv").read_text().startswith("part,")
    assert (root / "results.parquet").exists()
    pngs = list((root / "theory" / "figures").glob("*.png"))
    assert len(pngs) >= 4 and len(list((root / "theory" / "figures").glob("*.svg"))) == len(pngs)
    assert json.loads((root / "theory" / "run.json").read_text())["status"] == "ok"
    for part, fig in [("eigen", "eigen_accuracy_vs_N_and_pstar"), ("summ", "summ_rouge_vs_N_and_pstar")]:
        assert json.loads((root / part / "run.json").read_text())["status"] == "ok", part
        assert f"| {part} | ok |" in report and (root / part / "figures" / f"{fig}.png").exists() and (root / part / "figures" / f"{fig}.svg").exists()
    for claim in ("collapse", "random selection", "self-selection"):
        assert claim in report.lower(), claim
    import pandas as pd
    for part in ("theory", "eigen", "summ"):  # every evaluated model's per-item outcomes
        items = pd.read_parquet(root / part / "items.parquet")
        assert len(items) and {"experiment", "verifier", "seed", "item", "score"} <= set(items.columns), part
        assert (items.experiment == part).all() and "generator" in set(items.verifier), part
    assert "rel_error" in pd.read_parquet(root / "eigen" / "items.parquet").columns
    assert {"rouge1", "rouge2", "rougeL"} <= set(pd.read_parquet(root / "summ" / "items.parquet").columns)
    for part in ("eigen", "summ"):  # the smoke models score 0: nothing is held or not held on such data
        claims = json.loads((root / part / "claims.json").read_text())
        assert claims and all(c["verdict"] in ("not tested at this scale", "observation") for c in claims), part
        rows = [l for l in report.splitlines() if l.startswith(f"| {part} |") and "| ok |" not in l]
        assert rows and all("held" not in l.split("|")[-2] and "inconclusive" not in l for l in rows), rows
    from verified_collapse.tools.results import load
    df = load(root)
    assert set(df.part) == {"theory", "eigen", "summ"} and len(df) > 0
    assert "it/s" not in r.stdout + r.stderr  # progress bars are quiet when output is not a terminal
    assert all(f"[{i}/3]" in r.stdout for i in (1, 2, 3))  # a progress line per notebook
    assert "generations" not in r.stdout and not (root / "generations").exists()  # beyond the paper: only when asked
    again = run_vcollapse(["reproduce", "--preset", "smoke"], runs)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_runs_are_quiet_and_say_how_long_each_part_took(smoke_reproduce):
    """The kernel talks to papermill over IPC (`runner.quiet_kernel`): no "running over TCP without encryption"
    warning reaches the terminal; each part ends with one line: its wall time and its folder."""
    import re
    runs, r = smoke_reproduce
    assert r.returncode == 0, r.stdout + r.stderr
    assert "without encryption" not in r.stderr, r.stderr
    for part in ("theory", "eigen", "summ"):
        line = rf"^\[{part}\] done in (\d+\.\d s|\d+ min \d\d s|\d+ h \d\d min) -> \S*smoke/{part}$"
        assert len(re.findall(line, r.stdout, re.M)) == 1, (part, r.stdout)
