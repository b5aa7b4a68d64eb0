"""Per-cell confidence of every heatmap method, the grid versions of the layers, and the
honesty flags for values that say nothing (survey.rf.interpolation.Heatmap)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from survey.rf.interpolation import fit_heatmap
from survey.rf.propagation import site_grid

AP = (3.0, 4.0)


def walk(n=60, seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform([0, 0], [16, 10], (n, 2))
    d = np.hypot(xy[:, 0] - AP[0], xy[:, 1] - AP[1])
    return xy, -38.0 - 25.0 * np.log10(np.maximum(d, 0.5)) + 2.5 * np.sin(xy[:, 1]) + rng.normal(0, 2.0, n)


GRID = site_grid((-2, -2, 18, 12), step_m=0.1)


@pytest.mark.parametrize(
    "methods, ap, prefix",
    [
        (("idw",), None, "idw"),
        (("tps",), None, "tps"),
        (("gp",), None, "gp"),
        (None, None, ""),  # whatever wins, a mean included with few points
        (("tps", "gp"), AP, ""),
    ],
)
def test_std_grid_for_every_method(methods, ap, prefix):
    xy, z = walk(14 if methods is None else 60)
    hm = fit_heatmap(xy, z, methods=methods, ap_xy_m=ap)
    assert hm.method.startswith(prefix)
    std = hm.std_grid(GRID)
    assert std.shape == GRID.shape and np.isfinite(std).all() and (std >= 0).all()
    # Surer at the samples than far from them.
    at_samples = hm.std_db(xy)
    far = hm.std_db([[60.0, 60.0], [-40.0, 5.0]])
    assert at_samples.max() < far.min()
    # The grid agrees with the points it is drawn for (0.5 m lattice, cubic upsampling).
    exact = hm.std_db(GRID.xy_m).reshape(GRID.shape)
    assert np.abs(std - exact).max() <= 0.3
    assert np.abs(std - exact).mean() <= 0.03


def test_gp_std_is_the_posterior_of_sklearn_with_the_same_kernel():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    xy, z = walk(50, seed=1)
    hm = fit_heatmap(xy, z, methods=("gp",))
    h = hm._parts[0].interp.hyper
    kernel = ConstantKernel(h.variance, "fixed") * Matern(h.length_scale_m, "fixed", nu=1.5) + WhiteKernel(
        h.noise, "fixed"
    )
    oracle = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=None).fit(xy, z)
    q = np.random.default_rng(2).uniform([-3, -3], [19, 13], (40, 2))
    mean, std = oracle.predict(q, return_std=True)
    np.testing.assert_allclose(hm.predict(q), mean, atol=1e-6)
    # sklearn's std includes the noise of one reading; ours is the field's.
    # (Float32 kernel values where they move it by < 1e-3 of the smallest posterior share.)
    np.testing.assert_allclose(hm.std_db(q), np.sqrt(std**2 - h.noise * z.std() ** 2), atol=1e-4)


def test_std_of_other_methods_is_scaled_to_their_measured_error():
    xy, z = walk(60, seed=3)
    idw = fit_heatmap(xy, z, methods=("idw",))
    gp = fit_heatmap(xy, z, methods=("gp",))
    choice = idw._selection.choice
    # The GP shape times the factor that makes it the IDW's cross-validated error on average.
    assert choice.std_hyper == gp._parts[0].interp.hyper
    q = np.array([[5.0, 5.0], [30.0, 30.0]])
    np.testing.assert_allclose(idw.std_db(q), choice.std_factor * gp.std_db(q), rtol=1e-9)
    assert choice.std_factor == pytest.approx(idw.loo_rmse_db / _rms_loo_std(gp), rel=1e-6)


def _rms_loo_std(gp_heatmap):
    from survey.rf.interpolation.selection import Spots, gp_residuals

    interp = gp_heatmap._parts[0].interp
    spots = Spots(gp_heatmap.xy_m, gp_heatmap.rssi_dbm, {"": None}, {})
    return math.sqrt(np.mean(gp_residuals(spots, "", interp.hyper)[1] ** 2))


def test_identical_values_are_flagged_degenerate():
    xy, _ = walk(40)
    hm = fit_heatmap(xy, np.full(40, -95.0))  # every sample the "not heard" stand-in
    assert hm.degenerate and hm.value_spread_db == 0.0
    assert hm.loo_rmse_db == pytest.approx(0.0, abs=1e-9)  # means nothing: hence the flag
    assert np.isnan(hm.std_grid(GRID)).all() and np.isnan(hm.std_db([[1.0, 1.0]])).all()
    np.testing.assert_allclose(hm.predict_grid(GRID), -95.0)
    varied = fit_heatmap(*walk(40))
    assert not varied.degenerate and varied.value_spread_db > 10.0
    assert fit_heatmap([[1.0, 1.0]], [-60.0]).degenerate  # one sample: nothing to compare


def test_coverage_alpha_grid_matches_the_points():
    xy, z = walk(30, seed=4)
    hm = fit_heatmap(xy, z)
    alpha = hm.coverage_alpha_grid(GRID)
    exact = hm.coverage_alpha(GRID.xy_m).reshape(GRID.shape)
    assert alpha.shape == GRID.shape and (alpha >= 0).all() and (alpha <= 1).all()
    assert np.abs(alpha - exact).max() <= 0.1
    assert np.abs(alpha - exact).mean() <= 0.01
    with pytest.raises(ValueError):
        hm.coverage_alpha_grid(GRID, full_m=5.0, zero_m=2.0)


def test_predict_grid_matches_the_points_for_every_method():
    xy, z = walk(14, seed=5)
    for methods in (("idw",), ("tps",), ("gp",), None):
        hm = fit_heatmap(xy, z, methods=methods, ap_xy_m=AP)
        grid = hm.predict_grid(GRID)
        exact = hm.predict(GRID.xy_m).reshape(GRID.shape)
        assert np.abs(grid - exact).max() <= 0.3, hm.method
