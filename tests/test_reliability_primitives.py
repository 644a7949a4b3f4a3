"Run-folder locks and file modes across real processes: a second process finds the folder busy or waits for it; a process's umask decides its files' modes."
import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from verified_collapse.files import FolderBusy, folder_lock

HOLDER = r"""
import sys, time
from verified_collapse.files import folder_lock
with folder_lock(sys.argv[1], what="vcollapse run eigen"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""

WRITER = r"""
import os, sys
os.umask(int(sys.argv[2], 8))
from verified_collapse.files import atomic_write_json, folder_lock, write_cache
with folder_lock(sys.argv[1]):
    atomic_write_json(os.path.join(sys.argv[1], "summary.json"), {"ok": True})
    write_cache(os.path.join(sys.argv[1], "cache", "x.npz"), b"data")
"""


def hold(folder, seconds):
    "Start a process that holds `folder`'s lock for `seconds`; return it once it holds the lock."
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def test_another_process_finds_the_folder_busy_then_waits_for_it(tmp_path):
    p = hold(tmp_path, 1.0)
    try:
        with pytest.raises(FolderBusy) as e:
            with folder_lock(tmp_path): pass
        msg = str(e.value)
        assert str(tmp_path) in msg and f"pid {p.pid} " in msg and "(vcollapse run eigen)" in msg
        assert "running since" in msg and "--wait SECONDS" in msg and "another --out folder" in msg
        t0 = time.monotonic()
        with folder_lock(tmp_path, wait=30, what="second") as lock:  # the holder exits after about a second
            assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert time.monotonic() - t0 < 10
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None: os.kill(p.pid, signal.SIGKILL); p.wait()
        p.stdout.close()


def test_sigkilled_holder_leaves_no_stale_lock(tmp_path):
    p = hold(tmp_path, 120)
    os.kill(p.pid, signal.SIGKILL); p.wait(); p.stdout.close()
    with folder_lock(tmp_path, what="after the kill"): pass


@pytest.mark.parametrize("umask,want", [("002", 0o664), ("022", 0o644), ("077", 0o600)])
def test_files_follow_the_writers_umask(tmp_path, umask, want):
    subprocess.run([sys.executable, "-c", WRITER, str(tmp_path), umask], check=True, timeout=120)
    for f in ["summary.json", "cache/x.npz", ".vcollapse.lock"]:
        assert stat.S_IMODE((tmp_path / f).stat().st_mode) == want, f
