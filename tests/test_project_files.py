"""Issue 20 in the store and the CLI: opening writes nothing, read-only opens leave no side
files, a stale log is ignored (never replayed), one writer per file, foreign schema
objects refused, NaN and infinities never written, every multi-row edit atomic, old
formats migrated only at the first change."""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from project_files import (
    PNG_1PX,
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

from survey.project.filecheck import open_checked
from survey.project.model import Device, DeviceKind, Floorplan, Material, Project, Site, Wall
from survey.project.schema import APPLICATION_ID, SCHEMA_VERSION
from survey.project.store import (
    ForeignSchemaError,
    InvalidValueError,
    ProjectLockedError,
    ProjectStore,
)


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "survey", *args], capture_output=True, text=True, env=env or subprocess_env(), timeout=60
    )


def crash_writer(path: Path, survey_id: int, first: int, n: int) -> list[int]:
    """Samples first.. written by another process, which is then SIGKILLed: the log stays.
    Returns the sample numbers it reported saved."""
    writer = start_store_writer(path, survey_id, first)
    seen = read_reports(writer, lambda s: len(s) >= n)
    seen += kill(writer)
    return [number for word, number in seen if word == "saved"]


# -- opening writes nothing ----------------------------------------------------------------------


def test_open_load_close_leaves_the_file_and_folder_as_they_were(tmp_path):
    path = tmp_path / "p.evsurvey"
    make_project(path)
    before, files = digest(path), listing(tmp_path)
    for read_only in (True, False):
        with ProjectStore.open(path, read_only=read_only) as store:
            store.load()
            if read_only:
                assert listing(tmp_path) == files  # not even a lock file
    assert digest(path) == before and listing(tmp_path) == files


def test_cli_info_after_a_crash_reads_the_log_without_touching_anything(tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path, n_samples=3)
    saved = crash_writer(path, survey_id, first=10, n=8)
    files = listing(tmp_path)
    fingerprints = {name: digest(tmp_path / name) for name in files if (tmp_path / name).is_file()}
    proc = run_cli("info", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    # Every sample reported saved, and at most the one in flight when the kill came.
    assert 3 + len(saved) <= info["surveys"][0]["samples"] <= 3 + len(saved) + 1 and info["notes"] == []
    assert listing(tmp_path) == files  # -wal and -shm of the crash still there, nothing new
    assert {name: digest(tmp_path / name) for name in fingerprints} == fingerprints


def test_a_crash_left_log_is_replayed_when_it_belongs_to_the_file(tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path, n_samples=2)
    reported: list[int] = []
    for run in range(4):  # crash, reopen, crash again: each log stays paired with its file
        reported += crash_writer(path, survey_id, first=100 * (run + 1), n=5 + 7 * run)
        checked = open_checked(path, live_writer=None, snapshot=True)
        checked.reader.close()
        assert checked.wal == "paired"
    assert {round(n * 0.1, 3) for n in reported} <= set(sample_xs(path))
    assert not [p for p in tmp_path.iterdir() if "stale" in p.name]


def test_cli_info_beside_a_stale_log_shows_the_restored_copy_and_says_so(tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path, n_samples=104, n_walls=38)
    backup = tmp_path / "backup.evsurvey"
    shutil.copyfile(path, backup)
    crash_writer(path, survey_id, first=200, n=60)
    shutil.copyfile(backup, path)
    files = listing(tmp_path)
    restored = digest(path)
    proc = run_cli("info", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["surveys"][0]["samples"] == 104 and info["walls"] == 38
    assert "not replayed" in proc.stderr and info["notes"]
    assert listing(tmp_path) == files and digest(path) == restored  # a read-only open sets nothing aside
    # Opening for writing sets it aside; the project is the backup; writing works on.
    with ProjectStore.open(path) as store:
        assert "set aside" in store.notices[0]
        store.add_sample(survey_id, sample_at(999))
    assert len(sample_xs(path)) == 105
    assert len([p for p in tmp_path.iterdir() if ".stale-wal-" in p.name and not p.name.endswith("-shm")]) == 1


# -- one writer per file ---------------------------------------------------------------------------------


def test_a_second_writer_is_refused_with_who_holds_the_file(tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path)
    with ProjectStore.open(path) as first:
        first.add_sample(survey_id, sample_at(50))
        with pytest.raises(ProjectLockedError, match=f"pid {os.getpid()} on this computer"):
            ProjectStore.open(path)
        with ProjectStore.open(path, read_only=True) as reader:  # readers see the writer's work
            assert len(reader.load().active_survey.samples) == 11
        proc = run_cli("info", str(path))
        assert proc.returncode == 0 and "11 samples" in proc.stdout
        # Nor can another process write, nor can a new file replace it.
        code = (
            "import sys; from survey.project.store import ProjectStore\n"
            "try:\n    ProjectStore.open(sys.argv[1])\nexcept Exception as e:\n    print(type(e).__name__)"
        )
        other = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=subprocess_env(), timeout=60
        )
        assert other.stdout.strip() == "ProjectLockedError"
        with pytest.raises(Exception, match="open in another evsurvey window"):
            ProjectStore.create(path, Project(), overwrite=True)
    with ProjectStore.open(path) as again:  # free once closed
        assert len(again.load().active_survey.samples) == 11


def test_a_killed_writer_leaves_no_lock(tmp_path):
    path = tmp_path / "site.evsurvey"
    survey_id = make_project(path)
    crash_writer(path, survey_id, first=30, n=3)
    with ProjectStore.open(path) as store:  # the lock died with its process
        store.add_sample(survey_id, sample_at(60))


# -- the file's own schema only -------------------------------------------------------------------------


def test_a_trigger_is_refused_and_never_runs(tmp_path):
    path = tmp_path / "mailed.evsurvey"
    make_project(path, n_samples=104)
    execute(path, "CREATE TRIGGER wipe AFTER INSERT ON samples BEGIN DELETE FROM samples WHERE id <> NEW.id; END")
    before, files = digest(path), listing(tmp_path)
    for read_only in (True, False):
        with pytest.raises(ForeignSchemaError, match="trigger 'wipe'"):
            ProjectStore.open(path, read_only=read_only)
    for command in (
        ["info", str(path)],
        ["recommend", str(path)],
        ["report", str(path), "-o", str(tmp_path / "r.pdf")],
    ):
        proc = run_cli(*command)
        assert proc.returncode == 2 and "trigger 'wipe'" in proc.stderr and "Traceback" not in proc.stderr
    assert digest(path) == before and listing(tmp_path) == files


def test_connections_do_not_trust_the_schema_nor_load_extensions(tmp_path):
    path = tmp_path / "p.evsurvey"
    survey_id = make_project(path)
    with ProjectStore.open(path) as store:
        assert store._db.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        store.add_sample(survey_id, sample_at(70))
        assert store._db.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        with pytest.raises(sqlite3.OperationalError):
            store._db.execute("SELECT load_extension('libc.so.6')")


# -- old formats ---------------------------------------------------------------------------------------------


def test_a_format_0_file_is_migrated_only_at_the_first_change(tmp_path):
    path = tmp_path / "old.evsurvey"
    execute(path, f"PRAGMA application_id = {APPLICATION_ID}")
    before = digest(path)
    with ProjectStore.open(path, read_only=True) as store:
        assert store.load().surveys == ()
    with ProjectStore.open(path) as store:
        store.load()
        assert digest(path) == before
        store.add_survey("Before")
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    with ProjectStore.open(path, read_only=True) as store:
        assert [s.name for s in store.load().surveys] == ["Before"]


# -- values checked before anything is written ------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e300])
def test_non_finite_values_never_reach_the_file(tmp_path, bad):
    path = tmp_path / "p.evsurvey"
    survey_id = make_project(path)
    with ProjectStore.open(path) as store:
        store.add_sample(survey_id, sample_at(1))  # the file is being written now
        before = store.load()
        wall = store.load().walls[0]
        device = store.load().devices[0]
        sample = store.load().active_survey.samples[0]
        fp = store.load().floorplan
        attempts = [
            lambda: store.add_wall(Wall(0, 0, bad, 1, "concrete_block")),
            lambda: store.update_wall(replace(wall, y2_m=bad)),
            lambda: store.replace_walls([Wall(0, 0, 1, 1, "brick"), Wall(bad, 0, 1, 1, "brick")]),
            lambda: store.add_device(Device(DeviceKind.MESH_NODE, bad, 1)),
            lambda: store.update_device(replace(device, eirp_dbm=bad)),
            lambda: store.add_sample(survey_id, replace(sample_at(2), y_m=bad)),
            lambda: store.move_samples({sample.id: (bad, 0.0)}),
            lambda: store.set_floorplan(replace(fp, metres_per_px=bad)),
            lambda: store.set_floorplan(replace(fp, origin_x_m=bad)),
            lambda: store.upsert_material(Material("brick", "Brick", bad, 1, 5, "test")),
            lambda: store.set_site(Site(north_deg=bad)),
        ]
        if not math.isfinite(bad):  # JSON has no NaN or infinity
            attempts.append(lambda: store.set_setting("offset_db", bad))
        for attempt in attempts:
            with pytest.raises(InvalidValueError, match="Not saved"):
                attempt()
        assert store.load() == before
    assert sample_xs(path) == sorted([round(i * 0.1, 3) for i in range(10)] + [0.1])


def test_a_transaction_lands_whole_or_not_at_all(tmp_path):
    path = tmp_path / "p.evsurvey"
    make_project(path)
    with ProjectStore.open(path) as store:
        before = store.load()
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.set_floorplan(None)
                store.replace_walls([Wall(0, 0, 1, 1, "concrete_block")])
                raise RuntimeError("the import failed half-way")
        assert store.load() == before
        with store.transaction():
            store.set_floorplan(None)
            store.replace_walls([Wall(0, 0, 1, 1, "concrete_block")])
    with ProjectStore.open(path, read_only=True) as store:
        after = store.load()
    assert after.floorplan is None and len(after.walls) == 1


def test_opening_through_a_symlink_writes_the_real_file(tmp_path):
    real_dir = tmp_path / "projects"
    real_dir.mkdir()
    path = real_dir / "site.evsurvey"
    survey_id = make_project(path)
    link = tmp_path / "current.evsurvey"
    link.symlink_to(path)
    with ProjectStore.open(link) as store:
        assert store.path == path.resolve()
        store.add_sample(survey_id, sample_at(77))
        assert (real_dir / "site.evsurvey-wal").exists() and not Path(str(link) + "-wal").exists()
    assert link.is_symlink() and 7.7 in sample_xs(path)


def test_create_over_a_file_builds_the_new_one_aside_first(tmp_path, monkeypatch):
    path = tmp_path / "p.evsurvey"
    make_project(path)
    before = digest(path)
    floorplan = Floorplan(image=PNG_1PX, image_format="png", width_px=1, height_px=1, metres_per_px=math.inf)
    with pytest.raises(InvalidValueError):
        ProjectStore.create(path, Project(floorplan=floorplan), overwrite=True)
    assert digest(path) == before and listing(tmp_path) == ["p.evsurvey"]
