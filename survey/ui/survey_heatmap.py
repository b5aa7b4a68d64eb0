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
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGridLayout, QLabel, QWidget

from survey.analysis.map_layer import LayerKind
from survey.project.units import format_dbm
from survey.report import colormap
from survey.ui.floorplan_view import SiteMarkers
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


def _hex(rgb01) -> str:
    r, g, b = (int(round(float(c) * 255)) for c in rgb01)
    return f"#{r:02x}{g:02x}{b:02x}"


#: Colour of a dot whose value is not known (yet): the layer's values come from the worker.
UNKNOWN_DOT = "#9e9e9e"
#: Dots on the confidence layer: the measuring points, in one colour that reads on its scale.
MEASURING_POINT_DOT = "#1f6feb"


def dot_colour(value: float | None, kind: LayerKind) -> str:
    """The fill of a sample dot: the value on the layer's own colour scale."""
    kind = LayerKind(kind)
    if kind is LayerKind.CONFIDENCE:
        return MEASURING_POINT_DOT
    if value is None:
        return UNKNOWN_DOT
    if kind is LayerKind.COCHANNEL:
        return _hex(count_rgba(np.array([[value]]), None)[0, 0, :3] / 255.0)
    return _hex(colormap.rssi_to_rgb(np.array([value]))[0])


def format_layer_value(value: float | None, kind: LayerKind) -> str:
    """A value of a layer in words and its unit: "-63.2 dBm", "3 other BSSs", "± 2.4 dB"."""
    kind = LayerKind(kind)
    if kind is LayerKind.COCHANNEL:
        if value is None:
            return "no count"
        n = int(round(value))
        return f"{n} other BSS{'' if n == 1 else 's'} on the channel"
    if kind is LayerKind.CONFIDENCE:
        return "not known" if value is None else f"± {value:.1f} dB"
    return format_dbm(value)


def label_text(value: float | None, kind: LayerKind) -> str | None:
    """A sample's label on the layer ("-63" dBm, "3" BSSs, "n/h" not heard); None: no label
    (the confidence layer's dots mark where was measured; its values are the map's)."""
    kind = LayerKind(kind)
    if kind is LayerKind.CONFIDENCE:
        return None
    if value is None:
        return "n/h" if kind.unit == "dBm" else None
    return f"{value:.0f}"


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


class SurveyOverlay:
    """Owns the survey's graphics items on a ViewBox.

    The sample dots and labels are updated incrementally: a new sample adds one dot and
    takes over the oldest label, a layer that arrives re-colours only the dots whose value
    changed (every brush and label rebuilt per sample cost the UI thread ~0.2 s at 500
    samples).
    """

    def __init__(self, viewbox: pg.ViewBox):
        self.viewbox = viewbox
        self.image = SmoothImageItem(axisOrder="row-major")
        self.image.setZValue(HEATMAP_Z)
        viewbox.addItem(self.image)
        self.samples = SiteMarkers(size=11, pxMode=True, symbol="o", pen=pg.mkPen("#202020", width=1.2))
        self.samples.setZValue(SAMPLES_Z)
        viewbox.addItem(self.samples)
        self.pending = SiteMarkers(size=16, pxMode=True, symbol="o", brush=None,
                                   pen=pg.mkPen("#1f6feb", width=2, style=Qt.DashLine))
        self.pending.setZValue(SAMPLES_Z + 1)
        viewbox.addItem(self.pending)
        self.walk_path = pg.PlotCurveItem(pen=pg.mkPen("#1f6feb", width=2, style=Qt.DashLine))
        self.walk_path.setZValue(SAMPLES_Z - 2)
        viewbox.addItem(self.walk_path)
        # A ring in screen pixels at a site position: a plain ellipse that ignores the view's
        # scale (redrawing a scatter symbol per animation frame cost ~7 ms a frame).
        self.flash = QGraphicsEllipseItem()
        self.flash.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.flash.setZValue(FLASH_Z)
        self.flash.setVisible(False)
        viewbox.addItem(self.flash)
        self.kind = LayerKind.TARGET
        self._ids: list[int] = []
        self._xy = np.zeros((0, 2))
        self._values: dict[int, float | None] = {}
        self._brushes: dict[str, object] = {}
        #: Shown labels by sample id, and the hidden ones kept for reuse: removed graphics
        #: items would be left to Python's garbage collector, which may run after Qt shut down.
        self._labels: dict[int, pg.TextItem] = {}
        self._spare_labels: list[pg.TextItem] = []
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
    def sample_near(self, x_m: float, y_m: float, tolerance_m: float) -> int | None:
        """The id of the sample dot nearest (x_m, y_m) within ``tolerance_m``, or None."""
        if not len(self._xy):
            return None
        d2 = (self._xy[:, 0] - x_m) ** 2 + (self._xy[:, 1] - y_m) ** 2
        index = int(np.argmin(d2))
        return self._ids[index] if d2[index] <= tolerance_m ** 2 else None

    def has_value(self, sample_id: int) -> bool:
        return sample_id in self._values

    def value(self, sample_id: int) -> float | None:
        return self._values.get(sample_id)

    def _brush(self, value: float | None):
        colour = dot_colour(value, self.kind)
        brush = self._brushes.get(colour)
        if brush is None:
            brush = self._brushes[colour] = pg.mkBrush(colour)
        return brush

    def set_samples(self, xy_m: np.ndarray, ids: list[int], values: dict[int, float | None] | None = None) -> None:
        """The survey's samples in order (site metres, ids) and the values of those not known
        yet (``values`` by id, in the current layer's unit; a missing one shows grey until
        :meth:`set_values` brings it)."""
        xy = np.asarray(xy_m, dtype=float).reshape(-1, 2)
        ids = list(ids)
        if values:
            self._values.update(values)
        n_old = len(self._ids)
        appended = (len(ids) >= n_old and ids[:n_old] == self._ids and np.array_equal(xy[:n_old], self._xy))
        if appended and len(ids) > n_old:
            new = ids[n_old:]
            self.samples.addPoints(pos=xy[n_old:], brush=[self._brush(self._values.get(i)) for i in new], data=new)
        elif not appended:
            self.samples.setData(pos=xy, brush=[self._brush(self._values.get(i)) for i in ids], data=ids)
        self._ids, self._xy = ids, xy
        live = set(ids)
        for gone in [i for i in self._values if i not in live]:
            del self._values[gone]
        self._update_labels(changed=set(values or ()) if appended else None)

    def set_values(self, values: dict[int, float | None], kind: LayerKind) -> None:
        """What each sample measured of ``kind``'s quantity (from the layer's worker): re-colour
        and re-label the dots whose value (or the layer) changed."""
        kind = LayerKind(kind)
        relayer = kind != self.kind
        self.kind = kind
        changed = {i for i, v in values.items() if relayer or self._values.get(i, ...) != v}
        self._values.update(values)
        if relayer:
            self._values = {i: values.get(i) for i in self._ids}
        if not changed and not relayer:
            return
        if relayer or len(changed) > len(self._ids) // 4:
            self.samples.setBrush([self._brush(self._values.get(i)) for i in self._ids])
        else:
            points = self.samples.points()
            for index, sample_id in enumerate(self._ids):
                if sample_id in changed and index < len(points):
                    points[index].setBrush(self._brush(self._values.get(sample_id)))
        self._update_labels(changed=None if relayer else changed)

    def _update_labels(self, changed: set[int] | None) -> None:
        """Labels on the newest :data:`MAX_SAMPLE_LABELS` samples; ``changed``: the samples
        whose value changed (None: check every shown label)."""
        shown = [i for i in self._ids[-MAX_SAMPLE_LABELS:]]
        wanted = {i: label_text(self._values.get(i), self.kind) for i in shown}
        wanted = {i: text for i, text in wanted.items() if text is not None}
        for sample_id in [i for i in self._labels if i not in wanted]:
            label = self._labels.pop(sample_id)
            label.setVisible(False)
            self._spare_labels.append(label)
        index_of = {sample_id: index for index, sample_id in enumerate(self._ids)} if wanted else {}
        for sample_id, text in wanted.items():
            label = self._labels.get(sample_id)
            fresh = label is None
            if fresh:
                label = self._spare_labels.pop() if self._spare_labels else self._new_label()
                self._labels[sample_id] = label
            if fresh or changed is None or sample_id in changed:
                label.setText(text)
            x, y = self._xy[index_of[sample_id]]
            if fresh or (label.pos().x(), label.pos().y()) != (x, y):
                label.setPos(float(x), float(y))
            label.setVisible(True)
        self._declutter_labels()

    def _new_label(self) -> pg.TextItem:
        # Above the dot: device names sit below their symbols (floorplan_view), so a sample
        # taken beside the charger does not cover "Charger mounting point".
        text = pg.TextItem("", color="#101010", fill=pg.mkBrush(255, 255, 255, 170), anchor=(0.5, 1.3))
        text.setZValue(SAMPLE_LABELS_Z)
        self.viewbox.addItem(text)
        return text

    def shown_labels(self) -> dict[int, str]:
        """Sample id -> the label shown on it (after decluttering): what a person reads."""
        return {i: label.toPlainText() for i, label in self._labels.items() if label.isVisible()}

    def _declutter_labels(self, *_args) -> None:
        """Hide the values that would overlap a newer one at the current zoom.

        A 0.8 m walking grid seen whole on a laptop screen puts labels on top of each other
        ("-66-62-61"); the newest are kept (they are what the installer just measured) and
        zooming in brings the others back. The dots keep their colours either way.
        """
        if not self._labels:
            return
        try:
            sx, sy = (abs(float(v)) for v in self.viewbox.viewPixelSize())
        except Exception:  # the view has no size yet (not shown): decide on the first paint
            return
        if not (math.isfinite(sx) and math.isfinite(sy)) or sx == 0 or sy == 0:
            return
        order = [i for i in reversed(self._ids) if i in self._labels]  # newest first
        rect = self._labels[order[0]].textItem.boundingRect()
        # The box of a label in metres, with a few pixels of air between neighbours.
        w_m, h_m = (rect.width() + 4) * sx, (rect.height() + 2) * sy
        index_of = {sample_id: index for index, sample_id in enumerate(self._ids)}
        kept = np.empty((len(order), 2))
        n_kept = 0
        for sample_id in order:
            x, y = self._xy[index_of[sample_id]]
            k = kept[:n_kept]
            free = not n_kept or bool(np.all((np.abs(k[:, 0] - x) >= w_m) | (np.abs(k[:, 1] - y) >= h_m)))
            self._labels[sample_id].setVisible(free)
            if free:
                kept[n_kept] = (x, y)
                n_kept += 1

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
        self.flash.setPos(x_m, y_m)

        def step(t):
            t = float(t)
            radius_px = 7 + 20 * t
            self.flash.setRect(-radius_px, -radius_px, 2 * radius_px, 2 * radius_px)
            self.flash.setPen(QPen(QColor(255, 200, 0, int(255 * (1 - t))), 4))

        anim.valueChanged.connect(step)
        anim.finished.connect(lambda: self.flash.setVisible(False))
        self._flash_anim = anim
        step(0.0)
        self.flash.setVisible(True)
        anim.start()

    def remove(self) -> None:
        for item in [self.image, self.samples, self.pending, self.walk_path, self.flash,
                     *self._labels.values(), *self._spare_labels]:
            self.viewbox.removeItem(item)


def _swatch(rgb, width=28, height=14) -> QPixmap:
    pix = QPixmap(width, height)
    pix.fill(QColor(*[int(c) for c in rgb]))
    return pix


def _gradient_pixmap(kind: LayerKind, width=220, height=14) -> QPixmap:
    if kind in (LayerKind.COCHANNEL, LayerKind.CONFIDENCE):
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
        else:
            self.scale_text.setText(f"± 0 dB (sure)  ...  ± {CONFIDENCE_SCALE_MAX_DB:.0f} dB or more (not known): "
                                    "how far the signal map may be off")
