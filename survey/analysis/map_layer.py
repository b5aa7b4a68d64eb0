"""The maps a survey has, as values: which kind, on which grid, in which unit, made how,
and what one sample measured of each map's quantity.

Kept apart from :mod:`survey.analysis.survey_analysis` (which computes them and loads
scipy) so the GUI can name the layers, and label a sample it has just taken, without
importing the fitting stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from survey.analysis.target import sample_observations, target_rssi_at_sample
from survey.project.model import Sample
from survey.rf.channels import CCA_THRESHOLD_DBM, is_24ghz, observation_channel
from survey.rf.propagation import SiteGrid


class LayerKind(str, Enum):
    """The maps a survey has. The value is the stable name (settings, JSON)."""

    TARGET = "target"
    CONFIDENCE = "confidence"
    STRONGEST = "strongest"
    COCHANNEL = "cochannel"
    PREDICTED = "predicted"
    LOSS = "loss"
    LATENCY = "latency"

    @property
    def label(self) -> str:
        return {
            "target": "Target network (best BSS)",
            "confidence": "How sure the target map is (± dB)",
            "strongest": "Strongest signal of any BSS",
            "cochannel": "Co-channel BSSs at >= -82 dBm",
            "predicted": "Predicted by the wall model",
            "loss": "Packet loss to the gateway (link test)",
            "latency": "Round trip to the gateway, p95 (link test)",
        }[self.value]

    @property
    def unit(self) -> str:
        """The unit of the layer's values: "dBm", "dB" (an uncertainty), "BSSs" (a count), "%"
        (packet loss) or "ms" (round-trip time)."""
        return {"confidence": "dB", "cochannel": "BSSs", "loss": "%", "latency": "ms"}.get(self.value, "dBm")


@dataclass(frozen=True, eq=False)
class MapLayer:
    """One map over a grid. ``values`` (ny, nx) in ``kind.unit``; ``alpha`` (ny, nx) 0..1,
    how much the colour is backed by samples (None: everywhere, as for the model);
    ``method`` the exact method (JSON, engineer pages), ``method_words`` the same in plain
    words; ``loo_rmse_db`` its leave-one-out error (None where it has none)."""

    kind: LayerKind
    grid: SiteGrid
    values: np.ndarray
    alpha: np.ndarray | None
    n_points: int
    method: str
    method_words: str
    loo_rmse_db: float | None = None
    note: str = ""

    def value_at(self, x_m: float, y_m: float) -> float | None:
        """The value of the cell under (x_m, y_m); None outside the grid or where undefined."""
        i = int(round((y_m - float(self.grid.ys_m[0])) / self.grid.step_m))
        j = int(round((x_m - float(self.grid.xs_m[0])) / self.grid.step_m))
        ny, nx = self.grid.shape
        if 0 <= i < ny and 0 <= j < nx:
            v = float(self.values[i, j])
            return v if math.isfinite(v) else None
        return None


# -- what one sample measured of a layer's quantity ---------------------------------------------


def strongest_at_sample(sample: Sample) -> float | None:
    """The strongest RSSI (dBm) of any BSS heard at one sample; None when nothing was heard."""
    rssis = [o.rssi_dbm for o in sample_observations(sample) if o.rssi_dbm is not None]
    return max(rssis) if rssis else None


def cochannel_at_sample(sample: Sample, target, channel: int) -> int:
    """Other BSSs heard at one sample at >= -82 dBm on ``channel`` (the target's own not counted).

    -82 dBm is the 802.11 OFDM CCA threshold (IEEE 802.11-2020, 17.3.10.6, via
    ``survey.rf.channels``).
    """
    return sum(
        1
        for obs in sample_observations(sample)
        if obs.rssi_dbm is not None
        and obs.rssi_dbm >= CCA_THRESHOLD_DBM
        and is_24ghz(obs)
        and not (target is not None and target.matches(obs))
        and observation_channel(obs) == channel
    )


def sample_value(kind: LayerKind, sample: Sample, target, channel: int | None) -> float | None:
    """What one sample measured of the quantity a layer maps, in ``kind.unit``: the target's
    RSSI (target and predicted maps; the strongest network's when there is no target yet),
    the strongest RSSI, or the co-channel count on ``channel``. None where the sample has no
    such value: the target not heard, no channel known, and always for the confidence layer
    (an uncertainty is a property of the map, not of a measurement)."""
    kind = LayerKind(kind)
    if kind is LayerKind.CONFIDENCE:
        return None
    if kind is LayerKind.COCHANNEL:
        return None if channel is None else float(cochannel_at_sample(sample, target, channel))
    if kind is LayerKind.STRONGEST or target is None:
        return strongest_at_sample(sample)
    return target_rssi_at_sample(sample, target)
