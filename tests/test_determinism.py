"""Same preset, same seed, same results -- and no network: every experiment notebook is run twice at the smoke
scale, the second time with every connection that would leave the machine refused, and the results tables of
the two runs must be byte-identical after sorting (wall-clock seconds excepted)."""
import textwrap

import pytest
from conftest import SMOKE_ARGS, result_tables, run_vcollapse

# Loaded by every Python process of the run (the CLI, papermill's kernel, tokenizers' workers) through
# PYTHONPATH: refuse and record any connection or name lookup that is not this machine's loopback.
GUARD = textwrap.dedent('''
    import os, socket
    _log = os.environ["VC_NET_LOG"]
    _LOCAL = {None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0", b"localhost", b"127.0.0.1"}
    def _refuse(what):
        with open(_log, "a") as f: f.write(what + "\\n")
        raise OSError("network access refused by the offline test: " + what)
    _connect, _connect_ex, _gai = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    def _remote(sock, addr):
        return sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(addr, tuple) and addr[0] not in _LOCAL
    def connect(self, addr):
        if _remote(self, addr): _refuse(f"connect {addr!r}")
        return _connect(self, addr)
    def connect_ex(self, addr):
        if _remote(self, addr): _refuse(f"connect {addr!r}")
        return _connect_ex(self, addr)
    def getaddrinfo(host, *args, **kwargs):
        if host not in _LOCAL: _refuse(f"resolve {host!r}")
        return _gai(host, *args, **kwargs)
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
''')


@pytest.fixture
def offline_env(tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "net.log"
    return {"PYTHONPATH": str(guard), "VC_NET_LOG": str(log)}, log


def test_the_network_guard_refuses_and_records(offline_env):
    import subprocess
    import sys
    env, log = offline_env
    code = "import urllib.request\ntry: urllib.request.urlopen('http://example.org', timeout=5)\nexcept OSError as e: print('refused', e)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**env, "PATH": ""})
    assert "refused" in r.stdout and "example.org" in log.read_text()


@pytest.mark.parametrize("key", ["theory", "eigen", "summ"])
def test_same_seed_same_tables_and_no_network(key, smoke_reference, tmp_path, offline_env):
    env, log = offline_env
    first = smoke_reference(key)
    r = run_vcollapse(["run", key, *SMOKE_ARGS[key]], tmp_path / "runs", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not log.exists(), f"network access attempted: {log.read_text()}"
    a, b = result_tables(first), result_tables(tmp_path / "runs" / "smoke" / key)
    assert "results.csv" in a and set(a) == set(b)
    for name in a:
        assert a[name] == b[name], f"{key}: {name} differs between two runs with the same seed"
