"Eigenvalue experiment: a training run killed with SIGKILL resumes to the same result; the paper preset's code path."
import json
import subprocess
import sys

from conftest import check_kill_and_resume, param_args

TRAIN = r"""
import sys, json, warnings
warnings.simplefilter("ignore")
from verified_collapse.eigen.config import EigenSettings
from verified_collapse.eigen.task import EigenTask
s = EigenSettings(dim=2, model="smoke", n0=300, gen_steps=int(sys.argv[2]), batch_size=32, warmup=50, eval_every=25,
                  n_valid=40, n_test=60, ckpt_every_s=0)
task = EigenTask(s, cache_dir=sys.argv[1], progress=False)
g = task.train_generator(0)
from verified_collapse.eigen.task import evaluate_model
ev = task.generator_metric(g)
print(json.dumps({"metric": ev.metric, "table": evaluate_model(g, task.test, task.vocab, 2), "losses": g.history["losses"],
                  "errors": ev.items.rel_error.fillna(-1.0).tolist(), "history": g.history["history"]}))
"""
STEPS = 120


def _train(cache, **kw):
    return subprocess.Popen([sys.executable, "-c", TRAIN, str(cache), str(STEPS)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_killed_training_resumes_to_the_same_result(tmp_path):
    cache = check_kill_and_resume(_train, tmp_path, STEPS)
    assert not [f for f in cache.iterdir() if f.suffix == ".pt" and f.stat().st_size == 0]


def test_paper_preset_code_path_runs_with_tiny_sizes(vc, runs):
    tiny = dict(n0=24, gen_steps=2, retrain_steps=2, batch_size=8, warmup=1, eval_every=2, n_valid=8, n_test=8,
                sizes="[4, 8]", k=2, beam=2, chunk=16, max_pool=64, verifiers='["top1", "oracle_keep", "noisy_oracle(0.5)"]',
                diagnostic_ks="[1, 2]", diagnostic_matrices=8, ckpt_every_s=0)
    args = param_args(["run", "eigen", "--preset", "paper"], tiny)
    r = vc(*args, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    root = runs / "paper" / "eigen"
    params = json.loads((root / "run.json").read_text())["params"]
    assert params["model"] == "paper" and params["dim"] == 5 and params["encoding"] == "FP15"
    claims = json.loads((root / "claims.json").read_text())
    assert any(c["id"] == "eigen_collapse_without_verification" for c in claims)
    assert (root / "figures" / "eigen_accuracy_vs_N_and_pstar.png").exists()
