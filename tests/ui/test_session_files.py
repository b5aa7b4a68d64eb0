"""Issue 20 through ``ProjectSession``: the open project never writes to the wrong file and
nothing acknowledged vanishes — failed opens, two sessions on one file, the file deleted,
moved or its log deleted while open (with SIGKILL after), a stale log beside a restored
copy, a read-only file, atomic multi-row edits (DXF with 1e999, calibration)."""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from project_files import (
    bad_project_files,
    digest,
    execute,
    kill,
    listing,
    make_project,
    read_reports,
    sample_at,
    sample_xs,
    start_store_writer,
    subprocess_env,
)

from survey.errors import EvSurveyError
from survey.project.model import Wall
from survey.project.store import (
    InvalidValueError,
    ProjectFileLostError,
    ProjectReadOnlyError,
    ProjectStore,
)
from survey.ui.session import SCALE_KNOWN_SETTING, ProjectSession
from survey.ui.survey_commands import AddSampleCommand


@pytest.fixture
def session(qtbot):
    s = ProjectSession()
    yield s
    s.close()


def take_sample(session: ProjectSession, i: int) -> int:
    """What the survey panel does with a finished scan: an undoable command on the session."""
    command = AddSampleCommand(session, session.project.active_survey.id, sample_at(i))
    session.push(command)
    return command.sample_id


def xs(session: ProjectSession) -> list[float]:
    return sorted(s.x_m for survey in session.project.surveys for s in survey.samples)


# -- opening is a transaction ------------------------------------------------------------------------


def test_a_failed_open_leaves_the_open_project_and_its_file_in_charge(session, tmp_path):
    good = tmp_path / "good.evsurvey"
    make_project(good, n_samples=4)
    session.open(good)
    bad_files = [b for b in bad_project_files(tmp_path / "bad") if b.refused]
    for bad in bad_files:
        fingerprint = digest(bad.path) if bad.path.is_file() else None
        with pytest.raises(EvSurveyError) as info:
            session.open(bad.path)
        assert bad.problem in str(info.value), bad.label
        assert session.path == good.resolve() and session.writable, bad.label
        assert (digest(bad.path) if bad.path.is_file() else None) == fingerprint, bad.label
    # The next samples land in the good file, not in any of the refused ones.
    for i in range(100, 105):
        take_sample(session, i)
    assert xs(session) == sample_xs(good) == [0.0, 0.1, 0.2, 0.3, 10.0, 10.1, 10.2, 10.3, 10.4]


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_opening_writes_nothing_until_the_first_edit(session, tmp_path, journal):
    """Not even the journal mode (header bytes 18-19) changes before the installer edits."""
    path = tmp_path / "p.evsurvey"
    make_project(path)
    execute(path, f"PRAGMA journal_mode = {journal}")
    before, files = digest(path), listing(tmp_path)
    session.open(path)
    assert digest(path) == before
    session.close()
    assert digest(path) == before and listing(tmp_path) == files
    session.open(path)
    take_sample(session, 50)
    session.close()
    assert digest(path) != before and listing(tmp_path) == files  # written, and no side file left


# -- one writer per file ---------------------------------------------------------------------------------


def test_a_second_session_on_the_same_file_is_read_only_and_says_who_has_it(qtbot, tmp_path):
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=3)
    first, second = ProjectSession(), ProjectSession()
    try:
        first.open(path)
        take_sample(first, 10)
        second.open(path)
        assert first.writable and second.read_only
        assert "open for editing in another evsurvey window" in second.notice
        assert f"pid {os.getpid()}" in second.notice and "Save As" in second.notice
        # Edits in the second are refused (a sample is kept in memory) and never reach the file.
        with pytest.raises(ProjectReadOnlyError):
            second.add_wall(Wall(0, 0, 1, 1, "concrete_block"))
        with pytest.raises(ProjectReadOnlyError, match="kept in memory"):
            take_sample(second, 20)
        assert second.undo_stack.count() == 0
        take_sample(first, 11)
        first.undo_stack.undo()
        first.undo_stack.redo()
        assert sample_xs(path) == [0.0, 0.1, 0.2, 1.0, 1.1]
        # Save As from the read-only one: what it showed, plus its kept sample, in a file of its own.
        copy = tmp_path / "copy.evsurvey"
        second.save_as(copy)
        assert second.writable and second.notice is None
        assert sample_xs(copy) == [0.0, 0.1, 0.2, 1.0, 2.0]
        first.close()
        third = ProjectSession()
        third.open(path)
        assert third.writable
        third.close()
    finally:
        first.close()
        second.close()


def test_another_process_writing_the_file_makes_the_open_read_only(session, tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path, n_samples=2)
    writer = start_store_writer(path, survey_id, first=100)
    try:
        reported = read_reports(writer, lambda seen: len(seen) >= 3)
        session.open(path)
        assert session.read_only and "pid" in session.notice
        with pytest.raises(ProjectReadOnlyError):
            ProjectStore.open(path)
    finally:
        reported += kill(writer)
    # The writer was never disturbed: everything it reported saved is in the file.
    assert all(w == "saved" for w, _ in reported)
    assert {round(n * 0.1, 3) for _, n in reported} <= set(sample_xs(path))


# -- the open file is watched -----------------------------------------------------------------------------


def _disturb(kind: str, path: Path, tmp_path: Path) -> Path | None:
    """Delete, move or remove the log of an open project; returns where the file went."""
    if kind == "deleted":
        path.unlink()
        return None
    if kind == "moved":
        moved = tmp_path / "elsewhere.evsurvey"
        os.replace(path, moved)
        return moved
    if kind == "log deleted":
        Path(str(path) + "-wal").unlink()
        return path
    if kind == "replaced":
        other = tmp_path / "other.evsurvey"
        make_project(other, n_samples=1)
        os.replace(other, path)
        return path
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["deleted", "moved", "log deleted", "replaced"])
def test_a_file_gone_while_open_stops_writing_and_save_as_keeps_everything(session, tmp_path, qtbot, kind):
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=3)
    session.open(path)
    for i in range(10, 14):
        take_sample(session, i)
    problems = []
    session.fileProblem.connect(problems.append)
    moved = _disturb(kind, path, tmp_path)
    moved_bytes = digest(moved) if moved is not None and kind == "moved" else None
    # The next sample is not reported saved: it is kept in memory, and the installer is told.
    with pytest.raises(ProjectFileLostError, match="kept in memory") as info:
        take_sample(session, 20)
    assert "Save As" in str(info.value)
    qtbot.waitUntil(lambda: bool(problems), timeout=2000)
    assert not session.writable and session.file_lost and session.unsaved_samples == 1
    with pytest.raises(ProjectFileLostError):
        take_sample(session, 21)
    with pytest.raises(ProjectFileLostError):
        session.add_wall(Wall(0, 0, 1, 1, "concrete_block"))
    assert session.undo_stack.count() == 4  # the refused edits are not on the stack
    if moved_bytes is not None:
        assert digest(moved) == moved_bytes  # nothing more written to the moved file
    if kind == "replaced":
        assert sample_xs(path) == [0.0]  # the file now at the name was not touched
    # Save As writes everything: what was saved (read through the still-open old file and
    # its log) and the two samples kept in memory.
    copy = tmp_path / "saved-as.evsurvey"
    session.save_as(copy)
    assert session.writable and session.path == copy.resolve() and session.unsaved_samples == 0
    expected = [0.0, 0.1, 0.2, 1.0, 1.1, 1.2, 1.3, 2.0, 2.1]
    assert xs(session) == expected
    take_sample(session, 30)
    assert sample_xs(copy) == expected + [3.0]


def test_the_watch_notices_a_deleted_file_between_writes(session, tmp_path, qtbot):
    path = tmp_path / "site.evsurvey"
    make_project(path)
    session.open(path)
    take_sample(session, 40)
    problems = []
    session.fileProblem.connect(problems.append)
    path.unlink()
    qtbot.waitUntil(lambda: bool(problems), timeout=5000)  # no write needed: the timer looked
    assert "deleted or moved" in problems[0] and "Save As" in problems[0]


SESSION_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[3])
    from PySide6.QtGui import QGuiApplication
    from project_files import sample_at
    from survey.errors import EvSurveyError
    from survey.ui.session import ProjectSession
    from survey.ui.survey_commands import AddSampleCommand
    app = QGuiApplication([])
    session = ProjectSession()
    session.open(sys.argv[1])
    i, saved_as = 0, False
    while True:
        command = AddSampleCommand(session, session.project.active_survey.id, sample_at(i))
        try:
            session.push(command)
            print("saved", i, flush=True)
        except EvSurveyError:
            print("kept", i, flush=True)
            if not saved_as:
                session.save_as(sys.argv[2])
                saved_as = True
                print("saved-as", i, flush=True)
        i += 1
""")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["deleted", "moved", "log deleted"])
def test_file_gone_while_open_then_sigkill_loses_nothing_acknowledged(tmp_path, kind):
    """A session in another process samples; the file goes; the session keeps the samples,
    saves as a new file and goes on there; then the process is killed. Every sample it
    reported saved or kept is in the new file, none went to the old one after it went."""
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=0)
    copy = tmp_path / "saved-as.evsurvey"
    proc = subprocess.Popen(
        [sys.executable, "-c", SESSION_WRITER, str(path), str(copy), str(Path(__file__).parents[1])],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    reports: list[tuple[str, int]] = []
    try:
        for line in proc.stdout:
            word, number = line.split()
            reports.append((word, int(number)))
            if len(reports) == 8:
                moved = _disturb(kind, path, tmp_path)
            if word == "saved-as":
                break
        for line in proc.stdout:  # a few more on the new file, then the laptop dies
            word, number = line.split()
            reports.append((word, int(number)))
            if sum(w == "saved" for w, _ in reports) >= 16:
                break
    finally:
        reports += [(w, n) for w, n in kill(proc)]
    acknowledged = {round(n * 0.1, 3) for w, n in reports if w in ("saved", "kept")}
    assert len(acknowledged) >= 16
    stored = set(sample_xs(copy))
    assert acknowledged <= stored
    # At most the one sample being written when the kill came is there unreported.
    last = max(n for _w, n in reports)
    assert stored - acknowledged <= {round((last + 1) * 0.1, 3)}
    first_kept = min(n for w, n in reports if w == "kept")
    if kind == "moved":
        assert all(x < round(first_kept * 0.1, 3) for x in sample_xs(moved))
    if kind == "deleted":
        assert not path.exists()


# -- a stale log is never replayed --------------------------------------------------------------------------


def test_a_stale_log_beside_a_restored_backup_is_set_aside_not_replayed(session, tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path, n_samples=104, n_walls=38)
    backup = tmp_path / "backup.evsurvey"
    shutil.copyfile(path, backup)
    # More work, then the laptop dies: site.evsurvey-wal holds samples 200... of that session.
    writer = start_store_writer(path, survey_id, first=200)
    read_reports(writer, lambda seen: len(seen) >= 60)
    kill(writer)
    assert Path(str(path) + "-wal").stat().st_size > 0
    shutil.copyfile(backup, path)  # the installer restores the backup over it
    restored = digest(path)
    session.open(path)
    project = session.project
    assert len(project.active_survey.samples) == 104 and len(project.walls) == 38
    assert any("set aside" in m for m in session.open_messages)
    assert digest(path) == restored  # opened, not yet written
    aside = [p for p in tmp_path.iterdir() if ".stale-wal-" in p.name and not p.name.endswith("-shm")]
    assert len(aside) == 1 and not Path(str(path) + "-wal").exists()
    take_sample(session, 900)
    session.close()
    assert len(sample_xs(path)) == 105


def test_a_log_of_another_database_does_not_make_a_good_file_damaged(session, tmp_path):
    good = tmp_path / "good.evsurvey"
    make_project(good, n_samples=5)
    other = tmp_path / "other.evsurvey"
    survey_id = make_project(other, n_samples=1)
    writer = start_store_writer(other, survey_id, first=10)
    read_reports(writer, lambda seen: len(seen) >= 5)
    kill(writer)
    shutil.copyfile(str(other) + "-wal", str(good) + "-wal")
    assert sample_xs(good) == [0.0, 0.1, 0.2, 0.3, 0.4]  # read-only: ignored, not replayed
    session.open(good)
    assert len(session.project.active_survey.samples) == 5


# -- read-only files ------------------------------------------------------------------------------------------


def test_a_file_that_cannot_be_written_opens_read_only_and_save_as_works(session, tmp_path, monkeypatch):
    """SQLite says the file cannot be written (as on read-only media) at the first edit."""
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=2)
    before = digest(path)

    def read_only_connect(real):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    session.open(path)
    monkeypatch.setattr("survey.project.store.connect_writable", read_only_connect)
    with pytest.raises(ProjectReadOnlyError, match="read-only: site.evsurvey cannot be written") as info:
        take_sample(session, 7)
    assert "Save As" in str(info.value) and "kept in memory" in str(info.value)
    assert session.read_only and not session.writable
    assert digest(path) == before and session.undo_stack.count() == 0
    monkeypatch.undo()
    copy = tmp_path / "copy.evsurvey"
    session.save_as(copy)
    assert sample_xs(copy) == [0.0, 0.1, 0.7]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only files")
def test_a_read_only_file_opens_read_only(session, tmp_path):
    path = tmp_path / "site.evsurvey"
    make_project(path)
    path.chmod(0o444)
    session.open(path)
    assert session.read_only and "read-only" in session.notice and "Save As" in session.notice


# -- multi-row edits are atomic --------------------------------------------------------------------------------


def test_walls_with_1e999_change_nothing(session, tmp_path):
    path = tmp_path / "site.evsurvey"
    make_project(path)
    session.open(path)
    before = session.project
    walls = [Wall(0, 0, 5, 0, "concrete_block"), Wall(float("1e999"), 0, 5, 5, "concrete_block")]
    with pytest.raises(InvalidValueError, match="inf is not a finite number"):
        session.replace_plan(walls, "Import plan.dxf")
    with pytest.raises(InvalidValueError):
        session.replace_walls([Wall(math.nan, 0, 1, 1, "concrete_block")])
    assert session.project == before and session.undo_stack.count() == 0
    with ProjectStore.open(path, read_only=True) as store:
        on_disk = store.load()
    assert len(on_disk.walls) == 5 and on_disk.floorplan is not None


def test_replace_plan_is_one_step_and_one_transaction(session, tmp_path, monkeypatch):
    path = tmp_path / "site.evsurvey"
    make_project(path)
    session.open(path)
    new_walls = [Wall(0, 0, 3, 0, "concrete_block"), Wall(3, 0, 3, 3, "concrete_block")]
    # A failure after the old walls are deleted (here: while writing the setting) rolls back all of it.
    monkeypatch.setattr(
        ProjectStore, "set_setting", lambda *a: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error"))
    )
    with pytest.raises(sqlite3.OperationalError):
        session.replace_plan(new_walls, "Build garage")
    monkeypatch.undo()
    with ProjectStore.open(path, read_only=True) as store:
        assert len(store.load().walls) == 5 and store.load().floorplan is not None
    assert len(session.project.walls) == 5 and session.project.floorplan is not None
    session.replace_plan(new_walls, "Build garage")
    assert len(session.project.walls) == 2 and session.project.floorplan is None and session.scale_known
    assert session.undo_stack.count() == 1
    session.undo_stack.undo()
    assert len(session.project.walls) == 5 and session.project.floorplan is not None
    with ProjectStore.open(path, read_only=True) as store:
        assert [w.id for w in store.load().walls] == [w.id for w in session.project.walls]


def test_calibration_is_all_or_nothing(session, tmp_path, monkeypatch):
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=3)
    session.open(path)
    before = session.project
    monkeypatch.setattr(
        ProjectStore,
        "move_samples",
        lambda *a: (_ for _ in ()).throw(sqlite3.OperationalError("database or disk is full")),
    )
    with pytest.raises(sqlite3.OperationalError):
        session.calibrate(2.0, 4.0)
    monkeypatch.undo()
    assert session.project == before and session.undo_stack.count() == 0
    with ProjectStore.open(path, read_only=True) as store:
        assert store.load() == before
    session.calibrate(2.0, 4.0)
    project = session.project
    assert project.floorplan.metres_per_px == pytest.approx(20.0)
    assert [s.x_m for s in project.active_survey.samples] == pytest.approx([0.0, 0.2, 0.4])
    assert project.settings[SCALE_KNOWN_SETTING] is True and session.undo_stack.count() == 1
    session.undo_stack.undo()
    assert [s.x_m for s in session.project.active_survey.samples] == pytest.approx([0.0, 0.1, 0.2])
    with ProjectStore.open(path, read_only=True) as store:
        assert store.load().floorplan.metres_per_px == pytest.approx(10.0)


def test_undo_that_cannot_be_written_is_reported_and_dropped(session, tmp_path, qtbot):
    path = tmp_path / "site.evsurvey"
    make_project(path)
    session.open(path)
    session.add_wall(Wall(0, 0, 1, 1, "concrete_block"))
    failures = []
    session.writeFailed.connect(failures.append)
    path.unlink()
    session.undo_stack.undo()
    assert failures and "deleted or moved" in failures[0]
    assert session.undo_stack.count() == 0 and len(session.project.walls) == 6
