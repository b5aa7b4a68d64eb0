"""Background work for the GUI: scans, heatmap fits and the analysis, never on the UI thread.

Why plain daemon ``threading.Thread`` rather than ``QThread``/``QThreadPool``: a scanner
can hang inside a driver call that no Python code can interrupt. A hung ``QThread`` can
only be waited for or terminated unsafely, and ``QThreadPool`` waits for every runnable
when the application quits, so one hung scan would freeze the exit. A daemon thread can
be abandoned: the UI stops listening to it (a job number marks its results stale) and
the process still exits. Results come back to the UI thread through Qt signals emitted
from the worker thread, which Qt delivers as queued calls on the receiver's thread.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from survey.project.model import ScanResult
from survey.scan.base import LocationPermissionDenied

log = logging.getLogger(__name__)

#: Extra time given past a scanner's own timeout before the UI gives up on it: backends
#: enforce ``timeout_s`` themselves (subprocess timeout), so this only catches a backend
#: stuck where it cannot check the clock.
WATCHDOG_GRACE_S = 2.0


def _describe_error(exc: BaseException) -> str:
    """A one-line reason for the status bar; the traceback goes to the log."""
    text = str(exc).strip() or type(exc).__name__
    first = text.splitlines()[0]
    return first if len(first) <= 300 else first[:297] + "..."


class _ScanRelay(QObject):
    """Carries a scan thread's news to the UI thread (queued: emitted from another thread)."""

    scan_started = Signal(int, int)
    scan_result = Signal(int, int, object)
    error = Signal(int, str, str)  # job, reason, settings page that fixes it ("" when none)
    finished = Signal(int)


class _FitRelay(QObject):
    done = Signal(object, object, object)
    error = Signal(object, object, str)
    progress = Signal(object, object, object)  # generation, request, news


#: Relays are never deleted: an abandoned thread may emit long after the window that
#: started it is gone, and emitting on a deleted QObject corrupts memory. Qt drops the
#: queued call when the receiving runner has been deleted. One relay per runner, so this
#: grows by two small objects per main window.
_RELAYS: list[QObject] = []


def _relay(cls):
    relay = cls()
    _RELAYS.append(relay)
    return relay


class ScanRunner(QObject):
    """Runs a scanner off the UI thread, one job at a time, with a watchdog.

    Stop-and-go: :meth:`start_point` takes ``count`` scans and emits :attr:`pointDone`
    with all of them. Continuous walk: :meth:`start_walk` scans back to back, emitting
    :attr:`walkScan` for each, until :meth:`stop_walk`. Any failure emits :attr:`failed`
    with the reason and the job ends; results of an abandoned job are dropped.
    """

    jobStarted = Signal(int, str)  # job id, what is being done
    scanProgress = Signal(int, int, int)  # job id, scans done, scans wanted (0 = open-ended)
    pointDone = Signal(int, object)  # job id, tuple[ScanResult, ...]
    walkScan = Signal(int, object)  # job id, ScanResult
    failed = Signal(int, str)  # job id, reason for the installer
    #: The OS withholds scans until a permission is granted: reason, URI of the settings page.
    settingsNeeded = Signal(str, str)
    jobEnded = Signal(int)  # job id (after done, failed, cancelled or timed out)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._job = 0
        self._active: int | None = None
        self._mode = ""
        self._wanted = 0
        self._results: list[ScanResult] = []
        self._timeout_s = 20.0
        self._scanner = None
        self._stop_walk = threading.Event()
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._on_watchdog)
        self._relay = _relay(_ScanRelay)
        self._relay.scan_started.connect(self._on_scan_started)
        self._relay.scan_result.connect(self._on_scan_result)
        self._relay.error.connect(self._on_error)
        self._relay.finished.connect(self._on_finished)

    # -- state ---------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._active is not None

    @property
    def mode(self) -> str:
        """ "point", "walk" or "" when idle."""
        return self._mode if self.busy else ""

    # -- starting ------------------------------------------------------------------------
    def start_point(self, scanner, count: int, timeout_s: float, before_scan: Callable[[], None] | None = None) -> int:
        """Take ``count`` scans (1-5) for one stop-and-go point. Returns the job id."""
        return self._start(scanner, "point", max(1, int(count)), timeout_s, before_scan)

    def start_walk(self, scanner, timeout_s: float, before_scan: Callable[[], None] | None = None) -> int:
        """Scan back to back until :meth:`stop_walk`. Returns the job id."""
        return self._start(scanner, "walk", 0, timeout_s, before_scan)

    def _start(self, scanner, mode: str, count: int, timeout_s: float, before_scan) -> int:
        if self.busy:
            raise RuntimeError("a scan is already running; cancel it first")
        self._job += 1
        job = self._job
        self._active = job
        self._mode = mode
        self._wanted = count
        self._results = []
        self._scanner = scanner
        self._timeout_s = float(timeout_s)
        self._stop_walk = stop = threading.Event()
        thread = threading.Thread(
            target=self._work,
            name=f"evsurvey-scan-{job}",
            daemon=True,
            args=(self._relay, job, scanner, count, float(timeout_s), before_scan, stop),
        )
        thread.start()
        self.jobStarted.emit(job, mode)
        return job

    # -- stopping ------------------------------------------------------------------------
    def cancel(self, reason: str = "") -> None:
        """Abandon the running job; its thread may keep running but is ignored from now on."""
        job = self._active
        if job is None:
            return
        self._stop_walk.set()
        # Backends that can be interrupted (the simulated one, subprocess-based ones) stop
        # early; for the rest the abandoned thread finishes on its own and is ignored.
        cancel = getattr(self._scanner, "cancel", None)
        if callable(cancel):
            try:
                cancel()
            except Exception:  # cancelling is best effort; the job is abandoned either way
                log.debug("scanner cancel failed", exc_info=True)
        self._end(job)
        if reason:
            self.failed.emit(job, reason)

    def stop_walk(self) -> None:
        """Ask a continuous walk to stop after the scan in progress; that scan still reports."""
        self._stop_walk.set()

    def _end(self, job: int) -> None:
        if self._active != job:
            return
        self._watchdog.stop()
        self._active = None
        self._mode = ""
        self.jobEnded.emit(job)

    # -- worker thread -------------------------------------------------------------------
    @staticmethod
    def _work(relay: _ScanRelay, job, scanner, count, timeout_s, before_scan, stop: threading.Event) -> None:
        # Static: the thread holds the relay, never the runner, which may be deleted meanwhile.
        index = 0
        try:
            while not stop.is_set() and (count == 0 or index < count):
                relay.scan_started.emit(job, index)
                if before_scan is not None:
                    before_scan()
                result = scanner.scan(timeout_s=timeout_s)
                relay.scan_result.emit(job, index, result)
                index += 1
        except Exception as exc:  # any backend failure must reach the installer, not kill the thread
            log.warning("scan job %d failed: %s\n%s", job, exc, traceback.format_exc())
            uri = exc.settings_uri if isinstance(exc, LocationPermissionDenied) else ""
            relay.error.emit(job, _describe_error(exc), uri)
            return
        relay.finished.emit(job)

    # -- UI thread -----------------------------------------------------------------------
    def _on_scan_started(self, job: int, index: int) -> None:
        if job != self._active:
            return
        self._watchdog.start(int((self._timeout_s + WATCHDOG_GRACE_S) * 1000))
        self.scanProgress.emit(job, index, self._wanted)

    def _on_scan_result(self, job: int, index: int, result: Any) -> None:
        if job != self._active:
            log.info("dropped a result of abandoned scan job %d", job)
            return
        self._watchdog.stop()
        if not isinstance(result, ScanResult):
            self._fail(
                job,
                f"the scanner returned {type(result).__name__}, not a scan result; "
                "choose another scanner in Survey settings",
            )
            return
        if self._mode == "walk":
            self.walkScan.emit(job, result)
        else:
            self._results.append(result)
            self.scanProgress.emit(job, index + 1, self._wanted)

    def _on_error(self, job: int, reason: str, settings_uri: str) -> None:
        if job == self._active:
            self._fail(job, reason)
            if settings_uri:
                self.settingsNeeded.emit(reason, settings_uri)

    def _on_finished(self, job: int) -> None:
        if job != self._active:
            return
        if self._mode == "point":
            results = tuple(self._results)
            self._end(job)
            self.pointDone.emit(job, results)
        else:
            self._end(job)

    def _on_watchdog(self) -> None:
        job = self._active
        if job is None:
            return
        self._stop_walk.set()
        self._fail(
            job,
            f"the scanner did not answer within {self._timeout_s + WATCHDOG_GRACE_S:g} s "
            "and was abandoned; retry, or choose another scanner in Survey settings",
        )

    def _fail(self, job: int, reason: str) -> None:
        self._stop_walk.set()
        self._end(job)
        self.failed.emit(job, reason)


#: What a LatestOnlyWorker's thread is handed: (generation, request), or None to stop.
_Job = tuple[int, Any] | None


def _serve(jobs: queue.SimpleQueue[_Job], relay: _FitRelay, fn: Callable[..., Any], with_progress: bool) -> None:
    """A LatestOnlyWorker's thread: run each (generation, request) and hand the result back.
    Holds the queue, the relay and the function, never the worker (which may be deleted)."""
    while True:
        job = jobs.get()
        if job is None:
            return
        generation, request = job
        try:
            started = time.perf_counter()
            if with_progress:
                result = fn(request, lambda news, g=generation, r=request: relay.progress.emit(g, r, news))
            else:
                result = fn(request)
            log.debug("background fit took %.1f ms", (time.perf_counter() - started) * 1000)
        except Exception as exc:  # a failed fit must be reported, not lost in a thread
            log.warning("background computation failed: %s\n%s", exc, traceback.format_exc())
            if not _emit(relay.error, generation, request, _describe_error(exc)):
                return
            continue
        if not _emit(relay.done, generation, request, result):
            return


def _emit(signal, *args) -> bool:
    """Hand a result to the UI thread; False when the window that asked is gone (its relay
    deleted while the job ran): nobody is left to tell, and the thread ends."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted"
        log.debug("a background result arrived after its window closed; dropped")
        return False
    return True


class LatestOnlyWorker(QObject):
    """Runs ``fn(request)`` off the UI thread; while one runs, only the newest request waits.

    For heatmap fits, the Analysis panel's recommendation and its preview map: the
    installer only cares about the result for the latest state, so intermediate requests
    are skipped rather than queued. A result that finishes while a newer request waits is
    still delivered (during a walk the map keeps updating instead of waiting for a pause);
    :meth:`discard_pending` is for when such a result would be wrong, not just old.
    """

    done = Signal(object, object)  # request, result
    error = Signal(object, str)  # request, reason
    #: With ``progress=True`` the function is called as ``fn(request, report)``; what it passes
    #: to ``report`` arrives here (request, news), on the UI thread, for the current request only.
    progress = Signal(object, object)

    def __init__(self, fn: Callable[..., Any], parent: QObject | None = None, *, progress: bool = False):
        super().__init__(parent)
        self._fn = fn
        self._with_progress = progress
        self._running = False
        self._pending: tuple[Any] | None = None
        self._generation = 0
        self._relay = _relay(_FitRelay)
        self._relay.done.connect(self._on_done)
        self._relay.error.connect(self._on_error)
        self._relay.progress.connect(self._on_progress)
        # One thread per worker, started on first use and fed through a queue: starting a
        # thread per request made the UI thread wait ~10 ms (a busy laptop) for it to run.
        self._jobs: queue.SimpleQueue[_Job] | None = None

    @property
    def running(self) -> bool:
        return self._running

    def submit(self, request: Any) -> None:
        if self._running:
            self._pending = (request,)
            return
        self._launch(request)

    def discard_pending(self) -> None:
        """Forget the waiting request and drop the result of the one running, if any.

        Call when what was asked no longer applies: another file was opened, or the caller
        wants only the next request's result. The running thread cannot be stopped; its
        result (or error) is dropped when it arrives (the generation number no longer
        matches) and the next :meth:`submit` starts right after it.
        """
        self._pending = None
        self._generation += 1

    def _launch(self, request: Any) -> None:
        self._running = True
        if self._jobs is None:
            jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
            self._jobs = jobs
            threading.Thread(
                target=_serve, args=(jobs, self._relay, self._fn, self._with_progress), name="evsurvey-fit", daemon=True
            ).start()
            # The thread ends with its worker (None is its signal to stop).
            self.destroyed.connect(lambda *_: jobs.put(None))
        self._jobs.put((self._generation, request))

    def _next(self) -> None:
        self._running = False
        if self._pending is not None:
            (request,) = self._pending
            self._pending = None
            self._launch(request)

    def _on_done(self, generation, request, result) -> None:
        current = generation == self._generation
        self._next()
        if current:
            self.done.emit(request, result)

    def _on_progress(self, generation, request, news) -> None:
        if generation == self._generation:
            self.progress.emit(request, news)

    def _on_error(self, generation, request, reason: str) -> None:
        current = generation == self._generation
        self._next()
        if current:
            self.error.emit(request, reason)
