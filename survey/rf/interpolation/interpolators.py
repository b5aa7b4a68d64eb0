"""The three interpolators, fitted to all samples: values at points and on lattices,
held-out residuals of a fold, and (the GP) a standard deviation.

* :class:`Idw`: inverse-distance weighting, power 2;
* :class:`Spline`: thin-plate spline with smoothing (the model of
  ``scipy.interpolate.RBFInterpolator(kernel="thin_plate_spline", smoothing=s)``);
* :class:`GaussianProcess`: kriging with a Matern nu = 1.5 kernel plus white noise.

Why the spline and the GP are solved here rather than by RBFInterpolator and
scikit-learn: neither gives the inverse of its system, which the closed-form cross-validated
error needs, nor evaluates on a lattice (float32, the distance split into x and y), which is
what keeps a fit plus its map inside the 50 ms budget; and both solve all N samples at once
(N^3), where above a size :class:`survey.rf.interpolation.local.LocalSystems` solves on tiles.
"""

from __future__ import annotations

import math

import numpy as np

from survey.rf.interpolation.hyper import GPHyper, normalise
from survey.rf.interpolation.kernels import FLOAT32_EPS, Matern15, ThinPlate, lattice_sq_dist, sq_dist
from survey.rf.interpolation.local import LocalSystems

#: The values are solved exactly up to this many samples (one Cholesky of 2,000: ~0.1 s),
#: on tiles of :data:`TILE_SAMPLES` above (see :mod:`survey.rf.interpolation.local`).
EXACT_MAX_SAMPLES = 2000
TILE_SAMPLES = 600
#: The GP's standard deviation costs N^2 per map cell (a triangular solve per cell): it is
#: exact up to this many samples and on tiles of this size above, half of them the tile's
#: own (the variance is more local than the mean). Measured against the exact one on 500
#: and 2,000 samples: within 1 % (tests/test_rf_interp_local.py).
STD_TILE_SAMPLES = 150
STD_CORE_SHARE = 0.5
#: Float32 kernel values are used on a lattice while their rounding provably moves no value
#: by more than this (dB): a tenth of the 1 dB step of a reading, a third of what upsampling
#: the 0.5 m lattice may move it (DESIGN.md). (The bound is the worst case; the errors seen
#: are ~10x smaller.)
LATTICE_TOLERANCE_DB = 0.1
#: Floor of the IDW distance (m), see :meth:`Idw._weighted`.
_IDW_FLOOR_M = 1e-6
#: Elements (queries x samples) per block of a direct evaluation: bounds memory to ~30 MB.
_BLOCK_ELEMENTS = 4_000_000


def idw_weighted(d2: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Inverse-square-distance weighted means (M, k) of ``values`` (N, k) for squared
    distances ``d2`` (M, N), which are overwritten (infinite ones get no weight).

    Distances are floored at 1 um, not at the 1 mm that makes two spots one: a sample within
    1 mm then outweighs one 10 cm away by 10^4 or more, so the value at a sample is its own
    to ~1e-4 of the value range without a special case.
    """
    np.maximum(d2, d2.dtype.type(_IDW_FLOOR_M**2), out=d2)
    np.reciprocal(d2, out=d2)
    sums = d2 @ np.column_stack([values, np.ones(values.shape[0])]).astype(d2.dtype)
    return (sums[:, :-1] / sums[:, -1:]).astype(np.float64, copy=False)


class Idw:
    """Inverse-distance weighting (power 2) of ``z`` at ``xy``; exact at the samples.

    With power 2 the surface is flat at every sample (it departs from the sample's value as
    the square of the distance), so a 0.5 m lattice upsampled with a cubic spline keeps its
    shape like the other interpolators'.
    """

    def __init__(self, xy: np.ndarray, z: np.ndarray):
        self.xy = xy
        self.z = z

    def _weighted(self, d2: np.ndarray) -> np.ndarray:
        return idw_weighted(d2, self.z[:, None])[:, 0]

    def __call__(self, q: np.ndarray) -> np.ndarray:
        out = np.empty(q.shape[0])
        step = max(1, _BLOCK_ELEMENTS // self.xy.shape[0])
        for s in range(0, q.shape[0], step):
            out[s : s + step] = self._weighted(sq_dist(q[s : s + step], self.xy))
        return out

    def lattice(self, xs: np.ndarray, ys: np.ndarray, d2: np.ndarray | None = None) -> np.ndarray:
        """Values on the lattice ``xs`` x ``ys``; ``d2``: its float32 squared distances to
        the samples, when already computed."""
        # Float32 weights: a weighted mean of values within their range moves by < 0.01 dB.
        if d2 is not None:
            return self._weighted(d2.copy()).reshape(ys.shape[0], xs.shape[0])
        out = np.empty((ys.shape[0], xs.shape[0]))
        rows = max(1, _BLOCK_ELEMENTS // max(1, xs.shape[0] * self.xy.shape[0]))
        for s in range(0, ys.shape[0], rows):
            d2 = lattice_sq_dist(xs, ys[s : s + rows], self.xy, np.float32)
            out[s : s + rows] = self._weighted(d2).reshape(-1, xs.shape[0])
        return out

    def held_out_residuals(self, test: np.ndarray) -> np.ndarray:
        """Prediction minus value at the samples ``test`` when they are all held out (one fold)."""
        d2 = sq_dist(self.xy[test], self.xy)
        d2[:, test] = np.inf
        return self._weighted(d2) - self.z[test]


class Spline:
    """Thin-plate spline with ``smoothing`` (added to the kernel diagonal, as RBFInterpolator does)."""

    def __init__(self, xy: np.ndarray, z: np.ndarray, smoothing: float):
        self.smoothing = smoothing
        self.systems = LocalSystems(xy, z, ThinPlate(), smoothing, True, EXACT_MAX_SAMPLES, TILE_SAMPLES)

    def __call__(self, q: np.ndarray) -> np.ndarray:
        return self.systems.values(q)

    def lattice(self, xs: np.ndarray, ys: np.ndarray, d2: np.ndarray | None = None) -> np.ndarray:
        return self.systems.lattice(xs, ys, LATTICE_TOLERANCE_DB, d2=d2)

    def held_out_residuals(self, test: np.ndarray) -> np.ndarray:
        return self.systems.held_out_residuals(test)


class GaussianProcess:
    """Kriging of ``z`` at ``xy`` with fixed hyperparameters ``hyper`` (on normalised values).

    The values are normalised to zero mean and unit variance first (scikit-learn's
    ``normalize_y``), so the hyperparameters carry over between sample sets of one survey.
    """

    def __init__(self, xy: np.ndarray, z: np.ndarray, hyper: GPHyper):
        self.hyper = hyper
        self.xy = xy
        self.y, self.mean, self.scale = normalise(z)
        self.kernel = Matern15(hyper.length_scale_m)
        self._systems: LocalSystems | None = None
        self._std_systems: LocalSystems | None = None

    @property
    def systems(self) -> LocalSystems:
        # Built on first use: a GP that only shapes another method's standard deviation
        # never solves for values.
        if self._systems is None:
            self._systems = LocalSystems(
                self.xy, self.y, self.kernel, self.hyper.noise_ratio, False, EXACT_MAX_SAMPLES, TILE_SAMPLES
            )
        return self._systems

    def __call__(self, q: np.ndarray) -> np.ndarray:
        return self.mean + self.scale * self.systems.values(q)

    def lattice(self, xs: np.ndarray, ys: np.ndarray, d2: np.ndarray | None = None) -> np.ndarray:
        return self.mean + self.scale * self.systems.lattice(xs, ys, LATTICE_TOLERANCE_DB / self.scale, d2=d2)

    def held_out_residuals(self, test: np.ndarray) -> np.ndarray:
        return self.scale * self.systems.held_out_residuals(test)

    # -- standard deviation -------------------------------------------------------------

    @property
    def std_systems(self) -> LocalSystems:
        if self._std_systems is None:
            if self._systems is not None and self._systems.max_system_samples() <= STD_TILE_SAMPLES:
                self._std_systems = self._systems
            else:
                self._std_systems = LocalSystems(
                    self.xy,
                    None,
                    self.kernel,
                    self.hyper.noise_ratio,
                    False,
                    STD_TILE_SAMPLES,
                    STD_TILE_SAMPLES,
                    STD_CORE_SHARE,
                )
        return self._std_systems

    def _float32_std(self) -> bool:
        # Float32 kernel values move k^T A^-1 k by at most 2 eps sqrt(m / noise_ratio) (|v| <= 1,
        # the smallest eigenvalue of A is at least the noise ratio); allowed while that stays
        # below 1e-3 of the smallest possible posterior variance share, ratio / (1 + ratio).
        ratio = self.hyper.noise_ratio
        m = self.std_systems.max_system_samples()
        return 2.0 * FLOAT32_EPS * math.sqrt(m / ratio) <= 1e-3 * ratio / (1.0 + ratio)

    def _std_from_explained(self, explained: np.ndarray) -> np.ndarray:
        return self.scale * np.sqrt(self.hyper.variance * np.maximum(1.0 - explained, 0.0))

    def std(self, q: np.ndarray) -> np.ndarray:
        """Posterior standard deviation (dB) of the field at ``q`` (M, 2), without the
        per-reading noise."""
        out = np.empty(q.shape[0])
        step = max(1, _BLOCK_ELEMENTS // STD_TILE_SAMPLES)
        f32 = self._float32_std()
        for s in range(0, q.shape[0], step):
            out[s : s + step] = self._std_from_explained(self.std_systems.explained(q[s : s + step], f32))
        return out

    def std_lattice(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """:meth:`std` on the lattice ``xs`` x ``ys``, (len(ys), len(xs))."""
        return self._std_from_explained(self.std_systems.explained_lattice(xs, ys, self._float32_std()))
