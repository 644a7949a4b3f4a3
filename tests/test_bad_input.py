"""Bad input, table-driven: every case exits with status 2 before any notebook starts, names the problem
and the fix, and leaves the runs folder -- an earlier run's results and caches included -- byte for byte as it was."""
import hashlib
import io
import json
import subprocess

import pytest
from conftest import REPO, files_under

from verified_collapse.files import write_cache


def _xlsum(folder, drop_field=None, bad_line=None):
    "Three XLSUM-format files with two articles each; optionally one article without `drop_field`, or a broken line."
    folder.mkdir(parents=True, exist_ok=True)
    for split in ("train", "val", "test"):
        rows = [dict(id=str(i), url="u", title="t", summary=f"summary {i}", text=f"text number {i} of {split}") for i in range(2)]
        if drop_field and split == "val": rows[1].pop(drop_field)
        lines = [json.dumps(r) for r in rows]
        if bad_line and split == "test": lines[1] = bad_line
        (folder / f"english_{split}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _checkpoint(out, damage):
    "A finished-looking eigen cache with one checkpoint, damaged: 'truncate' or 'flip' (same length, other bytes)."
    import torch
    buf = io.BytesIO()
    torch.save({"model": {"w": torch.zeros(3)}, "state": {"step": 5}}, buf)
    f = write_cache(out / "cache" / "abc" / "model-0123456789ab.pt", buf.getvalue())
    blob = f.read_bytes()
    f.write_bytes(blob[:-100] if damage == "truncate" else blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:]))
    return f


def _run_folder(tmp, status, big=0):
    "A run folder `tmp/r` with one part, eigen, whose run.json has `status`; with an items.parquet of `big` bytes."
    part = tmp / "r" / "eigen"
    part.mkdir(parents=True)
    (part / "run.json").write_text(json.dumps({"key": "eigen", "status": status}))
    if big: (part / "items.parquet").write_bytes(b"\0" * big)


def _model_folder(folder, weights=False):
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    if weights: (folder / "model.safetensors").write_bytes(b"")
    return folder


def _yaml(path, text):
    path.write_text(text)
    return path


# (id, arguments, setup(tmp) or None, [what the message must say: the problem and the fix])
CASES = [
    # names and types
    ("misspelt-name", ["run", "theory", "-p", "sede", "1"], None, ["unknown parameter 'sede'", "did you mean 'seed'"]),
    ("misspelt-eigen-name", ["run", "eigen", "-p", "tolerence", "0.1"], None, ["unknown parameter 'tolerence'", "did you mean 'tolerance'"]),
    ("wrong-type-int", ["run", "theory", "-p", "seed", "abc"], None, ["'seed' = 'abc'", "expected int"]),
    ("wrong-type-list", ["run", "eigen", "-p", "sizes", "30"], None, ["'sizes' = 30", "expected list"]),
    ("wrong-type-bool", ["run", "eigen", "-p", "symmetric_input", "maybe"], None, ["'symmetric_input' = 'maybe'", "expected bool"]),
    ("unknown-notebook", ["run", "theroy"], None, ["unknown notebook 'theroy'", "did you mean 'theory'"]),
    ("unknown-preset", ["run", "theory", "--preset", "nosuch"], None, ["preset 'nosuch' not found", "presets:"]),
    ("duplicate-parameter", ["run", "theory", "-p", "seed", "1", "-p", "seed", "2"], None, ["given twice"]),
    # out-of-range values
    ("negative-seed", ["run", "theory", "-p", "seed", "-3"], None, ["'seed' = -3", "[0, inf]"]),
    ("negative-size", ["run", "eigen", "-p", "sizes", "[-5, 10]"], None, ["'sizes' = [-5, 10]", "[1, inf]"]),
    ("sizes-not-increasing", ["run", "eigen", "-p", "sizes", "[60, 30]"], None, ["'sizes' = [60, 30]", "strictly increasing"]),
    ("theory-N-not-increasing", ["run", "theory", "-p", "sizes", "[1000, 100]"], None, ["'sizes'", "strictly increasing"]),
    ("tolerance-zero", ["run", "eigen", "-p", "tolerance", "0"], None, ["'tolerance' = 0", "(0, inf]"]),
    ("tolerance-negative", ["run", "eigen", "-p", "tolerance", "-0.1"], None, ["'tolerance' = -0.1", "(0, inf]"]),
    ("eta-above-one", ["run", "eigen", "-p", "verifiers", "['noisy_oracle(1.5)']"], None, ["'eta' = 1.5", "[0, 1]"]),
    ("eta-negative", ["run", "eigen", "-p", "verifiers", "['noisy_oracle(-0.2)']"], None, ["'eta' = -0.2", "[0, 1]"]),
    ("beam-zero", ["run", "eigen", "-p", "beam", "0"], None, ["'beam' = 0", "[1, inf]"]),
    ("beam-below-k", ["run", "eigen", "-p", "k", "4", "-p", "beam", "2"], None, ["'beam' = 2", "at least k = 4"]),
    ("p-grid-above-one", ["run", "theory", "-p", "p_grid", "[0.5, 1.5]"], None, ["'p_grid'", "[0, 1]"]),
    ("learning-rate-zero", ["run", "eigen", "-p", "lr", "0"], None, ["'lr' = 0", "(0, inf]"]),
    ("unknown-encoding", ["run", "eigen", "-p", "encoding", "P7"], None, ["'encoding' = 'P7'", "one of"]),
    ("unknown-verifier", ["run", "eigen", "-p", "verifiers", "['orakle']"], None, ["orakle", "did you mean 'oracle'"]),
    ("theory-too-few-verifiers", ["run", "theory", "-p", "loop_verifiers", "['1,0', '1,1']"], None, ["'loop_verifiers'", "at least 3"]),
    ("summ-bad-correct-rule", ["run", "summ", "-p", "correct_rule", "threshold:abc"], None, ["threshold:abc", "threshold:T"]),
    ("gpu-that-is-not-there", ["run", "eigen", "-p", "device", "cuda"], None, ["'device' = 'cuda'", "device='cpu'"]),
    # data folders and files
    ("data-folder-missing", ["run", "summ", "-p", "lists_dir", "{tmp}/nosuch"], None, ["holds no Debian package descriptions", "apt-get update"]),
    ("data-folder-empty", ["run", "summ", "-p", "lists_dir", "{tmp}/empty"], lambda t: (t / "empty").mkdir(),
     ["holds no Debian package descriptions", "lists_dir"]),
    ("xlsum-without-folder", ["run", "summ", "-p", "corpus", "xlsum"], None, ["needs 'xlsum_dir'", "english_train.jsonl"]),
    ("xlsum-folder-empty", ["run", "summ", "-p", "corpus", "xlsum", "-p", "xlsum_dir", "{tmp}/xl"], lambda t: (t / "xl").mkdir(),
     ["it is empty", "extract XLSUM"]),
    ("xlsum-missing-field", ["run", "summ", "-p", "corpus", "xlsum", "-p", "xlsum_dir", "{tmp}/xl"],
     lambda t: _xlsum(t / "xl", drop_field="summary"), ["english_val.jsonl, line 2: field 'summary' is missing", "fix or delete that line"]),
    ("xlsum-broken-json", ["run", "summ", "-p", "corpus", "xlsum", "-p", "xlsum_dir", "{tmp}/xl"],
     lambda t: _xlsum(t / "xl", bad_line='{"id": "1", "text": '), ["english_test.jsonl, line 2: not valid JSON", "fix or delete that line"]),
    ("model-path-without-weights", ["run", "summ", "-p", "pretrain_steps", "0", "-p", "model_path", "{tmp}/m"],
     lambda t: _model_folder(t / "m"), ["has no weights", "copy the model's weight files there"]),
    ("model-path-not-a-folder", ["run", "summ", "-p", "pretrain_steps", "0", "-p", "model_path", "{tmp}/nothing"], None,
     ["is not a folder", "give a local folder with config.json"]),
    ("lora-without-model", ["run", "summ", "-p", "lora_r", "8"], None, ["'lora_r' needs 'model_path'", "LoRA adapts a pretrained model"]),
    # caches
    ("truncated-checkpoint", ["run", "eigen", "--out", "{runs}/old"], lambda t: _checkpoint(t / "runs" / "old", "truncate"),
     ["model-0123456789ab.pt is damaged (truncated", "rm '"]),
    ("checkpoint-hash-mismatch", ["run", "eigen", "--out", "{runs}/old"], lambda t: _checkpoint(t / "runs" / "old", "flip"),
     ["does not match the recorded", "it is recomputed"]),
    # configuration files: plain data only
    ("preset-not-a-mapping", ["run", "theory", "--preset", "{tmp}/p.yaml"], lambda t: _yaml(t / "p.yaml", "- 1\n- 2\n"),
     ["must be a mapping", "experiment -> parameters"]),
    ("preset-with-python-tag", ["run", "theory", "--preset", "{tmp}/p.yaml"],
     lambda t: _yaml(t / "p.yaml", f"theory:\n  seed: !!python/object/apply:os.system ['touch {t}/pwned']\n"), ["not plain YAML", "python/object"]),
    ("value-with-python-tag", ["run", "theory", "-p", "seed", "!!python/object/apply:os.getpid []"], None, ["cannot read value", "plain YAML"]),
    ("publish-missing-run-folder", ["publish", "{tmp}/nosuch", "--to", "{tmp}/pub"], None, ["no run folder {tmp}/nosuch"]),
    ("publish-nothing-finished", ["publish", "{tmp}/r", "--to", "{tmp}/pub"], lambda t: _run_folder(t, "failed"),
     ["no finished experiment in {tmp}/r", "eigen: its run.json says status 'failed'"]),
    ("publish-file-too-big", ["publish", "{tmp}/r", "--to", "{tmp}/pub", "--max-mb", "1"], lambda t: _run_folder(t, "ok", big=1_500_000),
     ["over the size limit of 1 MB, nothing published", "eigen/items.parquet (1.5 MB)", "--max-mb"]),
    ("sweep-unknown-parameter", ["sweep", "{tmp}/g.yaml"], lambda t: _yaml(t / "g.yaml", "experiment: theory\ngrid:\n  sede: [0, 1]\n"),
     ["'sede'", "did you mean 'seed'"]),
]


def _snapshot(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files_under(root)}


@pytest.fixture
def vc_here(runs, monkeypatch, capsys):
    "`vcollapse ARGS` in this process (the checks are the same; no interpreter start per case): (status, stdout, stderr)."
    from verified_collapse.tools.cli import main
    monkeypatch.setenv("VCOLLAPSE_RUNS", str(runs))
    monkeypatch.chdir(REPO)

    def call(*args):
        status = main([str(a) for a in args])
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out.out, out.err)
    return call


@pytest.mark.parametrize("name, args, setup, needles", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_any_work(vc_here, runs, tmp_path, name, args, setup, needles):
    earlier = runs / "smoke" / "theory"                       # an earlier run's results, which must survive
    earlier.mkdir(parents=True)
    (earlier / "results.csv").write_text("task,metric\ntheory,0.9\n")
    (earlier / "run.json").write_text(json.dumps({"status": "ok", "hash": "0" * 12}))
    if setup: setup(tmp_path)
    before = _snapshot(tmp_path)
    r = vc_here(*[a.format(tmp=tmp_path, runs=runs) for a in args])
    assert r.returncode == 2, (r.stdout, r.stderr)
    for needle in needles:
        assert needle.format(tmp=tmp_path) in r.stderr, (needle, r.stderr)
    assert "Traceback" not in r.stderr
    assert "running" not in r.stdout                           # no notebook was started
    assert _snapshot(tmp_path) == before                       # nothing written, nothing changed, nothing deleted
    assert not (tmp_path / "pwned").exists()                   # no code from a configuration file ran


def test_the_command_line_refuses_the_same_way(vc, runs):
    "One case through the real `vcollapse` process too: exit status 2, the message on standard error, nothing written."
    r = vc("run", "eigen", "-p", "tolerance", "0")
    assert r.returncode == 2 and "'tolerance' = 0" in r.stderr and files_under(runs) == []


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)
