"""Drop saved scanner output onto the plan where it was taken: it becomes a sample there.

A scan taken with another laptop or a phone app and saved to a text file (``iw``,
``nmcli``, ``wpa_cli``, ``netsh``, ``airport``, ``wdutil``, ``system_profiler``) is
dragged from the file manager onto the plan; the drop point is the sample's position in
the current survey. Reading, parsing and the sample are :mod:`survey.scan.saved`'s (the
same as ``evsurvey import``); this module only maps the drop to site metres and pushes
the undoable "add sample" command. Plan files (images, PDF, DXF, SVG) and projects dropped
anywhere still go to the main window (floorplan import, open).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF

from survey.errors import EvSurveyError
from survey.project.display import escape_text
from survey.scan.saved import read_saved_scan, sample_of

if TYPE_CHECKING:
    from survey.ui.survey_panel import SurveyFeature

log = logging.getLogger(__name__)

#: Names a saved scan is dropped with: text files and files without a suffix. Plans
#: (.png, .pdf, .dxf, .svg ...) and projects (.evsurvey) are left to the main window.
SCAN_SUFFIXES = ("", ".txt", ".log", ".out", ".text", ".scan")


def saved_scan_paths(mime) -> list[Path]:
    """The local files of a drag that look like saved scans (by name), or [] when any does not."""
    if not mime.hasUrls():
        return []
    paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    if not paths or any(p.suffix.lower() not in SCAN_SUFFIXES for p in paths):
        return []
    return paths


class ScanDrop(QObject):
    """The event filter on the plan view's viewport that takes saved scans dropped on it."""

    def __init__(self, window, survey: SurveyFeature):
        super().__init__(window)
        self.window = window
        self.survey = survey  # the dropped scan becomes a sample of its current survey
        viewport = window.view.viewport()
        viewport.setAcceptDrops(True)
        viewport.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        paths = saved_scan_paths(event.mimeData()) if self.window.session.is_open else []
        if not paths:
            event.ignore()  # plans and projects: the main window's drop
            return True
        event.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            self.drop(paths, event.position())
        return True

    def site_point(self, viewport_pos: QPointF) -> tuple[float, float]:
        """Site metres of a point in the plan view's viewport."""
        view = self.window.view
        site = view.viewbox.mapSceneToView(view.mapToScene(viewport_pos.toPoint()))
        return float(site.x()), float(site.y())

    def drop(self, paths: list[Path], viewport_pos: QPointF) -> int | None:
        """Store the saved scans in ``paths`` as one sample where they were dropped; the
        sample's id, or None (an unreadable file is named in a message; nothing is stored)."""
        from survey.ui.survey_commands import AddSampleCommand

        at_m = self.site_point(viewport_pos)
        try:
            saved = [read_saved_scan(p) for p in paths]
            sample = sample_of(saved, at_m)
        except EvSurveyError as exc:
            self.window.show_error("Drop saved scan", str(exc))
            return None
        feature = self.survey
        survey = feature.controller.ensure_survey()
        command = AddSampleCommand(self.window.session, survey.id, sample, "Drop saved scan")
        try:
            self.window.session.push(command)
        except Exception as exc:  # a write error (disk full, read-only file) must reach the installer
            log.exception("storing a dropped scan failed")
            self.window.show_error("Drop saved scan", f"The sample could not be saved: {exc}")
            return None
        if command.sample_id is not None:
            # Selected like a sample just scanned: its ring on the plan, its channels, Del deletes it.
            self.window.view.select("sample", command.sample_id)
        feature.channels.refresh()
        names = ", ".join(
            f"{escape_text(s.name)} ({s.parsed.format}, {len(s.parsed.observations)} networks)" for s in saved
        )
        warnings = [w for s in saved for w in s.parsed.warnings]
        note = f" Note: {escape_text(warnings[0])}" if warnings else ""
        self.window.show_status(
            f"Saved scan {names} stored as a sample at ({at_m[0]:.1f}, {at_m[1]:.1f}) m in "
            f"survey '{escape_text(survey.name)}'.{note}",
            10000,
        )
        return command.sample_id


def install(window, survey: SurveyFeature) -> ScanDrop:
    """Take saved scans dropped on the plan, as samples added through *survey*."""
    return ScanDrop(window, survey)
