"Project hygiene: exported code and README match the notebooks; pins; no machine paths."
import filecmp
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

BIN = Path(sys.executable).parent


def test_exported_modules_match_the_notebooks(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".venv", ".git", "runs", "_proc", "_docs", "__pycache__"))
    r = subprocess.run([str(BIN / "nbdev_export")], cwd=copy, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for f in sorted((REPO / "verified_collapse").glob("*.py")):
        assert filecmp.cmp(f, copy / "verified_collapse" / f.name, shallow=False), \
            f"{f.name} differs from its notebook: run nbdev_export and commit"
    assert sorted(p.name for p in (copy / "verified_collapse").glob("*.py")) == \
        sorted(p.name for p in (REPO / "verified_collapse").glob("*.py"))


def test_readme_is_generated_from_index():
    from verified_collapse.tools.docs import render_readme
    assert (REPO / "README.md").read_text() == render_readme(REPO / "nbs" / "index.ipynb"), \
        "README.md is stale: run `vcollapse readme`"


def test_readme_starts_with_the_two_commands():
    text = (REPO / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    assert "bash vc.sh reproduce" in block and "bash vc.sh test" in block
    assert "bash vc.sh test" in (REPO / ".ci" / "run").read_text()


def test_constraints_pin_the_tested_toolchain():
    pins = dict(line.split("==", 1) for line in (REPO / "constraints.txt").read_text().split()
                if "==" in line)
    assert pins["torch"] == "2.13.0"
    assert (pins["nbdev"], pins["fastcore"], pins["execnb"], pins["ghapi"]) == ("2.4.14", "1.14.5", "0.1.18", "1.1.1")


def test_notebooks_keep_the_parameters_tag_and_are_clean():
    import nbformat
    for nb_path in sorted((REPO / "nbs").glob("*.ipynb")):
        nb = nbformat.read(str(nb_path), as_version=4)
        for c in nb.cells:
            if c.cell_type == "code":
                assert not c.get("outputs") and c.get("execution_count") is None, f"{nb_path.name}: run nbdev_clean"
                assert set(c.metadata) <= {"tags"}, f"{nb_path.name}: stray cell metadata {set(c.metadata)}"
    exp = nbformat.read(str(REPO / "nbs" / "11_theory_experiment.ipynb"), as_version=4)
    assert any("parameters" in c.metadata.get("tags", []) for c in exp.cells)


def test_no_machine_paths_in_tracked_files():
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    bad = re.compile("|".join(["/" + "work/main", "/" + "root/", "/" + r"home/\w+/", "/" + "opt/pypi"]))
    offenders = [f for f in files if (REPO / f).is_file() and (REPO / f).suffix in {".py", ".ipynb", ".md", ".yaml", ".ini", ".sh", ".txt", ".toml"}
                 and bad.search((REPO / f).read_text(errors="ignore"))]
    assert offenders == []


def _calls(tree):
    import ast
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            yield owner, name, {k.arg: k.value for k in node.keywords}, node


def test_loading_never_runs_code_from_a_file():
    """Checkpoints load with torch.load(weights_only=True), arrays without pickle, YAML with safe_load, models from local
    folders only and without remote code; nothing calls eval/exec or pickle."""
    import ast
    problems = []
    for path in sorted((REPO / "verified_collapse").glob("*.py")):
        tree = ast.parse(path.read_text())
        for owner, name, kw, node in _calls(tree):
            where = f"{path.name}:{node.lineno}"
            const = lambda k: isinstance(kw.get(k), ast.Constant) and kw[k].value
            if owner == "torch" and name == "load" and const("weights_only") is not True: problems.append(f"{where} torch.load without weights_only=True")
            if owner == "np" and name == "load" and const("allow_pickle") is True: problems.append(f"{where} np.load(allow_pickle=True)")
            if owner == "yaml" and name in ("load", "unsafe_load", "full_load", "load_all"): problems.append(f"{where} yaml.{name}")
            if owner == "pickle" or (isinstance(node.func, ast.Name) and name in ("eval", "exec")): problems.append(f"{where} {owner}.{name}")
            if name == "from_pretrained" and const("trust_remote_code") is True: problems.append(f"{where} trust_remote_code=True")
            if name == "from_pretrained" and const("local_files_only") is not True: problems.append(f"{where} from_pretrained without local_files_only=True")
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                if any(m in ("pickle", "dill", "cloudpickle") for m in mods): problems.append(f"{path.name}:{node.lineno} imports pickle")
    assert not problems, problems


def _layer(module):
    "The layer of a package module: 'framework', a task ('theory', 'eigen', 'summ'), 'experiments' or 'tools'."
    top = module.split(".")[0]
    if top in ("theory", "eigen", "summ", "tools"): return top
    return "experiments" if top == "beyond" else "framework"


def test_layers_import_only_downwards():
    """The framework imports no task; a task imports the framework and itself only; the tools reach the tasks only
    through the runner's registry (strings, imported when a run needs them)."""
    from verified_collapse.fingerprint import imported_modules, library_modules, package_dir
    allowed = {"framework": {"framework"}, "theory": {"framework", "theory"}, "eigen": {"framework", "eigen"},
               "summ": {"framework", "summ"}, "experiments": {"framework", "theory", "eigen", "summ", "experiments"},
               "tools": {"framework", "tools"}}
    root, bad = package_dir(), []
    for m in library_modules():
        f = root.joinpath(*m.split(".")).with_suffix(".py")
        if not f.exists(): f = root.joinpath(*m.split("."), "__init__.py")
        pkg = m if f.name == "__init__.py" else m.rpartition(".")[0]
        for imp in imported_modules(f.read_text(), pkg):
            if not root.joinpath(*imp.split(".")).with_suffix(".py").exists(): continue  # a name, not a module
            if _layer(imp) not in allowed[_layer(m)]: bad.append(f"{m} imports {imp}")
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_notebook_code_is_black_formatted():
    "Every code cell but the papermill `parameters` cells is as `black -l 120` writes it (run black on nbs/ to fix)."
    import black
    import nbformat
    mode, bad = black.Mode(line_length=120, is_ipynb=True), []
    for nb_path in sorted((REPO / "nbs").glob("*.ipynb")):
        for i, c in enumerate(nbformat.read(str(nb_path), as_version=4).cells):
            if c.cell_type != "code" or "parameters" in c.metadata.get("tags", []): continue
            try: black.format_cell(c.source, fast=True, mode=mode)
            except black.NothingChanged: continue
            except black.InvalidInput: continue  # IPython magics black cannot parse
            bad.append(f"{nb_path.name} cell {i}")
    assert not bad, "not black-formatted (black -l 120 nbs/*.ipynb):\n" + "\n".join(bad)


def test_modules_stay_small():
    "No module of the package is much over 400 lines (issue #13): split a growing module along a seam, in a chapter."
    from verified_collapse.fingerprint import package_dir
    sizes = {str(f.relative_to(package_dir())): len(f.read_text().splitlines())
             for f in package_dir().rglob("*.py") if f.name != "_modidx.py"}
    big = {f: n for f, n in sizes.items() if n > 425}
    assert not big, f"modules over 425 lines: {big}"
