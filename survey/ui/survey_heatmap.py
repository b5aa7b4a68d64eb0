"""The survey's items on the site view: heatmap image, sample markers, walk path, flash.

Everything here is a pyqtgraph item added to the floorplan ViewBox (site metres, y
down). Sample labels are drawn as plain text (``QPainter.drawText``), never markup. The legend is a small widget for the
side panel, built from the shared colour map (``survey.report.colormap``) so the screen
and the PDF show the same colours.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QGraphicsEllipseItem, QGraphicsItem, QGridLayout, QLabel, QWidget

from survey.analysis.map_layer import LayerKind
from survey.report import colormap
from survey.ui.floorplan_view import SiteMarkers
from survey.ui.survey_layers import (
    COCHANNEL_SCALE_MAX,
    CONFIDENCE_SCALE_MAX_DB,
    LayerImage,
    count_rgba,
    image_rect_m,
    uncertainty_rgba,
)

#: Above the floorplan image (z -100), below walls and devices (z >= 0 in the view).
HEATMAP_Z = -50
SAMPLES_Z = 25
#: Sample values above the dots (a label never covers another dot: see SampleLabels) and
#: under the device names (z 27 in floorplan_view): a handful of fixed landmarks must stay
#: readable; every value is also in the Channels panel and under the cursor.
SAMPLE_LABELS_Z = 25.5
#: Radius (px) of a sample dot (its size is 11 px) plus a pixel of air.
DOT_RADIUS_PX = 6.5
FLASH_Z = 26
#: Labels on every sample get unreadable (and slow) past this many; the table and the
#: hover readout still give every value.
MAX_SAMPLE_LABELS = 150
FLASH_MS = 600
FLASH_MAX_MS = 4000
FLASH_RADIUS_PX = 24
#: Dots re-coloured per turn of the event loop. pyqtgraph styles each spot in Python (~15 µs
#: a dot here), so the 5,000 dots of a large survey at once held the UI thread ~75 ms when
#: its first map arrived (DESIGN.md: never > 50 ms).
RECOLOUR_CHUNK = 1000


#: Colour of a dot whose value is not known (yet): the layer's values come from the worker.
UNKNOWN_DOT = "#9e9e9e"
#: Dots on the confidence layer: the measuring points, in one colour that reads on its scale.
MEASURING_POINT_DOT = "#1f6feb"


def dot_colours(values, kind: LayerKind) -> list[str]:
    """The fill of each sample dot: its value (None: not known) on the layer's own colour
    scale, all in one numpy call (a colour per dot, one by one, held the UI thread ~0.5 s
    when the first map of a 5,000-sample survey arrived)."""
    kind = LayerKind(kind)
    values = list(values)
    if kind is LayerKind.CONFIDENCE:
        return [MEASURING_POINT_DOT] * len(values)
    known = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    if kind is LayerKind.COCHANNEL:
        rgb = count_rgba(known.reshape(1, -1), None)[0, :, :3] / 255.0
    else:
        rgb = colormap.rssi_to_rgb(known)
    hexes = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in np.round(rgb * 255).astype(int).tolist()]
    return [UNKNOWN_DOT if v is None else h for v, h in zip(values, hexes, strict=True)]


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Drawn once per zoom (or new map) into a pixmap the repaints copy: the bilinear
        # upscale cost ~3-7 ms on every repaint of the plan.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def paint(self, painter, *args):
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


class SampleLabels(pg.GraphicsObject):
    """The value labels of the sample dots, all painted by this one item.

    One ``TextItem`` per label meant one Python paint call per label per repaint, and each
    waited for the GIL while a heatmap was being fitted: 150 labels made a repaint take up
    to ~100 ms. Here one call lays out and draws them all in screen pixels. Labels are kept
    newest first; one that would overlap a newer one at the current zoom is left out (zoom
    in to see it; the dots keep their colours either way).
    """

    #: Gap (px) between a label's box and the centre of its dot: above the dot, because
    #: device names sit below their symbols (floorplan_view), so a sample taken beside the
    #: charger does not cover "Charger mounting point".
    ABOVE_DOT_PX = 8
    PAD_PX = 2

    def __init__(self):
        super().__init__()
        self._labels: list[tuple[int, float, float, str]] = []  # (sample id, x_m, y_m, text), oldest first
        self._extent = QRectF()
        #: The last layout and what it was made for (labels, transform): a repaint for
        #: something else (the flash ring, a new map) reuses it.
        self._layout_key: tuple | None = None
        self._layout: list[tuple[int, QRectF, QPointF, str]] = []
        self._widths: dict[str, float] = {}
        self._version = 0
        #: () -> rects in viewport pixels labels keep out of (the device names and symbols).
        self.obstacles = lambda: []
        self._dots = np.zeros((0, 2))  # every sample dot (site metres): no label covers one
        self.setZValue(SAMPLE_LABELS_Z)

    def set_labels(self, labels: list[tuple[int, float, float, str]], dots_m: np.ndarray) -> None:
        if labels == self._labels and np.array_equal(dots_m, self._dots):
            return
        self._dots = dots_m
        self.prepareGeometryChange()
        self._labels = labels
        self._version += 1
        if labels:
            xs = [x for _, x, _, _ in labels]
            ys = [y for _, _, y, _ in labels]
            self._extent = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        else:
            self._extent = QRectF()
        self.update()

    def viewTransformChanged(self):  # noqa: N802 - pyqtgraph's name
        self.prepareGeometryChange()  # the margin in metres follows the zoom

    def boundingRect(self):  # noqa: N802 - Qt's name
        if not self._labels:
            return QRectF()
        px, py = self.pixelWidth() or 0.0, self.pixelHeight() or 0.0
        return self._extent.adjusted(-60 * px, -40 * py, 60 * px, 10 * py)

    def layout(self, transform) -> list[tuple[int, QRectF, QPointF, str]]:
        """(sample id, box in device pixels, text origin, text) of the labels shown under
        ``transform`` (item -> device), newest first."""
        blocked = [(r.left(), r.top(), r.right(), r.bottom()) for r in self.obstacles()]
        key = (
            self._version,
            transform.m11(),
            transform.m12(),
            transform.m21(),
            transform.m22(),
            transform.dx(),
            transform.dy(),
            tuple(blocked),
        )
        if key == self._layout_key:
            return self._layout
        metrics = QFontMetricsF(self.font())
        height = metrics.height() + 2 * self.PAD_PX
        cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
        shown = []
        cell_w, cell_h = 80.0, height
        # Every dot in device pixels: a label must not cover a neighbour's dot. Only the dots
        # near a label can be in the way (there are thousands on a large survey, 150 labels).
        dots = self._dots
        dev_x = transform.m11() * dots[:, 0] + transform.m21() * dots[:, 1] + transform.dx()
        dev_y = transform.m12() * dots[:, 0] + transform.m22() * dots[:, 1] + transform.dy()
        if self._labels:
            at = [transform.map(QPointF(x, y)) for _, x, y, _ in self._labels]
            lx, ly = [p.x() for p in at], [p.y() for p in at]
            near = (dev_x > min(lx) - 100) & (dev_x < max(lx) + 100) & (dev_y > min(ly) - 100) & (dev_y < max(ly) + 100)
            dev_x, dev_y = dev_x[near], dev_y[near]
        r = DOT_RADIUS_PX
        for sample_id, x, y, text in reversed(self._labels):
            at = transform.map(QPointF(x, y))
            width = self._widths.get(text)
            if width is None:
                width = self._widths[text] = metrics.horizontalAdvance(text) + 2 * self.PAD_PX
            x0, y0 = at.x() - width / 2, at.y() - self.ABOVE_DOT_PX - height
            x1, y1 = x0 + width, y0 + height
            cx, cy = int((x0 + x1) / 2 // cell_w), int((y0 + y1) / 2 // cell_h)
            # Two px of air between neighbours across, one down; device names and symbols win.
            if any(
                x0 - 2 < b[2] and b[0] < x1 + 2 and y0 - 1 < b[3] and b[1] < y1 + 1
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for b in cells.get((cx + dx, cy + dy), ())
            ):
                continue
            if any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in blocked):
                continue
            if np.any((dev_x > x0 - r) & (dev_x < x1 + r) & (dev_y > y0 - r) & (dev_y < y1 + r)):
                continue
            cells.setdefault((cx, cy), []).append((x0, y0, x1, y1))
            shown.append(
                (
                    sample_id,
                    QRectF(x0, y0, width, height),
                    QPointF(x0 + self.PAD_PX, y0 + self.PAD_PX + metrics.ascent()),
                    text,
                )
            )
        self._layout_key, self._layout = key, shown
        return shown

    def font(self) -> QFont:
        return QApplication.font()

    def visible(self) -> dict[int, str]:
        """Sample id -> the label shown on it now (after leaving out overlapping ones)."""
        scene = self.scene()
        if scene is None or not scene.views():
            return {}
        transform = self.deviceTransform(scene.views()[0].viewportTransform())
        return {sample_id: text for sample_id, _box, _origin, text in self.layout(transform)}

    def paint(self, painter, *args):
        if not self._labels:
            return
        shown = self.layout(painter.transform())
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font())
        painter.setPen(QColor("#101010"))
        fill = QColor(255, 255, 255, 170)
        for _sample_id, box, origin, text in shown:
            painter.fillRect(box, fill)
            painter.drawText(origin, text)
        painter.restore()


class SurveyOverlay:
    """Owns the survey's graphics items on a ViewBox.

    The sample dots are updated incrementally: a new sample adds one dot, a layer that
    arrives re-colours only the dots whose value changed (every brush and label rebuilt per
    sample cost the UI thread ~0.2 s at 500 samples); the labels are one item
    (:class:`SampleLabels`).
    """

    def __init__(self, viewbox: pg.ViewBox):
        self.viewbox = viewbox
        self.image = SmoothImageItem(axisOrder="row-major")
        self.image.setZValue(HEATMAP_Z)
        viewbox.addItem(self.image)
        self.samples = SiteMarkers(size=11, pxMode=True, symbol="o", pen=pg.mkPen("#202020", width=1.2))
        self.samples.setZValue(SAMPLES_Z)
        viewbox.addItem(self.samples)
        self.pending = SiteMarkers(
            size=16, pxMode=True, symbol="o", brush=None, pen=pg.mkPen("#1f6feb", width=2, style=Qt.PenStyle.DashLine)
        )
        self.pending.setZValue(SAMPLES_Z + 1)
        viewbox.addItem(self.pending)
        self.walk_path = pg.PlotCurveItem(pen=pg.mkPen("#1f6feb", width=2, style=Qt.PenStyle.DashLine))
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
        self._recolour: tuple[list[int], list] = ([], [])  # (ids, brushes) still to be applied
        self._recolour_done = 0
        self._recolour_timer = QTimer(viewbox)
        self._recolour_timer.setSingleShot(True)
        self._recolour_timer.setInterval(0)
        self._recolour_timer.timeout.connect(self._recolour_step)
        self.labels = SampleLabels()
        viewbox.addItem(self.labels)
        self._flash_timer = QTimer(viewbox)  # dies with the view, never outlives its items
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(lambda: self.flash.setVisible(False))
        self._flash_since = 0.0
        self.layer: LayerImage | None = None
        self._heatmap_wanted = True

    # -- heatmap --------------------------------------------------------------------------
    def set_layer(self, layer: LayerImage | None) -> None:
        self.layer = layer
        self._end_flash()
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
        return self._ids[index] if d2[index] <= tolerance_m**2 else None

    def has_value(self, sample_id: int) -> bool:
        return sample_id in self._values

    def value(self, sample_id: int) -> float | None:
        return self._values.get(sample_id)

    def _brush(self, value: float | None):
        return self._brushes_for([value])[0]

    def _brushes_for(self, values) -> list:
        """One brush per value, shared between dots of the same colour."""
        out = []
        for colour in dot_colours(values, self.kind):
            brush = self._brushes.get(colour)
            if brush is None:
                brush = self._brushes[colour] = pg.mkBrush(colour)
            out.append(brush)
        return out

    def set_samples(self, xy_m: np.ndarray, ids: list[int], values: dict[int, float | None] | None = None) -> None:
        """The survey's samples in order (site metres, ids) and the values of those not known
        yet (``values`` by id, in the current layer's unit; a missing one shows grey until
        :meth:`set_values` brings it)."""
        xy = np.asarray(xy_m, dtype=float).reshape(-1, 2)
        ids = list(ids)
        if values:
            self._values.update(values)
        n_old = len(self._ids)
        appended = len(ids) >= n_old and ids[:n_old] == self._ids and np.array_equal(xy[:n_old], self._xy)
        if appended and len(ids) > n_old:
            new = ids[n_old:]
            self.samples.addPoints(pos=xy[n_old:], brush=self._brushes_for(self._values.get(i) for i in new), data=new)
        elif not appended:
            self.samples.setData(pos=xy, brush=self._brushes_for(self._values.get(i) for i in ids), data=ids)
        self._ids, self._xy = ids, xy
        live = set(ids)
        for gone in [i for i in self._values if i not in live]:
            del self._values[gone]
        self._update_labels()

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
            self._recolour_all()
        else:
            points = self.samples.points()
            for index, sample_id in enumerate(self._ids):
                if sample_id in changed and index < len(points):
                    points[index].setBrush(self._brush(self._values.get(sample_id)))
        self._update_labels()

    def _recolour_all(self) -> None:
        """Every dot in its value's colour: at once for a small survey, else
        :data:`RECOLOUR_CHUNK` dots per turn of the event loop."""
        brushes = self._brushes_for(self._values.get(i) for i in self._ids)
        self._recolour_timer.stop()
        if len(brushes) <= RECOLOUR_CHUNK:
            self._recolour = ([], [])
            self.samples.setBrush(brushes)
            return
        self._recolour, self._recolour_done = (list(self._ids), brushes), 0
        self._recolour_step()

    def _recolour_step(self) -> None:
        ids, brushes = self._recolour
        if not ids or self._ids[: len(ids)] != ids or len(self.samples.data) < len(ids):
            self._recolour = ([], [])  # the samples changed meanwhile: they were given their colours then
            return
        lo = self._recolour_done
        hi = min(lo + RECOLOUR_CHUNK, len(ids))
        self.samples.setBrush(brushes[lo:hi], dataSet=self.samples.data[lo:hi])
        self._recolour_done = hi
        if hi < len(ids):
            self._recolour_timer.start()
        else:
            self._recolour = ([], [])

    def _update_labels(self) -> None:
        """Labels on the newest :data:`MAX_SAMPLE_LABELS` samples, in the layer's words."""
        start = max(0, len(self._ids) - MAX_SAMPLE_LABELS)
        labels = []
        for index in range(start, len(self._ids)):
            sample_id = self._ids[index]
            text = label_text(self._values.get(sample_id), self.kind)
            if text is not None:
                labels.append((sample_id, float(self._xy[index, 0]), float(self._xy[index, 1]), text))
        self.labels.set_labels(labels, self._xy)

    def shown_labels(self) -> dict[int, str]:
        """Sample id -> the label shown on it at the current zoom: what a person reads."""
        return self.labels.visible()

    def set_pending(self, xy: tuple[float, float] | None) -> None:
        self.pending.setData(pos=np.array([xy]) if xy else np.zeros((0, 2)))

    def set_walk_path(self, points: list[tuple[float, float]]) -> None:
        if points:
            arr = np.asarray(points, float)
            self.walk_path.setData(arr[:, 0], arr[:, 1])
        else:
            self.walk_path.setData([], [])

    def flash_at(self, x_m: float, y_m: float) -> None:
        """A large ring at a new sample until its map is drawn: the confirmation you can see.

        Shown, then hidden when the map with the sample lands (:meth:`set_layer`), at least
        :data:`FLASH_MS` later and at most :data:`FLASH_MAX_MS`: not animated, and not hidden
        on a timer in the middle of the fit, because every repaint while the map is being
        fitted waits for the fit's GIL (DESIGN.md: the UI thread never blocks > 50 ms).
        """
        radius_px = FLASH_RADIUS_PX
        self.flash.setRect(-radius_px, -radius_px, 2 * radius_px, 2 * radius_px)
        self.flash.setPen(QPen(QColor(255, 200, 0, 220), 4))
        self.flash.setPos(x_m, y_m)
        self.flash.setVisible(True)
        self._flash_since = time.monotonic()
        self._flash_timer.start(FLASH_MAX_MS)

    def _end_flash(self) -> None:
        if not self.flash.isVisible():
            return
        left_ms = FLASH_MS - (time.monotonic() - self._flash_since) * 1000
        if left_ms > 0:
            self._flash_timer.start(int(left_ms))
        else:
            self._flash_timer.stop()
            self.flash.setVisible(False)

    def remove(self) -> None:
        for item in [self.image, self.samples, self.pending, self.walk_path, self.flash, self.labels]:
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
        top, colour = (
            (COCHANNEL_SCALE_MAX, count_rgba)
            if kind is LayerKind.COCHANNEL
            else (CONFIDENCE_SCALE_MAX_DB, uncertainty_rgba)
        )
        rgba = colour(np.linspace(0, top, width)[None, :].repeat(height, 0), None)
        rgba[..., 3] = 255
    else:
        values = np.linspace(colormap.SCALE_MIN_DBM, colormap.SCALE_MAX_DBM, width)[None, :].repeat(height, 0)
        rgba = np.dstack([colormap.heatmap_rgb(values), np.full((height, width), 255, np.uint8)])
    rgba = np.ascontiguousarray(rgba)
    image = QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
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
        self.scale_text.setTextFormat(Qt.TextFormat.PlainText)
        self._band_rows: list[tuple[QLabel, QLabel]] = []
        # Swatch colour at the middle of each band of the shared map.
        mids = (
            (colormap.GOOD_DBM + colormap.SCALE_MAX_DBM) / 2,
            (colormap.LOSS_DBM + colormap.GOOD_DBM) / 2,
            (colormap.SCALE_MIN_DBM + colormap.LOSS_DBM) / 2,
        )
        for row, ((range_text, meaning), mid) in enumerate(zip(colormap.BAND_LABELS, mids)):
            swatch = QLabel(self)
            swatch.setPixmap(_swatch(colormap.rssi_to_rgb(np.array([mid]))[0] * 255))
            text = QLabel(f"{range_text}: {meaning}", self)
            text.setTextFormat(Qt.TextFormat.PlainText)
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
            self.scale_text.setText(
                f"{colormap.SCALE_MIN_DBM:.0f} dBm  ...  {colormap.SCALE_MAX_DBM:.0f} dBm; "
                "paler = farther from any sample"
            )
        elif kind is LayerKind.COCHANNEL:
            self.scale_text.setText(f"0  ...  {COCHANNEL_SCALE_MAX}+ other BSSs on the target's channel")
        elif kind in (LayerKind.LOSS, LayerKind.LATENCY):
            from survey.ui.survey_layers import link_limits

            good, marginal = link_limits(kind)
            unit = kind.unit
            self.scale_text.setText(
                f"good up to {good:g} {unit}, marginal up to {marginal:g} {unit}, "
                "worse beyond (measured at the nearest link test)"
            )
        else:
            self.scale_text.setText(
                f"± 0 dB (sure)  ...  ± {CONFIDENCE_SCALE_MAX_DB:.0f} dB or more (not known): "
                "how far the signal map may be off"
            )
