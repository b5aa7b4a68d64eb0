"""Undoable site edits. Each command writes to the project file through the session at once.

``QUndoStack.push`` runs ``redo()`` immediately, so a command's first ``redo`` *is* the
edit. Deleted walls and devices come back under their old ids (``store.restore_*``), so
later commands in the stack that name those ids stay valid after an undo/redo round.
A command that writes more than one row does it inside ``session._batch()``: one
transaction, so it lands whole or not at all.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Sequence

from PySide6.QtGui import QUndoCommand

from survey.project.model import Device, Floorplan, Wall

if TYPE_CHECKING:
    from survey.ui.session import ProjectSession


class AddWallsCommand(QUndoCommand):
    def __init__(self, session: "ProjectSession", walls: Sequence[Wall], text: str = "Add wall"):
        super().__init__(text)
        self._session = session
        self._walls = [replace(w, id=None) for w in walls]
        self._added: list[Wall] = []

    def redo(self) -> None:
        with self._session._batch():
            if self._added:  # a redo after an undo: same ids as the first time
                for wall in self._added:
                    self._session._restore_wall(wall)
            else:
                self._added = [self._session._insert_wall(w) for w in self._walls]

    def undo(self) -> None:
        with self._session._batch():
            for wall in reversed(self._added):
                self._session._remove_wall(wall.id)

    @property
    def wall_ids(self) -> list[int]:
        return [w.id for w in self._added]


class DeleteWallsCommand(QUndoCommand):
    def __init__(self, session: "ProjectSession", walls: Sequence[Wall], text: str = "Delete wall"):
        super().__init__(text)
        self._session = session
        self._walls = list(walls)

    def redo(self) -> None:
        with self._session._batch():
            for wall in self._walls:
                self._session._remove_wall(wall.id)

    def undo(self) -> None:
        with self._session._batch():
            for wall in self._walls:
                self._session._restore_wall(wall)


class UpdateWallsCommand(QUndoCommand):
    """Change walls in place (move, material). Consecutive edits of one merge id collapse into one step."""

    def __init__(self, session: "ProjectSession", before: Sequence[Wall], after: Sequence[Wall],
                 text: str = "Edit wall", merge_id: int = -1):
        super().__init__(text)
        self._session = session
        self._before = list(before)
        self._after = list(after)
        self._merge_id = merge_id

    def redo(self) -> None:
        self._session._write_walls(self._after)

    def undo(self) -> None:
        self._session._write_walls(self._before)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, UpdateWallsCommand) or other._merge_id != self._merge_id:
            return False
        if [w.id for w in other._before] != [w.id for w in self._after]:
            return False
        self._after = other._after
        return True


class ReplacePlanCommand(QUndoCommand):
    """All walls at once (a DXF import, the garage builder), optionally with the plan image
    removed and a setting changed (the scale is known now): one transaction each way."""

    def __init__(self, session: "ProjectSession", walls: Sequence[Wall], text: str = "Replace walls", *,
                 remove_image: bool = False, setting: tuple[str, object] | None = None):
        super().__init__(text)
        self._session = session
        self._new = [replace(w, id=None) for w in walls]
        project = session.project
        self._old_walls = list(project.walls)
        self._old_floorplan = project.floorplan if remove_image else None
        self._setting = setting
        self._old_setting = None if setting is None else project.settings.get(setting[0])
        self._inserted: list[Wall] | None = None

    def redo(self) -> None:
        s = self._session
        with s._batch():
            if self._old_floorplan is not None:
                s._write_floorplan(None)
            if self._inserted is None:
                self._inserted = s._set_walls(self._new, keep_ids=False)
            else:  # a redo after an undo: same ids as the first time
                s._set_walls(self._inserted, keep_ids=True)
            if self._setting is not None:
                s._write_setting(*self._setting)

    def undo(self) -> None:
        s = self._session
        with s._batch():
            s._set_walls(self._old_walls, keep_ids=True)
            if self._old_floorplan is not None:
                s._write_floorplan(self._old_floorplan)
            if self._setting is not None:
                s._write_setting(self._setting[0], self._old_setting)


class AddDeviceCommand(QUndoCommand):
    def __init__(self, session: "ProjectSession", device: Device, text: str = "Place device"):
        super().__init__(text)
        self._session = session
        self._device = replace(device, id=None)
        self._added: Device | None = None

    def redo(self) -> None:
        if self._added is not None:
            self._session._restore_device(self._added)
        else:
            self._added = self._session._insert_device(self._device)

    def undo(self) -> None:
        if self._added is not None:
            self._session._remove_device(self._added.id)

    @property
    def device_id(self) -> int | None:
        return None if self._added is None else self._added.id


class DeleteDeviceCommand(QUndoCommand):
    def __init__(self, session: "ProjectSession", device: Device, text: str = "Delete device"):
        super().__init__(text)
        self._session = session
        self._device = device

    def redo(self) -> None:
        self._session._remove_device(self._device.id)

    def undo(self) -> None:
        self._session._restore_device(self._device)


class UpdateDeviceCommand(QUndoCommand):
    def __init__(self, session: "ProjectSession", before: Device, after: Device, text: str = "Edit device"):
        super().__init__(text)
        self._session = session
        self._before = before
        self._after = after

    def redo(self) -> None:
        self._session._write_device(self._after)

    def undo(self) -> None:
        self._session._write_device(self._before)


class SetFloorplanCommand(QUndoCommand):
    """A new plan image (or none), with an optional setting changed in the same transaction."""

    def __init__(self, session: "ProjectSession", floorplan: Floorplan | None, text: str = "Set floorplan", *,
                 setting: tuple[str, object] | None = None):
        super().__init__(text)
        self._session = session
        self._new = floorplan
        self._old: Floorplan | None = session.project.floorplan
        self._setting = setting
        self._old_setting = None if setting is None else session.project.settings.get(setting[0])

    def _apply(self, floorplan: Floorplan | None, setting_value) -> None:
        with self._session._batch():
            self._session._write_floorplan(floorplan)
            if self._setting is not None:
                self._session._write_setting(self._setting[0], setting_value)

    def redo(self) -> None:
        self._apply(self._new, None if self._setting is None else self._setting[1])

    def undo(self) -> None:
        self._apply(self._old, self._old_setting)


class FunctionCommand(QUndoCommand):
    """An edit described by two callables (for features other modules add through the session)."""

    def __init__(self, text: str, do: Callable[[], None], undo: Callable[[], None]):
        super().__init__(text)
        self._do = do
        self._undo = undo

    def redo(self) -> None:
        self._do()

    def undo(self) -> None:
        self._undo()
