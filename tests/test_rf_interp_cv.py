"""The closed-form cross-validation of survey.rf.interpolation equals refitting every fold.

Each interpolator's held-out residuals come from one factorisation (Rippa's formula for the
spline, the block formula for the GP, removed weights for IDW); here they are checked
against the brute force: fit on the other samples, predict the held-out ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import RBFInterpolator

from survey.rf.interpolation.hyper import GPHyper
from survey.rf.interpolation.interpolators import GaussianProcess, Idw, Spline
from survey.rf.interpolation.kernels import Matern15, ThinPlate
from survey.rf.interpolation.selection import Spots, folds, gp_residuals, idw_residuals, spline_residuals
from survey.rf.interpolation.systems import KernelSystem
from survey.rf.interpolation.trends import LogDistanceTrend

AP = (2.0, 3.0)


def field(n, seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, 15.0, (n, 2))
    d = np.hypot(xy[:, 0] - AP[0], xy[:, 1] - AP[1])
    return xy, -40.0 - 22.0 * np.log10(np.maximum(d, 0.5)) + 2.0 * np.sin(xy[:, 0]) + rng.normal(0, 1.5, n)


def spots(xy, z, with_trend):
    if not with_trend:
        return Spots(xy, z, {"": None}, {}), ""
    refit = {"+log-distance": lambda a, b: LogDistanceTrend(AP, a, b)}
    return Spots(xy, z, {"+log-distance": LogDistanceTrend(AP, xy, z)}, refit), "+log-distance"


def brute_force(xy, z, with_trend, fit, clip):
    """Held-out prediction minus value: trend (refitted with leave-one-out, as the closed
    form does) and interpolator fitted on the other folds."""
    fold_list = folds(len(z))
    whole = LogDistanceTrend(AP, xy, z) if with_trend else None
    err = np.empty(len(z))
    for test in fold_list:
        train = np.setdiff1d(np.arange(len(z)), test)
        trend = whole
        if with_trend and len(fold_list) == len(z):
            trend = LogDistanceTrend(AP, xy[train], z[train])
        base = trend(xy) if trend is not None else np.zeros(len(z))
        resid = z - base
        pred = fit(xy[train], resid[train])(xy[test])
        if clip:
            pred = np.clip(pred, resid[train].min(), resid[train].max())
        err[test] = pred + base[test] - z[test]
    return err


@pytest.mark.parametrize("n", [12, 45], ids=["leave-one-out", "10-fold"])
@pytest.mark.parametrize("with_trend", [False, True], ids=["raw", "log-distance"])
def test_idw_closed_form_equals_refitting(n, with_trend):
    xy, z = field(n)
    s, t = spots(xy, z, with_trend)
    expected = brute_force(xy, z, with_trend, lambda a, b: Idw(a, b), clip=False)
    np.testing.assert_allclose(idw_residuals(s, t), expected, atol=1e-9)


@pytest.mark.parametrize("n", [12, 45], ids=["leave-one-out", "10-fold"])
@pytest.mark.parametrize("with_trend", [False, True], ids=["raw", "log-distance"])
def test_spline_closed_form_equals_refitting_scipy_rbf(n, with_trend):
    xy, z = field(n, seed=1)
    s, t = spots(xy, z, with_trend)
    got = spline_residuals(s, t, (0.1, 10.0))
    for smoothing in (0.1, 10.0):

        def fit(a, b, smoothing=smoothing):
            return RBFInterpolator(a, b, kernel="thin_plate_spline", smoothing=smoothing)

        np.testing.assert_allclose(got[smoothing], brute_force(xy, z, with_trend, fit, clip=True), atol=1e-6)


@pytest.mark.parametrize("n", [12, 45], ids=["leave-one-out", "10-fold"])
def test_gp_closed_form_equals_refitting_with_fixed_hyperparameters(n):
    xy, z = field(n, seed=2)
    s, t = spots(xy, z, False)
    hyper = GPHyper(4.0, 0.2, 1.3)
    got, held_std = gp_residuals(s, t, hyper)
    # The closed form keeps the normalisation of all samples (mean and scale of z).
    mean, scale = z.mean(), z.std()

    def fit(a, b):
        system = KernelSystem(a, (b - mean) / scale, Matern15(hyper.length_scale_m), hyper.noise_ratio, False)
        return lambda q: (
            mean + scale * system.combine(Matern15(hyper.length_scale_m)(((q[:, None, :] - a[None]) ** 2).sum(-1)), q)
        )

    np.testing.assert_allclose(got, brute_force(xy, z, False, fit, clip=False), atol=1e-8)
    # The held-out standard deviation is the GP's leave-one-out predictive one (field + noise).
    loo = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        gp = GaussianProcess(xy[keep], z[keep], hyper)
        gp.scale = scale  # same normalisation as the closed form
        loo[i] = np.hypot(gp.std(xy[i : i + 1])[0], scale * np.sqrt(hyper.noise))
    np.testing.assert_allclose(held_std, loo, rtol=1e-6)


@pytest.mark.parametrize("kind", ["spline", "gp", "idw"])
def test_final_fit_fold_residuals_equal_refitting(kind):
    """The error reported above the selection's size: held-out folds of the final fit."""
    xy, z = field(40, seed=3)
    test = np.array([0, 7, 19, 33])
    keep = np.setdiff1d(np.arange(len(z)), test)
    if kind == "spline":
        interp = Spline(xy, z, 1.0)
        refit = RBFInterpolator(xy[keep], z[keep], kernel="thin_plate_spline", smoothing=1.0)
    elif kind == "gp":
        hyper = GPHyper(3.0, 0.3, 1.0)
        interp = GaussianProcess(xy, z, hyper)
        refit = GaussianProcess(xy[keep], z[keep], hyper)
        refit.mean, refit.scale = interp.mean, interp.scale  # the closed form keeps the normalisation
        refit.y = (z[keep] - interp.mean) / interp.scale
    else:
        interp, refit = Idw(xy, z), Idw(xy[keep], z[keep])
    np.testing.assert_allclose(interp.held_out_residuals(test), refit(xy[test]) - z[test], atol=1e-7)


def test_spline_system_matches_scipy_rbf_interpolator():
    xy, z = field(60, seed=4)
    q = np.random.default_rng(5).uniform(-2.0, 17.0, (50, 2))
    for smoothing in (0.1, 100.0):
        ours = KernelSystem(xy, z, ThinPlate(), smoothing, True)
        kq = ThinPlate()(((q[:, None, :] - xy[None]) ** 2).sum(-1))
        scipy_rbf = RBFInterpolator(xy, z, kernel="thin_plate_spline", smoothing=smoothing)
        np.testing.assert_allclose(ours.combine(kq, q), scipy_rbf(q), atol=1e-7)
