"An atomic write killed part-way (SIGKILL) leaves the old file whole and no temporary file."
import os
import signal
import subprocess
import sys
import time

WRITER = r"""
import sys, time
from verified_collapse.files import atomic_write_bytes
target = sys.argv[1]
print("ready", flush=True)
i = 0
while True:
    i += 1
    atomic_write_bytes(target, bytes([i % 251]) * 20_000_000)
"""


def test_sigkill_during_atomic_writes_never_leaves_a_partial_file(tmp_path):
    target = tmp_path / "result.bin"
    target.write_bytes(b"\x00" * 20_000_000)
    for attempt in range(5):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.2 + 0.15 * attempt)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        data = target.read_bytes()
        assert len(data) == 20_000_000, "a partial file replaced the old one"
        assert data.count(data[:1]) == len(data), "the file mixes two writes"
    # the killed writer may leave its own temporary file; it never replaces the target
    leftovers = [f for f in tmp_path.iterdir() if f.name != "result.bin"]
    assert all(f.name.startswith(".result.bin.") and f.name.endswith(".tmp") for f in leftovers)
