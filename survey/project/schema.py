"""The project file's schema: its versions, the migration steps between them, and the check
that a file holds the project's own schema objects and nothing else.

A new format version is one more function in :data:`MIGRATIONS` (``n -> n + 1``) and
``SCHEMA_VERSION + 1``; nothing else here changes. The expected schema of every version is
built by running the migrations on an empty in-memory database, so the check follows new
steps by itself. A step's SQL is compared with what files of that version hold (whitespace
aside): never edit a step once released, append a new one.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable

from survey.project.file_errors import CorruptProjectError, ForeignSchemaError

#: Written into the SQLite header (``PRAGMA application_id``) so a project is told apart
#: from any other SQLite file. ASCII "EVSV".
APPLICATION_ID = 0x45565356
SCHEMA_VERSION = 2

TABLES = ("meta", "floorplan", "materials", "walls", "devices", "surveys", "samples", "scans", "observations")


def _migrate_0_to_1(db: sqlite3.Connection) -> None:
    execute_each(
        db,
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
        """,
    )


def execute_each(db: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements one by one: ``executescript()`` would commit the
    migration's transaction half-way."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    # Link tests at a sample (survey.project.link): one row per target, throughput apart.
    execute_each(
        db,
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
        """,
    )


#: MIGRATIONS[n] upgrades a file at user_version n to n + 1. Append, never edit.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


def migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring *db* from format *version* to :data:`SCHEMA_VERSION`, one transaction per step.
    The caller has validated the file (and tried the steps on a copy)."""
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](db)
            version += 1
            db.execute(f"PRAGMA user_version = {version}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


# -- the check -------------------------------------------------------------------------

#: Tables SQLite itself may add (``ANALYZE`` statistics); they hold no code and no data of ours.
_SQLITE_OWN = re.compile(r"sqlite_stat\d")


def _normal_sql(sql: str | None) -> str | None:
    return None if sql is None else " ".join(sql.split())


@functools.cache
def reference_schema(version: int) -> dict[tuple[str, str], str | None]:
    """{(type, name): SQL} of every schema object a file of *version* holds (do not modify)."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for step in range(version):
            MIGRATIONS[step](db)
        return _schema_of(db)
    finally:
        db.close()


def _schema_of(db: sqlite3.Connection) -> dict[tuple[str, str], str | None]:
    """{(type, name): SQL} of *db*'s schema objects, SQLite's own statistics tables aside."""
    rows = db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    return {(str(kind), str(obj)): _normal_sql(sql) for kind, obj, sql in rows if not _SQLITE_OWN.fullmatch(str(obj))}


def _listed(objects: list[tuple[str, str]]) -> str:
    # SQLite's automatic indexes come with their table: naming the table says it.
    objects = [o for o in objects if not o[1].startswith("sqlite_autoindex_")] or objects
    more = f" and {len(objects) - 5} more" if len(objects) > 5 else ""
    return ", ".join(f"{kind} {obj!r}" for kind, obj in objects[:5]) + more


def check_schema(db: sqlite3.Connection, name: str, version: int) -> None:
    """Refuse a file whose schema is not exactly the project's own for *version*: a trigger
    would run on the installer's next edit (one seen wiped 103 of 104 samples), a view or an
    extra table is nothing evsurvey wrote, a changed table may hold what evsurvey cannot
    read. Missing objects mean damage."""
    found = _schema_of(db)
    expected = reference_schema(version)
    foreign = sorted((key for key in found if key not in expected), key=lambda k: (k[0] != "trigger", k))
    changed = sorted(key for key in found if key in expected and found[key] != expected[key])
    if foreign or changed:
        parts = []
        if foreign:
            parts.append(f"it contains {_listed(foreign)}, which evsurvey does not write")
        if changed:
            parts.append(
                f"{_listed(changed)} {'is' if len(changed) == 1 else 'are'} not defined as evsurvey defines them"
            )
        why = " (a trigger is code that would run on your next edit)" if any(k[0] == "trigger" for k in foreign) else ""
        raise ForeignSchemaError(
            f"{name} was not opened: {'; '.join(parts)}{why}. "
            "Ask the sender for the original project file, or restore it from a backup."
        )
    missing = sorted(key for key in expected if key not in found)
    if missing:
        raise CorruptProjectError(
            f"{name} is damaged: {_listed(missing)} missing. Restore it from a backup or the mailed copy."
        )
