"""The project's undoable edits without Qt (survey.project.edits): run on a store by
EditHistory, each step checked against the file as another reader sees it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from project_files import make_project, sample_at

from survey.errors import UserInputError
from survey.project import edits
from survey.project.edits import SCALE_KNOWN_SETTING, EditHistory, SampleIds
from survey.project.model import Project, Wall
from survey.project.store import ProjectStore

REPO = Path(__file__).resolve().parents[1]


def on_disk(path: Path) -> Project:
    """The project as a second reader of the file sees it (the history's store stays open)."""
    with ProjectStore.open(path, read_only=True) as store:
        return store.load()


def without_sample_ids(project: Project) -> Project:
    """The project with sample ids left out: a sample written back (undo of a delete, redo of
    an add) gets a new id, and that is all that may differ."""
    return replace(
        project,
        surveys=tuple(
            replace(s, samples=tuple(sorted((replace(x, id=None) for x in s.samples), key=lambda x: x.taken_at)))
            for s in project.surveys
        ),
    )


def test_the_edits_import_no_qt():
    code = (
        "import sys, survey.project.edits\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_calibrate_rename_samples_and_walls_undo_and_redo_headless(tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path, n_samples=3, n_walls=2)
    with ProjectStore.open(path) as store:
        history = EditHistory(store)
        start = history.project
        assert without_sample_ids(on_disk(path)) == without_sample_ids(start)
        ids = SampleIds()
        states = [start]

        def step(edit) -> Project:
            project = history.run(edit)
            assert on_disk(path) == project, edit.text  # the file and the project in memory agree
            states.append(project)
            return project

        p = step(edits.Calibrate(history.project, 2.0))  # the plan's origin is (0, 0)
        assert p.floorplan.metres_per_px == 20.0
        assert [(w.x1_m, w.y2_m) for w in p.walls] == [(0.0, 10.0), (2.0, 10.0)]
        assert [(d.x_m, d.y_m) for d in p.devices] == [(2.0, 2.0), (8.0, 8.0)]
        assert [s.x_m for s in p.surveys[0].samples] == [0.0, 0.2, 0.4]
        assert on_disk(path).settings[SCALE_KNOWN_SETTING] is True
        assert history.undo_text == "Calibrate scale"

        p = step(edits.RenameSurvey(p, survey_id, "  After the mesh node "))
        assert on_disk(path).survey(survey_id).name == "After the mesh node"

        added = edits.AddSample(survey_id, sample_at(7), ids=ids)
        p = step(added)
        p = step(edits.MoveSample(p, added.sample_id, (3.0, 4.0), ids))
        first = p.survey(survey_id).samples[0]
        p = step(edits.DeleteSample(p, first.id, ids))
        assert sorted((s.x_m, s.y_m) for s in on_disk(path).survey(survey_id).samples) == [
            (0.2, 2.0),
            (0.4, 2.0),
            (3.0, 4.0),
        ]

        add_wall = edits.AddWalls([Wall(0.0, 0.0, 6.0, 0.0, "concrete_block")], "Add wall")
        p = step(add_wall)
        wall = p.walls[-1]
        assert wall.id == add_wall.wall_ids[0]
        p = step(edits.UpdateWalls([wall], [replace(wall, y1_m=1.0, y2_m=1.0)], "Move wall"))
        p = step(edits.DeleteWalls([p.walls[0]], "Delete wall"))
        assert len(on_disk(path).walls) == 2

        # Undo everything, then redo everything: the file follows every step.
        for expected in reversed(states[:-1]):
            history.undo()
            assert without_sample_ids(on_disk(path)) == without_sample_ids(expected)
            assert on_disk(path) == history.project
        assert not history.can_undo and history.redo_text == "Calibrate scale"
        for expected in states[1:]:
            history.redo()
            assert without_sample_ids(on_disk(path)) == without_sample_ids(expected)
            assert on_disk(path) == history.project
        # The sample added, undone and written again under a new id was moved, not another one.
        assert (3.0, 4.0) in [(s.x_m, s.y_m) for s in on_disk(path).survey(survey_id).samples]
        assert not history.can_redo


def test_edits_of_one_merge_id_are_one_undo_step_unless_the_first_is_the_clean_state(tmp_path):
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=0, n_walls=1)
    with ProjectStore.open(path) as store:
        history = EditHistory(store)
        wall = history.project.walls[0]
        moved = [replace(wall, x1_m=x, x2_m=x) for x in (1.5, 2.5, 3.5)]
        history.run(edits.UpdateWalls([wall], [moved[0]], "Drag wall", merge_id=7))
        history.set_clean()  # e.g. a report was made here: that state stays one step
        history.run(edits.UpdateWalls([moved[0]], [moved[1]], "Drag wall", merge_id=7))
        history.run(edits.UpdateWalls([moved[1]], [moved[2]], "Drag wall", merge_id=7))
        assert on_disk(path).walls[0].x1_m == 3.5 and not history.is_clean
        history.undo()
        assert on_disk(path).walls[0].x1_m == 1.5 and history.is_clean
        history.undo()
        assert on_disk(path).walls[0].x1_m == 0.0 and not history.can_undo
        history.redo()
        history.redo()
        assert on_disk(path).walls[0].x1_m == 3.5 and history.undo_text == "Drag wall"


def test_an_edit_whose_write_is_refused_is_not_kept_and_changes_nothing(tmp_path):
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=1, n_walls=1)
    with ProjectStore.open(path) as store:
        history = EditHistory(store)
        before = on_disk(path)
        wall = history.project.walls[0]
        with pytest.raises(UserInputError):
            history.run(edits.UpdateWalls([wall], [replace(wall, x2_m=float("inf"))]))
        with pytest.raises(UserInputError):
            history.run(edits.RenameSurvey(history.project, history.project.surveys[0].id, "   "))
        assert not history.can_undo
        assert on_disk(path) == before == history.project
