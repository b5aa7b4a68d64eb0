"""Samples to spots: readings at the same spot (within 1 mm) are one spot, their value the
mean in mW. Every fit starts from these spots, and a refit recognises the spots it saw."""

from __future__ import annotations

import numpy as np

from survey.rf.propagation import finite_samples

#: Points within 1 mm are the same spot.
SAME_SPOT_M = 1e-3


def spot_keys(xy_m: np.ndarray) -> np.ndarray:
    """Integer (N, 2) keys of the 1 mm lattice: equal keys are the same spot."""
    return np.round(xy_m / SAME_SPOT_M).astype(np.int64)


def average_repeats(xy_m, rssi_dbm) -> tuple[np.ndarray, np.ndarray]:
    """Drop non-finite readings, then average readings at the same spot (within 1 mm) in mW.

    A receiver integrates power; averaging dBm biases low. Returns (xy_m (N, 2),
    rssi_dbm (N,)) with one row per distinct spot.
    """
    xy, z = finite_samples(xy_m, rssi_dbm)
    if xy.shape[0] == 0:
        return xy, z
    key = spot_keys(xy)
    key -= key.min(axis=0)
    rows = int(key[:, 1].max()) + 1
    if int(key[:, 0].max()) < np.iinfo(np.int64).max // rows:
        # One integer per spot, in the same (x, then y) order as unique rows: ~5x faster.
        uniq, inverse = np.unique(key[:, 0] * rows + key[:, 1], return_inverse=True)
    else:
        uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    mw = np.bincount(inverse, weights=10.0 ** (z / 10.0)) / np.bincount(inverse)
    first = np.full(uniq.shape[0], -1)
    first[inverse[::-1]] = np.arange(xy.shape[0])[::-1]
    return xy[first], 10.0 * np.log10(mw)
