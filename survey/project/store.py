"""The ``.evsurvey`` project file: one SQLite database the installer can mail.

Why SQLite: a survey is an hour of walking; each sample is committed in its own
transaction (WAL journal, ``synchronous=FULL``) the moment it is taken, so a laptop
that dies mid-walk loses nothing that was reported saved. The floorplan image lives
inside, so one file is the whole project.

Opening never modifies a file that turns out not to be a usable project: it is first
checked read-only (header bytes, ``application_id``, ``user_version``, tables,
``quick_check``), and only then opened for writing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from survey.errors import UserInputError
from survey.project.link import LinkTest, LinkTestResult, ProbeKind, ThroughputResult
from survey.project.model import (
    Device,
    DeviceKind,
    Floorplan,
    Material,
    Observation,
    Project,
    Sample,
    SampleMode,
    ScanResult,
    Site,
    Survey,
    UNITS,
    TargetNetwork,
    Wall,
)
from survey.project.preflight import NetcheckReport

log = logging.getLogger(__name__)

#: Written into the SQLite header (``PRAGMA application_id``) so a project is told apart
#: from any other SQLite file. ASCII "EVSV".
APPLICATION_ID = 0x45565356
SCHEMA_VERSION = 2
SQLITE_MAGIC = b"SQLite format 3\x00"

_TABLES = ("meta", "floorplan", "materials", "walls", "devices", "surveys", "samples", "scans", "observations")


class ProjectFileError(UserInputError):
    """A file could not be opened as a project. The file is left untouched."""


class NotAProjectError(ProjectFileError):
    pass


class CorruptProjectError(ProjectFileError):
    pass


class NewerVersionError(ProjectFileError):
    pass


class ProjectReadOnlyError(ProjectFileError):
    pass


# -- schema and migrations ------------------------------------------------------------


def _migrate_0_to_1(db: sqlite3.Connection) -> None:
    # Statement by statement: executescript() would commit the migration's transaction.
    _execute_each(db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE floorplan (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            image BLOB NOT NULL, image_format TEXT NOT NULL,
            width_px INTEGER NOT NULL, height_px INTEGER NOT NULL,
            metres_per_px REAL NOT NULL CHECK (metres_per_px > 0),
            origin_x_m REAL NOT NULL, origin_y_m REAL NOT NULL,
            rotation_deg INTEGER NOT NULL, opacity REAL NOT NULL, source_name TEXT NOT NULL);
        CREATE TABLE materials (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, loss_db REAL NOT NULL,
            loss_min_db REAL NOT NULL, loss_max_db REAL NOT NULL,
            source TEXT NOT NULL, colour TEXT NOT NULL);
        CREATE TABLE walls (
            id INTEGER PRIMARY KEY, x1_m REAL NOT NULL, y1_m REAL NOT NULL,
            x2_m REAL NOT NULL, y2_m REAL NOT NULL, material_id TEXT NOT NULL);
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, x_m REAL NOT NULL, y_m REAL NOT NULL,
            label TEXT NOT NULL, planned INTEGER NOT NULL, eirp_dbm REAL, bssids TEXT NOT NULL);
        CREATE TABLE surveys (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
            notes TEXT NOT NULL DEFAULT '');
        CREATE TABLE samples (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            x_m REAL NOT NULL, y_m REAL NOT NULL, taken_at REAL NOT NULL, mode TEXT NOT NULL);
        CREATE INDEX samples_by_survey ON samples(survey_id);
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
            backend TEXT NOT NULL, started_at REAL NOT NULL, finished_at REAL NOT NULL,
            fresh INTEGER NOT NULL, warnings TEXT NOT NULL);
        CREATE INDEX scans_by_sample ON scans(sample_id);
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
            bssid TEXT NOT NULL, ssid TEXT NOT NULL, ssid_raw BLOB, rssi_dbm REAL,
            rssi_estimated INTEGER NOT NULL, signal_pct REAL, freq_mhz REAL, channel INTEGER,
            band TEXT, auth TEXT NOT NULL, ciphers TEXT NOT NULL, wps INTEGER,
            station_count INTEGER, channel_utilization_pct REAL, channel_width_mhz INTEGER,
            last_seen REAL);
        CREATE INDEX observations_by_scan ON observations(scan_id);
        """
    )


def _execute_each(db: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    # Link tests at a sample (survey.project.link): one row per target, throughput apart.
    _execute_each(db,
        """
        CREATE TABLE link_results (
            id INTEGER PRIMARY KEY,
            sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
            target TEXT NOT NULL, address TEXT NOT NULL, probe TEXT NOT NULL, port INTEGER,
            sent INTEGER NOT NULL, received INTEGER NOT NULL,
            rtt_median_ms REAL, rtt_p95_ms REAL, jitter_ms REAL,
            started_at REAL NOT NULL, duration_s REAL NOT NULL, tried TEXT NOT NULL);
        CREATE INDEX link_results_by_sample ON link_results(sample_id);
        CREATE TABLE link_throughput (
            sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
            server TEXT NOT NULL, port INTEGER NOT NULL, up_mbps REAL NOT NULL, down_mbps REAL NOT NULL,
            duration_s REAL NOT NULL, started_at REAL NOT NULL);
        """
    )


#: MIGRATIONS[n] upgrades a file at user_version n to n + 1. Append, never edit.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


# -- opening ------------------------------------------------------------------------


def _connect(path: Path, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    if read_only:
        # immutable=1 also keeps SQLite from creating -shm/-wal beside a file we only inspect.
        flags = "mode=ro&immutable=1" if immutable else "mode=ro"
        db = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, isolation_level=None)
    else:
        db = sqlite3.connect(str(path), isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    return db


def check_project_file(path: Path) -> int:
    """Validate *path* without writing to it; return its schema version.

    Raises a :class:`ProjectFileError` subclass with a message for the installer.
    """
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        raise ProjectFileError(f"{path} does not exist. Check the path, or create a project with File → New.") from None
    except IsADirectoryError:
        raise ProjectFileError(f"{path} is a folder, not an evsurvey project file.") from None
    except PermissionError:
        raise ProjectFileError(f"{path} cannot be read (permission denied). Copy it somewhere you own and open the copy.") from None
    if size == 0:
        raise NotAProjectError(f"{name} is empty (0 bytes): it is not an evsurvey project. "
                               "If it was being copied, copy it again from the original.")
    if not head.startswith(SQLITE_MAGIC):
        raise NotAProjectError(f"{name} is not an evsurvey project (it is not an SQLite database; "
                               "maybe an image or a report was renamed). Open a .evsurvey file instead.")
    if len(head) < 100:
        raise CorruptProjectError(f"{name} is truncated ({size} bytes). Restore it from a backup or the mailed copy.")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(head[28:32], "big")
    wal = Path(str(path) + "-wal")
    # With a non-empty WAL (e.g. after a crash) the header's page count may be ahead of
    # the main file until SQLite replays the log, so only trust it without one.
    wal_pending = wal.exists() and wal.stat().st_size > 0
    if page_size and page_count and size < page_size * page_count and not wal_pending:
        raise CorruptProjectError(f"{name} is truncated ({size} of {page_size * page_count} bytes). "
                                  "Restore it from a backup or the mailed copy.")
    try:
        db = _connect(path, read_only=True, immutable=not wal_pending)
    except sqlite3.Error as exc:
        raise CorruptProjectError(f"{name} cannot be opened ({exc}). Restore it from a backup.") from None
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise NotAProjectError(f"{name} is an SQLite database but not an evsurvey project. Open a .evsurvey file instead.")
        if version > SCHEMA_VERSION:
            raise NewerVersionError(
                f"{name} was written by a newer evsurvey (file format {version}, this version reads up to "
                f"{SCHEMA_VERSION}). Update evsurvey to open it; the file was not changed.")
        present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in _TABLES if t not in present]
        if version >= 1 and missing:
            raise CorruptProjectError(f"{name} is damaged: table(s) {', '.join(missing)} are missing. "
                                      "Restore it from a backup or the mailed copy.")
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise CorruptProjectError(f"{name} is damaged ({result}). Restore it from a backup or the mailed copy.")
        return version
    except sqlite3.DatabaseError as exc:
        raise CorruptProjectError(f"{name} is damaged ({exc}). Restore it from a backup or the mailed copy.") from None
    finally:
        db.close()


def _dumps(value: Any) -> str:
    # ASCII escapes keep lone surrogates (from undecodable SSID bytes) representable.
    return json.dumps(value)


def _target_json(target: TargetNetwork | None) -> dict | None:
    return None if target is None else {"ssid": target.ssid, "bssids": list(target.bssids)}


_SURROGATES = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    """Text SQLite can store (valid UTF-8): lone surrogates become U+FFFD. The bytes an
    SSID really had are kept in ``ssid_raw``."""
    return _SURROGATES.sub("\ufffd", value)


class ProjectStore:
    """An open ``.evsurvey`` file. Every mutating method commits before it returns."""

    def __init__(self, path: Path, db: sqlite3.Connection, read_only: bool):
        self.path = path
        self.read_only = read_only
        self._db = db

    # -- lifecycle ---------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, project: Project | None = None, *, overwrite: bool = False) -> "ProjectStore":
        """Write a new project file at *path* holding *project* (ids are assigned anew)."""
        path = Path(path)
        if path.exists():
            if not overwrite:
                raise UserInputError(f"{path} already exists. Choose another name or open it instead.")
            path.unlink()
            for suffix in ("-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        try:
            db = _connect(path, read_only=False)
        except sqlite3.Error as exc:
            raise UserInputError(f"Cannot create {path}: {exc}. Choose a folder you can write to.") from None
        store = cls(path, db, read_only=False)
        store._prepare_for_writing()
        store._write_all(project or Project())
        return store

    @classmethod
    def open(cls, path: str | os.PathLike, read_only: bool = False) -> "ProjectStore":
        path = Path(path)
        version = check_project_file(path)
        if read_only:
            return cls(path, _connect(path, read_only=True), read_only=True)
        if not os.access(path, os.W_OK):
            raise ProjectReadOnlyError(f"{path.name} is read-only. Save a copy with File → Save As to keep surveying.")
        db = _connect(path, read_only=False)
        store = cls(path, db, read_only=False)
        store._prepare_for_writing()
        if version < SCHEMA_VERSION:
            log.info("migrated %s from format %d to %d", path, version, SCHEMA_VERSION)
        return store

    def _prepare_for_writing(self) -> None:
        db = self._db
        db.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit survives power loss, not only a killed process.
        db.execute("PRAGMA synchronous = FULL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        while version < SCHEMA_VERSION:
            with self._tx():
                MIGRATIONS[version](db)
                version += 1
                db.execute(f"PRAGMA user_version = {version}")
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def close(self) -> None:
        if self._db is not None:
            if not self.read_only:
                try:
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    log.warning("checkpoint of %s failed on close", self.path, exc_info=True)
            self._db.close()
            self._db = None

    def __enter__(self) -> "ProjectStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def save_as(self, new_path: str | os.PathLike) -> "ProjectStore":
        """A consistent copy at *new_path* (SQLite online backup); returns a store on the copy."""
        new_path = Path(new_path)
        if new_path.resolve() == self.path.resolve():
            return self
        tmp = new_path.with_name(new_path.name + ".partial")
        tmp.unlink(missing_ok=True)
        try:
            target = sqlite3.connect(str(tmp))
            with target:
                self._db.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            target.close()
            os.replace(tmp, new_path)
        except (sqlite3.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise UserInputError(f"Cannot save a copy to {new_path}: {exc}. Choose a folder you can write to.") from None
        return ProjectStore.open(new_path)

    # -- transactions ------------------------------------------------------------
    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise ProjectReadOnlyError(f"{self.path.name} is open read-only; save a copy to change it.")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- meta ----------------------------------------------------------------------
    def _set_meta(self, db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   (key, _dumps(value)))

    def _get_meta(self, key: str, default: Any = None) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_site(self, site: Site) -> None:
        with self._tx() as db:
            self._set_meta(db, "site", site.__dict__)

    def set_units(self, units: str) -> None:
        if units not in UNITS:
            raise UserInputError(f"Units must be 'm' or 'ft', not {units!r}.")
        with self._tx() as db:
            self._set_meta(db, "units", units)

    def set_target(self, target: TargetNetwork | None) -> None:
        with self._tx() as db:
            self._set_meta(db, "target", _target_json(target))

    def set_charger_profile(self, profile_id: str) -> None:
        with self._tx() as db:
            self._set_meta(db, "charger_profile_id", profile_id)

    def set_active_survey(self, survey_id: int | None) -> None:
        with self._tx() as db:
            self._set_meta(db, "active_survey_id", survey_id)

    def set_preflight(self, report: NetcheckReport | None) -> None:
        """Keep the last network pre-flight run with the project (replacing the one before).

        A meta key, not a table: files stay at the same schema version, and an older evsurvey
        opens them and ignores the key."""
        with self._tx() as db:
            self._set_meta(db, "preflight", None if report is None else report.to_json())

    def _load_preflight(self) -> NetcheckReport | None:
        try:
            data = self._get_meta("preflight")
            return None if data is None else NetcheckReport.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # A damaged record of an earlier check must not keep the survey from opening.
            log.warning("ignoring the stored pre-flight results of %s: %s", self.path, exc)
            return None

    def set_setting(self, key: str, value: Any) -> None:
        with self._tx() as db:
            settings = self._get_meta("settings", {})
            settings[key] = value
            self._set_meta(db, "settings", settings)

    # -- floorplan and materials --------------------------------------------------
    def set_floorplan(self, fp: Floorplan | None) -> None:
        with self._tx() as db:
            self._write_floorplan(db, fp)

    def _write_floorplan(self, db: sqlite3.Connection, fp: Floorplan | None) -> None:
        db.execute("DELETE FROM floorplan")
        if fp is not None:
            db.execute(
                "INSERT INTO floorplan VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (fp.image, fp.image_format, fp.width_px, fp.height_px, fp.metres_per_px, fp.origin_x_m,
                 fp.origin_y_m, fp.rotation_deg, fp.opacity, fp.source_name),
            )

    def upsert_material(self, material: Material) -> None:
        """Add a material or change one (e.g. the installer's loss for a wall type)."""
        with self._tx() as db:
            self._write_material(db, material)

    @staticmethod
    def _write_material(db: sqlite3.Connection, m: Material) -> None:
        db.execute("INSERT OR REPLACE INTO materials VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (m.id, m.name, m.loss_db, m.loss_min_db, m.loss_max_db, m.source, m.colour))

    # -- walls -----------------------------------------------------------------------
    @staticmethod
    def _insert_wall(db: sqlite3.Connection, w: Wall, keep_id: bool = False) -> int:
        cur = db.execute("INSERT INTO walls(id, x1_m, y1_m, x2_m, y2_m, material_id) VALUES (?, ?, ?, ?, ?, ?)",
                         (w.id if keep_id else None, w.x1_m, w.y1_m, w.x2_m, w.y2_m, w.material_id))
        return cur.lastrowid

    def add_wall(self, wall: Wall) -> int:
        with self._tx() as db:
            return self._insert_wall(db, wall)

    def update_wall(self, wall: Wall) -> None:
        with self._tx() as db:
            db.execute("UPDATE walls SET x1_m=?, y1_m=?, x2_m=?, y2_m=?, material_id=? WHERE id=?",
                       (wall.x1_m, wall.y1_m, wall.x2_m, wall.y2_m, wall.material_id, wall.id))

    def delete_wall(self, wall_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM walls WHERE id = ?", (wall_id,))

    def replace_walls(self, walls: Iterable[Wall]) -> list[int]:
        with self._tx() as db:
            db.execute("DELETE FROM walls")
            return [self._insert_wall(db, w) for w in walls]

    def restore_wall(self, wall: Wall) -> int:
        """Re-insert a deleted wall under its old id (undo of a delete)."""
        with self._tx() as db:
            return self._insert_wall(db, wall, keep_id=True)

    # -- devices ---------------------------------------------------------------------
    @staticmethod
    def _insert_device(db: sqlite3.Connection, d: Device, keep_id: bool = False) -> int:
        cur = db.execute(
            "INSERT INTO devices(id, kind, x_m, y_m, label, planned, eirp_dbm, bssids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (d.id if keep_id else None, DeviceKind(d.kind).value, d.x_m, d.y_m, _text(d.label), int(d.planned),
             d.eirp_dbm, _dumps(list(d.bssids))))
        return cur.lastrowid

    def add_device(self, device: Device) -> int:
        with self._tx() as db:
            return self._insert_device(db, device)

    def restore_device(self, device: Device) -> int:
        with self._tx() as db:
            return self._insert_device(db, device, keep_id=True)

    def update_device(self, d: Device) -> None:
        with self._tx() as db:
            db.execute("UPDATE devices SET kind=?, x_m=?, y_m=?, label=?, planned=?, eirp_dbm=?, bssids=? WHERE id=?",
                       (DeviceKind(d.kind).value, d.x_m, d.y_m, _text(d.label), int(d.planned), d.eirp_dbm,
                        _dumps(list(d.bssids)), d.id))

    def delete_device(self, device_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM devices WHERE id = ?", (device_id,))

    # -- surveys and samples -------------------------------------------------------------
    @staticmethod
    def _refuse_taken_name(db: sqlite3.Connection, name: str, except_id: int | None = None) -> None:
        """Survey names are told apart ignoring case ("before" is "Before"), as people read them."""
        wanted = name.casefold()
        for sid, existing in db.execute("SELECT id, name FROM surveys"):
            if sid != except_id and existing.casefold() == wanted:
                raise UserInputError(f"A survey named {existing!r} already exists; choose another name.")

    @staticmethod
    def _insert_survey(db: sqlite3.Connection, name: str, created_at: float, notes: str) -> int:
        return db.execute("INSERT INTO surveys(name, created_at, notes) VALUES (?, ?, ?)",
                          (_text(name), created_at, _text(notes))).lastrowid

    def add_survey(self, name: str, notes: str = "") -> Survey:
        name = name.strip()
        if not name:
            raise UserInputError("A survey needs a name, e.g. 'Before' or 'After'.")
        created = time.time()
        with self._tx() as db:
            self._refuse_taken_name(db, name)
            sid = self._insert_survey(db, name, created, notes)
        return Survey(name=name, created_at=created, notes=notes, id=sid)

    def rename_survey(self, survey_id: int, name: str) -> None:
        name = name.strip()
        if not name:
            raise UserInputError("A survey needs a name, e.g. 'Before' or 'After'.")
        with self._tx() as db:
            self._refuse_taken_name(db, name, survey_id)
            db.execute("UPDATE surveys SET name = ? WHERE id = ?", (_text(name), survey_id))

    def add_sample(self, survey_id: int, sample: Sample) -> int:
        """Write *sample* with all its scans in one transaction; durable when this returns."""
        with self._tx() as db:
            return self._insert_sample(db, survey_id, sample)

    @staticmethod
    def _insert_sample(db: sqlite3.Connection, survey_id: int, sample: Sample) -> int:
        sample_id = db.execute(
            "INSERT INTO samples(survey_id, x_m, y_m, taken_at, mode) VALUES (?, ?, ?, ?, ?)",
            (survey_id, sample.x_m, sample.y_m, sample.taken_at, SampleMode(sample.mode).value)).lastrowid
        for scan in sample.scans:
            scan_id = db.execute(
                "INSERT INTO scans(sample_id, backend, started_at, finished_at, fresh, warnings) VALUES (?, ?, ?, ?, ?, ?)",
                (sample_id, scan.backend, scan.started_at, scan.finished_at, int(scan.fresh),
                 _dumps(list(scan.warnings)))).lastrowid
            db.executemany(
                "INSERT INTO observations(scan_id, bssid, ssid, ssid_raw, rssi_dbm, rssi_estimated, signal_pct,"
                " freq_mhz, channel, band, auth, ciphers, wps, station_count, channel_utilization_pct,"
                " channel_width_mhz, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(scan_id, o.bssid, _text(o.ssid), o.ssid_raw, o.rssi_dbm, int(o.rssi_estimated), o.signal_pct,
                  o.freq_mhz, o.channel, o.band, _dumps(list(o.auth)), _dumps(list(o.ciphers)),
                  None if o.wps is None else int(o.wps), o.station_count, o.channel_utilization_pct,
                  o.channel_width_mhz, o.last_seen) for o in scan.observations])
        if sample.link is not None:
            ProjectStore._write_link(db, sample_id, sample.link)
        return sample_id

    def set_sample_link(self, sample_id: int, link: LinkTest | None) -> None:
        """Attach *link* to a stored sample, replacing any earlier one (None removes it)."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM samples WHERE id = ?", (sample_id,)).fetchone() is None:
                raise UserInputError(f"There is no sample {sample_id} in {self.path.name} (it may have been deleted).")
            db.execute("DELETE FROM link_results WHERE sample_id = ?", (sample_id,))
            db.execute("DELETE FROM link_throughput WHERE sample_id = ?", (sample_id,))
            if link is not None:
                self._write_link(db, sample_id, link)

    @staticmethod
    def _write_link(db: sqlite3.Connection, sample_id: int, link: LinkTest) -> None:
        db.executemany(
            "INSERT INTO link_results(sample_id, target, address, probe, port, sent, received, rtt_median_ms,"
            " rtt_p95_ms, jitter_ms, started_at, duration_s, tried) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(sample_id, _text(r.target), r.address, ProbeKind(r.probe).value, r.port, r.sent, r.received,
              r.rtt_median_ms, r.rtt_p95_ms, r.jitter_ms, r.started_at, r.duration_s,
              _dumps([_text(t) for t in r.tried])) for r in link.results])
        t = link.throughput
        if t is not None:
            db.execute("INSERT INTO link_throughput VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (sample_id, _text(t.server), t.port, t.up_mbps, t.down_mbps, t.duration_s, t.started_at))

    def move_samples(self, positions_m: dict[int, tuple[float, float]]) -> None:
        """Set new (x_m, y_m) for samples by id, all in one transaction (e.g. a re-scaled plan)."""
        with self._tx() as db:
            db.executemany("UPDATE samples SET x_m = ?, y_m = ? WHERE id = ?",
                           [(x, y, sid) for sid, (x, y) in positions_m.items()])

    def delete_sample(self, sample_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM samples WHERE id = ?", (sample_id,))

    # -- whole project -------------------------------------------------------------------
    def _write_all(self, p: Project) -> None:
        with self._tx() as db:
            self._set_meta(db, "site", p.site.__dict__)
            self._set_meta(db, "units", p.units)
            self._set_meta(db, "target", _target_json(p.target))
            self._set_meta(db, "charger_profile_id", p.charger_profile_id)
            self._set_meta(db, "settings", dict(p.settings))
            self._set_meta(db, "created_by", "evsurvey")
            if p.preflight is not None:
                self._set_meta(db, "preflight", p.preflight.to_json())
            self._write_floorplan(db, p.floorplan)
            for m in p.materials:
                self._write_material(db, m)
            for w in p.walls:
                self._insert_wall(db, w)
            for d in p.devices:
                self._insert_device(db, d)
            active = None
            for s in p.surveys:
                sid = self._insert_survey(db, s.name, s.created_at, s.notes)
                if s.id is not None and s.id == p.active_survey_id:
                    active = sid
                for sample in s.samples:
                    self._insert_sample(db, sid, sample)
            self._set_meta(db, "active_survey_id", active)

    def load(self) -> Project:
        db = self._db
        try:
            site_d = self._get_meta("site", {})
            site = Site(**{k: v for k, v in site_d.items() if k in Site.__dataclass_fields__})
            target_d = self._get_meta("target")
            target = None if not target_d else TargetNetwork(target_d["ssid"], tuple(target_d.get("bssids", ())))
            fp_row = db.execute("SELECT * FROM floorplan WHERE id = 1").fetchone()
            floorplan = None
            if fp_row is not None:
                floorplan = Floorplan(
                    image=bytes(fp_row["image"]), image_format=fp_row["image_format"], width_px=fp_row["width_px"],
                    height_px=fp_row["height_px"], metres_per_px=fp_row["metres_per_px"],
                    origin_x_m=fp_row["origin_x_m"], origin_y_m=fp_row["origin_y_m"],
                    rotation_deg=fp_row["rotation_deg"], opacity=fp_row["opacity"], source_name=fp_row["source_name"])
            materials = tuple(Material(r["id"], r["name"], r["loss_db"], r["loss_min_db"], r["loss_max_db"],
                                       r["source"], r["colour"])
                              for r in db.execute("SELECT * FROM materials ORDER BY rowid"))
            walls = tuple(Wall(r["x1_m"], r["y1_m"], r["x2_m"], r["y2_m"], r["material_id"], id=r["id"])
                          for r in db.execute("SELECT * FROM walls ORDER BY id"))
            devices = tuple(Device(DeviceKind(r["kind"]), r["x_m"], r["y_m"], label=r["label"], planned=bool(r["planned"]),
                                   eirp_dbm=r["eirp_dbm"], bssids=tuple(json.loads(r["bssids"])), id=r["id"])
                            for r in db.execute("SELECT * FROM devices ORDER BY id"))
            surveys = tuple(self._load_survey(r) for r in db.execute("SELECT * FROM surveys ORDER BY id").fetchall())
        except (sqlite3.DatabaseError, KeyError, TypeError, ValueError) as exc:
            raise CorruptProjectError(f"{self.path.name} is damaged ({exc}). Restore it from a backup.") from None
        return Project(
            site=site, units=self._get_meta("units", "m"), floorplan=floorplan, walls=walls, materials=materials,
            devices=devices, surveys=surveys, target=target,
            charger_profile_id=self._get_meta("charger_profile_id", "generic_iot"),
            active_survey_id=self._get_meta("active_survey_id"), settings=self._get_meta("settings", {}),
            preflight=self._load_preflight())

    def _load_survey(self, row: sqlite3.Row) -> Survey:
        db = self._db
        obs_by_scan: dict[int, list[Observation]] = {}
        for o in db.execute(
                "SELECT o.* FROM observations o JOIN scans c ON o.scan_id = c.id JOIN samples s ON c.sample_id = s.id"
                " WHERE s.survey_id = ? ORDER BY o.id", (row["id"],)):
            obs_by_scan.setdefault(o["scan_id"], []).append(Observation(
                bssid=o["bssid"], ssid=o["ssid"], rssi_dbm=o["rssi_dbm"], freq_mhz=o["freq_mhz"], channel=o["channel"],
                band=o["band"], ssid_raw=None if o["ssid_raw"] is None else bytes(o["ssid_raw"]),
                rssi_estimated=bool(o["rssi_estimated"]), signal_pct=o["signal_pct"],
                auth=tuple(json.loads(o["auth"])), ciphers=tuple(json.loads(o["ciphers"])),
                wps=None if o["wps"] is None else bool(o["wps"]), station_count=o["station_count"],
                channel_utilization_pct=o["channel_utilization_pct"], channel_width_mhz=o["channel_width_mhz"],
                last_seen=o["last_seen"]))
        scans_by_sample: dict[int, list[ScanResult]] = {}
        for c in db.execute("SELECT c.* FROM scans c JOIN samples s ON c.sample_id = s.id WHERE s.survey_id = ? ORDER BY c.id",
                            (row["id"],)):
            scans_by_sample.setdefault(c["sample_id"], []).append(ScanResult(
                observations=tuple(obs_by_scan.get(c["id"], ())), started_at=c["started_at"],
                finished_at=c["finished_at"], backend=c["backend"], fresh=bool(c["fresh"]),
                warnings=tuple(json.loads(c["warnings"]))))
        links = self._load_links(row["id"])
        samples = tuple(
            Sample(x_m=s["x_m"], y_m=s["y_m"], taken_at=s["taken_at"], scans=tuple(scans_by_sample.get(s["id"], ())),
                   mode=SampleMode(s["mode"]), id=s["id"], link=links.get(s["id"]))
            for s in db.execute("SELECT * FROM samples WHERE survey_id = ? ORDER BY id", (row["id"],)))
        return Survey(name=row["name"], created_at=row["created_at"], samples=samples, notes=row["notes"], id=row["id"])

    def _load_links(self, survey_id: int) -> dict[int, LinkTest]:
        """sample id -> its link test, for the samples of one survey that have one."""
        db = self._db
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'link_results'").fetchone() is None:
            return {}  # a format-1 file opened read-only is not migrated: it has no link tests
        results: dict[int, list[LinkTestResult]] = {}
        for r in db.execute("SELECT l.* FROM link_results l JOIN samples s ON l.sample_id = s.id"
                            " WHERE s.survey_id = ? ORDER BY l.id", (survey_id,)):
            results.setdefault(r["sample_id"], []).append(LinkTestResult(
                target=r["target"], address=r["address"], probe=ProbeKind(r["probe"]), port=r["port"], sent=r["sent"],
                received=r["received"], rtt_median_ms=r["rtt_median_ms"], rtt_p95_ms=r["rtt_p95_ms"],
                jitter_ms=r["jitter_ms"], started_at=r["started_at"], duration_s=r["duration_s"],
                tried=tuple(json.loads(r["tried"]))))
        throughput = {
            t["sample_id"]: ThroughputResult(server=t["server"], port=t["port"], up_mbps=t["up_mbps"],
                                             down_mbps=t["down_mbps"], duration_s=t["duration_s"],
                                             started_at=t["started_at"])
            for t in db.execute("SELECT t.* FROM link_throughput t JOIN samples s ON t.sample_id = s.id"
                                " WHERE s.survey_id = ?", (survey_id,))}
        return {sid: LinkTest(tuple(results.get(sid, ())), throughput.get(sid))
                for sid in results.keys() | throughput.keys()}
