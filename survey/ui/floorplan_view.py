"""The site view: floorplan image, walls, devices and a scale bar on a pyqtgraph ViewBox.

The ViewBox works in site metres (x right, y down: ``invertY``), aspect locked, so a
metre is as long across as it is down. Mouse handling goes to the active *tool*
(see :mod:`survey.ui.site_tools`); what a tool does not take, the ViewBox does (pan
with a drag, zoom with the wheel).

Hooks for other panels: ``view.viewbox`` (add heatmaps, sample markers with
``viewbox.addItem``), ``view.site_to_viewport(x_m, y_m)``, ``view.metres_per_screen_px()``,
``view.add_pickable(Pickable(...))`` (things of their own the Select tool selects, drags and
deletes, e.g. samples), the signals ``siteHovered(x_m, y_m)`` and ``selectionChanged()``.

Every click on the plan goes to the active tool: no item on the view takes a click for
itself (pyqtgraph's scatter items accept any click on one of their points, which swallowed
clicks on a wall corner's snap circle, a device or the charger). Use :class:`SiteMarkers`
for point markers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QImageReader, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from survey.project import images
from survey.project.model import DeviceKind, Floorplan, Project
from survey.project.plan_geometry import image_to_site_affine, nice_scale_length
from survey.project.units import METRES_PER_FOOT, format_length
from survey.report import colormap

log = logging.getLogger(__name__)

#: Marker symbol per device kind (pyqtgraph symbol names); the colours are shared with
#: the PDF report (survey.report.colormap.DEVICE_COLOURS).
DEVICE_SYMBOL: dict[DeviceKind, str] = {
    DeviceKind.ROUTER: "star",
    DeviceKind.ACCESS_POINT: "t",
    DeviceKind.MESH_NODE: "h",
    DeviceKind.WIRED_AP: "s",
    DeviceKind.POWERLINE_AP: "d",
    DeviceKind.CHARGER: "p",
    DeviceKind.PANEL: "s",
    DeviceKind.ETHERNET_DROP: "t1",
    DeviceKind.OUTLET: "o",
}

WALL_WIDTH_PX = 4
SELECTION_COLOUR = "#ffb000"
DEVICE_SYMBOL_PX = 18
#: Device names above the sample dots (z 25 in survey_heatmap): a name shown is never covered.
DEVICE_LABEL_Z = 27
#: Where a device's name goes: below its symbol, or above it when that spot is taken.
LABEL_ANCHORS = ((0.5, -0.45), (0.5, 1.45))
#: Whose name is kept when names would overlap: the charger's and the router's first.
LABEL_PRIORITY = {
    DeviceKind.CHARGER: 0,
    DeviceKind.ROUTER: 1,
    DeviceKind.MESH_NODE: 2,
    DeviceKind.ACCESS_POINT: 3,
    DeviceKind.WIRED_AP: 4,
    DeviceKind.POWERLINE_AP: 5,
    DeviceKind.PANEL: 6,
}
#: Diameter (px) of the ring around a selected device.
DEVICE_RING_PX = 30
#: Each zoom step (keys, buttons) scales the view by this factor, as two wheel notches do.
ZOOM_STEP = 1.25


class SiteMarkers(pg.ScatterPlotItem):
    """Point markers on the plan that never take a click: the active tool gets it.

    A plain ScatterPlotItem accepts a left click on any of its points, so the ViewBox (and
    the tool) never hears of it: the wall tool could not start at a snapped corner, the
    Select tool said "Nothing selected" on a router, the Survey tool took no sample on the
    charger marker.
    """

    def mouseClickEvent(self, ev):  # noqa: N802 - pyqtgraph's name
        ev.ignore()


@dataclass(frozen=True)
class Pickable:
    """Things another feature draws on the plan that the Select tool selects, drags and
    deletes like walls and devices (the survey's samples). Positions in site metres."""

    kind: str
    #: (x_m, y_m, tolerance_m) -> id of the nearest one within the tolerance, or None
    hit: Callable[[float, float, float], int | None]
    #: id -> its (x_m, y_m), None when it is gone (deleted, undone, another survey shown)
    position: Callable[[int], tuple[float, float] | None]
    #: (id, x_m, y_m): move it there (one undoable step)
    move: Callable[[int, float, float], None]
    #: id: delete it (one undoable step)
    delete: Callable[[int], None]
    #: id -> one line for the Site panel ("Sample 4 at ...: -61 dBm")
    describe: Callable[[int], str]
    ring_px: int = 20


@dataclass(frozen=True)
class Selection:
    """What is selected on the plan: a wall or a device id (or nothing)."""

    kind: str = ""  # "wall", "device" or ""
    id: int | None = None

    def __bool__(self) -> bool:
        return bool(self.kind) and self.id is not None


class SiteViewBox(pg.ViewBox):
    """A ViewBox that offers mouse events to the active tool before panning/zooming."""

    def __init__(self, owner: FloorplanView):
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self._owner = owner

    def _site(self, ev) -> tuple[float, float]:
        p = self.mapToView(ev.pos())
        return float(p.x()), float(p.y())

    def mouseClickEvent(self, ev):  # noqa: N802 - pyqtgraph's name
        tool = self._owner.tool
        if tool is not None and tool.click(*self._site(ev), ev.button(), ev.modifiers(), ev.double()):
            ev.accept()
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802
        tool = self._owner.tool
        if ev.button() == Qt.MouseButton.LeftButton and tool is not None:
            start = self.mapToView(ev.buttonDownPos())
            x, y = self._site(ev)
            if tool.drag((float(start.x()), float(start.y())), (x, y), ev.isStart(), ev.isFinish(), ev.modifiers()):
                ev.accept()
                return
        super().mouseDragEvent(ev, axis)

    def hoverEvent(self, ev):  # noqa: N802
        if ev.isExit():
            return
        x, y = self._site(ev)
        self._owner.siteHovered.emit(x, y)
        tool = self._owner.tool
        if tool is not None:
            tool.hover(x, y, ev.modifiers())


class SiteScaleBar(pg.ScaleBar):
    """A scale bar of a round length in the project's unit, about a fifth of the view wide."""

    def __init__(self):
        super().__init__(size=1.0, width=6, brush="#222222", pen="#ffffff", offset=(-20, -20))
        self.units = "m"
        self.text.setColor("#222222")

    def updateBar(self):  # noqa: N802 - pyqtgraph's name
        view = self.parentItem()
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        unit_m = METRES_PER_FOOT if self.units == "ft" else 1.0
        length_units = nice_scale_length((x1 - x0) / 5.0 / unit_m)
        self.size = length_units * unit_m
        digits = 0 if length_units >= 1 else (1 if length_units >= 0.1 else 2)
        self.text.setText(format_length(self.size, self.units, digits=digits))
        super().updateBar()


def floorplan_qimage(fp: Floorplan) -> tuple[QImage, str]:
    """Decode the floorplan's bytes: (image, "") or (null image, why it is not shown).

    The blob comes from a project file that may have been mailed and edited, so it passes
    the same format allow-list and pixel limit as an import (survey.project.images) on every
    load, and Qt decodes it with the one plugin its magic bytes name, never by guessing.
    """
    try:
        info = images.image_info(fp.image, images.STORED_PLAN_NAME)
    except images.ImageError as exc:
        log.warning("floorplan image %r not shown: %s", fp.source_name, exc)
        return QImage(), f"{exc} The plan is shown without it; import the plan again to put it back."
    buffer = QBuffer()
    buffer.setData(QByteArray(fp.image))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, info.format.encode())
    reader.setDecideFormatFromContent(False)
    image = reader.read()
    if image.isNull():
        log.warning("floorplan image %r could not be decoded: %s", fp.source_name, reader.errorString())
        return image, (
            f"{images.STORED_PLAN_NAME} cannot be decoded ({reader.errorString()}). "
            "Import the plan again to put it back."
        )
    return image, ""


class FloorplanView(pg.GraphicsView):
    siteHovered = Signal(float, float)
    selectionChanged = Signal()
    #: The project's plan image cannot be shown: a plain sentence saying why (once per image).
    floorplanUnreadable = Signal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent, background="#f6f8fa")
        self.session = session
        self.tool = None
        self.selection = Selection()
        self.viewbox = SiteViewBox(self)
        self.setCentralItem(self.viewbox)
        self.setAcceptDrops(False)  # the main window takes dropped files

        self._image_item = QGraphicsPixmapItem()
        self._image_item.setZValue(-100)
        self._image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        # Scaled smoothly once per zoom, then copied: every repaint (a new sample's ring, the
        # map arriving) redrew the whole plan image with bilinear filtering (~3 ms a frame).
        self._image_item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.viewbox.addItem(self._image_item)
        self._image_key = None

        self._selection_curve = pg.PlotCurveItem(
            pen=pg.mkPen(SELECTION_COLOUR, width=WALL_WIDTH_PX + 6), connect="pairs"
        )
        self._selection_curve.setZValue(9)
        self.viewbox.addItem(self._selection_curve)
        self._wall_curves: dict[str, pg.PlotCurveItem] = {}

        self._devices = SiteMarkers(size=DEVICE_SYMBOL_PX, pxMode=True)
        self._devices.setZValue(20)
        self.viewbox.addItem(self._devices)
        self._device_selection = SiteMarkers(
            size=DEVICE_RING_PX, pxMode=True, symbol="o", pen=pg.mkPen(SELECTION_COLOUR, width=3), brush=None
        )
        self._device_selection.setZValue(19)
        self.viewbox.addItem(self._device_selection)
        self._device_labels: list[pg.TextItem] = []
        self._label_priority: list[int] = []
        self.viewbox.sigTransformChanged.connect(self._declutter_device_labels)
        self.viewbox.sigResized.connect(self._declutter_device_labels)

        # Tool feedback: a rubber-band line and a snap marker.
        self.preview_line = pg.PlotCurveItem(pen=pg.mkPen("#d1242f", width=2, style=Qt.PenStyle.DashLine))
        self.preview_line.setZValue(30)
        self.viewbox.addItem(self.preview_line)
        self.snap_marker = SiteMarkers(size=12, symbol="o", pen=pg.mkPen("#d1242f", width=2), brush=None)
        self.snap_marker.setZValue(31)
        self.viewbox.addItem(self.snap_marker)

        self.scale_bar = SiteScaleBar()
        self.scale_bar.setParentItem(self.viewbox)
        self.pickables: dict[str, Pickable] = {}

        session.floorplanChanged.connect(self._refresh_floorplan)
        session.wallsChanged.connect(self._refresh_walls)
        session.devicesChanged.connect(self._refresh_devices)
        session.projectChanged.connect(self._refresh_units)
        session.fileChanged.connect(self._on_file_changed)
        self._refresh_all()

    # -- coordinates ------------------------------------------------------------------
    def site_to_viewport(self, x_m: float, y_m: float) -> QPoint:
        """Widget (viewport) pixel of a site point: what a test clicks to click there."""
        scene = self.viewbox.mapViewToScene(QPointF(x_m, y_m))
        return self.mapFromScene(scene)

    def metres_per_screen_px(self) -> float:
        size = self.viewbox.viewPixelSize()
        return float(max(size[0], size[1])) or 0.01

    def fit_to_site(self) -> None:
        x0, y0, x1, y1 = self.session.project.extent_m(margin_m=0.5)
        self.viewbox.setRange(QRectF(x0, y0, x1 - x0, y1 - y0), padding=0.02)

    def zoom(self, steps: int) -> None:
        """Zoom in (steps > 0) or out about the centre of the view, :data:`ZOOM_STEP` per step."""
        factor = ZOOM_STEP**-steps
        self.viewbox.scaleBy((factor, factor))

    def label_obstacles(self) -> list[QRectF]:
        """Where the device symbols and their names are, in viewport pixels: other labels
        (the samples' values) keep out of them so names and values do not pile up."""
        rects = [
            self.mapFromScene(label.sceneBoundingRect()).boundingRect()
            for label in self._device_labels
            if label.isVisible()
        ]
        half = DEVICE_SYMBOL_PX / 2
        for d in self.project.devices:
            at = self.site_to_viewport(d.x_m, d.y_m)
            rects.append(QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half))
        return [QRectF(r) for r in rects]

    def add_pickable(self, pickable: Pickable) -> None:
        """Let the Select tool select, drag and delete another kind of thing on the plan."""
        self.pickables[pickable.kind] = pickable

    # -- tools and selection -------------------------------------------------------------
    def set_tool(self, tool) -> None:
        if self.tool is tool:
            return
        if self.tool is not None:
            self.tool.deactivate()
        self.tool = tool
        self.clear_preview()
        if tool is not None:
            tool.activate()
            self.setCursor(tool.cursor)

    def select(self, kind: str = "", item_id: int | None = None) -> None:
        self.selection = Selection(kind, item_id)
        self.refresh_selection()
        self.selectionChanged.emit()

    def clear_preview(self) -> None:
        self.preview_line.setData([], [])
        self.snap_marker.setData([], [])

    def show_preview(self, points: list[tuple[float, float]], snap: tuple[float, float] | None = None) -> None:
        if points:
            xs, ys = zip(*points)
            self.preview_line.setData(np.array(xs, float), np.array(ys, float))
        else:
            self.preview_line.setData([], [])
        self.snap_marker.setData([snap[0]] if snap else [], [snap[1]] if snap else [])

    def keyPressEvent(self, ev):  # noqa: N802 - Qt's name
        if self.tool is not None and self.tool.key(ev.key(), ev.modifiers()):
            ev.accept()
            return
        super().keyPressEvent(ev)

    # -- drawing ------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.session.project

    def _on_file_changed(self) -> None:
        self.select()
        self._refresh_all()
        self.fit_to_site()

    def _refresh_all(self) -> None:
        self._refresh_floorplan()
        self._refresh_walls()
        self._refresh_devices()
        self._refresh_units()

    def _refresh_units(self) -> None:
        if self.scale_bar.units != self.project.units:
            self.scale_bar.units = self.project.units
            self.scale_bar.updateBar()

    def _refresh_floorplan(self) -> None:
        fp = self.project.floorplan
        if fp is None:
            self._image_item.setPixmap(QPixmap())
            self._image_key = None
            return
        key = (len(fp.image), hash(fp.image[:4096]), hash(fp.image[-4096:]))
        if key != self._image_key:
            image, problem = floorplan_qimage(fp)
            self._image_item.setPixmap(QPixmap.fromImage(image))
            self._image_key = key
            if problem:
                self.floorplanUnreadable.emit(problem)
        self._image_item.setTransform(QTransform(*image_to_site_affine(fp)))
        self._image_item.setOpacity(fp.opacity)

    def material_colour(self, material_id: str) -> str:
        material = self.project.material(material_id)
        return material.colour if material is not None else "#808080"

    def _refresh_walls(self) -> None:
        by_material: dict[str, list] = {}
        for w in self.project.walls:
            by_material.setdefault(w.material_id, []).append(w)
        for material_id in list(self._wall_curves):
            if material_id not in by_material:
                self.viewbox.removeItem(self._wall_curves.pop(material_id))
        for material_id, walls in by_material.items():
            curve = self._wall_curves.get(material_id)
            if curve is None:
                curve = pg.PlotCurveItem(connect="pairs")
                curve.setZValue(10)
                self.viewbox.addItem(curve)
                self._wall_curves[material_id] = curve
            curve.setPen(pg.mkPen(self.material_colour(material_id), width=WALL_WIDTH_PX, cap=Qt.PenCapStyle.RoundCap))
            xs = np.array([[w.x1_m, w.x2_m] for w in walls], float).ravel()
            ys = np.array([[w.y1_m, w.y2_m] for w in walls], float).ravel()
            curve.setData(xs, ys)
        self.refresh_selection()

    def _refresh_devices(self) -> None:
        spots = []
        for label in self._device_labels:
            self.viewbox.removeItem(label)
        self._device_labels = []
        for d in self.project.devices:
            symbol = DEVICE_SYMBOL.get(d.kind, "o")
            colour = colormap.device_colour(d.kind)
            brush = pg.mkBrush(colour) if not d.planned else pg.mkBrush(QColor(colour).lighter(170))
            pen = pg.mkPen(
                colormap.device_outline(d.kind) if not d.planned else colour,
                width=1.5,
                style=Qt.PenStyle.SolidLine if not d.planned else Qt.PenStyle.DashLine,
            )
            spots.append({"pos": (d.x_m, d.y_m), "symbol": symbol, "brush": brush, "pen": pen, "data": d.id})
            # A light backing keeps the label readable over the plan's own text and lines.
            label = pg.TextItem(
                d.label or d.kind.label, color="#24292f", anchor=LABEL_ANCHORS[0], fill=pg.mkBrush(255, 255, 255, 210)
            )
            label.setPos(d.x_m, d.y_m)
            label.setZValue(DEVICE_LABEL_Z)
            self.viewbox.addItem(label)
            self._device_labels.append(label)
        self._label_priority = sorted(
            range(len(self.project.devices)),
            key=lambda i: LABEL_PRIORITY.get(self.project.devices[i].kind, len(LABEL_PRIORITY)),
        )
        self._devices.setData(spots)
        self._declutter_device_labels()
        self.refresh_selection()

    def _declutter_device_labels(self, *_args) -> None:
        """Show a device's name only where it overlaps no name shown before it and no other
        device's symbol: zoomed out on a laptop screen the names piled up over each other.
        The charger's and the transmitters' names (router, mesh node, access points) always
        show; zooming in brings the others (panel, outlets, drops) back."""
        devices = self.project.devices
        if len(devices) != len(self._device_labels):
            return
        half = DEVICE_SYMBOL_PX / 2
        symbols = []
        for d in devices:
            at = self.site_to_viewport(d.x_m, d.y_m)
            symbols.append(QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half))
        kept: list[QRectF] = []
        for index in self._label_priority:
            label = self._device_labels[index]
            always = devices[index].kind is DeviceKind.CHARGER or devices[index].kind.transmits
            free = False
            for anchor in LABEL_ANCHORS:  # below the symbol, else above it
                label.setAnchor(anchor)
                box = QRectF(self.mapFromScene(label.mapRectToScene(label.boundingRect())).boundingRect())
                free = not any(box.intersects(other) for other in kept) and not any(
                    box.intersects(symbol) for j, symbol in enumerate(symbols) if j != index
                )
                if free:
                    break
            if not free and always:
                label.setAnchor(LABEL_ANCHORS[0])
                box = QRectF(self.mapFromScene(label.mapRectToScene(label.boundingRect())).boundingRect())
                # Two must-read names on one spot: the first one wins, the other waits for a zoom.
                free = not any(box.intersects(other) for other in kept)
            if label.isVisible() != free:
                label.setVisible(free)
            if free:
                kept.append(box)

    def refresh_selection(self) -> None:
        """Draw the selection; clear it when what was selected is gone (deleted, undone, or a
        feature's pickable no longer shown)."""
        sel = self.selection
        wall = self.session.wall(sel.id) if sel.kind == "wall" else None
        if wall is not None:
            self._selection_curve.setData([wall.x1_m, wall.x2_m], [wall.y1_m, wall.y2_m])
        else:
            self._selection_curve.setData([], [])
        device = self.session.device(sel.id) if sel.kind == "device" else None
        ring_at, ring_px = ((device.x_m, device.y_m), DEVICE_RING_PX) if device is not None else (None, DEVICE_RING_PX)
        pickable = self.pickables.get(sel.kind) if sel else None
        if pickable is not None:
            ring_at, ring_px = pickable.position(sel.id), pickable.ring_px
        if ring_at is not None:
            self._device_selection.setData([ring_at[0]], [ring_at[1]], size=ring_px)
        else:
            self._device_selection.setData([], [])
        if sel and wall is None and ring_at is None:
            self.selection = Selection()  # what was selected is gone (deleted or undone)
            self.selectionChanged.emit()
