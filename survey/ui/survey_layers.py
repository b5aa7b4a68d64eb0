"""The live map's pixels: a survey's map layer (computed by :mod:`survey.analysis`) as an
RGBA image, made in a worker thread so the UI thread only hands a finished array to
pyqtgraph.

No number is computed here: :func:`compute_layer` asks
:func:`survey.analysis.survey_analysis.analyse_survey` for the survey's analysis and colours
the layer it holds; the charger readout, the method words and the error come from the same
analysis the Analysis panel, the CLI and the PDF read.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from survey.analysis.fit_cache import FitCache
from survey.analysis.map_layer import LayerKind, MapLayer
from survey.project.link import LINK_MAP_LIMITS
from survey.project.model import Project, TargetNetwork
from survey.report import colormap
from survey.rf.propagation import SiteGrid

if TYPE_CHECKING:
    from survey.analysis.survey_analysis import SurveyAnalysis  # scipy: imported in the worker

log = logging.getLogger(__name__)

#: Opacity of the overlay where the map is well supported, so the plan stays readable.
OVERLAY_ALPHA = 200
#: Co-channel count that saturates the count colour scale: beyond 5 strong neighbours on
#: one channel airtime is already badly shared.
COCHANNEL_SCALE_MAX = 5
#: Uncertainty (dB) that saturates the confidence colour scale (shared with the PDF).
CONFIDENCE_SCALE_MAX_DB = colormap.UNCERTAINTY_MAX_DB


def image_rect_m(grid: SiteGrid) -> tuple[float, float, float, float]:
    """(x, y, width, height) in metres that an image of the grid's cells covers."""
    ny, nx = grid.shape
    return (float(grid.xs_m[0]) - grid.step_m / 2, float(grid.ys_m[0]) - grid.step_m / 2,
            nx * grid.step_m, ny * grid.step_m)


@dataclass(frozen=True)
class LayerRequest:
    kind: LayerKind
    project: Project
    survey_id: int | None
    serial: int = 0
    #: The fits the GUI's workers share (survey.analysis.survey_analysis.FitCache); None fits afresh.
    cache: FitCache | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, eq=False)
class LayerImage:
    """A finished layer: RGBA image (ny, nx, 4) uint8 with row 0 at the top (smallest y),
    the :class:`~survey.analysis.map_layer.MapLayer` it shows and the survey's analysis
    (``analysis``: :class:`~survey.analysis.survey_analysis.SurveyAnalysis`, None when the
    project has no survey).

    ``sample_values`` (sample id -> value in the layer's unit, None where there is none) is
    what each sample of the survey measured of the layer's quantity, for the dots and their
    labels, with the analysis' own ``target`` and co-channel ``channel``; ``target_heard``
    the target's bands and security as heard in the survey ("2.4 + 5 GHz", "WPA2-PSK").
    All made in the worker: on a large survey they walk every observation.
    """

    kind: LayerKind
    layer: MapLayer | None
    rgba: np.ndarray | None
    note: str
    analysis: SurveyAnalysis | None
    serial: int = 0
    timings_ms: dict = field(default_factory=dict, compare=False)
    sample_values: dict = field(default_factory=dict, compare=False)
    target: TargetNetwork | None = None
    channel: int | None = None
    target_heard: tuple[str, str] | None = None

    @property
    def grid(self) -> SiteGrid | None:
        return None if self.layer is None else self.layer.grid

    def value_at(self, x_m: float, y_m: float) -> float | None:
        return None if self.layer is None else self.layer.value_at(x_m, y_m)


# -- colouring ------------------------------------------------------------------------------

def rssi_rgba(values_dbm: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """RGBA uint8 of an RSSI grid with the shared -65/-75 dBm colour map (survey.report.colormap)."""
    rgb = colormap.heatmap_rgb(values_dbm)
    a = np.full(values_dbm.shape, float(OVERLAY_ALPHA)) if alpha is None else np.clip(alpha, 0, 1) * OVERLAY_ALPHA
    a[~np.isfinite(values_dbm)] = 0
    return np.dstack([rgb, np.round(a).astype(np.uint8)])


def count_rgba(counts: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """RGBA uint8 of a co-channel count grid: white (0) through orange to deep purple (5+)."""
    t = np.clip(np.nan_to_num(counts) / COCHANNEL_SCALE_MAX, 0, 1)[..., None]
    low, mid, high = np.array([1.0, 1.0, 1.0]), np.array([0.98, 0.60, 0.20]), np.array([0.35, 0.10, 0.45])
    rgb = np.where(t < 0.5, low + (mid - low) * (t / 0.5), mid + (high - mid) * ((t - 0.5) / 0.5))
    a = np.full(counts.shape, float(OVERLAY_ALPHA)) if alpha is None else np.clip(alpha, 0, 1) * OVERLAY_ALPHA
    return np.dstack([np.round(rgb * 255).astype(np.uint8), np.round(a).astype(np.uint8)])


def uncertainty_rgba(std_db: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """RGBA uint8 of a per-cell standard deviation (dB), on the PDF's "how sure" scale."""
    a = np.full(std_db.shape, float(OVERLAY_ALPHA)) if alpha is None else np.clip(alpha, 0, 1) * OVERLAY_ALPHA
    return np.dstack([colormap.uncertainty_rgb(std_db), np.round(a).astype(np.uint8)])


def layer_rgba(layer: MapLayer) -> np.ndarray:
    """The image of a layer, coloured for its unit."""
    if layer.kind is LayerKind.COCHANNEL:
        return count_rgba(layer.values, layer.alpha)
    if layer.kind is LayerKind.CONFIDENCE:
        # Full opacity: the uncertainty is the point of this layer, not faded by it.
        return uncertainty_rgba(layer.values, None)
    if layer.kind in (LayerKind.LOSS, LayerKind.LATENCY):
        good, marginal = link_limits(layer.kind)
        a = np.clip(layer.alpha, 0, 1) * OVERLAY_ALPHA
        return np.dstack([colormap.level_rgb(layer.values, good, marginal), np.round(a).astype(np.uint8)])
    return rssi_rgba(layer.values, layer.alpha)


def link_limits(kind: LayerKind) -> tuple[float, float]:
    """(good up to, marginal up to) of a link layer: the link verdict's limits."""
    return LINK_MAP_LIMITS[LayerKind(kind).value]


# -- the worker's job -----------------------------------------------------------------------------

def compute_layer(request: LayerRequest) -> LayerImage:
    """The image of one layer of the chosen survey. Pure: safe to call in any thread."""
    # survey.analysis.survey_analysis loads scipy (~1-2 s on a 2-core laptop): it is
    # imported here, in the worker thread, never while the window starts (DESIGN.md: <= 2 s).
    from survey.analysis.survey_analysis import analyse_survey

    from survey.analysis.map_layer import sample_value
    from survey.analysis.target import survey_observations
    from survey.ui.survey_settings import describe_network

    t0 = time.perf_counter()
    project = request.project
    survey = project.survey(request.survey_id) or project.active_survey
    kind = LayerKind(request.kind)
    analysis = analyse_survey(project, survey, cache=request.cache) if survey is not None else None
    layer = None if analysis is None else analysis.layer(kind)
    t_fit = time.perf_counter()
    target = analysis.target.network if analysis is not None else None
    channel = analysis.cochannel_channel if analysis is not None and kind is LayerKind.COCHANNEL else None
    samples = survey.samples if survey is not None else ()
    values = {s.id: sample_value(kind, s, target, channel) for s in samples}
    heard = None
    if target is not None:
        mine = [o for o in survey_observations(survey) if target.matches(o)]
        heard = describe_network(mine) if mine else None
    extra = {"sample_values": values, "target": target, "channel": channel, "target_heard": heard}
    if layer is None:
        note = (analysis.why_no_layer(kind) if analysis is not None
                else "no samples yet: click where you stand on the plan")
        return LayerImage(kind, None, None, note, analysis, request.serial, **extra)
    rgba = layer_rgba(layer)
    return LayerImage(kind, layer, rgba, layer.note, analysis, request.serial,
                      timings_ms={"analysis": (t_fit - t0) * 1000, "total": (time.perf_counter() - t0) * 1000},
                      **extra)
