"""run_gui's start-up: the window is painted first, the features (survey, analysis, compare)
come right after, their modules imported in a background thread (DESIGN.md: shown <= 2 s)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from survey.project.garage import ONE_CAR, build_garage
from survey.project.model import Project
from survey.project.store import ProjectStore
from survey.rf.materials import DEFAULT_MATERIALS
from survey.ui import main_window
from survey.ui.main_window import FEATURES, MainWindow


def _project(tmp_path):
    path = tmp_path / "g.evsurvey"
    ProjectStore.create(path, Project(materials=DEFAULT_MATERIALS, walls=build_garage(ONE_CAR))).close()
    return path


def test_features_come_after_the_window_is_shown_and_see_the_open_project(qtbot, qsettings, tmp_path, monkeypatch):
    seen = []

    def install(window):
        window.add_side_panel("Extra", QLabel("extra"))
        seen.append(("installed", window.isVisible(), len(window.session.project.walls)))
        window.session.projectChanged.connect(lambda: seen.append(("projectChanged",)))
        window.session.samplesChanged.connect(lambda: seen.append(("samplesChanged",)))

    monkeypatch.setattr(main_window, "_test_late_install", install, raising=False)
    window = MainWindow(settings=qsettings, defer_features=True,
                        features=["survey.ui.main_window:_test_late_install", "survey.ui.nope:install"])
    qtbot.addWidget(window)
    window.open_project(_project(tmp_path))
    assert not window.features_ready and seen == []
    with qtbot.waitSignal(window.featuresReady, timeout=10000):
        window.show()
    assert window.features_ready
    # Installed while shown, then told about the project opened before them.
    assert seen == [("installed", True, 6), ("samplesChanged",), ("projectChanged",)]
    assert window.side_tabs.tabText(window.side_tabs.count() - 1) == "Extra"
    assert window.feature_failures == ["survey.ui.nope"]
    assert "could not be loaded" in window.statusBar().currentMessage()
    window.install_features()  # already in: nothing twice
    assert len([s for s in seen if s[0] == "installed"]) == 1


def test_the_real_features_arrive_deferred(qtbot, qsettings, tmp_path):
    window = MainWindow(settings=qsettings, defer_features=True, scanner_name="simulated")
    qtbot.addWidget(window)
    window.open_project(_project(tmp_path))
    with qtbot.waitSignal(window.featuresReady, timeout=20000):
        window.show()
    assert window.feature_failures == []
    for name in ("site_panel", "survey", "analysis_panel", "compare_view"):
        assert hasattr(window, name), name
    assert "survey" in window.tools


def test_install_features_at_once_and_synchronous_by_default(qtbot, qsettings):
    deferred = MainWindow(settings=qsettings, defer_features=True, features=FEATURES[:1])
    qtbot.addWidget(deferred)
    assert not hasattr(deferred, "site_panel")
    deferred.install_features()
    assert deferred.features_ready and hasattr(deferred, "site_panel")
    direct = MainWindow(settings=qsettings, features=FEATURES[:1])
    qtbot.addWidget(direct)
    assert direct.features_ready and hasattr(direct, "site_panel")
