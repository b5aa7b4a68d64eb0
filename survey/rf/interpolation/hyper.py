"""GP hyperparameters by maximum marginal likelihood, searched on a grid and refined.

The model (DESIGN.md, "Interpolation"): values normalised to zero mean and unit variance
(like scikit-learn's ``normalize_y``) are a Gaussian process with covariance
``variance * (Matern_1.5(length_scale) + noise_ratio * I)``. For a given length scale and
noise ratio the variance that maximises the likelihood has a closed form (y^T A^-1 y / n;
Rasmussen & Williams 2006, section 5.4.1, the "profile" likelihood), so only two parameters
are searched:

* up to :data:`EIGH_MAX_SAMPLES` samples, one eigendecomposition per length scale gives the
  likelihood at every noise ratio at once (A = U diag(lam) U^T, so A + e I has the log
  determinant sum log(lam + e) and y^T (A + e I)^-1 y = sum (U^T y)^2 / (lam + e)): a grid of
  length scales, the best noise ratio of a fine grid for each, then the vertex of the
  parabola through the best length scale and its neighbours;
* above, one Cholesky factorisation per (length scale, noise ratio): a log-spaced grid,
  then a compass search up from its best point (move to a better neighbour, else halve the
  step), and from the best point of another hill if there is one.

Why not scikit-learn's optimiser: on the measured data set (8-81 samples) its L-BFGS from
one start took 50-470 ms on the 2-core budget machine, against a 50 ms budget for a whole
fresh map; this search reaches the same log marginal likelihood (on every access point and
subset of that data set within 0.1, mostly within 0.01; tests/test_rf_interp_hyper.py
checks 0.15 on synthetic sets) in 0.5-4 ms. The length scale starts at the median spacing
of neighbouring samples instead of scikit-learn's 0.2 m (see LENGTH_SCALE_SPAN_FACTOR).
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
#: Length scale bounds (m) (scikit-learn's defaults in the kernel this search replaces) ...
LENGTH_SCALE_MIN_M = 0.2
LENGTH_SCALE_MAX_M = 200.0
#: ... and the searched range: from the median spacing between neighbouring samples (a
#: field that varies on a shorter scale cannot be told from noise with these samples: the
#: share called "field" rather than "noise" is then arbitrary, and scikit-learn's fit ended
#: with either) to this many times the span of the samples.
LENGTH_SCALE_SPAN_FACTOR = 4.0
#: Noise ratio (noise / variance) range searched; the lower end also keeps the matrices
#: well conditioned (condition number below n / 1e-4).
NOISE_RATIO_RANGE = (1e-4, 10.0)
GRID_LENGTH_SCALES = 7
GRID_NOISE_RATIOS = 5
#: Moves of the compass search after the grid (each at most 4 factorisations).
MAX_SEARCH_STEPS = 10
#: A second hill is climbed only when its best grid point is within this (log likelihood)
#: of the best one: a climb gains less than that on this grid.
SECOND_HILL_NATS = 2.0
#: Up to this many samples the search uses eigendecompositions (cheaper per length scale
#: than a Cholesky factorisation per noise ratio while the matrices are this small).
EIGH_MAX_SAMPLES = 40
EIGH_LENGTH_SCALES = 8
EIGH_NOISE_RATIOS = np.geomspace(NOISE_RATIO_RANGE[0], NOISE_RATIO_RANGE[1], 41)


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
    off = d2.copy()
    off[np.diag_indices(n)] = np.inf
    nn = math.sqrt(float(np.median(off.min(axis=1))))
    lo = max(LENGTH_SCALE_MIN_M, nn)
    hi = min(LENGTH_SCALE_MAX_M, max(LENGTH_SCALE_SPAN_FACTOR * span, 2.0 * lo))
    if n <= EIGH_MAX_SAMPLES:
        return _fit_by_eigh(d2, ys, math.log(lo), math.log(hi))
    lml = _ProfileLikelihood(d2, ys)
    log_l = np.linspace(math.log(lo), math.log(hi), GRID_LENGTH_SCALES).tolist()
    log_e = np.linspace(math.log(NOISE_RATIO_RANGE[0]), math.log(NOISE_RATIO_RANGE[1]), GRID_NOISE_RATIOS).tolist()
    steps = (log_l[1] - log_l[0], log_e[1] - log_e[0])
    grid = {(i, j): lml(ll, le) for i, ll in enumerate(log_l) for j, le in enumerate(log_e)}
    out = []
    for col in range(ys.shape[1]):
        # The likelihood can have two hills (short scale with little noise, long scale with
        # much): search up from the best grid point and from the best one that is not its
        # neighbour when that is nearly as high, and keep the higher top.
        ranked = sorted(grid, key=lambda key: grid[key][col][0], reverse=True)
        starts = [ranked[0]]
        far = [key for key in ranked[1:] if max(abs(key[0] - ranked[0][0]), abs(key[1] - ranked[0][1])) > 1]
        if far and grid[far[0]][col][0] > grid[ranked[0]][col][0] - SECOND_HILL_NATS:
            starts.append(far[0])
        tops = [_climb(lml, col, log_l[i], log_e[j], grid[i, j][col], steps, log_l[0]) for i, j in starts]
        best = max(tops, key=lambda top: top[2])
        out.append(GPHyper(math.exp(best[0]), math.exp(best[1]), float(best[3])))
    return out


def _eigh_profile(d2: np.ndarray, ys: np.ndarray, log_ls: list[float]):
    """For each length scale: per column the best log likelihood over the noise ratios,
    that noise ratio and the variance, each (len(log_ls), k)."""
    n, k = ys.shape
    stack = np.stack([Matern15(math.exp(ll))(d2.copy()) for ll in log_ls])
    lam, vec = np.linalg.eigh(stack)
    lam = np.maximum(lam, 0.0)
    w2 = np.einsum("lij,ik->ljk", vec, ys) ** 2  # (L, n, k)
    denom = lam[:, None, :] + EIGH_NOISE_RATIOS[None, :, None]  # (L, E, n)
    quad = np.einsum("len,lnk->lek", 1.0 / denom, w2)  # (L, E, k)
    logdet = np.log(denom).sum(axis=2)[:, :, None]
    variance = np.clip(quad / n, *VARIANCE_BOUNDS)
    lml = -0.5 * n * np.log(variance) - 0.5 * quad / variance - 0.5 * logdet - 0.5 * n * math.log(2.0 * math.pi)
    noise = variance * EIGH_NOISE_RATIOS[None, :, None]
    lml[(noise < NOISE_BOUNDS[0]) | (noise > NOISE_BOUNDS[1])] = -np.inf
    best = lml.argmax(axis=1)  # (L, k)
    rows = np.arange(len(log_ls))[:, None]
    cols = np.arange(k)[None, :]
    return lml[rows, best, cols], EIGH_NOISE_RATIOS[best], variance[rows, best, cols]


def _fit_by_eigh(d2: np.ndarray, ys: np.ndarray, log_lo: float, log_hi: float) -> list[GPHyper]:
    log_ls = np.linspace(log_lo, log_hi, EIGH_LENGTH_SCALES).tolist()
    lml, ratio, variance = _eigh_profile(d2, ys, log_ls)
    out = []
    vertices = []
    for col in range(ys.shape[1]):
        # The vertex of the parabola through the best grid length scale and its neighbours.
        i = min(max(int(np.argmax(lml[:, col])), 1), len(log_ls) - 2)
        y0, y1, y2 = lml[i - 1, col], lml[i, col], lml[i + 1, col]
        curve = y0 - 2.0 * y1 + y2
        shift = 0.5 * (y0 - y2) / curve if np.isfinite(curve) and curve < 0 else 0.0
        vertices.append(max(log_ls[i] + min(max(shift, -1.0), 1.0) * (log_ls[1] - log_ls[0]), log_lo))
    refined = _eigh_profile(d2, ys, vertices)
    for col in range(ys.shape[1]):
        i = int(np.argmax(lml[:, col]))
        best = (lml[i, col], log_ls[i], ratio[i, col], variance[i, col])
        if refined[0][col, col] > best[0]:
            best = (refined[0][col, col], vertices[col], refined[1][col, col], refined[2][col, col])
        ll = min(max(best[1], log_lo), _LOG_L_MAX)
        out.append(GPHyper(math.exp(ll), float(best[2]), float(best[3])))
    return out


def _climb(lml, col: int, log_l: float, log_e: float, value: tuple[float, float], steps, log_lo: float) -> tuple:
    """Compass search up the likelihood: move to a better neighbour at the same step, else
    halve the step, down to 1/4 of the grid's. Returns (log_l, log_e, lml, variance)."""
    best, variance = value
    sl, se = steps
    for _ in range(MAX_SEARCH_STEPS):
        moved = False
        for a, b in _COMPASS:
            ll, le = log_l + a * sl, log_e + b * se
            if not log_lo <= ll <= _LOG_L_MAX or le < _LOG_E_MIN:
                continue
            v, var = lml(ll, le, column=col)[0]
            if v > best:
                log_l, log_e, best, variance, moved = ll, le, v, var, True
                break
        if not moved:
            if sl <= steps[0] / 4.0:
                break
            sl, se = sl / 2.0, se / 2.0
    return log_l, log_e, best, variance


_LOG_L_MAX = math.log(LENGTH_SCALE_MAX_M)
_COMPASS = ((-1, 0), (1, 0), (0, -1), (0, 1))
_LOG_E_MIN = math.log(NOISE_RATIO_RANGE[0])


class _ProfileLikelihood:
    """Log marginal likelihood (variance at its bounded optimum) at (log length scale, log
    noise ratio), for every column of ``ys`` at once.

    One Cholesky factorisation per point, of the correlation matrix bordered by the values:
    chol([[A, Y], [Y^T, c I]]) has the log determinant of A on its first n diagonal entries
    and c I - Y^T A^-1 Y in the product of its last block, so y^T A^-1 y needs no solve.
    Written for few Python operations per point: at 15-100 samples the factorisation
    itself takes 5-40 us.
    """

    def __init__(self, d2: np.ndarray, ys: np.ndarray):
        self.d2 = d2
        self.ys = ys
        n, k = ys.shape
        self.n = n
        # Larger than any y^T A^-1 y (<= |y|^2 / smallest eigenvalue of A, itself >= the
        # smallest noise ratio): the bordered matrix stays positive definite.
        self.c = 2.0 * float((ys**2).sum()) / NOISE_RATIO_RANGE[0] + 1.0
        # One Fortran-ordered buffer per border width, with views of its diagonal and border.
        self.buffers = {}
        for width in {1, k}:
            buffer = np.zeros((n + width, n + width), order="F")
            diagonal = buffer.reshape(-1, order="F")[:: n + width + 1]
            self.buffers[width] = (buffer, diagonal[:n], self.c * np.eye(width))
        self.kernels: dict[float, np.ndarray] = {}
        self.constant = -0.5 * n * math.log(2.0 * math.pi)

    def __call__(self, log_l: float, log_e: float, column: int | None = None) -> list[tuple[float, float]]:
        """[(log marginal likelihood, variance)] per column (one when ``column`` is given)."""
        from scipy.linalg import lapack

        n = self.n
        ys = self.ys if column is None else self.ys[:, column : column + 1]
        k = ys.shape[1]
        kernel = self.kernels.get(log_l)
        if kernel is None:
            kernel = self.kernels[log_l] = Matern15(math.exp(log_l))(self.d2.copy())
        ratio = math.exp(log_e)
        a, diagonal, corner = self.buffers[k]
        a[:n, :n] = kernel
        diagonal += ratio
        a[n:, :n] = ys.T  # dpotrf reads the lower triangle
        a[n:, n:] = corner
        chol, info = lapack.dpotrf(a, lower=1, overwrite_a=1, clean=0)
        if info != 0:
            return [(-math.inf, math.nan)] * k
        logdet = 2.0 * float(np.log(chol.diagonal()[:n]).sum())
        tail = chol[n:, n:]
        out = []
        for j in range(k):
            quad = self.c
            for m in range(j + 1):
                quad -= float(tail[j, m]) ** 2
            quad = max(quad, 1e-300)  # y_j^T A^-1 y_j
            variance = min(max(quad / n, VARIANCE_BOUNDS[0]), VARIANCE_BOUNDS[1])
            if not NOISE_BOUNDS[0] <= variance * ratio <= NOISE_BOUNDS[1]:
                out.append((-math.inf, variance))
                continue
            out.append((-0.5 * n * math.log(variance) - 0.5 * quad / variance - 0.5 * logdet + self.constant, variance))
        return out
