"""The undoable edits of a project, without Qt: each one writes through the store and
returns the Project as it is after the write.

An :class:`Edit` is a plain command: ``apply(store, project)`` does it, ``revert(store,
project)`` undoes it; both write the file first (the store commits before it returns) and
then return the in-memory project patched the same way, so undo and redo never reload the
file. An edit that writes several rows does it inside ``store.transaction()``: it lands
whole or not at all, and when it raises the project the caller holds is still right (the
edit keeps what it learnt, e.g. new ids, only once its write succeeded).

``changes`` names what an edit touches (:data:`CHANGES`), so a view redraws only that.
:class:`EditHistory` runs edits headless (a script, a test, a CLI step) with undo/redo
stacks; the GUI runs the same edits on Qt's QUndoStack (``survey.ui.session``).

Deleted walls and devices come back under their old ids (``store.restore_*``), so later
edits naming those ids stay valid after an undo/redo round. Samples are written back
under a new id (the store has no restore for samples); :class:`SampleIds` follows them.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from survey.errors import UserInputError
from survey.project.model import Device, Floorplan, Project, Sample, Site, TargetNetwork, Wall
from survey.project.plan_geometry import scale_about
from survey.project.preflight import NetcheckReport
from survey.project.store import ProjectStore
from survey.project.survey_devices import with_record

#: Project setting that records whether the floorplan's metres-per-pixel came from a
#: real dimension (calibration, DXF units, the garage builder) or is still a guess.
SCALE_KNOWN_SETTING = "floorplan_scale_known"

#: What an edit can change, finest first (a view listening to "project" hears of it last).
CHANGES = ("floorplan", "walls", "devices", "samples", "project")

#: ``merge_id`` of an edit that never merges with the one before it (Qt's convention).
NO_MERGE = -1


class Edit(abc.ABC):
    """One undoable change of the project, written through the store."""

    #: What the Edit menu says: "Undo <text>".
    text: str = "Edit"
    #: Which of :data:`CHANGES` the edit touches.
    changes: tuple[str, ...] = ("project",)
    #: Consecutive edits with the same id (not :data:`NO_MERGE`) may merge into one step.
    merge_id: int = NO_MERGE

    @abc.abstractmethod
    def apply(self, store: ProjectStore, project: Project) -> Project:
        """Do the edit (the first time, or again after an undo); the project after it."""

    @abc.abstractmethod
    def revert(self, store: ProjectStore, project: Project) -> Project:
        """Undo the edit; the project after it."""

    def merge(self, other: Edit) -> bool:
        """Take *other* (applied just after this one) into this edit; False if it cannot."""
        return False


# -- walls --------------------------------------------------------------------------------------
def _by_id(items) -> tuple:
    return tuple(sorted(items, key=lambda item: item.id))


def _file_ids(items) -> list[int]:
    """The ids of rows read from or written to the file (those always have one)."""
    return [item.id for item in items if item.id is not None]


class AddWalls(Edit):
    changes = ("walls", "project")

    def __init__(self, walls: Sequence[Wall], text: str = "Add wall"):
        self.text = text
        self._walls = [replace(w, id=None) for w in walls]
        self._added: list[Wall] = []

    @property
    def wall_ids(self) -> list[int]:
        """The walls' ids in the file (empty before the first apply)."""
        return _file_ids(self._added)

    def apply(self, store: ProjectStore, project: Project) -> Project:
        with store.transaction():
            if self._added:  # a redo after an undo: same ids as the first time
                for wall in self._added:
                    store.restore_wall(wall)
                return replace(project, walls=_by_id(project.walls + tuple(self._added)))
            added = [replace(w, id=store.add_wall(w)) for w in self._walls]
        self._added = added
        return replace(project, walls=project.walls + tuple(added))

    def revert(self, store: ProjectStore, project: Project) -> Project:
        if not self._added:
            return project
        ids = {w.id for w in self._added}
        store.delete_walls(_file_ids(reversed(self._added)))
        return replace(project, walls=tuple(w for w in project.walls if w.id not in ids))


class DeleteWalls(Edit):
    changes = ("walls", "project")

    def __init__(self, walls: Sequence[Wall], text: str = "Delete wall"):
        self.text = text
        self._walls = list(walls)

    def apply(self, store: ProjectStore, project: Project) -> Project:
        ids = {w.id for w in self._walls}
        store.delete_walls(_file_ids(self._walls))
        return replace(project, walls=tuple(w for w in project.walls if w.id not in ids))

    def revert(self, store: ProjectStore, project: Project) -> Project:
        with store.transaction():
            for wall in self._walls:
                store.restore_wall(wall)
        return replace(project, walls=_by_id(project.walls + tuple(self._walls)))


def _with_walls(project: Project, walls: Sequence[Wall]) -> Project:
    by_id = {w.id: w for w in walls}
    return replace(project, walls=tuple(by_id.get(w.id, w) for w in project.walls))


class UpdateWalls(Edit):
    """Change walls in place (move, material). Consecutive edits of one merge id collapse into one step."""

    changes = ("walls", "project")

    def __init__(
        self, before: Sequence[Wall], after: Sequence[Wall], text: str = "Edit wall", merge_id: int = NO_MERGE
    ):
        self.text = text
        self._before = list(before)
        self._after = list(after)
        self.merge_id = merge_id

    def apply(self, store: ProjectStore, project: Project) -> Project:
        store.update_walls(self._after)
        return _with_walls(project, self._after)

    def revert(self, store: ProjectStore, project: Project) -> Project:
        store.update_walls(self._before)
        return _with_walls(project, self._before)

    def merge(self, other: Edit) -> bool:
        if not isinstance(other, UpdateWalls) or other.merge_id != self.merge_id:
            return False
        if [w.id for w in other._before] != [w.id for w in self._after]:
            return False
        self._after = other._after
        return True


def _with_setting(project: Project, key: str, value: Any) -> Project:
    settings = dict(project.settings)
    settings[key] = value
    return replace(project, settings=settings)


class ReplacePlan(Edit):
    """All walls at once (a DXF import, the garage builder), optionally with the plan image
    removed and a setting changed (the scale is known now): one transaction each way."""

    def __init__(
        self,
        project: Project,
        walls: Sequence[Wall],
        text: str = "Replace walls",
        *,
        remove_image: bool = False,
        setting: tuple[str, object] | None = None,
    ):
        self.text = text
        self._new = [replace(w, id=None) for w in walls]
        self._old_walls = list(project.walls)
        self._old_floorplan = project.floorplan if remove_image else None
        self._setting = setting
        self._old_setting = None if setting is None else project.settings.get(setting[0])
        self._inserted: list[Wall] | None = None
        self.changes = ("floorplan", "walls", "project") if self._old_floorplan is not None else ("walls", "project")

    def apply(self, store: ProjectStore, project: Project) -> Project:
        with store.transaction():
            if self._old_floorplan is not None:
                store.set_floorplan(None)
                project = replace(project, floorplan=None)
            if self._inserted is None:
                walls, ids = self._new, store.replace_walls(self._new)
            else:  # a redo after an undo: same ids as the first time
                walls, ids = self._inserted, store.replace_walls(self._inserted, keep_ids=True)
            placed = [replace(w, id=i) for w, i in zip(walls, ids, strict=True)]
            if self._setting is not None:
                store.set_setting(*self._setting)
                project = _with_setting(project, *self._setting)
        self._inserted = placed
        return replace(project, walls=_by_id(placed))

    def revert(self, store: ProjectStore, project: Project) -> Project:
        with store.transaction():
            store.replace_walls(self._old_walls, keep_ids=True)
            project = replace(project, walls=_by_id(self._old_walls))
            if self._old_floorplan is not None:
                store.set_floorplan(self._old_floorplan)
                project = replace(project, floorplan=self._old_floorplan)
            if self._setting is not None:
                store.set_setting(self._setting[0], self._old_setting)
                project = _with_setting(project, self._setting[0], self._old_setting)
        return project


# -- devices ------------------------------------------------------------------------------------
def _with_device(project: Project, device: Device) -> Project:
    return replace(project, devices=tuple(device if d.id == device.id else d for d in project.devices))


def _without_device(project: Project, device_id: int | None) -> Project:
    return replace(project, devices=tuple(d for d in project.devices if d.id != device_id))


class AddDevice(Edit):
    changes = ("devices", "project")

    def __init__(self, device: Device, text: str = "Place device"):
        self.text = text
        self._device = replace(device, id=None)
        self._added: Device | None = None

    @property
    def device_id(self) -> int | None:
        return None if self._added is None else self._added.id

    def apply(self, store: ProjectStore, project: Project) -> Project:
        if self._added is not None:  # a redo after an undo: the same id as the first time
            store.restore_device(self._added)
            return replace(project, devices=_by_id(project.devices + (self._added,)))
        self._added = replace(self._device, id=store.add_device(self._device))
        return replace(project, devices=project.devices + (self._added,))

    def revert(self, store: ProjectStore, project: Project) -> Project:
        if self._added is None or self._added.id is None:
            return project
        store.delete_device(self._added.id)
        return _without_device(project, self._added.id)


class DeleteDevice(Edit):
    changes = ("devices", "project")

    def __init__(self, device: Device, text: str = "Delete device"):
        self.text = text
        self._device = device

    def apply(self, store: ProjectStore, project: Project) -> Project:
        if self._device.id is not None:  # a device from the project always has one
            store.delete_device(self._device.id)
        return _without_device(project, self._device.id)

    def revert(self, store: ProjectStore, project: Project) -> Project:
        store.restore_device(self._device)
        return replace(project, devices=_by_id(project.devices + (self._device,)))


class UpdateDevice(Edit):
    changes = ("devices", "project")

    def __init__(self, before: Device, after: Device, text: str = "Edit device"):
        self.text = text
        self._before = before
        self._after = after

    def apply(self, store: ProjectStore, project: Project) -> Project:
        store.update_device(self._after)
        return _with_device(project, self._after)

    def revert(self, store: ProjectStore, project: Project) -> Project:
        store.update_device(self._before)
        return _with_device(project, self._before)


# -- the plan image and the project's values ----------------------------------------------------
class SetFloorplan(Edit):
    """A new plan image (or none), with an optional setting changed in the same transaction."""

    changes = ("floorplan", "project")

    def __init__(
        self,
        project: Project,
        floorplan: Floorplan | None,
        text: str = "Set floorplan",
        *,
        setting: tuple[str, object] | None = None,
    ):
        self.text = text
        self._new = floorplan
        self._old = project.floorplan
        self._setting = setting
        self._old_setting = None if setting is None else project.settings.get(setting[0])

    def _write(self, store: ProjectStore, project: Project, floorplan: Floorplan | None, value) -> Project:
        with store.transaction():
            store.set_floorplan(floorplan)
            if self._setting is not None:
                store.set_setting(self._setting[0], value)
        project = replace(project, floorplan=floorplan)
        return project if self._setting is None else _with_setting(project, self._setting[0], value)

    def apply(self, store: ProjectStore, project: Project) -> Project:
        return self._write(store, project, self._new, None if self._setting is None else self._setting[1])

    def revert(self, store: ProjectStore, project: Project) -> Project:
        return self._write(store, project, self._old, self._old_setting)


class _SetValue(Edit):
    """One value of the project replaced (and put back): written by *write*, patched by *patch*."""

    def __init__(
        self,
        text: str,
        new,
        old,
        write: Callable[[ProjectStore, Any], None],
        patch: Callable[[Project, Any], Project],
        changes: tuple[str, ...] = ("project",),
    ):
        self.text = text
        self.changes = changes
        self._new, self._old = new, old
        self._write, self._patch = write, patch

    def apply(self, store: ProjectStore, project: Project) -> Project:
        self._write(store, self._new)
        return self._patch(project, self._new)

    def revert(self, store: ProjectStore, project: Project) -> Project:
        self._write(store, self._old)
        return self._patch(project, self._old)


def set_setting(project: Project, key: str, value, text: str = "Change setting") -> Edit:
    return _SetValue(
        text,
        value,
        project.settings.get(key),
        lambda store, v: store.set_setting(key, v),
        lambda p, v: _with_setting(p, key, v),
    )


def set_site(project: Project, site: Site) -> Edit:
    return _SetValue("Edit site details", site, project.site, ProjectStore.set_site, lambda p, v: replace(p, site=v))


def set_units(project: Project, units: str) -> Edit:
    return _SetValue("Change units", units, project.units, ProjectStore.set_units, lambda p, v: replace(p, units=v))


def set_charger_profile(project: Project, profile_id: str) -> Edit:
    return _SetValue(
        "Change charger model",
        profile_id,
        project.charger_profile_id,
        ProjectStore.set_charger_profile,
        lambda p, v: replace(p, charger_profile_id=v),
    )


class SetTarget(_SetValue):
    """The network the survey is about (None: not chosen)."""

    def __init__(self, project: Project, target: TargetNetwork | None):
        # The sample views read the target (which network each dot shows), hence "samples".
        super().__init__(
            "Choose target network",
            target,
            project.target,
            ProjectStore.set_target,
            lambda p, v: replace(p, target=v),
            changes=("samples", "project"),
        )


def set_preflight(project: Project, report: NetcheckReport | None) -> Edit:
    """Keep *report* (the last network check) with the project, replacing the one before."""
    return _SetValue(
        "Check the internet path",
        report,
        project.preflight,
        ProjectStore.set_preflight,
        lambda p, v: replace(p, preflight=v),
    )


def set_material_loss(project: Project, material_id: str, loss_db: float) -> Edit | None:
    """The installer's loss (dB at 2.4 GHz) for one wall material; None when nothing changes."""
    material = project.material(material_id)
    if material is None or material.loss_db == loss_db:
        return None

    def write(store: ProjectStore, value: float) -> None:
        store.upsert_material(replace(material, loss_db=float(value)))

    def patch(p: Project, value: float) -> Project:
        return replace(
            p, materials=tuple(replace(m, loss_db=float(value)) if m.id == material_id else m for m in p.materials)
        )

    # The wall model (predicted map, simulated scanner, recommendation) reads the losses: "walls".
    return _SetValue(
        f"Change {material.name} loss", loss_db, material.loss_db, write, patch, changes=("walls", "project")
    )


class RenameSurvey(Edit):
    def __init__(self, project: Project, survey_id: int, name: str, text: str = "Rename survey"):
        survey = project.survey(survey_id)
        if survey is None:
            raise UserInputError(f"There is no survey {survey_id} in this project.")
        self.text = text
        self._survey_id = survey_id
        self._old, self._new = survey.name, name.strip()

    def _write(self, store: ProjectStore, project: Project, name: str) -> Project:
        store.rename_survey(self._survey_id, name)
        return replace(
            project, surveys=tuple(replace(s, name=name) if s.id == self._survey_id else s for s in project.surveys)
        )

    def apply(self, store: ProjectStore, project: Project) -> Project:
        return self._write(store, project, self._new)

    def revert(self, store: ProjectStore, project: Project) -> Project:
        return self._write(store, project, self._old)


# -- calibration --------------------------------------------------------------------------------
def _moved_samples(project: Project, store: ProjectStore, origin: tuple[float, float], factor: float) -> Project:
    positions = {
        sample.id: scale_about(sample.x_m, sample.y_m, origin, factor)
        for survey in project.surveys
        for sample in survey.samples
        if sample.id is not None
    }
    if not positions:
        return project
    store.move_samples(positions)
    return replace(
        project,
        surveys=tuple(
            replace(
                survey,
                samples=tuple(
                    replace(s, x_m=positions[s.id][0], y_m=positions[s.id][1]) if s.id in positions else s
                    for s in survey.samples
                ),
            )
            for survey in project.surveys
        ),
    )


class Calibrate(Edit):
    """Scale the whole site (plan image, walls, devices, samples) by *factor* about the
    floorplan's origin and mark the scale known, in one transaction so a crash or a bad
    value can never leave half of it scaled."""

    text = "Calibrate scale"
    changes = CHANGES

    def __init__(self, project: Project, factor: float):
        if not factor > 0:
            raise ValueError("calibration lengths must be positive")
        self.factor = factor
        fp = project.floorplan
        self._origin = (fp.origin_x_m, fp.origin_y_m) if fp is not None else (0.0, 0.0)
        self._before = (fp, project.walls, project.devices, project.settings.get(SCALE_KNOWN_SETTING))

    def _scaled_wall(self, w: Wall) -> Wall:
        x1, y1 = scale_about(w.x1_m, w.y1_m, self._origin, self.factor)
        x2, y2 = scale_about(w.x2_m, w.y2_m, self._origin, self.factor)
        return replace(w, x1_m=x1, y1_m=y1, x2_m=x2, y2_m=y2)

    def _scaled_device(self, d: Device) -> Device:
        x, y = scale_about(d.x_m, d.y_m, self._origin, self.factor)
        return replace(d, x_m=x, y_m=y)

    def _write(
        self,
        store: ProjectStore,
        project: Project,
        fp: Floorplan | None,
        walls: Sequence[Wall],
        devices: Sequence[Device],
        sample_factor: float,
        known,
    ) -> Project:
        with store.transaction():
            if fp is not None:
                store.set_floorplan(fp)
                project = replace(project, floorplan=fp)
            if walls:
                store.update_walls(walls)
                project = _with_walls(project, walls)
            for d in devices:
                store.update_device(d)
                project = _with_device(project, d)
            project = _moved_samples(project, store, self._origin, sample_factor)
            store.set_setting(SCALE_KNOWN_SETTING, known)
        return _with_setting(project, SCALE_KNOWN_SETTING, known)

    def apply(self, store: ProjectStore, project: Project) -> Project:
        fp, walls, devices, _known = self._before
        scaled_fp = None if fp is None else replace(fp, metres_per_px=fp.metres_per_px * self.factor)
        return self._write(
            store,
            project,
            scaled_fp,
            [self._scaled_wall(w) for w in walls],
            [self._scaled_device(d) for d in devices],
            self.factor,
            True,
        )

    def revert(self, store: ProjectStore, project: Project) -> Project:
        # The samples scale back by 1/factor: the ones on the plan now are the ones scaled.
        fp, walls, devices, known = self._before
        return self._write(store, project, fp, walls, devices, 1.0 / self.factor, known)


# -- samples ------------------------------------------------------------------------------------
class SampleIds:
    """The file id of each sample as undo and redo write it again under a new one.

    The store gives a sample written back (undo of a delete, redo of an add) a fresh id, so
    a later edit on the stack that names the old id would miss it. Edits keep the id the
    sample had first and look up where it lives now.
    """

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def current(self, sample_id: int) -> int:
        """Where the sample once written under ``sample_id`` lives now."""
        while sample_id in self._next:
            sample_id = self._next[sample_id]
        return sample_id

    def moved(self, old_id: int, new_id: int) -> None:
        """The sample that was ``old_id`` was written again as ``new_id``."""
        if old_id != new_id:
            self._next[old_id] = new_id


def _patch_samples(project: Project, survey_id: int | None, fn: Callable[[tuple], tuple]) -> Project:
    return replace(
        project, surveys=tuple(replace(s, samples=fn(s.samples)) if s.id == survey_id else s for s in project.surveys)
    )


def _find_sample(project: Project, sample_id: int) -> tuple[int | None, Sample | None]:
    """(survey id, sample) of the sample with this id, or (None, None)."""
    for survey in project.surveys:
        for sample in survey.samples:
            if sample.id == sample_id:
                return survey.id, sample
    return None, None


class AddSample(Edit):
    """Add one sample; undo deletes it from the file, redo writes it again (under a new id)."""

    changes = ("samples", "project")

    def __init__(self, survey_id: int, sample: Sample, text: str = "Take sample", ids: SampleIds | None = None):
        self.text = text
        self._survey_id = survey_id
        self._sample = replace(sample, id=None)
        self._ids = ids or SampleIds()
        self._last_id: int | None = None
        #: The sample's id in the file while it is there, else None.
        self.sample_id: int | None = None

    def apply(self, store: ProjectStore, project: Project) -> Project:
        survey = project.survey(self._survey_id)
        first = survey is not None and not survey.samples
        self.sample_id = store.add_sample(self._survey_id, self._sample)
        if self._last_id is not None:
            self._ids.moved(self._last_id, self.sample_id)
        added = replace(self._sample, id=self.sample_id)
        project = _patch_samples(project, self._survey_id, lambda samples: samples + (added,))
        # The store recorded the site as surveyed at the first sample; the project says the same.
        return with_record(project, self._survey_id) if first else project

    def revert(self, store: ProjectStore, project: Project) -> Project:
        if self.sample_id is None:
            return project
        sample_id = self.sample_id
        store.delete_sample(sample_id)
        self._last_id, self.sample_id = sample_id, None
        return _patch_samples(project, self._survey_id, lambda samples: tuple(s for s in samples if s.id != sample_id))


class DeleteSample(Edit):
    """Delete one sample (a reading taken in the wrong place); undo writes it back."""

    changes = ("samples", "project")

    def __init__(self, project: Project, sample_id: int, ids: SampleIds, text: str = "Delete sample"):
        self.text = text
        self._ids = ids
        self._first_id = sample_id
        self._survey_id, self._sample = _find_sample(project, sample_id)

    def apply(self, store: ProjectStore, project: Project) -> Project:
        sample_id = self._ids.current(self._first_id)
        store.delete_sample(sample_id)
        return _patch_samples(project, self._survey_id, lambda samples: tuple(s for s in samples if s.id != sample_id))

    def revert(self, store: ProjectStore, project: Project) -> Project:
        if self._survey_id is None or self._sample is None:  # there was no such sample
            return project
        new_id = store.add_sample(self._survey_id, replace(self._sample, id=None))
        self._ids.moved(self._ids.current(self._first_id), new_id)
        back = replace(self._sample, id=new_id)
        # The file lists samples by id, so the sample written back comes last there too.
        return _patch_samples(project, self._survey_id, lambda samples: samples + (back,))


class MoveSample(Edit):
    """Put one sample where it was really taken (x_m, y_m in site metres)."""

    changes = ("samples", "project")

    def __init__(
        self, project: Project, sample_id: int, xy_m: tuple[float, float], ids: SampleIds, text: str = "Move sample"
    ):
        self.text = text
        self._ids = ids
        self._first_id = sample_id
        self._survey_id, sample = _find_sample(project, sample_id)
        if sample is None:
            raise UserInputError(f"There is no sample {sample_id} in this project.")
        self._old = (sample.x_m, sample.y_m)
        self._new = (float(xy_m[0]), float(xy_m[1]))

    def _put(self, store: ProjectStore, project: Project, xy: tuple[float, float]) -> Project:
        sample_id = self._ids.current(self._first_id)
        store.move_samples({sample_id: xy})
        return _patch_samples(
            project,
            self._survey_id,
            lambda samples: tuple(replace(s, x_m=xy[0], y_m=xy[1]) if s.id == sample_id else s for s in samples),
        )

    def apply(self, store: ProjectStore, project: Project) -> Project:
        return self._put(store, project, self._new)

    def revert(self, store: ProjectStore, project: Project) -> Project:
        return self._put(store, project, self._old)


# -- running edits without Qt -------------------------------------------------------------------
class EditHistory:
    """Undo and redo of edits on one open store, without Qt (what QUndoStack does in the GUI).

    Every edit is written when it runs, so "clean" only marks a point the caller chose
    (:meth:`set_clean`), e.g. the state a report was made from. An edit whose write fails
    is not kept: on :meth:`run` it never enters the history, on :meth:`undo`/:meth:`redo`
    it is dropped (as Qt drops an obsolete command) and the error is raised.
    """

    def __init__(self, store: ProjectStore, project: Project | None = None):
        self.store = store
        self.project = store.load() if project is None else project
        self._done: list[Edit] = []
        self._undone: list[Edit] = []
        self._clean: int | None = 0

    def run(self, edit: Edit) -> Project:
        """Apply *edit* and put it on the history (merged into the last one where it can be)."""
        self.project = edit.apply(self.store, self.project)
        done = len(self._done)
        if self._clean is not None and self._clean > done:
            self._clean = None  # the clean state was undone: with the redo stack gone it cannot come back
        self._undone.clear()
        top = self._done[-1] if self._done else None
        merged = (
            top is not None
            and edit.merge_id != NO_MERGE
            and top.merge_id == edit.merge_id
            and self._clean != done
            and top.merge(edit)
        )  # merging into the clean state would lose it
        if not merged:
            self._done.append(edit)
        return self.project

    def undo(self) -> Project:
        if not self._done:
            return self.project
        edit = self._done.pop()
        self.project = edit.revert(self.store, self.project)  # raises: the edit is dropped
        self._undone.append(edit)
        return self.project

    def redo(self) -> Project:
        if not self._undone:
            return self.project
        edit = self._undone.pop()
        self.project = edit.apply(self.store, self.project)
        self._done.append(edit)
        return self.project

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    @property
    def is_clean(self) -> bool:
        return self._clean == len(self._done)

    def set_clean(self) -> None:
        self._clean = len(self._done)
