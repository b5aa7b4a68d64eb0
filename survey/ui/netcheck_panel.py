""" "Check the internet path" in the Analysis panel: the pre-flight checks of the charger's
network (``evsurvey check``) run from the window, in a worker thread, with progress per check
and Cancel; the results are shown as pass / warn / fail with what was seen and the fix, and
kept in the project (undoable), where the network checklist and the PDF read them.

What is checked, how the installer's entries are read and the words of the progress come from
:mod:`survey.netcheck.project_checks`; this module draws the fields, the button, the progress
and the results, and hands the report to the project through the session. The charger's IP
and the extra hosts are the project settings ``evsurvey check --save`` writes.

``install(window, analysis_panel)`` (called by :mod:`survey.ui.compose`) adds the group box
at the foot of the Analysis panel.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace

import zeroconf  # noqa: F401 - see below
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from survey.errors import EvSurveyError
from survey.netcheck import project_checks as words
from survey.netcheck.project_checks import (
    IDLE_TEXT,
    NOT_RUN_TEXT,
    STATUS_WORDS,
    CheckEnvironment,
    charger_ip_address,
    domain_list_text,
    kept_domains,
    parse_domain_list,
    run_project_checks,
)
from survey.netcheck.results import NetcheckReport, Status
from survey.project.edits import set_preflight
from survey.project.model import Project
from survey.project.preflight import CHARGER_IP_SETTING, CHECK_DOMAINS_SETTING
from survey.ui.survey_worker import LatestOnlyWorker

log = logging.getLogger(__name__)

# zeroconf (the mDNS wire format) is imported with the window's features, in the background at
# start-up, rather than by the first run's mDNS probe: a module imported on a probe thread held
# the UI thread for ~100 ms (measured) while PySide's import hook read its source.

#: Row colours of the results, as the PDF's table has them (survey.report.sections).
STATUS_COLOURS = {Status.PASS: "#e7f3e9", Status.WARN: "#fff4cc", Status.FAIL: "#fbe3e1"}


@dataclass(frozen=True)
class CheckRequest:
    project: Project
    env: CheckEnvironment
    ssid: str | None
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


def check(request: CheckRequest, report) -> NetcheckReport | EvSurveyError:
    """The worker's job: the checks of the project, or why they could not run, as a value."""
    try:
        return run_project_checks(
            request.project,
            request.env,
            ssid=request.ssid,
            cancel=request.cancel,
            on_progress=lambda done, total, label: report((done, total, label)),
        )
    except EvSurveyError as exc:  # an unusable stored entry, or cancelled (then dropped unseen)
        return exc


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # host names and evidence may hold markup characters
    label.setWordWrap(True)
    return label


class NetcheckPanel(QObject):
    """The fields, the run and the results (widgets in ``box``). ``env`` says how the checks
    reach the network (tests point it at servers on loopback)."""

    #: A run ended: stored, cancelled or failed (what the installer was told).
    finished = Signal(str)

    def __init__(self, window, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.session = window.session
        self.env = CheckEnvironment()
        self.request: CheckRequest | None = None
        self._shown: NetcheckReport | None = None

        self.box = QGroupBox("Internet path")
        self.charger_ip = QLineEdit()
        self.charger_ip.setPlaceholderText("e.g. 192.168.20.15, from the router's DHCP list")
        self.charger_ip.setToolTip(
            "The charger's address on the LAN: its Modbus TCP (502) and web API (80, 443) are "
            "probed and it is looked for among the mDNS responders. Stored with this project."
        )
        self.domains = QLineEdit()
        self.domains.setPlaceholderText("host or host:port, commas between")
        self.domains.setToolTip(
            "Hosts to test besides the charger profile's (e.g. names the charger looked up, from "
            "the DNS filter's log). Stored with this project."
        )
        self.ssid = QLineEdit()
        self.ssid.setToolTip("The network this laptop is joined to, recorded with the results.")
        self.input_error = _plain_label()
        self.input_error.setStyleSheet("color: #b00020;")
        self.input_error.setVisible(False)
        form = QFormLayout()
        form.addRow("Charger's IP", self.charger_ip)
        form.addRow("Extra domains", self.domains)
        form.addRow("Laptop on SSID", self.ssid)

        self.run_button = QPushButton("Check the internet path")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = _plain_label(IDLE_TEXT)
        # Two lines kept for the progress words, so the results do not jump as they wrap.
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())
        self.summary = _plain_label(NOT_RUN_TEXT)
        self.results = QTreeWidget()
        self.results.setHeaderLabels(["Result", "Check"])
        self.results.setRootIsDecorated(False)
        self.results.setMinimumHeight(140)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a check to see what was seen and the fix.")
        self.detail.setMaximumHeight(120)

        layout = QVBoxLayout(self.box)
        layout.addLayout(form)
        layout.addWidget(self.input_error)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.results)
        layout.addWidget(self.detail)

        self.worker = LatestOnlyWorker(check, self, progress=True)
        self.worker.done.connect(self._done)
        self.worker.error.connect(lambda request, reason: self._end(request, f"The checks failed: {reason}"))
        self.worker.progress.connect(self._progressed)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.charger_ip.editingFinished.connect(self._edited)
        self.domains.editingFinished.connect(self._edited)
        self.results.currentItemChanged.connect(lambda item, _old: self._show_detail(item))
        self.session.projectChanged.connect(self._sync)
        self.session.fileChanged.connect(self._file_changed)
        self._sync()

    # -- the project's entries ----------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.request is not None

    def _sync(self) -> None:
        """Show the project's entries and stored results (after an open, an undo, a run)."""
        project = self.session.project
        is_open = self.session.is_open
        for widget in (self.charger_ip, self.domains, self.ssid):
            widget.setEnabled(is_open)
        self.run_button.setEnabled(is_open and not self.running)
        if not self.charger_ip.hasFocus():
            self.charger_ip.setText(str(project.settings.get(CHARGER_IP_SETTING) or ""))
        if not self.domains.hasFocus():
            self.domains.setText(domain_list_text(kept_domains(project.settings)))
        if not self.ssid.text() and project.target is not None:
            self.ssid.setText(project.target.ssid)
        self._show_report(project.preflight)

    def _file_changed(self) -> None:
        self.cancel()
        self.ssid.clear()
        self._say_input_problem("")
        self.status.setText(IDLE_TEXT)
        self._sync()

    def _say_input_problem(self, message: str) -> None:
        self.input_error.setText(message)
        self.input_error.setVisible(bool(message))

    def _entries(self) -> tuple[str | None, list[str]] | None:
        """The charger's IP and the extra hosts as typed, checked; None (and why shown) when not usable."""
        try:
            ip = charger_ip_address(self.charger_ip.text(), "Charger's IP")
            domains = parse_domain_list(self.domains.text(), "Extra domain")
        except EvSurveyError as exc:  # the text stays in the field to be corrected
            self._say_input_problem(str(exc))
            return None
        self._say_input_problem("")
        return ip, domains

    def _keep(self, ip: str | None, domains: list[str]) -> None:
        """Store the entries that changed as project settings (each an undo step)."""
        settings = self.session.project.settings
        try:
            if ip != (settings.get(CHARGER_IP_SETTING) or None):
                self.session.set_setting(CHARGER_IP_SETTING, ip, "Enter the charger's IP")
            if domains != kept_domains(settings):
                self.session.set_setting(CHECK_DOMAINS_SETTING, domains, "Enter extra domains")
        except EvSurveyError as exc:  # a read-only file: the entries are still used for this run
            self._say_input_problem(str(exc))

    def _edited(self) -> None:
        entries = self._entries()
        if entries is not None and self.session.is_open:
            self._keep(*entries)

    # -- running -----------------------------------------------------------------------------------
    def run(self) -> None:
        """Check with the entries as they are in the fields (stored first, like ``check --save``)."""
        if not self.session.is_open or self.running:
            return
        entries = self._entries()
        if entries is None:
            return
        ip, domains = entries
        self._keep(ip, domains)
        project = self.session.project
        settings = {**project.settings, CHARGER_IP_SETTING: ip, CHECK_DOMAINS_SETTING: domains}
        self.request = CheckRequest(replace(project, settings=settings), self.env, self.ssid.text().strip() or None)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(words.checking_text(self.env.deadline_s))
        self.worker.submit(self.request)

    def _progressed(self, request: CheckRequest, news) -> None:
        if request is not self.request:
            return
        done, total, label = news
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(words.progress_text(done, total, label))

    def cancel(self) -> None:
        """Stop the running checks; nothing of them is kept, the stored results stay."""
        request = self.request
        if request is None:
            return
        request.cancel.set()
        self.worker.discard_pending()
        self._end(request, words.cancelled_text(self.session.project.preflight is not None))

    def _done(self, request: CheckRequest, outcome: NetcheckReport | EvSurveyError) -> None:
        if request is not self.request:
            return
        if isinstance(outcome, EvSurveyError):
            self._end(request, str(outcome))
            return
        try:
            self.session.push(set_preflight(self.session.project, outcome))
        except EvSurveyError as exc:  # a read-only file: show the results, say they are not kept
            self._end(request, words.not_kept_text(str(exc)))
            self._show_report(outcome)
            return
        self._end(request, words.kept_text(outcome))

    def _end(self, request: CheckRequest, text: str) -> None:
        if request is not self.request:
            return
        self.request = None
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        self.run_button.setEnabled(self.session.is_open)
        self.status.setText(text)
        self.window.show_status(text)
        self.finished.emit(text)

    # -- results -----------------------------------------------------------------------------------
    def _show_report(self, report: NetcheckReport | None) -> None:
        if report is self._shown:
            return  # unchanged (projectChanged comes with every sample): keep the installer's selection
        self._shown = report
        self.results.clear()
        self.detail.clear()
        if report is None:
            self.summary.setText(NOT_RUN_TEXT)
            return
        self.summary.setText(words.summary_text(report))
        for result in report.results:
            # Item text is plain text: host names and what a portal answered are shown as they are.
            item = QTreeWidgetItem([STATUS_WORDS[result.status], result.title])
            item.setData(0, Qt.ItemDataRole.UserRole, result)  # no tool tip: Qt may read one as markup
            colour = STATUS_COLOURS.get(result.status)
            if colour:
                for column in (0, 1):
                    item.setBackground(column, QBrush(QColor(colour)))
            self.results.addTopLevelItem(item)
        self.results.resizeColumnToContents(0)

    def _show_detail(self, item: QTreeWidgetItem | None) -> None:
        result = None if item is None else item.data(0, Qt.ItemDataRole.UserRole)
        if result is None:
            self.detail.clear()
            return
        self.detail.setPlainText(words.result_text(result))


def install(window, analysis_panel: QWidget) -> NetcheckPanel:
    """Add "Check the internet path" at the foot of *analysis_panel*."""
    checks = NetcheckPanel(window)
    layout = analysis_panel.layout()
    if layout is None:
        raise TypeError("the analysis panel has no layout to add the network checks to")
    layout.addWidget(checks.box)
    return checks
