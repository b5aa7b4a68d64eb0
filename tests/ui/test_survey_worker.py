"""LatestOnlyWorker: newest request wins, results reach the UI thread, discarded ones never do."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("pytestqt")
from survey.ui.survey_worker import LatestOnlyWorker  # noqa: E402


class Gate:
    """A function for the worker whose calls block until released, recording their requests."""

    def __init__(self):
        self.started: list[int] = []
        self.release = threading.Event()

    def __call__(self, request: int) -> int:
        self.started.append(request)
        if not self.release.wait(5.0):
            raise TimeoutError("the test never released the worker")
        if request < 0:
            raise ValueError("negative request")
        return request * 10


def collect(worker: LatestOnlyWorker) -> tuple[list, list]:
    done: list = []
    errors: list = []
    worker.done.connect(lambda request, result: done.append((request, result)))
    worker.error.connect(lambda request, reason: errors.append((request, reason)))
    return done, errors


def test_only_the_newest_waiting_request_runs(qtbot):
    gate = Gate()
    worker = LatestOnlyWorker(gate)
    done, _errors = collect(worker)
    worker.submit(1)
    qtbot.waitUntil(lambda: gate.started == [1])
    worker.submit(2)
    worker.submit(3)  # replaces 2, which never runs
    gate.release.set()
    qtbot.waitUntil(lambda: len(done) == 2 and not worker.running, timeout=5000)
    assert gate.started == [1, 3]
    assert done == [(1, 10), (3, 30)]


def test_discarded_results_and_errors_are_dropped(qtbot):
    gate = Gate()
    worker = LatestOnlyWorker(gate)
    done, errors = collect(worker)
    worker.submit(-1)  # would fail
    qtbot.waitUntil(lambda: gate.started == [-1])
    worker.submit(2)
    worker.discard_pending()  # e.g. the file was closed: neither applies any more
    worker.submit(4)
    gate.release.set()
    qtbot.waitUntil(lambda: done == [(4, 40)] and not worker.running, timeout=5000)
    assert gate.started == [-1, 4]
    assert errors == []


def test_errors_reach_the_ui_thread_as_a_reason(qtbot):
    gate = Gate()
    gate.release.set()
    worker = LatestOnlyWorker(gate)
    done, errors = collect(worker)
    worker.submit(-2)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors == [(-2, "negative request")] and done == []
