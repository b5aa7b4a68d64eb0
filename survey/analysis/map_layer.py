"""The maps a survey has, as values: which kind, on which grid, in which unit, made how.

Kept apart from :mod:`survey.analysis.survey_analysis` (which computes them and loads
scipy) so the GUI can name the layers at start-up without importing the fitting stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

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
