"""The live map's pixels: a survey's map layer (:mod:`survey.analysis.live_map`) as an
RGBA image, made in a worker thread so the UI thread only hands a finished array to
pyqtgraph.

No number is computed here: :func:`compute_layer` asks
:func:`survey.analysis.live_map.live_map` for the layer, the survey's analysis and the
samples' values, and colours the layer; the charger readout, the method words and the
error come from the same analysis the Analysis panel, the CLI and the PDF read.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, fields

import numpy as np

from survey.analysis.fit_cache import FitCache
from survey.analysis.live_map import LiveMap, live_map
from survey.analysis.map_layer import LayerKind, MapLayer
from survey.project.link import LINK_MAP_LIMITS
from survey.project.model import Project
from survey.report import colormap
from survey.rf.propagation import SiteGrid

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
    return (
        float(grid.xs_m[0]) - grid.step_m / 2,
        float(grid.ys_m[0]) - grid.step_m / 2,
        nx * grid.step_m,
        ny * grid.step_m,
    )


@dataclass(frozen=True)
class LayerRequest:
    kind: LayerKind
    project: Project
    survey_id: int | None
    serial: int = 0
    #: The fits the GUI's workers share (survey.analysis.survey_analysis.FitCache); None fits afresh.
    cache: FitCache | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, eq=False)
class LayerImage(LiveMap):
    """A finished layer: the :class:`~survey.analysis.live_map.LiveMap` it shows and its RGBA
    image ``rgba`` (ny, nx, 4) uint8 with row 0 at the top (smallest y), None without a layer;
    ``serial`` the request's."""

    rgba: np.ndarray | None = None
    serial: int = 0


# -- colouring ------------------------------------------------------------------------------


def _overlay_alpha(shape: tuple[int, ...], alpha: np.ndarray | None) -> np.ndarray:
    """Opacity 0..255 (float) of each cell: ``alpha`` (0..1) scaled to the overlay's, or the overlay's everywhere
    when None (nothing faded)."""
    return np.full(shape, float(OVERLAY_ALPHA)) if alpha is None else np.clip(alpha, 0, 1) * OVERLAY_ALPHA


def rssi_rgba(values_dbm: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """RGBA uint8 of an RSSI grid with the shared -65/-75 dBm colour map (survey.report.colormap)."""
    rgb = colormap.heatmap_rgb(values_dbm)
    a = _overlay_alpha(values_dbm.shape, alpha)
    a[~np.isfinite(values_dbm)] = 0
    return np.dstack([rgb, np.round(a).astype(np.uint8)])


def count_rgba(counts: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """RGBA uint8 of a co-channel count grid: white (0) through orange to deep purple (5+)."""
    t = np.clip(np.nan_to_num(counts) / COCHANNEL_SCALE_MAX, 0, 1)[..., None]
    low, mid, high = np.array([1.0, 1.0, 1.0]), np.array([0.98, 0.60, 0.20]), np.array([0.35, 0.10, 0.45])
    rgb = np.where(t < 0.5, low + (mid - low) * (t / 0.5), mid + (high - mid) * ((t - 0.5) / 0.5))
    a = _overlay_alpha(counts.shape, alpha)
    return np.dstack([np.round(rgb * 255).astype(np.uint8), np.round(a).astype(np.uint8)])


def uncertainty_rgba(std_db: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """RGBA uint8 of a per-cell standard deviation (dB), on the PDF's "how sure" scale."""
    a = _overlay_alpha(std_db.shape, alpha)
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
        a = _overlay_alpha(layer.values.shape, layer.alpha)
        return np.dstack([colormap.level_rgb(layer.values, good, marginal), np.round(a).astype(np.uint8)])
    return rssi_rgba(layer.values, layer.alpha)


def link_limits(kind: LayerKind) -> tuple[float, float]:
    """(good up to, marginal up to) of a link layer: the link verdict's limits."""
    return LINK_MAP_LIMITS[LayerKind(kind).value]


# -- the worker's job -----------------------------------------------------------------------------


def compute_layer(request: LayerRequest) -> LayerImage:
    """The image of one layer of the chosen survey. Pure: safe to call in any thread."""
    t0 = time.perf_counter()
    live = live_map(request.project, request.survey_id, request.kind, cache=request.cache)
    values = {f.name: getattr(live, f.name) for f in fields(live)}
    if live.layer is None:
        return LayerImage(**values, serial=request.serial)
    rgba = layer_rgba(live.layer)
    values["timings_ms"] = {**live.timings_ms, "total": (time.perf_counter() - t0) * 1000}
    return LayerImage(**values, rgba=rgba, serial=request.serial)
