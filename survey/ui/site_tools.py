"""Editing tools of the site view: select/move, draw walls, place devices, calibrate scale.

A tool receives site-metre positions from :class:`survey.ui.floorplan_view.SiteViewBox`
and returns True from ``click``/``drag``/``key`` when it used the event (the ViewBox pans
and zooms otherwise). Other modules add their own tools with ``window.add_tool(tool, ...)``;
subclass :class:`SiteTool` and override what you need.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCursor

from survey.errors import UserInputError
from survey.project.model import Device, DeviceKind, Wall
from survey.project.plan_geometry import (
    nearest_device,
    nearest_wall,
    snap_point,
    wall_end_near,
    wall_endpoints,
)
from survey.project.units import format_length

if TYPE_CHECKING:
    from survey.ui.floorplan_view import FloorplanView
    from survey.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: Screen distances (px) within which a click hits a device, a wall or an endpoint.
DEVICE_HIT_PX = 14
WALL_HIT_PX = 8
SNAP_PX = 12
#: A sample dot is 11 px across: a click within its radius and a little more picks it.
PICK_HIT_PX = 8


class SiteTool(QObject):
    """Base class: does nothing, so the ViewBox pans and zooms."""

    name = "tool"
    cursor = Qt.CursorShape.ArrowCursor
    #: Emitted with a one-line hint for the status bar when the tool's state changes.
    hint = Signal(str)

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window

    @property
    def view(self) -> FloorplanView:
        return self.window.view

    @property
    def session(self):
        return self.window.session

    def tolerance_m(self, px: float) -> float:
        return px * self.view.metres_per_screen_px()

    def activate(self) -> None:
        self.view.setCursor(QCursor(self.cursor))

    def deactivate(self) -> None:
        self.view.clear_preview()

    def click(self, x_m: float, y_m: float, button, modifiers, double: bool) -> bool:
        return False

    def drag(
        self,
        start: tuple[float, float],
        pos: tuple[float, float],
        is_start: bool,
        is_finish: bool,
        modifiers: Qt.KeyboardModifier,
    ) -> bool:
        return False

    def hover(self, x_m: float, y_m: float, modifiers) -> None:
        pass

    def key(self, key: int, modifiers) -> bool:
        return False


class SelectTool(SiteTool):
    """Click to select a wall, a device or a feature's pickable (a sample); drag one (or a
    wall's end) to move it."""

    name = "select"

    def __init__(self, window):
        super().__init__(window)
        self._drag = None  # (kind, original item or pickable id, end or None)

    def _hit(self, x_m: float, y_m: float):
        """(kind, item) under the cursor: a device first (the smallest target), then a
        pickable, then a wall; for a pickable the item is its id."""
        device = nearest_device(x_m, y_m, self.session.project.devices, self.tolerance_m(DEVICE_HIT_PX))
        if device is not None:
            return "device", device
        for pickable in self.view.pickables.values():
            picked = pickable.hit(x_m, y_m, self.tolerance_m(PICK_HIT_PX))
            if picked is not None:
                return pickable.kind, picked
        wall = nearest_wall(x_m, y_m, self.session.project.walls, self.tolerance_m(WALL_HIT_PX))
        if wall is not None:
            return "wall", wall
        return "", None

    @staticmethod
    def _id(item):
        return getattr(item, "id", item)

    def click(self, x_m, y_m, button, modifiers, double) -> bool:
        if button != Qt.MouseButton.LeftButton:
            return False
        kind, item = self._hit(x_m, y_m)
        self.view.select(kind, self._id(item) if item is not None else None)
        return True

    def drag(
        self,
        start: tuple[float, float],
        pos: tuple[float, float],
        is_start: bool,
        is_finish: bool,
        modifiers: Qt.KeyboardModifier,
    ) -> bool:
        if is_start:
            kind, item = self._hit(*start)
            if item is None:
                self._drag = None
                return False  # empty space: let the ViewBox pan
            end = wall_end_near(item, *start, self.tolerance_m(SNAP_PX)) if kind == "wall" else None
            self._drag = (kind, item, end)
            self.view.select(kind, self._id(item))
        if self._drag is None:
            return False
        kind, item, end = self._drag
        dx, dy = pos[0] - start[0], pos[1] - start[1]
        pickable = self.view.pickables.get(kind)
        if pickable is not None:
            at = pickable.position(item)
            if at is None:  # gone while dragged (undone): nothing to move
                self._drag = None
                self.view.clear_preview()
                return True
            moved_xy = (at[0] + dx, at[1] + dy)
            self.view.show_preview([], moved_xy)
            if is_finish:
                pickable.move(item, *moved_xy)
        elif kind == "device":
            moved = replace(item, x_m=item.x_m + dx, y_m=item.y_m + dy)
            self.view.show_preview([], (moved.x_m, moved.y_m))
            if is_finish:
                self.session.update_device(moved, f"Move {item.kind.label.lower()}")
        else:
            moved = self._moved_wall(item, end, pos, dx, dy, modifiers)
            self.view.show_preview([(moved.x1_m, moved.y1_m), (moved.x2_m, moved.y2_m)])
            if is_finish:
                self.session.update_wall(moved, "Move wall" if end is None else "Move wall end")
        if is_finish:
            self._drag = None
            self.view.clear_preview()
        return True

    def _moved_wall(self, wall: Wall, end, pos, dx, dy, modifiers) -> Wall:
        if end is None:
            return replace(wall, x1_m=wall.x1_m + dx, y1_m=wall.y1_m + dy, x2_m=wall.x2_m + dx, y2_m=wall.y2_m + dy)
        others = [w for w in self.session.project.walls if w.id != wall.id]
        anchor = (wall.x2_m, wall.y2_m) if end == 1 else (wall.x1_m, wall.y1_m)
        snapped = snap_point(
            pos[0],
            pos[1],
            anchor=anchor,
            endpoints=wall_endpoints(others),
            tolerance_m=self.tolerance_m(SNAP_PX),
            angle_snap=not modifiers & Qt.KeyboardModifier.AltModifier,
        )
        if end == 1:
            return replace(wall, x1_m=snapped.x_m, y1_m=snapped.y_m)
        return replace(wall, x2_m=snapped.x_m, y2_m=snapped.y_m)

    def key(self, key, modifiers) -> bool:
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.window.delete_selection()
            return True
        if key == Qt.Key.Key_Escape:
            self.view.select()
            return True
        return False


class WallTool(SiteTool):
    """Click, click, click...: a chain of walls. Escape, right-click or double-click ends it.

    Ends snap to existing endpoints and directions to 15° steps (hold Alt for a free angle).
    """

    name = "wall"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, window):
        super().__init__(window)
        self._anchor: tuple[float, float] | None = None

    def activate(self) -> None:
        super().activate()
        self._anchor = None
        self.hint.emit("Click to start a wall, click again for each corner; Esc or right-click ends the chain.")

    def deactivate(self) -> None:
        self._anchor = None
        super().deactivate()

    def _snap(self, x_m, y_m, modifiers):
        return snap_point(
            x_m,
            y_m,
            anchor=self._anchor,
            endpoints=wall_endpoints(self.session.project.walls),
            tolerance_m=self.tolerance_m(SNAP_PX),
            angle_snap=not modifiers & Qt.KeyboardModifier.AltModifier,
        )

    def click(self, x_m, y_m, button, modifiers, double) -> bool:
        if button == Qt.MouseButton.RightButton or double:
            self.finish_chain()
            return True
        if button != Qt.MouseButton.LeftButton:
            return False
        snapped = self._snap(x_m, y_m, modifiers)
        point = (snapped.x_m, snapped.y_m)
        if self._anchor is not None and point != self._anchor:
            material = self.window.current_material_id()
            self.session.add_wall(Wall(self._anchor[0], self._anchor[1], point[0], point[1], material))
        self._anchor = point
        self.view.show_preview([], point)
        return True

    def hover(self, x_m, y_m, modifiers) -> None:
        snapped = self._snap(x_m, y_m, modifiers)
        marker = (snapped.x_m, snapped.y_m) if snapped.kind == "endpoint" else None
        if self._anchor is None:
            self.view.show_preview([], marker)
            return
        self.view.show_preview([self._anchor, (snapped.x_m, snapped.y_m)], marker)
        length = ((snapped.x_m - self._anchor[0]) ** 2 + (snapped.y_m - self._anchor[1]) ** 2) ** 0.5
        self.window.show_status(f"Wall length {format_length(length, self.session.project.units)}", 0)

    def finish_chain(self) -> None:
        self._anchor = None
        self.view.clear_preview()

    def key(self, key, modifiers) -> bool:
        if key == Qt.Key.Key_Escape and self._anchor is not None:
            self.finish_chain()
            return True
        return False


class DeviceTool(SiteTool):
    """Click to place a device of one kind. There is one charger mounting point: placing it again moves it."""

    cursor = Qt.CursorShape.PointingHandCursor

    def __init__(self, window, kind: DeviceKind):
        super().__init__(window)
        self.kind = kind
        self.name = f"device:{kind.value}"

    def activate(self) -> None:
        super().activate()
        self.hint.emit(f"Click where the {self.kind.label.lower()} is.")

    def click(self, x_m, y_m, button, modifiers, double) -> bool:
        if button != Qt.MouseButton.LeftButton:
            return False
        existing = self.session.project.charger if self.kind == DeviceKind.CHARGER else None
        if existing is not None:
            self.session.update_device(replace(existing, x_m=x_m, y_m=y_m), "Move charger mounting point")
            self.view.select("device", existing.id)
        else:
            device_id = self.session.add_device(Device(self.kind, x_m, y_m, label=""))
            self.view.select("device", device_id)
        return True


class CalibrateTool(SiteTool):
    """Draw a line over a dimension you know (drag, or click both ends), then type its length."""

    name = "calibrate"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, window):
        super().__init__(window)
        self._first: tuple[float, float] | None = None

    def activate(self) -> None:
        super().activate()
        self._first = None
        self.hint.emit("Click both ends of a dimension you know (a door, a wall), then type its length.")

    def click(self, x_m, y_m, button, modifiers, double) -> bool:
        if button != Qt.MouseButton.LeftButton:
            return False
        if self._first is None:
            self._first = (x_m, y_m)
            self.view.show_preview([], self._first)
            return True
        first, self._first = self._first, None
        self._finish(first, (x_m, y_m))
        return True

    def drag(
        self,
        start: tuple[float, float],
        pos: tuple[float, float],
        is_start: bool,
        is_finish: bool,
        modifiers: Qt.KeyboardModifier,
    ) -> bool:
        self.view.show_preview([start, pos])
        if is_finish:
            self._finish(start, pos)
        return True

    def hover(self, x_m, y_m, modifiers) -> None:
        if self._first is not None:
            self.view.show_preview([self._first, (x_m, y_m)], self._first)

    def key(self, key, modifiers) -> bool:
        if key == Qt.Key.Key_Escape:
            self._first = None
            self.view.clear_preview()
            return True
        return False

    def _finish(self, a, b) -> None:
        from survey.ui import dialogs

        self.view.show_preview([a, b])
        measured_m = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
        try:
            if measured_m < self.tolerance_m(5):
                raise UserInputError("That line is too short to calibrate with; draw it over a longer dimension.")
            true_m = dialogs.ask_length(
                self.window,
                "Calibrate scale",
                "How long is the line you drew? (e.g. 2.4 m, 8 ft)",
                self.session.project.units,
            )
            if true_m is None:
                return
            mpp = self.session.calibrate(measured_m, true_m)
            self.window.show_status(
                f"Scale set: the line is {format_length(true_m, self.session.project.units)}"
                f" ({mpp * 1000:.2f} mm per image pixel)."
            )
            self.window.view.fit_to_site()
        except UserInputError as exc:
            self.window.show_error("Calibrate scale", str(exc))
        finally:
            self.view.clear_preview()
            self.window.activate_tool("select")
