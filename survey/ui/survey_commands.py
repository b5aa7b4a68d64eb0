"""The survey's undoable edits as the survey panel builds them from the session: add, delete
and move a sample, choose the target network.

The edits themselves are Qt-free (:mod:`survey.project.edits`); these names only take the
session, whose project the edit starts from, and are run with ``session.push``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from survey.project import edits
from survey.project.edits import SampleIds
from survey.project.model import Sample, TargetNetwork

if TYPE_CHECKING:
    from survey.ui.session import ProjectSession

__all__ = ["AddSampleCommand", "DeleteSampleCommand", "MoveSampleCommand", "SampleIds", "SetTargetCommand"]


class AddSampleCommand(edits.AddSample):
    def __init__(
        self,
        session: ProjectSession,
        survey_id: int,
        sample: Sample,
        text: str = "Take sample",
        ids: SampleIds | None = None,
    ):
        super().__init__(survey_id, sample, text, ids)


class DeleteSampleCommand(edits.DeleteSample):
    def __init__(self, session: ProjectSession, sample_id: int, ids: SampleIds, text: str = "Delete sample"):
        super().__init__(session.project, sample_id, ids, text)


class MoveSampleCommand(edits.MoveSample):
    def __init__(
        self,
        session: ProjectSession,
        sample_id: int,
        xy_m: tuple[float, float],
        ids: SampleIds,
        text: str = "Move sample",
    ):
        super().__init__(session.project, sample_id, xy_m, ids, text)


class SetTargetCommand(edits.SetTarget):
    def __init__(self, session: ProjectSession, target: TargetNetwork | None):
        super().__init__(session.project, target)
