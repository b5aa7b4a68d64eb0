"""One writer per project file: an OS lock on a small lock file beside it.

``.NAME.lock`` holds the holder's host, pid and start time (after a first byte that the
lock covers), so a second window or process can say who has the file open. The lock is
the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows): it ends when
the holder's process ends, so a crash never leaves the file locked, and a stale lock file
is simply taken over.

Not the ``filelock`` package: its acquire opens the lock file with ``O_TRUNC`` on every
attempt, so a refused second opener would wipe the holder's host and pid that this
module exists to show.

Checking who holds a lock (:func:`lock_holder`) never creates anything: a read-only open
leaves no side files.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import logging
import os
import socket
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from survey.project.file_errors import ProjectLockedError, ProjectReadOnlyError

log = logging.getLogger(__name__)

# sys.platform (not os.name) so that mypy checks only the branch of the platform it runs for.
if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int, exclusive: bool) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK if exclusive else msvcrt.LK_NBRLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


#: A refused exclusive lock is tried again for this long: a reader's :func:`lock_holder`
#: check holds a shared lock for a few microseconds and must not look like a writer.
RETRY_S = 0.3

_OPEN_FLAGS = os.O_CLOEXEC if hasattr(os, "O_CLOEXEC") else 0
_OPEN_FLAGS |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def lock_path(project_path: Path) -> Path:
    return project_path.with_name(f".{project_path.name}.lock")


@dataclass(frozen=True)
class LockHolder:
    """Who writes to a project file (as far as its lock file tells), and which file it has
    open: (device, inode), so a reader can tell whether the log beside a name belongs to
    the file now there (the file may have been replaced while the holder had it open)."""

    host: str
    pid: int
    since: str  # local date and time, "YYYY-MM-DD HH:MM"
    file_id: tuple[int, int] | None = None

    def describe(self) -> str:
        if not self.host and not self.pid:
            return "another evsurvey window or process"
        here = "this computer" if self.host == socket.gethostname() else self.host
        return f"another evsurvey window or process (pid {self.pid} on {here}, since {self.since})"


def _read_holder(fd: int) -> LockHolder:
    try:
        os.lseek(fd, 1, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode("utf-8"))
        file_id = info.get("file")
        return LockHolder(
            str(info.get("host", "")),
            int(info.get("pid", 0)),
            str(info.get("since", "")),
            (int(file_id[0]), int(file_id[1])) if isinstance(file_id, list) and len(file_id) == 2 else None,
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return LockHolder("", 0, "")


def lock_holder(project_path: Path) -> LockHolder | None:
    """Who holds the write lock of *project_path* now; None when nobody does. Creates nothing."""
    path = lock_path(project_path)
    try:
        fd = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    except OSError:
        return None  # no lock file (or not one we can open): nobody holds it
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        if _try_lock(fd, exclusive=False):
            _unlock(fd)
            return None
        return _read_holder(fd)
    finally:
        os.close(fd)


class WriterLock:
    """The held write lock of one project file; :meth:`release` (or process exit) ends it."""

    def __init__(self, project_path: Path, fd: int, path: Path):
        self.project_path = project_path
        self._fd: int | None = fd
        self._path = path
        self._file_id: tuple[int, int] | None = None

    @classmethod
    def acquire(cls, project_path: Path) -> WriterLock:
        """Lock *project_path* for writing. Raises :class:`ProjectLockedError` when another
        window or process holds it, :class:`ProjectReadOnlyError` when no lock file can be
        made there (a read-only folder or medium)."""
        path = lock_path(project_path)
        deadline = time.monotonic() + RETRY_S
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | _OPEN_FLAGS, 0o644)
            except OSError as exc:
                if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise ProjectReadOnlyError(
                        f"read-only: {project_path.name} is in a folder or on a medium that cannot be written. "
                        "File → Save As to keep working."
                    ) from None
                raise ProjectReadOnlyError(
                    f"read-only: {project_path.name} cannot be locked for writing ({exc.strerror or exc}). "
                    "File → Save As to keep working."
                ) from None
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise ProjectReadOnlyError(
                        f"read-only: {path.name} beside {project_path.name} is not a lock "
                        "file evsurvey can use. File → Save As to keep working."
                    )
                if _try_lock(fd, exclusive=True):
                    # The lock file may have been removed by a holder releasing it between
                    # our open and our lock: then the lock is on a file nobody else sees.
                    try:
                        same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
                    except FileNotFoundError:
                        same = False
                    if same:
                        lock = cls(project_path, fd, path)
                        lock._write_holder()
                        return lock
                    _unlock(fd)
                    os.close(fd)
                    continue
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    raise ProjectLockedError(
                        f"read-only: {project_path.name} is open for editing in {holder.describe()}. "
                        "File → Save As to keep working on a copy, or close it there and open it again."
                    )
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            time.sleep(0.05)

    def record_file(self, dev: int, ino: int) -> None:
        """Note which file (device, inode) the holder has open under the locked name."""
        self._file_id = (dev, ino)
        self._write_holder()

    def _write_holder(self) -> None:
        info = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "file": self._file_id,
        }
        fd = self._fd
        if fd is None:
            raise RuntimeError(f"the write lock of {self.project_path.name} was released; it has no holder to note")
        try:
            os.ftruncate(fd, 1)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, b"\n" + json.dumps(info).encode())
        except OSError:  # the lock holds without the note; only the message gets vaguer
            log.warning("could not write %s", self._path, exc_info=True)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            # Removed while still held, so nobody can lock the old file after we let go.
            if os.path.samestat(os.fstat(fd), os.stat(self._path, follow_symlinks=False)):
                self._path.unlink()
        except OSError:
            pass
        try:
            _unlock(fd)
        finally:
            os.close(fd)
