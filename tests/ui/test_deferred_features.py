"""run_gui's start-up: the window is painted first, the features (survey, analysis, compare)
come right after, their modules imported in a background thread (DESIGN.md: shown <= 2 s)."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QLabel

from survey.project.garage import ONE_CAR, build_garage
from survey.project.model import Project
from survey.project.store import ProjectStore
from survey.rf.materials import DEFAULT_MATERIALS
from survey.ui import app
from survey.ui.compose import Feature, install_features
from survey.ui.main_window import MainWindow


def _project(tmp_path):
    path = tmp_path / "g.evsurvey"
    ProjectStore.create(path, Project(materials=DEFAULT_MATERIALS, walls=build_garage(ONE_CAR))).close()
    return path


def test_features_come_after_the_window_is_shown_and_see_the_open_project(qtbot, qsettings, tmp_path):
    seen = []

    def load():
        seen.append(("loaded", threading.current_thread() is threading.main_thread()))
        return install

    def install(window):
        window.add_side_panel("Extra", QLabel("extra"))
        seen.append(("installed", window.isVisible(), len(window.session.project.walls)))
        window.session.projectChanged.connect(lambda: seen.append(("projectChanged",)))
        window.session.samplesChanged.connect(lambda: seen.append(("samplesChanged",)))

    window = MainWindow(settings=qsettings)
    window.install_after_shown(load)
    qtbot.addWidget(window)
    window.open_project(_project(tmp_path))
    assert not window.features_ready and seen == []
    with qtbot.waitSignal(window.featuresReady, timeout=10000):
        window.show()
    assert window.features_ready
    # Loaded off the UI thread, installed while shown, then told about the project opened before them.
    assert seen == [("loaded", False), ("installed", True, 6), ("samplesChanged",), ("projectChanged",)]
    assert window.side_tabs.tabText(window.side_tabs.count() - 1) == "Extra"
    window.install_features()  # already in: nothing twice
    assert len([s for s in seen if s[0] == "installed"]) == 1


def test_features_that_cannot_be_loaded_are_reported(qtbot, qsettings):
    def load():
        raise ImportError("No module named 'survey.ui.nope'")

    window = MainWindow(settings=qsettings)
    window.install_after_shown(load)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.featuresReady, timeout=10000):
        window.show()
    assert window.feature_failures == ["survey.ui.compose"]
    assert "could not be loaded" in window.statusBar().currentMessage()
    assert "select" in window.tools and window.survey is None


def test_the_real_features_arrive_deferred(qtbot, qsettings, tmp_path):
    window = MainWindow(settings=qsettings, scanner_name="simulated")
    window.install_after_shown(app._load_features)
    qtbot.addWidget(window)
    window.open_project(_project(tmp_path))
    with qtbot.waitSignal(window.featuresReady, timeout=20000):
        window.show()
    assert window.feature_failures == []
    for feature in (
        window.site_panel,
        window.survey,
        window.analysis_panel,
        window.compare_view,
        window.pdf_export,
        window.scan_drop,
        window.linktest,
        window.netcheck,
        window.guide_action,
    ):
        assert feature is not None
    assert "survey" in window.tools


def test_install_features_at_once(qtbot, qsettings):
    deferred = MainWindow(settings=qsettings)
    deferred.install_after_shown(lambda: lambda window: install_features(window, {Feature.SITE}))
    qtbot.addWidget(deferred)
    assert deferred.site_panel is None and not deferred.features_ready
    deferred.install_features()
    assert deferred.features_ready and deferred.site_panel is not None
    direct = MainWindow(settings=qsettings)
    qtbot.addWidget(direct)
    assert direct.features_ready and direct.site_panel is None
