"""Timings of the RF engine against the DESIGN.md budget (medians on a 2-core machine).

Run explicitly (the default addopts skip benchmarks and ignore this folder):

    uv run pytest tests/benchmarks/test_bench_rf.py -o addopts="" -p no:cacheprovider -s

What an installer waits for is a fresh fit plus the map it draws: ``fit_heatmap``, then over
a 0.1 m grid of 30 m x 20 m the values (``predict_grid``), the coverage fade
(``coverage_alpha_grid``) and the per-cell standard deviation (``std_grid``). That is timed
against ``scipy.interpolate.Rbf(x, y, z, function="linear")`` fitted and evaluated on the
same samples and grid in the same run; the fit and its values alone (the peer's output) must
be 2x faster, the whole map with fade and std faster than the peer's values (evaluated in
chunks of 20 M distances so its memory stays sane: that only makes it faster). The two are
timed in alternating blocks, so a change in the machine's load hits both, with a pause and
an untimed run before each block: Rbf's solve runs on two BLAS threads, which spin for a
while after it returns and made the next 5 ms map take ~1.8x as long (the fits here use one
BLAS thread; nothing in the app runs a multi-threaded BLAS call before a map). Budgets: at
least 2x faster than Rbf at every N, fresh map and live refit (``previous=``) of 500 samples <= 50 ms.
"""

from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np
import pytest
from scipy.interpolate import Rbf

from survey.project.model import Project, Wall
from survey.rf.interpolation import fit_heatmap
from survey.rf.materials import DEFAULT_MATERIALS
from survey.rf.propagation import predicted_map, predicted_rssi_dbm, site_grid, walls_arrays

BUDGET_S = 0.050  # DESIGN.md performance budget (fresh map and live refit of 500 samples)
MIN_RATIO = 2.0  # DESIGN.md: at least 2x faster than scipy Rbf(linear) at every N
SITE_M = (0.0, 0.0, 30.0, 20.0)
AP_XY_M = (12.0, 9.0)
#: Timed runs per N (each of ours and the peer's), fewer where one run takes seconds, in
#: ROUNDS alternating blocks with PAUSE_S before each.
REPEATS = {15: 24, 40: 24, 100: 16, 500: 12, 2000: 6, 5000: 2}  # 5000: Rbf takes ~5 s
ROUNDS = 2
PAUSE_S = 0.2
RBF_CHUNK_ELEMENTS = 20_000_000

results: dict[int, dict] = {}


@pytest.fixture(scope="module")
def grid():
    return site_grid(SITE_M, step_m=0.1)


@pytest.fixture(scope="module")
def project_200_walls():
    rng = np.random.default_rng(7)
    start = rng.uniform([0, 0], [30, 20], (200, 2))
    end = np.clip(start + rng.uniform(-5, 5, (200, 2)), 0, [30, 20])
    ids = [m.id for m in DEFAULT_MATERIALS]
    walls = tuple(Wall(*map(float, (*s, *e)), ids[i % len(ids)]) for i, (s, e) in enumerate(zip(start, end)))
    return Project(walls=walls, materials=DEFAULT_MATERIALS)


def samples(project, n: int, seed: int = 11):
    """n samples spread over the site: the 200-wall model's RSSI (floored at -95 dBm, the
    "not heard" stand-in) plus 3 dB of noise."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(SITE_M[:2], SITE_M[2:], (n, 2))
    walls_xy, loss = walls_arrays(project)
    z = np.maximum(predicted_rssi_dbm(AP_XY_M, 20.0, walls_xy, loss, xy), -95.0) + rng.normal(0, 3.0, n)
    return xy, z


def fresh_map(xy, z, grid, previous=None):
    """What the installer waits for: the fit and the three layers of its map."""
    hm = fit_heatmap(xy, z, previous=previous)
    values = hm.predict_grid(grid)
    alpha = hm.coverage_alpha_grid(grid)
    std = hm.std_grid(grid)
    return hm, values, alpha, std


def fresh_values(xy, z, grid):
    """The same work as the peer: a fresh fit and its values over the grid."""
    hm = fit_heatmap(xy, z)
    return hm.predict_grid(grid)


def rbf_linear(xy, z, grid):
    rbf = Rbf(xy[:, 0], xy[:, 1], z, function="linear")
    gx, gy = np.meshgrid(grid.xs_m, grid.ys_m)
    qx, qy = gx.ravel(), gy.ravel()
    step = max(1, RBF_CHUNK_ELEMENTS // xy.shape[0])
    return np.concatenate([rbf(qx[s : s + step], qy[s : s + step]) for s in range(0, qx.shape[0], step)])


def timed(fn, *args, **kwargs) -> float:
    # No gc.collect() before: walking every object flushes the caches, which slowed a 5 ms
    # map by a third, and the app never does it before a refit.
    t = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t


def peak_mb(fn, *args) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("n", sorted(REPEATS))
def test_bench_fresh_fit_and_map_against_rbf_linear(n, grid, project_200_walls):
    xy, z = samples(project_200_walls, n)
    fresh_map(xy[:10], z[:10], grid)  # imports, BLAS setup and the grid's upsampling matrices out of the timing
    ours, same, peer = [], [], []
    per_block = max(1, REPEATS[n] // ROUNDS)
    for _ in range(ROUNDS):
        for fn, times in ((fresh_map, ours), (fresh_values, same), (rbf_linear, peer)):
            time.sleep(PAUSE_S)
            fn(xy, z, grid)  # untimed: caches and clock back up after the pause
            times.extend(timed(fn, xy, z, grid) for _ in range(per_block))
    hm, values, alpha, std = fresh_map(xy, z, grid)
    assert values.shape == alpha.shape == std.shape == grid.shape
    assert np.isfinite(values).all() and np.isfinite(std).all() and ((alpha >= 0) & (alpha <= 1)).all()
    ours_s, same_s, peer_s = float(np.median(ours)), float(np.median(same)), float(np.median(peer))
    row = {
        "ours_s": ours_s,
        "same_s": same_s,
        "peer_s": peer_s,
        "ratio": peer_s / same_s,
        "full_ratio": peer_s / ours_s,
        "method": hm.method,
        "loo": hm.loo_rmse_db,
    }
    if n == max(REPEATS):
        row["ours_mb"] = peak_mb(fresh_map, xy, z, grid)
        row["peer_mb"] = peak_mb(rbf_linear, xy, z, grid)
    results[n] = row
    memory = f"; peak memory {row['ours_mb']:.0f} MB (Rbf {row['peer_mb']:.0f} MB)" if "ours_mb" in row else ""
    print(
        f"\nN={n:5d}: fresh fit+values median {same_s * 1000:8.1f} ms, Rbf(linear) {peer_s * 1000:8.1f} ms, "
        f"{row['ratio']:5.1f}x faster; with the fade and the std {ours_s * 1000:8.1f} ms "
        f"({row['full_ratio']:.1f}x); {hm.method}, LOO {hm.loo_rmse_db:.2f} dB{memory}"
    )
    # The same output as the peer (a fit and its values on the grid) against the peer; the
    # whole map, fade and std included, must still beat the peer's values alone.
    assert row["ratio"] >= MIN_RATIO, f"N={n}: only {row['ratio']:.2f}x faster than Rbf(linear)"
    assert row["full_ratio"] >= 1.0, f"N={n}: the whole map is slower than Rbf(linear)'s values"
    if n == 500:
        assert ours_s <= BUDGET_S, (
            f"fresh fit+map of 500 samples {ours_s * 1000:.1f} ms, budget {BUDGET_S * 1000:.0f} ms"
        )


@pytest.mark.parametrize("ap_xy_m", [None, AP_XY_M], ids=["no-ap", "ap"])
def test_bench_live_refit_after_one_more_sample(grid, project_200_walls, ap_xy_m):
    """A live survey's refit after a sample at 500: fit_heatmap(previous=last heatmap) and its map."""
    xy, z = samples(project_200_walls, 500)

    def refit_map(previous):
        hm = fit_heatmap(xy, z, ap_xy_m=ap_xy_m, previous=previous)
        hm.predict_grid(grid)
        hm.coverage_alpha_grid(grid)
        hm.std_grid(grid)
        return hm

    previous = fit_heatmap(xy[:499], z[:499], ap_xy_m=ap_xy_m)
    refit_map(previous)
    time.sleep(PAUSE_S)
    times = [timed(refit_map, previous) for _ in range(11)]
    reused = refit_map(previous)
    assert reused.selection_reused and reused.method == previous.method
    median = float(np.median(times))
    print(
        f"\nlive refit 499 -> 500 samples ({reused.method}, AP {'known' if ap_xy_m else 'unknown'}): "
        f"fit+map median {median * 1000:.1f} ms, LOO {reused.loo_rmse_db:.2f} dB"
    )
    assert median <= BUDGET_S, f"live refit {median * 1000:.1f} ms, budget {BUDGET_S * 1000:.0f} ms"


def test_bench_predicted_map_200_walls(benchmark, grid, project_200_walls):
    out = benchmark(predicted_map, project_200_walls, AP_XY_M, 20.0, grid)
    assert out.shape == grid.shape and np.isfinite(out).all()
    median = benchmark.stats.stats.median
    print(f"\npredicted map, 200 walls, 30 m x 20 m at 0.1 m: median {median * 1000:.1f} ms")
    assert median <= BUDGET_S


def test_bench_summary():
    """The table of the runs above (run the whole file to fill it)."""
    if not results:
        pytest.skip("no fresh-map benchmark ran")
    print("\n    N   fit+values   fit+values+fade+std   Rbf(linear)   ratio (values / whole map)   method")
    for n, row in sorted(results.items()):
        print(
            f"{n:5d} {row['same_s'] * 1000:9.1f} ms {row['ours_s'] * 1000:14.1f} ms {row['peer_s'] * 1000:13.1f} ms "
            f"{row['ratio']:9.1f}x / {row['full_ratio']:.1f}x   {row['method']}"
        )
