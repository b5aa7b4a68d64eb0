"""One kernel system, solved exactly: the linear algebra under the spline and the GP.

``(K + diag I) c + P d = y`` with ``P^T c = 0``, where K is a radial kernel between the
samples and P the linear polynomial [1, x, y] (thin-plate spline) or nothing (GP, whose
kernel is positive definite on its own). With a polynomial the system is solved on the
null space of P^T (Wendland, "Scattered Data Approximation", 2005, section 8.5): with
Q = [Q1 Q2] from a QR factorisation of P, ``Q2^T (K + diag I) Q2`` is positive definite for
a conditionally positive definite kernel such as r^2 log r, so both cases are a Cholesky
factorisation, and the leave-one-out residuals of either are one triangular solve away
(Rippa 1999, see :meth:`KernelSystem.held_out_residuals`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from survey.rf.interpolation.kernels import sq_dist

Kernel = Callable[[np.ndarray], np.ndarray]  # squared distance (overwritten) -> kernel value
#: Columns of the polynomial part (1, x, y).
POLY_TERMS = 3


class KernelSystem:
    """The factorised system of one set of samples ``xy`` (m, 2) and its coefficients for ``y``.

    ``y`` (m,) or (m, k): one or several right-hand sides (k fits sharing the factorisation),
    or None for a system only used for what the samples explain (a GP's standard deviation).
    Raises ``numpy.linalg.LinAlgError`` when the system is singular (e.g. a spline over
    samples that all lie on one straight line).
    """

    def __init__(self, xy: np.ndarray, y: np.ndarray | None, kernel: Kernel, diag: float, poly: bool):
        from scipy.linalg import lapack

        self.xy = xy
        self.kernel = kernel
        self.poly = poly
        m = xy.shape[0]
        k = kernel(sq_dist(xy, xy))
        k[np.diag_indices(m)] += diag
        y2 = None if y is None else y.reshape(m, -1)
        if not poly:
            self.chol = _cholesky(k)
            self.coef = None if y2 is None else _cho_solve(self.chol, y2)
            self.poly_coef = None
            return
        if m <= POLY_TERMS:
            raise np.linalg.LinAlgError("a spline needs more samples than polynomial terms")
        self.centre = xy.mean(axis=0)
        self.unit = float(np.ptp(xy, axis=0).max()) or 1.0
        p = self._poly(xy)
        qr, self.tau, _, info = lapack.dgeqrf(p)
        r_diag = np.abs(np.diag(qr[:POLY_TERMS]))
        if info != 0 or r_diag.min() <= 1e-9 * max(r_diag.max(), 1e-300):
            raise np.linalg.LinAlgError("samples on one straight line: the linear polynomial is not determined")
        # Q = I - V T V^T (the compact WY form of the three Householder reflectors, LAPACK
        # dlarft): applying it is a few rank-3 products, where dormqr on an m x m matrix
        # took longer than the Cholesky factorisation itself.
        v = np.tril(qr, -1)
        v[np.arange(POLY_TERMS), np.arange(POLY_TERMS)] = 1.0
        t_wy = np.zeros((POLY_TERMS, POLY_TERMS))
        for i in range(POLY_TERMS):
            t_wy[i, i] = self.tau[i]
            t_wy[:i, i] = -self.tau[i] * (t_wy[:i, :i] @ (v[:, :i].T @ v[:, i]))
        self.v, self.t_wy = v, t_wy
        kv = k @ v
        vkv = v.T @ kv
        left = kv @ t_wy  # Q^T K Q = K - V (K V T)^T - (K V T) V^T + V T^T (V^T K V) T V^T
        right = v @ (t_wy.T @ vkv @ t_wy)
        a = k - v @ left.T - (left - right) @ v.T
        self.chol = _cholesky(np.ascontiguousarray(a[POLY_TERMS:, POLY_TERMS:]))
        if y2 is None:
            raise ValueError("a system with a polynomial part (a spline) needs its values")
        w = self._apply_q(y2, transpose=True)
        t = _cho_solve(self.chol, w[POLY_TERMS:])
        full = np.zeros_like(w)
        full[POLY_TERMS:] = t
        self.coef = self._apply_q(full, transpose=False)
        # P d = y - (K + diag I) c, solved with the R of P = Q R.
        rhs = w[:POLY_TERMS] - a[:POLY_TERMS, POLY_TERMS:] @ t
        r = np.triu(qr[:POLY_TERMS, :POLY_TERMS])
        self.poly_coef = np.linalg.solve(r, rhs)

    def _poly(self, q: np.ndarray) -> np.ndarray:
        u = (q - self.centre) / self.unit
        return np.column_stack([np.ones(q.shape[0]), u[:, 0], u[:, 1]])

    def _fitted_coef(self) -> np.ndarray:
        if self.coef is None:
            raise ValueError("this system was built without values (for a standard deviation only): it fits nothing")
        return self.coef

    def _apply_q(self, c: np.ndarray, transpose: bool) -> np.ndarray:
        """Q^T c (``transpose``) or Q c for c (m, k)."""
        t = self.t_wy.T if transpose else self.t_wy
        return c - self.v @ (t @ (self.v.T @ c))

    def combine(self, kq: np.ndarray, q: np.ndarray | None, column: int = 0) -> np.ndarray:
        """Values at queries from their kernel block ``kq`` (M, m) and positions ``q`` (M, 2)."""
        coef = self._fitted_coef()[:, column]
        out = kq @ coef.astype(kq.dtype, copy=False)
        out = out.astype(np.float64, copy=False)
        if self.poly_coef is not None:
            if q is None:
                raise ValueError("a system with a polynomial part needs the queries' positions")
            out = out + self._poly(q) @ self.poly_coef[:, column]
        return out

    def _inverse_factor(self, idx: np.ndarray) -> np.ndarray:
        """V with V^T V the block (idx, idx) of the inverse of the system's kernel block.

        With a polynomial, of the top-left block of the inverse of the whole bordered
        matrix, ``Q2 (Q2^T K Q2)^-1 Q2^T`` (the same algebra as the block inverse in Rippa 1999).
        """
        from scipy.linalg import solve_triangular

        m = self.xy.shape[0]
        e = np.zeros((m, idx.shape[0]))
        e[idx, np.arange(idx.shape[0])] = 1.0
        if self.poly:
            e = self._apply_q(e, transpose=True)[POLY_TERMS:]
        return solve_triangular(self.chol, e, lower=True, check_finite=False)

    def held_out_residuals(self, idx: np.ndarray, column: int = 0) -> np.ndarray:
        """Prediction minus value at the samples ``idx`` when they are all held out together
        (one fold), in closed form.

        Rippa, "An algorithm for selecting a good value for the parameter c in radial basis
        function interpolation", Adv. Comput. Math. 11 (1999): the fit without sample i misses
        it by c_i / (A^-1)_ii; for a set T of samples by (A^-1)_TT^-1 c_T (Rasmussen &
        Williams 2006, eq. 5.12); with a diagonal term (smoothing, GP noise) the same holds.
        """
        v = self._inverse_factor(idx)
        return -np.linalg.solve(v.T @ v, self._fitted_coef()[idx, column])

    def explained(self, kq: np.ndarray) -> np.ndarray:
        """``diag(kq A^-1 kq^T)`` for a kernel block ``kq`` (M, m) (no polynomial): what the
        samples explain of each query's prior variance."""
        from scipy.linalg import solve_triangular

        v = solve_triangular(self.chol, kq.T, lower=True, check_finite=False)
        return np.einsum("ij,ij->j", v, v)


def _cholesky(a: np.ndarray) -> np.ndarray:
    from scipy.linalg import lapack

    chol, info = lapack.dpotrf(a, lower=1, clean=1, overwrite_a=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"kernel system not positive definite (dpotrf {info})")
    return chol


def _cho_solve(chol: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.linalg import lapack

    x, info = lapack.dpotrs(chol, b, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"dpotrs failed ({info})")
    return x
