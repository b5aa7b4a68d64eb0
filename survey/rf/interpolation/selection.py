"""Which interpolator draws the map: candidates compared by cross-validation, in closed form.

Every candidate is a linear smoother of the values (or, for IDW, a weighted mean), so its
held-out residuals follow from one factorisation instead of one refit per fold:

* spline: the eigendecomposition of the kernel on the null space of the polynomial gives
  the inverse of the system for every smoothing at once, and Rippa's formula the residuals
  (:meth:`survey.rf.interpolation.systems.KernelSystem.held_out_residuals`);
* GP: the inverse of its covariance, with the block formula for folds (Rasmussen &
  Williams 2006, eq. 5.12);
* IDW: the weights with the held-out samples' own weights removed.

A trend is fitted once to all samples and the interpolators cross-validated on what it
leaves (two parameters: little leakage with more than 30 samples); with leave-one-out it is
refitted without each held-out sample for IDW and the spline, and their held-out
predictions are held within the training range, like the fitted map (the GP keeps the
trend and the normalisation of all samples). Above :data:`SELECT_MAX_SAMPLES` spots the
comparison runs on a seeded random subsample of that size; the winner is then fitted to all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from survey.rf.interpolation.hyper import GPHyper, default_hyper, fit_hyper, normalise
from survey.rf.interpolation.interpolators import idw_weighted
from survey.rf.interpolation.kernels import Matern15, ThinPlate, sq_dist
from survey.rf.interpolation.systems import POLY_TERMS

#: Up to this many samples, cross-validation leaves one out; above, :data:`CV_FOLDS` folds.
LOO_MAX_SAMPLES = 30
CV_FOLDS = 10
#: The candidates are compared on at most this many spots (a seeded random subsample above):
#: the comparison costs ~n^3, the final fit of the winner is what uses every sample.
SELECT_MAX_SAMPLES = 120
#: GP hyperparameters are fitted on at most this many of those spots (a seeded random subset).
HYPER_MAX_SAMPLES = 100
#: Below this many distinct points only IDW is fitted (a spline or GP needs a shape to fit).
MIN_POINTS_SMOOTH = 4
#: Thin-plate smoothing candidates (dimensionless penalty of RBFInterpolator).
TPS_SMOOTHINGS = (0.1, 1.0, 10.0, 100.0)
#: Below this many distinct points the mean of the best of each family is used rather than
#: the single cross-validation winner (measured: see :func:`ensemble`).
ENSEMBLE_BELOW_POINTS = 20


@dataclass(frozen=True)
class Candidate:
    """One way to draw the map: a family (``idw``, ``tps``, ``gp``, or ``mean`` of
    ``members``) on the raw values or on the residual of a trend (``trend``: ``""``,
    ``"+model"``, ``"+log-distance"``), with its parameters."""

    family: str
    trend: str
    smoothing: float | None = None
    hyper: GPHyper | None = None
    members: tuple[Candidate, ...] = ()

    @property
    def name(self) -> str:
        if self.family == "mean":
            return "mean(" + ", ".join(m.name for m in self.members) + ")"
        if self.family == "tps":
            return f"tps(s={self.smoothing:g})" + self.trend
        return self.family + self.trend

    @property
    def tps_smoothing(self) -> float:
        """The smoothing of a ``tps`` candidate."""
        if self.smoothing is None:
            raise ValueError(f"{self.name} is not a spline candidate: it has no smoothing")
        return self.smoothing

    @property
    def gp_hyper(self) -> GPHyper:
        """The hyperparameters of a ``gp`` candidate."""
        if self.hyper is None:
            raise ValueError(f"{self.name} is not a GP candidate: it has no hyperparameters")
        return self.hyper


def folds(n: int) -> list[np.ndarray]:
    """Leave-one-out up to :data:`LOO_MAX_SAMPLES`, else 10 folds of a seeded permutation."""
    if n <= LOO_MAX_SAMPLES:
        return [np.array([i]) for i in range(n)]
    perm = np.random.default_rng(12345).permutation(n)
    return [perm[k::CV_FOLDS] for k in range(CV_FOLDS)]


def subsample(n: int, size: int = SELECT_MAX_SAMPLES) -> np.ndarray:
    """Sorted seeded random subset of ``range(n)`` of at most ``size`` (all when n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size, replace=False))


def rms(errors: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(errors) ** 2)))


def _is_loo(fold_list: list[np.ndarray]) -> bool:
    return all(f.shape[0] == 1 for f in fold_list)


class Spots:
    """The spots a cross-validation runs on: positions ``xy`` (n, 2), values ``z`` (n,), and
    for every trend suffix what the trend (fitted to all samples) leaves of the values.

    With leave-one-out, a trend with fitted parameters (``refit``: suffix -> callable(xy, z)
    -> trend) is refitted without each held-out sample: with 30 samples or fewer its two
    parameters would otherwise see the sample they are judged on. ``training[t]`` is then
    (n, n), row i the residual the interpolator is trained on when sample i is held out;
    else (n,), the same for every fold.
    """

    def __init__(self, xy: np.ndarray, z: np.ndarray, trends: dict, refit: dict):
        self.xy = xy
        self.z = z
        self.folds = folds(xy.shape[0])
        self.loo = _is_loo(self.folds)
        self.resid = {t: z - trend(xy) if trend is not None else z for t, trend in trends.items()}
        self.training = dict(self.resid)
        self.cache: dict[str, object] = {}  # factorisations shared by the candidates
        if self.loo:
            n = xy.shape[0]
            for t, make in refit.items():
                rows = np.empty((n, n))
                for i in range(n):
                    keep = np.arange(n) != i
                    rows[i] = z - make(xy[keep], z[keep])(xy)
                self.training[t] = rows

    def held_out_truth(self, t: str) -> np.ndarray:
        """The residual each held-out prediction is compared with (dB), (n,)."""
        r = self.training[t]
        return np.diag(r).copy() if r.ndim == 2 else r

    def training_range(self, t: str) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest training residual of each held-out sample's fold, (n,) each."""
        r = self.training[t]
        n = self.xy.shape[0]
        if self.loo:
            rows = np.array(np.broadcast_to(r, (n, n)))
            rows[np.diag_indices(n)] = np.inf
            lo = rows.min(axis=1)
            rows[np.diag_indices(n)] = -np.inf
            return lo, rows.max(axis=1)
        # k folds, r one residual per sample: each fold's range is that of the other folds.
        lows = np.array([r[test].min() for test in self.folds])
        highs = np.array([r[test].max() for test in self.folds])
        lo, hi = np.empty(n), np.empty(n)
        for k, test in enumerate(self.folds):
            lo[test] = np.delete(lows, k).min()
            hi[test] = np.delete(highs, k).max()
        return lo, hi

    def fold_groups(self) -> list[np.ndarray]:
        """The folds as index matrices (folds, size), one per fold size (10 folds of n
        samples have two sizes), so that every fold's block can be solved in one batch."""
        sizes = sorted({test.shape[0] for test in self.folds})
        return [np.array([test for test in self.folds if test.shape[0] == size]) for size in sizes]


def _solve_folds(blocks, coef: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """-(block_T)^-1 coef_T for every fold T, batched per fold size; ``blocks(idx)`` gives
    the blocks (folds, size, size) of the inverse for an index matrix (folds, size)."""
    out = np.empty(coef.shape[0])
    for idx in groups:
        out[idx] = -np.linalg.solve(blocks(idx), coef[idx][..., None])[..., 0]
    return out


def _smoother_held_out(
    inv: np.ndarray, training: np.ndarray, fold_list: list[np.ndarray], groups: list[np.ndarray]
) -> np.ndarray:
    """Held-out prediction minus value of a linear smoother whose system has the inverse
    ``inv`` (n, n) (for a spline the top-left block), trained on ``training`` ((n,) or, with
    leave-one-out, (n, n) one row per held-out sample): -(inv_TT)^-1 (inv y)_T per fold T."""
    if _is_loo(fold_list):
        coef = (inv * training).sum(axis=1) if training.ndim == 2 else inv @ training
        # A zero diagonal (a smoother with no freedom left at that sample) gives NaN, which
        # scores the candidate as not finite: the selection passes over it (see select).
        with np.errstate(divide="ignore", invalid="ignore"):
            return -coef / np.diag(inv)
    return _solve_folds(lambda idx: inv[idx[:, :, None], idx[:, None, :]], inv @ training, groups)


def idw_residuals(spots: Spots, t: str) -> np.ndarray:
    """Held-out prediction minus value (dB) of IDW on the residual of trend ``t``."""
    d2 = sq_dist(spots.xy, spots.xy)
    if spots.loo:
        d2[np.diag_indices_from(d2)] = np.inf
    else:
        for idx in spots.fold_groups():
            d2[idx[:, :, None], idx[:, None, :]] = np.inf
    r = spots.training[t]
    if r.ndim == 2:
        w = 1.0 / np.maximum(d2, 1e-12)
        pred = (w * r).sum(axis=1) / w.sum(axis=1)
    else:
        pred = idw_weighted(d2, r[:, None])[:, 0]
    return pred - spots.held_out_truth(t)


def _spline_basis(spots: Spots):
    """(g, lam) with the spline system's inverse (top-left block) g diag(1 / (lam + s)) g^T
    for every smoothing s, from one eigendecomposition of the kernel on the null space of
    the polynomial; None when the spline cannot be fitted (samples on one straight line)."""
    if "spline" in spots.cache:
        return spots.cache["spline"]
    xy = spots.xy
    n = xy.shape[0]
    basis = None
    if n > POLY_TERMS:
        u = (xy - xy.mean(axis=0)) / (float(np.ptp(xy, axis=0).max()) or 1.0)
        q, r = np.linalg.qr(np.column_stack([np.ones(n), u]), mode="complete")
        r_diag = np.abs(np.diag(r[:POLY_TERMS]))
        if r_diag.min() > 1e-9 * r_diag.max():
            q2 = q[:, POLY_TERMS:]
            lam, vec = np.linalg.eigh(q2.T @ ThinPlate()(sq_dist(xy, xy)) @ q2)
            if lam.min() > 0:
                basis = (q2 @ vec, lam)
    spots.cache["spline"] = basis
    return basis


def spline_residuals(spots: Spots, t: str, smoothings) -> dict[float, np.ndarray] | None:
    """Held-out prediction minus value (dB) of the thin-plate spline on the residual of
    trend ``t`` for every smoothing, held within its training range like the fitted map;
    None when the spline cannot be fitted (samples on one straight line)."""
    basis = _spline_basis(spots)
    if basis is None:
        return None
    g, lam = basis
    training = spots.training[t]
    groups = spots.fold_groups() if not spots.loo else []
    truth = spots.held_out_truth(t)
    lo, hi = spots.training_range(t)
    out = {}
    for s in smoothings:
        d = 1.0 / (lam + s)
        if spots.loo:
            err = _smoother_held_out((g * d) @ g.T, training, spots.folds, [])
        else:
            # Only the folds' diagonal blocks of the inverse are needed: n^3 / 10, not n^3.
            def blocks(idx, d=d):
                rows = g[idx]  # (folds, size, n - 3)
                return (rows * d) @ rows.transpose(0, 2, 1)

            err = _solve_folds(blocks, g @ (d * (g.T @ training)), groups)
        out[s] = np.clip(truth + err, lo, hi) - truth
    return out


def gp_residuals(spots: Spots, t: str, hyper: GPHyper) -> tuple[np.ndarray, np.ndarray]:
    """Held-out prediction minus value (dB) of the GP with ``hyper`` on the residual of trend
    ``t`` (fitted to all samples), and the GP's own leave-one-out predictive standard
    deviation (dB) of each reading."""
    from scipy.linalg import lapack

    y, _, scale = normalise(spots.resid[t])
    a = Matern15(hyper.length_scale_m)(sq_dist(spots.xy, spots.xy))
    a[np.diag_indices_from(a)] += hyper.noise_ratio
    chol, info = lapack.dpotrf(a, lower=1, clean=1)
    if info != 0:
        raise np.linalg.LinAlgError("GP covariance not positive definite")
    inv, info = lapack.dpotri(chol, lower=1)
    inv = np.tril(inv) + np.tril(inv, -1).T
    resid = _smoother_held_out(inv, y, spots.folds, spots.fold_groups() if not spots.loo else []) * scale
    # Leave-one-out (whatever the folds): only the scale of the standard deviation map is
    # calibrated with it, and the diagonal of the inverse gives it for free.
    return resid, scale * np.sqrt(hyper.variance / np.diag(inv))


def cross_validate(spots: Spots, candidates: list[Candidate]) -> dict[Candidate, np.ndarray]:
    """Held-out residuals (dB) of each of ``candidates`` (a mean: the mean of its members')."""
    out: dict[Candidate, np.ndarray] = {}
    n = spots.xy.shape[0]
    splines: dict[str, dict] = {}
    for cand in candidates:
        if cand.family == "mean":
            out[cand] = np.mean(list(cross_validate(spots, list(cand.members)).values()), axis=0)
        elif n < 2:
            out[cand] = np.full(n, np.nan)
        elif cand.family == "idw":
            out[cand] = idw_residuals(spots, cand.trend)
        elif cand.family == "tps":
            if cand.trend not in splines:
                wanted = sorted({c.tps_smoothing for c in candidates if c.family == "tps" and c.trend == cand.trend})
                splines[cand.trend] = spline_residuals(spots, cand.trend, wanted) or {}
            out[cand] = splines[cand.trend].get(cand.tps_smoothing, np.full(n, np.inf))
        else:
            try:
                out[cand] = gp_residuals(spots, cand.trend, cand.gp_hyper)[0]
            except np.linalg.LinAlgError:
                out[cand] = np.full(n, np.inf)
    return out


@dataclass(frozen=True)
class Choice:
    """The outcome of a selection: the winner, every candidate's cross-validated RMSE (dB) on
    the spots compared, the winner's held-out residuals there, the GP hyperparameters that
    shape its standard deviation and the factor that scales that to its measured error."""

    best: Candidate
    scores: dict
    residuals: np.ndarray
    std_hyper: GPHyper
    std_factor: float


def ensemble(members: list[Candidate]) -> Candidate:
    """The mean of several candidates' predictions, as one candidate.

    Picking the single best of many candidates by cross-validation is noisy with few
    samples; averaging the best of each family (IDW, spline, GP) lowers that variance. On
    the measured data set (Feng, Nguyen & Luo 2024, random subsets of 8-30 points per AP)
    the mean held-out RMSE with 8 and 15 points fell by 0.1-0.5 dB against picking one
    winner. With more points it competes in the same cross-validation as the others.
    """
    return Candidate("mean", "", members=tuple(members))


def select(spots: Spots, wanted: frozenset) -> Choice:
    """Compare every candidate on ``spots``; the winner, with what shapes its standard deviation."""
    n = spots.xy.shape[0]
    suffixes = list(spots.resid)
    smooth = n >= MIN_POINTS_SMOOTH
    candidates: list[Candidate] = []
    for t in suffixes:
        if "idw" in wanted or not smooth:
            candidates.append(Candidate("idw", t))
        if smooth and "tps" in wanted:
            candidates.extend(Candidate("tps", t, smoothing=s) for s in TPS_SMOOTHINGS)
    # The GP of every trend is fitted even when not a candidate: it shapes the others'
    # standard deviation (see Heatmap.std_db).
    if smooth:
        # Hyperparameters on at most HYPER_MAX_SAMPLES of the spots (the search is ~n^3 per
        # point of it; the comparison and the final fit use all).
        few = subsample(n, HYPER_MAX_SAMPLES)
        hypers = fit_hyper(spots.xy[few], [spots.resid[t][few] for t in suffixes])
    else:
        hypers = [default_hyper(spots.xy)] * len(suffixes)
    gp_by_trend = {t: Candidate("gp", t, hyper=h) for t, h in zip(suffixes, hypers)}
    held_std: dict[str, np.ndarray] = {}
    gp_res: dict[Candidate, np.ndarray] = {}
    for t, gp in gp_by_trend.items():
        if n < 2:
            held_std[t] = np.full(n, np.nan)
            continue
        try:
            gp_res[gp], held_std[t] = gp_residuals(spots, t, gp.gp_hyper)
        except np.linalg.LinAlgError:
            gp_res[gp], held_std[t] = np.full(n, np.inf), np.full(n, np.nan)
    residuals = cross_validate(spots, candidates)
    if smooth and "gp" in wanted:
        residuals.update(gp_res)
        candidates.extend(gp_res)
    if n >= 2:
        scores = {c: rms(residuals[c]) for c in candidates}
        family_best: dict[str, Candidate] = {}
        for c in sorted(candidates, key=lambda c: scores[c]):
            if math.isfinite(scores[c]):
                family_best.setdefault(c.family, c)
        best = min(candidates, key=lambda c: scores[c])
        if len(family_best) >= 2:
            mean = ensemble(list(family_best.values()))
            residuals[mean] = np.mean([residuals[m] for m in mean.members], axis=0)
            scores[mean] = rms(residuals[mean])
            # With few samples the cross-validation cannot tell the candidates apart
            # reliably: the mean of the families is the safer choice (see ensemble).
            if n < ENSEMBLE_BELOW_POINTS or scores[mean] < scores[best]:
                best = mean
    else:
        # One sample: nothing to cross-validate; a given model beats a constant.
        best = [c for c in candidates if c.family == "idw"][-1]
        scores = {best: float("nan")}
        residuals[best] = np.full(n, np.nan)

    # The GP that shapes the standard deviation: the winner itself, or the GP on the same
    # trend (for a mean: its GP member, else the GP on its first member's trend).
    if best.family == "gp":
        shape, factor = best, 1.0
    else:
        if best.family == "mean":
            shape = next((m for m in best.members if m.family == "gp"), gp_by_trend[best.members[0].trend])
        else:
            shape = gp_by_trend[best.trend]
        expected = rms(held_std[shape.trend])
        factor = rms(residuals[best]) / expected if n >= 2 and expected > 0 else float("nan")
    return Choice(best, {c.name: v for c, v in scores.items()}, residuals[best], shape.gp_hyper, factor)
