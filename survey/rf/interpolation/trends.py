"""Trends under the interpolation: a log-distance law from a known AP, or a given model.

The interpolators then fit the residual (value minus trend), which is flatter: with few
samples the trend carries the shape of the map (DESIGN.md: it helped with few samples and
hurt slightly with many, so the cross-validation chooses).
"""

from __future__ import annotations

import numpy as np

from survey.rf.propagation import SiteGrid, distance_db

#: Exponent bounds of the log-distance trend (indoor measurements: 1.6-6, Rappaport,
#: "Wireless Communications", 2nd ed., Table 4.2).
TREND_EXPONENT_BOUNDS = (1.5, 6.0)


class LogDistanceTrend:
    """rssi = a - n * 10 log10(d), intercept a (dBm) and exponent n fitted by least squares
    with n held within :data:`TREND_EXPONENT_BOUNDS`."""

    def __init__(self, ap_xy_m, xy: np.ndarray, z: np.ndarray):
        self.ap_xy_m = (float(ap_xy_m[0]), float(ap_xy_m[1]))
        f = distance_db(self.ap_xy_m, xy[:, 0], xy[:, 1])
        # Two parameters, one of them bounded: the box-constrained least squares is the free
        # fit, or (when its exponent is out of bounds) the nearer bound with the intercept
        # refitted -- the whole of what scipy.optimize.lsq_linear would compute, without
        # its ~1 ms of setup per fit.
        fc = f - f.mean()
        var = float(fc @ fc)
        n = -float(fc @ (z - z.mean())) / var if var > 0 else TREND_EXPONENT_BOUNDS[0]
        self.exponent = float(np.clip(n, *TREND_EXPONENT_BOUNDS))
        self.intercept_dbm = float((z + self.exponent * f).mean())

    def __call__(self, q: np.ndarray) -> np.ndarray:
        return self.intercept_dbm - self.exponent * distance_db(self.ap_xy_m, q[:, 0], q[:, 1])

    def predict_grid(self, grid: SiteGrid) -> np.ndarray:
        return self.intercept_dbm - self.exponent * distance_db(self.ap_xy_m, grid.xs_m[None, :], grid.ys_m[:, None])


class ModelTrend:
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
