"""What the live map shows, computed without Qt so it can run in a worker thread.

Four layers over the site: the target network's RSSI (best BSS of its SSID, 2.4 GHz),
the strongest signal of any BSS, the number of co-channel BSSs at >= -82 dBm, and the
wall model's prediction. Each is turned into an RGBA image here (numpy only), so the UI
thread only hands a finished array to pyqtgraph.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from survey.analysis.target import (
    NOT_HEARD_DBM, is_24ghz, resolve_target, survey_observations, target_samples,
)
from survey.project.model import Project, Survey, TargetNetwork, dbm_to_mw
from survey.report import colormap
from survey.rf import propagation
from survey.rf.channels import CCA_THRESHOLD_DBM, freq_to_channel
from survey.rf.propagation import SiteGrid, site_grid

log = logging.getLogger(__name__)

#: Grid pitch of the live map. DESIGN.md: evaluating at 0.5 m and upsampling to 0.1 m
#: moved values by <= 0.3 dB, so a 0.25 m grid loses nothing visible and keeps a fit of
#: 500 samples well inside the 50 ms budget.
LIVE_GRID_STEP_M = 0.25
#: Cap on grid cells so a very large site does not make the live map slow: the pitch grows.
MAX_GRID_CELLS = 40_000
#: Opacity of the overlay where the map is well supported, so the plan stays readable.
OVERLAY_ALPHA = 200
#: Co-channel count that saturates the count colour scale: beyond 5 strong neighbours on
#: one channel airtime is already badly shared.
COCHANNEL_SCALE_MAX = 5


class LayerKind(str, Enum):
    TARGET = "target"
    STRONGEST = "strongest"
    COCHANNEL = "cochannel"
    PREDICTED = "predicted"

    @property
    def label(self) -> str:
        return {
            "target": "Target network (best BSS)",
            "strongest": "Strongest signal of any BSS",
            "cochannel": "Co-channel BSSs at >= -82 dBm",
            "predicted": "Predicted from the wall model",
        }[self.value]


def live_grid(project: Project, step_m: float = LIVE_GRID_STEP_M, margin_m: float = 0.5) -> SiteGrid:
    """The grid of the live map over the project's extent; coarser on very large sites."""
    x0, y0, x1, y1 = project.extent_m(margin_m)
    width, height = max(x1 - x0, step_m), max(y1 - y0, step_m)
    step = max(step_m, math.sqrt(width * height / MAX_GRID_CELLS))
    return site_grid((x0, y0, x0 + width, y0 + height), step)


def image_rect_m(grid: SiteGrid) -> tuple[float, float, float, float]:
    """(x, y, width, height) in metres that an image of the grid's cells covers."""
    ny, nx = grid.shape
    return (float(grid.xs_m[0]) - grid.step_m / 2, float(grid.ys_m[0]) - grid.step_m / 2,
            nx * grid.step_m, ny * grid.step_m)


class HeatmapCache:
    """The last heatmap fitted per (layer, survey), so the same samples are never fitted twice.

    The live map refits after every sample; the target network's heatmap also gives the
    readout at the charger whatever layer is drawn. Keeping the last fit per key means a
    layer switch, a device edit or the charger readout reuse it instead of refitting.
    Thread-safe: the worker thread fills it, the UI thread may clear it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[bytes, object]] = {}

    @staticmethod
    def _digest(xy_m: np.ndarray, values: np.ndarray) -> bytes:
        xy = np.ascontiguousarray(xy_m, dtype=np.float64)
        z = np.ascontiguousarray(values, dtype=np.float64)
        return hashlib.blake2b(xy.tobytes() + b"|" + z.tobytes(), digest_size=16).digest()

    def fit(self, key: tuple, xy_m: np.ndarray, values: np.ndarray):
        """The heatmap of (xy_m, values): the cached one when the samples are unchanged."""
        digest = self._digest(xy_m, values)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] == digest:
            return entry[1]
        # A walk adds one sample at a time: the last fit of this layer lets fit_heatmap keep
        # its method and hyperparameters and only solve again (~10x faster at 500 samples).
        heatmap = fit_layer_heatmap(xy_m, values, previous=None if entry is None else entry[1])
        with self._lock:
            self._entries[key] = (digest, heatmap)
        return heatmap

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def fit_layer_heatmap(xy_m: np.ndarray, values: np.ndarray, previous=None):
    """One heatmap fit (survey.rf.interpolation.fit_heatmap) of per-sample values.

    ``previous``: this layer's last heatmap of the same survey; fit_heatmap decides
    whether its method selection still holds (see its docstring).
    """
    # Imported here, in the worker thread: survey.rf.interpolation loads scipy and sklearn
    # (~2 s on a 2-core laptop), which must not delay the window (DESIGN.md: shown <= 2 s).
    from survey.rf.interpolation import fit_heatmap

    return fit_heatmap(xy_m, values, previous=previous)


@dataclass(frozen=True)
class LayerRequest:
    kind: LayerKind
    project: Project
    survey_id: int | None
    serial: int = 0
    step_m: float = LIVE_GRID_STEP_M
    #: Fits of earlier requests to reuse (the controller keeps one); None fits afresh.
    cache: HeatmapCache | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class LayerImage:
    """A finished layer: RGBA image (ny, nx, 4) uint8 with row 0 at the top (smallest y)."""

    kind: LayerKind
    grid: SiteGrid | None
    rgba: np.ndarray | None
    values: np.ndarray | None  # (ny, nx) in the layer's unit (dBm or a count)
    n_points: int
    loo_rmse_db: float | None = None
    method: str = ""
    note: str = ""
    target: TargetNetwork | None = None
    target_note: str = ""
    charger_interp_dbm: float | None = None
    charger_predicted_dbm: float | None = None
    serial: int = 0
    timings_ms: dict = field(default_factory=dict, compare=False)

    def value_at(self, x_m: float, y_m: float) -> float | None:
        if self.grid is None or self.values is None:
            return None
        i = int(round((y_m - float(self.grid.ys_m[0])) / self.grid.step_m))
        j = int(round((x_m - float(self.grid.xs_m[0])) / self.grid.step_m))
        ny, nx = self.grid.shape
        if 0 <= i < ny and 0 <= j < nx:
            v = float(self.values[i, j])
            return v if math.isfinite(v) else None
        return None


# -- per-sample values ----------------------------------------------------------------------

def strongest_samples(survey: Survey | None):
    """(xy_m (N,2), rssi_dbm (N,)) of the strongest BSS of any network at each sample."""
    if survey is None:
        return np.zeros((0, 2)), np.zeros(0)
    xy, values = [], []
    for sample in survey.samples:
        rssis = [o.rssi_dbm for o in sample.observations if o.rssi_dbm is not None]
        xy.append((sample.x_m, sample.y_m))
        values.append(max(rssis) if rssis else NOT_HEARD_DBM)
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(values, dtype=float)


def target_channel(survey: Survey | None, target: TargetNetwork | None) -> int | None:
    """The 2.4 GHz channel the target is heard on most strongly over the survey."""
    if survey is None or target is None:
        return None
    best: dict[int, float] = {}
    for obs in survey_observations(survey):
        if obs.rssi_dbm is None or not target.matches(obs) or not is_24ghz(obs):
            continue
        ch = freq_to_channel(obs.freq_mhz) if obs.freq_mhz else obs.channel
        if ch is not None:
            best[ch] = best.get(ch, 0.0) + dbm_to_mw(obs.rssi_dbm)
    return max(best, key=lambda c: best[c]) if best else None


def cochannel_samples(survey: Survey | None, target: TargetNetwork | None):
    """(xy_m (N,2), count (N,)) of other BSSs heard at >= -82 dBm on the target's channel.

    The channel is the target's main 2.4 GHz channel over the survey (a charger stays on
    one); the target's own BSSs are not counted. -82 dBm is the 802.11 OFDM CCA threshold
    (IEEE 802.11-2020, 17.3.10.6, via ``survey.rf.channels``).
    """
    channel = target_channel(survey, target)
    if survey is None or channel is None:
        return np.zeros((0, 2)), np.zeros(0), None
    xy, counts = [], []
    for sample in survey.samples:
        n = 0
        for obs in sample.observations:
            if obs.rssi_dbm is None or obs.rssi_dbm < CCA_THRESHOLD_DBM or not is_24ghz(obs):
                continue
            if target is not None and target.matches(obs):
                continue
            ch = freq_to_channel(obs.freq_mhz) if obs.freq_mhz else obs.channel
            if ch == channel:
                n += 1
        xy.append((sample.x_m, sample.y_m))
        counts.append(n)
    return np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(counts, dtype=float), channel


# -- colouring ------------------------------------------------------------------------------

def upsample_bilinear(values: np.ndarray, factor: int) -> np.ndarray:
    """(ny, nx) cell values -> (ny*factor, nx*factor), bilinear between cell centres.

    The sub-cells cover the same rectangle as the cells (edges clamped), so an image of the
    result goes exactly where the coarse one went (:func:`image_rect_m`).
    """
    if factor <= 1:
        return values
    ny, nx = values.shape

    def axis(n: int):
        pos = np.clip((np.arange(n * factor) + 0.5) / factor - 0.5, 0, n - 1)
        i0 = np.floor(pos).astype(int)
        i1 = np.minimum(i0 + 1, n - 1)
        return i0, i1, pos - i0

    i0, i1, ty = axis(ny)
    j0, j1, tx = axis(nx)
    top = values[i0][:, j0] * (1 - tx) + values[i0][:, j1] * tx
    bottom = values[i1][:, j0] * (1 - tx) + values[i1][:, j1] * tx
    return top * (1 - ty)[:, None] + bottom * ty[:, None]


#: Sub-cells per live-map cell (per axis) when colouring: 0.25 m -> 0.083 m, finer than
#: DESIGN.md's 0.1 m display grid. Colouring the coarse cells and letting the screen blend
#: them leaves a 0.25 m staircase wherever the map crosses a band edge (-65/-75 dBm);
#: interpolating the dBm values first and colouring after does not (~10 ms at 40 000 cells).
DISPLAY_UPSAMPLE = 3


def rssi_rgba(values_dbm: np.ndarray, alpha: np.ndarray | None, upsample: int = 1) -> np.ndarray:
    """RGBA uint8 of an RSSI grid with the shared -65/-75 dBm colour map (survey.report.colormap).

    ``upsample``: sub-cells per cell and axis (:func:`upsample_bilinear` of values and alpha).
    """
    if upsample > 1:
        values_dbm = upsample_bilinear(np.asarray(values_dbm, dtype=float), upsample)
        alpha = None if alpha is None else upsample_bilinear(np.asarray(alpha, dtype=float), upsample)
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


# -- the layers -----------------------------------------------------------------------------

def _charger_xy(project: Project) -> np.ndarray | None:
    charger = project.charger
    return None if charger is None else np.array([[charger.x_m, charger.y_m]])


def _heatmap(request: LayerRequest, kind: LayerKind, survey: Survey | None, xy: np.ndarray, values: np.ndarray):
    """The fitted heatmap of one layer's per-sample values, from the request's cache if it has one."""
    if request.cache is None:
        return fit_layer_heatmap(xy, values)
    return request.cache.fit((kind, None if survey is None else survey.id), xy, values)


def _fit(heatmap, grid: SiteGrid):
    """A fitted heatmap evaluated on the grid: (values, alpha)."""
    grid_values = np.asarray(heatmap.predict_grid(grid), dtype=float)
    alpha = np.asarray(heatmap.coverage_alpha(grid.xy_m), dtype=float).reshape(grid.shape)
    return grid_values, alpha


def predicted_at(project: Project, xy_m: np.ndarray) -> float | None:
    """The wall model's RSSI (dBm) at one point: the best of the existing transmitters."""
    transmitters = [d for d in project.devices if d.kind.transmits and not d.planned]
    if not transmitters:
        return None
    walls_xy, loss_db = propagation.walls_arrays(project)
    values = [float(propagation.predicted_rssi_dbm(
        (d.x_m, d.y_m), d.eirp_dbm if d.eirp_dbm is not None else propagation.DEFAULT_EIRP_DBM,
        walls_xy, loss_db, xy_m)[0]) for d in transmitters]
    return max(values)


def target_at_charger(request: LayerRequest, survey: Survey | None, target: TargetNetwork | None) -> float | None:
    """Interpolated target RSSI (dBm) at the charger point, or None without charger or samples.

    Read from the target layer's heatmap (the request's cache holds it when that layer was
    drawn for these samples), so the readout and the target map are one fit.
    """
    charger_xy = _charger_xy(request.project)
    if charger_xy is None or target is None:
        return None
    xy, values, _heard = target_samples(survey, target)
    if len(xy) == 0:
        return None
    heatmap = _heatmap(request, LayerKind.TARGET, survey, xy, values)
    return float(np.asarray(heatmap.predict(charger_xy), dtype=float)[0])


def predicted_layer(project: Project, grid: SiteGrid):
    """(values (ny, nx) dBm or None, note): the wall model from the existing transmitters.

    Each transmitter uses its own EIRP when set, else the model's default; where several
    transmit, a client joins the strongest, so the map is their maximum.
    """
    transmitters = [d for d in project.devices if d.kind.transmits and not d.planned]
    if not transmitters:
        return None, "place the router (or an access point) on the plan to see the wall model"
    best = None
    for device in transmitters:
        eirp = device.eirp_dbm if device.eirp_dbm is not None else propagation.DEFAULT_EIRP_DBM
        values = propagation.predicted_map(project, (device.x_m, device.y_m), eirp, grid)
        best = values if best is None else np.maximum(best, values)
    return best, f"{len(transmitters)} transmitter(s), walls as drawn"


def compute_layer(request: LayerRequest) -> LayerImage:
    """Build one layer image for the active survey. Pure: safe to call in any thread."""
    t0 = time.perf_counter()
    project = request.project
    survey = project.survey(request.survey_id) or project.active_survey
    resolved = resolve_target(project, survey_observations(survey))
    target = resolved.network
    grid = live_grid(project, request.step_m)
    kind = request.kind
    common = dict(kind=kind, serial=request.serial, target=target, target_note=resolved.reason)

    charger_xy = _charger_xy(project)
    predicted_charger = None if charger_xy is None else predicted_at(project, charger_xy)
    common["charger_predicted_dbm"] = predicted_charger
    if kind is not LayerKind.TARGET:
        # The readout at the charger is always about the target network, whatever is drawn.
        common["charger_interp_dbm"] = target_at_charger(request, survey, target)
    if kind is LayerKind.PREDICTED:
        values, note = predicted_layer(project, grid)
        if values is None:
            return LayerImage(grid=None, rgba=None, values=None, n_points=0, note=note, **common)
        return LayerImage(grid=grid, rgba=rssi_rgba(values, None, DISPLAY_UPSAMPLE), values=values, n_points=0, note=note,
                          method="log-distance + walls",
                          timings_ms={"total": (time.perf_counter() - t0) * 1000}, **common)

    if kind is LayerKind.TARGET:
        if target is None:
            return LayerImage(grid=None, rgba=None, values=None, n_points=0,
                              note="choose the target network (Survey > Target network)", **common)
        xy, values, _heard = target_samples(survey, target)
    elif kind is LayerKind.STRONGEST:
        xy, values = strongest_samples(survey)
    else:
        xy, values, channel = cochannel_samples(survey, target)
        if channel is None:
            return LayerImage(grid=None, rgba=None, values=None, n_points=0,
                              note="the target network has not been heard on 2.4 GHz yet", **common)

    if len(xy) == 0:
        return LayerImage(grid=None, rgba=None, values=None, n_points=0,
                          note="no samples yet: click where you stand on the plan", **common)

    if kind is LayerKind.COCHANNEL:
        # A count is a property of a place, not a field to smooth: show the nearest sample's
        # count (Voronoi cells), faded with distance like the RSSI maps.
        from scipy.spatial import cKDTree

        tree = cKDTree(xy)
        dist, idx = tree.query(grid.xy_m)
        counts = values[idx].reshape(grid.shape)
        alpha = _distance_alpha(dist.reshape(grid.shape))
        return LayerImage(grid=grid, rgba=count_rgba(counts, alpha), values=counts, n_points=len(xy),
                          method="nearest sample", note=f"channel {channel}",
                          timings_ms={"total": (time.perf_counter() - t0) * 1000}, **common)

    heatmap = _heatmap(request, kind, survey, xy, values)
    grid_values, alpha = _fit(heatmap, grid)
    t_fit = time.perf_counter()
    if kind is LayerKind.TARGET and charger_xy is not None:
        common["charger_interp_dbm"] = float(np.asarray(heatmap.predict(charger_xy), dtype=float)[0])
    rgba = rssi_rgba(grid_values, alpha, DISPLAY_UPSAMPLE)
    loo = getattr(heatmap, "loo_rmse_db", None)
    return LayerImage(grid=grid, rgba=rgba, values=grid_values, n_points=len(xy),
                      loo_rmse_db=None if loo is None or not math.isfinite(loo) else float(loo),
                      method=str(getattr(heatmap, "method", "")),
                      timings_ms={"fit": (t_fit - t0) * 1000, "total": (time.perf_counter() - t0) * 1000},
                      **common)


#: Distance from the nearest sample at which a map fades out completely (m): a few metres
#: of walking between samples is the usual pitch of a garage survey.
FADE_DISTANCE_M = 3.0


def _distance_alpha(dist_m: np.ndarray) -> np.ndarray:
    return np.clip(1.0 - dist_m / FADE_DISTANCE_M, 0.15, 1.0)
