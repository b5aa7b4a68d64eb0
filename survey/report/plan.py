"""Floorplan pages of the report: a raster heatmap with vector walls, samples and devices.

The heatmap is coloured with numpy (:mod:`survey.report.colormap`), encoded as PNG with
Pillow (reportlab's own image dependency) and drawn with its coverage as transparency;
walls, samples, devices, the charger point, a scale bar and the north arrow are reportlab
vector graphics on top, so they stay sharp at any zoom.
"""

from __future__ import annotations

import functools
import io
import logging
import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable
from scipy import ndimage

from survey.project import images
from survey.project.model import Device, DeviceKind, Floorplan, Project
from survey.project.plan_geometry import nice_scale_length
from survey.project.units import METRES_PER_FOOT, format_length
from survey.report import colormap
from survey.report.fonts import draw_string, string_width

log = logging.getLogger(__name__)

#: Raster cells per grid cell when the heatmap is drawn: interpolating the dBm values
#: (not the colours) keeps the -65/-75 steps sharp while smoothing 0.1 m blocks.
UPSAMPLE = 3
#: Heatmap opacity over the floorplan (and over white: a fade toward white).
HEAT_OPACITY = 0.85


def _gradient_bar(c, rgb, y: float, width: float, height: float) -> None:
    """A colour-scale bar from ``rgb`` (N, 3) in 0..1, left to right, framed in black."""
    seg = width / len(rgb)
    for i, colour in enumerate(rgb):
        c.setFillColorRGB(*colour)
        c.rect(i * seg, y, seg + 0.3, height, stroke=0, fill=1)  # +0.3 pt: no hairline gaps
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.4)
    c.rect(0, y, width, height, stroke=1, fill=0)


def _hex_colour(colour: str):
    """A material's colour for reportlab; grey when a project carries a malformed one."""
    try:
        return colors.HexColor(colour)
    except (ValueError, TypeError):
        return colors.grey


#: Marker shape per device kind (the colours are shared with the GUI: colormap.DEVICE_COLOURS).
_DEVICE_SHAPE = {
    DeviceKind.ROUTER: "square",
    DeviceKind.ACCESS_POINT: "triangle",
    DeviceKind.MESH_NODE: "triangle",
    DeviceKind.WIRED_AP: "triangle",
    DeviceKind.POWERLINE_AP: "triangle",
    DeviceKind.CHARGER: "charger",
    DeviceKind.PANEL: "panel",
    DeviceKind.ETHERNET_DROP: "diamond",
    DeviceKind.OUTLET: "diamond",
}


@dataclass(frozen=True, eq=False)
class RasterLayer:
    """A coloured image over the site: ``rgba`` (H, W, 4) uint8 covering ``extent_m``
    (x_min, y_min, x_max, y_max), row 0 at y_min (the top of the plan)."""

    rgba: np.ndarray
    extent_m: tuple[float, float, float, float]

    def png(self) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(self.rgba, mode="RGBA").save(buf, format="PNG", compress_level=3)
        return buf.getvalue()


def _alpha(alpha: np.ndarray | None, values: np.ndarray) -> np.ndarray:
    """A layer's alpha as floats; None (nothing faded) is 1 in every cell of ``values``."""
    return np.ones(np.shape(values)) if alpha is None else np.asarray(alpha, dtype=float)


def _upsampled(values: np.ndarray) -> np.ndarray:
    if UPSAMPLE <= 1:
        return values
    filled = np.where(np.isfinite(values), values, np.nanmin(values) if np.isfinite(values).any() else 0.0)
    up = ndimage.zoom(filled, UPSAMPLE, order=1, mode="nearest", grid_mode=True)
    nan_mask = ndimage.zoom((~np.isfinite(values)).astype(np.uint8), UPSAMPLE, order=0, mode="nearest", grid_mode=True)
    up[nan_mask.astype(bool)] = np.nan
    return up


def rssi_layer(rssi_dbm: np.ndarray, alpha: np.ndarray | None, extent_m, mask: np.ndarray | None = None) -> RasterLayer:
    """RSSI grid (H, W) -> an RGBA layer; ``alpha`` (0..1) fades unmeasured cells (None: none
    is faded, as :class:`~survey.analysis.map_layer.MapLayer` has it for a model), ``mask``
    (bool) hides cells entirely."""
    values = _upsampled(np.asarray(rssi_dbm, dtype=float))
    a = _upsampled(_alpha(alpha, rssi_dbm))
    rgb = np.round(colormap.rssi_to_rgb(values) * 255).astype(np.uint8)
    a = np.clip(np.nan_to_num(a), 0, 1) * HEAT_OPACITY
    if mask is not None:
        a = a * _upsampled(np.asarray(mask, dtype=float))
    a[~np.isfinite(values)] = 0
    return RasterLayer(np.dstack([rgb, np.round(a * 255).astype(np.uint8)]), tuple(extent_m))


def difference_layer(delta_db: np.ndarray, extent_m, limit_db: float = colormap.DIFF_LIMIT_DB) -> RasterLayer:
    values = _upsampled(np.asarray(delta_db, dtype=float))
    rgb = colormap.difference_rgb(values, limit_db=limit_db)
    a = np.where(np.isfinite(values), 255, 0).astype(np.uint8)
    return RasterLayer(np.dstack([rgb, a]), tuple(extent_m))


def uncertainty_layer(std_db: np.ndarray, extent_m) -> RasterLayer:
    """The per-cell standard deviation (dB) of a signal map as a "how sure" layer."""
    values = _upsampled(np.asarray(std_db, dtype=float))
    a = np.where(np.isfinite(values), round(HEAT_OPACITY * 255), 0).astype(np.uint8)
    return RasterLayer(np.dstack([colormap.uncertainty_rgb(values), a]), tuple(extent_m))


def level_layer(
    values: np.ndarray, alpha: np.ndarray | None, extent_m, good_max: float, marginal_max: float
) -> RasterLayer:
    """A measured link figure (loss %, round trip ms) in the good / marginal / bad colours;
    ``alpha`` as for :func:`rssi_layer`."""
    a = np.round(np.clip(np.nan_to_num(_alpha(alpha, values)), 0, 1) * HEAT_OPACITY * 255).astype(np.uint8)
    return RasterLayer(np.dstack([colormap.level_rgb(values, good_max, marginal_max), a]), tuple(extent_m))


#: The plan image is embedded with at most this many pixels on its long side (~300 dpi on
#: a page): more only makes the PDF heavy.
PLAN_LONG_SIDE_PX = 2000
#: How much the plan is lightened toward white (0 = unchanged) so the heatmap reads over it.
PLAN_FADE = 0.4
_FADE_LUT = [int(255 - (255 - v) * (1 - PLAN_FADE)) for v in range(256)]


@dataclass(frozen=True)
class ReportPlanImage:
    """The floorplan as the report draws it: a small greyscale PNG, or why it is left out."""

    png: bytes | None
    problem: str = ""  # a plain sentence when png is None and the project has an image


@functools.lru_cache(maxsize=1)
def report_plan_image(fp: Floorplan) -> ReportPlanImage:
    """Decode, shrink, rotate and lighten the stored plan image, once per floorplan.

    The blob comes from a project file that may have been mailed and edited, so it passes
    :func:`survey.project.images.open_image` (format allow-list, pixel limit) like an import.
    Memory stays near 5 bytes per stored pixel (the decoded image plus its greyscale copy;
    a JPEG is decoded at 1/2..1/8 scale straight away), about 300 MB at the 60 Mpx limit.
    """
    try:
        img = images.open_image(fp.image, images.STORED_PLAN_NAME)
        if img.format == "JPEG":
            img.draft("L", (PLAN_LONG_SIDE_PX, PLAN_LONG_SIDE_PX))  # DCT scaling: decode small
        img = images.load_image(img, images.STORED_PLAN_NAME).convert("L")
    except images.ImageError as exc:
        log.warning("floorplan image left out of the report: %s", exc)
        return ReportPlanImage(
            None, f"{exc} It is left out of the report; import the plan again (Site → Import floorplan) to put it back."
        )
    img.thumbnail((PLAN_LONG_SIDE_PX, PLAN_LONG_SIDE_PX))
    if fp.rotation_deg % 360:
        img = img.rotate(-fp.rotation_deg, expand=True)  # PIL rotates counter-clockwise
    buf = io.BytesIO()
    img.point(_FADE_LUT).save(buf, format="PNG")
    return ReportPlanImage(buf.getvalue())


def floorplan_png(project: Project) -> tuple[bytes, tuple[float, float, float, float]] | None:
    """The floorplan image rotated, lightened (so the heatmap reads over it) and its extent."""
    fp = project.floorplan
    if fp is None or not fp.image:
        return None
    png = report_plan_image(fp).png
    if png is None:
        return None
    w, h = fp.size_m
    return png, (fp.origin_x_m, fp.origin_y_m, fp.origin_x_m + w, fp.origin_y_m + h)


@dataclass
class PlanOptions:
    show_samples: bool = True
    sample_xy_m: np.ndarray | None = None  # defaults to the active survey's samples
    highlight: Device | None = None  # the chosen remediation, drawn with a ring and label
    highlight_label: str = ""
    extra_devices: tuple[Device, ...] = ()  # e.g. a recommended device not in the project
    show_labels: bool = True
    show_scale: bool = True
    caption: str = ""
    layers: list = field(default_factory=list)


class PlanFlowable(Flowable):
    """The site plan scaled into ``width`` x ``max_height`` points with its layers on top."""

    def __init__(
        self,
        project: Project,
        layers: list[RasterLayer],
        width: float,
        max_height: float,
        options: PlanOptions | None = None,
        extent_m=None,
        *,
        min_height: float | None = None,
    ):
        super().__init__()
        self.project = project
        self.layers = layers
        self.options = options or PlanOptions()
        self.extent = tuple(extent_m) if extent_m is not None else project.extent_m(0.5)
        self.legend_pt = 16 if self.options.show_scale else 0
        self.width = width
        # with min_height, the plan shrinks (down to it) to finish the page instead of starting a new one
        self.min_height = min_height
        self.max_height = max_height
        self._layout(max_height)
        self._floorplan = floorplan_png(project)

    def _layout(self, max_height: float) -> None:
        x0, y0, x1, y1 = self.extent
        w_m, h_m = max(x1 - x0, 0.1), max(y1 - y0, 0.1)
        self.scale = min(self.width / w_m, max(max_height - self.legend_pt, 10.0) / h_m)
        self.plan_w = w_m * self.scale
        self.plan_h = h_m * self.scale
        self.height = self.plan_h + self.legend_pt

    def wrap(self, avail_w, avail_h):
        self._layout(self.max_height)  # a plan pushed to a new page gets its full size back
        if self.min_height is not None and self.min_height <= avail_h < self.height:
            self._layout(avail_h)
        return self.width, self.height

    # site metres -> points inside this flowable (y flipped: site y grows downward)
    def _pt(self, x_m: float, y_m: float) -> tuple[float, float]:
        x0, y0, _x1, y1 = self.extent
        return (self.ox + (x_m - x0) * self.scale, self.legend_pt + (y1 - y_m) * self.scale)

    def _image(self, png: bytes, extent) -> None:
        # ``png`` is always one this module encoded (a heatmap layer, report_plan_image's
        # output), never a project's blob: reportlab opens it with Pillow unrestricted.
        ex0, ey0, ex1, ey1 = extent
        px0, py1 = self._pt(ex0, ey0)
        px1, py0 = self._pt(ex1, ey1)
        self.canv.drawImage(ImageReader(io.BytesIO(png)), px0, py0, px1 - px0, py1 - py0, mask="auto")

    def draw(self) -> None:
        c = self.canv
        self.ox = (self.width - self.plan_w) / 2
        self._placed_labels: list[tuple[float, float, float, float]] = []
        c.saveState()
        p = c.beginPath()
        p.rect(self.ox, self.legend_pt, self.plan_w, self.plan_h)
        c.clipPath(p, stroke=0, fill=0)
        if self._floorplan is not None:
            self._image(*self._floorplan)
        for layer in self.layers:
            self._image(layer.png(), layer.extent_m)
        self._walls()
        if self.options.show_samples:
            self._samples()
        self._devices()
        c.restoreState()
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setLineWidth(0.5)
        c.rect(self.ox, self.legend_pt, self.plan_w, self.plan_h, stroke=1, fill=0)
        self.north_x = 10.0
        if self.options.show_scale:
            self._scale_bar()
        if self.project.site.north_deg is not None and self.options.show_scale:
            self._north_arrow(self.project.site.north_deg)

    def _walls(self) -> None:
        c = self.canv
        c.setLineCap(1)
        for wall in self.project.walls:
            material = self.project.material(wall.material_id)
            c.setStrokeColor(_hex_colour(material.colour if material is not None else "#808080"))
            c.setLineWidth(2.2)
            x1, y1 = self._pt(wall.x1_m, wall.y1_m)
            x2, y2 = self._pt(wall.x2_m, wall.y2_m)
            c.line(x1, y1, x2, y2)

    def _samples(self) -> None:
        xy = self.options.sample_xy_m
        if xy is None:
            survey = self.project.active_survey
            xy = np.array([(s.x_m, s.y_m) for s in survey.samples]) if survey else np.zeros((0, 2))
        c = self.canv
        c.setLineWidth(0.5)
        c.setStrokeColor(colors.white)
        c.setFillColor(colors.HexColor("#222222"))
        for x_m, y_m in np.asarray(xy).reshape(-1, 2):
            x, y = self._pt(float(x_m), float(y_m))
            c.circle(x, y, 1.6, stroke=1, fill=1)

    def _devices(self) -> None:
        devices = list(self.project.devices) + list(self.options.extra_devices)
        for dev in devices:
            self._device(dev)
        if self.options.highlight is not None:
            dev = self.options.highlight
            x, y = self._pt(dev.x_m, dev.y_m)
            c = self.canv
            c.setStrokeColor(colors.HexColor(colormap.PLANNED_FIX_COLOUR))
            c.setLineWidth(1.6)
            c.setDash(3, 2)
            c.circle(x, y, 11, stroke=1, fill=0)
            c.setDash()
            if self.options.highlight_label:
                self._label(
                    x,
                    y - 22,
                    self.options.highlight_label,
                    bold=True,
                    colour=colormap.PLANNED_FIX_COLOUR,
                    anchor="middle",
                )

    def _device(self, dev: Device) -> None:
        c = self.canv
        fill = colormap.device_colour(dev.kind)
        shape = _DEVICE_SHAPE.get(dev.kind, "diamond")
        x, y = self._pt(dev.x_m, dev.y_m)
        c.setStrokeColor(
            colors.HexColor(colormap.device_outline(dev.kind)) if not dev.planned else colors.HexColor(fill)
        )
        c.setFillColor(colors.HexColor(fill) if not dev.planned else colors.white)
        c.setLineWidth(1.0 if not dev.planned else 1.4)
        if dev.planned:
            c.setDash(2, 1.5)
        r = 5.0
        if shape == "square":
            c.rect(x - r, y - r, 2 * r, 2 * r, stroke=1, fill=1)
        elif shape == "triangle":
            p = c.beginPath()
            p.moveTo(x, y + r * 1.2)
            p.lineTo(x - r * 1.1, y - r * 0.8)
            p.lineTo(x + r * 1.1, y - r * 0.8)
            p.close()
            c.drawPath(p, stroke=1, fill=1)
        elif shape == "charger":
            c.setFillColor(colors.HexColor(fill))
            c.setStrokeColor(colors.HexColor(colormap.device_outline(dev.kind)))
            c.setLineWidth(1.4)
            c.circle(x, y, 6.5, stroke=1, fill=1)
            # a lightning bolt: the charger mark people recognise
            p = c.beginPath()
            p.moveTo(x + 1.2, y + 4.5)
            p.lineTo(x - 2.6, y - 0.4)
            p.lineTo(x - 0.1, y - 0.4)
            p.lineTo(x - 1.2, y - 4.5)
            p.lineTo(x + 2.6, y + 0.6)
            p.lineTo(x + 0.1, y + 0.6)
            p.close()
            c.setFillColor(colors.black)
            c.drawPath(p, stroke=0, fill=1)
        elif shape == "panel":
            c.rect(x - 4, y - 5.5, 8, 11, stroke=1, fill=1)
        else:
            p = c.beginPath()
            p.moveTo(x, y + r)
            p.lineTo(x - r, y)
            p.lineTo(x, y - r)
            p.lineTo(x + r, y)
            p.close()
            c.drawPath(p, stroke=1, fill=1)
        c.setDash()
        if self.options.show_labels:
            label = dev.label or dev.kind.label
            if dev.planned:
                label = f"{label} (planned)"
            # planned devices are labelled below (the highlight ring sits around them)
            if dev.planned:
                self._label(x, y + 13, label, anchor="middle")
            else:
                self._label(x + 8, y + 3, label)

    def _label(
        self, x: float, y: float, text: str, *, bold: bool = False, colour: str = "#111111", anchor: str = "start"
    ) -> None:
        c = self.canv
        size = 6.5
        width = string_width(text, size, bold=bold)
        if anchor == "start" and x + width > self.ox + self.plan_w:
            x, anchor = x - 16, "end"  # keep labels inside the plan frame
        left = x if anchor == "start" else (x - width if anchor == "end" else x - width / 2)
        # still outside (a long label on a small plan): slide it inside the frame
        left = min(max(left, self.ox + 1), max(self.ox + 1, self.ox + self.plan_w - width - 1))
        y = self._free_line(left, y, width, size)
        c.setFillColor(colors.Color(1, 1, 1, alpha=0.75))
        c.rect(left - 1, y - 1.8, width + 2, size + 1.5, stroke=0, fill=1)
        c.setFillColor(colors.HexColor(colour))
        draw_string(c, left, y, text, size, bold=bold)

    def _free_line(self, left: float, y: float, width: float, size: float) -> float:
        """``y``, or the nearest line above or below it where the label overlaps no label
        drawn before (devices close together: panel, outlet and charger on one wall)."""
        step = size + 2.5
        for dy in (0.0, -step, step, -2 * step, 2 * step):
            box = (left - 1, y + dy - 1.8, left + width + 1, y + dy + size - 0.3)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in self._placed_labels
            ):
                self._placed_labels.append(box)
                return y + dy
        return y  # crowded everywhere: keep the label by its device

    def _scale_bar(self) -> None:
        c = self.canv
        units = self.project.units
        unit_m = METRES_PER_FOOT if units == "ft" else 1.0
        target_units = (self.plan_w / 4) / self.scale / unit_m
        length_units = nice_scale_length(target_units)
        length_pt = length_units * unit_m * self.scale
        x, y = self.ox, 4
        c.setStrokeColor(colors.black)
        c.setFillColor(colors.black)
        c.setLineWidth(1)
        c.rect(x, y, length_pt / 2, 3, stroke=1, fill=1)
        c.setFillColor(colors.white)
        c.rect(x + length_pt / 2, y, length_pt / 2, 3, stroke=1, fill=1)
        c.setFillColor(colors.black)
        text_w = draw_string(c, x + length_pt + 4, y - 0.5, format_length(length_units * unit_m, units), 7)
        self.north_x = length_pt + text_w + 18
        if self.options.caption:
            draw_string(c, self.ox + self.plan_w, y - 0.5, self.options.caption, 7, anchor="end")

    def _north_arrow(self, north_deg: float) -> None:
        # Below the plan, beside the scale bar: on the plan it would hide what is in its corner.
        c = self.canv
        cx = self.ox + self.north_x
        cy = 7.5
        c.saveState()
        c.translate(cx, cy)
        c.rotate(-north_deg)  # north_deg is clockwise from "up" on the plan
        p = c.beginPath()
        p.moveTo(0, 6.5)
        p.lineTo(-3, -4.5)
        p.lineTo(0, -2.5)
        p.lineTo(3, -4.5)
        p.close()
        c.setFillColor(colors.black)
        c.drawPath(p, stroke=0, fill=1)
        c.restoreState()
        c.setFillColor(colors.black)
        draw_string(c, cx + 6, 4, "N", 7, bold=True)


class RssiLegend(Flowable):
    """The colour bar with the -65/-75 dBm bands labelled, and the symbol key."""

    def __init__(
        self,
        width: float,
        vmin_dbm: float = colormap.SCALE_MIN_DBM,
        vmax_dbm: float = colormap.SCALE_MAX_DBM,
        *,
        symbols: bool = True,
    ):
        super().__init__()
        self.width = width
        self.vmin, self.vmax = vmin_dbm, vmax_dbm
        self.symbols = symbols
        self.height = 48 if symbols else 30

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        bar_w = min(self.width * 0.62, 320)
        y = self.height - 16
        _gradient_bar(c, colormap.rssi_to_rgb(np.linspace(self.vmin, self.vmax, 220)), y, bar_w, 9)

        def xpos(v):
            return (v - self.vmin) / (self.vmax - self.vmin) * bar_w

        c.setFillColor(colors.black)
        for tick in range(int(math.ceil(self.vmin / 10) * 10), int(self.vmax) + 1, 10):
            draw_string(c, xpos(tick), y - 8, f"{tick}", 6.5, anchor="middle")
        for thr in (colormap.LOSS_DBM, colormap.GOOD_DBM):
            if self.vmin < thr < self.vmax:
                c.setLineWidth(1.2)
                c.line(xpos(thr), y - 2, xpos(thr), y + 11)
                draw_string(c, xpos(thr), y + 12, f"{thr:.0f}", 7, bold=True, anchor="middle")
        draw_string(c, bar_w + 6, y + 1.5, "dBm", 7)
        # band key
        x = bar_w + 30
        for (label, meaning), colour_dbm in zip(colormap.BAND_LABELS, (-55.0, -70.0, -82.0)):
            c.setFillColorRGB(*colormap.rssi_to_rgb(np.array([colour_dbm]))[0])
            c.rect(x, y + 10 - 0, 7, 7, stroke=0, fill=1)
            c.setFillColor(colors.black)
            draw_string(c, x + 10, y + 11, f"{label}: {meaning}", 6.5)
            y -= 9
        if self.symbols:
            self._symbol_key(0, 2)

    def _symbol_key(self, x: float, y: float) -> None:
        c = self.canv
        items = [
            ("sample", "#222222"),
            ("router / AP", colormap.device_colour(DeviceKind.ROUTER)),
            ("mesh node / new AP", colormap.device_colour(DeviceKind.MESH_NODE)),
            ("charger point", colormap.device_colour(DeviceKind.CHARGER)),
            ("dashed = planned", None),
        ]
        for label, colour in items:
            if colour is not None:
                c.setFillColor(colors.HexColor(colour))
                c.setStrokeColor(colors.black)
                c.setLineWidth(0.4)
                c.circle(x + 3, y + 3, 2.8, stroke=1, fill=1)
                x += 8
            c.setFillColor(colors.black)
            x += draw_string(c, x, y + 0.8, label, 6.5) + 10


class DifferenceLegend(Flowable):
    """Colour bar of the difference map: red worse, white unchanged, blue better."""

    def __init__(self, width: float, limit_db: float = colormap.DIFF_LIMIT_DB):
        super().__init__()
        self.width = width
        self.limit = limit_db
        self.height = 26

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        bar_w = min(self.width * 0.6, 260)
        y = 12
        _gradient_bar(c, colormap.difference_rgb(np.linspace(-self.limit, self.limit, 120)) / 255.0, y, bar_w, 8)
        c.setFillColor(colors.black)
        draw_string(c, 0, 3, f"-{self.limit:.0f} dB (worse)", 6.5)
        draw_string(c, bar_w / 2, 3, "0", 6.5, anchor="middle")
        draw_string(c, bar_w, 3, f"+{self.limit:.0f} dB (better)", 6.5, anchor="end")
        draw_string(c, bar_w + 8, y + 1, "after - before", 7)


class UncertaintyLegend(Flowable):
    """Colour bar of the "how sure" map: white sure, dark not known."""

    def __init__(self, width: float, limit_db: float = colormap.UNCERTAINTY_MAX_DB):
        super().__init__()
        self.width = width
        self.limit = limit_db
        self.height = 26

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        c = self.canv
        bar_w = min(self.width * 0.6, 260)
        y = 12
        _gradient_bar(c, colormap.uncertainty_rgb(np.linspace(0, self.limit, 120)) / 255.0, y, bar_w, 8)
        c.setFillColor(colors.black)
        draw_string(c, 0, 3, "± 0 dB (sure)", 6.5)
        draw_string(c, bar_w, 3, f"± {self.limit:.0f} dB or more", 6.5, anchor="end")
        draw_string(c, bar_w + 8, y + 1, "standard deviation of the map", 7)


class WallKey(Flowable):
    """Which colour is which wall material on the plans (only materials the plan uses)."""

    def __init__(self, project: Project, width: float):
        super().__init__()
        self.width = width
        used: list[tuple[str, str, str]] = []  # (material id, words, colour)
        for wall in project.walls:
            material = project.material(wall.material_id)
            key = material.id if material is not None else wall.material_id
            if key not in [u[0] for u in used]:
                name = material.name if material is not None else wall.material_id
                loss = f" ({material.loss_db:.0f} dB)" if material is not None else ""
                used.append((key, name + loss, material.colour if material is not None else "#808080"))
        self.items = used
        # lay the key out in lines that fit the width
        self.lines: list[list[tuple[float, str, str]]] = [[]]
        x = string_width("Walls:", 6.5, bold=True) + 6
        for _key, name, colour in used:
            item_w = string_width(name, 6.5) + 22
            if x + item_w > self.width and self.lines[-1]:
                self.lines.append([])
                x = string_width("Walls:", 6.5, bold=True) + 6
            self.lines[-1].append((x, name, colour))
            x += item_w
        self.height = 11 * len(self.lines) + 1 if used else 0

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        if not self.items:
            return
        c = self.canv
        c.setFillColor(colors.black)
        draw_string(c, 0, self.height - 9, "Walls:", 6.5, bold=True)
        for row, line in enumerate(self.lines):
            y = self.height - 9 - 11 * row
            for x, name, colour in line:
                self._item(c, x, y, name, colour)

    def _item(self, c, x: float, y: float, name: str, colour: str) -> None:
        c.setStrokeColor(_hex_colour(colour))
        c.setLineWidth(2.2)
        c.line(x, y + 2.5, x + 10, y + 2.5)
        c.setFillColor(colors.black)
        draw_string(c, x + 13, y, name, 6.5)
