"""The garage builder on a plan that already has something on it: add the garage where the
installer clicks, or replace the plan with it, never silently.

It used to replace the imported, calibrated floorplan and the house walls without a word.
Now, when the plan holds a floorplan image or walls, :func:`ask_garage_mode` asks; "add"
starts :class:`GaragePlaceTool`: the garage's outline follows the cursor, its inside
top-left corner snapping to wall corners, and a click adds its walls as one undoable step
(a side that would lie along an existing wall, the house's, is left out so that wall is
not counted twice).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from survey.project.edits import AddWalls
from survey.project.garage import GarageSpec, build_garage
from survey.project.plan_geometry import snap_point, wall_doubled, wall_endpoints
from survey.ui.site_tools import SNAP_PX, SiteTool

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow

ADD, REPLACE = "add", "replace"


def ask_garage_mode(parent, has_image: bool, wall_count: int) -> str | None:
    """:data:`ADD`, :data:`REPLACE` or None (cancelled): what to do with a plan that already
    has an image or walls."""
    what = " and ".join(
        part
        for part in (
            "a floorplan image" if has_image else "",
            f"{wall_count} wall{'s' if wall_count != 1 else ''}" if wall_count else "",
        )
        if part
    )
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Garage builder",
        f"This plan already has {what}. Add the garage to it (you click where its top-left "
        "inside corner goes), or replace the whole plan with the garage?",
        parent=parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    add = box.addButton("Add to the plan", QMessageBox.ButtonRole.AcceptRole)
    replace_button = box.addButton("Replace the plan", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(add)
    box.exec()
    clicked = box.clickedButton()
    return ADD if clicked is add else REPLACE if clicked is replace_button else None


def garage_walls_at(spec: GarageSpec, corner_m: tuple[float, float], existing) -> tuple[list, int]:
    """(the garage's walls with its inside top-left corner at ``corner_m``, how many sides were
    left out because an existing wall already runs there)."""
    dx, dy = corner_m[0] - spec.margin_m, corner_m[1] - spec.margin_m
    moved = [
        replace(w, x1_m=w.x1_m + dx, y1_m=w.y1_m + dy, x2_m=w.x2_m + dx, y2_m=w.y2_m + dy) for w in build_garage(spec)
    ]
    kept = [w for w in moved if not wall_doubled(w, existing)]
    return kept, len(moved) - len(kept)


class GaragePlaceTool(SiteTool):
    """Click where the garage's inside top-left corner goes; Esc (or another tool) cancels."""

    name = "garage"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, window: MainWindow, spec: GarageSpec):
        super().__init__(window)
        self.spec = spec
        # Not one of the tool bar's tools: its hint goes to the status bar from here.
        self.hint.connect(lambda text: window.show_status(text, 0))

    def activate(self) -> None:
        super().activate()
        scale = (
            ""
            if self.session.scale_known
            else (
                " The plan's scale is not calibrated yet: the garage is drawn to its real size, so calibrate "
                "first (K) if it should match the image."
            )
        )
        self.hint.emit(
            "Click where the garage's top-left inside corner goes (it snaps to wall corners); Esc cancels." + scale
        )

    def _corner(self, x_m: float, y_m: float, modifiers):
        snapped = snap_point(
            x_m,
            y_m,
            anchor=None,
            endpoints=wall_endpoints(self.session.project.walls),
            tolerance_m=self.tolerance_m(SNAP_PX),
            angle_snap=False,
        )
        return (snapped.x_m, snapped.y_m), snapped.kind == "endpoint"

    def hover(self, x_m, y_m, modifiers) -> None:
        (x0, y0), on_corner = self._corner(x_m, y_m, modifiers)
        x1, y1 = x0 + self.spec.width_m, y0 + self.spec.depth_m
        self.view.show_preview([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], (x0, y0) if on_corner else None)

    def click(self, x_m, y_m, button, modifiers, double) -> bool:
        if button != Qt.MouseButton.LeftButton:
            return False
        corner, _ = self._corner(x_m, y_m, modifiers)
        walls, left_out = garage_walls_at(self.spec, corner, self.session.project.walls)
        self.session.push(AddWalls(walls, "Add garage"))
        shared = (
            f" {left_out} side{'s' if left_out != 1 else ''} along existing walls left out, so "
            "they are not counted twice."
            if left_out
            else ""
        )
        self.window.show_status(
            f"Garage added ({len(walls)} walls).{shared} Place the charger (C) and the router (R), then survey.", 10000
        )
        self.window.activate_tool("select")
        return True

    def key(self, key, modifiers) -> bool:
        if key == Qt.Key.Key_Escape:
            self.window.show_status("Garage not added.", 5000)
            self.window.activate_tool("select")
            return True
        return False
