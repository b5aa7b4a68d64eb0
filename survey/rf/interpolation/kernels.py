"""Radial kernels of the fits, as functions of the squared distance, and fast ways to get it.

Every kernel here takes the squared distance (m^2) and computes the kernel value in place
(or in one new array), so a (query x sample) block costs one or two arrays. On a lattice of queries the squared distance
splits into an x part and a y part, and float32 arithmetic is ~10-20x faster than float64
(SIMD exp/log): that is how a 0.5 m map of a 30 m x 20 m site against 500 samples costs a
few milliseconds.
"""

from __future__ import annotations

import math

import numpy as np

#: Relative error of a float32 kernel value (machine epsilon of float32, ~1.2e-7).
FLOAT32_EPS = float(np.finfo(np.float32).eps)


def sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared distances (m^2) between the rows of ``a`` (M, 2) and ``b`` (N, 2), (M, N)."""
    from scipy.spatial.distance import cdist

    return cdist(a, b, "sqeuclidean")


def lattice_sq_dist(xs: np.ndarray, ys: np.ndarray, pts: np.ndarray, dtype=np.float64) -> np.ndarray:
    """Squared distances (m^2) from every node of the lattice ``xs`` x ``ys`` to ``pts`` (N, 2).

    Shape (len(ys) * len(xs), N), nodes in row-major order (y outer, x inner) like a
    (ny, nx) image.
    """
    dx2 = ((xs[:, None] - pts[None, :, 0]) ** 2).astype(dtype, copy=False)
    dy2 = ((ys[:, None] - pts[None, :, 1]) ** 2).astype(dtype, copy=False)
    return (dy2[:, None, :] + dx2[None, :, :]).reshape(len(ys) * len(xs), pts.shape[0])


#: Matern argument beyond which (1 + r) exp(-r) is below the rounding of 1, by item size.
_R_MAX = {4: 20.0, 8: 40.0}


class Matern15:
    """Matern nu = 1.5 correlation (1 + r) exp(-r), r = sqrt(3) d / length_scale.

    Rasmussen & Williams, "Gaussian Processes for Machine Learning" (2006), eq. 4.17.
    """

    def __init__(self, length_scale_m: float):
        self.length_scale_m = float(length_scale_m)

    def __call__(self, d2: np.ndarray) -> np.ndarray:
        """Kernel values for squared distances ``d2`` (m^2), computed in ``d2``'s memory."""
        d2 *= d2.dtype.type(3.0 / (self.length_scale_m * self.length_scale_m))
        # Beyond r = 40 (float64) or 20 (float32) the correlation is below the type's
        # rounding of 1: clamping there changes nothing, and keeps exp off its slow path
        # for large arguments (measured 2-4x slower) and float32 off subnormals.
        np.minimum(d2, d2.dtype.type(_R_MAX[d2.dtype.itemsize] ** 2), out=d2)
        np.sqrt(d2, out=d2)
        k = np.negative(d2)
        np.exp(k, out=k)  # in place: ~2x faster than np.exp(-d2) on small float64 blocks
        d2 += d2.dtype.type(1.0)
        d2 *= k
        return d2

    @staticmethod
    def bound(d2_max: np.ndarray) -> np.ndarray:
        """Largest |kernel| for squared distances up to ``d2_max`` (each)."""
        return np.ones_like(d2_max)


class ThinPlate:
    """Thin-plate spline kernel r^2 log r = d2 log(d2) / 2 (0 at r = 0).

    The same kernel (epsilon 1) as ``scipy.interpolate.RBFInterpolator(kernel="thin_plate_spline")``,
    so its smoothing values mean the same.
    """

    def __call__(self, d2: np.ndarray) -> np.ndarray:
        """Kernel values for squared distances ``d2`` (m^2), which are overwritten."""
        # The smallest normal number keeps log(0) finite and changes no other distance; added
        # in place, it is 2.5x faster than np.log(np.maximum(d2, tiny)) (measured).
        d2 += np.finfo(d2.dtype).tiny
        out = np.log(d2)
        out *= d2
        out *= d2.dtype.type(0.5)
        return out

    @staticmethod
    def bound(d2_max: np.ndarray) -> np.ndarray:
        """Largest |kernel| for squared distances up to ``d2_max`` (m^2, each): r^2 log r grows
        beyond r = 1 and is at least -1 / (2 e) below."""
        r2 = np.maximum(d2_max, 1.0)
        return np.maximum(0.5 * r2 * np.log(r2), 1.0 / (2.0 * math.e))
