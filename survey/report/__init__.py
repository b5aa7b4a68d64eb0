"""Project -> PDF report (reportlab; Qt-free). Entry point: :func:`build_report`.

:mod:`survey.report.colormap` is the one RSSI colour map of the app; the GUI imports it too.
"""

from __future__ import annotations


def build_report(project, out_path, *, paper: str = "A4", redact_neighbors: bool = False, **kwargs):
    """Write the PDF report; see :func:`survey.report.builder.build_report`."""
    from survey.report.builder import build_report as _build  # reportlab loads only when a report is made

    return _build(project, out_path, paper=paper, redact_neighbors=redact_neighbors, **kwargs)
