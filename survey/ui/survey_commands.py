"""The survey's undoable edits: add, delete and move a sample, choose the target network.

Each command writes the project file through the session's store before it returns and
patches the project in memory the same way, so undo and redo never reload the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtGui import QUndoCommand

from survey.project.model import Sample, TargetNetwork


def _patch_survey_samples(session, survey_id: int, fn: Callable[[tuple], tuple]) -> None:
    project = session.project
    surveys = tuple(replace(s, samples=fn(s.samples)) if s.id == survey_id else s for s in project.surveys)
    session.project = replace(project, surveys=surveys)
    session.samplesChanged.emit()
    session.projectChanged.emit()


class SampleIds:
    """The file id of each sample as undo and redo write it again under a new one.

    The store gives a sample written back (undo of a delete, redo of an add) a fresh id, so
    a later command on the stack that names the old id would miss it. Commands keep the id
    the sample had first and look up where it lives now.
    """

    def __init__(self):
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


class AddSampleCommand(QUndoCommand):
    """Add one sample; undo deletes it from the file, redo writes it again."""

    def __init__(self, session, survey_id: int, sample: Sample, text: str = "Take sample",
                 ids: SampleIds | None = None):
        super().__init__(text)
        self._session = session
        self._survey_id = survey_id
        self._sample = replace(sample, id=None)
        self._ids = ids or SampleIds()
        self._last_id: int | None = None
        self.sample_id: int | None = None

    def redo(self) -> None:
        store = self._session._require()
        self.sample_id = store.add_sample(self._survey_id, self._sample)
        if self._last_id is not None:
            self._ids.moved(self._last_id, self.sample_id)
        added = replace(self._sample, id=self.sample_id)
        _patch_survey_samples(self._session, self._survey_id, lambda samples: samples + (added,))

    def undo(self) -> None:
        if self.sample_id is None:
            return
        sample_id = self._last_id = self.sample_id
        self._session._require().delete_sample(sample_id)
        self.sample_id = None
        _patch_survey_samples(self._session, self._survey_id,
                              lambda samples: tuple(s for s in samples if s.id != sample_id))


def _find_sample(session, sample_id: int):
    """(survey id, sample) of the sample with this id, or (None, None)."""
    for survey in session.project.surveys:
        for sample in survey.samples:
            if sample.id == sample_id:
                return survey.id, sample
    return None, None


class DeleteSampleCommand(QUndoCommand):
    """Delete one sample (a reading taken in the wrong place); undo writes it back."""

    def __init__(self, session, sample_id: int, ids: SampleIds, text: str = "Delete sample"):
        super().__init__(text)
        self._session = session
        self._ids = ids
        self._first_id = sample_id
        self._survey_id, self._sample = _find_sample(session, sample_id)

    def redo(self) -> None:
        sample_id = self._ids.current(self._first_id)
        self._session._require().delete_sample(sample_id)
        _patch_survey_samples(self._session, self._survey_id,
                              lambda samples: tuple(s for s in samples if s.id != sample_id))

    def undo(self) -> None:
        new_id = self._session._require().add_sample(self._survey_id, replace(self._sample, id=None))
        self._ids.moved(self._ids.current(self._first_id), new_id)
        back = replace(self._sample, id=new_id)
        # The file lists samples by id, so the sample written back comes last there too.
        _patch_survey_samples(self._session, self._survey_id, lambda samples: samples + (back,))


class MoveSampleCommand(QUndoCommand):
    """Put one sample where it was really taken (x_m, y_m in site metres)."""

    def __init__(self, session, sample_id: int, xy_m: tuple[float, float], ids: SampleIds,
                 text: str = "Move sample"):
        super().__init__(text)
        self._session = session
        self._ids = ids
        self._first_id = sample_id
        self._survey_id, sample = _find_sample(session, sample_id)
        self._old = (sample.x_m, sample.y_m)
        self._new = (float(xy_m[0]), float(xy_m[1]))

    def _put(self, xy: tuple[float, float]) -> None:
        sample_id = self._ids.current(self._first_id)
        self._session._require().move_samples({sample_id: xy})
        _patch_survey_samples(self._session, self._survey_id, lambda samples: tuple(
            replace(s, x_m=xy[0], y_m=xy[1]) if s.id == sample_id else s for s in samples))

    def redo(self) -> None:
        self._put(self._new)

    def undo(self) -> None:
        self._put(self._old)


class SetTargetCommand(QUndoCommand):
    def __init__(self, session, target: TargetNetwork | None):
        super().__init__("Choose target network")
        self._session = session
        self._new = target
        self._old = session.project.target

    def _write(self, target) -> None:
        self._session._require().set_target(target)
        self._session.project = replace(self._session.project, target=target)
        self._session.samplesChanged.emit()
        self._session.projectChanged.emit()

    def redo(self) -> None:
        self._write(self._new)

    def undo(self) -> None:
        self._write(self._old)

