"""Heatmaps from measured samples, each carrying its cross-validated error in dB.

Method (see DESIGN.md, "Interpolation"):

1. Readings repeated at one spot are averaged in mW, not dBm (a receiver integrates power;
   averaging dBm biases low).
2. Candidates are compared by cross-validation on the samples themselves: leave-one-out
   up to 30 samples, 10-fold beyond (folds fixed by a seeded permutation so the answer is
   reproducible). The candidate with the lowest RMSE (dB) wins and that RMSE is reported.
   The mean of the best candidate of each family competes too, and is used outright below
   20 samples, where picking one winner is mostly noise.

   * inverse-distance weighting (power 2): the only candidate below 4 samples;
   * thin-plate spline (``scipy.interpolate.RBFInterpolator``) at several smoothings;
   * Gaussian-process regression (kriging, ``sklearn.gaussian_process``): Matern nu = 1.5
     plus a white-noise term, hyperparameters by maximum marginal likelihood (on at most
     150 samples, then one fixed-hyperparameter solve on all). On real held-out RSSI it
     beat the spline and IDW (DESIGN.md), and it gives a per-point standard deviation;
   * each of them either on the raw dBm or on the residual of a trend: a log-distance law
     from a known AP position (intercept and exponent fitted to the samples), or a given
     callable model such as a calibrated :class:`survey.rf.propagation.PropagationModel`.

3. Away from the samples the interpolated part is held within the range of the values it
   was fitted to, so no method invents a strong signal where nobody measured; the UI
   fades cells out with :meth:`Heatmap.coverage_alpha`.

4. A live survey refits after every sample. Given the previous fit of the same data set
   (``fit_heatmap(..., previous=heatmap)``), a set that grew by under 20 % since the last
   full selection keeps the chosen method and GP hyperparameters and only solves again:
   ~10x faster at 500 samples, with the cross-validated error still computed on the new
   samples (in closed form for the GP).

scipy and scikit-learn are imported where they are first used, not with this module:
importing scipy.interpolate/optimize/spatial costs ~1 s and scikit-learn ~2 s on a
2-core laptop, which must stay off the window's start (DESIGN.md: shown <= 2 s).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from survey.errors import UserInputError
from survey.rf.propagation import SiteGrid, distance_db, finite_samples

log = logging.getLogger(__name__)

#: Up to this many samples, cross-validation leaves one out; above, 10 folds.
LOO_MAX_SAMPLES = 30
CV_FOLDS = 10
#: Below this many distinct points only IDW is fitted (a spline or GP needs a shape to fit).
MIN_POINTS_SMOOTH = 4
#: The log-distance trend needs a few points to fit intercept and exponent.
MIN_POINTS_TREND = 5
#: Hyperparameters of the GP are fitted on at most this many samples (cost ~ n^3 per
#: optimizer step); the final solve uses all samples.
GP_HYPER_MAX_SAMPLES = 150
#: Thin-plate smoothing candidates (dimensionless penalty of RBFInterpolator).
TPS_SMOOTHINGS = (0.1, 1.0, 10.0, 100.0)
#: Coarse step (m) at which predict_grid evaluates before spline upsampling (DESIGN.md:
#: 0.5 m -> 0.1 m moved values by <= 0.3 dB).
COARSE_STEP_M = 0.5
#: Exponent bounds of the log-distance trend (indoor measurements: 1.6-6, Rappaport Table 4.2).
TREND_EXPONENT_BOUNDS = (1.5, 6.0)
#: Below this many distinct points the mean of the best of each family is used rather than
#: the single cross-validation winner (measured: see :func:`_ensemble`).
ENSEMBLE_BELOW_POINTS = 20
#: Points within 1 mm are the same spot.
SAME_SPOT_M = 1e-3
#: ``previous`` is reused only when the last full selection saw at least this many spots
#: (below it, each new sample can still change which method wins) ...
REUSE_MIN_POINTS = 30
#: ... and the spots grew by at most this share since then (then a full selection runs).
REUSE_MAX_GROWTH = 0.2
#: ... and at least this share of the previous spots are still there with the same value
#: (to 0.01 dB): otherwise it was another data set (another network, survey or layer).
REUSE_MIN_SHARED = 0.8


class NoSamplesError(UserInputError):
    """A heatmap was requested from no usable samples."""


_blas_controller = None
_imports_lock = threading.Lock()
_imports_done = False


def warm_imports() -> None:
    """Import the scipy and scikit-learn modules the fits use (~2-3 s on a 2-core laptop).

    Called by every fit, and by the GUI from a background thread after its window is up so
    the first fit does not wait for them. One lock: two threads never import them at once
    (the GUI's warm-up and a worker's first fit), which keeps Python's per-module import
    locks out of each other's way.
    """
    global _imports_done
    if _imports_done:
        return
    with _imports_lock:
        if _imports_done:
            return
        import scipy.interpolate  # noqa: F401
        import scipy.linalg  # noqa: F401
        import scipy.optimize  # noqa: F401
        import scipy.spatial  # noqa: F401
        import sklearn.gaussian_process  # noqa: F401
        _imports_done = True


def _one_blas_thread():
    """Context limiting BLAS to one thread.

    The matrices here are at most a few hundred wide: OpenBLAS threads only contend with
    each other (and with the UI thread), measured 5-10x slower on a busy 2-core machine.
    threadpoolctl ships with scikit-learn; without it, BLAS runs as configured.
    """
    global _blas_controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return contextlib.nullcontext()
    if _blas_controller is None:
        # The controller sees the BLAS libraries loaded when it is made: load scipy's first
        # (sklearn's GP computes through scipy.linalg, so that is every BLAS used here).
        warm_imports()
        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")


# --------------------------------------------------------------------------------------
# interpolators: fit(xy, z) -> predictor(query) -> values


def _sq_dist(q: np.ndarray, xy: np.ndarray) -> np.ndarray:
    from scipy.spatial.distance import cdist
    return cdist(q, xy, "sqeuclidean")


def _idw_fit(xy: np.ndarray, z: np.ndarray, power: float = 2.0):
    def predict(q: np.ndarray) -> np.ndarray:
        out = np.empty(q.shape[0])
        step = max(1, 2_000_000 // xy.shape[0])
        for s in range(0, q.shape[0], step):
            d2 = _sq_dist(q[s:s + step], xy)
            exact = d2 < SAME_SPOT_M ** 2
            w = 1.0 / np.maximum(d2, SAME_SPOT_M ** 2) ** (power / 2.0)
            vals = (w @ z) / w.sum(axis=1)
            hit = exact.any(axis=1)
            if hit.any():
                vals[hit] = z[exact[hit].argmax(axis=1)]
            out[s:s + step] = vals
        return out
    predict.exact_at_samples = True
    return predict


def _tps_fit(smoothing: float):
    def fit(xy: np.ndarray, z: np.ndarray):
        from scipy.interpolate import RBFInterpolator
        return RBFInterpolator(xy, z, kernel="thin_plate_spline", smoothing=smoothing)
    return fit


def _gp_kernel(xy: np.ndarray):
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    span = float(np.ptp(xy, axis=0).max()) if xy.shape[0] > 1 else 1.0
    start = min(max(span / 4.0, 1.0), 50.0)
    return (ConstantKernel(1.0, (1e-3, 1e3))
            * Matern(length_scale=start, length_scale_bounds=(0.2, 200.0), nu=1.5)
            + WhiteKernel(noise_level=0.1, noise_level_bounds=(1e-6, 2.0)))


def _gp_hyper(xy: np.ndarray, z: np.ndarray):
    """Kernel with hyperparameters by maximum marginal likelihood (sklearn; subsample <= 150)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    if xy.shape[0] > GP_HYPER_MAX_SAMPLES:
        idx = np.random.default_rng(0).choice(xy.shape[0], GP_HYPER_MAX_SAMPLES, replace=False)
        xy, z = xy[idx], z[idx]
    gp = GaussianProcessRegressor(_gp_kernel(xy), normalize_y=True, n_restarts_optimizer=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(xy, z)
    return gp.kernel_


def _matern15(q: np.ndarray, xy: np.ndarray, variance: float, length_scale: float) -> np.ndarray:
    """Matern nu = 1.5 covariance, variance * (1 + r) exp(-r) with r = sqrt(3) d / length_scale.

    The same function as sklearn's ``ConstantKernel * Matern(nu=1.5)`` (isotropic), written
    with in-place operations: sklearn's generic kernel call takes ~40 ms for 2 500 x 500
    on the budget machine, this ~10 ms.
    """
    from scipy.spatial.distance import cdist
    scale = math.sqrt(3.0) / length_scale
    r = cdist(q * scale, xy * scale)
    k = np.exp(-r)
    r += 1.0
    k *= r
    k *= variance
    return k


class _GPPredictor:
    """Kriging with fixed hyperparameters: sklearn's fitted kernel, our own Cholesky solve.

    sklearn's GaussianProcessRegressor.fit recomputes the marginal likelihood even with
    ``optimizer=None`` and cannot give closed-form cross-validation residuals; solving
    here halves the fit and makes exact k-fold CV one matrix inverse (Rasmussen &
    Williams, "Gaussian Processes for Machine Learning", 2006, eq. 5.12, for blocks).
    y is normalised to zero mean and unit variance like sklearn's ``normalize_y``.
    """

    def __init__(self, kernel, xy: np.ndarray, z: np.ndarray):
        from scipy.linalg import cho_factor, cho_solve
        self.kernel = kernel
        # kernel = ConstantKernel * Matern(nu=1.5) + WhiteKernel (see _gp_kernel).
        self.variance = float(kernel.k1.k1.constant_value)
        self.length_scale = float(np.atleast_1d(kernel.k1.k2.length_scale)[0])
        self.noise = float(kernel.k2.noise_level)
        self.xy = xy
        self.mean = float(z.mean())
        self.scale = float(z.std()) or 1.0
        self.y = (z - self.mean) / self.scale
        k = self._signal(xy, xy)
        k[np.diag_indices_from(k)] += self.noise
        self.cho = cho_factor(k, lower=True)
        self.alpha = cho_solve(self.cho, self.y)
        # Float32 kernel values carry ~1.2e-7 relative error; their effect on the mean is at
        # most sum|alpha| * variance * 1.2e-7 (normalised units). Use float32 on the grid
        # only while that stays below 0.01 dB (it does unless the noise term is ~0).
        self.float32_ok = float(np.abs(self.alpha).sum()) * self.variance * self.scale * 1.2e-7 < 0.01

    def _signal(self, q: np.ndarray, xy: np.ndarray) -> np.ndarray:
        return _matern15(q, xy, self.variance, self.length_scale)

    def __call__(self, q: np.ndarray) -> np.ndarray:
        out = np.empty(q.shape[0])
        step = max(1, 4_000_000 // self.xy.shape[0])
        for s in range(0, q.shape[0], step):
            out[s:s + step] = self._signal(q[s:s + step], self.xy) @ self.alpha
        return self.mean + self.scale * out

    def lattice(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Mean (dB) on the lattice xs x ys, shape (len(ys), len(xs)).

        On a lattice the squared distance splits into an x part and a y part, and float32
        exp is ~20x faster than float64 (SIMD): 2 500 x 500 kernel values in a few ms.
        """
        if not self.float32_ok:
            gx, gy = np.meshgrid(xs, ys)
            return self(np.column_stack([gx.ravel(), gy.ravel()])).reshape(len(ys), len(xs))
        scale = math.sqrt(3.0) / self.length_scale
        dx2 = (((xs[:, None] - self.xy[None, :, 0]) * scale) ** 2).astype(np.float32)
        dy2 = (((ys[:, None] - self.xy[None, :, 1]) * scale) ** 2).astype(np.float32)
        r = dy2[:, None, :] + dx2[None, :, :]
        np.sqrt(r, out=r)
        k = np.exp(-r)
        r += np.float32(1.0)
        k *= r
        flat = k.reshape(-1, self.xy.shape[0])
        mean = flat @ (self.alpha * self.variance).astype(np.float32)
        return (self.mean + self.scale * mean.astype(np.float64)).reshape(len(ys), len(xs))

    def std(self, q: np.ndarray) -> np.ndarray:
        """Standard deviation (dB) of the underlying field, without the per-reading noise."""
        from scipy.linalg import cho_solve
        kq = self._signal(q, self.xy)
        v = cho_solve(self.cho, kq.T)
        var = self.variance - np.einsum("ij,ji->i", kq, v)
        return self.scale * np.sqrt(np.maximum(var, 0.0))

    def cv_residuals(self, folds) -> np.ndarray:
        """Prediction minus truth (dB) of every sample when its fold is held out."""
        from scipy.linalg import cho_solve
        k_inv = cho_solve(self.cho, np.eye(self.y.shape[0]))
        a = k_inv @ self.y
        err = np.empty_like(self.y)
        for test in folds:
            # y_T - mu_T = (K^-1)_TT^-1 (K^-1 y)_T; prediction - truth is its negative.
            err[test] = -np.linalg.solve(k_inv[np.ix_(test, test)], a[test])
        return err * self.scale


def _gp_fit(kernel):
    def fit(xy: np.ndarray, z: np.ndarray):
        return _GPPredictor(kernel, xy, z)
    fit.closed_form_cv = True
    return fit


# --------------------------------------------------------------------------------------
# trends


class _LogDistanceTrend:
    """rssi = a + n * (-10 log10 d), a and n fitted by bounded least squares."""

    def __init__(self, ap_xy_m, xy: np.ndarray, z: np.ndarray):
        from scipy.optimize import lsq_linear
        self.ap_xy_m = (float(ap_xy_m[0]), float(ap_xy_m[1]))
        f = -distance_db(self.ap_xy_m, xy[:, 0], xy[:, 1])
        lo, hi = TREND_EXPONENT_BOUNDS
        res = lsq_linear(np.column_stack([np.ones_like(f), f]), z,
                         bounds=([-np.inf, lo], [np.inf, hi]))
        self.intercept_dbm, self.exponent = float(res.x[0]), float(res.x[1])

    def __call__(self, q: np.ndarray) -> np.ndarray:
        return self.intercept_dbm - self.exponent * distance_db(self.ap_xy_m, q[:, 0], q[:, 1])

    def predict_grid(self, grid: SiteGrid) -> np.ndarray:
        return self.intercept_dbm - self.exponent * distance_db(self.ap_xy_m, grid.xs_m[None, :], grid.ys_m[:, None])


class _ModelTrend:
    """A given model(query_xy_m) -> dBm, used as it is (its offset goes to the residual)."""

    def __init__(self, model):
        self.model = model

    def __call__(self, q: np.ndarray) -> np.ndarray:
        return np.asarray(self.model(q), dtype=np.float64).reshape(-1)

    def predict_grid(self, grid: SiteGrid) -> np.ndarray:
        fast = getattr(self.model, "predict_grid", None)
        if fast is not None:
            return np.asarray(fast(grid), dtype=np.float64).reshape(grid.shape)
        return self(grid.xy_m).reshape(grid.shape)


# --------------------------------------------------------------------------------------
# candidates and cross-validation


@dataclass(frozen=True)
class _Candidate:
    name: str
    fit: Callable  # (xy, z) -> predictor
    trend: Callable | None  # (xy, z) -> trend object, or None


def _folds(n: int) -> list[np.ndarray]:
    if n <= LOO_MAX_SAMPLES:
        return [np.array([i]) for i in range(n)]
    perm = np.random.default_rng(12345).permutation(n)
    return [perm[k::CV_FOLDS] for k in range(CV_FOLDS)]


def _fit_with_trend(cand: _Candidate, xy: np.ndarray, z: np.ndarray):
    trend = cand.trend(xy, z) if cand.trend is not None else None
    resid = z - trend(xy) if trend is not None else z
    return trend, cand.fit(xy, resid), (float(resid.min()), float(resid.max()))


def _cv_rmse(cand: _Candidate, xy: np.ndarray, z: np.ndarray, folds) -> float:
    return _rms(_cv_residuals(cand, xy, z, folds))


def _rms(errors: np.ndarray) -> float:
    return float(np.sqrt(np.mean(errors ** 2)))


def _cv_residuals(cand: _Candidate, xy: np.ndarray, z: np.ndarray, folds) -> np.ndarray:
    """Cross-validated residuals (dB, one per sample); infinite when the candidate cannot be
    fitted to these samples (e.g. a thin-plate spline on samples along one straight
    corridor is singular)."""
    try:
        return _cv_residuals_unguarded(cand, xy, z, folds)
    except (np.linalg.LinAlgError, ValueError) as exc:
        log.debug("candidate %s unusable on these samples: %s", cand.name, exc)
        return np.full(z.shape[0], math.inf)


def _cv_residuals_unguarded(cand: _Candidate, xy: np.ndarray, z: np.ndarray, folds) -> np.ndarray:
    members = getattr(cand.fit, "members", None)
    if members is not None:
        # The ensemble's prediction is the members' mean, so its held-out residuals are
        # the mean of theirs on the same folds: no refitting.
        return np.mean([_cv_residuals(m, xy, z, folds) for m in members], axis=0)
    if getattr(cand.fit, "closed_form_cv", False):
        # Trend fitted once on all samples (two parameters: negligible leakage), then the
        # exact k-fold residuals of the GP on what is left.
        trend = cand.trend(xy, z) if cand.trend is not None else None
        resid = z - trend(xy) if trend is not None else z
        return cand.fit(xy, resid).cv_residuals(folds)
    errors = np.empty(z.shape[0])
    for test in folds:
        train = np.setdiff1d(np.arange(z.shape[0]), test, assume_unique=True)
        trend, interp, (lo, hi) = _fit_with_trend(cand, xy[train], z[train])
        pred = np.clip(interp(xy[test]), lo, hi)
        if trend is not None:
            pred = pred + trend(xy[test])
        errors[test] = pred - z[test]
    return errors


def _ensemble(members: list[_Candidate]) -> _Candidate:
    """The mean of several candidates' predictions, as one candidate.

    Picking the single best of many candidates by cross-validation is noisy with few
    samples; averaging the best of each family (IDW, spline, GP) lowers that variance. On
    the measured data set (Feng, Nguyen & Luo 2024, random subsets of 8-30 points per AP)
    the mean held-out RMSE with 8 and 15 points fell by 0.1-0.5 dB against picking one
    winner. With more points it competes in the same cross-validation as the others.
    """
    def fit(xy: np.ndarray, z: np.ndarray):
        fitted = [_fit_with_trend(m, xy, z) for m in members]

        def predict(q: np.ndarray) -> np.ndarray:
            total = np.zeros(q.shape[0])
            for trend, interp, (lo, hi) in fitted:
                part = np.clip(interp(q), lo, hi)
                total += part + trend(q) if trend is not None else part
            return total / len(fitted)

        return predict

    fit.members = tuple(members)
    return _Candidate("mean(" + ", ".join(m.name for m in members) + ")", fit, None)


def average_repeats(xy_m, rssi_dbm) -> tuple[np.ndarray, np.ndarray]:
    """Drop non-finite readings, then average readings at the same spot (within 1 mm) in mW.

    Returns (xy_m (N, 2), rssi_dbm (N,)) with one row per distinct spot.
    """
    xy, z = finite_samples(xy_m, rssi_dbm)
    if xy.shape[0] == 0:
        return xy, z
    key = np.round(xy / SAME_SPOT_M).astype(np.int64)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    mw = np.bincount(inverse, weights=10.0 ** (z / 10.0)) / np.bincount(inverse)
    first = np.full(uniq.shape[0], -1)
    first[inverse[::-1]] = np.arange(xy.shape[0])[::-1]
    return xy[first], 10.0 * np.log10(mw)


# --------------------------------------------------------------------------------------
# the heatmap


class Heatmap:
    """A fitted heatmap: RSSI (dBm) anywhere on the site, with its cross-validated error.

    ``method`` names the winning candidate (e.g. ``"gp+log-distance"``), ``loo_rmse_db``
    its cross-validated RMSE in dB (leave-one-out up to 30 samples, else 10-fold; NaN for
    a single sample), ``n_points`` the distinct spots it was fitted to, ``cv_rmse_db`` the
    RMSE of every candidate tried (only the kept one when the selection was reused),
    ``fit_s`` the fitting time, ``selection_reused`` whether the method and its
    hyperparameters came from a ``previous`` heatmap instead of a full selection.
    """

    def __init__(self, *, method: str, xy_m: np.ndarray, rssi_dbm: np.ndarray, interp, trend,
                 resid_range: tuple[float, float], loo_rmse_db: float, cv_rmse_db: dict, fit_s: float,
                 selection: _Selection | None = None, selection_reused: bool = False):
        self.method = method
        self.xy_m = xy_m
        self.rssi_dbm = rssi_dbm
        self.n_points = int(xy_m.shape[0])
        self.loo_rmse_db = loo_rmse_db
        self.cv_rmse_db = cv_rmse_db
        self.fit_s = fit_s
        self._interp = interp
        self._trend = trend
        self._lo, self._hi = resid_range
        self._selection = selection
        self.selection_reused = selection_reused
        self._tree_cache = None

    @property
    def _tree(self):
        # Built on first use: a refit after every sample need not pay for it until drawn.
        if self._tree_cache is None:
            from scipy.spatial import cKDTree
            self._tree_cache = cKDTree(self.xy_m)
        return self._tree_cache

    def __repr__(self) -> str:
        return f"Heatmap(method={self.method!r}, n_points={self.n_points}, loo_rmse_db={self.loo_rmse_db:.2f})"

    def predict(self, query_xy_m) -> np.ndarray:
        """RSSI in dBm at ``query_xy_m`` (M, 2) metres; shape (M,)."""
        q = np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2)
        with _one_blas_thread():
            out = np.clip(self._interp(q), self._lo, self._hi)
            if self._trend is not None:
                out = out + self._trend(q)
        return out

    def predict_grid(self, grid: SiteGrid) -> np.ndarray:
        """RSSI in dBm over ``grid``, shape (ny, nx).

        The interpolated part is evaluated on a grid of at most 0.5 m and upsampled with a
        cubic spline; a trend is evaluated at full resolution (wall shadows stay sharp).
        """
        with _one_blas_thread():
            return self._predict_grid(grid)

    def _predict_grid(self, grid: SiteGrid) -> np.ndarray:
        ny, nx = grid.shape
        x0, y0, x1, y1 = grid.extent_m
        cx = max(2, int(math.ceil((x1 - x0) / COARSE_STEP_M)) + 1) if nx > 1 else 1
        cy = max(2, int(math.ceil((y1 - y0) / COARSE_STEP_M)) + 1) if ny > 1 else 1
        # IDW (few samples) has sharp peaks at the samples that a coarse grid would blunt,
        # and is cheap at full resolution when there are few samples.
        direct = getattr(self._interp, "exact_at_samples", False) and self.n_points * nx * ny <= 4_000_000
        if direct or cx >= nx or cy >= ny:
            resid = self._interp(grid.xy_m).reshape(ny, nx)
        else:
            xs_c = np.linspace(x0, x1, cx)
            ys_c = np.linspace(y0, y1, cy)
            lattice = getattr(self._interp, "lattice", None)
            if lattice is not None:
                coarse = lattice(xs_c, ys_c)
            else:
                gx, gy = np.meshgrid(xs_c, ys_c)
                coarse = self._interp(np.column_stack([gx.ravel(), gy.ravel()])).reshape(cy, cx)
            from scipy.interpolate import RectBivariateSpline
            k = 3 if min(cx, cy) >= 4 else 1
            resid = RectBivariateSpline(ys_c, xs_c, coarse, kx=k, ky=k)(grid.ys_m, grid.xs_m)
        out = np.clip(resid, self._lo, self._hi)
        if self._trend is not None:
            out = out + self._trend.predict_grid(grid)
        return out

    def std_db(self, query_xy_m) -> np.ndarray | None:
        """Standard deviation (dB, (M,)) of the estimate where the method gives one (the GP), else None."""
        std = getattr(self._interp, "std", None)
        if std is None:
            return None
        with _one_blas_thread():
            return std(np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2))

    def distance_to_nearest_m(self, query_xy_m) -> np.ndarray:
        """Distance (m, (M,)) from each query point to the nearest sample."""
        q = np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2)
        d, _ = self._tree.query(q, k=1)
        return d

    def coverage_alpha(self, query_xy_m, full_m: float = 2.0, zero_m: float = 5.0) -> np.ndarray:
        """Opacity in [0, 1] for drawing: 1 within ``full_m`` of a sample, 0 beyond ``zero_m``,
        linear in between."""
        if zero_m <= full_m:
            raise ValueError("zero_m must be greater than full_m")
        q = np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2)
        # Beyond zero_m the exact distance does not matter: the bound prunes the search.
        d, _ = self._tree.query(q, k=1, distance_upper_bound=zero_m)
        return np.clip((zero_m - d) / (zero_m - full_m), 0.0, 1.0)


@dataclass(frozen=True)
class _Selection:
    """What a full selection chose, and for which inputs, so a later fit can reuse it."""

    candidate: _Candidate
    selected_at_n: int  # distinct spots when the candidates were compared
    ap_xy_m: tuple[float, float] | None
    model: object
    methods: frozenset


def fit_heatmap(xy_m, rssi_dbm, *, ap_xy_m=None, model=None, methods=None,
                previous: Heatmap | None = None) -> Heatmap:
    """Fit a heatmap to samples at ``xy_m`` (N, 2) metres with RSSI ``rssi_dbm`` (N,) dBm.

    ``ap_xy_m``: position of the transmitting AP, enabling a log-distance trend candidate.
    ``model``: a callable ``model(query_xy_m) -> dBm`` (optionally with ``predict_grid``)
    used as a trend candidate instead. ``methods``: restrict the interpolators tried, a
    subset of ``("idw", "tps", "gp")``. Non-finite readings are dropped. Raises
    :class:`NoSamplesError` when nothing is left.

    ``previous``: the last heatmap fitted to the same data set (same network, survey and
    layer) before samples were added. When its full selection saw at least
    :data:`REUSE_MIN_POINTS` spots, the spots grew by at most :data:`REUSE_MAX_GROWTH`
    since, at least :data:`REUSE_MIN_SHARED` of its spots are still there with the same
    values, and ``ap_xy_m``, ``model`` (the same object) and ``methods`` are unchanged,
    the method and GP hyperparameters it chose are kept: only the final solve and the
    cross-validated error of that one method are computed (``selection_reused`` is then
    True). Otherwise the full selection runs, exactly as without ``previous``.
    """
    warm_imports()
    with _one_blas_thread():
        return _fit_heatmap(xy_m, rssi_dbm, ap_xy_m=ap_xy_m, model=model, methods=methods, previous=previous)


def _reusable(previous: Heatmap | None, xy: np.ndarray, z: np.ndarray, ap, model, wanted: frozenset) -> _Selection | None:
    sel = previous._selection if previous is not None else None
    if sel is None or sel.selected_at_n < REUSE_MIN_POINTS:
        return None
    n = xy.shape[0]
    if n < previous.n_points or n > sel.selected_at_n * (1.0 + REUSE_MAX_GROWTH):
        return None
    if sel.ap_xy_m != ap or sel.model is not model or sel.methods != wanted:
        return None
    # Same data set, grown? Spots are compared on the 1 mm lattice of average_repeats.
    now = dict(zip(map(tuple, np.round(xy / SAME_SPOT_M).astype(np.int64).tolist()), z.tolist()))
    keys = np.round(previous.xy_m / SAME_SPOT_M).astype(np.int64).tolist()
    shared = sum(1 for key, value in zip(keys, previous.rssi_dbm.tolist())
                 if abs(now.get(tuple(key), math.inf) - value) <= 0.01)
    return sel if shared >= REUSE_MIN_SHARED * previous.n_points else None


def _fit_heatmap(xy_m, rssi_dbm, *, ap_xy_m, model, methods, previous=None) -> Heatmap:
    t0 = time.perf_counter()
    xy, z = average_repeats(xy_m, rssi_dbm)
    if xy.shape[0] == 0:
        raise NoSamplesError("No usable RSSI samples for this network: take at least one sample where it is heard.")
    wanted = frozenset(methods) if methods is not None else frozenset({"idw", "tps", "gp"})
    unknown = wanted - {"idw", "tps", "gp"}
    if unknown:
        raise ValueError(f"unknown interpolation methods: {sorted(unknown)}")
    n = xy.shape[0]
    ap = None if ap_xy_m is None else (float(ap_xy_m[0]), float(ap_xy_m[1]))

    reused = _reusable(previous, xy, z, ap, model, wanted)
    if reused is not None:
        best = reused.candidate
        rmse = _cv_rmse(best, xy, z, _folds(n))
        if math.isfinite(rmse):
            trend, interp, resid_range = _fit_with_trend(best, xy, z)
            fit_s = time.perf_counter() - t0
            log.debug("heatmap of %d points: %s kept from %d points (CV RMSE %.2f dB) in %.0f ms",
                      n, best.name, reused.selected_at_n, rmse, fit_s * 1000)
            return Heatmap(method=best.name, xy_m=xy, rssi_dbm=z, interp=interp, trend=trend,
                           resid_range=resid_range, loo_rmse_db=rmse, cv_rmse_db={best.name: rmse},
                           fit_s=fit_s, selection=reused, selection_reused=True)
        # The kept method cannot be fitted to the new samples: choose afresh.

    trends: list[tuple[str, Callable | None]] = [("", None)]
    if model is not None:
        # A given model needs no fitting: worth trying from the first sample on (with one
        # sample it is the only shape information there is).
        trends.append(("+model", lambda _xy, _z: _ModelTrend(model)))
    elif n >= MIN_POINTS_TREND and ap is not None:
        trends.append(("+log-distance", lambda xy_, z_: _LogDistanceTrend(ap, xy_, z_)))

    candidates: list[_Candidate] = []
    for suffix, trend in trends:
        if "idw" in wanted or n < MIN_POINTS_SMOOTH:
            candidates.append(_Candidate("idw" + suffix, _idw_fit, trend))
        if n < MIN_POINTS_SMOOTH:
            continue
        if "tps" in wanted:
            for s in TPS_SMOOTHINGS:
                candidates.append(_Candidate(f"tps(s={s:g})" + suffix, _tps_fit(s), trend))
        if "gp" in wanted:
            base = trend(xy, z) if trend is not None else None
            resid = z - base(xy) if base is not None else z
            candidates.append(_Candidate("gp" + suffix, _gp_fit(_gp_hyper(xy, resid)), trend))

    if n >= 2:
        folds = _folds(n)
        residuals = {c.name: _cv_residuals(c, xy, z, folds) for c in candidates}
        scores = {name: _rms(r) for name, r in residuals.items()}
        family_best: dict[str, _Candidate] = {}
        for c in sorted(candidates, key=lambda c: scores[c.name]):
            family = c.name.split("(")[0].split("+")[0]
            if math.isfinite(scores[c.name]):
                family_best.setdefault(family, c)
        best = min(candidates, key=lambda c: scores[c.name])
        if len(family_best) >= 2:
            mean = _ensemble(list(family_best.values()))
            scores[mean.name] = _rms(np.mean([residuals[m.name] for m in family_best.values()], axis=0))
            candidates.append(mean)
            # With few samples the cross-validation cannot tell the candidates apart
            # reliably: the mean of the families is the safer choice (see _ensemble).
            if n < ENSEMBLE_BELOW_POINTS or scores[mean.name] < scores[best.name]:
                best = mean
        rmse = scores[best.name]
    else:
        # One sample: nothing to cross-validate; a given model beats a constant.
        best, rmse = candidates[-1], float("nan")
        scores = {best.name: rmse}
    trend, interp, resid_range = _fit_with_trend(best, xy, z)
    fit_s = time.perf_counter() - t0
    log.debug("heatmap of %d points: %s (CV RMSE %.2f dB) in %.0f ms; candidates %s",
              n, best.name, rmse, fit_s * 1000, scores)
    selection = _Selection(best, n, ap, model, wanted)
    return Heatmap(method=best.name, xy_m=xy, rssi_dbm=z, interp=interp, trend=trend, resid_range=resid_range,
                   loo_rmse_db=rmse, cv_rmse_db=scores, fit_s=fit_s, selection=selection)
