"""One survey, one answer: every number a survey shows, computed once.

:func:`analyse_survey` takes a project, one of its surveys and a grid and computes what
every view of that survey shows: the target network (one rule for the whole project), the
target heatmap with its method, leave-one-out error and per-cell standard deviation, the
strongest-signal and co-channel layers, the predicted map of the radio model the
recommendation uses, and the verdict at the charger. The GUI's live layers, its Analysis
panel and Compare view, ``evsurvey recommend``, ``evsurvey report`` and the demo all read
their numbers from a :class:`SurveyAnalysis`; none fits a heatmap or a model of its own.

Fits are deterministic functions of their samples (no reuse of an earlier selection), so
two processes that analyse the same survey print the same numbers; a :class:`FitCache`
only spares computing the same fit twice (the GUI's map worker and its analysis worker
share one).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np

from survey.analysis.findings import Finding, find_issues
from survey.analysis.fit_cache import FitCache, digest as _digest
from survey.analysis.map_layer import LayerKind, MapLayer, channel_of, cochannel_at_sample, strongest_at_sample
from survey.analysis.radio import (
    RadioModel, build_model, coverage_grid_dbm, coverage_with, has_transmitter, router_samples,
)
from survey.analysis.target import (
    ResolvedTarget, is_24ghz, project_target, sample_observations, survey_observations, target_samples,
)
from survey.analysis.verdict import ModelEstimate, Verdict, round_db, verdict_at_charger
from survey.errors import UserInputError
from survey.project.model import ChargerProfile, Project, Survey
from survey.project.profiles import get_profile, with_offset

from survey.rf.propagation import SiteGrid, site_grid

log = logging.getLogger(__name__)

#: Pitch of the grid every map and every area share is computed on (DESIGN.md: 0.1 m is
#: the display grid). The GUI, the Compare view and the PDF use this one grid, so an area
#: share or a value under the cursor is the same number in all of them.
ANALYSIS_STEP_M = 0.1
#: Cells of that grid at most; a larger site gets a coarser pitch (0.1 m up to ~45 m x 45 m).
MAX_ANALYSIS_CELLS = 200_000
#: Margin around the project's extent (m) so samples on the edge sit inside a cell.
GRID_MARGIN_M = 0.5
#: A cell counts as measured within this distance of a sample. Installers walk a garage
#: with samples 1-2 m apart; farther than 3 m from every sample the colour is an
#: extrapolation across walls, so it is left out of area shares (and faded on the maps).
COVERED_WITHIN_M = 3.0
#: The fade of a map: full colour within 2 m of a sample, none beyond 5 m.
FADE_FULL_M, FADE_ZERO_M = 2.0, 5.0

#: Project setting overriding the profile's reception offset for this site (dB).
OFFSET_SETTING = "reception_offset_db"


def analysis_grid(project: Project, step_m: float = ANALYSIS_STEP_M) -> SiteGrid:
    """The grid of every map of ``project``: its extent plus a margin, ``step_m`` cells,
    coarser when the site would need more than :data:`MAX_ANALYSIS_CELLS`."""
    x0, y0, x1, y1 = project.extent_m(GRID_MARGIN_M)
    width, height = max(x1 - x0, step_m), max(y1 - y0, step_m)
    step = max(step_m, math.sqrt(width * height / MAX_ANALYSIS_CELLS))
    return site_grid((x0, y0, x0 + width, y0 + height), step)


def grid_edges_m(grid: SiteGrid) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) of the cell edges of ``grid`` (its ``extent_m`` gives
    centres): where an image of the grid's cells goes on the plan."""
    h = grid.step_m / 2
    return (float(grid.xs_m[0] - h), float(grid.ys_m[0] - h), float(grid.xs_m[-1] + h), float(grid.ys_m[-1] + h))


def building_mask(project: Project, grid: SiteGrid) -> np.ndarray:
    """(H, W) bool: cells inside the walls' extent; the whole grid without walls."""
    if not project.walls:
        return np.ones(grid.shape, dtype=bool)
    xs = [c for w in project.walls for c in (w.x1_m, w.x2_m)]
    ys = [c for w in project.walls for c in (w.y1_m, w.y2_m)]
    inside_x = (grid.xs_m >= min(xs)) & (grid.xs_m <= max(xs))
    inside_y = (grid.ys_m >= min(ys)) & (grid.ys_m <= max(ys))
    return inside_y[:, None] & inside_x[None, :]


def project_profile(project: Project) -> ChargerProfile:
    """The project's charger profile, with the site's own reception offset when one was entered."""
    profile = get_profile(project.charger_profile_id)
    offset = project.settings.get(OFFSET_SETTING)
    if isinstance(offset, (int, float)) and not isinstance(offset, bool) and math.isfinite(offset):
        profile = with_offset(profile, float(offset))
    return profile


def pick_survey(project: Project, name: str | None = None) -> Survey | None:
    """The survey called ``name`` (case-insensitive); without a name the latest survey that
    holds samples (else the latest survey). Never the survey last viewed in the GUI: what a
    command or a report shows follows from the project and its arguments only."""
    if name is None:
        with_samples = [s for s in project.surveys if s.samples]
        if with_samples:
            return with_samples[-1]
        return project.surveys[-1] if project.surveys else None
    survey = project.survey_named(name)
    if survey is None:
        known = ", ".join(repr(s.name) for s in project.surveys) or "none"
        raise UserInputError(f"There is no survey named {name!r} in this project (surveys: {known}).")
    return survey


# -- map layers -------------------------------------------------------------------------------

def heatmap_words(heatmap) -> str:
    """A fitted heatmap's method in plain words: "smoothed from 52 points"."""
    n = heatmap.n_points
    points = f"{n} point" + ("" if n == 1 else "s")
    method = str(heatmap.method)
    if method.startswith("idw"):
        words = f"weighted by distance from {points}"
    else:
        words = f"smoothed from {points}"
    if method.endswith("+log-distance"):
        words += ", following the fall-off from the router"
    elif method.endswith("+model"):
        words += ", following the wall model"
    return words


# -- fits shared between views --------------------------------------------------------------------


def _cached(cache: FitCache | None, key: bytes, compute: Callable[[], object]):
    return compute() if cache is None else cache.get(key, compute)


def _std_grid(heatmap, grid: SiteGrid, distance_m: np.ndarray) -> np.ndarray:
    """Per-cell standard deviation (dB) of a heatmap: the GP's posterior where the fit is a
    GP; otherwise its cross-validated error, growing with the distance to the nearest sample
    (at the fade distance it has doubled)."""
    std_grid = getattr(heatmap, "std_grid", None)
    if std_grid is not None:
        return np.asarray(std_grid(grid), dtype=float).reshape(grid.shape)
    std = heatmap.std_db(grid.xy_m)
    if std is not None:
        return np.asarray(std, dtype=float).reshape(grid.shape)
    loo = float(heatmap.loo_rmse_db)
    loo = loo if math.isfinite(loo) else 0.0
    return loo * (1.0 + distance_m / FADE_ZERO_M)


def _single_transmitter_xy(project: Project) -> tuple[float, float] | None:
    """The one transmitter the signal comes from, for the log-distance trend; None when
    several transmit (router + mesh node after the fix): no single position explains the map."""
    transmitters = [d for d in project.devices if d.kind.transmits and not d.planned]
    return (transmitters[0].x_m, transmitters[0].y_m) if len(transmitters) == 1 else None


def fit_values(xy_m: np.ndarray, values: np.ndarray, *, ap_xy_m=None, cache: FitCache | None = None):
    """The heatmap of per-sample values (None without samples): every map of a survey is
    fitted here, with the same method selection, so one set of samples has one map."""
    if len(xy_m) == 0:
        return None
    from survey.rf.interpolation import fit_heatmap  # scipy/sklearn: loaded in the worker, not at start-up

    ap = None if ap_xy_m is None else (float(ap_xy_m[0]), float(ap_xy_m[1]))
    return _cached(cache, _digest("heatmap", xy_m, values, ap),
                   lambda: fit_heatmap(xy_m, values, ap_xy_m=ap))


# -- per-sample values of the other layers -------------------------------------------------------

def strongest_samples(survey: Survey | None, not_heard_dbm: float):
    """(xy_m (N,2), rssi_dbm (N,)) of the strongest BSS of any network at each sample."""
    if survey is None:
        return np.zeros((0, 2)), np.zeros(0)
    xy, values = [], []
    for sample in survey.samples:
        rssi = strongest_at_sample(sample)
        xy.append((sample.x_m, sample.y_m))
        values.append(not_heard_dbm if rssi is None else rssi)
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(values, dtype=float)


def target_channel(survey: Survey | None, target) -> int | None:
    """The 2.4 GHz channel the target is heard on most strongly over the survey (power sum)."""
    if survey is None or target is None:
        return None
    power: dict[int, float] = {}
    for obs in survey_observations(survey):
        if obs.rssi_dbm is None or not target.matches(obs) or not is_24ghz(obs):
            continue
        ch = channel_of(obs)
        if ch is not None:
            power[ch] = power.get(ch, 0.0) + 10.0 ** (obs.rssi_dbm / 10.0)
    return max(power, key=lambda c: power[c]) if power else None


def cochannel_samples(survey: Survey | None, target, channel: int | None):
    """(xy_m (N,2), count (N,)) of other BSSs heard at >= -82 dBm on ``channel`` at each sample."""
    if survey is None or channel is None:
        return np.zeros((0, 2)), np.zeros(0)
    xy = [(sample.x_m, sample.y_m) for sample in survey.samples]
    counts = [cochannel_at_sample(sample, target, channel) for sample in survey.samples]
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(counts, dtype=float)


# -- the analysis of one survey -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SurveyAnalysis:
    """Everything one survey shows. Build it with :func:`analyse_survey`.

    ``sample_xy_m`` / ``sample_rssi_dbm`` / ``sample_heard`` are the target's readings per
    spot (repeats averaged in mW; not heard = :data:`survey.analysis.target.NOT_HEARD_DBM`);
    ``heatmap`` the one fit of them (None without samples); ``model`` the radio model of this
    survey (the one the recommendation's ladder uses); ``verdict`` the verdict at the charger.
    The maps are computed on first use, on ``grid``.
    """

    project: Project
    survey: Survey | None
    profile: ChargerProfile
    target: ResolvedTarget
    grid: SiteGrid
    sample_xy_m: np.ndarray
    sample_rssi_dbm: np.ndarray
    sample_heard: np.ndarray
    heatmap: object | None
    model: RadioModel
    verdict: Verdict
    cache: FitCache | None = None

    # -- what people read --------------------------------------------------------------------------
    @property
    def survey_name(self) -> str:
        return self.survey.name if self.survey is not None else ""

    @property
    def target_ssid(self) -> str:
        return self.target.network.ssid if self.target.network is not None else ""

    @property
    def charger_dbm(self) -> float | None:
        """The one number at the charger (as the charger hears it, 0.1 dB)."""
        return self.verdict.rssi_at_charger_dbm

    @property
    def map_words(self) -> str:
        """How the target map was made, in plain words ("" without samples)."""
        return heatmap_words(self.heatmap) if self.heatmap is not None else ""

    @property
    def map_method(self) -> str:
        return str(self.heatmap.method) if self.heatmap is not None else ""

    @property
    def map_error_db(self) -> float | None:
        """The target map's leave-one-out error (dB); None when it means nothing (one
        sample, or every value the same)."""
        if self.heatmap is None:
            return None
        loo = float(self.heatmap.loo_rmse_db)
        spread = float(np.ptp(self.sample_rssi_dbm)) if len(self.sample_rssi_dbm) else 0.0
        from survey.analysis.verdict import MIN_VALUE_SPREAD_DB
        return round_db(loo) if math.isfinite(loo) and spread >= MIN_VALUE_SPREAD_DB else None

    @cached_property
    def findings(self) -> tuple[Finding, ...]:
        return find_issues(survey_observations(self.survey), self.target.network)

    @property
    def model_at_charger_dbm(self) -> float | None:
        """The radio model's value at the charger, laptop view (what the Predicted map shows there)."""
        model = next((e for e in self.verdict.estimates if e.method == "model"), None)
        return None if model is None else model.rssi_dbm

    # -- maps --------------------------------------------------------------------------------------
    def layer(self, kind: LayerKind) -> MapLayer | None:
        """The map of ``kind`` on :attr:`grid`; None when there is nothing to draw (say why
        with :meth:`why_no_layer`)."""
        return {LayerKind.TARGET: lambda: self.target_map, LayerKind.CONFIDENCE: lambda: self.confidence_map,
                LayerKind.STRONGEST: lambda: self.strongest_map, LayerKind.COCHANNEL: lambda: self.cochannel_map,
                LayerKind.PREDICTED: lambda: self.predicted_map}[kind]()

    def why_no_layer(self, kind: LayerKind) -> str:
        if kind is LayerKind.PREDICTED:
            return "place the router (or an access point) on the plan to see the wall model"
        if self.survey is None or not self.survey.samples:
            return "no samples yet: click where you stand on the plan"
        if kind is LayerKind.COCHANNEL:
            return "the target network has not been heard on 2.4 GHz yet"
        if self.target.network is None:
            return "choose the target network (Survey > Target network)"
        return "no samples of the target network yet"

    @cached_property
    def _target_grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        if self.heatmap is None:
            return None
        hm, grid = self.heatmap, self.grid
        values = np.asarray(hm.predict_grid(grid), dtype=float).reshape(grid.shape)
        alpha = np.asarray(hm.coverage_alpha(grid.xy_m, FADE_FULL_M, FADE_ZERO_M), dtype=float).reshape(grid.shape)
        distance = np.asarray(hm.distance_to_nearest_m(grid.xy_m), dtype=float).reshape(grid.shape)
        return values, alpha, distance

    @cached_property
    def target_map(self) -> MapLayer | None:
        if self._target_grid is None:
            return None
        values, alpha, _distance = self._target_grid
        return MapLayer(LayerKind.TARGET, self.grid, values, alpha, self.heatmap.n_points, self.map_method,
                        self.map_words, self.map_error_db)

    @cached_property
    def covered(self) -> np.ndarray | None:
        """(ny, nx) bool: cells within :data:`COVERED_WITHIN_M` of a sample."""
        return None if self._target_grid is None else self._target_grid[2] <= COVERED_WITHIN_M

    @cached_property
    def confidence_map(self) -> MapLayer | None:
        """The per-cell standard deviation of the target map (dB): how sure each colour is."""
        hm = self.heatmap
        if hm is None:
            return None
        std = _std_grid(hm, self.grid, self._target_grid[2])
        _values, alpha, _distance = self._target_grid
        return MapLayer(LayerKind.CONFIDENCE, self.grid, std, alpha, hm.n_points, self.map_method,
                        "uncertainty of the map " + self.map_words, self.map_error_db)

    @cached_property
    def strongest_map(self) -> MapLayer | None:
        from survey.analysis.target import NOT_HEARD_DBM
        xy, values = strongest_samples(self.survey, NOT_HEARD_DBM)
        hm = fit_values(xy, values, cache=self.cache)
        if hm is None:
            return None
        grid = self.grid
        grid_values = np.asarray(hm.predict_grid(grid), dtype=float).reshape(grid.shape)
        alpha = np.asarray(hm.coverage_alpha(grid.xy_m, FADE_FULL_M, FADE_ZERO_M), dtype=float).reshape(grid.shape)
        loo = float(hm.loo_rmse_db)
        return MapLayer(LayerKind.STRONGEST, grid, grid_values, alpha, hm.n_points, str(hm.method),
                        heatmap_words(hm), round_db(loo) if math.isfinite(loo) else None)

    @cached_property
    def cochannel_channel(self) -> int | None:
        return target_channel(self.survey, self.target.network)

    @cached_property
    def cochannel_map(self) -> MapLayer | None:
        """Other BSSs at >= -82 dBm on the target's channel: a count is a property of a place,
        not a field to smooth, so each cell shows the nearest sample's count (Voronoi cells)."""
        xy, counts = cochannel_samples(self.survey, self.target.network, self.cochannel_channel)
        if len(xy) == 0:
            return None
        from scipy.spatial import cKDTree

        dist, idx = cKDTree(xy).query(self.grid.xy_m)
        values = counts[idx].reshape(self.grid.shape)
        alpha = np.clip((FADE_ZERO_M - dist) / (FADE_ZERO_M - FADE_FULL_M), 0.0, 1.0).reshape(self.grid.shape)
        return MapLayer(LayerKind.COCHANNEL, self.grid, values, alpha, len(xy), "nearest sample",
                        f"count at the nearest of {len(xy)} points", None,
                        note=f"channel {self.cochannel_channel}")

    @cached_property
    def predicted_map(self) -> MapLayer | None:
        """The radio model's map of the site as it is (every installed transmitter)."""
        if not has_transmitter(self.project):
            return None
        values = coverage_grid_dbm(self.model, self.project, (), self.grid)
        return MapLayer(LayerKind.PREDICTED, self.grid, values, None, 0, self.model.source, self.model.words,
                        round_db(self.model.loo_rmse_db))

    # -- area shares ---------------------------------------------------------------------------
    def measured_area_mask(self) -> np.ndarray | None:
        """Cells inside the building that a sample backs (within :data:`COVERED_WITHIN_M`)."""
        if self.covered is None:
            return None
        return building_mask(self.project, self.grid) & self.covered

    def to_json(self) -> dict:
        return {
            "survey": self.survey_name or None,
            "target": {"ssid": self.target.network.ssid if self.target.network is not None else None,
                       "note": self.target.reason},
            "samples": int(len(self.sample_rssi_dbm)),
            "map": {"method": self.map_method or None, "words": self.map_words or None,
                    "loo_rmse_db": self.map_error_db, "grid_step_m": round(self.grid.step_m, 3)},
            "model": {"source": self.model.source, "words": self.model.words,
                      "router_eirp_dbm": round(self.model.router_eirp_dbm, 1),
                      "exponent": round(self.model.exponent, 2),
                      "loo_rmse_db": round_db(self.model.loo_rmse_db),
                      "at_charger_dbm": round_db(self.model_at_charger_dbm)},
            "verdict": self.verdict.to_json(),
        }


def analyse_survey(project: Project, survey: Survey | None = None, *, profile: ChargerProfile | None = None,
                   grid: SiteGrid | None = None, cache: FitCache | None = None,
                   model: RadioModel | None = None) -> SurveyAnalysis:
    """The analysis of ``survey`` (default :func:`pick_survey`) of ``project``.

    ``grid`` defaults to :func:`analysis_grid`; ``profile`` to the project's; ``model`` may
    be given to reuse a radio model (the GUI does while a planned device is dragged);
    ``cache`` spares fitting the same samples twice.
    """
    if survey is None:
        survey = pick_survey(project)
    if profile is None:
        profile = project_profile(project)
    if grid is None:
        grid = analysis_grid(project)
    resolved = project_target(project)
    target = resolved.network
    xy, rssi, heard = target_samples(survey, target)
    heatmap = fit_values(xy, rssi, ap_xy_m=_single_transmitter_xy(project), cache=cache)
    if model is None:
        router_xy, router_rssi = router_samples(project, survey, target)
        router = project.router
        key = _digest("model", router_xy, router_rssi, None if router is None else (router.x_m, router.y_m,
                      router.eirp_dbm), project.walls, project.materials)
        model = _cached(cache, key, lambda: build_model(project, router_xy, router_rssi))
    charger = project.charger
    charger_xy = None if charger is None else (charger.x_m, charger.y_m)
    model_estimate = None
    if charger_xy is not None and has_transmitter(project):
        value = float(coverage_with(model, project, (), [charger_xy])[0])
        model_estimate = ModelEstimate(value, model.source == "calibrated", model.loo_rmse_db, model.words)
    verdict = verdict_at_charger(charger_xy, xy, rssi, profile, heatmap=heatmap,
                                 heatmap_words=heatmap_words(heatmap) if heatmap is not None else "",
                                 model=model_estimate, heard_any=bool(heard.any()))
    return SurveyAnalysis(project=project, survey=survey, profile=profile, target=resolved, grid=grid,
                          sample_xy_m=xy, sample_rssi_dbm=rssi, sample_heard=heard, heatmap=heatmap,
                          model=model, verdict=verdict, cache=cache)
