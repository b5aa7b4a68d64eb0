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
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from survey.analysis.findings import Finding, find_issues
from survey.analysis.fit_cache import FitCache
from survey.analysis.fit_cache import digest as _digest
from survey.analysis.map_layer import LayerKind, MapLayer, cochannel_at_sample, strongest_at_sample
from survey.analysis.radio import (
    RadioModel,
    build_model,
    coverage_grid_dbm,
    coverage_with,
    has_transmitter,
    router_samples,
)
from survey.analysis.target import (
    ResolvedTarget,
    project_target,
    survey_observations,
    target_samples,
)
from survey.analysis.verdict import (
    MEASURED_RADIUS_M,
    OFFSET_FROM_PROFILE,
    OFFSET_FROM_SITE,
    ChargerReading,
    ModelEstimate,
    Verdict,
    round_db,
    verdict_at_charger,
)
from survey.errors import UserInputError
from survey.project.model import ChargerProfile, Project, Survey, dbm_to_mw
from survey.project.profiles import get_profile, with_offset
from survey.project.survey_devices import as_surveyed
from survey.rf.channels import is_24ghz, observation_channel
from survey.rf.propagation import SiteGrid, site_grid

if TYPE_CHECKING:
    from survey.rf.interpolation import Heatmap  # scipy: imported where a fit is made

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
#: Project setting: the RSSI the charger itself reports at its mounting point, and the survey
#: it was read during: ``{"rssi_dbm": -71.0, "survey": "Before"}``. It sets the offset.
CHARGER_READING_SETTING = "charger_reading"
#: Plausible charger readings (dBm): a radio reports nothing weaker than its noise floor and
#: nothing stronger than a transmitter a hand's width away.
CHARGER_READING_RANGE_DBM = (-100.0, -10.0)


def _site_offset(project: Project) -> float | None:
    offset = project.settings.get(OFFSET_SETTING)
    if isinstance(offset, (int, float)) and not isinstance(offset, bool) and math.isfinite(offset):
        return float(offset)
    return None


def charger_reading_setting(project: Project) -> ChargerReading | None:
    """The charger's own reading entered for this project (None when none, or unusable)."""
    value = project.settings.get(CHARGER_READING_SETTING)
    if not isinstance(value, dict):
        return None
    rssi = value.get("rssi_dbm")
    if not isinstance(rssi, (int, float)) or isinstance(rssi, bool) or not math.isfinite(rssi):
        return None
    lo, hi = CHARGER_READING_RANGE_DBM
    if not lo <= rssi <= hi:
        return None
    return ChargerReading(float(rssi), str(value.get("survey") or ""))


def with_charger_reading(project: Project, rssi_dbm: float | None, survey_name: str = "") -> Project:
    """``project`` with the charger's own reading set (None: removed); settings are copied.

    Raises :class:`UserInputError` for a value no charger reports."""
    settings = dict(project.settings)
    if rssi_dbm is None:
        settings.pop(CHARGER_READING_SETTING, None)
    else:
        lo, hi = CHARGER_READING_RANGE_DBM
        if not (math.isfinite(rssi_dbm) and lo <= rssi_dbm <= hi):
            raise UserInputError(
                f"A charger reports its signal between {lo:.0f} and {hi:.0f} dBm, not {rssi_dbm:g}: "
                "enter the RSSI its app or diagnostics show (a negative number, e.g. -68)."
            )
        settings[CHARGER_READING_SETTING] = {"rssi_dbm": round(float(rssi_dbm), 1), "survey": survey_name}
    return replace(project, settings=settings)


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
    """(H, W) bool: cells inside the building footprint (:mod:`survey.project.rooms`); the
    walls' extent when they close no room; the whole grid without walls."""
    if not project.walls:
        return np.ones(grid.shape, dtype=bool)
    from survey.project.rooms import site_rooms

    rooms = site_rooms(project)
    if rooms.closed:
        return rooms.inside(grid.xy_m).reshape(grid.shape)
    xs = [c for w in project.walls for c in (w.x1_m, w.x2_m)]
    ys = [c for w in project.walls for c in (w.y1_m, w.y2_m)]
    inside_x = (grid.xs_m >= min(xs)) & (grid.xs_m <= max(xs))
    inside_y = (grid.ys_m >= min(ys)) & (grid.ys_m <= max(ys))
    return inside_y[:, None] & inside_x[None, :]


def project_profile(project: Project) -> ChargerProfile:
    """The project's charger profile, with the site's own reception offset when one was entered."""
    profile = get_profile(project.charger_profile_id)
    offset = _site_offset(project)
    return profile if offset is None else with_offset(profile, offset)


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
    from survey.rf.interpolation import fit_heatmap  # scipy: loaded in the worker, not at start-up

    ap = None if ap_xy_m is None else (float(ap_xy_m[0]), float(ap_xy_m[1]))
    return _cached(cache, _digest("heatmap", xy_m, values, ap), lambda: fit_heatmap(xy_m, values, ap_xy_m=ap))


# -- per-sample values of the other layers -------------------------------------------------------


def strongest_samples(survey: Survey | None, not_heard_dbm: float):
    """(xy_m (N,2), rssi_dbm (N,)) of the strongest BSS of any network at each sample."""
    if survey is None:
        return np.zeros((0, 2)), np.zeros(0)
    xy, values = [], []
    for sample in (s for s in survey.samples if s.scans):  # link-only samples measured no signal
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
        ch = observation_channel(obs)
        if ch is not None:
            power[ch] = power.get(ch, 0.0) + dbm_to_mw(obs.rssi_dbm)
    return max(power, key=lambda c: power[c]) if power else None


def cochannel_samples(survey: Survey | None, target, channel: int | None):
    """(xy_m (N,2), count (N,)) of other BSSs heard at >= -82 dBm on ``channel`` at each sample."""
    if survey is None or channel is None:
        return np.zeros((0, 2)), np.zeros(0)
    scanned = [s for s in survey.samples if s.scans]
    xy = [(sample.x_m, sample.y_m) for sample in scanned]
    counts = [cochannel_at_sample(sample, target, channel) for sample in scanned]
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(counts, dtype=float)


def link_samples(survey: Survey | None, kind: LayerKind):
    """(xy_m (N,2), values (N,)) of the gateway link tests of a survey: loss in % or the p95
    round trip in ms. Tests that got no answer count as 100 % loss and have no round trip."""
    xy, values = [], []
    for sample in survey.samples if survey is not None else ():
        result = sample.link.gateway if sample.link is not None else None
        if result is None or result.sent == 0:
            continue
        if kind is LayerKind.LOSS:
            value = result.loss_pct
        elif result.rtt_p95_ms is not None:
            value = result.rtt_p95_ms
        else:
            continue
        xy.append((sample.x_m, sample.y_m))
        values.append(float(value))
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(values, dtype=float)


def link_at(survey: Survey | None, xy_m, radius_m: float):
    """The gateway link test of the sample nearest ``xy_m`` within ``radius_m`` (its
    :class:`~survey.netcheck.linktest_verdict.LinkAssessment`), None when none was made there."""
    from survey.netcheck.linktest_verdict import assess_gateway

    best, best_d = None, radius_m
    for sample in survey.samples if survey is not None else ():
        if sample.link is None or sample.link.gateway is None:
            continue
        d = math.hypot(sample.x_m - xy_m[0], sample.y_m - xy_m[1])
        if d <= best_d:
            best, best_d = sample, d
    return None if best is None else assess_gateway(best.link)


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
    heatmap: Heatmap | None
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
        return round_db(loo) if math.isfinite(loo) and not self.heatmap.degenerate else None

    @cached_property
    def findings(self) -> tuple[Finding, ...]:
        router = self.project.router
        return find_issues(
            survey_observations(self.survey), self.target.network, router.bssids if router is not None else ()
        )

    @property
    def model_at_charger_dbm(self) -> float | None:
        """The radio model's value at the charger, laptop view (what the Predicted map shows there)."""
        model = next((e for e in self.verdict.estimates if e.method == "model"), None)
        return None if model is None else model.rssi_dbm

    # -- maps --------------------------------------------------------------------------------------
    def layer(self, kind: LayerKind) -> MapLayer | None:
        """The map of ``kind`` on :attr:`grid`; None when there is nothing to draw (say why
        with :meth:`why_no_layer`)."""
        return {
            LayerKind.TARGET: lambda: self.target_map,
            LayerKind.CONFIDENCE: lambda: self.confidence_map,
            LayerKind.STRONGEST: lambda: self.strongest_map,
            LayerKind.COCHANNEL: lambda: self.cochannel_map,
            LayerKind.PREDICTED: lambda: self.predicted_map,
            LayerKind.LOSS: lambda: self._link_map(LayerKind.LOSS),
            LayerKind.LATENCY: lambda: self._link_map(LayerKind.LATENCY),
        }[kind]()

    def why_no_layer(self, kind: LayerKind) -> str:
        if kind is LayerKind.PREDICTED:
            return "place the router (or an access point) on the plan to see the wall model"
        if self.survey is None or not self.survey.samples:
            return "no samples yet: click where you stand on the plan"
        if kind is LayerKind.COCHANNEL:
            return "the target network has not been heard on 2.4 GHz yet"
        if kind in (LayerKind.LOSS, LayerKind.LATENCY):
            return 'no link test yet: turn on "Link test at each point" or run `evsurvey linktest --project`'
        if self.target.network is None:
            return "choose the target network (Survey > Target network)"
        return "no samples of the target network yet"

    @cached_property
    def _target_grid(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.heatmap is None:
            return None
        hm, grid = self.heatmap, self.grid
        values = np.asarray(hm.predict_grid(grid), dtype=float).reshape(grid.shape)
        alpha = np.asarray(hm.coverage_alpha_grid(grid, FADE_FULL_M, FADE_ZERO_M), dtype=float).reshape(grid.shape)
        return values, alpha

    @cached_property
    def target_map(self) -> MapLayer | None:
        hm, target_grid = self.heatmap, self._target_grid
        if hm is None or target_grid is None:  # the grid is there exactly when the heatmap is
            return None
        values, alpha = target_grid
        return MapLayer(
            LayerKind.TARGET, self.grid, values, alpha, hm.n_points, self.map_method, self.map_words, self.map_error_db
        )

    @cached_property
    def covered(self) -> np.ndarray | None:
        """(ny, nx) bool: cells within :data:`COVERED_WITHIN_M` of a sample, read off the fade
        (which falls linearly with the distance to the nearest sample)."""
        if self._target_grid is None:
            return None
        return self._target_grid[1] >= (FADE_ZERO_M - COVERED_WITHIN_M) / (FADE_ZERO_M - FADE_FULL_M) - 1e-9

    @cached_property
    def confidence_map(self) -> MapLayer | None:
        """The per-cell standard deviation of the target map (dB): how sure each colour is."""
        hm, target_grid = self.heatmap, self._target_grid
        if hm is None or target_grid is None:  # the grid is there exactly when the heatmap is
            return None
        std = np.asarray(hm.std_grid(self.grid), dtype=float).reshape(self.grid.shape)
        _values, alpha = target_grid
        return MapLayer(
            LayerKind.CONFIDENCE,
            self.grid,
            std,
            alpha,
            hm.n_points,
            self.map_method,
            "uncertainty of the map " + self.map_words,
            self.map_error_db,
        )

    @cached_property
    def strongest_map(self) -> MapLayer | None:
        from survey.analysis.target import NOT_HEARD_DBM

        xy, values = strongest_samples(self.survey, NOT_HEARD_DBM)
        hm = fit_values(xy, values, cache=self.cache)
        if hm is None:
            return None
        grid = self.grid
        grid_values = np.asarray(hm.predict_grid(grid), dtype=float).reshape(grid.shape)
        alpha = np.asarray(hm.coverage_alpha_grid(grid, FADE_FULL_M, FADE_ZERO_M), dtype=float).reshape(grid.shape)
        loo = float(hm.loo_rmse_db)
        return MapLayer(
            LayerKind.STRONGEST,
            grid,
            grid_values,
            alpha,
            hm.n_points,
            str(hm.method),
            heatmap_words(hm),
            round_db(loo) if math.isfinite(loo) else None,
        )

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
        return MapLayer(
            LayerKind.COCHANNEL,
            self.grid,
            values,
            alpha,
            len(xy),
            "nearest sample",
            f"count at the nearest of {len(xy)} points",
            None,
            note=f"channel {self.cochannel_channel}",
        )

    def _link_map(self, kind: LayerKind) -> MapLayer | None:
        """Loss or p95 round trip of the link tests: like a count, a measured link is a
        property of the place it was measured at, so each cell shows the nearest test's."""
        xy, values = link_samples(self.survey, kind)
        if len(xy) == 0:
            return None
        from scipy.spatial import cKDTree

        dist, idx = cKDTree(xy).query(self.grid.xy_m)
        alpha = np.clip((FADE_ZERO_M - dist) / (FADE_ZERO_M - FADE_FULL_M), 0.0, 1.0).reshape(self.grid.shape)
        return MapLayer(
            kind,
            self.grid,
            values[idx].reshape(self.grid.shape),
            alpha,
            len(xy),
            "nearest sample",
            f"measured at the nearest of {len(xy)} link tests",
            None,
        )

    @cached_property
    def predicted_map(self) -> MapLayer | None:
        """The radio model's map of the site as it is (every installed transmitter)."""
        if not has_transmitter(self.project):
            return None
        values = coverage_grid_dbm(self.model, self.project, (), self.grid)
        return MapLayer(
            LayerKind.PREDICTED,
            self.grid,
            values,
            None,
            0,
            self.model.source,
            self.model.words,
            round_db(self.model.loo_rmse_db),
        )

    # -- area shares ---------------------------------------------------------------------------
    def measured_area_mask(self) -> np.ndarray | None:
        """Cells inside the building that a sample backs (within :data:`COVERED_WITHIN_M`)."""
        if self.covered is None:
            return None
        return building_mask(self.project, self.grid) & self.covered

    def to_json(self) -> dict:
        return {
            "survey": self.survey_name or None,
            "target": {
                "ssid": self.target.network.ssid if self.target.network is not None else None,
                "note": self.target.reason,
            },
            "samples": int(len(self.sample_rssi_dbm)),
            "map": {
                "method": self.map_method or None,
                "words": self.map_words or None,
                "loo_rmse_db": self.map_error_db,
                "grid_step_m": round(self.grid.step_m, 3),
            },
            "model": {
                "source": self.model.source,
                "words": self.model.words,
                "router_eirp_dbm": round(self.model.router_eirp_dbm, 1),
                "exponent": round(self.model.exponent, 2),
                "loo_rmse_db": round_db(self.model.loo_rmse_db),
                "error_db": round_db(self.model.error_db),
                "at_charger_dbm": round_db(self.model_at_charger_dbm),
                "calibration": None if self.model.calibration is None else self.model.calibration.to_json(),
            },
            "verdict": self.verdict.to_json(),
        }


def _reading_for(
    project: Project, survey: Survey | None, reading: ChargerReading | None, profile, grid, cache
) -> ChargerReading | None:
    """The charger's reading with the laptop's estimate at the charger in the survey it was
    read during, when that is another survey (the After survey keeps the Before reading's
    offset); None when the reading's survey is gone or has no estimate there."""
    if reading is None or survey is None:
        return None
    if not reading.survey or reading.survey.casefold() == survey.name.casefold():
        return reading
    source = project.survey_named(reading.survey)
    if source is None:
        log.info("The charger reading's survey %r is gone: reading ignored", reading.survey)
        return None
    chosen = analyse_survey(project, source, profile=profile, grid=grid, cache=cache, use_reading=False).verdict.chosen
    if chosen is None:
        return None
    return replace(reading, laptop_dbm=chosen.rssi_dbm)


def analyse_survey(
    project: Project,
    survey: Survey | None = None,
    *,
    profile: ChargerProfile | None = None,
    grid: SiteGrid | None = None,
    cache: FitCache | None = None,
    model: RadioModel | None = None,
    use_reading: bool = True,
) -> SurveyAnalysis:
    """The analysis of ``survey`` (default :func:`pick_survey`) of ``project``.

    ``grid`` defaults to :func:`analysis_grid`; ``profile`` to the project's; ``model`` may
    be given to reuse a radio model (the GUI does while a planned device is dragged);
    ``cache`` spares fitting the same samples twice. The charger's own reading, when one was
    entered (:data:`CHARGER_READING_SETTING`), sets the reception offset (``use_reading``
    False ignores it) and the returned ``profile`` carries that offset.
    """
    if survey is None:
        survey = pick_survey(project)
    # The site as this survey saw it: "Before" keeps its number when a node is installed for "After".
    project = as_surveyed(project, survey)
    own_profile = profile is None
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
        key = _digest(
            "model",
            router_xy,
            router_rssi,
            None if router is None else (router.x_m, router.y_m, router.eirp_dbm),
            project.walls,
            project.materials,
        )
        model = _cached(cache, key, lambda: build_model(project, router_xy, router_rssi))
    charger = project.charger
    charger_xy = None if charger is None else (charger.x_m, charger.y_m)
    model_estimate = None
    if charger_xy is not None and has_transmitter(project):
        value = float(coverage_with(model, project, (), [charger_xy])[0])
        model_estimate = ModelEstimate(value, model.source == "calibrated", model.loo_rmse_db, model.words)
    reading = (
        _reading_for(project, survey, charger_reading_setting(project), profile, grid, cache) if use_reading else None
    )
    link = None if charger_xy is None else link_at(survey, charger_xy, MEASURED_RADIUS_M)
    verdict = verdict_at_charger(
        charger_xy,
        xy,
        rssi,
        profile,
        heatmap=heatmap,
        heatmap_words=heatmap_words(heatmap) if heatmap is not None else "",
        model=model_estimate,
        heard_any=bool(heard.any()),
        reading=reading,
        heard=heard,
        offset_source=OFFSET_FROM_SITE if own_profile and _site_offset(project) is not None else OFFSET_FROM_PROFILE,
        link=link,
    )
    if verdict.reception_offset_db != profile.reception_offset_db:
        profile = with_offset(profile, verdict.reception_offset_db)  # set by the charger's own reading
    return SurveyAnalysis(
        project=project,
        survey=survey,
        profile=profile,
        target=resolved,
        grid=grid,
        sample_xy_m=xy,
        sample_rssi_dbm=rssi,
        sample_heard=heard,
        heatmap=heatmap,
        model=model,
        verdict=verdict,
        cache=cache,
    )
