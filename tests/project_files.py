"""Project files for the store's tests: good ones, crash-left ones, and a corpus of bad ones.

Imported by tests/test_project_*.py and tests/ui/test_session_*.py (pytest puts tests/ on
sys.path). Everything is generated here; nothing is read from outside the test's folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from survey.project.model import (
    Device,
    DeviceKind,
    Floorplan,
    Material,
    Observation,
    Project,
    Sample,
    ScanResult,
    Site,
    TargetNetwork,
    Wall,
)
from survey.project.store import APPLICATION_ID, ProjectStore

REPO = Path(__file__).resolve().parents[1]

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def sample_at(i: int, rssi_dbm: float = -60.0) -> Sample:
    """Sample number *i*: its x position (0.1 m steps) tells samples apart across files."""
    t = 1_000_000.0 + i
    obs = (
        Observation(
            "02:00:00:00:00:01",
            "Home",
            rssi_dbm,
            freq_mhz=2437.0,
            channel=6,
            band="2.4",
            auth=("WPA2-PSK",),
            ciphers=("CCMP",),
        ),
        Observation("02:00:00:00:00:02", "Neighbour", rssi_dbm - 12, freq_mhz=2412.0, channel=1, band="2.4"),
    )
    return Sample(x_m=round(i * 0.1, 3), y_m=1.0, taken_at=t, scans=(ScanResult(obs, t - 2, t, "fake"),))


def base_project(n_walls: int = 5) -> Project:
    return Project(
        site=Site(customer="Ana Müller", address="1 Rue de l'Église", survey_date="2026-11-25"),
        floorplan=Floorplan(
            image=PNG_1PX, image_format="png", width_px=1, height_px=1, metres_per_px=10.0, source_name="plan.png"
        ),
        walls=tuple(Wall(float(i), 0.0, float(i), 5.0, "concrete_block") for i in range(n_walls)),
        materials=(Material("concrete_block", "Concrete block", 13.6, 10, 18, "Muqaibel", "#777777"),),
        devices=(
            Device(DeviceKind.ROUTER, 1, 1, label="ISP router", bssids=("02:00:00:00:00:01",)),
            Device(DeviceKind.CHARGER, 4, 4, label="Pulsar Plus"),
        ),
        target=TargetNetwork("Home"),
        settings={"scans_per_point": 2},
    )


def make_project(path: Path, n_samples: int = 10, n_walls: int = 5) -> int:
    """A closed project with one survey "Before" of *n_samples* samples; returns the survey id."""
    with ProjectStore.create(path, base_project(n_walls)) as store:
        survey_id = store.add_survey("Before").id
        store.set_active_survey(survey_id)
        with store.transaction():
            for i in range(n_samples):
                store.add_sample(survey_id, sample_at(i))
    return survey_id


def sample_xs(path: Path) -> list[float]:
    """x of every sample in *path* (read-only; a paired log is replayed in memory)."""
    with ProjectStore.open(path, read_only=True) as store:
        return sorted(s.x_m for survey in store.load().surveys for s in survey.samples)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def subprocess_env() -> dict:
    return dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")


# -- writers in another process (for SIGKILL) ---------------------------------------------------------

#: Writes sample i = START, START+1, ... through a ProjectStore; prints "saved i" once a
#: sample is committed, "kept i" when the store refused it (kept in memory).
STORE_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[3])
    from project_files import sample_at
    from survey.errors import EvSurveyError
    from survey.project.store import ProjectStore
    store = ProjectStore.open(sys.argv[1])
    survey_id, i = int(sys.argv[2]), int(sys.argv[4])
    while True:
        try:
            store.add_sample(survey_id, sample_at(i))
            print("saved", i, flush=True)
        except EvSurveyError:
            print("kept", i, flush=True)
        i += 1
        time.sleep(0.005)
""")


def start_store_writer(path: Path, survey_id: int, first: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", STORE_WRITER, str(path), str(survey_id), str(Path(__file__).parent), str(first)],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )


def read_reports(proc: subprocess.Popen, until: Callable[[list[tuple[str, int]]], bool]) -> list[tuple[str, int]]:
    """Lines ("saved"|"kept", i) from a writer until *until* says enough."""
    seen: list[tuple[str, int]] = []
    for line in proc.stdout:
        word, number = line.split()
        seen.append((word, int(number)))
        if until(seen):
            break
    return seen


def kill(proc: subprocess.Popen) -> list[tuple[str, int]]:
    """SIGKILL; the complete lines it printed before dying."""
    os.kill(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate()
    lines = out.split("\n")
    return [(w, int(n)) for w, n in (line.split() for line in lines[:-1] if line.strip())]


def crash_and_restore_backup(path: Path, n_samples: int, n_walls: int) -> int:
    """The red team's stale log: a backup is taken, more work is done, the writer is killed
    (its -wal stays), then the backup is copied over the file. Returns the survey id."""
    import shutil

    survey_id = make_project(path, n_samples=n_samples, n_walls=n_walls)
    backup = path.with_name("backup-" + path.name)
    shutil.copyfile(path, backup)
    writer = start_store_writer(path, survey_id, first=10_000)
    read_reports(writer, lambda seen: len(seen) >= 60)
    kill(writer)
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    shutil.copyfile(backup, path)
    return survey_id


# -- editing a project file as a hostile tool would -------------------------------------------------------


def write_unchecked(path: Path, *statements: str) -> None:
    """Run SQL on a project with its NOT NULL and CHECK constraints lifted for the moment
    (``writable_schema``), then put the schema text back exactly: what a hex editor or
    another tool can leave in a file. No trace of the edit stays in the schema."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = DELETE")
    tables = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    db.execute("PRAGMA writable_schema = ON")
    for name, sql in tables.items():
        relaxed = sql.replace("NOT NULL", "").replace("CHECK (metres_per_px > 0)", "").replace("CHECK (id = 1)", "")
        db.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (relaxed, name))
    db.commit()
    db.close()
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema = ON")
    for name, sql in tables.items():
        db.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, name))
    db.commit()
    db.close()


def set_meta_raw(path: Path, key: str, raw: str) -> None:
    db = sqlite3.connect(path)
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, raw))
    db.commit()
    db.close()


def execute(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


# -- the corpus ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadFile:
    """One bad project file. ``refused``: no usable project (every path refuses it);
    otherwise the window opens it leaving out what ``problem`` names, and the CLI refuses."""

    label: str
    path: Path
    refused: bool
    problem: str  # a word the message must contain


def _project(folder: Path, name: str, n_samples: int = 3) -> Path:
    path = folder / f"{name}.evsurvey"
    make_project(path, n_samples=n_samples)
    return path


def bad_project_files(folder: Path) -> list[BadFile]:
    """More than 40 bad project files, each of a kind seen in the field or by a red team."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[BadFile] = []

    def add(label: str, path: Path, refused: bool, problem: str) -> None:
        out.append(BadFile(label, path, refused, problem))

    def project_with(name: str, *statements: str, unchecked: bool = False) -> Path:
        path = _project(folder, name)
        (write_unchecked if unchecked else execute)(path, *statements)
        return path

    # Not a project at all.
    (folder / "empty.evsurvey").write_bytes(b"")
    add("zero bytes", folder / "empty.evsurvey", True, "empty")
    (folder / "text.evsurvey").write_text("just some notes\n")
    add("text file", folder / "text.evsurvey", True, "not an evsurvey project")
    (folder / "photo.evsurvey").write_bytes(PNG_1PX * 40)
    add("PNG renamed", folder / "photo.evsurvey", True, "not an evsurvey project")
    good = _project(folder, "good-source")
    data = good.read_bytes()
    (folder / "truncated.evsurvey").write_bytes(data[: len(data) // 2])
    add("truncated", folder / "truncated.evsurvey", True, "truncated")
    (folder / "header-only.evsurvey").write_bytes(data[:60])
    add("shorter than a header", folder / "header-only.evsurvey", True, "truncated")
    damaged = bytearray(data)
    page = int.from_bytes(damaged[16:18], "big")
    damaged[page + 8 : page * 2 - 8] = b"\xa5" * (page - 16)  # page 2 is garbage now
    (folder / "garbled.evsurvey").write_bytes(bytes(damaged))
    add("a garbled page", folder / "garbled.evsurvey", True, "damaged")
    other = folder / "other-db.evsurvey"
    execute(other, "CREATE TABLE t (x)")
    add("another SQLite database", other, True, "not an evsurvey project")
    add("newer format", project_with("future", "PRAGMA user_version = 99"), True, "newer evsurvey")
    add("negative format", project_with("negative", "PRAGMA user_version = -1"), True, "damaged")
    wrong_id = project_with("wrong-app", "PRAGMA application_id = 1234")
    add("wrong application id", wrong_id, True, "not an evsurvey project")
    add("a table missing", project_with("missing", "PRAGMA foreign_keys = OFF", "DROP TABLE walls"), True, "missing")
    half = folder / "half-migrated.evsurvey"
    execute(half, f"PRAGMA application_id = {APPLICATION_ID}", "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    add("half-migrated format 0", half, True, "meta")

    # Not a regular file, or no file behind the name.
    (folder / "folder.evsurvey").mkdir()
    add("a folder", folder / "folder.evsurvey", True, "folder")
    os.mkfifo(folder / "fifo.evsurvey")
    add("a FIFO", folder / "fifo.evsurvey", True, "FIFO")
    with tempfile.TemporaryDirectory() as short:  # a socket's path must be short (108 bytes)
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(os.path.join(short, "s"))
        sock.close()
        os.replace(os.path.join(short, "s"), folder / "socket.evsurvey")
    add("a socket", folder / "socket.evsurvey", True, "socket")
    os.symlink("/dev/zero", folder / "device.evsurvey")
    add("a link to a device", folder / "device.evsurvey", True, "device")
    os.symlink("loop-b.evsurvey", folder / "loop-a.evsurvey")
    os.symlink("loop-a.evsurvey", folder / "loop-b.evsurvey")
    add("a symlink loop", folder / "loop-a.evsurvey", True, "loop")
    os.symlink("nowhere.evsurvey", folder / "dangling.evsurvey")
    add("a dangling symlink", folder / "dangling.evsurvey", True, "does not exist")

    # Schema objects that are not the project's own.
    add(
        "a trigger",
        project_with(
            "trigger", "CREATE TRIGGER wipe AFTER INSERT ON samples BEGIN DELETE FROM samples WHERE id <> NEW.id; END"
        ),
        True,
        "trigger",
    )
    add("a view", project_with("view", "CREATE VIEW v AS SELECT * FROM samples"), True, "view")
    add("an extra table", project_with("extra-table", "CREATE TABLE payload (x)"), True, "payload")
    add("an extra index", project_with("extra-index", "CREATE INDEX odd ON walls(material_id)"), True, "odd")
    add("a changed table", project_with("changed-table", "ALTER TABLE walls ADD COLUMN note TEXT"), True, "walls")

    # Bad rows: the window leaves them out, the CLI refuses.
    add(
        "sample with NULL position",
        project_with("null-position", "UPDATE samples SET x_m = NULL WHERE id = 2", unchecked=True),
        False,
        "sample 2 has no position",
    )
    add(
        "sample with text position",
        project_with("text-position", "UPDATE samples SET y_m = 'left of the door' WHERE id = 1"),
        False,
        "sample 1",
    )
    add(
        "sample with infinite position",
        project_with("inf-position", "UPDATE samples SET x_m = 9e999 WHERE id = 1"),
        False,
        "not finite",
    )
    add(
        "sample with huge position",
        project_with("huge-position", "UPDATE samples SET x_m = 1e300 WHERE id = 3"),
        False,
        "out of range",
    )
    add(
        "sample with text time",
        project_with("text-time", "UPDATE samples SET taken_at = 'yesterday' WHERE id = 1"),
        False,
        "time",
    )
    add(
        "sample with an unknown mode",
        project_with("bad-mode", "UPDATE samples SET mode = 'teleport' WHERE id = 1"),
        False,
        "teleport",
    )
    add(
        "text RSSI",
        project_with("text-rssi", "UPDATE observations SET rssi_dbm = 'strong' WHERE id = 1"),
        False,
        "RSSI",
    )
    add(
        "NaN RSSI as text",
        project_with("nan-rssi", "UPDATE observations SET rssi_dbm = 'NaN' WHERE id = 2"),
        False,
        "RSSI",
    )
    add(
        "infinite RSSI",
        project_with("inf-rssi", "UPDATE observations SET rssi_dbm = -9e999 WHERE id = 3"),
        False,
        "RSSI",
    )
    add(
        "security list not JSON",
        project_with("bad-auth", "UPDATE observations SET auth = '[WPA2' WHERE id = 1"),
        False,
        "security list",
    )
    add(
        "raw SSID that is text",
        project_with("raw-ssid-text", "UPDATE observations SET ssid_raw = 'Home' WHERE id = 1"),
        False,
        "raw SSID",
    )
    add(
        "scan warnings not a list",
        project_with("bad-warnings", "UPDATE scans SET warnings = '{\"a\": 1}' WHERE id = 1"),
        False,
        "warning list",
    )
    add(
        "wall with text coordinate",
        project_with("text-wall", "UPDATE walls SET x2_m = 'ten' WHERE id = 1"),
        False,
        "wall 1",
    )
    add(
        "wall with infinite coordinate",
        project_with("inf-wall", "UPDATE walls SET y1_m = 9e999 WHERE id = 2"),
        False,
        "wall 2",
    )
    add("material with text loss", project_with("text-loss", "UPDATE materials SET loss_db = 'a lot'"), False, "loss")
    add(
        "device of an unknown kind",
        project_with("unknown-kind", "UPDATE devices SET kind = 'toaster' WHERE id = 1"),
        False,
        "toaster",
    )
    add(
        "device with NULL position",
        project_with("null-device", "UPDATE devices SET y_m = NULL WHERE id = 2", unchecked=True),
        False,
        "device 2",
    )
    add(
        "device BSSIDs not JSON",
        project_with("bad-bssids", "UPDATE devices SET bssids = 'aa:bb' WHERE id = 1"),
        False,
        "BSSID list",
    )
    add(
        "floorplan of scale 0",
        project_with("zero-scale", "UPDATE floorplan SET metres_per_px = 0", unchecked=True),
        False,
        "floorplan",
    )
    add(
        "floorplan width as text",
        project_with("text-width", "UPDATE floorplan SET width_px = 'wide'"),
        False,
        "floorplan",
    )
    add(
        "survey without a name",
        project_with("null-survey", "UPDATE surveys SET name = NULL", unchecked=True),
        False,
        "survey",
    )

    # meta values that are not the JSON they should be.
    def meta_file(name: str, key: str, raw: str) -> Path:
        path = _project(folder, name)
        set_meta_raw(path, key, raw)
        return path

    add("units not m or ft", meta_file("units", "units", json.dumps("furlongs")), False, "units")
    add("units not JSON", meta_file("units-raw", "units", "m"), False, "units")
    add("site as a list", meta_file("site-list", "site", json.dumps(["Ana", "Rue"])), False, "site")
    add("customer as a number", meta_file("customer-number", "site", json.dumps({"customer": 42})), False, "customer")
    add(
        "settings nested 100,000 deep",
        meta_file("deep-settings", "settings", "[" * 100_000 + "]" * 100_000),
        False,
        "deeper",
    )
    add("settings not an object", meta_file("settings-list", "settings", json.dumps([1, 2])), False, "settings")
    add("target without a name", meta_file("bad-target", "target", json.dumps({"bssids": 3})), False, "target")
    add(
        "active survey as text",
        meta_file("bad-active", "active_survey_id", json.dumps("first")),
        False,
        "active survey",
    )
    add("charger model as a number", meta_file("bad-profile", "charger_profile_id", "7"), False, "charger")
    return out
