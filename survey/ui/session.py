"""The open project as the GUI sees it: the store, the loaded Project, the undo stack, signals.

The project file *is* the document: every edit goes through an undoable command that
writes to the store (which commits before it returns), and then ``session.project`` is
patched to match. Nothing is ever "unsaved".

Hooks for other panels (they receive the session through ``window.session``):

* ``projectChanged()``: anything about the site changed; read ``session.project``.
  Finer signals ``floorplanChanged``, ``wallsChanged``, ``devicesChanged`` come first.
* ``samplesChanged()``: emitted by :meth:`samples_updated` after a panel wrote samples.
* ``fileChanged()``: another file was opened, created or closed (``session.store`` may be
  ``None``: no project open, ``session.project`` is then an empty Project).
* ``push(command)`` to put any QUndoCommand on the shared undo stack.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from survey.project.model import Device, Floorplan, Project, Site, Wall
from survey.project.plan_geometry import scale_about
from survey.project.store import ProjectStore
from survey.ui import undo

log = logging.getLogger(__name__)

#: Project setting that records whether the floorplan's metres-per-pixel came from a
#: real dimension (calibration, DXF units, the garage builder) or is still a guess.
SCALE_KNOWN_SETTING = "floorplan_scale_known"


class NoProjectOpen(RuntimeError):
    """An edit was attempted with no project open (a programming error in the caller)."""


class ProjectSession(QObject):
    projectChanged = Signal()
    floorplanChanged = Signal()
    wallsChanged = Signal()
    devicesChanged = Signal()
    samplesChanged = Signal()
    fileChanged = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.store: ProjectStore | None = None
        self.project: Project = Project()
        self.undo_stack = QUndoStack(self)

    # -- file lifecycle ------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return None if self.store is None else self.store.path

    @property
    def is_open(self) -> bool:
        return self.store is not None

    def create(self, path: str | Path, project: Project, *, overwrite: bool = False) -> None:
        store = ProjectStore.create(path, project, overwrite=overwrite)
        self._attach(store)

    def open(self, path: str | Path) -> None:
        store = ProjectStore.open(path)
        self._attach(store)

    def save_as(self, path: str | Path) -> None:
        self._require()
        new_store = self.store.save_as(path)
        if new_store is not self.store:
            old = self.store
            self.store = new_store
            old.close()
        self.fileChanged.emit()

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
        self.store = None
        self.project = Project()
        self.undo_stack.clear()
        self.fileChanged.emit()
        self._emit_all()

    def _attach(self, store: ProjectStore) -> None:
        if self.store is not None:
            self.store.close()
        self.store = store
        self.project = store.load()
        self.undo_stack.clear()
        self.fileChanged.emit()
        self._emit_all()

    def reload(self) -> None:
        """Re-read everything from the file (after another module wrote to the store directly)."""
        if self.store is not None:
            self.project = self.store.load()
        self._emit_all()

    def samples_updated(self) -> None:
        """Call after writing samples through ``session.store``: reloads and emits ``samplesChanged``."""
        if self.store is not None:
            self.project = self.store.load()
        self.samplesChanged.emit()
        self.projectChanged.emit()

    def _emit_all(self) -> None:
        self.floorplanChanged.emit()
        self.wallsChanged.emit()
        self.devicesChanged.emit()
        self.samplesChanged.emit()
        self.projectChanged.emit()

    def _require(self) -> ProjectStore:
        if self.store is None:
            raise NoProjectOpen("no project is open")
        return self.store

    # -- public undoable edits -------------------------------------------------------------
    def push(self, command: QUndoCommand) -> None:
        self._require()
        self.undo_stack.push(command)

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
        self.push(undo.ReplaceWallsCommand(self, walls, text))

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
        self._require()
        self.undo_stack.beginMacro(text)
        try:
            self.undo_stack.push(undo.SetFloorplanCommand(self, floorplan, text))
            if scale_known is not None:
                self.set_setting(SCALE_KNOWN_SETTING, scale_known, text)
        finally:
            self.undo_stack.endMacro()

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
        about the floorplan's origin, so what was drawn on the plan stays on the plan.
        Returns the new metres per pixel (or the factor when there is no floorplan).
        """
        self._require()
        if measured_m <= 0 or true_m <= 0:
            raise ValueError("calibration lengths must be positive")
        factor = true_m / measured_m
        fp = self.project.floorplan
        origin = (fp.origin_x_m, fp.origin_y_m) if fp is not None else (0.0, 0.0)

        def scaled_wall(w: Wall) -> Wall:
            x1, y1 = scale_about(w.x1_m, w.y1_m, origin, factor)
            x2, y2 = scale_about(w.x2_m, w.y2_m, origin, factor)
            return replace(w, x1_m=x1, y1_m=y1, x2_m=x2, y2_m=y2)

        self.undo_stack.beginMacro("Calibrate scale")
        try:
            if fp is not None:
                self.undo_stack.push(undo.SetFloorplanCommand(
                    self, replace(fp, metres_per_px=fp.metres_per_px * factor), "Calibrate scale"))
            if self.project.walls:
                self.undo_stack.push(undo.UpdateWallsCommand(
                    self, list(self.project.walls), [scaled_wall(w) for w in self.project.walls], "Calibrate scale"))
            for d in self.project.devices:
                x, y = scale_about(d.x_m, d.y_m, origin, factor)
                self.undo_stack.push(undo.UpdateDeviceCommand(self, d, replace(d, x_m=x, y_m=y), "Calibrate scale"))
            if any(s.samples for s in self.project.surveys):
                self.undo_stack.push(ScaleSamplesCommand(self, origin, factor))
            self.set_setting(SCALE_KNOWN_SETTING, True, "Calibrate scale")
        finally:
            self.undo_stack.endMacro()
        return self.project.floorplan.metres_per_px if self.project.floorplan is not None else factor

    # -- lookups -------------------------------------------------------------------------------
    def wall(self, wall_id: int | None) -> Wall | None:
        return next((w for w in self.project.walls if w.id == wall_id), None)

    def device(self, device_id: int | None) -> Device | None:
        return next((d for d in self.project.devices if d.id == device_id), None)

    # -- primitive writes used by the commands (store first, then the in-memory copy) ------------
    def _walls_changed(self) -> None:
        self.wallsChanged.emit()
        self.projectChanged.emit()

    def _devices_changed(self) -> None:
        self.devicesChanged.emit()
        self.projectChanged.emit()

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

    def _write_walls(self, walls: Sequence[Wall]) -> None:
        store = self._require()
        for wall in walls:
            store.update_wall(wall)
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
        self.floorplanChanged.emit()
        self.projectChanged.emit()

    def _write_setting(self, key: str, value) -> None:
        self._require().set_setting(key, value)
        settings = dict(self.project.settings)
        settings[key] = value
        self.project = replace(self.project, settings=settings)
        self.projectChanged.emit()

    def _write_site(self, site: Site) -> None:
        self._require().set_site(site)
        self.project = replace(self.project, site=site)
        self.projectChanged.emit()

    def _write_units(self, units: str) -> None:
        self._require().set_units(units)
        self.project = replace(self.project, units=units)
        self.projectChanged.emit()

    def _write_material_loss(self, material_id: str, loss_db: float) -> None:
        changed = replace(self.project.material(material_id), loss_db=float(loss_db))
        self._require().upsert_material(changed)
        self.project = replace(self.project, materials=tuple(
            changed if m.id == material_id else m for m in self.project.materials))
        # The wall model (predicted map, simulated scanner, recommendation) reads the losses.
        self.wallsChanged.emit()
        self.projectChanged.emit()

    def _write_profile(self, profile_id: str) -> None:
        self._require().set_charger_profile(profile_id)
        self.project = replace(self.project, charger_profile_id=profile_id)
        self.projectChanged.emit()


class ScaleSamplesCommand(QUndoCommand):
    """Move every sample by a scale factor about an origin (part of a calibration),
    in one transaction so a crash cannot leave half the samples moved."""

    def __init__(self, session: ProjectSession, origin: tuple[float, float], factor: float):
        super().__init__("Calibrate scale")
        self._session = session
        self._origin = origin
        self._factor = factor

    def _apply(self, factor: float) -> None:
        store = self._session._require()
        store.move_samples({sample.id: scale_about(sample.x_m, sample.y_m, self._origin, factor)
                            for survey in self._session.project.surveys for sample in survey.samples})
        self._session.samples_updated()

    def redo(self) -> None:
        self._apply(self._factor)

    def undo(self) -> None:
        self._apply(1.0 / self._factor)


__all__ = ["ProjectSession", "NoProjectOpen", "SCALE_KNOWN_SETTING", "ScaleSamplesCommand"]
