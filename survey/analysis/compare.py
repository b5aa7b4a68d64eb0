"""Heatmaps of the target network per survey, and the before/after comparison.

This module is the single source of the before/after numbers: the PDF report and the GUI
Compare view both print them from :class:`SurveyComparison`.

Per sample, the target network's signal is the best (strongest) 2.4 GHz RSSI among the BSSs
of the target network heard there (:mod:`survey.analysis.target`): a charger joins the
strongest BSS of its SSID, so the best BSS is what it will live on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from survey.errors import UserInputError
from survey.analysis.target import resolve_target, survey_observations, target_samples
from survey.analysis.thresholds import GOOD_DBM  # coverage counts cells at or above it
from survey.project.model import Project, Survey, TargetNetwork
from survey.rf.propagation import SiteGrid, site_grid
from survey.rf.interpolation import Heatmap, fit_heatmap

log = logging.getLogger(__name__)

#: A cell counts as measured within this distance of a sample. Installers walk a garage
#: with samples 1-2 m apart; farther than 3 m from every sample the colour is an
#: extrapolation across walls, so it is left out of coverage shares (the map fades it with
#: :meth:`survey.rf.interpolation.Heatmap.coverage_alpha`).
COVERED_WITHIN_M = 3.0

class NoTargetSignalError(UserInputError):
    """A survey has no sample that heard any network, so nothing can be mapped."""


class ComparisonError(UserInputError):
    """Two surveys cannot be compared as asked."""


# -- target signal per sample ---------------------------------------------------------------

def effective_target(project: Project, surveys: tuple[Survey, ...] | list[Survey] | None = None) -> TargetNetwork | None:
    """The project's target network, else the one :func:`survey.analysis.target.resolve_target`
    assumes from what ``surveys`` (default: all) heard. None when nothing named was heard."""
    chosen = project.surveys if surveys is None else tuple(surveys)
    observations = [obs for survey in chosen for obs in survey_observations(survey)]
    return resolve_target(project, observations).network


def target_rssi_per_sample(project: Project, survey: Survey, target: TargetNetwork | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Positions (N, 2) in metres and the target network's best 2.4 GHz BSS RSSI (N,) in dBm.

    ``target`` defaults to :func:`effective_target` of the project. Repeated samples at one
    spot are averaged in mW; samples that did not hear the target get
    :data:`survey.analysis.target.NOT_HEARD_DBM` (see :func:`survey.analysis.target.target_samples`).
    """
    if target is None:
        target = effective_target(project, (survey,))
    xy, rssi, _heard = target_samples(survey, target)
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(rssi, dtype=float)


# -- one survey's heatmap on a grid -----------------------------------------------------------

def grid_edges_m(grid: SiteGrid) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) of the cell edges of ``grid`` (its ``extent_m`` gives centres):
    where an image of the grid's cells goes on the plan."""
    h = grid.step_m / 2
    return (float(grid.xs_m[0] - h), float(grid.ys_m[0] - h), float(grid.xs_m[-1] + h), float(grid.ys_m[-1] + h))


def map_grid(project: Project, step_m: float = 0.1, margin_m: float = 0.5) -> SiteGrid:
    """The grid a project's maps are drawn on: its extent plus ``margin_m``, ``step_m`` cells.

    0.1 m is DESIGN.md's default display grid.
    """
    return site_grid(project.extent_m(margin_m), step_m)


def building_mask(project: Project, grid: SiteGrid) -> np.ndarray:
    """(H, W) bool: cells inside the walls' extent (the garage/building); the whole grid
    when the project has no walls."""
    if not project.walls:
        return np.ones(grid.shape, dtype=bool)
    xs = [c for w in project.walls for c in (w.x1_m, w.x2_m)]
    ys = [c for w in project.walls for c in (w.y1_m, w.y2_m)]
    inside_x = (grid.xs_m >= min(xs)) & (grid.xs_m <= max(xs))
    inside_y = (grid.ys_m >= min(ys)) & (grid.ys_m <= max(ys))
    return inside_y[:, None] & inside_x[None, :]


@dataclass(frozen=True, eq=False)
class SurveyHeatmap:
    """The target network's RSSI interpolated over the grid for one survey.

    ``rssi_dbm`` (H, W); ``distance_m`` (H, W) to the nearest sample; ``alpha`` (H, W) 0..1
    how much the colour is backed by samples (the heatmap's ``coverage_alpha``); ``covered`` (H, W) cells within
    :data:`COVERED_WITHIN_M` of a sample; ``loo_rmse_db`` the interpolation's
    leave-one-out error in dB; ``charger_rssi_dbm`` the interpolated value at the charger
    point (None without a charger device).
    """

    survey_name: str
    target_ssid: str
    grid: SiteGrid
    rssi_dbm: np.ndarray
    distance_m: np.ndarray
    alpha: np.ndarray
    covered: np.ndarray
    loo_rmse_db: float
    method: str
    sample_xy_m: np.ndarray
    sample_rssi_dbm: np.ndarray
    charger_rssi_dbm: float | None = None
    #: The fitted interpolation itself, so a verdict on this survey reads the same value
    #: as this map (one number per survey across the report).
    heatmap: Heatmap | None = None

    def value_at(self, x_m: float, y_m: float) -> float:
        """Interpolated RSSI in dBm at a point (nearest grid cell)."""
        j = int(np.clip(np.round((x_m - self.grid.xs_m[0]) / self.grid.step_m), 0, len(self.grid.xs_m) - 1))
        i = int(np.clip(np.round((y_m - self.grid.ys_m[0]) / self.grid.step_m), 0, len(self.grid.ys_m) - 1))
        return float(self.rssi_dbm[i, j])


def survey_heatmap(project: Project, survey: Survey, grid: SiteGrid | None = None, *,
                   target: TargetNetwork | None = None, step_m: float = 0.1) -> SurveyHeatmap:
    """Interpolate the target network's best-BSS RSSI of ``survey`` onto ``grid``.

    Raises :class:`NoTargetSignalError` when the survey has no usable sample.
    """
    if grid is None:
        grid = map_grid(project, step_m)
    if target is None:
        target = effective_target(project, (survey,))
    xy, rssi = target_rssi_per_sample(project, survey, target)
    if len(rssi) == 0:
        raise NoTargetSignalError(
            f"Survey '{survey.name}' has no samples of a named network; take a few samples first.")
    # The log-distance trend needs the one transmitter the signal comes from; with several
    # (router + mesh node after the fix) no single position explains the map.
    transmitters = [d for d in project.devices if d.kind.transmits and not d.planned]
    ap_xy = (transmitters[0].x_m, transmitters[0].y_m) if len(transmitters) == 1 else None
    model = fit_heatmap(xy, rssi, ap_xy_m=ap_xy)
    points = grid.xy_m
    values = np.asarray(model.predict_grid(grid), dtype=float).reshape(grid.shape)
    distance = np.asarray(model.distance_to_nearest_m(points), dtype=float).reshape(grid.shape)
    alpha = np.asarray(model.coverage_alpha(points), dtype=float).reshape(grid.shape)
    charger = project.charger
    at_charger = None
    if charger is not None:
        at_charger = float(np.asarray(model.predict(np.array([[charger.x_m, charger.y_m]])), dtype=float)[0])
    return SurveyHeatmap(
        survey_name=survey.name,
        target_ssid=target.ssid if target is not None else "",
        grid=grid,
        rssi_dbm=values,
        distance_m=distance,
        alpha=alpha,
        covered=distance <= COVERED_WITHIN_M,
        loo_rmse_db=float(model.loo_rmse_db),
        method=str(model.method),
        sample_xy_m=xy,
        sample_rssi_dbm=rssi,
        charger_rssi_dbm=at_charger,
        heatmap=model,
    )


# -- before/after -------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class SurveyComparison:
    """Two surveys of one site on one grid and one colour scale.

    ``difference_db`` (H, W) is after - before in dB (positive = better), NaN outside
    ``area_mask``. ``area_mask`` (H, W) is the area the coverage shares refer to: cells inside
    the walls' extent that both surveys measured (within :data:`COVERED_WITHIN_M` of a sample
    of each), so both percentages are of the same floor area. ``coverage_good_pct_*`` is the
    share of that area at >= -65 dBm. Charger values are the interpolated RSSI at the
    charger mounting point as the survey laptop hears it (None without a charger device).
    """

    before: SurveyHeatmap
    after: SurveyHeatmap
    vmin_dbm: float
    vmax_dbm: float
    difference_db: np.ndarray
    area_mask: np.ndarray
    area_m2: float
    coverage_good_pct_before: float
    coverage_good_pct_after: float
    charger_rssi_before_dbm: float | None
    charger_rssi_after_dbm: float | None

    @property
    def grid(self) -> SiteGrid:
        return self.before.grid

    @property
    def charger_delta_db(self) -> float | None:
        if self.charger_rssi_before_dbm is None or self.charger_rssi_after_dbm is None:
            return None
        return self.charger_rssi_after_dbm - self.charger_rssi_before_dbm

    @property
    def coverage_delta_pct(self) -> float:
        return self.coverage_good_pct_after - self.coverage_good_pct_before

    def summary_lines(self) -> tuple[str, ...]:
        """The before -> after figures as plain sentences (the PDF and the GUI print these)."""
        lines = [
            f"Signal of '{self.before.target_ssid}' at or above {GOOD_DBM:.0f} dBm: "
            f"{self.coverage_good_pct_before:.0f} % of the measured floor area before, "
            f"{self.coverage_good_pct_after:.0f} % after ({self.coverage_delta_pct:+.0f} points).",
        ]
        if self.charger_delta_db is not None:
            lines.append(
                f"At the charger point: {self.charger_rssi_before_dbm:.0f} dBm -> "
                f"{self.charger_rssi_after_dbm:.0f} dBm ({self.charger_delta_db:+.0f} dB).")
        lines.append(
            f"Heatmap error (leave-one-out): {self.before.loo_rmse_db:.1f} dB before, "
            f"{self.after.loo_rmse_db:.1f} dB after.")
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
            "charger_rssi_before_dbm": None if self.charger_rssi_before_dbm is None else round(self.charger_rssi_before_dbm, 1),
            "charger_rssi_after_dbm": None if self.charger_rssi_after_dbm is None else round(self.charger_rssi_after_dbm, 1),
            "charger_delta_db": None if self.charger_delta_db is None else round(self.charger_delta_db, 1),
            "loo_rmse_before_db": round(self.before.loo_rmse_db, 2),
            "loo_rmse_after_db": round(self.after.loo_rmse_db, 2),
        }


def coverage_good_pct(rssi_dbm: np.ndarray, mask: np.ndarray) -> float:
    """Share in % of the ``mask`` cells at or above -65 dBm (0 when the mask is empty)."""
    n = int(mask.sum())
    if n == 0:
        return 0.0
    return 100.0 * float((rssi_dbm[mask] >= GOOD_DBM).sum()) / n


def pick_before_after(project: Project) -> tuple[Survey, Survey] | None:
    """The two surveys to compare by default: the first and the last one holding samples."""
    with_samples = [s for s in project.surveys if s.samples]
    if len(with_samples) < 2:
        return None
    return with_samples[0], with_samples[-1]


def compare_surveys(project: Project, before: Survey, after: Survey, *, step_m: float = 0.1) -> SurveyComparison:
    """Compare two surveys of ``project`` on one grid (``step_m`` cells) and one colour scale."""
    if before is after or (before.id is not None and before.id == after.id):
        raise ComparisonError("Pick two different surveys to compare (e.g. 'Before' and 'After').")
    target = effective_target(project, (before, after))
    grid = map_grid(project, step_m)
    hb = survey_heatmap(project, before, grid, target=target)
    ha = survey_heatmap(project, after, grid, target=target)
    mask = building_mask(project, grid) & hb.covered & ha.covered
    both = np.concatenate([hb.rssi_dbm[mask], ha.rssi_dbm[mask]])
    if both.size == 0:
        both = np.concatenate([hb.rssi_dbm.ravel(), ha.rssi_dbm.ravel()])
    vmin, vmax = float(np.nanmin(both)), float(np.nanmax(both))
    if vmax - vmin < 1.0:  # a flat map still needs a usable colour range
        vmin, vmax = vmin - 0.5, vmax + 0.5
    diff = np.where(mask, ha.rssi_dbm - hb.rssi_dbm, np.nan)
    rb, ra = hb.charger_rssi_dbm, ha.charger_rssi_dbm
    return SurveyComparison(
        before=hb, after=ha, vmin_dbm=vmin, vmax_dbm=vmax, difference_db=diff, area_mask=mask,
        area_m2=float(mask.sum()) * step_m * step_m,
        coverage_good_pct_before=coverage_good_pct(hb.rssi_dbm, mask),
        coverage_good_pct_after=coverage_good_pct(ha.rssi_dbm, mask),
        charger_rssi_before_dbm=rb, charger_rssi_after_dbm=ra,
    )
