"""The survey's items on the site view: heatmap image, sample markers, walk path, flash.

Everything here is a pyqtgraph item added to the floorplan ViewBox (site metres, y
down). Sample labels are ``TextItem`` (plain text). The legend is a small widget for the
side panel, built from the shared colour map (``survey.report.colormap``) so the screen
and the PDF show the same colours.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEasingCurve, QRectF, QVariantAnimation, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from survey.report import colormap
from survey.analysis.map_layer import LayerKind
from survey.ui.survey_layers import (
    COCHANNEL_SCALE_MAX, CONFIDENCE_SCALE_MAX_DB, LayerImage, count_rgba, image_rect_m, uncertainty_rgba,
)

#: Above the floorplan image (z -100), below walls and devices (z >= 0 in the view).
HEATMAP_Z = -50
SAMPLES_Z = 25
#: Sample values under the device labels (z 21 in floorplan_view): a handful of fixed
#: landmarks must stay readable; every value is also in the Channels panel.
SAMPLE_LABELS_Z = 19
FLASH_Z = 26
#: Labels on every sample get unreadable (and slow) past this many; the table and the
#: hover readout still give every value.
MAX_SAMPLE_LABELS = 150
FLASH_MS = 700


def _rgb_hex(rssi_dbm: float | None) -> str:
    if rssi_dbm is None:
        return "#9e9e9e"
    r, g, b = (np.asarray(colormap.rssi_to_rgb(np.array([rssi_dbm]))[0]) * 255).astype(int)
    return f"#{r:02x}{g:02x}{b:02x}"


class SmoothImageItem(pg.ImageItem):
    """An ImageItem drawn with bilinear filtering between cell centres.

    The live map is fitted on a 0.25 m grid (DESIGN.md: evaluate coarse, upsample to the
    display); pyqtgraph draws each cell as a flat block, which on a zoomed plan looks like
    a mosaic with a staircase fade. Qt's smooth transform interpolates at paint time, so
    the map is smooth at any zoom for no work in the fit.
    """

    def paint(self, painter, *args):
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


class _Markers(pg.ScatterPlotItem):
    """A scatter item that takes a click on one of its points only while ``clickable``.

    pyqtgraph's scatter accepts any click on a point, so the selection ring, the pending
    ring and the sample markers would swallow the Survey tool's clicks: with that tool a
    click means "sample where I stand", and standing where an earlier sample was (to
    re-measure the charger spot) is common.
    """

    def __init__(self, *args, clickable: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.clickable = clickable

    def mouseClickEvent(self, ev):  # noqa: N802 - pyqtgraph's name
        if not self.clickable:
            ev.ignore()
            return
        super().mouseClickEvent(ev)


class SurveyOverlay:
    """Owns the survey's graphics items on a ViewBox."""

    def __init__(self, viewbox: pg.ViewBox):
        self.viewbox = viewbox
        self.image = SmoothImageItem(axisOrder="row-major")
        self.image.setZValue(HEATMAP_Z)
        viewbox.addItem(self.image)
        self.samples = _Markers(clickable=True, size=11, pxMode=True, symbol="o", pen=pg.mkPen("#202020", width=1.2))
        self.samples.setZValue(SAMPLES_Z)
        viewbox.addItem(self.samples)
        self.selected = _Markers(size=20, pxMode=True, symbol="o", brush=None,
                                           pen=pg.mkPen("#1f6feb", width=3))
        self.selected.setZValue(SAMPLES_Z - 1)
        viewbox.addItem(self.selected)
        self.pending = _Markers(size=16, pxMode=True, symbol="o", brush=None,
                                          pen=pg.mkPen("#1f6feb", width=2, style=Qt.DashLine))
        self.pending.setZValue(SAMPLES_Z + 1)
        viewbox.addItem(self.pending)
        self.walk_path = pg.PlotCurveItem(pen=pg.mkPen("#1f6feb", width=2, style=Qt.DashLine))
        self.walk_path.setZValue(SAMPLES_Z - 2)
        viewbox.addItem(self.walk_path)
        self.flash = _Markers(pxMode=True, symbol="o", brush=None)
        self.flash.setZValue(FLASH_Z)
        viewbox.addItem(self.flash)
        self._labels: list[pg.TextItem] = []
        self._label_xy = np.zeros((0, 2))
        self._flash_anim: QVariantAnimation | None = None
        self.layer: LayerImage | None = None
        self._heatmap_wanted = True
        viewbox.sigRangeChanged.connect(self._declutter_labels)
        viewbox.sigResized.connect(self._declutter_labels)

    # -- heatmap --------------------------------------------------------------------------
    def set_layer(self, layer: LayerImage | None) -> None:
        self.layer = layer
        if layer is None or layer.rgba is None or layer.grid is None:
            self.image.clear()
            self.image.setVisible(False)
            return
        self.image.setImage(layer.rgba, autoLevels=False, levels=None)
        x, y, w, h = image_rect_m(layer.grid)
        self.image.setRect(QRectF(x, y, w, h))
        self.image.setVisible(self._heatmap_wanted)

    def set_heatmap_visible(self, visible: bool) -> None:
        """Show or hide the map (another view, e.g. the analysis preview, may take its place);
        a layer that arrives meanwhile keeps that choice."""
        self._heatmap_wanted = bool(visible)
        self.image.setVisible(visible and self.layer is not None and self.layer.rgba is not None)

    # -- samples --------------------------------------------------------------------------
    def set_markers_clickable(self, clickable: bool) -> None:
        """Whether a click on a sample marker selects it (False while the Survey tool samples)."""
        self.samples.clickable = bool(clickable)

    def set_samples(self, xy_m: np.ndarray, values_dbm: list[float | None], ids: list[int]) -> None:
        brushes = [pg.mkBrush(_rgb_hex(v)) for v in values_dbm]
        self.samples.setData(pos=np.asarray(xy_m, float).reshape(-1, 2), brush=brushes, data=ids)
        # Labels are pooled and hidden rather than removed: removed graphics items would be
        # left to Python's garbage collector, which may run after Qt has shut down.
        shown = list(zip(np.asarray(xy_m).reshape(-1, 2), values_dbm))[max(0, len(ids) - MAX_SAMPLE_LABELS):]
        while len(self._labels) < len(shown):
            # Above the dot: device names sit below their symbols (floorplan_view), so a
            # sample taken beside the charger does not cover "Charger mounting point".
            text = pg.TextItem("", color="#101010", fill=pg.mkBrush(255, 255, 255, 170), anchor=(0.5, 1.3))
            text.setZValue(SAMPLE_LABELS_Z)
            self.viewbox.addItem(text)
            self._labels.append(text)
        for label, ((x, y), value) in zip(self._labels, shown):
            label.setText("n/h" if value is None else f"{value:.0f}")
            label.setPos(float(x), float(y))
            label.setVisible(True)
        for label in self._labels[len(shown):]:
            label.setVisible(False)
        self._label_xy = np.array([xy for xy, _ in shown], dtype=float).reshape(-1, 2)
        self._declutter_labels()

    def _declutter_labels(self, *_args) -> None:
        """Hide the values that would overlap a newer one at the current zoom.

        A 0.8 m walking grid seen whole on a laptop screen puts labels on top of each other
        ("-66-62-61"); the newest are kept (they are what the installer just measured) and
        zooming in brings the others back. The dots keep their colours either way.
        """
        n = len(self._label_xy)
        labels = self._labels[:n]
        if n == 0:
            return
        try:
            sx, sy = (abs(float(v)) for v in self.viewbox.viewPixelSize())
        except Exception:  # the view has no size yet (not shown): decide on the first paint
            return
        if not (math.isfinite(sx) and math.isfinite(sy)) or sx == 0 or sy == 0:
            return
        rect = labels[-1].textItem.boundingRect()
        # The box of a label in metres, with a few pixels of air between neighbours.
        w_m, h_m = (rect.width() + 4) * sx, (rect.height() + 2) * sy
        kept = np.empty((0, 2))
        for index in range(n - 1, -1, -1):
            x, y = self._label_xy[index]
            free = not len(kept) or bool(np.all((np.abs(kept[:, 0] - x) >= w_m) | (np.abs(kept[:, 1] - y) >= h_m)))
            labels[index].setVisible(free)
            if free:
                kept = np.vstack([kept, (x, y)])

    def set_selected(self, xy: tuple[float, float] | None) -> None:
        self.selected.setData(pos=np.array([xy]) if xy else np.zeros((0, 2)))

    def set_pending(self, xy: tuple[float, float] | None) -> None:
        self.pending.setData(pos=np.array([xy]) if xy else np.zeros((0, 2)))

    def set_walk_path(self, points: list[tuple[float, float]]) -> None:
        if points:
            arr = np.asarray(points, float)
            self.walk_path.setData(arr[:, 0], arr[:, 1])
        else:
            self.walk_path.setData([], [])

    def flash_at(self, x_m: float, y_m: float) -> None:
        """A ring that grows and fades at a new sample: the confirmation you can see."""
        if self._flash_anim is not None:
            self._flash_anim.stop()
        anim = QVariantAnimation(self.viewbox)  # dies with the view, never outlives its items
        anim.setStartValue(0.0)
        anim.setEndValue(1.0)
        anim.setDuration(FLASH_MS)
        anim.setEasingCurve(QEasingCurve.OutCubic)

        def step(t):
            t = float(t)
            colour = QColor(255, 200, 0, int(255 * (1 - t)))
            self.flash.setData(pos=np.array([[x_m, y_m]]), size=14 + 40 * t,
                               pen=pg.mkPen(colour, width=4), brush=None)

        anim.valueChanged.connect(step)
        anim.finished.connect(lambda: self.flash.setData(pos=np.zeros((0, 2))))
        self._flash_anim = anim
        step(0.0)
        anim.start()

    def remove(self) -> None:
        for item in [self.image, self.samples, self.selected, self.pending, self.walk_path, self.flash, *self._labels]:
            self.viewbox.removeItem(item)


def _swatch(rgb, width=28, height=14) -> QPixmap:
    pix = QPixmap(width, height)
    pix.fill(QColor(*[int(c) for c in rgb]))
    return pix


def _gradient_pixmap(kind: LayerKind, width=220, height=14) -> QPixmap:
    if kind in (LayerKind.LOSS, LayerKind.LATENCY):
        from survey.ui.survey_layers import link_limits

        good, marginal = link_limits(kind)
        values = np.linspace(0, marginal * 1.5, width)[None, :].repeat(height, 0)
        rgba = np.dstack([colormap.level_rgb(values, good, marginal), np.full((height, width), 255, np.uint8)])
    elif kind in (LayerKind.COCHANNEL, LayerKind.CONFIDENCE):
        top, colour = ((COCHANNEL_SCALE_MAX, count_rgba) if kind is LayerKind.COCHANNEL
                       else (CONFIDENCE_SCALE_MAX_DB, uncertainty_rgba))
        rgba = colour(np.linspace(0, top, width)[None, :].repeat(height, 0), None)
        rgba[..., 3] = 255
    else:
        values = np.linspace(colormap.SCALE_MIN_DBM, colormap.SCALE_MAX_DBM, width)[None, :].repeat(height, 0)
        rgba = np.dstack([colormap.heatmap_rgb(values), np.full((height, width), 255, np.uint8)])
    rgba = np.ascontiguousarray(rgba)
    image = QImage(rgba.data, width, height, 4 * width, QImage.Format_RGBA8888).copy()
    return QPixmap.fromImage(image)


class HeatmapLegend(QWidget):
    """Three bands (good / marginal / packet loss) with their colours, and the scale."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setVerticalSpacing(2)
        self.bar = QLabel(self)
        self.scale_text = QLabel(self)
        self.scale_text.setTextFormat(Qt.PlainText)
        self._band_rows: list[tuple[QLabel, QLabel]] = []
        # Swatch colour at the middle of each band of the shared map.
        mids = ((colormap.GOOD_DBM + colormap.SCALE_MAX_DBM) / 2,
                (colormap.LOSS_DBM + colormap.GOOD_DBM) / 2,
                (colormap.SCALE_MIN_DBM + colormap.LOSS_DBM) / 2)
        for row, ((range_text, meaning), mid) in enumerate(zip(colormap.BAND_LABELS, mids)):
            swatch = QLabel(self)
            swatch.setPixmap(_swatch(colormap.rssi_to_rgb(np.array([mid]))[0] * 255))
            text = QLabel(f"{range_text}: {meaning}", self)
            text.setTextFormat(Qt.PlainText)
            self._grid.addWidget(swatch, row, 0)
            self._grid.addWidget(text, row, 1)
            self._band_rows.append((swatch, text))
        self._grid.setColumnStretch(1, 1)  # the text takes the width, the swatches stay narrow
        self._grid.addWidget(self.bar, 3, 0, 1, 2)
        self._grid.addWidget(self.scale_text, 4, 0, 1, 2)
        self.set_kind(LayerKind.TARGET)

    def set_kind(self, kind: LayerKind) -> None:
        """Show the scale of ``kind``'s unit: the dBm bands, a BSS count or an uncertainty in dB."""
        kind = LayerKind(kind)
        rssi = kind.unit == "dBm"
        for swatch, text in self._band_rows:
            swatch.setVisible(rssi)
            text.setVisible(rssi)
        self.bar.setPixmap(_gradient_pixmap(kind))
        if rssi:
            self.scale_text.setText(f"{colormap.SCALE_MIN_DBM:.0f} dBm  ...  {colormap.SCALE_MAX_DBM:.0f} dBm; "
                                    "paler = farther from any sample")
        elif kind is LayerKind.COCHANNEL:
            self.scale_text.setText(f"0  ...  {COCHANNEL_SCALE_MAX}+ other BSSs on the target's channel")
        elif kind in (LayerKind.LOSS, LayerKind.LATENCY):
            from survey.ui.survey_layers import link_limits

            good, marginal = link_limits(kind)
            unit = kind.unit
            self.scale_text.setText(f"good up to {good:g} {unit}, marginal up to {marginal:g} {unit}, "
                                    "worse beyond (measured at the nearest link test)")
        else:
            self.scale_text.setText(f"± 0 dB (sure)  ...  ± {CONFIDENCE_SCALE_MAX_DB:.0f} dB or more (not known): "
                                    "how far the signal map may be off")
