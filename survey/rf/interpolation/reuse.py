"""A live survey refits after every sample: keep the last full selection while it still holds.

Given the previous fit of the same data set, a set that grew by under 20 % since the last
full selection keeps the chosen method and its parameters (GP hyperparameters, smoothing,
the standard-deviation scale) and only solves again, with the leave-one-out error still
computed on the new samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from survey.project.model import SAME_SPOT_M
from survey.rf.interpolation.selection import Choice

#: ``previous`` is reused only when the last full selection saw at least this many spots
#: (below it, each new sample can still change which method wins) ...
REUSE_MIN_POINTS = 30
#: ... and the spots grew by at most this share since then (then a full selection runs).
REUSE_MAX_GROWTH = 0.2
#: ... and at least this share of the previous spots are still there with the same value
#: (to 0.01 dB): otherwise it was another data set (another network, survey or layer).
REUSE_MIN_SHARED = 0.8


@dataclass(frozen=True)
class Selection:
    """What a full selection chose, and for which inputs, so a later fit can reuse it."""

    choice: Choice
    selected_at_n: int  # distinct spots when the candidates were compared
    ap_xy_m: tuple[float, float] | None
    model: object
    methods: frozenset


def reusable(previous, xy: np.ndarray, z: np.ndarray, ap, model, wanted: frozenset) -> Selection | None:
    """``previous``'s selection when it may be kept for the spots ``xy`` with values ``z``."""
    sel = previous._selection if previous is not None else None
    if sel is None or sel.selected_at_n < REUSE_MIN_POINTS:
        return None
    n = xy.shape[0]
    if n < previous.n_points or n > sel.selected_at_n * (1.0 + REUSE_MAX_GROWTH):
        return None
    if sel.ap_xy_m != ap or sel.model is not model or sel.methods != wanted:
        return None
    # Same data set, grown? Spots are compared on the SAME_SPOT_M lattice of average_repeats.
    now = dict(zip(map(tuple, np.round(xy / SAME_SPOT_M).astype(np.int64).tolist()), z.tolist()))
    keys = np.round(previous.xy_m / SAME_SPOT_M).astype(np.int64).tolist()
    shared = sum(
        1 for key, value in zip(keys, previous.rssi_dbm.tolist()) if abs(now.get(tuple(key), math.inf) - value) <= 0.01
    )
    return sel if shared >= REUSE_MIN_SHARED * previous.n_points else None
