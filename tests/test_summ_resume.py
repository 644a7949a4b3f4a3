"Summarization: a generator training killed with SIGKILL resumes to the same result."
import subprocess
import sys

from conftest import REPO, check_kill_and_resume

TRAIN = r"""
import sys, json, warnings, tempfile
warnings.simplefilter("ignore")
from verified_collapse.summ.data import debian_corpus
from verified_collapse.summ.task import SummSettings, SummTask
splits = debian_corpus(sys.argv[2], cache_dir=tempfile.mkdtemp())
s = SummSettings(n0=120, vocab_size=400, pretrain_steps=0, gen_steps=int(sys.argv[3]), batch_size=8, eval_every=40, n_valid=8, n_test=12,
                 max_source_len=48, max_target_len=12, scorers=(), device="cpu", ckpt_every_s=0)
task = SummTask(splits, s, cache_dir=sys.argv[1], progress=False)
g = task.train_generator(0)
ev = task.generator_metric(g)
print(json.dumps({"rouge1": ev.metric, "per_document": ev.items.rouge1.tolist(), "losses": g.history["losses"],
                  "history": g.history["history"]}))
"""
STEPS = 120
SAMPLE = REPO / "tests" / "fixtures" / "summ" / "apt_sample"


def _train(cache):
    return subprocess.Popen([sys.executable, "-c", TRAIN, str(cache), str(SAMPLE), str(STEPS)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_killed_summarizer_training_resumes_to_the_same_result(tmp_path):
    check_kill_and_resume(_train, tmp_path, STEPS)
