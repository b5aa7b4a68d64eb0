"""File -> Export PDF: the customer report of the open project, written off the UI thread.

The report itself is :func:`survey.report.build_report`'s (the same as ``evsurvey report``);
this module asks where to write it, runs it in a
:class:`~survey.ui.survey_worker.LatestOnlyWorker` and says in the status bar how it went.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from survey.errors import EvSurveyError
from survey.project.model import Project
from survey.ui.survey_worker import LatestOnlyWorker

if TYPE_CHECKING:
    from survey.report.builder import ReportResult

# survey.report is imported where it is used: it loads the analysis and scipy, which must
# not delay the window (DESIGN.md: shown <= 2 s).

log = logging.getLogger(__name__)

#: The setting that remembers "Hide neighbours' networks in the PDF".
REDACT_SETTING = "report/redact_neighbors"


def default_paper() -> str:
    """Letter where people use US paper (US/Canada measurement system), else A4."""
    return "Letter" if QLocale.system().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem else "A4"


@dataclass(frozen=True)
class ReportRequest:
    """One PDF to write: the project as it is now, where, on what paper."""

    project: Project
    path: Path
    paper: str
    redact_neighbors: bool


def write_report(request: ReportRequest) -> ReportResult | Exception:
    """The written report (worker thread), or the exception it raised: the exporter tells an
    expected error (shown as it is) from a bug (logged with its traceback), which the worker's
    one-line error reason cannot."""
    from survey.report import build_report

    try:
        return build_report(
            request.project, request.path, paper=request.paper, redact_neighbors=request.redact_neighbors
        )
    except Exception as exc:  # shown to the user on the UI thread
        return exc


class PdfExporter(QObject):
    """Runs :func:`survey.report.build_report` off the UI thread and reports the outcome."""

    finished = Signal(object)  # ReportResult
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = LatestOnlyWorker(write_report, self)
        self.worker.done.connect(self._on_done)
        self.busy = False

    def export(self, project: Project, path: str | Path, *, paper: str = "A4", redact_neighbors: bool = False) -> None:
        if self.busy:
            self.failed.emit("A report is already being written; wait for it to finish.")
            return
        self.busy = True
        self.worker.submit(ReportRequest(project, Path(path), paper, redact_neighbors))

    def _on_done(self, _request: ReportRequest, result: ReportResult | Exception) -> None:
        self.busy = False
        if isinstance(result, Exception):
            if not isinstance(result, EvSurveyError):
                log.error("report failed", exc_info=result)
            self.failed.emit(str(result) if isinstance(result, EvSurveyError) else f"The report failed: {result}")
        else:
            self.finished.emit(result)


@dataclass(frozen=True)
class PdfExport:
    """What :func:`install` adds: the exporter and its two File menu entries."""

    exporter: PdfExporter
    action: QAction  # File -> Export PDF… (Ctrl+E)
    redact_action: QAction  # File -> Hide neighbours' networks in the PDF


def install(window) -> PdfExport:
    """Add File -> Export PDF… and the redaction option above File -> Quit."""
    exporter = PdfExporter(window)
    redact = QAction("Hide neighbours' networks in the PDF", window)
    redact.setCheckable(True)
    redact.setChecked(bool(window.settings.value(REDACT_SETTING, False, type=bool)))
    redact.toggled.connect(lambda on: window.settings.setValue(REDACT_SETTING, on))

    def export_pdf() -> None:
        if not window.session.is_open:
            window.show_status("Open or create a project first.")
            return
        start = window.settings.value("report/last_dir", str(Path.home()), type=str)
        stem = window.session.path.stem if window.session.path is not None else "evsurvey-report"
        path, _ = QFileDialog.getSaveFileName(
            window, "Export PDF report", str(Path(start) / f"{stem}.pdf"), "PDF (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        window.settings.setValue("report/last_dir", str(Path(path).parent))
        window.show_status("Writing the PDF report…", 0)
        exporter.export(window.session.project, path, paper=default_paper(), redact_neighbors=redact.isChecked())

    exporter.finished.connect(lambda r: window.show_status(f"Report written to {r.path} ({r.pages} pages).", 15000))
    exporter.failed.connect(lambda message: window.show_error("Export PDF", message))
    action = QAction("Export &PDF…", window)
    action.setObjectName("export_pdf_action")
    action.setShortcut("Ctrl+E")
    action.triggered.connect(export_pdf)
    menu = window.file_menu
    menu.insertAction(window.quit_action, action)
    menu.insertAction(window.quit_action, redact)
    menu.insertSeparator(window.quit_action)
    return PdfExport(exporter, action, redact)
