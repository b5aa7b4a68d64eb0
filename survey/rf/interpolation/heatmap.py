"""The fitted heatmap and :func:`fit_heatmap`, which chooses, fits and checks it."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import numpy as np

from survey.errors import UserInputError
from survey.project.model import SAME_SPOT_M, mean_dbm
from survey.rf.interpolation._runtime import one_blas_thread, warm_imports
from survey.rf.interpolation.grids import coarse_lattice, lattice_step, std_lattice_step, upsample
from survey.rf.interpolation.interpolators import GaussianProcess, Idw, Spline
from survey.rf.interpolation.kernels import lattice_sq_dist
from survey.rf.interpolation.reuse import Selection, reusable
from survey.rf.interpolation.selection import Candidate, Spots, cross_validate, folds, rms, select, subsample
from survey.rf.interpolation.trends import LogDistanceTrend, ModelTrend
from survey.rf.propagation import SiteGrid, finite_samples

log = logging.getLogger(__name__)

#: The log-distance trend needs a few points to fit intercept and exponent.
MIN_POINTS_TREND = 5
#: Above SELECT_MAX_SAMPLES spots the cross-validated error of the final fit is measured on
#: the first folds that hold at least this many samples (each exactly): its standard error
#: is then ~6 % of the value.
CV_ESTIMATE_SAMPLES = 120
#: Readings are whole dBm on nearly every driver: values that all lie within this (dB) are
#: one reading repeated (e.g. every sample the "not heard" stand-in), and a small
#: cross-validated error then says nothing about how well the map is known.
DEGENERATE_SPREAD_DB = 1.0
#: Nearest-sample distances on the coarse lattice are computed directly (not by a KD-tree)
#: while samples x lattice nodes stays below this.
DIRECT_DISTANCE_MAX_ELEMENTS = 200_000
#: The parts of a map share one array of lattice-to-sample distances up to this size (4 MB).
SHARED_DISTANCE_MAX_ELEMENTS = 1_000_000
METHODS = frozenset({"idw", "tps", "gp"})


class NoSamplesError(UserInputError):
    """A heatmap was requested from no usable samples."""


def average_repeats(xy_m, rssi_dbm) -> tuple[np.ndarray, np.ndarray]:
    """Drop non-finite readings, then average readings at one spot (:data:`SAME_SPOT_M`) in mW.

    A receiver integrates power; averaging dBm biases low. Returns (xy_m (N, 2),
    rssi_dbm (N,)) with one row per distinct spot.
    """
    xy, z = finite_samples(xy_m, rssi_dbm)
    if xy.shape[0] == 0:
        return xy, z
    key = np.round(xy / SAME_SPOT_M).astype(np.int64)
    key -= key.min(axis=0)
    rows = int(key[:, 1].max()) + 1
    if int(key[:, 0].max()) < np.iinfo(np.int64).max // rows:
        # One integer per spot, in the same (x, then y) order as unique rows: ~5x faster.
        uniq, inverse = np.unique(key[:, 0] * rows + key[:, 1], return_inverse=True)
    else:
        uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    first = np.full(uniq.shape[0], -1)
    first[inverse[::-1]] = np.arange(xy.shape[0])[::-1]
    # The spots in the order of their own coordinates (x, then y), not of the lattice keys:
    # the cross-validation's folds and subsample follow this order, so the choice of method
    # must not move when the tolerance does (at 1 cm many spots share an x key, and sorting
    # by key reordered them by y).
    order = np.lexsort((xy[first, 1], xy[first, 0]))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    return xy[first[order]], mean_dbm(z, rank[inverse])


class _Part:
    """One fitted interpolator on the residual of one trend; a map is the mean of its parts."""

    __slots__ = ("trend", "interp", "lo", "hi")

    def __init__(self, trend, interp, resid: np.ndarray):
        self.trend = trend
        self.interp = interp
        # Away from the samples the interpolated part is held within the range of the values
        # it was fitted to: no method invents a strong signal where nobody measured.
        self.lo, self.hi = float(resid.min()), float(resid.max())


class Heatmap:
    """A fitted heatmap: RSSI (dBm) anywhere on the site, with its cross-validated error.

    ``method`` names the winning candidate (e.g. ``"gp+log-distance"``), ``loo_rmse_db``
    its cross-validated RMSE in dB: leave-one-out up to 30 spots, else 10-fold (above
    :data:`~survey.rf.interpolation.selection.SELECT_MAX_SAMPLES` spots measured on the
    folds holding the first :data:`CV_ESTIMATE_SAMPLES`); NaN for a single sample. ``n_points``
    the distinct spots it was fitted to, ``cv_rmse_db`` the cross-validated RMSE of every
    candidate tried on the spots they were compared on (all, or a random
    :data:`~survey.rf.interpolation.selection.SELECT_MAX_SAMPLES` above that; only the
    kept one when the selection was reused), ``fit_s`` the fitting time,
    ``selection_reused`` whether the method and its parameters came from a ``previous``
    heatmap instead of a full selection. ``value_spread_db`` is the range of the fitted
    values and ``degenerate`` is True when they are all one reading (spread below
    :data:`DEGENERATE_SPREAD_DB`): then the error and the standard deviation say nothing
    (the standard deviation is NaN) and no confidence may be claimed from them.
    """

    def __init__(
        self,
        *,
        xy_m: np.ndarray,
        rssi_dbm: np.ndarray,
        parts: list[_Part],
        selection: Selection,
        resid_by_trend: dict,
        loo_rmse_db: float,
        cv_rmse_db: dict,
        fit_s: float,
        selection_reused: bool,
    ):
        choice = selection.choice
        self.method = choice.best.name
        self.xy_m = xy_m
        self.rssi_dbm = rssi_dbm
        self.n_points = int(xy_m.shape[0])
        self.loo_rmse_db = loo_rmse_db
        self.cv_rmse_db = cv_rmse_db
        self.fit_s = fit_s
        self.selection_reused = selection_reused
        self.value_spread_db = float(np.ptp(rssi_dbm))
        self.degenerate = self.value_spread_db < DEGENERATE_SPREAD_DB
        self._parts = parts
        # A mean is, as a whole, also held within the range of the measured values: its
        # members' trends extrapolated towards the AP are the least certain part of a fit
        # from few samples (measured: 0.2 dB less held-out error with 8 samples per AP).
        self._range = (float(rssi_dbm.min()), float(rssi_dbm.max())) if len(parts) > 1 else (-np.inf, np.inf)
        self._selection = selection
        self._resid_by_trend = resid_by_trend
        self._std_model = None
        self._tree_cache = None

    def __repr__(self) -> str:
        return f"Heatmap(method={self.method!r}, n_points={self.n_points}, loo_rmse_db={self.loo_rmse_db:.2f})"

    @property
    def _tree(self):
        # Built on first use: a refit after every sample need not pay for it until drawn.
        if self._tree_cache is None:
            from scipy.spatial import cKDTree

            self._tree_cache = cKDTree(self.xy_m)
        return self._tree_cache

    # -- values -------------------------------------------------------------------------

    def predict(self, query_xy_m) -> np.ndarray:
        """RSSI in dBm at ``query_xy_m`` (M, 2) metres; shape (M,)."""
        q = np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2)
        out = np.zeros(q.shape[0])
        with one_blas_thread():
            for part in self._parts:
                out += np.clip(part.interp(q), part.lo, part.hi)
                if part.trend is not None:
                    out += part.trend(q)
        return np.clip(out / len(self._parts), *self._range)

    def predict_grid(self, grid: SiteGrid) -> np.ndarray:
        """RSSI in dBm over ``grid``, shape (ny, nx).

        The interpolated part is evaluated on a lattice of 0.5 m (half the length scale of a
        GP when that is shorter) and upsampled with a cubic spline (the parts of a mean that
        share a trend together); a trend is evaluated at full resolution (wall shadows stay
        sharp).
        """
        step = lattice_step(self._shortest_length_scale(self._parts), grid)
        xs, ys = coarse_lattice(grid, step)
        groups: dict[int, list[_Part]] = {}
        for part in self._parts:
            groups.setdefault(id(part.trend), []).append(part)
        whole_lo, whole_hi = self._range
        out: np.ndarray | None = None
        with one_blas_thread():
            # The lattice's distances to the samples, once for all parts (while small).
            nodes = xs.shape[0] * ys.shape[0]
            d2 = None
            if nodes * self.n_points <= SHARED_DISTANCE_MAX_ELEMENTS:
                d2 = lattice_sq_dist(xs, ys, self.xy_m, np.float32)
            for parts in groups.values():
                first, *rest = parts  # a group holds at least the part that made it
                coarse = _clipped(first.interp.lattice(xs, ys, d2=d2), first.lo, first.hi)
                for p in rest:
                    coarse = coarse + _clipped(p.interp.lattice(xs, ys, d2=d2), p.lo, p.hi)
                coarse /= len(parts)
                lo, hi = min(p.lo for p in parts), max(p.hi for p in parts)
                trend = parts[0].trend
                if trend is None and len(groups) == 1:  # the map is this group: one clip
                    lo, hi = max(lo, whole_lo), min(hi, whole_hi)
                    whole_lo, whole_hi = -np.inf, np.inf
                fine = _clipped(upsample(coarse, grid, step), lo, hi)
                if trend is not None:
                    fine += trend.predict_grid(grid)
                if len(groups) == 1:
                    out = fine
                else:
                    fine *= len(parts) / len(self._parts)
                    out = fine if out is None else out + fine
        if out is None:
            raise ValueError("a heatmap without fitted parts has no map")
        return out if math.isinf(whole_lo) and math.isinf(whole_hi) else _clipped(out, whole_lo, whole_hi)

    @staticmethod
    def _shortest_length_scale(parts) -> float | None:
        scales = [p.interp.hyper.length_scale_m for p in parts if isinstance(p.interp, GaussianProcess)]
        return min(scales) if scales else None

    # -- how sure -----------------------------------------------------------------------

    def _std(self):
        """(GP whose posterior std shapes the map's, factor to multiply it by), or None."""
        if self.degenerate or self.n_points < 2:
            return None
        if self._std_model is None:
            choice = self._selection.choice
            best = choice.best
            members = best.members if best.family == "mean" else (best,)
            # The GP fitted as the map (or as a member of it), else one on the same trend.
            gp = next(
                (
                    p.interp
                    for p in self._parts
                    if isinstance(p.interp, GaussianProcess) and p.interp.hyper == choice.std_hyper
                ),
                None,
            )
            if gp is None:
                trend = next((m.trend for m in members if m.family == "gp"), members[0].trend)
                gp = GaussianProcess(self.xy_m, self._resid_by_trend[trend], choice.std_hyper)
            self._std_model = (gp, choice.std_factor)
        return self._std_model

    def std_db(self, query_xy_m) -> np.ndarray:
        """Standard deviation (dB, (M,)) of the map's value at ``query_xy_m`` (M, 2) m.

        For a GP fit, its posterior standard deviation of the field (without the noise of a
        single reading). For IDW, spline and mean fits, which have none of their own, the
        posterior of a GP fitted to the same samples (on the residual of the same trend),
        scaled so that the GP's leave-one-out predictive deviation at the samples has the RMS
        of this method's cross-validated error: the shape says where the samples are and are
        not, the scale is what this method measurably achieves (with fewer than 4 samples
        the GP has default hyperparameters). NaN when nothing can be known: a single sample,
        or :attr:`degenerate` values.
        """
        q = np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2)
        std = self._std()
        if std is None:
            return np.full(q.shape[0], np.nan)
        gp, factor = std
        with one_blas_thread():
            return factor * gp.std(q)

    def std_grid(self, grid: SiteGrid) -> np.ndarray:
        """:meth:`std_db` over ``grid`` (ny, nx) dB, from a lattice of a quarter of the GP's
        length scale (at most 1 m) with a cubic spline."""
        std = self._std()
        if std is None:
            return np.full(grid.shape, np.nan)
        gp, factor = std
        step = std_lattice_step(gp.hyper.length_scale_m, grid)
        xs, ys = coarse_lattice(grid, step)
        with one_blas_thread():
            std = upsample(factor * gp.std_lattice(xs, ys), grid, step)
        return np.maximum(std, 0.0, out=std)

    # -- where the samples are ----------------------------------------------------------

    def distance_to_nearest_m(self, query_xy_m) -> np.ndarray:
        """Distance (m, (M,)) from each query point to the nearest sample."""
        q = np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2)
        d, _ = self._tree.query(q, k=1)
        return d

    def coverage_alpha(self, query_xy_m, full_m: float = 2.0, zero_m: float = 5.0) -> np.ndarray:
        """Opacity in [0, 1] for drawing: 1 within ``full_m`` of a sample, 0 beyond ``zero_m``,
        linear in between."""
        _check_fade(full_m, zero_m)
        q = np.asarray(query_xy_m, dtype=np.float64).reshape(-1, 2)
        # Beyond zero_m the exact distance does not matter: the bound prunes the search.
        d, _ = self._tree.query(q, k=1, distance_upper_bound=zero_m)
        return np.clip((zero_m - d) / (zero_m - full_m), 0.0, 1.0)

    def coverage_alpha_grid(self, grid: SiteGrid, full_m: float = 2.0, zero_m: float = 5.0) -> np.ndarray:
        """:meth:`coverage_alpha` over ``grid`` (ny, nx).

        The nearest-sample distance is computed on the 0.5 m lattice and upsampled linearly
        (it is smooth but for kinks along the lines halfway between samples, which a linear
        upsampling cannot overshoot): the distance is then off by at most a quarter of the
        step at a kink, the opacity by under 0.1 with the default 3 m fade, at 1/25 of the
        cost (a KD-tree query per display cell is ~35 ms on 30 m x 20 m at 0.1 m).
        """
        _check_fade(full_m, zero_m)
        with one_blas_thread():
            return self._coverage_alpha_grid(grid, full_m, zero_m)

    def _coverage_alpha_grid(self, grid: SiteGrid, full_m: float, zero_m: float) -> np.ndarray:
        xs, ys = coarse_lattice(grid)
        if self.n_points * xs.shape[0] * ys.shape[0] <= DIRECT_DISTANCE_MAX_ELEMENTS:
            d = np.sqrt(lattice_sq_dist(xs, ys, self.xy_m, np.float32).min(axis=1)).astype(np.float64)
        else:
            gx, gy = np.meshgrid(xs, ys)
            d, _ = self._tree.query(np.column_stack([gx.ravel(), gy.ravel()]), k=1, distance_upper_bound=zero_m)
        d = np.minimum(d, zero_m).reshape(ys.shape[0], xs.shape[0])
        alpha = upsample((zero_m - d) / (zero_m - full_m), grid, cubic=False)  # linear: commutes with it
        return _clipped(alpha, 0.0, 1.0)


def _clipped(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``values`` held within [lo, hi], in place (np.clip is ~3x slower on a display grid)."""
    np.maximum(values, lo, out=values)
    np.minimum(values, hi, out=values)
    return values


def _check_fade(full_m: float, zero_m: float) -> None:
    if zero_m <= full_m:
        raise ValueError("zero_m must be greater than full_m")


def fit_heatmap(xy_m, rssi_dbm, *, ap_xy_m=None, model=None, methods=None, previous: Heatmap | None = None) -> Heatmap:
    """Fit a heatmap to samples at ``xy_m`` (N, 2) metres with RSSI ``rssi_dbm`` (N,) dBm.

    ``ap_xy_m``: position of the transmitting AP, enabling a log-distance trend candidate.
    ``model``: a callable ``model(query_xy_m) -> dBm`` (optionally with ``predict_grid``)
    used as a trend candidate instead. ``methods``: restrict the interpolators tried, a
    subset of ``("idw", "tps", "gp")``. Non-finite readings are dropped. Raises
    :class:`NoSamplesError` when nothing is left.

    ``previous``: the last heatmap fitted to the same data set (same network, survey and
    layer) before samples were added. When its full selection saw at least
    :data:`~survey.rf.interpolation.reuse.REUSE_MIN_POINTS` spots, the spots grew by at
    most :data:`~survey.rf.interpolation.reuse.REUSE_MAX_GROWTH` since, at least
    :data:`~survey.rf.interpolation.reuse.REUSE_MIN_SHARED` of its spots are still there
    with the same values, and ``ap_xy_m``, ``model`` (the same object) and ``methods`` are
    unchanged, the method and parameters it chose are kept: only the final solve and the
    cross-validated error of that one method are computed (``selection_reused`` is then
    True). Otherwise the full selection runs, exactly as without ``previous``.
    """
    warm_imports()
    with one_blas_thread():
        return _fit_heatmap(xy_m, rssi_dbm, ap_xy_m=ap_xy_m, model=model, methods=methods, previous=previous)


def _fit_part(cand: Candidate, xy: np.ndarray, resid: np.ndarray, trend) -> _Part:
    interp: Spline | GaussianProcess | Idw
    if cand.family == "tps":
        interp = Spline(xy, resid, cand.tps_smoothing)
    elif cand.family == "gp":
        interp = GaussianProcess(xy, resid, cand.gp_hyper)
    else:
        interp = Idw(xy, resid)
    return _Part(trend, interp, resid)


def _fit_heatmap(xy_m, rssi_dbm, *, ap_xy_m, model, methods, previous) -> Heatmap:
    t0 = time.perf_counter()
    xy, z = average_repeats(xy_m, rssi_dbm)
    if xy.shape[0] == 0:
        raise NoSamplesError("No usable RSSI samples for this network: take at least one sample where it is heard.")
    wanted = frozenset(methods) if methods is not None else METHODS
    unknown = wanted - METHODS
    if unknown:
        raise ValueError(f"unknown interpolation methods: {sorted(unknown)}")
    n = xy.shape[0]
    ap = None if ap_xy_m is None else (float(ap_xy_m[0]), float(ap_xy_m[1]))

    trends: dict[str, ModelTrend | LogDistanceTrend | None] = {"": None}
    refit: dict[str, Callable[[np.ndarray, np.ndarray], LogDistanceTrend]] = {}
    if model is not None:
        # A given model needs no fitting: worth trying from the first sample on (with one
        # sample it is the only shape information there is).
        trends["+model"] = ModelTrend(model)
    elif n >= MIN_POINTS_TREND and ap is not None:
        trends["+log-distance"] = LogDistanceTrend(ap, xy, z)
        refit["+log-distance"] = lambda xy_, z_: LogDistanceTrend(ap, xy_, z_)
    resid_by_trend = {t: z - trend(xy) if trend is not None else z for t, trend in trends.items()}

    selection = reusable(previous, xy, z, ap, model, wanted)
    if selection is not None:
        try:
            parts = _fit_parts(selection.choice.best, xy, resid_by_trend, trends)
        except np.linalg.LinAlgError as exc:
            log.debug(
                "kept method %s cannot be fitted to the new samples (%s): choosing afresh",
                selection.choice.best.name,
                exc,
            )
            selection = None
    reused = selection is not None
    sub = subsample(n)
    every_spot = sub.shape[0] == n
    if selection is None:
        choice = select(Spots(xy[sub], z[sub], trends, refit), wanted)
        selection = Selection(choice, n, ap, model, wanted)
        parts = _fit_parts(choice.best, xy, resid_by_trend, trends)

    choice = selection.choice
    if n < 2:
        loo = float("nan")
    elif every_spot:
        # The cross-validation of the selection, on every spot (or again for a kept method).
        resid = choice.residuals
        if reused:
            resid = cross_validate(Spots(xy, z, trends, refit), [choice.best])[choice.best]
        loo = rms(resid)
    else:
        # The same folds as a comparison on every spot would use, as many as hold
        # CV_ESTIMATE_SAMPLES samples: an unbiased estimate of that error at ~1/5 of its cost.
        tested, held = 0, []
        for test in folds(n):
            held.append(np.mean([p.interp.held_out_residuals(test) for p in parts], axis=0))
            tested += test.shape[0]
            if tested >= CV_ESTIMATE_SAMPLES:
                break
        loo = rms(np.concatenate(held))
    cv = {choice.best.name: loo} if reused else choice.scores
    fit_s = time.perf_counter() - t0
    log.debug(
        "heatmap of %d points: %s%s (CV RMSE %.2f dB) in %.0f ms; candidates %s",
        n,
        choice.best.name,
        " kept" if reused else "",
        loo,
        fit_s * 1000,
        cv,
    )
    return Heatmap(
        xy_m=xy,
        rssi_dbm=z,
        parts=parts,
        selection=selection,
        resid_by_trend=resid_by_trend,
        loo_rmse_db=loo,
        cv_rmse_db=cv,
        fit_s=fit_s,
        selection_reused=reused,
    )


def _fit_parts(best: Candidate, xy: np.ndarray, resid_by_trend: dict, trends: dict) -> list[_Part]:
    members = best.members if best.family == "mean" else (best,)
    return [_fit_part(m, xy, resid_by_trend[m.trend], trends[m.trend]) for m in members]
