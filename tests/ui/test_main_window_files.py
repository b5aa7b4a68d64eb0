"""File handling of the main window (new, open, save as, close, recent files, site details)
and its hooks for other panels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from survey.project.model import Site, Wall
from survey.project.profiles import load_profiles
from survey.project.store import ProjectStore
from survey.ui import dialogs, main_window
from survey.ui.site_tools import SiteTool
from ui_driver import press_key, site_point


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: shown.append((title, message)))
    return shown


def test_new_project_dialog_builds_values(qtbot):
    dialog = dialogs.NewProjectDialog(None, load_profiles())
    qtbot.addWidget(dialog)
    assert dialog.charger.currentData() == "generic_iot"
    assert dialog.charger.count() >= 4  # the shipped charger profiles
    dialog.customer.setText("  Ada  ")
    dialog.address.setText("1 Analytical St")
    dialog.units.setCurrentIndex(dialog.units.findData("ft"))
    values = dialog.values()
    assert values.site.customer == "Ada" and values.units == "ft" and values.site.survey_date


def test_no_project_open_state(window):
    assert not window.session.is_open
    assert not window.tool_actions["wall"].isEnabled()
    assert not window.save_as_action.isEnabled()
    assert window.windowTitle() == "evsurvey"


def test_open_refuses_a_file_that_is_not_a_project(window, tmp_path, errors, monkeypatch):
    bogus = tmp_path / "notes.evsurvey"
    bogus.write_text("not sqlite")
    monkeypatch.setattr(dialogs, "ask_open_project", lambda *a, **k: str(bogus))
    window.open_action.trigger()
    assert not window.session.is_open
    assert errors and errors[0][0] == "Open project"
    assert str(bogus.resolve()) not in window.recent_files()


def test_save_as_moves_the_work_to_the_copy(window, new_project, tmp_path, monkeypatch):
    window.session.add_wall(Wall(0, 0, 3, 0, "brick"))
    copy = tmp_path / "copy.evsurvey"
    monkeypatch.setattr(dialogs, "ask_save_project_path", lambda *a, **k: str(copy))
    window.save_as_action.trigger()
    assert window.session.path == copy
    window.session.add_wall(Wall(3, 0, 3, 3, "brick"))
    with ProjectStore.open(copy, read_only=True) as store:
        assert len(store.load().walls) == 2
    with ProjectStore.open(new_project, read_only=True) as store:
        assert len(store.load().walls) == 1
    assert window.recent_files()[0] == str(copy.resolve())


def test_close_project(window, new_project, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not window.session.is_open
    assert window.session.project.walls == ()
    assert not window.tool_actions["wall"].isEnabled()


def test_site_details_edit_is_undoable(window, new_project, qtbot, monkeypatch):
    project = window.session.project
    monkeypatch.setattr(dialogs, "ask_site_details", lambda *a, **k: dialogs.NewProjectValues(
        Site(customer="Charles Babbage", survey_date=project.site.survey_date), "ft", "wallbox_pulsar_plus"))
    window.site_actions.details_action.trigger()
    project = window.session.project
    assert (project.site.customer, project.units, project.charger_profile_id) == (
        "Charles Babbage", "ft", "wallbox_pulsar_plus")
    assert window.view.scale_bar.text.toPlainText().endswith("ft")
    assert "Charles Babbage" in window.windowTitle()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.site.customer == "Ada Lovelace"
    assert window.session.project.units == "m"


def test_wall_tool_previews_the_rubber_band(window, new_project, qtbot):
    press_key(qtbot, window, Qt.Key.Key_W)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=site_point(window, 1.0, 1.0))
    QTest.mouseMove(window.view.viewport(), site_point(window, 4.0, 1.1))
    qtbot.waitUntil(lambda: window.view.preview_line.xData is not None and len(window.view.preview_line.xData) == 2,
                    timeout=2000)
    ys = window.view.preview_line.yData
    assert ys[0] == pytest.approx(ys[1])  # already snapped to 0°
    assert "Wall length" in window.statusBar().currentMessage()


def test_every_tool_has_a_one_key_shortcut(window):
    for name, action in window.tool_actions.items():
        assert len(action.shortcut().toString()) == 1, name


def test_features_are_installed_and_a_broken_one_is_reported(make_window, monkeypatch):
    calls = []

    class PingTool(SiteTool):
        name = "ping"

    def install(window):
        calls.append(window)
        window.add_side_panel("Extra", QLabel("extra"))
        window.add_tool(PingTool(window), "Ping", "Q")

    monkeypatch.setattr(main_window, "_test_feature_install", install, raising=False)
    window = make_window(features=["survey.ui.main_window:_test_feature_install", "survey.ui.nope:install"])
    assert calls == [window]
    assert window.side_tabs.tabText(window.side_tabs.count() - 1) == "Extra"
    assert "ping" in window.tools
    assert "could not be loaded" in window.statusBar().currentMessage()


def test_welcome_page_without_a_project_then_the_plan(window, new_project, qtbot):
    assert window.centre.currentWidget() is window.view
    window.close_project()
    assert window.centre.currentWidget() is window.welcome
    recent = window.welcome.recent
    assert recent.count() >= 1 and recent.item(0).data(Qt.ItemDataRole.UserRole) == str(new_project)


def test_demo_from_the_welcome_page_surveys_with_the_simulated_scanner(window, qtbot):
    from PySide6.QtWidgets import QPushButton

    assert window.centre.currentWidget() is window.welcome
    qtbot.mouseClick(window.welcome.findChild(QPushButton, "welcome_demo"), Qt.MouseButton.LeftButton)
    assert window.session.is_open and window.centre.currentWidget() is window.view
    assert window.session.project.charger is not None and len(window.session.project.walls) > 10
    assert window.survey.controller.scanner_name == "simulated"
    assert "Simulated scanner" in window.survey.panel.scanner_label.text()


def test_a_project_made_after_the_demo_does_not_survey_with_the_simulated_scanner(window, qtbot, tmp_path,
                                                                                   monkeypatch):
    """The scanner belongs to the project: the demo's simulated scanner stays in the demo."""
    from PySide6.QtWidgets import QPushButton

    qtbot.mouseClick(window.welcome.findChild(QPushButton, "welcome_demo"), Qt.MouseButton.LeftButton)
    assert window.survey.controller.scanner_name == "simulated"
    values = dialogs.NewProjectValues(site=Site(customer="Grace"), units="m", charger_profile_id="generic_iot")
    monkeypatch.setattr(dialogs, "ask_new_project", lambda *a, **k: values)
    monkeypatch.setattr(dialogs, "ask_save_project_path", lambda *a, **k: str(tmp_path / "grace.evsurvey"))
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.session.path.name == "grace.evsurvey"
    controller = window.survey.controller
    assert controller.scanner_name == "auto"
    assert "Simulated" not in window.survey.panel.scanner_label.text()
    # Reopening the demo brings its own scanner back.
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(window.welcome.findChild(QPushButton, "welcome_demo"), Qt.MouseButton.LeftButton)
    assert controller.scanner_name == "simulated"
