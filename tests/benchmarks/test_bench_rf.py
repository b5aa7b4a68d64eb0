"""Timings of the RF engine against the DESIGN.md budget (medians on a 2-core machine).

Run explicitly (the default addopts skip benchmarks and ignore this folder):

    uv run pytest tests/benchmarks/test_bench_rf.py --benchmark-enable -p no:cacheprovider -o addopts=""

Each test also times ``scipy.interpolate.Rbf(function="linear")`` (the legacy RBF a naive
heatmap would use) on the same samples and grid, and prints how many times faster we are.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.interpolate import Rbf

from survey.project.model import Project, Wall
from survey.rf.interpolation import fit_heatmap
from survey.rf.materials import DEFAULT_MATERIALS
from survey.rf.propagation import predicted_map, predicted_rssi_dbm, site_grid, walls_arrays

BUDGET_S = 0.050  # DESIGN.md performance budget, both rows


@pytest.fixture(scope="module")
def grid():
    return site_grid((0.0, 0.0, 30.0, 20.0), step_m=0.1)


@pytest.fixture(scope="module")
def project_200_walls():
    rng = np.random.default_rng(7)
    start = rng.uniform([0, 0], [30, 20], (200, 2))
    end = np.clip(start + rng.uniform(-5, 5, (200, 2)), 0, [30, 20])
    ids = [m.id for m in DEFAULT_MATERIALS]
    walls = tuple(Wall(*map(float, (*s, *e)), ids[i % len(ids)]) for i, (s, e) in enumerate(zip(start, end)))
    return Project(walls=walls, materials=DEFAULT_MATERIALS)


@pytest.fixture(scope="module")
def samples_500(project_200_walls):
    rng = np.random.default_rng(11)
    xy = rng.uniform([0, 0], [30, 20], (500, 2))
    walls_xy, loss = walls_arrays(project_200_walls)
    z = np.maximum(predicted_rssi_dbm((12.0, 9.0), 20.0, walls_xy, loss, xy), -95.0) + rng.normal(0, 3.0, 500)
    return xy, z


def rbf_linear_s(xy, z, grid, repeats=2) -> float:
    best = np.inf
    gx, gy = np.meshgrid(grid.xs_m, grid.ys_m)
    for _ in range(repeats):
        t = time.perf_counter()
        Rbf(xy[:, 0], xy[:, 1], z, function="linear")(gx, gy)
        best = min(best, time.perf_counter() - t)
    return best


def report(benchmark, name, baseline_s):
    median = benchmark.stats.stats.median
    print(f"\n{name}: median {median * 1000:.1f} ms; scipy Rbf(linear) {baseline_s * 1000:.0f} ms; "
          f"ratio {baseline_s / median:.0f}x faster")
    assert median <= BUDGET_S, f"{name} median {median * 1000:.1f} ms over the {BUDGET_S * 1000:.0f} ms budget"


def test_bench_heatmap_500_samples(benchmark, grid, samples_500):
    xy, z = samples_500
    fit_heatmap(xy[:10], z[:10])  # imports and BLAS setup out of the timing
    t = time.perf_counter()
    hm = fit_heatmap(xy, z)
    fit_s = time.perf_counter() - t
    print(f"\nfit_heatmap(500 samples): {fit_s * 1000:.0f} ms, method {hm.method}, CV RMSE {hm.loo_rmse_db:.2f} dB")
    out = benchmark(hm.predict_grid, grid)
    assert out.shape == grid.shape and np.isfinite(out).all()
    report(benchmark, "heatmap 500 samples, 30 m x 20 m at 0.1 m", rbf_linear_s(xy, z, grid))


def test_bench_gp_heatmap_500_samples(benchmark, grid, samples_500):
    xy, z = samples_500
    hm = fit_heatmap(xy, z, methods=["gp"])
    out = benchmark(hm.predict_grid, grid)
    assert out.shape == grid.shape
    median = benchmark.stats.stats.median
    print(f"\nGP heatmap 500 samples: predict_grid median {median * 1000:.1f} ms (fit {hm.fit_s * 1000:.0f} ms)")
    assert median <= BUDGET_S


def test_bench_predicted_map_200_walls(benchmark, grid, project_200_walls, samples_500):
    out = benchmark(predicted_map, project_200_walls, (12.0, 9.0), 20.0, grid)
    assert out.shape == grid.shape and np.isfinite(out).all()
    xy, z = samples_500
    report(benchmark, "predicted map, 200 walls, 30 m x 20 m at 0.1 m", rbf_linear_s(xy, z, grid))


@pytest.mark.parametrize("ap_xy_m", [None, (12.0, 9.0)], ids=["no-ap", "ap"])
def test_bench_refit_after_one_more_sample(benchmark, samples_500, ap_xy_m):
    """A live survey's refit after a sample: fit_heatmap(previous=last heatmap) against a full fit."""
    xy, z = samples_500
    previous = fit_heatmap(xy[:499], z[:499], ap_xy_m=ap_xy_m)
    full_s = []
    for _ in range(3):
        t = time.perf_counter()
        full = fit_heatmap(xy, z, ap_xy_m=ap_xy_m)
        full_s.append(time.perf_counter() - t)
    reused = benchmark(fit_heatmap, xy, z, ap_xy_m=ap_xy_m, previous=previous)
    assert reused.selection_reused and reused.method == previous.method
    median = benchmark.stats.stats.median
    full_median = float(np.median(full_s))
    print(f"\nrefit 499 -> 500 samples ({reused.method}): reusing the selection median {median * 1000:.1f} ms, "
          f"full selection {full_median * 1000:.0f} ms ({full.method}); {full_median / median:.0f}x faster; "
          f"CV RMSE {reused.loo_rmse_db:.2f} vs {full.loo_rmse_db:.2f} dB")
    assert median <= BUDGET_S
