"""Checking a project file before anything reads it as a database, and reading it without
writing a byte.

Order of the checks (each refuses with a plain message and leaves the file as it was):

1. the path: symlinks resolved with a loop check, then a regular file (a FIFO would block
   every read, a device or socket is no project);
2. the header bytes: empty, not SQLite, truncated;
3. its write-ahead log (``NAME-wal``): one left by a crash is *paired* with the database
   when its salt and checkpoint number are the ones the database recorded for the log that
   follows it (see :func:`wal_pairing`); any other log is *stale* (a log from before a
   backup was restored over the file) and is never replayed;
4. in SQLite, read-only (``immutable=1``, or a copy in memory when a log must be replayed or
   an old format migrated): ``application_id``, ``user_version``, the schema objects (no
   triggers, views or extra tables), ``quick_check``.

SQLite's WAL header and frame layout: https://www.sqlite.org/fileformat2.html#walformat
("Salt-1: random integer incremented with each checkpoint").
"""

from __future__ import annotations

import datetime as _dt
import errno
import logging
import os
import re
import shutil
import sqlite3
import stat
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from survey.project.file_errors import (
    CorruptProjectError,
    NewerVersionError,
    NotAProjectError,
    ProjectFileError,
)
from survey.project.schema import APPLICATION_ID, SCHEMA_VERSION, check_schema, migrate

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_HEADER_BYTES = 32
WAL_FRAME_HEADER_BYTES = 24
#: The ``meta`` key where a writer records which log may follow the database file.
WAL_NEXT_KEY = "wal_next"


# -- the path ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileIdentity:
    """What a file is on disk (device + inode) and its size and time, to notice it being
    deleted, moved, replaced or changed by something else while it is open."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileIdentity:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def same_file(self, other: FileIdentity) -> bool:
        return (self.dev, self.ino) == (other.dev, other.ino)


def side_path(path: Path, suffix: str) -> Path:
    """SQLite's side files: ``NAME-wal``, ``NAME-shm``."""
    return path.with_name(path.name + suffix)


def resolve_project_path(path: str | os.PathLike) -> Path:
    """The real path of a project file: symlinks followed (a loop is refused), and a regular
    file. Nothing is opened yet, so a FIFO cannot block."""
    given = Path(path)
    name = given.name or str(given)
    try:
        real = Path(os.path.realpath(given, strict=True))
        st = os.stat(real)
    except FileNotFoundError:
        if given.is_symlink():
            raise ProjectFileError(
                f"{name} is a link to a file that does not exist. Open the project file itself."
            ) from None
        raise ProjectFileError(
            f"{given} does not exist. Check the path, or create a project with File → New."
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAProjectError(
                f"{name} is a symbolic link that points back to itself (a loop), not a project "
                "file. Open the project file itself."
            ) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise ProjectFileError(
                f"{given} cannot be read (permission denied). Copy it somewhere you own and open the copy."
            ) from None
        raise ProjectFileError(f"{given} cannot be opened ({exc.strerror or exc}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise ProjectFileError(f"{name} is a folder, not an evsurvey project file.")
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "not a regular file"
        )
        raise NotAProjectError(f"{name} is {kind}, not an evsurvey project file. Open a .evsurvey file instead.")
    return real


def read_header(real: Path) -> tuple[bytes, FileIdentity]:
    """The first 100 bytes (SQLite's header) and the identity of the file they came from.
    Opened non-blocking and checked again on the open descriptor, so a file swapped for a
    FIFO after :func:`resolve_project_path` cannot block either."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(real, flags)
    except PermissionError:
        raise ProjectFileError(
            f"{real} cannot be read (permission denied). Copy it somewhere you own and open the copy."
        ) from None
    except OSError as exc:
        raise ProjectFileError(f"{real} cannot be opened ({exc.strerror or exc}).") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAProjectError(f"{real.name} is not a regular file, not an evsurvey project file.")
        return os.read(fd, 100), FileIdentity.of(st)
    finally:
        os.close(fd)


def check_header(name: str, head: bytes, size: int, *, wal_pending: bool) -> None:
    if size == 0:
        raise NotAProjectError(
            f"{name} is empty (0 bytes): it is not an evsurvey project. "
            "If it was being copied, copy it again from the original."
        )
    if not head.startswith(SQLITE_MAGIC):
        raise NotAProjectError(
            f"{name} is not an evsurvey project (it is not an SQLite database; "
            "maybe an image or a report was renamed). Open a .evsurvey file instead."
        )
    if len(head) < 100:
        raise CorruptProjectError(f"{name} is truncated ({size} bytes). Restore it from a backup or the mailed copy.")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(head[28:32], "big")
    # With a log still to replay the header's page count may be ahead of the main file.
    if page_size and page_count and size < page_size * page_count and not wal_pending:
        raise CorruptProjectError(
            f"{name} is truncated ({size} of {page_size * page_count} bytes). "
            "Restore it from a backup or the mailed copy."
        )


# -- the write-ahead log -------------------------------------------------------------------------


@dataclass(frozen=True)
class WalHeader:
    page_size: int
    checkpoint_seq: int
    salt1: int
    salt2: int


def read_wal_header(wal: Path) -> WalHeader | None:
    """The header of *wal* when it holds at least one frame of its own generation (a frame
    whose salts match the header): a log SQLite would replay. None otherwise."""
    try:
        with open(wal, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            head = fh.read(WAL_HEADER_BYTES + WAL_FRAME_HEADER_BYTES)
    except OSError:
        return None
    if len(head) < WAL_HEADER_BYTES + WAL_FRAME_HEADER_BYTES:
        return None
    magic, version, page_size, ckpt, salt1, salt2 = struct.unpack(">6I", head[:24])
    if magic not in WAL_MAGICS or version != 3007000:
        return None
    frame_salt1, frame_salt2 = struct.unpack(">2I", head[WAL_HEADER_BYTES + 8 : WAL_HEADER_BYTES + 16])
    if (frame_salt1, frame_salt2) != (salt1, salt2):
        return None
    return WalHeader(page_size, ckpt, salt1, salt2)


def next_wal(header: WalHeader) -> dict[str, int]:
    """What the log after a complete checkpoint of *header*'s log will carry: salt-1 plus one
    and the checkpoint sequence plus one (fileformat2.html, the WAL header)."""
    return {"salt1": (header.salt1 + 1) & 0xFFFFFFFF, "checkpoint": (header.checkpoint_seq + 1) & 0xFFFFFFFF}


def wal_pairing(recorded: object, header: WalHeader) -> bool:
    """Whether a log belongs to the database file beside it.

    Before each checkpoint the writer records in the database the salt-1 and checkpoint
    number of the log that will follow (:func:`next_wal`), so after the checkpoint the
    database file names its successor log. A log is paired when it is that successor, or
    the log of a checkpoint cut short by a crash (then the record may already name its
    successor). A log from before a backup was restored carries other numbers: its salts are
    random per session. *recorded* is what :func:`recorded_wal_next` read: anything but a
    dict (nothing recorded, an unreadable file) pairs with no log."""
    if not isinstance(recorded, dict):
        return False
    current = {"salt1": header.salt1, "checkpoint": header.checkpoint_seq}
    return recorded == current or recorded == next_wal(header)


def stale_wal_name(real: Path) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return real.with_name(f"{real.name}.stale-wal-{stamp}")


def set_aside_stale_wal(real: Path) -> Path:
    """Rename a stale log (and its index) so SQLite never replays it; returns the new name."""
    target = stale_wal_name(real)
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{stale_wal_name(real).name}-{n}")
    os.replace(side_path(real, "-wal"), target)
    shm = side_path(real, "-shm")
    if shm.exists():
        os.replace(shm, target.with_name(target.name + "-shm"))
    log.warning("stale log beside %s set aside as %s", real, target)
    return target


# -- SQLite connections ------------------------------------------------------------------------------


def harden(db: sqlite3.Connection) -> sqlite3.Connection:
    """Settings for every connection to a file that came from elsewhere: functions in the
    schema (views, defaults, indexes) may not run anything but innocuous built-ins, and no
    extension is loaded."""
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA trusted_schema = OFF")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA cell_size_check = ON")
    if hasattr(db, "enable_load_extension"):
        db.enable_load_extension(False)
    return db


def connect_immutable(real: Path) -> sqlite3.Connection:
    # immutable=1: no locks, no -shm/-wal created, the file only read.
    return harden(sqlite3.connect(f"{real.as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None))


def connect_read_only(real: Path) -> sqlite3.Connection:
    """Read beside a live writer (its -wal and -shm exist already)."""
    return harden(sqlite3.connect(f"{real.as_uri()}?mode=ro", uri=True, isolation_level=None))


def connect_writable(real: Path) -> sqlite3.Connection:
    return harden(sqlite3.connect(str(real), isolation_level=None))


def in_memory_copy(source: sqlite3.Connection) -> sqlite3.Connection:
    mem = harden(sqlite3.connect(":memory:", isolation_level=None))
    source.backup(mem)
    return mem


def replayed_copy(real: Path) -> sqlite3.Connection:
    """The database with its log replayed, in memory: both copied to a temporary folder
    and opened there, so the project's own files are not written."""
    with tempfile.TemporaryDirectory(prefix="evsurvey-replay-") as tmp:
        copy = Path(tmp) / "replay.evsurvey"
        shutil.copyfile(real, copy)
        shutil.copyfile(side_path(real, "-wal"), side_path(copy, "-wal"))
        source = connect_writable(copy)
        try:
            return in_memory_copy(source)
        finally:
            source.close()


#: :func:`recorded_wal_next` when the database file alone cannot be read (not when it has no record).
UNREADABLE = "unreadable"


def recorded_wal_next(real: Path) -> dict | str | None:
    """What the database file alone (its log ignored) records about the next log: a dict,
    None when nothing is recorded (a file of an older evsurvey), :data:`UNREADABLE` when the
    file alone cannot be read (as after a crash in the middle of a checkpoint)."""
    import json

    try:
        db = connect_immutable(real)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (WAL_NEXT_KEY,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return UNREADABLE
    if row is None or type(row[0]) is not str:
        return None
    try:
        return json.loads(row[0])
    except (ValueError, RecursionError):
        return None


_ROW_FINDING = re.compile(r"NULL value in \w+\.\w+|CHECK constraint failed in \w+")


def validate(db: sqlite3.Connection, name: str) -> int:
    """application_id, user_version, schema objects and quick_check of an open connection;
    returns the format version."""
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise NotAProjectError(
                f"{name} is an SQLite database but not an evsurvey project. Open a .evsurvey file instead."
            )
        if version > SCHEMA_VERSION:
            raise NewerVersionError(
                f"{name} was written by a newer evsurvey (file format {version}, this version reads up to "
                f"{SCHEMA_VERSION}). Update evsurvey to open it; the file was not changed."
            )
        if version < 0:
            raise CorruptProjectError(f"{name} is damaged (format {version}). Restore it from a backup.")
        check_schema(db, name, version)
        # Row-level findings (a NULL or a failed CHECK in one row) are left to the row checks
        # on load, which skip that row and say so; anything else is damage to the file.
        damage = [
            row[0]
            for row in db.execute("PRAGMA quick_check(100)")
            if row[0] != "ok" and not _ROW_FINDING.fullmatch(str(row[0]))
        ]
        if damage:
            raise CorruptProjectError(f"{name} is damaged ({damage[0]}). Restore it from a backup or the mailed copy.")
        return version
    except sqlite3.DatabaseError as exc:
        raise CorruptProjectError(f"{name} is damaged ({exc}). Restore it from a backup or the mailed copy.") from None


def migrated_copy(db: sqlite3.Connection, version: int, name: str) -> sqlite3.Connection:
    """An old-format file brought to the current format in memory (the file itself is only
    migrated when the installer first changes something); refused if a step fails."""
    mem = in_memory_copy(db)
    try:
        migrate(mem, version)
        validate(mem, name)
    except (sqlite3.DatabaseError, ProjectFileError) as exc:
        mem.close()
        raise CorruptProjectError(
            f"{name} (file format {version}) cannot be brought to format {SCHEMA_VERSION} "
            f"({exc}); the file was not changed. Restore it from a backup."
        ) from None
    return mem


# -- everything together ---------------------------------------------------------------------------------


@dataclass
class CheckedFile:
    """A validated project file and a connection that reads what it holds (never writes it).

    ``wal``: ``"none"``, ``"live"`` (another writer's), ``"paired"`` (a crash's, replayed in
    the reader) or ``"stale"`` (ignored; *set aside* when opened for writing).
    ``wal_identity``: the log as it was when checked (to see it untouched before writing).
    """

    path: Path
    identity: FileIdentity
    reader: sqlite3.Connection
    version: int
    wal: str
    wal_identity: FileIdentity | None
    reader_on_file: bool  # an immutable connection on the file itself, not a copy in memory
    notices: tuple[str, ...] = ()


def open_checked(path: str | os.PathLike, *, live_writer: tuple[int, int] | None | bool, snapshot: bool) -> CheckedFile:
    """Validate a project file and return a connection that reads it.

    *live_writer*: the (device, inode) of the file another window or process has open for
    writing under this name (True when it does not say), or None: then a log beside the file
    is that writer's, live, not a crash's — if it is the file now at the name. A log of a
    writer whose file was replaced under it is ignored like a stale one.
    *snapshot*: the reader is an in-memory copy (a read-only store outlives changes to the
    file); otherwise it may be an ``immutable`` connection on the file itself.
    """
    real = resolve_project_path(path)
    name = real.name
    head, identity = read_header(real)
    wal = side_path(real, "-wal")
    writer_has_this_file = live_writer is True or live_writer == (identity.dev, identity.ino)
    live = bool(live_writer) and writer_has_this_file and wal.exists() and wal.stat().st_size > 0
    header = None if live_writer else read_wal_header(wal)
    check_header(name, head, identity.size, wal_pending=live or header is not None)
    wal_state = "live" if live else "none"
    notices: list[str] = []
    try:
        if header is not None:
            recorded = recorded_wal_next(real)
            wal_state = "paired" if recorded == UNREADABLE or wal_pairing(recorded, header) else "stale"
        elif live_writer and not writer_has_this_file and wal.exists():
            wal_state = "stale"  # the live writer's log, of the file that was at this name before
        if wal_state == "paired":
            # An unreadable file alone with a log beside it: only the replay can tell (a crash
            # in the middle of a checkpoint leaves exactly that); it is validated like any file.
            reader = replayed_copy(real)
        elif wal_state == "live":
            source = connect_read_only(real)
            try:
                reader = in_memory_copy(source)
            finally:
                source.close()
        else:
            reader = connect_immutable(real)
    except sqlite3.Error as exc:
        raise CorruptProjectError(f"{name} cannot be opened ({exc}). Restore it from a backup.") from None
    except OSError as exc:
        raise ProjectFileError(f"{name} cannot be read ({exc.strerror or exc}).") from None
    try:
        version = validate(reader, name)
        if version < SCHEMA_VERSION:
            migrated = migrated_copy(reader, version, name)
            reader.close()
            reader = migrated
        elif snapshot and wal_state in ("none", "stale"):
            copy = in_memory_copy(reader)
            reader.close()
            reader = copy
    except BaseException:
        reader.close()
        raise
    if wal_state == "stale":
        notices.append(
            f"{wal.name} beside {name} is left over from another copy of the file (e.g. a backup "
            "restored over it after a crash); it was not replayed into the project."
        )
    wal_identity = None
    if wal_state != "none":
        try:
            wal_identity = FileIdentity.of(os.stat(wal))
        except OSError:
            wal_identity = None
    on_file = wal_state in ("none", "stale") and version == SCHEMA_VERSION and not snapshot
    return CheckedFile(real, identity, reader, version, wal_state, wal_identity, on_file, tuple(notices))
