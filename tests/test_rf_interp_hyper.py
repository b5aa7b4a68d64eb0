"""GP hyperparameters of survey.rf.interpolation reach scikit-learn's maximum likelihood."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from survey.rf.interpolation._runtime import one_blas_thread
from survey.rf.interpolation.hyper import EIGH_MAX_SAMPLES, LENGTH_SCALE_MIN_M, fit_hyper


def data(n, seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0.0, 12.0, (n, 2))
    z = -45.0 - 18.0 * np.log10(1.0 + np.hypot(xy[:, 0] - 3.0, xy[:, 1] - 4.0)) + 3.0 * np.sin(xy[:, 0] / 1.5)
    return xy, z + rng.normal(0, 1.5, n)


def sklearn_gp(xy, z, kernel):
    from sklearn.gaussian_process import GaussianProcessRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GaussianProcessRegressor(
            kernel, normalize_y=True, random_state=0, optimizer=None if kernel.bounds.size == 0 else "fmin_l_bfgs_b"
        ).fit(xy, z)


@pytest.mark.parametrize("n", [8, 20, EIGH_MAX_SAMPLES, 70])
def test_profile_search_reaches_sklearn_marginal_likelihood(n):
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    xy, z = data(n, seed=n)
    with one_blas_thread():
        hyper = fit_hyper(xy, [z])[0]
    # scikit-learn's optimiser from the old starting point, with the same length-scale floor
    # (the median spacing of neighbouring samples).
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + np.diag(np.full(n, np.inf))
    floor = max(LENGTH_SCALE_MIN_M, float(np.median(d.min(axis=1))))
    start = min(max(np.ptp(xy, axis=0).max() / 4.0, floor), 50.0)
    free = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(start, (floor, 200.0), nu=1.5) + WhiteKernel(0.1, (1e-6, 2.0))
    best = sklearn_gp(xy, z, free).log_marginal_likelihood_value_
    ours = ConstantKernel(hyper.variance, "fixed") * Matern(hyper.length_scale_m, "fixed", nu=1.5) + WhiteKernel(
        hyper.noise, "fixed"
    )
    assert sklearn_gp(xy, z, ours).log_marginal_likelihood_value_ >= best - 0.15
    assert hyper.length_scale_m >= floor - 1e-9


def test_two_value_sets_share_one_search():
    xy, z = data(30, seed=1)
    with one_blas_thread():
        both = fit_hyper(xy, [z, z + 0.5 * xy[:, 0]])
        alone = [fit_hyper(xy, [z])[0], fit_hyper(xy, [z + 0.5 * xy[:, 0]])[0]]
    for a, b in zip(both, alone):
        assert (a.length_scale_m, a.noise_ratio, a.variance) == pytest.approx(
            (b.length_scale_m, b.noise_ratio, b.variance)
        )
