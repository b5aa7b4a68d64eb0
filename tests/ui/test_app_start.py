"""Starting the GUI: the pre-Qt platform check and run_gui on a project file."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from survey.project.garage import ONE_CAR, build_garage
from survey.project.model import Project
from survey.project.store import ProjectStore
from survey.rf.materials import DEFAULT_MATERIALS
from survey.ui import app as app_module
from survey.ui.platform_check import XCB_LIBRARIES, check_platform


def test_missing_xcb_cursor_gives_the_apt_line():
    report = check_platform({"DISPLAY": ":0"}, "linux", loadable=lambda stem: stem != "xcb-cursor")
    assert not report.ok
    assert report.missing_packages == ("libxcb-cursor0",)
    assert "sudo apt install libxcb-cursor0" in report.message


def test_all_libraries_present_or_other_platforms():
    assert check_platform({"DISPLAY": ":0"}, "linux", loadable=lambda stem: True).ok
    assert check_platform({}, "win32", loadable=lambda stem: False).ok
    assert check_platform({"QT_QPA_PLATFORM": "offscreen"}, "linux", loadable=lambda stem: False).ok
    everything_missing = check_platform({"QT_QPA_PLATFORM": "xcb"}, "linux", loadable=lambda stem: False)
    assert set(everything_missing.missing_packages) == set(XCB_LIBRARIES.values())


def test_no_display_explained():
    report = check_platform({}, "linux", loadable=lambda stem: True)
    assert not report.ok and "No display" in report.message


def test_run_gui_refuses_before_qt_when_libraries_are_missing(monkeypatch, capsys):
    monkeypatch.setattr(
        app_module,
        "check_platform",
        lambda: check_platform({"DISPLAY": ":0"}, "linux", loadable=lambda s: s != "xcb-icccm"),
    )
    assert app_module.run_gui() == 1
    assert "sudo apt install libxcb-icccm4" in capsys.readouterr().err


def test_run_gui_opens_the_project_and_exits_cleanly(qapp, tmp_path):
    path = tmp_path / "g.evsurvey"
    ProjectStore.create(path, Project(materials=DEFAULT_MATERIALS, walls=build_garage(ONE_CAR))).close()
    seen = {}

    def close_when_shown():
        window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "evsurvey_main_window")
        seen["walls"] = len(window.session.project.walls)
        seen["title"] = window.windowTitle()
        window.close()

    QTimer.singleShot(300, close_when_shown)
    assert app_module.run_gui(path) == 0
    assert seen == {"walls": 6, "title": "g.evsurvey — evsurvey"}


def test_gui_on_a_missing_project_file_shows_the_window_and_says_so(qapp, tmp_path, message_boxes, monkeypatch):
    """`evsurvey-gui missing.evsurvey` (a double-clicked file that was moved): the window
    opens on its welcome page with a plain message, never a silent exit."""
    import sys

    from survey.cli import gui_main

    missing = tmp_path / "moved away.evsurvey"
    seen = {}

    def look_and_close():
        # The main window run_gui just showed (windows of earlier tests may linger, closed).
        window = next(
            w for w in QApplication.topLevelWidgets() if w.objectName() == "evsurvey_main_window" and w.isVisible()
        )
        seen["visible"] = window.isVisible()
        seen["welcome"] = window.centre.currentWidget() is window.welcome
        seen["status"] = window.statusBar().currentMessage()
        window.close()

    QTimer.singleShot(600, look_and_close)
    monkeypatch.setattr(sys, "argv", ["evsurvey-gui", str(missing)])
    assert gui_main() == 0
    assert seen["visible"] and seen["welcome"]
    assert "moved away.evsurvey does not exist" in seen["status"]
    ((title, text),) = message_boxes
    assert title == "Open project" and "File → Open" in text and "Traceback" not in text


def test_unexpected_error_is_shown_plainly_and_logged(window, message_boxes, monkeypatch, caplog):
    import sys

    from survey.ui.app import install_error_handler

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_error_handler(window)
    try:
        raise RuntimeError("<b>boom</b>")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    ((title, text),) = message_boxes
    assert title == "Unexpected error"
    assert "<b>boom</b>" in text and "already in the project file" in text
    assert "unexpected error" in caplog.text


def test_evsurvey_demo_opens_the_demo_ready_to_survey_with_every_panel(qapp, monkeypatch, _isolated_user_dirs):
    """`evsurvey demo`: the demo project, surveyed with the simulated scanner, the panels
    composed after the first paint, and "Try the demo garage" on the welcome page after
    File -> Close (the window got the demo from the command line, not by importing it)."""
    from PySide6.QtWidgets import QPushButton

    from survey.cli import main

    monkeypatch.setenv("DISPLAY", ":0")  # the demo opens a window only where there is a display
    seen = {}

    def look_and_close():
        window = next(
            w for w in QApplication.topLevelWidgets() if w.objectName() == "evsurvey_main_window" and w.isVisible()
        )
        if not window.features_ready:
            QTimer.singleShot(100, look_and_close)
            return
        seen["file"] = window.session.path.name
        seen["scanner"] = window.survey.controller.scanner_name
        seen["survey tool"] = window.active_tool.name
        seen["tabs"] = [window.side_tabs.tabText(i) for i in range(window.side_tabs.count())]
        seen["failures"] = list(window.feature_failures)
        window.close_project()
        seen["demo button"] = window.welcome.findChild(QPushButton, "welcome_demo") is not None
        window.close()

    QTimer.singleShot(300, look_and_close)
    assert main(["demo"]) == 0
    assert seen == {
        "file": "demo.evsurvey",
        "scanner": "simulated",
        "survey tool": "survey",
        "tabs": ["Site", "Survey", "Channels", "Analysis"],
        "failures": [],
        "demo button": True,
    }
