"""How much of the measured floor area of one survey is good for a charger, and how much
loses packets: the figures under the report's signal map."""

from __future__ import annotations

from dataclasses import dataclass

from survey.analysis.survey_analysis import SurveyAnalysis
from survey.analysis.thresholds import GOOD_DBM, PACKET_LOSS_DBM


@dataclass(frozen=True)
class MeasuredCoverage:
    """Of the floor area inside the building that samples back (``area_m2``, m^2): the
    share in % at -65 dBm or better and the share below -75 dBm (packet loss)."""

    area_m2: float
    good_pct: float
    loss_pct: float


def measured_coverage(analysis: SurveyAnalysis) -> MeasuredCoverage | None:
    """The coverage of ``analysis``'s target map over its measured area (None without a map
    or without a measured cell)."""
    layer = analysis.target_map
    mask = analysis.measured_area_mask()
    if layer is None or mask is None or not mask.any():
        return None
    values = layer.values[mask]
    return MeasuredCoverage(
        area_m2=float(mask.sum()) * layer.grid.step_m**2,
        good_pct=100.0 * float((values >= GOOD_DBM).mean()),
        loss_pct=100.0 * float((values < PACKET_LOSS_DBM).mean()),
    )
