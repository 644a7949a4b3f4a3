"""Time the theory experiment's simulations, and the vectorised sweep against the per-sample loop.

    .venv/bin/python benchmarks/theory_sweep.py            # the cpu preset (configs/cpu.yaml, section `theory`)
    .venv/bin/python benchmarks/theory_sweep.py --preset smoke

1. Runs the full grid behind the figures of nbs/11_theory_experiment.ipynb once (the accuracy-vs-p
   sweep, the run_loop N sweep, the linear-verifier sweep) and prints the wall time of each part.
2. Runs `simulate_sweep` (vectorised, common random numbers, chunked) and `simulate_naive`
   (a plain loop, one sample at a time, per seed and grid column) on the same smaller grid, checks
   that they return the same numbers, and prints both times and their ratio.
"""
from __future__ import annotations

import argparse
import math
import time
import warnings
from pathlib import Path

import numpy as np

from verified_collapse.loop import run_loop
from verified_collapse.theory.mixture import LinearVerifier, PhiPsi, make_mu, parse_verifier, verifier_direction
from verified_collapse.theory.simulate import simulate_naive, simulate_sweep
from verified_collapse.theory.task import TheoryTask
from verified_collapse.verify import oracle, phi_psi

ROOT = Path(__file__).resolve().parents[1]

def load_preset(name: str) -> dict:
    "The theory notebook's parameters: its defaults (smoke scale) updated with configs/<name>.yaml's `theory` section."
    from verified_collapse.tools.runner import load_preset as preset_section
    from verified_collapse.tools.notebook_params import notebook_params
    params = {k: v["default"] for k, v in notebook_params(ROOT / "nbs" / "11_theory_experiment.ipynb").items()}
    params.update(preset_section(name, "theory"))
    return params


def full_grid(P: dict) -> dict:
    "Every simulation behind the figures, once; returns the wall time of each part."
    times = {}
    mu = make_mu(P["d"], P["mu_norm"])
    t = time.perf_counter()
    sweep = simulate_sweep(P["p_grid"], [parse_verifier(v) for v in P["verifiers"]], P["sizes"], mu,
                           replicates=P["replicates"], seed=P["seed"], chunk=P["chunk"])
    times["p sweep (simulate_sweep)"] = time.perf_counter() - t
    times["_p_sweep_samples"] = int(sweep.groupby(["p", "verifier", "seed"]).rows.max().sum())
    t = time.perf_counter()
    task = TheoryTask(d=P["d"], mu_norm=P["mu_norm"], p=P["loop_p"], dtype=np.float32 if P["loop_float32"] else np.float64)
    sels = {}
    for s in P["loop_verifiers"]:
        v = parse_verifier(s)
        sels[s] = oracle() if (v.phi, v.psi) == (1.0, 0.0) else phi_psi(v.phi, v.psi)
    run_loop(task, sels, P["loop_sizes"], seeds=[P["seed"] + i for i in range(P["loop_replicates"])], chunk=P["loop_chunk"],
             progress=False)
    times["N sweep (run_loop + TheoryTask)"] = time.perf_counter() - t
    t = time.perf_counter()
    lvs = [LinearVerifier(verifier_direction(mu, a, seed=P["seed"])) for a in P["linear_angles"]]
    simulate_sweep(P["linear_p_grid"], lvs, P["linear_sizes"], mu, replicates=P["replicates"], seed=P["seed"] + 1,
                   chunk=P["chunk"])
    times["linear-verifier sweep (simulate_sweep)"] = time.perf_counter() - t
    return times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="cpu", help="configs/<preset>.yaml (section `theory`); default cpu")
    ap.add_argument("--naive-N", type=int, nargs="+", default=[100, 1000, 10000, 100000],
                    help="kept-sample checkpoints of the vectorised-vs-naive comparison")
    ap.add_argument("--naive-replicates", type=int, default=2, help="replicates of the comparison")
    ap.add_argument("--skip-full", action="store_true", help="only the vectorised-vs-naive comparison")
    a = ap.parse_args(argv)
    P = load_preset(a.preset)
    print(f"preset {a.preset}: d={P['d']}, {len(P['p_grid'])} p x {len(P['verifiers'])} verifiers, N up to {max(P['sizes']):,}, "
          f"{P['replicates']} seeds; run_loop N up to {max(P['loop_sizes']):,} x {len(P['loop_verifiers'])} verifiers x {P['loop_replicates']} seeds")
    if not a.skip_full:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            times = full_grid(P)
        p_sweep_samples = times.pop("_p_sweep_samples")
        for k, v in times.items(): print(f"  {k:42s} {v:8.1f} s")
        print(f"full {a.preset} grid behind the figures: {time.perf_counter() - t0:.1f} s wall")

    # the same smaller grid both ways: a sub-grid of the preset's p sweep
    ps = P["p_grid"][:: max(1, len(P["p_grid"]) // 5)][:5]
    vs = [parse_verifier(v) for v in P["verifiers"][:3]]
    mu = make_mu(P["d"], P["mu_norm"])
    kw = dict(ps=ps, verifiers=vs, sizes=a.naive_N, mu=mu, replicates=a.naive_replicates, seed=P["seed"])
    t = time.perf_counter(); fast = simulate_sweep(**kw, chunk=P["chunk"]); t_fast = time.perf_counter() - t
    t = time.perf_counter(); slow = simulate_naive(**kw); t_slow = time.perf_counter() - t
    same = len(fast) == len(slow) and (fast.rows.values == slow.rows.values).all()
    diff = float(np.abs(fast.accuracy.values - slow.accuracy.values).max())
    print(f"comparison grid: d={P['d']}, {len(ps)} p x {len(vs)} verifiers, N = {a.naive_N}, {a.naive_replicates} seeds "
          f"({int(slow.groupby(['p', 'verifier', 'seed']).rows.max().sum()):,} samples drawn one by one by the naive loop)")
    print(f"  simulate_sweep (vectorised) {t_fast:8.2f} s")
    print(f"  simulate_naive (per sample) {t_slow:8.2f} s")
    print(f"  speed-up naive / vectorised  {t_slow / t_fast:8.1f} x   (same rows: {same}; max |accuracy difference| = {diff:.1e})")
    if not a.skip_full:
        per = t_slow / int(slow.groupby(["p", "verifier", "seed"]).rows.max().sum())
        print(f"  extrapolated: the naive loop would need ~{p_sweep_samples * per:,.0f} s for the full p sweep "
              f"({p_sweep_samples:,} samples at {per * 1e6:.1f} us each) vs {times['p sweep (simulate_sweep)']:.1f} s vectorised "
              f"(~{p_sweep_samples * per / times['p sweep (simulate_sweep)']:.0f} x)")


if __name__ == "__main__":
    main()
