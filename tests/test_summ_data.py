"Summarization data: XLSUM loading and the Debian package-description corpus, on the fixtures in tests/fixtures/summ."
import json
from pathlib import Path

import pytest

from verified_collapse.core import ParamError
from verified_collapse.summ.data import (APT_GET_EN, Doc, corpus_stats, debian_corpus, describe_packages,
                                        parse_translation, split_by_hash, translation_files)
from verified_collapse.summ.xlsum import load_xlsum

FIX = Path(__file__).resolve().parent / "fixtures" / "summ"
NAME = "example.org_debian_dists_test_main_i18n_Translation-en"
PLAIN, LZ4 = FIX / "apt" / NAME, FIX / "apt_lz4" / f"{NAME}.lz4"


def test_xlsum_counts_fields_and_limit():
    xl = load_xlsum(FIX / "xlsum")
    assert {s: len(v) for s, v in xl.items()} == {"train": 4, "validation": 2, "test": 2}
    first = json.loads((FIX / "xlsum" / "english_train.jsonl").read_text().split("\n")[0])
    assert xl["train"][0] == Doc(first["id"], first["text"], first["summary"], first["title"])
    assert {s: len(v) for s, v in load_xlsum(FIX / "xlsum", limit=1).items()} == {"train": 1, "validation": 1, "test": 1}


def test_xlsum_errors_name_file_line_field_and_fix(tmp_path):
    with pytest.raises(ParamError, match=r"xlsum_bad/english_train.jsonl, line 2: field 'summary' is missing"):
        load_xlsum(FIX / "xlsum_bad", splits=["train"])
    with pytest.raises(ParamError, match="no such folder.*english_XLSum_v2.0.tar.bz2"):
        load_xlsum(tmp_path / "missing")
    with pytest.raises(ParamError, match="is empty"):
        load_xlsum(tmp_path)
    (tmp_path / "english_train.jsonl").write_text('{"id": "1"}\n')
    with pytest.raises(ParamError, match="has no validation file.*english_val.jsonl"):
        load_xlsum(tmp_path)
    with pytest.raises(ParamError, match="line 1: field 'title' is missing"):
        load_xlsum(tmp_path, splits=["train"])
    (tmp_path / "english_train.jsonl").write_text("\n\nnot json\n")
    with pytest.raises(ParamError, match="line 3: not valid JSON"):
        load_xlsum(tmp_path, splits=["train"])


def test_parse_translation_plain_equals_lz4():
    rows = parse_translation(PLAIN)
    assert len(rows) == 19
    assert parse_translation(LZ4) == rows
    assert rows[0][:2] == ("7zip", "7-Zip file archiver with a high compression ratio")
    assert all(" ." not in text.split("\n") for _, _, text in rows)


def test_dedup_keeps_each_text_once_with_the_first_package():
    docs, info = describe_packages(parse_translation(PLAIN), min_words=8)
    assert (info["n_pairs"], info["n_unique"], info["n_short"], info["n_docs"]) == (19, 14, 2, 12)
    ids = {d.id for d in docs}
    assert len({d.text for d in docs}) == len(docs) == len(ids)
    assert "gir1.2-ebackend-1.2" in ids and "gir1.2-ecal-2.0" not in ids
    assert "bind9utils" in ids and "dnsutils" not in ids and "libevolution" not in ids


def test_splits_disjoint_complete_deterministic(tmp_path):
    a = debian_corpus(FIX / "apt", cache_dir=tmp_path / "c1", fractions=(0.5, 0.25, 0.25))
    b = debian_corpus(FIX / "apt_lz4", cache_dir=tmp_path / "c2", fractions=(0.5, 0.25, 0.25), use_cache=False)
    assert a == b  # lz4 source, no cache: the same corpus
    texts = [{d.text for d in v} for v in a.values()]
    assert sum(map(len, texts)) == 12 and len(set().union(*texts)) == 12  # no text in two splits
    docs = [d for v in a.values() for d in v]
    assert split_by_hash(docs[::-1], (0.5, 0.25, 0.25)) == a
    again = debian_corpus(FIX / "apt", cache_dir=tmp_path / "c1", fractions=(0.5, 0.25, 0.25), return_info=True)
    assert again[1]["cached"] and again[0] == a


def test_debian_errors(tmp_path):
    with pytest.raises(ParamError, match="holds no Debian package descriptions.*" + APT_GET_EN.replace(".", r"\.")):
        debian_corpus(tmp_path)
    assert translation_files(tmp_path / "nope") == []
    with pytest.raises(ParamError, match="'fractions'"):
        debian_corpus(FIX / "apt", fractions=(0.5, 0.5, 0.5), cache_dir=tmp_path)
    with pytest.raises(ParamError, match="'min_words'"):
        debian_corpus(FIX / "apt", min_words=0, cache_dir=tmp_path)
    bad = tmp_path / "x_i18n_Translation-en.lz4"
    bad.write_bytes(b"garbage")
    with pytest.raises(ParamError, match="cannot read it as lz4"):
        parse_translation(bad)


def test_corpus_stats():
    s = corpus_stats(load_xlsum(FIX / "xlsum"))
    assert [s[k]["n"] for k in ("train", "validation", "test")] == [4, 2, 2]
    assert s["train"]["doc_words_mean"] > s["train"]["summary_words_mean"] > 0
