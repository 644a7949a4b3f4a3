"Summarization: the paper preset's code path (XLSUM files, a local causal LM with LoRA in bf16, a second model as the stronger verifier) at tiny sizes."
import json
import warnings

from conftest import REPO, param_args

SAMPLE = REPO / "tests" / "fixtures" / "summ" / "apt_sample"


def _xlsum_from_debian(folder, tmp):
    "Write the Debian sample as XLSUM jsonl files (id, url, title, summary, text): real text in XLSUM's layout."
    from verified_collapse.summ.data import debian_corpus
    splits = debian_corpus(SAMPLE, cache_dir=tmp / "corpus_cache")
    folder.mkdir()
    for split, name in [("train", "train"), ("validation", "val"), ("test", "test")]:
        rows = [dict(id=d.id, url=f"https://example.org/{d.id}", title=d.title, summary=d.summary, text=d.text) for d in splits[split]]
        (folder / f"english_{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return [d.text for d in splits["train"]] + [d.summary for d in splits["train"]]


def _tiny_llama(folder, texts, layers):
    "A tiny Llama-class causal LM built from a config, saved with a tokenizer trained on `texts`."
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    from verified_collapse.summ.model import train_tokenizer
    tok = train_tokenizer(texts, vocab_size=600)
    torch.manual_seed(layers)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=layers, num_attention_heads=2,
                      num_key_value_heads=2, max_position_embeddings=128, bos_token_id=tok.bos_token_id,
                      eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    LlamaForCausalLM(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def test_paper_preset_code_path_runs_with_a_tiny_causal_lm(vc, runs, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        texts = _xlsum_from_debian(tmp_path / "xlsum", tmp_path)
        gen = _tiny_llama(tmp_path / "llama", texts, layers=1)
        strong = _tiny_llama(tmp_path / "llama-strong", texts, layers=2)
    tiny = dict(xlsum_dir=tmp_path / "xlsum", model_path=gen, stronger_path=strong, device="cpu", n0=60, n_stronger=120,
                max_source_len=48, max_target_len=12, gen_steps=4, retrain_steps=3, batch_size=8, warmup=1, eval_every=4,
                n_valid=6, n_test=8, sizes="[8, 16]", k=2, beam=2, chunk=16, max_pool=32, n_examples=2, ckpt_every_s=0)
    args = param_args(["run", "summ", "--preset", "paper"], tiny)
    r = vc(*args, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    root = runs / "paper" / "summ"
    params = json.loads((root / "run.json").read_text())["params"]
    assert params["corpus"] == "xlsum" and params["model_kind"] == "causal" and params["lora_r"] == 16 and params["dtype"] == "bfloat16"
    claims = {c["id"] for c in json.loads((root / "claims.json").read_text())}
    assert {"summ_random_collapses", "summ_self_selection_beats_generator", "summ_stronger_verifier_no_better_than_random"} <= claims
    import pandas as pd
    df = pd.read_csv(root / "results.csv")
    retrained = {"top1", "self", "random", "oracle", "embedding", "stronger", "real"}
    references = {"generator", "lead-k", "constant", "stronger_model"}  # the models and baselines every one is compared with
    assert set(df.verifier) == retrained | references and df.metric.between(0, 1).all()
    assert df[df.verifier.isin(references)].N.isna().all() and df[df.verifier.isin(retrained)].N.notna().all()
    assert (root / "figures" / "summ_rouge_vs_N_and_pstar.png").exists()


def test_paper_preset_without_its_folders_is_refused_before_any_work(vc, runs):
    r = vc("run", "summ", "--preset", "paper")
    assert r.returncode == 2 and "needs 'model_path'" in r.stderr, r.stderr
    assert not (runs / "paper" / "summ").exists()
