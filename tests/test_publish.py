"`vcollapse publish`: the session's smoke run folder published into a folder to commit -- every part, no machine paths."
import json
import re

import nbformat
from conftest import REPO, files_under, run_vcollapse


def machine_paths(*folders):
    "A pattern of this machine's paths: the given folders, and home folders."
    return re.compile("|".join([*(re.escape(str(f)) for f in folders), "/" + "root/", "/" + r"home/\w+/"]))


def test_publish_copies_every_finished_part_without_machine_paths(smoke_reproduce, tmp_path):
    runs, r = smoke_reproduce
    assert r.returncode == 0, r.stdout + r.stderr
    dest = tmp_path / "results" / "smoke"
    p = run_vcollapse(["publish", runs / "smoke", "--to", dest], runs)
    assert p.returncode == 0, p.stdout + p.stderr
    for part in ("theory", "eigen", "summ"):
        d = dest / part
        assert f"[{part}] published" in p.stdout
        assert json.loads((d / "run.json").read_text())["status"] == "ok"
        for name in ("results.csv", "claims.json", "items.parquet", f"{part}.ipynb"):
            assert (d / name).is_file(), (part, name)
        nb = nbformat.read(str(d / f"{part}.ipynb"), as_version=4)  # the executed notebook, figures included
        assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])), part
        assert list((d / "figures").glob("*.png")) and not list((d / "figures").glob("*.svg")), part
        assert not (d / "cache").exists() and not list(d.glob(".*")), part  # no caches, locks or partial files
    record = json.loads((dest / "eigen" / "run.json").read_text())
    assert (record["notebook"], record["params"]["out_dir"]) == ("nbs/24_eigen_collapse.ipynb", "smoke/eigen")
    assert "| eigen | ok |" in (dest / "REPORT.md").read_text()
    assert (dest / "results.csv").read_text().startswith("part,") and (dest / "results.parquet").is_file()
    machine = machine_paths(REPO, runs.parent, tmp_path)
    for f in files_under(dest):
        assert f.stat().st_size <= 5e6, f
        if f.suffix in (".json", ".csv", ".md", ".ipynb"):
            found = machine.search(f.read_text())
            assert not found, f"{f.relative_to(dest)}: {found.group(0)}"
