""" "Link test at each point" in the Survey panel: after each stop-and-go sample is stored, a
short link test to the gateway runs in a worker thread and its result is attached to that
sample (undoable: undoing past the sample takes the result with it).

What is measured, for how long, and the words shown come from
:mod:`survey.netcheck.point_linktest`; this module only draws the option, the progress and the
Cancel button, and hands the result to the project through the session. The option is a
project setting (``LINK_TEST_SETTING``), so a project surveyed with link tests keeps them on.

``install(window, survey)`` (called by :mod:`survey.ui.compose` with the survey feature)
puts the group box in the Survey panel above the live map, and asks the survey
controller to hold the next sample while a test runs: a scan would take the adapter off its
channel and disturb the round trips being measured.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from survey.errors import EvSurveyError
from survey.netcheck import point_linktest as words
from survey.netcheck.linktest import LinkTestError
from survey.netcheck.point_linktest import (
    LINK_TEST_SETTING,
    PointLinkTest,
    measured,
    run_point_link_test,
    with_sample_link,
)
from survey.project.edits import Edit
from survey.project.link import LinkTest
from survey.project.model import Project, SampleMode
from survey.project.store import ProjectStore
from survey.ui.survey_worker import WATCHDOG_GRACE_S, LatestOnlyWorker

if TYPE_CHECKING:
    from survey.ui.survey_panel import SurveyFeature

log = logging.getLogger(__name__)

#: How often the progress bar and its words move while a test runs, ms.
PROGRESS_TICK_MS = 100


class SampleGone(EvSurveyError):
    """The sample a link test belongs to was undone or deleted."""


class AttachLinkCommand(Edit):
    """Attach a link test to a stored sample; undo removes it. The sample is found again by
    its survey and time, since undoing and redoing the sample writes it under a new id."""

    # The maps and the verdict read the link, but no marker, position or scan changed, so
    # the per-sample views (channel chart, BSS table) need not redraw: "project" only.
    changes = ("project",)

    def __init__(self, session, survey_id: int, sample_id: int, taken_at: float, link: LinkTest, text: str):
        self.text = text
        self._survey_id = survey_id
        self._sample_id = sample_id
        self._taken_at = taken_at
        self._link = link

    def _find(self, project: Project) -> int:
        survey = project.survey(self._survey_id)
        samples = survey.samples if survey is not None else ()
        if any(s.id == self._sample_id and s.taken_at == self._taken_at for s in samples):
            return self._sample_id
        again = next((s.id for s in samples if s.taken_at == self._taken_at), None)
        if again is None:
            raise SampleGone("The sample this link test belongs to is no longer in the survey.")
        self._sample_id = again
        return again

    def _write(self, store: ProjectStore, project: Project, link: LinkTest | None) -> Project:
        sample_id = self._find(project)
        store.set_sample_link(sample_id, link)
        return with_sample_link(project, sample_id, link)

    def apply(self, store: ProjectStore, project: Project) -> Project:
        return self._write(store, project, self._link)

    def revert(self, store: ProjectStore, project: Project) -> Project:
        return self._write(store, project, None)


@dataclass(frozen=True)
class LinkRequest:
    """One link test: where its result goes and how to stop it."""

    spec: PointLinkTest
    survey_id: int
    sample_id: int
    taken_at: float
    number: int  # the sample's number in its survey, as the installer sees it
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


def measure(request: LinkRequest) -> LinkTest | LinkTestError:
    """The worker's job: the test, or why it could not start (no gateway) as a value."""
    try:
        return run_point_link_test(request.spec, request.cancel)
    except LinkTestError as exc:
        return exc


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class LinkTestOption(QObject):
    """The option, its running test and its widgets (``box``). ``spec`` says how the test is made
    (tests point it at loopback servers)."""

    #: A test started for the sample with this number (its position in the survey, from 1).
    started = Signal(int)
    #: A test ended: its result was attached, or it measured nothing, failed or was cancelled.
    finished = Signal(str)  # what the installer was told

    def __init__(self, window, survey: SurveyFeature, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.session = window.session
        self.survey = survey
        self.controller = survey.controller
        self.spec = PointLinkTest()
        self.request: LinkRequest | None = None
        self._started = 0.0
        self.worker = self._new_worker()

        self.box = QGroupBox("Link test")
        self.enabled = QCheckBox("Link test at each point")
        self.enabled.setToolTip(
            "After each stop-and-go sample, a few seconds of round trips to the router: "
            "packet loss, latency and jitter where the charger may go. Stored with the sample."
        )
        self.note = _plain_label()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.status = _plain_label()
        # Two lines kept for the progress words, so the panel does not jump each time they wrap.
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())
        self.cancel_button = QPushButton("Cancel link test")
        self.cancel_button.setEnabled(False)
        layout = QVBoxLayout(self.box)
        layout.addWidget(self.enabled)
        layout.addWidget(self.note)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)

        self._tick = QTimer(self, interval=PROGRESS_TICK_MS)
        self._tick.timeout.connect(self._show_progress)
        self._watchdog = QTimer(self, singleShot=True)
        self._watchdog.timeout.connect(self._abandon)

        self.enabled.toggled.connect(self._toggled)
        self.cancel_button.clicked.connect(self.cancel)
        self.controller.sampleAdded.connect(self._sample_added)
        self.controller.sampling_blockers.append(self._holds_sampling)
        self.session.projectChanged.connect(self._sync)
        self.session.fileChanged.connect(self._file_changed)
        panel = survey.panel
        panel.point_mode.toggled.connect(lambda _on: self._sync())
        self._sync()

    # -- state ----------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.request is not None

    def _on(self) -> bool:
        return self.session.is_open and bool(self.session.project.settings.get(LINK_TEST_SETTING, False))

    def _sync(self) -> None:
        self.enabled.blockSignals(True)
        self.enabled.setChecked(self._on())
        self.enabled.blockSignals(False)
        self.enabled.setEnabled(self.session.is_open)
        self.note.setText(words.option_note(self.spec, self.survey.panel.walk_mode.isChecked()))

    def _toggled(self, on: bool) -> None:
        if not self.session.is_open:
            return
        try:
            self.session.set_setting(LINK_TEST_SETTING, bool(on), "Link test at each point " + ("on" if on else "off"))
        except EvSurveyError as exc:  # a read-only file: say so, show the option as it is
            self.controller.message.emit(str(exc))
            self._sync()

    def _holds_sampling(self) -> str:
        return words.wait_text(self.request.number) if self.request is not None else ""

    # -- running ----------------------------------------------------------------------------------
    def _new_worker(self) -> LatestOnlyWorker:
        worker = LatestOnlyWorker(measure, self)
        worker.done.connect(self._done)
        worker.error.connect(lambda request, reason: self._end(request, words.failed_text(request.number, reason)))
        return worker

    def _sample_added(self, sample_id: int) -> None:
        if not self._on() or self.running:
            return
        survey = self.controller.survey
        samples = survey.samples if survey is not None else ()
        number, sample = next(((n, s) for n, s in enumerate(samples, 1) if s.id == sample_id), (0, None))
        if sample is None or sample.mode is not SampleMode.POINT:
            return  # a continuous walk: the laptop moved on (WALK_NOTE)
        self.start(LinkRequest(self.spec, survey.id, sample_id, sample.taken_at, number))

    def start(self, request: LinkRequest) -> None:
        self.request = request
        self._started = time.monotonic()
        self._watchdog.start(int((request.spec.longest_s + WATCHDOG_GRACE_S) * 1000))
        self._tick.start()
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setEnabled(True)
        self._show_progress()
        self.worker.submit(request)
        self.started.emit(request.number)

    def _show_progress(self) -> None:
        request = self.request
        if request is None:
            return
        elapsed = time.monotonic() - self._started
        self.progress.setValue(min(99, int(100 * elapsed / max(request.spec.expected_s, 0.1))))
        self.status.setText(words.running_text(request.number, elapsed, request.spec))

    def cancel(self) -> None:
        """Stop the running test; its sample stays as it was stored."""
        request = self.request
        if request is None:
            return
        request.cancel.set()
        self.worker.discard_pending()  # the cancelled test's partial result is not kept
        self._end(request, words.cancelled_text(request.number))

    def _abandon(self) -> None:
        """The test did not come back by its deadline: stop listening to it (its thread may be
        stuck where it cannot be interrupted) and give the next point a worker of its own."""
        request = self.request
        if request is None:
            return
        request.cancel.set()
        log.warning("link test at sample %d abandoned after %.1f s", request.number, time.monotonic() - self._started)
        self.worker.discard_pending()
        self.worker.deleteLater()
        self.worker = self._new_worker()
        self._end(request, words.abandoned_text(request.number, time.monotonic() - self._started))

    def _done(self, request: LinkRequest, outcome: LinkTest | LinkTestError) -> None:
        if request is not self.request:
            return
        if isinstance(outcome, LinkTestError):
            self._end(request, words.failed_text(request.number, str(outcome)))
            return
        if not measured(outcome):
            self._end(request, words.result_text(request.number, outcome))
            return
        command = AttachLinkCommand(
            self.session,
            request.survey_id,
            request.sample_id,
            request.taken_at,
            outcome,
            f"Link test at sample {request.number}",
        )
        try:
            self.session.push(command)
        except SampleGone:  # undone while the test ran
            self._end(request, words.gone_text(request.number))
            return
        except EvSurveyError as exc:  # e.g. the file cannot be written any more
            self._end(request, f"Link test not saved: {exc}")
            return
        self._end(request, words.result_text(request.number, outcome))

    def _end(self, request: LinkRequest, text: str) -> None:
        if request is not self.request:
            return
        self.request = None
        self._tick.stop()
        self._watchdog.stop()
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        self.status.setText(text)
        self.controller.message.emit(text)
        self.finished.emit(text)

    def _file_changed(self) -> None:
        self.cancel()  # the test belongs to a sample of the file that was open
        self.status.setText("")
        self._sync()


def install(window, survey: SurveyFeature) -> LinkTestOption:
    """Add the option to *survey*'s panel, above the live map."""
    option = LinkTestOption(window, survey)
    layout = survey.panel.layout()
    live_map = survey.panel.layer_combo.parentWidget()
    if not isinstance(layout, QBoxLayout) or live_map is None:
        raise TypeError("the survey panel stacks its boxes in a QBoxLayout, the live map's box among them")
    at = layout.indexOf(live_map)
    layout.insertWidget(at if at >= 0 else layout.count(), option.box)
    return option
