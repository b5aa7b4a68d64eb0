"""The open project as the GUI sees it: the store, the loaded Project, the undo stack, signals.

The project file *is* the document: every edit is an undoable
:class:`~survey.project.edits.Edit` (Qt-free: it writes to the store, which commits before
it returns, and gives back the patched project, which becomes ``session.project``). The
session only runs edits on Qt's QUndoStack (for the Edit menu) and emits the signals the
edit names. Nothing is "unsaved" — except when the file cannot be written: opened
read-only (another window has it, read-only media) or deleted/moved/replaced while open.
Then every write is refused with an :class:`~survey.errors.EvSurveyError` that says so,
samples are kept in memory (``unsaved_samples``), and :meth:`ProjectSession.save_as`
writes everything to a new file.

Opening is a transaction: the new file is validated and read before it replaces the open
project; on any failure the open project, its store and its file stay as they were.

Hooks for other panels (they receive the session through ``window.session``):

* ``projectChanged()``: anything about the site changed; read ``session.project``.
  Finer signals ``floorplanChanged``, ``wallsChanged``, ``devicesChanged`` come first.
* ``samplesChanged()``: emitted by :meth:`samples_updated` after a panel wrote samples.
* ``fileChanged()``: another file was opened, created or closed (``session.store`` may be
  ``None``: no project open, ``session.project`` is then an empty Project), or the open
  one stopped being writable. ``writable``, ``read_only``, ``notice``, ``file_lost`` say how.
* ``fileProblem(message)``: the open file was found deleted, moved or replaced.
* ``writeFailed(message)``: an Undo or Redo could not be written (it is dropped).
* ``push(edit)`` to run any :class:`~survey.project.edits.Edit` and put it on the shared
  undo stack; an edit whose write fails raises and is not kept on the stack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from survey.errors import EvSurveyError
from survey.project import edits
from survey.project.edits import SCALE_KNOWN_SETTING, Edit
from survey.project.model import Device, Floorplan, Project, Site, Wall
from survey.project.store import ProjectReadOnlyError, ProjectStore
from survey.project.validation import check_wall

log = logging.getLogger(__name__)

#: How often (ms) the open file is looked at between writes (deleted, moved, replaced?),
#: so the installer hears of it before the next sample rather than after.
FILE_WATCH_MS = 1500


class NoProjectOpen(RuntimeError):
    """An edit was attempted with no project open (a programming error in the caller)."""


class _EditCommand(QUndoCommand):
    """The one Qt adapter of an :class:`~survey.project.edits.Edit`: Qt's stack gives it the
    Edit menu's words and the undo/redo order; the edit writes the file and says which of the
    session's signals to emit. A command whose write fails never stays on the stack (it is
    made obsolete, which QUndoStack drops), and the error reaches the caller unchanged
    (PySide would prefix its message) or, for an Undo/Redo, ``writeFailed``."""

    def __init__(self, session: ProjectSession, edit: Edit):
        super().__init__(edit.text)
        self.edit = edit
        self.error: BaseException | None = None
        self._session = session
        self._pushing = True

    def _run(self, step: Callable[[ProjectStore, Project], Project]) -> None:
        session = self._session
        try:
            session._run(step, self.edit.changes)
        except Exception as exc:  # every write error: the command must leave the stack
            self.error = exc
            self.setObsolete(True)
            if not self._pushing:
                session._write_failed(exc)

    def redo(self) -> None:
        self._run(self.edit.apply)

    def undo(self) -> None:
        self._run(self.edit.revert)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self.edit.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        return (
            isinstance(other, _EditCommand)
            and other.error is None
            and self.error is None
            and self.edit.merge(other.edit)
        )


class ProjectSession(QObject):
    projectChanged = Signal()
    floorplanChanged = Signal()
    wallsChanged = Signal()
    devicesChanged = Signal()
    samplesChanged = Signal()
    fileChanged = Signal()
    #: The open file cannot be written any more (deleted, moved or replaced): the message.
    fileProblem = Signal(str)
    #: An Undo or Redo could not be written (the message); the edit stays as it was.
    writeFailed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.store: ProjectStore | None = None
        self.project: Project = Project()
        self.undo_stack = QUndoStack(self)
        #: Why the file is open read-only (another window has it, read-only media...), or None.
        self.notice: str | None = None
        #: What opening found: damaged rows left out, a stale log set aside.
        self.open_messages: tuple[str, ...] = ()
        self._watch = QTimer(self)
        self._watch.setInterval(FILE_WATCH_MS)
        self._watch.timeout.connect(self.check_file)

    # -- file lifecycle ------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return None if self.store is None else self.store.path

    @property
    def open_path(self) -> Path:
        """The open project's file, for code that runs only while one is open (NoProjectOpen otherwise)."""
        return self._require().path

    @property
    def is_open(self) -> bool:
        return self.store is not None

    @property
    def writable(self) -> bool:
        """Edits can be written (a project is open, not read-only, its file still there)."""
        return self.store is not None and self.store.writable

    @property
    def read_only(self) -> bool:
        return self.store is not None and self.store.read_only

    @property
    def file_lost(self) -> str | None:
        """Why the open file is not written any more, or None."""
        return None if self.store is None else self.store.lost

    @property
    def unsaved_samples(self) -> int:
        """Samples taken that are only in memory (the file could not be written)."""
        return 0 if self.store is None else len(self.store.pending_samples)

    def create(self, path: str | Path, project: Project, *, overwrite: bool = False) -> None:
        if self.store is not None and _same_path(path, self.store.path):
            self.close()  # the installer chose to replace the open project itself
        store = ProjectStore.create(path, project, overwrite=overwrite)
        self._attach(store, None)

    def open(self, path: str | Path) -> None:
        """Open *path*: validated and read first; only then does it replace the open project.
        On any failure the open project, its file and its store stay exactly as they were.

        A file that cannot be written here (read-only, or open in another window) opens
        read-only with :attr:`notice` saying why and what to do."""
        if self.store is not None and _same_path(path, self.store.path):
            self.reload()
            return
        notice = None
        try:
            store = ProjectStore.open(path)
        except ProjectReadOnlyError as exc:
            store = ProjectStore.open(path, read_only=True)
            store.read_only_reason = notice = str(exc)
        self._attach(store, notice)

    def save_as(self, path: str | Path) -> None:
        """Copy everything to *path* (including samples kept in memory) and work there."""
        old = self._require()
        new_store = old.save_as(path)
        if new_store is old:
            self.fileChanged.emit()
            return
        try:
            self._swap(new_store, None)
        except BaseException:
            new_store.close()
            raise
        old.close()
        self.fileChanged.emit()
        self._emit_all()

    def close(self) -> None:
        self._watch.stop()
        if self.store is not None:
            self.store.close()
        self.store = None
        self.project = Project()
        self.notice = None
        self.open_messages = ()
        self.undo_stack.clear()
        self.fileChanged.emit()
        self._emit_all()

    def _attach(self, store: ProjectStore, notice: str | None) -> None:
        """Make *store* the open project: read it first; the old store is closed only after."""
        old = self.store
        try:
            self._swap(store, notice)
        except BaseException:
            store.close()
            raise
        if old is not None:
            old.close()
        self.undo_stack.clear()
        self.fileChanged.emit()
        self._emit_all()

    def _swap(self, store: ProjectStore, notice: str | None) -> None:
        project = store.load(skip_damaged=True)
        self.store = store
        self.project = project
        self.notice = notice
        self.open_messages = (*store.notices, *store.load_problems)
        store.on_problem = self._file_problem
        self._watch.start()

    def check_file(self) -> str | None:
        """Look at the open file now; emits ``fileProblem`` the first time it is found gone."""
        return None if self.store is None else self.store.check_file()

    def _file_problem(self, message: str) -> None:
        # From inside a write: let that write's own error reach its caller first.
        QTimer.singleShot(0, self, lambda: self.fileProblem.emit(message))
        self.fileChanged.emit()

    def _write_failed(self, exc: BaseException) -> None:
        log.warning("undo/redo not written: %s", exc)
        self.writeFailed.emit(str(exc) if isinstance(exc, EvSurveyError) else f"Not saved: {exc}")

    def reload(self) -> None:
        """Re-read everything from the file (after another module wrote to the store directly)."""
        if self.store is not None:
            self.project = self.store.load(skip_damaged=True)
        self._emit_all()

    def samples_updated(self) -> None:
        """Call after writing samples through ``session.store``: reloads and emits ``samplesChanged``."""
        if self.store is not None:
            self.project = self.store.load(skip_damaged=True)
        self._emit("samples", "project")

    def _emit_all(self) -> None:
        self._emit("floorplan", "walls", "devices", "samples", "project")

    def _emit(self, *names: str) -> None:
        """Emit ``<name>Changed`` for each name (finest first: ``survey.project.edits.CHANGES``)."""
        for name in names:
            getattr(self, f"{name}Changed").emit()

    def _require(self) -> ProjectStore:
        if self.store is None:
            raise NoProjectOpen("no project is open")
        return self.store

    # -- public undoable edits -------------------------------------------------------------
    def push(self, edit: Edit) -> None:
        """Run *edit* and put it on the undo stack; if its write fails it is not kept and
        the error (e.g. :class:`ProjectFileLostError`, :class:`ProjectReadOnlyError`) is raised."""
        self._require()
        command = _EditCommand(self, edit)
        self.undo_stack.push(command)
        command._pushing = False
        if command.error is not None:
            raise command.error

    def apply(self, edit: Edit) -> None:
        """Run *edit* now without putting it on the undo stack (an edit the installer does not
        undo, e.g. naming a survey); its write error is raised."""
        self._run(edit.apply, edit.changes)

    def _run(self, step: Callable[[ProjectStore, Project], Project], changes: Sequence[str]) -> None:
        """One edit's step (apply or revert): the file is written, the project becomes what the
        step returns, then the signals for *changes* (on a failure, nothing changes)."""
        self.project = step(self._require(), self.project)
        self._emit(*changes)

    def add_wall(self, wall: Wall) -> int:
        edit = edits.AddWalls([wall])
        self.push(edit)
        return edit.wall_ids[0]

    def update_wall(self, wall: Wall, text: str = "Edit wall") -> None:
        self.update_walls([wall], text)

    def update_walls(self, walls: Sequence[Wall], text: str = "Edit walls") -> None:
        by_id = {w.id: w for w in self.project.walls}
        before = [by_id[w.id] for w in walls]
        self.push(edits.UpdateWalls(before, list(walls), text))

    def delete_wall(self, wall_id: int) -> None:
        self.delete_walls([wall_id])

    def delete_walls(self, wall_ids: Sequence[int]) -> None:
        ids = set(wall_ids)
        walls = [w for w in self.project.walls if w.id in ids]
        if walls:
            self.push(edits.DeleteWalls(walls, "Delete wall" if len(walls) == 1 else "Delete walls"))

    def replace_walls(self, walls: Sequence[Wall], text: str = "Replace walls") -> None:
        for wall in walls:  # refused before anything is deleted (a DXF value of 1e999 is inf)
            check_wall(wall)
        self.push(edits.ReplacePlan(self.project, walls, text))

    def replace_plan(self, walls: Sequence[Wall], text: str) -> None:
        """The walls *are* the plan now (a DXF import, the garage builder): the plan image goes,
        the walls are replaced and the scale is known — one step, one transaction; every wall
        is checked before anything is deleted."""
        for wall in walls:
            check_wall(wall)
        self.push(edits.ReplacePlan(self.project, walls, text, remove_image=True, setting=(SCALE_KNOWN_SETTING, True)))

    def add_device(self, device: Device, text: str | None = None) -> int:
        edit = edits.AddDevice(device, text or f"Place {device.kind.label.lower()}")
        self.push(edit)
        # push() raises when the write fails, so the edit has run and the device has its file id.
        return cast(int, edit.device_id)

    def update_device(self, device: Device, text: str = "Edit device") -> None:
        before = self.device(device.id)
        if before is None or before == device:
            return
        self.push(edits.UpdateDevice(before, device, text))

    def delete_device(self, device_id: int) -> None:
        device = self.device(device_id)
        if device is not None:
            self.push(edits.DeleteDevice(device, f"Delete {device.kind.label.lower()}"))

    def set_floorplan(
        self, floorplan: Floorplan | None, text: str = "Import floorplan", *, scale_known: bool | None = None
    ) -> None:
        setting = None if scale_known is None else (SCALE_KNOWN_SETTING, scale_known)
        self.push(edits.SetFloorplan(self.project, floorplan, text, setting=setting))

    def set_setting(self, key: str, value, text: str = "Change setting") -> None:
        self.push(edits.set_setting(self.project, key, value, text))

    def set_site(self, site: Site) -> None:
        self.push(edits.set_site(self.project, site))

    def set_units(self, units: str) -> None:
        self.push(edits.set_units(self.project, units))

    def set_material_loss(self, material_id: str, loss_db: float) -> None:
        """The installer's loss (dB at 2.4 GHz) for one wall material; undoable."""
        edit = edits.set_material_loss(self.project, material_id, loss_db)
        if edit is not None:
            self.push(edit)

    def set_charger_profile(self, profile_id: str) -> None:
        self.push(edits.set_charger_profile(self.project, profile_id))

    @property
    def scale_known(self) -> bool:
        return bool(self.project.settings.get(SCALE_KNOWN_SETTING, False))

    def calibrate(self, measured_m: float, true_m: float) -> float:
        """Re-scale the site so a line drawn *measured_m* long is *true_m* long.

        The floorplan's metres-per-pixel, the walls, the devices and the samples all scale
        about the floorplan's origin, so what was drawn on the plan stays on the plan — one
        undo step, one transaction (:class:`~survey.project.edits.Calibrate`). Returns the
        new metres per pixel (or the factor when there is no floorplan)."""
        self._require()
        if measured_m <= 0 or true_m <= 0:
            raise ValueError("calibration lengths must be positive")
        factor = true_m / measured_m
        self.push(edits.Calibrate(self.project, factor))
        return self.project.floorplan.metres_per_px if self.project.floorplan is not None else factor

    # -- lookups -------------------------------------------------------------------------------
    def wall(self, wall_id: int | None) -> Wall | None:
        return next((w for w in self.project.walls if w.id == wall_id), None)

    def device(self, device_id: int | None) -> Device | None:
        return next((d for d in self.project.devices if d.id == device_id), None)


def _same_path(a: str | Path, b: Path) -> bool:
    """Whether *a* names the file *b* (symlinks followed; a path that cannot be resolved is not)."""
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


__all__ = ["ProjectSession", "NoProjectOpen", "SCALE_KNOWN_SETTING", "FILE_WATCH_MS"]
