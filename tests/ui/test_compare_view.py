"""The Compare view and File -> Export PDF in the main window."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QSettings  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.report.garage import make_project  # noqa: E402

from survey.analysis.compare import compare_surveys  # noqa: E402
from survey.ui.compare_view import CompareView  # noqa: E402
from survey.ui.compose import Feature, install_features  # noqa: E402
from survey.ui.main_window import MainWindow  # noqa: E402


def _storable(project):
    # the project store cannot hold lone surrogates yet (undecodable SSID bytes)
    def obs_ok(o):
        return "\udcff" not in o.ssid

    return replace(
        project,
        surveys=tuple(
            replace(
                s,
                samples=tuple(
                    replace(
                        x,
                        id=None,
                        scans=tuple(
                            replace(sc, observations=tuple(o for o in sc.observations if obs_ok(o))) for sc in x.scans
                        ),
                    )
                    for x in s.samples
                ),
                id=None,
            )
            for s in project.surveys
        ),
    )


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    install_features(win, {Feature.COMPARE, Feature.EXPORT_PDF})
    qtbot.addWidget(win)
    win.session.create(tmp_path / "site.evsurvey", _storable(make_project()))
    win.show()
    win.compare_dock.show()  # View -> Compare surveys: the view computes only while shown
    qtbot.waitExposed(win)
    return win


def test_hidden_compare_view_waits_until_shown(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    install_features(win, {Feature.COMPARE})
    qtbot.addWidget(win)
    win.session.create(tmp_path / "site.evsurvey", _storable(make_project()))
    win.show()
    view: CompareView = win.compare_view
    assert view.before_box.count() == 0 and view.comparison is None  # nothing fitted while hidden
    with qtbot.waitSignal(view.computed, timeout=20000):
        win.compare_dock.show()
    assert view.before_box.currentText() == "Before" and view.after_box.currentText() == "After"


def test_compare_view_shows_the_analysis_numbers(window, qtbot):
    view: CompareView = window.compare_view
    project = window.session.project
    if view.comparison is None:
        with qtbot.waitSignal(view.computed, timeout=20000):
            pass
    comp = view.comparison
    before, after = project.survey_named("Before"), project.survey_named("After")
    expected = compare_surveys(project, before, after)
    assert comp.as_dict() == expected.as_dict()
    text = view.numbers.text()
    for line in expected.summary_lines():
        assert line in text
    # before and after on one grid, images the size of the grid (x, y order for pyqtgraph)
    ny, nx = comp.grid.shape
    for key in ("before", "after", "difference"):
        assert view.images[key].image.shape[:2] == (nx, ny)
    assert view.views["after"].linkedView(0) is view.views["before"]


def test_same_survey_on_both_sides_is_explained(window, qtbot):
    view = window.compare_view
    view.after_box.setCurrentIndex(view.before_box.currentIndex())
    assert view.comparison is None
    assert "two different surveys" in view.numbers.text()


def test_hostile_survey_name_stays_plain_text(window, qtbot):
    view = window.compare_view
    assert view.numbers.textFormat().name == "PlainText"


def test_export_pdf_runs_off_the_ui_thread(window, qtbot, tmp_path):
    exporter = window.pdf_export.exporter
    out = tmp_path / "gui.pdf"
    with qtbot.waitSignal(exporter.finished, timeout=60000) as blocker:
        exporter.export(window.session.project, out, paper="A4", redact_neighbors=True)
        assert exporter.busy
    assert blocker.args[0].path == out and out.stat().st_size > 10_000
    assert window.pdf_export.action in window.file_menu.actions()


def test_export_error_is_reported(window, qtbot, tmp_path, monkeypatch):
    from survey.ui import dialogs

    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: shown.append((title, message)))
    exporter = window.pdf_export.exporter
    with qtbot.waitSignal(exporter.failed, timeout=20000) as blocker:
        exporter.export(window.session.project, tmp_path / "no-such-dir" / "x.pdf")
    assert "does not exist" in blocker.args[0]
    assert not exporter.busy
    assert shown and shown[0][0] == "Export PDF"
