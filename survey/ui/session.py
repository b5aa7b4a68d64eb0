"""The open project as the GUI sees it: the store, the loaded Project, the undo stack, signals.

The project file *is* the document: every edit goes through an undoable command that
writes to the store (which commits before it returns), and then ``session.project`` is
patched to match. Nothing is "unsaved" — except when the file cannot be written: opened
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
* ``push(command)`` to put any QUndoCommand on the shared undo stack; a command whose write
  fails raises and is not kept on the stack.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from survey.errors import EvSurveyError
from survey.project.model import Device, Floorplan, Project, Site, Wall
from survey.project.plan_geometry import scale_about
from survey.project.store import ProjectReadOnlyError, ProjectStore
from survey.project.validation import check_wall
from survey.ui import undo

log = logging.getLogger(__name__)

#: Project setting that records whether the floorplan's metres-per-pixel came from a
#: real dimension (calibration, DXF units, the garage builder) or is still a guess.
SCALE_KNOWN_SETTING = "floorplan_scale_known"

#: How often (ms) the open file is looked at between writes (deleted, moved, replaced?),
#: so the installer hears of it before the next sample rather than after.
FILE_WATCH_MS = 1500


class NoProjectOpen(RuntimeError):
    """An edit was attempted with no project open (a programming error in the caller)."""


class _Guarded(QUndoCommand):
    """Wraps every command on the stack: a command whose write fails never stays on the
    stack (it is made obsolete, which QUndoStack drops), and the error reaches the caller
    unchanged (PySide would prefix its message) or, for an Undo/Redo, ``writeFailed``."""

    def __init__(self, session: "ProjectSession", inner: QUndoCommand):
        super().__init__(inner.text())
        self.inner = inner
        self.error: BaseException | None = None
        self._session = session
        self._pushing = True

    def _run(self, step) -> None:
        try:
            step()
        except Exception as exc:  # every write error: the command must leave the stack
            self.error = exc
            self.setObsolete(True)
            if not self._pushing:
                self._session._write_failed(exc)

    def redo(self) -> None:
        self._run(self.inner.redo)

    def undo(self) -> None:
        self._run(self.inner.undo)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self.inner.id()

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        return (isinstance(other, _Guarded) and other.error is None and self.error is None
                and self.inner.mergeWith(other.inner))


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
        self._batch_depth = 0
        self._queued: list[str] = []
        self._watch = QTimer(self)
        self._watch.setInterval(FILE_WATCH_MS)
        self._watch.timeout.connect(self.check_file)

    # -- file lifecycle ------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return None if self.store is None else self.store.path

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
        """Emit ``<name>Changed`` signals now, or once the running batch has committed."""
        if self._batch_depth:
            self._queued.extend(n for n in names if n not in self._queued)
            return
        for name in names:
            getattr(self, f"{name}Changed").emit()

    @contextlib.contextmanager
    def _batch(self) -> Iterator[ProjectStore]:
        """One edit of many rows: every store write inside is one transaction, signals wait
        for its commit, and on failure the file and ``self.project`` stay as they were."""
        store = self._require()
        if self._batch_depth:
            self._batch_depth += 1
            try:
                yield store
            finally:
                self._batch_depth -= 1
            return
        before = self.project
        self._batch_depth = 1
        try:
            with store.transaction():
                yield store
        except BaseException:
            self._batch_depth = 0
            self._queued.clear()
            self.project = before
            raise
        self._batch_depth = 0
        queued, self._queued = self._queued, []
        self._emit(*queued)

    def _require(self) -> ProjectStore:
        if self.store is None:
            raise NoProjectOpen("no project is open")
        return self.store

    # -- public undoable edits -------------------------------------------------------------
    def push(self, command: QUndoCommand) -> None:
        """Run *command* and put it on the undo stack; if its write fails it is not kept and
        the error (e.g. :class:`ProjectFileLostError`, :class:`ProjectReadOnlyError`) is raised."""
        self._require()
        guarded = _Guarded(self, command)
        self.undo_stack.push(guarded)
        guarded._pushing = False
        if guarded.error is not None:
            raise guarded.error

    def add_wall(self, wall: Wall) -> int:
        cmd = undo.AddWallsCommand(self, [wall])
        self.push(cmd)
        return cmd.wall_ids[0]

    def update_wall(self, wall: Wall, text: str = "Edit wall") -> None:
        self.update_walls([wall], text)

    def update_walls(self, walls: Sequence[Wall], text: str = "Edit walls") -> None:
        by_id = {w.id: w for w in self.project.walls}
        before = [by_id[w.id] for w in walls]
        self.push(undo.UpdateWallsCommand(self, before, list(walls), text))

    def delete_wall(self, wall_id: int) -> None:
        self.delete_walls([wall_id])

    def delete_walls(self, wall_ids: Sequence[int]) -> None:
        ids = set(wall_ids)
        walls = [w for w in self.project.walls if w.id in ids]
        if walls:
            self.push(undo.DeleteWallsCommand(self, walls, "Delete wall" if len(walls) == 1 else "Delete walls"))

    def replace_walls(self, walls: Sequence[Wall], text: str = "Replace walls") -> None:
        for wall in walls:  # refused before anything is deleted (a DXF value of 1e999 is inf)
            check_wall(wall)
        self.push(undo.ReplacePlanCommand(self, walls, text))

    def replace_plan(self, walls: Sequence[Wall], text: str) -> None:
        """The walls *are* the plan now (a DXF import, the garage builder): the plan image goes,
        the walls are replaced and the scale is known — one step, one transaction; every wall
        is checked before anything is deleted."""
        for wall in walls:
            check_wall(wall)
        self.push(undo.ReplacePlanCommand(self, walls, text, remove_image=True, setting=(SCALE_KNOWN_SETTING, True)))

    def add_device(self, device: Device, text: str | None = None) -> int:
        cmd = undo.AddDeviceCommand(self, device, text or f"Place {device.kind.label.lower()}")
        self.push(cmd)
        return cmd.device_id

    def update_device(self, device: Device, text: str = "Edit device") -> None:
        before = self.device(device.id)
        if before is None or before == device:
            return
        self.push(undo.UpdateDeviceCommand(self, before, device, text))

    def delete_device(self, device_id: int) -> None:
        device = self.device(device_id)
        if device is not None:
            self.push(undo.DeleteDeviceCommand(self, device, f"Delete {device.kind.label.lower()}"))

    def set_floorplan(self, floorplan: Floorplan | None, text: str = "Import floorplan", *,
                      scale_known: bool | None = None) -> None:
        setting = None if scale_known is None else (SCALE_KNOWN_SETTING, scale_known)
        self.push(undo.SetFloorplanCommand(self, floorplan, text, setting=setting))

    def set_setting(self, key: str, value, text: str = "Change setting") -> None:
        old = self.project.settings.get(key)
        self.push(undo.FunctionCommand(text, lambda: self._write_setting(key, value),
                                       lambda: self._write_setting(key, old)))

    def set_site(self, site: Site) -> None:
        old = self.project.site
        self.push(undo.FunctionCommand("Edit site details", lambda: self._write_site(site), lambda: self._write_site(old)))

    def set_units(self, units: str) -> None:
        old = self.project.units
        self.push(undo.FunctionCommand("Change units", lambda: self._write_units(units), lambda: self._write_units(old)))

    def set_material_loss(self, material_id: str, loss_db: float) -> None:
        """The installer's loss (dB at 2.4 GHz) for one wall material; undoable."""
        material = self.project.material(material_id)
        if material is None or material.loss_db == loss_db:
            return
        old = material.loss_db
        self.push(undo.FunctionCommand(f"Change {material.name} loss",
                                       lambda: self._write_material_loss(material_id, loss_db),
                                       lambda: self._write_material_loss(material_id, old)))

    def set_charger_profile(self, profile_id: str) -> None:
        old = self.project.charger_profile_id
        self.push(undo.FunctionCommand("Change charger model", lambda: self._write_profile(profile_id),
                                       lambda: self._write_profile(old)))

    @property
    def scale_known(self) -> bool:
        return bool(self.project.settings.get(SCALE_KNOWN_SETTING, False))

    def calibrate(self, measured_m: float, true_m: float) -> float:
        """Re-scale the site so a line drawn *measured_m* long is *true_m* long.

        The floorplan's metres-per-pixel, the walls, the devices and the samples all scale
        about the floorplan's origin, so what was drawn on the plan stays on the plan — one
        undo step, one transaction. Returns the new metres per pixel (or the factor when
        there is no floorplan)."""
        self._require()
        if measured_m <= 0 or true_m <= 0:
            raise ValueError("calibration lengths must be positive")
        factor = true_m / measured_m
        self.push(CalibrateCommand(self, factor))
        return self.project.floorplan.metres_per_px if self.project.floorplan is not None else factor

    # -- lookups -------------------------------------------------------------------------------
    def wall(self, wall_id: int | None) -> Wall | None:
        return next((w for w in self.project.walls if w.id == wall_id), None)

    def device(self, device_id: int | None) -> Device | None:
        return next((d for d in self.project.devices if d.id == device_id), None)

    # -- primitive writes used by the commands (store first, then the in-memory copy) ------------
    def _walls_changed(self) -> None:
        self._emit("walls", "project")

    def _devices_changed(self) -> None:
        self._emit("devices", "project")

    def _insert_wall(self, wall: Wall, notify: bool = True) -> Wall:
        new = replace(wall, id=self._require().add_wall(wall))
        self.project = replace(self.project, walls=self.project.walls + (new,))
        if notify:
            self._walls_changed()
        return new

    def _restore_wall(self, wall: Wall, notify: bool = True) -> None:
        self._require().restore_wall(wall)
        walls = sorted(self.project.walls + (wall,), key=lambda w: w.id)
        self.project = replace(self.project, walls=tuple(walls))
        if notify:
            self._walls_changed()

    def _remove_wall(self, wall_id: int, notify: bool = True) -> None:
        self._require().delete_wall(wall_id)
        self.project = replace(self.project, walls=tuple(w for w in self.project.walls if w.id != wall_id))
        if notify:
            self._walls_changed()

    def _set_walls(self, walls: Sequence[Wall], *, keep_ids: bool) -> list[Wall]:
        """All walls replaced at once; with *keep_ids* under their own ids (undo/redo)."""
        ids = self._require().replace_walls(walls, keep_ids=keep_ids)
        placed = [replace(w, id=i) for w, i in zip(walls, ids)]
        self.project = replace(self.project, walls=tuple(sorted(placed, key=lambda w: w.id)))
        self._walls_changed()
        return placed

    def _write_walls(self, walls: Sequence[Wall]) -> None:
        self._require().update_walls(walls)
        by_id = {w.id: w for w in walls}
        self.project = replace(self.project, walls=tuple(by_id.get(w.id, w) for w in self.project.walls))
        self._walls_changed()

    def _insert_device(self, device: Device) -> Device:
        new = replace(device, id=self._require().add_device(device))
        self.project = replace(self.project, devices=self.project.devices + (new,))
        self._devices_changed()
        return new

    def _restore_device(self, device: Device) -> None:
        self._require().restore_device(device)
        devices = sorted(self.project.devices + (device,), key=lambda d: d.id)
        self.project = replace(self.project, devices=tuple(devices))
        self._devices_changed()

    def _remove_device(self, device_id: int) -> None:
        self._require().delete_device(device_id)
        self.project = replace(self.project, devices=tuple(d for d in self.project.devices if d.id != device_id))
        self._devices_changed()

    def _write_device(self, device: Device) -> None:
        self._require().update_device(device)
        self.project = replace(self.project, devices=tuple(device if d.id == device.id else d
                                                           for d in self.project.devices))
        self._devices_changed()

    def _write_floorplan(self, floorplan: Floorplan | None) -> None:
        self._require().set_floorplan(floorplan)
        self.project = replace(self.project, floorplan=floorplan)
        self._emit("floorplan", "project")

    def _write_setting(self, key: str, value) -> None:
        self._require().set_setting(key, value)
        settings = dict(self.project.settings)
        settings[key] = value
        self.project = replace(self.project, settings=settings)
        self._emit("project")

    def _write_site(self, site: Site) -> None:
        self._require().set_site(site)
        self.project = replace(self.project, site=site)
        self._emit("project")

    def _write_units(self, units: str) -> None:
        self._require().set_units(units)
        self.project = replace(self.project, units=units)
        self._emit("project")

    def _write_material_loss(self, material_id: str, loss_db: float) -> None:
        changed = replace(self.project.material(material_id), loss_db=float(loss_db))
        self._require().upsert_material(changed)
        self.project = replace(self.project, materials=tuple(
            changed if m.id == material_id else m for m in self.project.materials))
        # The wall model (predicted map, simulated scanner, recommendation) reads the losses.
        self._emit("walls", "project")

    def _write_profile(self, profile_id: str) -> None:
        self._require().set_charger_profile(profile_id)
        self.project = replace(self.project, charger_profile_id=profile_id)
        self._emit("project")

    def _move_samples(self, origin: tuple[float, float], factor: float) -> None:
        self._require().move_samples({
            sample.id: scale_about(sample.x_m, sample.y_m, origin, factor)
            for survey in self.project.surveys for sample in survey.samples})
        self.samples_updated()


class CalibrateCommand(QUndoCommand):
    """Scale the whole site (plan image, walls, devices, samples) about the floorplan's
    origin and mark the scale known, in one transaction so a crash or a bad value can
    never leave half of it scaled."""

    def __init__(self, session: ProjectSession, factor: float):
        super().__init__("Calibrate scale")
        self._session = session
        self._factor = factor
        project = session.project
        fp = project.floorplan
        self._origin = (fp.origin_x_m, fp.origin_y_m) if fp is not None else (0.0, 0.0)
        self._before = (fp, project.walls, project.devices, project.settings.get(SCALE_KNOWN_SETTING))

    def _scaled_wall(self, w: Wall) -> Wall:
        x1, y1 = scale_about(w.x1_m, w.y1_m, self._origin, self._factor)
        x2, y2 = scale_about(w.x2_m, w.y2_m, self._origin, self._factor)
        return replace(w, x1_m=x1, y1_m=y1, x2_m=x2, y2_m=y2)

    def _scaled_device(self, d: Device) -> Device:
        x, y = scale_about(d.x_m, d.y_m, self._origin, self._factor)
        return replace(d, x_m=x, y_m=y)

    def redo(self) -> None:
        s = self._session
        fp, walls, devices, _known = self._before
        with s._batch():
            if fp is not None:
                s._write_floorplan(replace(fp, metres_per_px=fp.metres_per_px * self._factor))
            if walls:
                s._write_walls([self._scaled_wall(w) for w in walls])
            for d in devices:
                s._write_device(self._scaled_device(d))
            if any(survey.samples for survey in s.project.surveys):
                s._move_samples(self._origin, self._factor)
            s._write_setting(SCALE_KNOWN_SETTING, True)

    def undo(self) -> None:
        s = self._session
        fp, walls, devices, known = self._before
        with s._batch():
            if fp is not None:
                s._write_floorplan(fp)
            if walls:
                s._write_walls(walls)
            for d in devices:
                s._write_device(d)
            if any(survey.samples for survey in s.project.surveys):
                s._move_samples(self._origin, 1.0 / self._factor)
            s._write_setting(SCALE_KNOWN_SETTING, known)


def _same_path(a: str | Path, b: Path) -> bool:
    """Whether *a* names the file *b* (symlinks followed; a path that cannot be resolved is not)."""
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


__all__ = ["ProjectSession", "NoProjectOpen", "SCALE_KNOWN_SETTING", "CalibrateCommand", "FILE_WATCH_MS"]
