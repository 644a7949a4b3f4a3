"""Time the paired statistics at the sizes the experiments use, against the naive loop.

    .venv/bin/python benchmarks/stats_bootstrap.py

1. `paired_bootstrap` with several seeds (the vectorised two-way bootstrap: item counts from a multinomial, then
   matrix products, in chunks) on 5 seeds x 5000 items x 2000 resamples: wall time and peak memory (tracemalloc);
   the target is under 1 s and 200 MB on the 2-core machine.
2. The same bootstrap written as a plain loop over resamples (index arrays, no counts), on 200 resamples, and the
   ratio of the two per resample.
3. `spearman_ci` with per-item outcomes of 10 models (5 seeds x 5000 items): wall time.
"""
from __future__ import annotations

import time
import tracemalloc

import numpy as np

from verified_collapse.stats import paired_bootstrap, spearman_ci


def naive_two_way(a, b, n_boot, seed=0):
    "The two-way bootstrap, one resample at a time: resample seeds and items, mean of the sub-matrix."
    d = np.asarray(a, float) - np.asarray(b, float)
    rng = np.random.default_rng(seed)
    S, n = d.shape
    return np.array([d[rng.integers(0, S, S)][:, rng.integers(0, n, n)].mean() for _ in range(n_boot)])


def main():
    rng = np.random.default_rng(4)
    A, B = rng.random((5, 5000)) < 0.7, rng.random((5, 5000)) < 0.6
    tracemalloc.start()
    t0 = time.perf_counter(); r = paired_bootstrap(A, B, n_boot=2000); fast = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20; tracemalloc.stop()
    print(f"paired_bootstrap, 5 seeds x 5000 items, 2000 resamples: {fast:.3f} s, peak {peak:.0f} MB "
          f"(target < 1 s, < 200 MB): {'ok' if fast < 1 and peak < 200 else 'MISSED'}; interval [{r['lo']:+.4f}, {r['hi']:+.4f}]")
    t0 = time.perf_counter(); naive_two_way(A, B, 200); slow = (time.perf_counter() - t0) / 200
    print(f"naive loop: {slow * 1e3:.2f} ms per resample vs {fast / 2000 * 1e3:.3f} ms vectorised: {slow / (fast / 2000):.0f}x")
    Y = (rng.random((10, 5, 5000)) < np.linspace(0.3, 0.7, 10)[:, None, None]).astype(float)
    t0 = time.perf_counter(); s = spearman_ci(np.linspace(0.5, 1, 10), Y); t = time.perf_counter() - t0
    print(f"spearman_ci, 10 models x 5 seeds x 5000 items, 2000 resamples: {t:.3f} s; rho {s['estimate']:.3f} [{s['lo']:.3f}, {s['hi']:.3f}]")


if __name__ == "__main__":
    main()
