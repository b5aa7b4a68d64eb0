"""The paths survey.rf.interpolation takes above a size against the exact ones, on medium
data: tiled (local) solves, the selection on a subsample, the error measured on a few folds."""

from __future__ import annotations

import numpy as np
import pytest

from survey.rf.interpolation import fit_heatmap
from survey.rf.interpolation._runtime import one_blas_thread
from survey.rf.interpolation.heatmap import CV_ESTIMATE_SAMPLES
from survey.rf.interpolation.hyper import normalise
from survey.rf.interpolation.interpolators import STD_CORE_SHARE, STD_TILE_SAMPLES, TILE_SAMPLES
from survey.rf.interpolation.kernels import Matern15, ThinPlate
from survey.rf.interpolation.local import CORE_SHARE, LocalSystems
from survey.rf.interpolation.selection import SELECT_MAX_SAMPLES, Spots, cross_validate, folds, select, subsample

XS, YS = np.linspace(0, 30, 61), np.linspace(0, 20, 41)


def site(n, seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform([0, 0], [30, 20], (n, 2))
    z = -50 - 20 * np.log10(1 + np.hypot(xy[:, 0] - 12, xy[:, 1] - 9)) + 3 * np.sin(xy[:, 0] / 2) + rng.normal(0, 3, n)
    return xy, z


@pytest.fixture(scope="module")
def medium():
    return site(1200)


def exact_and_tiled(xy, y, kernel, diag, poly, tile, core_share=CORE_SHARE):
    with one_blas_thread():
        return (
            LocalSystems(xy, y, kernel, diag, poly, exact_max_samples=10**6, tile_samples=0),
            LocalSystems(xy, y, kernel, diag, poly, exact_max_samples=0, tile_samples=tile, core_share=core_share),
        )


@pytest.mark.parametrize("length_scale_m, noise_ratio", [(2.0, 0.3), (6.0, 0.05)])
def test_tiled_gp_matches_the_exact_solve(medium, length_scale_m, noise_ratio):
    xy, z = medium
    y, _, scale = normalise(z)
    exact, tiled = exact_and_tiled(xy, y, Matern15(length_scale_m), noise_ratio, False, TILE_SAMPLES)
    assert not tiled.exact and len(tiled.tiles) >= 8
    with one_blas_thread():
        mean = np.abs(exact.lattice(XS, YS, 1e-6) - tiled.lattice(XS, YS, 1e-6)) * scale
        std_exact = np.sqrt(1 - exact.explained_lattice(XS, YS))
        std_tiles = LocalSystems(
            xy, None, Matern15(length_scale_m), noise_ratio, False, 0, STD_TILE_SAMPLES, STD_CORE_SHARE
        )
        std_tiled = np.sqrt(1 - std_tiles.explained_lattice(XS, YS))
        test = folds(len(z))[0]
        cv = np.abs(exact.held_out_residuals(test) - tiled.held_out_residuals(test)) * scale
    # Against 3 dB of noise in the readings: invisible on the map.
    assert mean.max() <= 0.05
    assert np.abs(std_exact - std_tiled).max() * scale <= 0.1
    assert cv.max() <= 0.05


def test_tiled_spline_matches_the_exact_solve(medium):
    xy, z = medium
    exact, tiled = exact_and_tiled(xy, z, ThinPlate(), 1.0, True, TILE_SAMPLES)
    with one_blas_thread():
        diff = exact.lattice(XS, YS, 1e-6) - tiled.lattice(XS, YS, 1e-6)
    # The spline is less local than the GP: within 0.2 dB, 0.02 dB on average (3 dB noise).
    assert np.abs(diff).max() <= 0.2
    assert np.sqrt(np.mean(diff**2)) <= 0.02


def test_selection_on_a_subsample_picks_as_well_as_on_every_spot():
    xy, z = site(320, seed=1)
    every = Spots(xy, z, {"": None}, {})
    wanted = frozenset({"idw", "tps", "gp"})
    full = select(every, wanted)
    sub = subsample(len(z))
    assert len(sub) == SELECT_MAX_SAMPLES
    chosen = select(Spots(xy[sub], z[sub], {"": None}, {}), wanted).best
    # Judged on every spot, the subsample's choice is within 3 % of the best there.
    on_all = cross_validate(every, [chosen])[chosen]
    assert np.sqrt(np.mean(on_all**2)) <= 1.03 * min(full.scores.values())


def test_error_measured_on_a_few_folds_estimates_the_whole_cross_validation():
    xy, z = site(450, seed=2)
    hm = fit_heatmap(xy, z, methods=("gp",))
    assert hm.n_points > SELECT_MAX_SAMPLES
    gp = hm._parts[0].interp
    every = np.concatenate([gp.held_out_residuals(test) for test in folds(len(z))])
    whole = float(np.sqrt(np.mean(every**2)))
    assert hm.loo_rmse_db == pytest.approx(whole, rel=0.1)
    assert CV_ESTIMATE_SAMPLES < len(z)


def test_large_survey_fits_on_tiles_and_answers_everywhere():
    xy, z = site(2600, seed=3)  # above the exact size: tiles
    hm = fit_heatmap(xy, z, methods=("gp",))
    gp = hm._parts[0].interp
    assert not gp.systems.exact
    q = np.random.default_rng(4).uniform([-5, -5], [35, 25], (200, 2))
    assert np.isfinite(hm.predict(q)).all() and np.isfinite(hm.std_db(q)).all()
    assert 1.0 < hm.loo_rmse_db < 6.0
