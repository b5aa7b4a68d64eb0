"""The before/after comparison of two surveys of one site.

The single source of the before/after numbers: the PDF report and the GUI Compare view both
print them from :class:`SurveyComparison`, which is made of the two surveys'
:class:`~survey.analysis.survey_analysis.SurveyAnalysis` on one grid, so the value at the
charger is each survey's verdict value and the maps are the surveys' own target maps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from survey.analysis.map_layer import MapLayer
from survey.analysis.survey_analysis import (
    FitCache,
    SurveyAnalysis,
    analyse_survey,
    analysis_grid,
)
from survey.analysis.thresholds import GOOD_DBM  # coverage counts cells at or above it
from survey.errors import UserInputError
from survey.project.model import Project, Survey
from survey.project.units import format_db, format_dbm
from survey.rf.propagation import SiteGrid

log = logging.getLogger(__name__)


class NoTargetSignalError(UserInputError):
    """A survey has no sample of the target network, so nothing can be mapped."""


class ComparisonError(UserInputError):
    """Two surveys cannot be compared as asked."""


def pick_before_after(project: Project) -> tuple[Survey, Survey] | None:
    """The two surveys to compare by default: the first and the last one holding samples."""
    with_samples = [s for s in project.surveys if s.samples]
    if len(with_samples) < 2:
        return None
    return with_samples[0], with_samples[-1]


def coverage_good_pct(rssi_dbm: np.ndarray, mask: np.ndarray) -> float:
    """Share in % of the ``mask`` cells at or above -65 dBm (0 when the mask is empty)."""
    n = int(mask.sum())
    if n == 0:
        return 0.0
    return 100.0 * float((rssi_dbm[mask] >= GOOD_DBM).sum()) / n


@dataclass(frozen=True, eq=False)
class SurveyComparison:
    """Two surveys of one site on one grid and one colour scale.

    ``difference_db`` (H, W) is after - before in dB (positive = better), NaN outside
    ``area_mask``: the cells inside the walls' extent that both surveys measured (within
    :data:`~survey.analysis.survey_analysis.COVERED_WITHIN_M` of a sample of each), so both
    percentages are of the same floor area and no colour is shown where one survey has no
    samples. ``coverage_good_pct_*`` is the share of that area at >= -65 dBm. The charger
    values are the two verdicts' (as the charger hears it).
    """

    before: SurveyAnalysis
    after: SurveyAnalysis
    vmin_dbm: float
    vmax_dbm: float
    difference_db: np.ndarray
    area_mask: np.ndarray
    area_m2: float
    coverage_good_pct_before: float
    coverage_good_pct_after: float

    @property
    def grid(self) -> SiteGrid:
        return self.before.grid

    @property
    def charger_rssi_before_dbm(self) -> float | None:
        return self.before.charger_dbm

    @property
    def charger_rssi_after_dbm(self) -> float | None:
        return self.after.charger_dbm

    @property
    def charger_delta_db(self) -> float | None:
        if self.charger_rssi_before_dbm is None or self.charger_rssi_after_dbm is None:
            return None
        return round(self.charger_rssi_after_dbm - self.charger_rssi_before_dbm, 1)

    @property
    def coverage_delta_pct(self) -> float:
        return self.coverage_good_pct_after - self.coverage_good_pct_before

    def summary_lines(self) -> tuple[str, ...]:
        """The before -> after figures as plain sentences (the PDF and the GUI print these)."""
        b, a = self.before, self.after
        lines = [
            f"Signal of '{b.target_ssid}' at or above {GOOD_DBM:.0f} dBm: "
            f"{self.coverage_good_pct_before:.0f} % of the measured floor area before, "
            f"{self.coverage_good_pct_after:.0f} % after ({self.coverage_delta_pct:+.0f} points).",
        ]
        if self.charger_delta_db is not None:
            lines.append(
                f"At the charger, as the charger hears it: {b.verdict.status} "
                f"{format_dbm(self.charger_rssi_before_dbm)} -> {a.verdict.status} "
                f"{format_dbm(self.charger_rssi_after_dbm)} ({format_db(self.charger_delta_db)})."
            )
        errors = []
        for label, s in (("before", b), ("after", a)):
            err = f"±{s.map_error_db:.1f} dB" if s.map_error_db is not None else "no error estimate"
            errors.append(f"{label} {s.map_words} ({err})")
        lines.append("Signal maps: " + "; ".join(errors) + ".")
        return tuple(lines)

    def as_dict(self) -> dict:
        """The numbers as JSON-ready values (for ``--json``)."""
        return {
            "before": self.before.survey_name,
            "after": self.after.survey_name,
            "target_ssid": self.before.target_ssid,
            "area_m2": round(self.area_m2, 2),
            "coverage_good_pct_before": round(self.coverage_good_pct_before, 1),
            "coverage_good_pct_after": round(self.coverage_good_pct_after, 1),
            "charger_rssi_before_dbm": self.charger_rssi_before_dbm,
            "charger_rssi_after_dbm": self.charger_rssi_after_dbm,
            "charger_delta_db": self.charger_delta_db,
            "verdict_before": self.before.verdict.status,
            "verdict_after": self.after.verdict.status,
            "map_before": {
                "method": self.before.map_method,
                "words": self.before.map_words,
                "loo_rmse_db": self.before.map_error_db,
            },
            "map_after": {
                "method": self.after.map_method,
                "words": self.after.map_words,
                "loo_rmse_db": self.after.map_error_db,
            },
        }


def _target_map(side: SurveyAnalysis) -> MapLayer:
    if side.target_map is None:
        raise NoTargetSignalError(
            f"Survey '{side.survey_name}' has no samples of the target network; take a few samples first."
        )
    return side.target_map


def compare_analyses(before: SurveyAnalysis, after: SurveyAnalysis) -> SurveyComparison:
    """The comparison of two analyses of one project made on one grid."""
    if before.survey is after.survey or (
        before.survey is not None
        and before.survey.id is not None
        and after.survey is not None
        and before.survey.id == after.survey.id
    ):
        raise ComparisonError("Pick two different surveys to compare (e.g. 'Before' and 'After').")
    mb, ma = _target_map(before), _target_map(after)
    measured, covered = before.measured_area_mask(), after.covered
    if measured is None or covered is None:
        # Both come from the heatmap that made the target map.
        raise ValueError("an analysis with a target map has its covered area")
    mask = measured & covered
    both = np.concatenate([mb.values[mask], ma.values[mask]])
    if both.size == 0:
        both = np.concatenate([mb.values.ravel(), ma.values.ravel()])
    vmin, vmax = float(np.nanmin(both)), float(np.nanmax(both))
    if vmax - vmin < 1.0:  # a flat map still needs a usable colour range
        vmin, vmax = vmin - 0.5, vmax + 0.5
    diff = np.where(mask, ma.values - mb.values, np.nan)
    step = before.grid.step_m
    return SurveyComparison(
        before=before,
        after=after,
        vmin_dbm=vmin,
        vmax_dbm=vmax,
        difference_db=diff,
        area_mask=mask,
        area_m2=float(mask.sum()) * step * step,
        coverage_good_pct_before=coverage_good_pct(mb.values, mask),
        coverage_good_pct_after=coverage_good_pct(ma.values, mask),
    )


def compare_surveys(
    project: Project, before: Survey, after: Survey, *, cache: FitCache | None = None, grid: SiteGrid | None = None
) -> SurveyComparison:
    """Compare two surveys of ``project`` on the project's analysis grid and one colour scale."""
    if before is after or (before.id is not None and before.id == after.id):
        raise ComparisonError("Pick two different surveys to compare (e.g. 'Before' and 'After').")
    grid = grid if grid is not None else analysis_grid(project)
    return compare_analyses(
        analyse_survey(project, before, grid=grid, cache=cache), analyse_survey(project, after, grid=grid, cache=cache)
    )
