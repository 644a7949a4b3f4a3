"""`vcollapse proxy FILE`: p* of your own verifier from a file of judged candidates (nbs/01b_proxy_file.ipynb).

Good runs write proxy.json, threshold_curve.csv and threshold_curve.png with numbers recomputed here by hand (pandas);
every kind of bad input exits with status 2, says what is wrong where (file, line, row or column) and writes nothing."""
import json
import math

import pandas as pd
import pytest
from conftest import REPO, files_under

from verified_collapse.tools.cli import main

FIXTURE = REPO / "tests" / "fixtures" / "proxy" / "llm_judge.csv"
JUDGE = ["--input-col", "question", "--score-col", "judge_score"]


def rates(correct, kept):
    "phi, psi, p* of boolean Series, counted directly."
    phi, psi = kept[correct].mean(), kept[~correct].mean()
    return phi, psi, phi / (phi + psi)


def run(capsys, *args):
    "`vcollapse ARGS` in this process: (exit status, stdout, stderr)."
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_best_of_k_run_writes_the_three_files_with_the_right_numbers(tmp_path, capsys):
    out = tmp_path / "proxy"
    status, said, _ = run(capsys, "proxy", FIXTURE, *JUDGE, "--class-col", "topic", "--min-keep", "0.25", "--out", out)
    assert status == 0
    assert sorted(p.name for p in files_under(out)) == ["proxy.json", "threshold_curve.csv", "threshold_curve.png"]
    report = json.loads((out / "proxy.json").read_text())

    frame = pd.read_csv(FIXTURE)
    best = frame.index.isin(frame.groupby("question", sort=False).judge_score.idxmax())  # first of equal scores
    kept, correct = pd.Series(best), frame.correct
    phi, psi, p_star = rates(correct, kept)
    assert (report["mode"], report["rows"], report["inputs"], report["candidates_per_input"]) == ("select", 800, 200, 4)
    assert math.isclose(report["proxy"]["phi"], phi) and math.isclose(report["proxy"]["psi"], psi)
    assert math.isclose(report["proxy"]["p_star"], p_star)
    assert report["proxy"]["p_star_lo"] < p_star < report["proxy"]["p_star_hi"]
    assert math.isclose(report["proxy"]["precision"], correct[kept].mean())
    assert math.isclose(report["coverage"], frame.groupby("question").correct.any().mean())
    assert report["keep_rate"] == 1.0 and report["keep_rate_of"] == "inputs"
    for topic, rows in frame.groupby("topic"):
        assert math.isclose(report["by_class"][topic]["p_star"], rates(correct[rows.index], kept[rows.index])[2])

    curve = pd.read_csv(out / "threshold_curve.csv")
    assert curve.threshold.tolist() == sorted(frame.judge_score[best].unique())
    for row in curve.itertuples():
        k = kept & (frame.judge_score >= row.threshold)
        assert math.isclose(row.p_star, rates(correct, k)[2]) and math.isclose(row.keep_rate, k.sum() / 200)
    eligible = curve[curve.keep_rate >= 0.25]
    assert report["best_threshold"]["threshold"] == eligible.threshold[eligible.p_star.idxmax()]

    p = 1 - correct.mean()
    pred = report["prediction"]
    assert math.isclose(pred["p"], p) and math.isclose(pred["p_eff"], p * psi / (p * psi + (1 - p) * phi))
    assert pred["verdict"] == "should help" and len(pred["assumptions"]) >= 4
    assert (out / "threshold_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image
    assert Image.open(out / "threshold_curve.png").size[0] > 500
    assert "p* 0.659 [" in said and "should help" in said and "wrote proxy.json" in said


def test_filter_run_with_a_score_uses_the_best_threshold(tmp_path, capsys):
    one = pd.read_csv(FIXTURE).groupby("question").head(1)  # one answer per question: filtering
    one.to_json(tmp_path / "one.jsonl", orient="records", lines=True)
    status, _, _ = run(capsys, "proxy", tmp_path / "one.jsonl", *JUDGE, "--min-keep", "0.3", "--out", tmp_path / "o")
    assert status == 0
    report = json.loads((tmp_path / "o" / "proxy.json").read_text())
    best_t, best_p = None, -1
    for t in sorted(one.judge_score.unique()):
        kept = one.judge_score >= t
        if kept.mean() >= 0.3 and rates(one.correct, kept)[2] > best_p:
            best_t, best_p = t, rates(one.correct, kept)[2]
    assert report["mode"] == "filter" and report["keep_rate_of"] == "candidates"
    assert report["best_threshold"]["threshold"] == best_t and math.isclose(report["proxy"]["p_star"], best_p)


def test_keep_column_quality_threshold_classes_and_given_p(tmp_path, capsys):
    eight = pd.DataFrame({"rouge": [0.9, 0.8, 0.2, 0.1, 0.7, 0.3, 0.6, 0.05],
                          "kept": ["yes", "yes", "no", "yes", "yes", "no", "no", "no"], "cls": ["a", "b"] * 4})
    frame = pd.concat([eight] * 50, ignore_index=True).rename_axis("id").reset_index()  # 400 inputs, one answer each
    frame.to_parquet(tmp_path / "rated.parquet")
    args = ["proxy", tmp_path / "rated.parquet", "--input-col", "id", "--quality-col", "rouge", "--threshold", "0.5",
            "--keep-col", "kept", "--class-col", "cls", "--p", "0.9", "--out", tmp_path / "o"]
    status, said, _ = run(capsys, *args)
    assert status == 0
    assert [p.name for p in files_under(tmp_path / "o")] == ["proxy.json"]  # no score: no curve
    report = json.loads((tmp_path / "o" / "proxy.json").read_text())
    # of eight: correct 0, 1, 4, 6 (rouge >= 0.5), kept 0, 1, 3, 4 -> phi 3/4, psi 1/4, p* 3/4
    assert (report["proxy"]["phi"], report["proxy"]["psi"], report["proxy"]["p_star"]) == (0.75, 0.25, 0.75)
    assert report["correct"] == "rouge >= 0.5" and report["prediction"]["p_from"] == "--p"
    # class a: phi 2/3, psi 0; class b: phi 1, psi 1/3; Delta = (0.1 * 2/3 - 0) / 2 + (0.1 - 0.9 / 3) / 2 = -1/15
    assert math.isclose(report["prediction"]["delta"], -1 / 15) and report["prediction"]["delta_hi"] < 0
    assert report["prediction"]["verdict"] == "should hurt"
    assert set(report["by_class"]) == {"a", "b"} and set(report["prediction"]["by_class"]) == {"a", "b"}
    assert "should hurt" in said


def test_help_shows_an_example(capsys):
    with pytest.raises(SystemExit) as e:
        main(["proxy", "--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    assert ("vcollapse proxy judged.csv --input-col question --correct-col correct --score-col judge_score "
            "--min-keep 0.25 --out runs/proxy") in text
    for option in ("--keep-col", "--quality-col", "--threshold", "--class-col", "--mode", "--min-keep", "--p", "--out"):
        assert option in text


def _write(path, text):
    path.write_text(text)
    return path


def _parquet(path, frame):
    frame.to_parquet(path)
    return path


GOOD = "input_id,correct,score\na,true,0.9\na,false,0.2\nb,false,0.7\nb,true,0.4\n"

# (id, setup(tmp) -> the file, extra arguments, what the message must say)
CASES = [
    ("missing-column", lambda d: _write(d / "c.csv", "input_id,label,score\na,1,0.5\n"), ["--score-col", "score"],
     ["c.csv has no column 'correct' (--correct-col)", "its columns are: input_id, label, score"]),
    ("missing-input-column", lambda d: _write(d / "c.csv", GOOD), ["--input-col", "question", "--score-col", "score"],
     ["c.csv has no column 'question' (--input-col)", "input_id, correct, score"]),
    ("missing-score-column", lambda d: _write(d / "c.csv", GOOD), ["--score-col", "judge"], ["no column 'judge' (--score-col)"]),
    ("correct-not-boolean-csv", lambda d: _write(d / "c.csv", GOOD.replace("b,true", "b,maybe")), ["--score-col", "score"],
     ["c.csv line 5: column 'correct' (--correct-col) has 'maybe', which is not boolean-like"]),
    ("correct-not-boolean-jsonl",
     lambda d: _write(d / "c.jsonl", '{"input_id": 1, "correct": true, "keep": 1}\n\n{"input_id": 2, "correct": 2, "keep": 0}\n'),
     ["--keep-col", "keep"], ["c.jsonl line 3: column 'correct' (--correct-col) has 2, which is not boolean-like"]),
    ("correct-not-boolean-parquet",
     lambda d: _parquet(d / "c.parquet", pd.DataFrame({"input_id": [1, 2, 3], "correct": ["y", "n", "?"], "keep": [1, 0, 1]})),
     ["--keep-col", "keep"], ["c.parquet row 2: column 'correct' (--correct-col) has '?'"]),
    ("keep-not-boolean", lambda d: _write(d / "c.csv", "input_id,correct,keep\na,1,1\nb,0,kept\n"), ["--keep-col", "keep"],
     ["c.csv line 3: column 'keep' (--keep-col) has 'kept', which is not boolean-like"]),
    ("score-not-number", lambda d: _write(d / "c.csv", GOOD.replace("0.7", "high")), ["--score-col", "score"],
     ["c.csv line 4: column 'score' (--score-col) has 'high', which is not a number"]),
    ("quality-not-number", lambda d: _write(d / "c.csv", "input_id,q,keep\na,0.5,1\nb,,0\n"),
     ["--quality-col", "q", "--threshold", "0.4", "--keep-col", "keep"], ["c.csv line 3: column 'q' (--quality-col) has ''"]),
    ("empty-input-id", lambda d: _write(d / "c.csv", "input_id,correct,keep\na,1,1\n,0,0\n"), ["--keep-col", "keep"],
     ["c.csv line 3: column 'input_id' (--input-col) has '', which is empty"]),
    ("no-correct-candidate", lambda d: _write(d / "c.csv", GOOD.replace("true", "false")), ["--score-col", "score"],
     ["c.csv: no candidate is correct (column 'correct' is false on all 4 rows)", "p* are undefined"]),
    ("no-incorrect-candidate", lambda d: _write(d / "c.csv", GOOD.replace("false", "true")), ["--score-col", "score"],
     ["c.csv: no candidate is incorrect", "psi = P(keep | incorrect) and so p* are undefined"]),
    ("empty-csv", lambda d: _write(d / "c.csv", ""), ["--score-col", "score"], ["c.csv is empty"]),
    ("header-only-csv", lambda d: _write(d / "c.csv", "input_id,correct,score\n"), ["--score-col", "score"], ["c.csv is empty"]),
    ("empty-jsonl", lambda d: _write(d / "c.jsonl", "\n\n"), ["--score-col", "score"], ["c.jsonl is empty"]),
    ("mixed-candidate-counts", lambda d: _write(d / "c.csv", GOOD + "c,true,0.1\nc,false,0.3\nc,false,0.5\n"),
     ["--score-col", "score"], ["best-of-k selection needs the same number of candidates", "input 'c' has 3 and input 'a' has 2",
                               "--mode filter"]),
    ("unknown-extension", lambda d: _write(d / "c.txt", GOOD), ["--score-col", "score"],
     ["c.txt: unknown extension '.txt'", ".csv, .jsonl, .json or .parquet"]),
    ("no-such-file", lambda d: d / "absent.csv", ["--score-col", "score"], ["absent.csv: no such file"]),
    ("unparsable-json-line", lambda d: _write(d / "c.json", '{"input_id": 1, "correct": true}\n\n{"input_id": 2, correct: 0}\n'),
     ["--score-col", "score"], ["c.json line 3 is not valid JSON", "one object per line"]),
    ("json-line-not-an-object", lambda d: _write(d / "c.jsonl", '{"input_id": 1}\n[1, 2]\n'), ["--score-col", "score"],
     ["c.jsonl line 2 is a JSON list"]),
    ("csv-wrong-field-count", lambda d: _write(d / "c.csv", GOOD.replace("a,false,0.2", "a,false,0.2,extra")),
     ["--score-col", "score"], ["c.csv line 3 has 4 fields; the header has 3"]),
    ("damaged-parquet", lambda d: _write(d / "c.parquet", "not parquet"), ["--keep-col", "keep"],
     ["c.parquet is not a Parquet file that can be read"]),
    ("keep-and-score", lambda d: _write(d / "c.csv", GOOD), ["--keep-col", "correct", "--score-col", "score"], ["one of them"]),
    ("neither-keep-nor-score", lambda d: _write(d / "c.csv", GOOD), [], ["--keep-col (kept or not) or --score-col"]),
    ("select-without-score", lambda d: _write(d / "c.csv", GOOD), ["--keep-col", "correct", "--mode", "select"],
     ["--mode select (best-of-k) needs the verifier's scores"]),
    ("quality-without-threshold", lambda d: _write(d / "c.csv", GOOD), ["--quality-col", "score", "--score-col", "score"],
     ["give --quality-col and --threshold together"]),
    ("threshold-without-quality", lambda d: _write(d / "c.csv", GOOD), ["--threshold", "0.5", "--score-col", "score"],
     ["give --quality-col and --threshold together"]),
    ("min-keep-above-one", lambda d: _write(d / "c.csv", GOOD), ["--score-col", "score", "--min-keep", "2"],
     ["--min-keep 2 is invalid", "[0, 1]"]),
    ("p-negative", lambda d: _write(d / "c.csv", GOOD), ["--score-col", "score", "--p", "-0.1"], ["--p -0.1 is invalid"]),
]


@pytest.mark.parametrize("name,setup,extra,says", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_names_the_problem_and_writes_nothing(tmp_path, capsys, name, setup, extra, says):
    path = setup(tmp_path)
    out = tmp_path / "out"
    status, said, err = run(capsys, "proxy", path, *extra, "--out", out)
    assert status == 2, (said, err)
    assert err.startswith("vcollapse: error: ") and len(err.strip().splitlines()) == 1, err
    for text in says:
        assert text in err, (text, err)
    assert not out.exists() and said == ""


def test_a_failed_run_leaves_an_earlier_runs_files_as_they_were(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(capsys, "proxy", FIXTURE, *JUDGE, "--out", out)[0] == 0
    before = {p.name: p.read_bytes() for p in files_under(out)}
    bad = _write(tmp_path / "bad.csv", GOOD.replace("b,true", "b,perhaps"))
    assert run(capsys, "proxy", bad, "--score-col", "score", "--out", out)[0] == 2
    assert {p.name: p.read_bytes() for p in files_under(out)} == before
    (tmp_path / "file").write_text("x")
    status, _, err = run(capsys, "proxy", FIXTURE, *JUDGE, "--out", tmp_path / "file")
    assert status == 2 and "is a file: expected a folder" in err and (tmp_path / "file").read_text() == "x"


def test_the_vcollapse_command_exits_2_on_bad_input(vc, tmp_path):
    bad = _write(tmp_path / "judged.jsonl", '{"question": "q1", "correct": true, "judge_score": 3}\n{"question": "q2",\n')
    r = vc("proxy", bad, *JUDGE, "--out", tmp_path / "out")
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.startswith("vcollapse: error: ") and "judged.jsonl line 2 is not valid JSON" in r.stderr
    assert r.stdout == "" and not (tmp_path / "out").exists()
