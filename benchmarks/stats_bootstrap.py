"""Time the paired statistics at the sizes the experiments use, against the naive loop.

    .venv/bin/python benchmarks/stats_bootstrap.py

1. `paired_bootstrap` with several seeds (the two-way bootstrap: a loop over resamples of seeds and items) on
   5 seeds x 5000 items x 2000 resamples: wall time and peak memory (tracemalloc); the target is under 1 s and
   200 MB on the 2-core machine.
2. The same resamples done with count vectors and matrix products in chunks (the vectorised way), and the ratio of
   the two per resample: the reason the library keeps the plain loop.
3. `spearman_ci` with per-item outcomes of 10 models (5 seeds x 5000 items): wall time.
"""
from __future__ import annotations

import time
import tracemalloc

import numpy as np

from verified_collapse.stats import paired_bootstrap, spearman_ci


def vectorised_two_way(a, b, n_boot, seed=0, chunk=2_500_000):
    "The two-way bootstrap with count vectors: mean = c' D w / (S n), in chunks of `chunk` array elements."
    from verified_collapse.stats import _resample_counts
    d = np.asarray(a, float) - np.asarray(b, float)
    rng, (S, n) = np.random.default_rng(seed), d.shape
    out, step = np.empty(n_boot), max(1, chunk // n)
    for start in range(0, n_boot, step):
        size = min(step, n_boot - start)
        c, w = _resample_counts(rng, S, size), _resample_counts(rng, n, size)
        out[start:start + size] = ((c @ d) * w).sum(1) / (S * n)
    return out


def main():
    rng = np.random.default_rng(4)
    A, B = rng.random((5, 5000)) < 0.7, rng.random((5, 5000)) < 0.6
    tracemalloc.start()
    t0 = time.perf_counter(); r = paired_bootstrap(A, B, n_boot=2000); fast = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20; tracemalloc.stop()
    print(f"paired_bootstrap, 5 seeds x 5000 items, 2000 resamples: {fast:.3f} s, peak {peak:.0f} MB "
          f"(target < 1 s, < 200 MB): {'ok' if fast < 1 and peak < 200 else 'MISSED'}; interval [{r['lo']:+.4f}, {r['hi']:+.4f}]")
    t0 = time.perf_counter(); vectorised_two_way(A, B, 2000); vec = (time.perf_counter() - t0) / 2000
    print(f"plain loop (the library): {fast / 2000 * 1e3:.3f} ms per resample; vectorised: {vec * 1e3:.3f} ms: "
          f"loop / vectorised = {(fast / 2000) / vec:.2f}")
    Y = (rng.random((10, 5, 5000)) < np.linspace(0.3, 0.7, 10)[:, None, None]).astype(float)
    t0 = time.perf_counter(); s = spearman_ci(np.linspace(0.5, 1, 10), Y); t = time.perf_counter() - t0
    print(f"spearman_ci, 10 models x 5 seeds x 5000 items, 2000 resamples: {t:.3f} s; rho {s['estimate']:.3f} [{s['lo']:.3f}, {s['hi']:.3f}]")


if __name__ == "__main__":
    main()
