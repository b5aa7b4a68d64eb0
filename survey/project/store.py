"""The ``.evsurvey`` project file: one SQLite database the installer can mail.

Why SQLite: a survey is an hour of walking; each sample is committed in its own
transaction (WAL journal, ``synchronous=FULL``) the moment it is taken, so a laptop
that dies mid-walk loses nothing that was reported saved. The floorplan image lives
inside, so one file is the whole project.

What this module promises, and how:

* **Opening writes nothing.** A file is validated read-only first (:mod:`.filecheck`:
  path, header, log, schema objects, ``quick_check``) and read through an ``immutable``
  connection or an in-memory copy; the file is opened for writing only at the first
  change the installer makes (journal mode, a pending migration, the log record below).
  A read-only store is an in-memory snapshot: it never creates a side file.
* **One writer per file** (:mod:`.writer_lock`): a second writer is refused with
  :class:`ProjectLockedError`, which says who holds the file.
* **The open file is watched.** Before every write its device+inode, size and time, and
  its ``-wal``, are compared with what was opened; a file deleted, moved or replaced
  stops all writing (:class:`ProjectFileLostError`), samples taken after that are kept in
  :attr:`ProjectStore.pending_samples`, and :meth:`ProjectStore.save_as` writes
  everything — what the open connection still reads from the old file and its log, and
  the pending samples — to a new file.
* **A log is only replayed into its own database.** Before each checkpoint the writer
  records in the database which log will follow (``meta.wal_next``: salt-1 and checkpoint
  number); a log found beside a file that does not match is stale and set aside.
* **Every multi-row edit is one transaction** (:meth:`ProjectStore.transaction`), and
  every value is checked before anything is written (:mod:`.validation`): NaN and
  infinities never reach the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from survey.errors import EvSurveyError, UserInputError
from survey.project.file_errors import (  # noqa: F401 - re-exported: the store's errors
    CorruptProjectError,
    DamagedRowsError,
    ForeignSchemaError,
    InvalidValueError,
    NewerVersionError,
    NotAProjectError,
    ProjectFileError,
    ProjectFileLostError,
    ProjectLockedError,
    ProjectReadOnlyError,
)
from survey.project.filecheck import (  # noqa: F401 - SQLITE_MAGIC re-exported (packaging's MIME magic)
    SQLITE_MAGIC,
    WAL_NEXT_KEY,
    CheckedFile,
    FileIdentity,
    connect_immutable,
    connect_writable,
    next_wal,
    open_checked,
    read_wal_header,
    resolve_project_path,
    set_aside_stale_wal,
    side_path,
)
from survey.project.link import LinkTest, ProbeKind
from survey.project.model import (
    UNITS,
    Device,
    DeviceKind,
    Floorplan,
    Material,
    Project,
    Sample,
    SampleMode,
    Site,
    Survey,
    TargetNetwork,
    Wall,
)
from survey.project.preflight import NetcheckReport
from survey.project.schema import APPLICATION_ID, SCHEMA_VERSION, migrate  # noqa: F401 - re-exported
from survey.project.validation import (
    check_device,
    check_floorplan,
    check_link,
    check_material,
    check_position,
    check_sample,
    check_wall,
    read_devices,
    read_project,
    require_finite,
    to_json,
)
from survey.project.writer_lock import WriterLock, lock_holder

log = logging.getLogger(__name__)

#: A log larger than this is checkpointed after the commit that grew it (SQLite's own
#: automatic checkpoint, 1000 pages of 4 KiB, is switched off: every checkpoint must
#: record the next log first).
CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024
#: How long a write waits for a reader in another process to finish (ms).
BUSY_TIMEOUT_MS = 5000
#: The most damaged rows a refusal lists by name.
PROBLEMS_LISTED = 5


def _target_json(target: TargetNetwork | None) -> dict | None:
    return None if target is None else {"ssid": target.ssid, "bssids": list(target.bssids)}


_SURROGATES = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    """Text SQLite can store (valid UTF-8): lone surrogates become U+FFFD. The bytes an
    SSID really had are kept in ``ssid_raw``."""
    return _SURROGATES.sub("\ufffd", value)


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    """The row id the INSERT just run on *cursor* gave (``lastrowid`` is None only on a
    cursor that has inserted nothing)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise sqlite3.InterfaceError("the INSERT gave no row id")
    return row_id


def _remove_side_files(path: Path) -> None:
    """A -wal/-shm left at a name must never meet a new file put there."""
    for suffix in ("-wal", "-shm", "-journal"):
        side_path(path, suffix).unlink(missing_ok=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _lock_for_new_file(path: Path) -> WriterLock:
    try:
        return WriterLock.acquire(path)
    except ProjectLockedError as exc:
        raise UserInputError(
            f"{path.name} is open in another evsurvey window or process, so it cannot be "
            f"replaced ({exc}). Choose another name."
        ) from None
    except ProjectReadOnlyError:
        raise UserInputError(
            f"Cannot write {path}: the folder cannot be written. Choose a folder you can write to."
        ) from None


class ProjectStore:
    """An open ``.evsurvey`` file. Every mutating method commits before it returns.

    Attributes for callers: ``path`` (the real file), ``read_only`` and
    ``read_only_reason``, ``notices`` (what opening found and did, e.g. a stale log set
    aside), ``load_problems`` (rows the last :meth:`load` skipped), ``pending_samples``
    (samples that could not be written), ``on_problem`` (called once with the message when
    the open file is found deleted, moved or replaced).
    """

    def __init__(
        self, checked: CheckedFile, *, read_only: bool, lock: WriterLock | None, notices: tuple[str, ...] = ()
    ):
        self.path = checked.path
        self.read_only = read_only
        self.read_only_reason: str | None = None
        self.notices = notices
        self.load_problems: tuple[str, ...] = ()
        self.pending_samples: list[tuple[int, Sample]] = []
        self.on_problem: Callable[[str], None] | None = None
        self._lock = lock
        self._reader: sqlite3.Connection | None = checked.reader
        self._reader_on_file = checked.reader_on_file
        self._writer: sqlite3.Connection | None = None
        self._identity = checked.identity
        self._wal_identity = checked.wal_identity
        self._lost: str | None = None
        self._depth = 0

    # -- lifecycle ---------------------------------------------------------------
    @classmethod
    def create(
        cls, path: str | os.PathLike, project: Project | None = None, *, overwrite: bool = False
    ) -> ProjectStore:
        """Write a new project file at *path* holding *project* (ids are assigned anew).

        Built under another name and renamed into place, so a failure leaves whatever was
        at *path* as it was; a file open in another window is never replaced."""
        path = Path(path).absolute()
        if path.exists() or path.is_symlink():
            if not overwrite:
                raise UserInputError(f"{path} already exists. Choose another name or open it instead.")
            if path.is_dir():
                raise UserInputError(f"{path} is a folder. Choose a file name.")

        def fill(db: sqlite3.Connection) -> None:
            migrate(db, 0)
            db.execute("BEGIN IMMEDIATE")
            cls._write_all(db, project or Project())
            db.execute("COMMIT")

        return cls._new_file(path, fill, "Cannot create")

    @classmethod
    def _new_file(cls, path: Path, fill: Callable[[sqlite3.Connection], None], failure: str) -> ProjectStore:
        """A project file written by *fill* under a temporary name, then renamed to *path*
        (locked first, so a file open elsewhere is never replaced); a store on it."""
        lock = _lock_for_new_file(path)
        partial = path.with_name(path.name + ".partial")
        try:
            try:
                _remove_side_files(partial)
                partial.unlink(missing_ok=True)
                db = connect_writable(partial)
                try:
                    fill(db)
                finally:
                    db.close()
                _remove_side_files(path)
                os.replace(partial, path)
            except (sqlite3.Error, OSError) as exc:
                raise UserInputError(f"{failure} {path}: {exc}. Choose a folder you can write to.") from None
            return cls._open_locked(path, lock)
        except BaseException:
            lock.release()
            _remove_side_files(partial)
            partial.unlink(missing_ok=True)
            raise

    @classmethod
    def open(cls, path: str | os.PathLike, read_only: bool = False) -> ProjectStore:
        """Open *path* for writing (the default) or as a read-only snapshot.

        Writing: refused with :class:`ProjectReadOnlyError` where the file cannot be written
        (read-only file, folder or medium) and :class:`ProjectLockedError` where another
        window or process writes to it; then open it with ``read_only=True``."""
        real = resolve_project_path(path)
        if read_only:
            holder = lock_holder(real)
            writer = None if holder is None else (holder.file_id or True)
            checked = open_checked(real, live_writer=writer, snapshot=True)
            return cls(checked, read_only=True, lock=None, notices=checked.notices)
        if not os.access(real, os.W_OK) or not os.access(real.parent, os.W_OK):
            raise ProjectReadOnlyError(
                f"read-only: {real.name} is a read-only file, or on read-only media or in a folder you cannot "
                "write to. File → Save As to keep working."
            )
        lock = WriterLock.acquire(real)
        try:
            return cls._open_locked(real, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_locked(cls, path: Path, lock: WriterLock) -> ProjectStore:
        checked = open_checked(path, live_writer=None, snapshot=False)
        lock.record_file(checked.identity.dev, checked.identity.ino)
        notices = checked.notices
        if checked.wal == "stale":
            wal_name = side_path(checked.path, "-wal").name
            try:
                aside = set_aside_stale_wal(checked.path)
            except OSError as exc:
                checked.reader.close()
                raise ProjectReadOnlyError(
                    f"read-only: {wal_name} beside {checked.path.name} is left over from "
                    f"another copy of the file and cannot be moved aside ({exc.strerror}). "
                    "File → Save As to keep working."
                ) from None
            notices = (
                f"{wal_name} beside {checked.path.name} was left over from another copy of the file "
                f"(e.g. a backup restored over it after a crash). It was not replayed into the project and "
                f"was set aside as {aside.name}.",
            )
            checked.wal_identity = None
        return cls(checked, read_only=False, lock=lock, notices=notices)

    def close(self) -> None:
        if self._writer is not None:
            # Never checkpoint into a file that is no longer the one at this name.
            if self._lost is None and self.file_problem() is None:
                try:
                    self._checkpoint()
                except (sqlite3.Error, OSError):
                    log.warning("checkpoint of %s failed on close", self.path, exc_info=True)
            self._writer.close()
            self._writer = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ProjectStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def _db(self) -> sqlite3.Connection:
        """The connection that reads: the writer once writing began, else the reader."""
        db = self._writer if self._writer is not None else self._reader
        if db is None:
            raise RuntimeError(f"the store of {self.path.name} is closed")
        return db

    def _current_writer(self) -> sqlite3.Connection:
        """The writer, in the places that run only once writing began (a checkpoint, a
        nested transaction)."""
        if self._writer is None:
            raise RuntimeError(f"the store of {self.path.name} is not writing (it was closed)")
        return self._writer

    @property
    def writable(self) -> bool:
        return not self.read_only and self._lost is None

    @property
    def lost(self) -> str | None:
        """Why the open file is not written any more (deleted, moved, replaced), or None."""
        return self._lost

    def save_as(self, new_path: str | os.PathLike) -> ProjectStore:
        """A consistent copy at *new_path* (SQLite online backup) plus the pending samples;
        returns a store on the copy. Works from a read-only or a lost file."""
        new_path = Path(new_path).absolute()
        if _same_file(new_path, self.path):
            if self.writable:
                return self
            raise UserInputError(f"{new_path.name} is the file that cannot be written; choose another name.")

        def fill(db: sqlite3.Connection) -> None:
            self._db.backup(db)
            db.execute("PRAGMA journal_mode = DELETE")

        copy = self._new_file(new_path, fill, "Cannot save a copy to")
        if self.pending_samples:
            try:
                with copy.transaction() as db:
                    for survey_id, sample in self.pending_samples:
                        copy._insert_sample(db, survey_id, sample)
            except (sqlite3.Error, EvSurveyError) as exc:
                copy.close()
                raise UserInputError(
                    f"The copy {new_path.name} was written, but the samples kept in memory could "
                    f"not be added to it ({exc}); they are still kept. Try Save As again."
                ) from None
            log.info("wrote %d samples kept in memory to %s", len(self.pending_samples), new_path)
            self.pending_samples.clear()
        return copy

    # -- is the file still ours? -----------------------------------------------------
    def file_problem(self) -> str | None:
        """Why writing must stop (the file or its log deleted, moved, replaced or changed by
        something else since it was opened or last written), or None when all is well."""
        if self.read_only or (self._writer is None and self._reader is None):
            return None  # a closed store has no file to lose
        if self._lost is not None:
            return self._lost
        name = self.path.name
        try:
            now = FileIdentity.of(os.stat(self.path))
        except FileNotFoundError:
            return f"{name} was deleted or moved while it was open"
        except OSError as exc:
            return f"{name} cannot be reached any more ({exc.strerror or exc})"
        if not now.same_file(self._identity):
            return f"{name} was replaced by another file while it was open"
        if (now.size, now.mtime_ns) != (self._identity.size, self._identity.mtime_ns):
            return f"{name} was changed by another program while it was open"
        wal = side_path(self.path, "-wal")
        try:
            wal_now: FileIdentity | None = FileIdentity.of(os.stat(wal))
        except FileNotFoundError:
            wal_now = None
        expected = self._wal_identity
        if expected is None:
            if wal_now is not None and wal_now.size > 0:
                return f"a journal file ({wal.name}) appeared beside {name} while it was open"
        elif wal_now is None:
            return f"the journal of {name} ({wal.name}) was deleted while the project was open"
        elif not wal_now.same_file(expected):
            return f"the journal of {name} ({wal.name}) was replaced while the project was open"
        elif self._writer is None and wal_now != expected:
            return f"the journal of {name} ({wal.name}) was changed by another program while it was open"
        return None

    def _mark_lost(self, problem: str) -> None:
        self._lost = (
            f"{problem}, so nothing more is written to it. What was saved up to then is still open "
            "here: File → Save As writes it all to a new file."
        )
        log.warning("%s", self._lost)
        if self.on_problem is not None:
            self.on_problem(self._lost)

    def check_file(self) -> str | None:
        """Look at the file now (e.g. on a timer): the lost message the first time it is found
        gone or replaced (``on_problem`` is called then), else None."""
        if self._lost is None and self.writable:
            problem = self.file_problem()
            if problem is not None:
                self._mark_lost(problem)
        return self._lost

    # -- writing ---------------------------------------------------------------------
    def _writable_db(self) -> sqlite3.Connection:
        if self.read_only:
            raise ProjectReadOnlyError(
                self.read_only_reason or f"{self.path.name} is open read-only; File → Save As to change a copy."
            )
        if self._lost is not None:
            raise ProjectFileLostError(self._lost)
        problem = self.file_problem()
        if problem is not None:
            self._mark_lost(problem)
            raise ProjectFileLostError(self._lost)
        if self._writer is None:
            return self._begin_writing()
        return self._writer

    def _begin_writing(self) -> sqlite3.Connection:
        """Open the file for writing at the first change: journal mode, a pending migration,
        then the log record and a checkpoint, so the log the edits go into is paired.
        Returns the writer."""
        name = self.path.name
        reader = self._reader
        if reader is None:
            raise RuntimeError(f"the store of {name} is closed; it cannot start writing")
        db = None
        try:
            db = connect_writable(self.path)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"the journal cannot be switched to WAL (it stays {mode})")
            # FULL: a commit survives power loss, not only a killed process.
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA wal_autocheckpoint = 0")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                migrate(db, version)
                log.info("migrated %s from format %d to %d", self.path, version, SCHEMA_VERSION)
            self._writer = db
            if not self._checkpoint():
                raise _Busy()
        except _Busy:
            self._writer = None
            if db is not None:
                db.close()
            raise EvSurveyError(
                f"{name} is being read by another program right now, so evsurvey cannot start "
                "writing to it. Try again in a moment."
            ) from None
        except OSError as exc:  # the file went away in the middle
            self._writer = None
            if db is not None:
                db.close()
            self._mark_lost(f"{name} could not be reached ({exc.strerror or exc})")
            raise ProjectFileLostError(self._lost) from None
        except sqlite3.DatabaseError as exc:
            self._writer = None
            if db is not None:
                db.close()
            if not isinstance(exc, sqlite3.OperationalError):
                raise CorruptProjectError(
                    f"{name} cannot be written: it is damaged ({exc}). Nothing was written; "
                    "File → Save As keeps what was read."
                ) from None
            self.read_only = True
            self.read_only_reason = f"read-only: {name} cannot be written ({exc}). File → Save As to keep working."
            if self._reader_on_file:  # what it read may have moved under it: read afresh
                reader.close()
                self._reader = connect_immutable(self.path)
            log.warning("%s", self.read_only_reason)
            raise ProjectReadOnlyError(self.read_only_reason) from None
        reader.close()
        self._reader = None
        return db

    def _checkpoint(self) -> bool:
        """Record the log that will follow, then checkpoint into the database file; True when
        the checkpoint was complete (a reader in another process can hold part of it back)."""
        db = self._current_writer()
        wal = side_path(self.path, "-wal")
        header = read_wal_header(wal)
        if header is None:
            # The log's salts are only chosen with its first frame: write one.
            self._commit_meta(WAL_NEXT_KEY, {})
            header = read_wal_header(wal)
            if header is None:
                raise sqlite3.OperationalError(f"{wal.name} holds no frame after a commit in WAL mode")
        self._commit_meta(WAL_NEXT_KEY, next_wal(header))
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        self._identity = FileIdentity.of(os.stat(self.path))
        self._wal_identity = FileIdentity.of(os.stat(wal))
        return not busy

    def _commit_meta(self, key: str, value: Any) -> None:
        db = self._current_writer()
        db.execute("BEGIN IMMEDIATE")
        try:
            self._set_meta(db, key, value)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Group edits: every write inside lands in one transaction, or none does.

        ``with store.transaction(): store.set_floorplan(None); store.replace_walls(walls)``
        Nested uses join the outermost transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self._current_writer()
            finally:
                self._depth -= 1
            return
        db = self._writable_db()
        db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield db
        except BaseException:
            self._depth = 0
            db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            db.execute("COMMIT")
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        self._after_commit()

    _tx = transaction

    def _after_commit(self) -> None:
        try:
            size = os.stat(side_path(self.path, "-wal")).st_size
        except OSError:
            return  # noticed before the next write
        if size > CHECKPOINT_WAL_BYTES:
            try:
                self._checkpoint()
            except (sqlite3.Error, OSError):  # the commit stands; the next one tries again
                log.warning("checkpoint of %s failed", self.path, exc_info=True)

    # -- meta ----------------------------------------------------------------------
    @staticmethod
    def _set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, to_json(value)),
        )

    def _settings(self, db: sqlite3.Connection) -> dict:
        row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        try:
            value = json.loads(row[0]) if row is not None and len(row[0]) < 1_000_000 else {}
        except (TypeError, ValueError, RecursionError):
            value = {}  # reported when it was loaded; this write replaces it
        return value if isinstance(value, dict) else {}

    def set_site(self, site: Site) -> None:
        require_finite("the north direction", site.north_deg, -360.0, 360.0, optional=True)
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

    def set_setting(self, key: str, value: Any) -> None:
        to_json(value)  # refused before the transaction if it cannot be stored
        with self._tx() as db:
            settings = self._settings(db)
            settings[key] = value
            self._set_meta(db, "settings", settings)

    # -- floorplan and materials --------------------------------------------------
    def set_floorplan(self, fp: Floorplan | None) -> None:
        if fp is not None:
            check_floorplan(fp)
        with self._tx() as db:
            self._write_floorplan(db, fp)

    @staticmethod
    def _write_floorplan(db: sqlite3.Connection, fp: Floorplan | None) -> None:
        db.execute("DELETE FROM floorplan")
        if fp is not None:
            db.execute(
                "INSERT INTO floorplan VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    fp.image,
                    fp.image_format,
                    fp.width_px,
                    fp.height_px,
                    fp.metres_per_px,
                    fp.origin_x_m,
                    fp.origin_y_m,
                    fp.rotation_deg,
                    fp.opacity,
                    fp.source_name,
                ),
            )

    def upsert_material(self, material: Material) -> None:
        """Add a material or change one (e.g. the installer's loss for a wall type)."""
        check_material(material)
        with self._tx() as db:
            self._write_material(db, material)

    @staticmethod
    def _write_material(db: sqlite3.Connection, m: Material) -> None:
        db.execute(
            "INSERT OR REPLACE INTO materials VALUES (?, ?, ?, ?, ?, ?, ?)",
            (m.id, m.name, m.loss_db, m.loss_min_db, m.loss_max_db, m.source, m.colour),
        )

    # -- walls -----------------------------------------------------------------------
    @staticmethod
    def _insert_wall(db: sqlite3.Connection, w: Wall, keep_id: bool = False) -> int:
        cur = db.execute(
            "INSERT INTO walls(id, x1_m, y1_m, x2_m, y2_m, material_id) VALUES (?, ?, ?, ?, ?, ?)",
            (w.id if keep_id else None, w.x1_m, w.y1_m, w.x2_m, w.y2_m, w.material_id),
        )
        return _inserted_id(cur)

    def add_wall(self, wall: Wall) -> int:
        check_wall(wall)
        with self._tx() as db:
            return self._insert_wall(db, wall)

    def update_wall(self, wall: Wall) -> None:
        self.update_walls([wall])

    def update_walls(self, walls: Iterable[Wall]) -> None:
        """Change walls in place (by id), all in one transaction."""
        walls = list(walls)
        for wall in walls:
            check_wall(wall)
        with self._tx() as db:
            db.executemany(
                "UPDATE walls SET x1_m=?, y1_m=?, x2_m=?, y2_m=?, material_id=? WHERE id=?",
                [(w.x1_m, w.y1_m, w.x2_m, w.y2_m, w.material_id, w.id) for w in walls],
            )

    def delete_wall(self, wall_id: int) -> None:
        self.delete_walls([wall_id])

    def delete_walls(self, wall_ids: Iterable[int]) -> None:
        with self._tx() as db:
            db.executemany("DELETE FROM walls WHERE id = ?", [(wall_id,) for wall_id in wall_ids])

    def replace_walls(self, walls: Iterable[Wall], *, keep_ids: bool = False) -> list[int]:
        """All walls at once, in one transaction, every wall checked before the old ones go.
        *keep_ids*: insert under the walls' own ids (undo and redo of a replacement)."""
        walls = list(walls)
        for wall in walls:
            check_wall(wall)
        with self._tx() as db:
            db.execute("DELETE FROM walls")
            return [self._insert_wall(db, w, keep_id=keep_ids) for w in walls]

    def restore_wall(self, wall: Wall) -> int:
        """Re-insert a deleted wall under its old id (undo of a delete)."""
        check_wall(wall)
        with self._tx() as db:
            return self._insert_wall(db, wall, keep_id=True)

    # -- devices ---------------------------------------------------------------------
    @staticmethod
    def _insert_device(db: sqlite3.Connection, d: Device, keep_id: bool = False) -> int:
        cur = db.execute(
            "INSERT INTO devices(id, kind, x_m, y_m, label, planned, eirp_dbm, bssids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                d.id if keep_id else None,
                DeviceKind(d.kind).value,
                d.x_m,
                d.y_m,
                _text(d.label),
                int(d.planned),
                d.eirp_dbm,
                to_json(list(d.bssids)),
            ),
        )
        return _inserted_id(cur)

    def add_device(self, device: Device) -> int:
        check_device(device)
        with self._tx() as db:
            return self._insert_device(db, device)

    def restore_device(self, device: Device) -> int:
        check_device(device)
        with self._tx() as db:
            return self._insert_device(db, device, keep_id=True)

    def update_device(self, d: Device) -> None:
        check_device(d)
        with self._tx() as db:
            db.execute(
                "UPDATE devices SET kind=?, x_m=?, y_m=?, label=?, planned=?, eirp_dbm=?, bssids=? WHERE id=?",
                (
                    DeviceKind(d.kind).value,
                    d.x_m,
                    d.y_m,
                    _text(d.label),
                    int(d.planned),
                    d.eirp_dbm,
                    to_json(list(d.bssids)),
                    d.id,
                ),
            )

    def delete_device(self, device_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM devices WHERE id = ?", (device_id,))

    # -- surveys and samples -------------------------------------------------------------
    @staticmethod
    def _refuse_taken_name(db: sqlite3.Connection, name: str, except_id: int | None = None) -> None:
        """Survey names are told apart ignoring case ("before" is "Before"), as people read them."""
        wanted = name.casefold()
        for sid, existing in db.execute("SELECT id, name FROM surveys"):
            if sid != except_id and isinstance(existing, str) and existing.casefold() == wanted:
                raise UserInputError(f"A survey named {existing!r} already exists; choose another name.")

    @staticmethod
    def _insert_survey(db: sqlite3.Connection, name: str, created_at: float, notes: str) -> int:
        return _inserted_id(
            db.execute(
                "INSERT INTO surveys(name, created_at, notes) VALUES (?, ?, ?)", (_text(name), created_at, _text(notes))
            )
        )

    def add_survey(self, name: str, notes: str = "") -> Survey:
        name = name.strip()
        if not name:
            raise UserInputError("A survey needs a name, e.g. 'Before' or 'After'.")
        created = time.time()
        with self._tx() as db:
            self._refuse_taken_name(db, name)
            sid = self._insert_survey(db, name, created, notes)
            self._record_survey_devices(db, sid)
        return Survey(name=name, created_at=created, notes=notes, id=sid)

    def _record_survey_devices(self, db: sqlite3.Connection, survey_id: int) -> None:
        """Note the devices on the plan now as the site of ``survey_id`` (survey.project.survey_devices)."""
        from survey.project.survey_devices import SURVEY_DEVICES_SETTING, recorded

        settings = self._settings(db)
        settings[SURVEY_DEVICES_SETTING] = recorded(settings, survey_id, read_devices(db))
        self._set_meta(db, "settings", settings)

    def rename_survey(self, survey_id: int, name: str) -> None:
        name = name.strip()
        if not name:
            raise UserInputError("A survey needs a name, e.g. 'Before' or 'After'.")
        with self._tx() as db:
            self._refuse_taken_name(db, name, survey_id)
            db.execute("UPDATE surveys SET name = ? WHERE id = ?", (_text(name), survey_id))

    def add_sample(self, survey_id: int, sample: Sample) -> int:
        """Write *sample* with all its scans in one transaction; durable when this returns.

        Where the file cannot be written (read-only, or deleted/moved/replaced while open)
        the sample is kept in :attr:`pending_samples` for :meth:`save_as`, and the error
        says so."""
        check_sample(sample)
        try:
            with self._tx() as db:
                first = db.execute("SELECT 1 FROM samples WHERE survey_id = ? LIMIT 1", (survey_id,)).fetchone() is None
                sample_id = self._insert_sample(db, survey_id, sample)
                if first:  # the site as it is surveyed: a node placed after the survey was added counts
                    self._record_survey_devices(db, survey_id)
                return sample_id
        except (ProjectReadOnlyError, ProjectFileLostError) as exc:
            self.pending_samples.append((survey_id, replace(sample, id=None)))
            n = len(self.pending_samples)
            raise type(exc)(
                f"{exc} This sample is kept in memory ({n} so far): File → Save As writes "
                f"{'it' if n == 1 else 'them'} with everything else."
            ) from None

    @staticmethod
    def _insert_sample(db: sqlite3.Connection, survey_id: int, sample: Sample) -> int:
        sample_id = _inserted_id(
            db.execute(
                "INSERT INTO samples(survey_id, x_m, y_m, taken_at, mode) VALUES (?, ?, ?, ?, ?)",
                (survey_id, sample.x_m, sample.y_m, sample.taken_at, SampleMode(sample.mode).value),
            )
        )
        for scan in sample.scans:
            scan_id = db.execute(
                "INSERT INTO scans(sample_id, backend, started_at, finished_at, fresh, warnings)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    sample_id,
                    scan.backend,
                    scan.started_at,
                    scan.finished_at,
                    int(scan.fresh),
                    to_json(list(scan.warnings)),
                ),
            ).lastrowid
            db.executemany(
                "INSERT INTO observations(scan_id, bssid, ssid, ssid_raw, rssi_dbm, rssi_estimated, signal_pct,"
                " freq_mhz, channel, band, auth, ciphers, wps, station_count, channel_utilization_pct,"
                " channel_width_mhz, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        scan_id,
                        o.bssid,
                        _text(o.ssid),
                        o.ssid_raw,
                        o.rssi_dbm,
                        int(o.rssi_estimated),
                        o.signal_pct,
                        o.freq_mhz,
                        o.channel,
                        o.band,
                        to_json(list(o.auth)),
                        to_json(list(o.ciphers)),
                        None if o.wps is None else int(o.wps),
                        o.station_count,
                        o.channel_utilization_pct,
                        o.channel_width_mhz,
                        o.last_seen,
                    )
                    for o in scan.observations
                ],
            )
        if sample.link is not None:
            ProjectStore._write_link(db, sample_id, sample.link)
        return sample_id

    def set_sample_link(self, sample_id: int, link: LinkTest | None) -> None:
        """Attach *link* to a stored sample, replacing any earlier one (None removes it)."""
        if link is not None:
            check_link(link)
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
            [
                (
                    sample_id,
                    _text(r.target),
                    r.address,
                    ProbeKind(r.probe).value,
                    r.port,
                    r.sent,
                    r.received,
                    r.rtt_median_ms,
                    r.rtt_p95_ms,
                    r.jitter_ms,
                    r.started_at,
                    r.duration_s,
                    to_json([_text(t) for t in r.tried]),
                )
                for r in link.results
            ],
        )
        t = link.throughput
        if t is not None:
            db.execute(
                "INSERT INTO link_throughput VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sample_id, _text(t.server), t.port, t.up_mbps, t.down_mbps, t.duration_s, t.started_at),
            )

    def set_preflight(self, report: NetcheckReport | None) -> None:
        """Keep the last network pre-flight run with the project (replacing the one before).

        A meta key, not a table: storing it needs no schema step."""
        value = None if report is None else report.to_json()
        to_json(value)  # refused before the transaction if it cannot be stored
        with self._tx() as db:
            self._set_meta(db, "preflight", value)

    def move_samples(self, positions_m: dict[int, tuple[float, float]]) -> None:
        """Set new (x_m, y_m) for samples by id, all in one transaction (e.g. a re-scaled plan)."""
        for x_m, y_m in positions_m.values():
            check_position(x_m, y_m)
        with self._tx() as db:
            db.executemany(
                "UPDATE samples SET x_m = ?, y_m = ? WHERE id = ?", [(x, y, sid) for sid, (x, y) in positions_m.items()]
            )

    def delete_sample(self, sample_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM samples WHERE id = ?", (sample_id,))

    # -- whole project -------------------------------------------------------------------
    @classmethod
    def _write_all(cls, db: sqlite3.Connection, p: Project) -> None:
        if p.floorplan is not None:
            check_floorplan(p.floorplan)
        for m in p.materials:
            check_material(m)
        for w in p.walls:
            check_wall(w)
        for d in p.devices:
            check_device(d)
        for s in p.surveys:
            for sample in s.samples:
                check_sample(sample)
        cls._set_meta(db, "site", p.site.__dict__)
        cls._set_meta(db, "units", p.units)
        cls._set_meta(db, "target", _target_json(p.target))
        cls._set_meta(db, "charger_profile_id", p.charger_profile_id)
        cls._set_meta(db, "settings", dict(p.settings))
        cls._set_meta(db, "created_by", "evsurvey")
        if p.preflight is not None:
            cls._set_meta(db, "preflight", p.preflight.to_json())
        cls._write_floorplan(db, p.floorplan)
        for m in p.materials:
            cls._write_material(db, m)
        for w in p.walls:
            cls._insert_wall(db, w)
        for d in p.devices:
            cls._insert_device(db, d)
        active = None
        for s in p.surveys:
            sid = cls._insert_survey(db, s.name, s.created_at, s.notes)
            if s.id is not None and s.id == p.active_survey_id:
                active = sid
            for sample in s.samples:
                cls._insert_sample(db, sid, sample)
        cls._set_meta(db, "active_survey_id", active)

    def load(self, *, skip_damaged: bool = False) -> Project:
        """Everything the file holds, every row and setting checked (:mod:`.validation`).

        A row or setting that is not usable is named in :attr:`load_problems`; by default
        (the CLI) the file is then refused with :class:`DamagedRowsError`; with
        *skip_damaged* (the window) those rows are left out of the returned project (and
        stay in the file untouched)."""
        try:
            result = read_project(self._db)
        except (sqlite3.DatabaseError, RecursionError, MemoryError) as exc:
            raise CorruptProjectError(f"{self.path.name} is damaged ({exc}). Restore it from a backup.") from None
        self.load_problems = result.problems
        for problem in result.problems:
            log.warning("%s: %s", self.path.name, problem)
        if result.problems and not skip_damaged:
            shown = "; ".join(result.problems[:PROBLEMS_LISTED])
            more = (
                f"; and {len(result.problems) - PROBLEMS_LISTED} more" if len(result.problems) > PROBLEMS_LISTED else ""
            )
            raise DamagedRowsError(
                f"{self.path.name} has damaged entries: {shown}{more}. The file was not changed. Open it in the "
                "evsurvey window, which leaves them out and lists them, or restore it from a backup.",
                result.problems,
            )
        return result.project


class _Busy(Exception):
    """The first checkpoint of a session could not complete (a reader in another process)."""
