"""Floorplan files are read in a child process: cancellable, with a memory ceiling and a deadline.

The readers in :mod:`survey.project.floorplan_import` check sizes and budgets before they
call pdfium, ezdxf or an image decoder, but those libraries are native code that a hostile
file can still drive into a crash (pdfium aborts the process when an allocation fails) or a
long loop, and native code cannot be interrupted from a Python thread. A process can: the
GUI kills it on Cancel, the parent kills it at :data:`WORKER_TIMEOUT_S`, and on Linux the
child caps its own address space at :data:`WORKER_MEMORY_BYTES` (``RLIMIT_AS``), so a
runaway allocation fails inside the child, never in the app that holds the unsaved survey.
The CPU-time limit (``RLIMIT_CPU``) ends a child whose parent died before it could.

Processes are started with "spawn" (a fork of a process running Qt threads is unsafe);
the PyInstaller launcher calls ``multiprocessing.freeze_support()`` for the frozen app.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from survey.errors import EvSurveyError
from survey.project import floorplan_import as fi

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

log = logging.getLogger(__name__)

#: Address space of the reader process. The interpreter with numpy, pdfium, ezdxf and Qt
#: maps ~300 MB before reading anything; the largest accepted work (a 60 Mpx image decoded
#: and re-encoded, a 150 Mpx scan inside a PDF, 32 MB of page content parsed by pdfium) needs
#: well under a gigabyte more.
WORKER_MEMORY_BYTES = 2 * 1024**3
#: Wall-clock time a reader may take. The budgets keep real plans to seconds (the largest
#: accepted DXF, 100,000 objects, parses in ~16 s on a busy 2-core laptop).
WORKER_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class PdfPages:
    """The PDF has ``count`` pages: ask which one and what part of it (``previews``: a small
    PNG of each of the first pages, None where a page cannot be drawn), then run the job again
    with its index and crop."""

    count: int
    previews: tuple[bytes | None, ...] = ()


@dataclass(frozen=True)
class PlanJob:
    """Read the plan file at ``path``. ``page_index``: the PDF page (None: :class:`PdfPages`,
    so the installer sees the pages first), ``crop`` the part of it to keep.
    ``svg_rasterizer``: draws a cleaned SVG (``survey.ui`` passes its Qt renderer; it is
    pickled by name into the child)."""

    path: str
    page_index: int | None = None
    crop: fi.Crop | None = None
    svg_rasterizer: Callable | None = None

    @property
    def name(self) -> str:
        return Path(self.path).name


def run_plan_job(job: PlanJob, progress: fi.Progress = fi.no_progress):
    """What the child runs: a :class:`~survey.project.floorplan_import.PlanImage`, a
    :class:`~survey.project.floorplan_import.DxfDrawing` or :class:`PdfPages`."""
    name = job.name
    progress(f"Reading {name}…", None)
    data = fi.read_plan_file(job.path)
    kind = fi.detect_kind(name, data)
    if kind == "image":
        return fi.import_image(data, name, progress)
    if kind == "pdf":
        if job.page_index is None:
            count = fi.pdf_page_count(data, name)
            progress(f"Drawing the pages of {name}…", None)
            return PdfPages(count, fi.pdf_previews(data, name))
        return fi.import_pdf_page(data, job.page_index, name, progress, job.crop)
    if kind == "dxf":
        return fi.read_dxf(data, name, progress)
    progress(f"Checking {name}…", None)
    clean = fi.sanitize_svg(data, name)
    if job.svg_rasterizer is None:
        raise fi.FloorplanImportError(f"{name} is an SVG drawing; this part of evsurvey cannot draw SVG.")
    progress(f"Drawing {name}…", None)
    return job.svg_rasterizer(clean, name)


def _limit_resources(memory_bytes: int, cpu_s: float) -> None:
    try:
        import resource
    except ImportError:  # Windows: the budgets and the parent's deadline still apply
        return
    limits = [(resource.RLIMIT_CPU, int(cpu_s) + 1)]
    if sys.platform.startswith("linux"):  # macOS does not enforce RLIMIT_AS
        limits.append((resource.RLIMIT_AS, memory_bytes))
    for which, value in limits:
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            pass


def _child_main(job: PlanJob, conn, memory_bytes: int, cpu_s: float) -> None:
    _limit_resources(memory_bytes, cpu_s)

    def progress(text: str, fraction: float | None = None) -> None:
        conn.send(("progress", text, fraction))

    try:
        conn.send(("done", run_plan_job(job, progress)))
    except EvSurveyError as exc:
        conn.send(("error", str(exc)))
    except MemoryError:
        conn.send(("memory", ""))
    except Exception:  # reported to the parent, which logs it and shows a plain message
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


class PlanJobProcess:
    """One :class:`PlanJob` in a child process, driven by :meth:`poll` (no threads, no Qt).

    After :meth:`poll` returns True, ``result`` holds what :func:`run_plan_job` returned or
    ``error`` a :class:`~survey.project.floorplan_import.FloorplanImportError`;
    ``cancelled`` is True after :meth:`cancel`.
    """

    def __init__(self, job: PlanJob, *, timeout_s: float = WORKER_TIMEOUT_S, memory_bytes: int = WORKER_MEMORY_BYTES):
        self.job = job
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.result = None
        self.error: fi.FloorplanImportError | None = None
        self.cancelled = False
        self.finished = False
        self.progress_text = f"Reading {job.name}…"
        self.progress_fraction: float | None = None
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None  # the read end of the child's pipe
        self._started = 0.0

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self._started if self._started else 0.0

    @property
    def process(self) -> BaseProcess | None:
        """The child process, None before :meth:`start`."""
        return self._process

    def _started_child(self) -> tuple[Connection, BaseProcess]:
        if self._conn is None or self._process is None:
            raise RuntimeError(f"the reader of {self.job.name} was polled before start()")
        return self._conn, self._process

    def start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_conn = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=_child_main,
            name="evsurvey-plan-reader",
            daemon=True,
            args=(self.job, child_conn, self.memory_bytes, self.timeout_s),
        )
        self._process = process
        self._started = time.monotonic()
        process.start()
        child_conn.close()  # the child holds the only write end: EOF when it ends

    def poll(self) -> bool:
        """Take the child's messages; True once finished (result, error or cancelled)."""
        if self.finished:
            return True
        conn, process = self._started_child()
        try:
            while conn.poll():
                if self._message(conn.recv()):
                    return self._finish()
        except (EOFError, OSError):  # the child ended without a result
            return self._finish(self._died())
        if not process.is_alive() and not conn.poll():
            return self._finish(self._died())
        if self.elapsed_s > self.timeout_s:
            self._stop()
            return self._finish(
                fi.FloorplanImportError(
                    f"Reading {self.job.name} took longer than {self.timeout_s:.0f} s and was stopped. Export the plan "
                    "again with less detail (or as a PNG) and import that."
                )
            )
        return False

    def _message(self, message) -> bool:
        kind = message[0]
        if kind == "progress":
            self.progress_text, self.progress_fraction = message[1], message[2]
            return False
        if kind == "done":
            self.result = message[1]
        elif kind == "error":
            self.error = fi.FloorplanImportError(message[1])
        elif kind == "memory":
            self.error = self._memory_error()
        else:
            log.error("reading %s failed:\n%s", self.job.path, message[1])
            self.error = fi.FloorplanImportError(
                f"{self.job.name} could not be read (an internal error; details "
                "are in the log). Save the plan as a PNG and import that."
            )
        return True

    def _memory_error(self) -> fi.FloorplanImportError:
        return fi.FloorplanImportError(
            f"Reading {self.job.name} needed more than the {_size_text(self.memory_bytes)} evsurvey allows for "
            "reading a floorplan and was stopped. Export the plan again with less detail (or as a PNG) and "
            "import that."
        )

    def _died(self) -> fi.FloorplanImportError:
        _, process = self._started_child()
        process.join(5)
        code = process.exitcode
        log.warning("plan reader for %s ended with exit code %s", self.job.path, code)
        if (
            code is not None
            and code < 0
            and -code
            in (
                signal.SIGABRT,
                signal.SIGSEGV,
                getattr(signal, "SIGKILL", 9),
                getattr(signal, "SIGBUS", 7),
                getattr(signal, "SIGXCPU", 24),
            )
        ):
            return self._memory_error()
        return fi.FloorplanImportError(
            f"Reading {self.job.name} stopped unexpectedly (exit code {code}). Save the plan as a PNG and import that."
        )

    def _finish(self, error: fi.FloorplanImportError | None = None) -> bool:
        if error is not None and self.error is None and self.result is None:
            self.error = error
        self.finished = True
        self._stop()
        return True

    def _stop(self) -> None:
        process = self._process
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(5)
        if self._conn is not None:
            self._conn.close()

    def cancel(self) -> None:
        """Stop the child now; nothing it read is kept."""
        if not self.finished:
            self.cancelled = True
            self.finished = True
            self._stop()


def _size_text(n_bytes: int) -> str:
    return f"{n_bytes / 2**30:.0f} GB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.0f} MB"


def run_plan_job_in_worker(
    job: PlanJob, *, timeout_s: float = WORKER_TIMEOUT_S, memory_bytes: int = WORKER_MEMORY_BYTES, poll_s: float = 0.05
):
    """Run ``job`` in a child process and wait: its result, or its error raised."""
    worker = PlanJobProcess(job, timeout_s=timeout_s, memory_bytes=memory_bytes)
    worker.start()
    while not worker.poll():
        time.sleep(poll_s)
    if worker.error is not None:
        raise worker.error
    return worker.result
