"""GP hyperparameters by maximum marginal likelihood, on a refined grid.

The model (DESIGN.md, "Interpolation"): values normalised to zero mean and unit variance
(like scikit-learn's ``normalize_y``) are a Gaussian process with covariance
``variance * (Matern_1.5(length_scale) + noise_ratio * I)``. For a given length scale and
noise ratio the variance that maximises the likelihood has a closed form (y^T A^-1 y / n;
Rasmussen & Williams 2006, section 5.4.1, the "profile" likelihood), so only two parameters
are searched: a log-spaced grid, then three rounds of a 3 x 3 grid at half the step around
the best point.

Why not scikit-learn's optimiser: on the measured data set (8-81 samples) its L-BFGS from
one start took 50-470 ms on the 2-core budget machine, against a 50 ms budget for a whole
fresh map; this search reaches the same log marginal likelihood (within 0.05 on every
access point and subset of that data set) in a few milliseconds, because all grid points of
a round are one batched Cholesky factorisation. Each factorisation is of the matrix bordered
by the values: its last diagonal block gives y^T A^-1 y without a separate solve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from survey.rf.interpolation.kernels import Matern15, sq_dist

#: Bounds of the normalised variance and noise (scikit-learn's defaults in the kernel that
#: this search replaces: ConstantKernel (1e-3, 1e3), WhiteKernel (1e-6, 2)).
VARIANCE_BOUNDS = (1e-3, 1e3)
NOISE_BOUNDS = (1e-6, 2.0)
#: Length scale bounds (m): no shorter than this (a GP on 0.2 m scales is noise) ...
LENGTH_SCALE_MIN_M = 0.2
LENGTH_SCALE_MAX_M = 200.0
#: ... and the searched range is a quarter of the median nearest-neighbour spacing (below it
#: samples are uncorrelated: every shorter scale fits alike) to this many times the span.
LENGTH_SCALE_SPAN_FACTOR = 4.0
#: Noise ratio (noise / variance) range searched; the lower end also keeps the matrices
#: well conditioned (condition number below n / 1e-4).
NOISE_RATIO_RANGE = (1e-4, 10.0)
GRID_LENGTH_SCALES = 7
GRID_NOISE_RATIOS = 6
REFINE_ROUNDS = 3


@dataclass(frozen=True)
class GPHyper:
    """Hyperparameters of a GP on normalised values: Matern length scale (m), noise ratio
    (white noise / variance) and variance (both in units of the values' variance)."""

    length_scale_m: float
    noise_ratio: float
    variance: float

    @property
    def noise(self) -> float:
        return self.noise_ratio * self.variance


def default_hyper(xy: np.ndarray) -> GPHyper:
    """The starting point of the old scikit-learn fit, for sets too small to fit on (< 4 spots):
    length scale a quarter of the span (1-50 m), noise a tenth of the variance."""
    span = float(np.ptp(xy, axis=0).max()) if xy.shape[0] > 1 else 0.0
    return GPHyper(min(max(span / 4.0, 1.0), 50.0), 0.1, 1.0)


def normalise(z: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(z - mean) / scale with scale the standard deviation (1 when constant)."""
    mean = float(z.mean())
    scale = float(z.std()) or 1.0
    return (z - mean) / scale, mean, scale


def fit_hyper(xy: np.ndarray, zs: list[np.ndarray]) -> list[GPHyper]:
    """Maximum-likelihood hyperparameters for each value set in ``zs`` at the spots ``xy`` (n, 2)."""
    n = xy.shape[0]
    d2 = sq_dist(xy, xy)
    ys = np.column_stack([normalise(z)[0] for z in zs])
    span = float(np.ptp(xy, axis=0).max())
    off = d2 + np.diag(np.full(n, np.inf))
    nn = float(np.median(np.sqrt(off.min(axis=1))))
    lo = max(LENGTH_SCALE_MIN_M, 0.25 * nn)
    hi = min(LENGTH_SCALE_MAX_M, max(LENGTH_SCALE_SPAN_FACTOR * span, 2.0 * lo))
    log_l = np.linspace(math.log(lo), math.log(hi), GRID_LENGTH_SCALES)
    log_e = np.linspace(math.log(NOISE_RATIO_RANGE[0]), math.log(NOISE_RATIO_RANGE[1]), GRID_NOISE_RATIOS)
    step_l, step_e = log_l[1] - log_l[0], log_e[1] - log_e[0]
    grid_l, grid_e = np.meshgrid(log_l, log_e, indexing="ij")
    lml = _profile_lml(d2, ys, grid_l.ravel(), grid_e.ravel())
    out = []
    for j in range(ys.shape[1]):
        k = int(np.argmax(lml[:, j]))
        best = (float(grid_l.ravel()[k]), float(grid_e.ravel()[k]), float(lml[k, j]))
        sl, se = step_l, step_e
        for _ in range(REFINE_ROUNDS):
            sl, se = sl / 2.0, se / 2.0
            cand_l = np.array([best[0] + a * sl for a in (-1, 0, 1) for _b in (-1, 0, 1)])
            cand_e = np.array([best[1] + b * se for _a in (-1, 0, 1) for b in (-1, 0, 1)])
            keep = (cand_l >= math.log(LENGTH_SCALE_MIN_M)) & (cand_l <= math.log(LENGTH_SCALE_MAX_M))
            keep &= cand_e >= math.log(NOISE_RATIO_RANGE[0])
            values = _profile_lml(d2, ys[:, j:j + 1], cand_l[keep], cand_e[keep])[:, 0]
            k = int(np.argmax(values))
            if values[k] > best[2]:
                best = (float(cand_l[keep][k]), float(cand_e[keep][k]), float(values[k]))
        length, ratio = math.exp(best[0]), math.exp(best[1])
        variance = _profile_variance(d2, ys[:, j], length, ratio)
        out.append(GPHyper(length, ratio, variance))
    return out


def _bordered(d2: np.ndarray, ys: np.ndarray, log_l: np.ndarray, log_e: np.ndarray):
    n, k = ys.shape
    c = 2.0 * float((ys ** 2).sum()) / math.exp(float(log_e.min())) + 1.0
    batch = np.empty((log_l.shape[0], n + k, n + k))
    kernels = {ll: Matern15(math.exp(ll))(d2.copy()) for ll in np.unique(log_l)}
    diag = np.arange(n)
    for i, (ll, le) in enumerate(zip(log_l, log_e)):
        batch[i, :n, :n] = kernels[ll]
        batch[i, diag, diag] += math.exp(le)
    batch[:, :n, n:] = ys
    batch[:, n:, :n] = ys.T
    batch[:, n:, n:] = c * np.eye(k)
    return batch, c


def _profile_lml(d2: np.ndarray, ys: np.ndarray, log_l: np.ndarray, log_e: np.ndarray) -> np.ndarray:
    """Log marginal likelihood (variance at its bounded optimum) of every (length scale, noise
    ratio) pair, (pairs, k); -inf where the noise leaves its bounds or the matrix is singular."""
    n, k = ys.shape
    batch, c = _bordered(d2, ys, log_l, log_e)
    try:
        chol = np.linalg.cholesky(batch)
    except np.linalg.LinAlgError:
        return np.array([_profile_lml(d2, ys, log_l[i:i + 1], log_e[i:i + 1])[0]
                         for i in range(log_l.shape[0])]) if log_l.shape[0] > 1 else np.full((1, k), -np.inf)
    diag = np.diagonal(chol[:, :n, :n], axis1=1, axis2=2)
    logdet = 2.0 * np.log(diag).sum(axis=1)
    tail = chol[:, n:, n:]
    quad = c - np.einsum("pjk,pjk->pj", tail, tail)  # y_j^T A^-1 y_j
    quad = np.maximum(quad, 1e-300)
    variance = np.clip(quad / n, *VARIANCE_BOUNDS)
    lml = (-0.5 * n * np.log(variance) - 0.5 * quad / variance - 0.5 * logdet[:, None]
           - 0.5 * n * math.log(2.0 * math.pi))
    noise = variance * np.exp(log_e)[:, None]
    lml[(noise < NOISE_BOUNDS[0]) | (noise > NOISE_BOUNDS[1])] = -np.inf
    return lml


def _profile_variance(d2: np.ndarray, y: np.ndarray, length: float, ratio: float) -> float:
    a = Matern15(length)(d2.copy())
    a[np.diag_indices_from(a)] += ratio
    chol = np.linalg.cholesky(a)
    v = np.linalg.solve(chol, y)
    return float(np.clip(v @ v / y.shape[0], *VARIANCE_BOUNDS))
