"""File handling of the main window (new, open, save as, close, recent files, site details)
and its hooks for other panels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from ui_driver import press_key, site_point

from survey.project.model import Site, Wall
from survey.project.profiles import load_profiles
from survey.project.store import ProjectStore
from survey.ui import dialogs
from survey.ui.site_tools import SiteTool


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
    monkeypatch.setattr(
        dialogs,
        "ask_site_details",
        lambda *a, **k: dialogs.NewProjectValues(
            Site(customer="Charles Babbage", survey_date=project.site.survey_date), "ft", "wallbox_pulsar_plus"
        ),
    )
    window.site_actions.details_action.trigger()
    project = window.session.project
    assert (project.site.customer, project.units, project.charger_profile_id) == (
        "Charles Babbage",
        "ft",
        "wallbox_pulsar_plus",
    )
    assert window.view.scale_bar.text.toPlainText().endswith("ft")
    assert "Charles Babbage" in window.windowTitle()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.site.customer == "Ada Lovelace"
    assert window.session.project.units == "m"


def test_wall_tool_previews_the_rubber_band(window, new_project, qtbot):
    press_key(qtbot, window, Qt.Key.Key_W)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=site_point(window, 1.0, 1.0))
    QTest.mouseMove(window.view.viewport(), site_point(window, 4.0, 1.1))
    qtbot.waitUntil(
        lambda: window.view.preview_line.xData is not None and len(window.view.preview_line.xData) == 2, timeout=2000
    )
    ys = window.view.preview_line.yData
    assert ys[0] == pytest.approx(ys[1])  # already snapped to 0°
    assert "Wall length" in window.statusBar().currentMessage()


def test_every_tool_has_a_one_key_shortcut(window):
    for name, action in window.tool_actions.items():
        assert len(action.shortcut().toString()) == 1, name


def test_features_are_composed_and_a_broken_one_is_reported(make_window, monkeypatch):
    """The composition survives a feature that fails to build: it is named in the status bar,
    the features built on it are left out, and the rest of the window works."""
    from survey.ui import survey_panel

    def broken(window):
        raise RuntimeError("no survey today")

    monkeypatch.setattr(survey_panel, "install", broken)
    window = make_window()
    assert window.survey is None and window.linktest is None and window.scan_drop is None
    assert "survey" not in window.tools
    assert window.feature_failures == ["survey.ui.survey_panel"]
    assert "could not be loaded (survey.ui.survey_panel)" in window.statusBar().currentMessage()
    # Those that do not build on it are all there.
    assert window.analysis_panel is not None and window.netcheck is not None and window.compare_view is not None
    assert [window.side_tabs.tabText(i) for i in range(window.side_tabs.count())] == ["Site", "Analysis"]


def test_a_window_gets_only_the_features_it_is_given(make_window):
    from survey.ui.compose import Feature

    class PingTool(SiteTool):
        name = "ping"

    window = make_window(features={Feature.SITE})
    assert window.site_panel is not None and window.survey is None and window.pdf_export is None
    assert window.add_feature("ping", lambda: window.add_tool(PingTool(window), "Ping", "Q")) is not None
    assert "ping" in window.tools and window.feature_failures == []


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


# -- issue 20 through the window's open and Save As paths ------------------------------------------------

import os  # noqa: E402

import ezdxf  # noqa: E402
from project_files import (  # noqa: E402
    crash_and_restore_backup,
    digest,
    execute,
    make_project,
    sample_xs,
)
from ui_driver import click_site  # noqa: E402

from survey.project.garage import TWO_CAR  # noqa: E402
from survey.scan.simulated import SimulatedScanner  # noqa: E402


def open_with_the_menu(window, monkeypatch, path):
    monkeypatch.setattr(dialogs, "ask_open_project", lambda *a, **k: str(path))
    window.open_action.trigger()


def sample_with_the_survey_tool(qtbot, window, x_m, y_m):
    controller = window.survey.controller
    controller.set_scanner(SimulatedScanner(window.session.project, delay_s=0.0))
    window.activate_tool("survey")
    n = len(window.session.project.active_survey.samples) if window.session.project.active_survey else 0
    click_site(qtbot, window, x_m, y_m)
    qtbot.waitUntil(
        lambda: (
            not controller.runner.busy
            and window.session.project.active_survey is not None
            and len(window.session.project.active_survey.samples) == n + 1
        ),
        timeout=5000,
    )


def test_a_refused_open_leaves_the_open_project_writing_to_its_own_file(window, tmp_path, errors, monkeypatch, qtbot):
    good = tmp_path / "good.evsurvey"
    make_project(good, n_samples=3)
    open_with_the_menu(window, monkeypatch, good)
    title = window.windowTitle()
    damaged = tmp_path / "damaged.evsurvey"
    make_project(damaged, n_samples=1)
    execute(damaged, "CREATE TRIGGER wipe AFTER INSERT ON samples BEGIN DELETE FROM samples; END")
    truncated = tmp_path / "truncated.evsurvey"
    truncated.write_bytes(good.read_bytes()[:5000])
    fingerprints = {p: digest(p) for p in (damaged, truncated)}
    for bad in (damaged, truncated):
        open_with_the_menu(window, monkeypatch, bad)
    assert [t for t, _m in errors] == ["Open project", "Open project"]
    assert "trigger 'wipe'" in errors[0][1] and "truncated" in errors[1][1]
    assert window.windowTitle() == title and window.session.path == good.resolve()
    sample_with_the_survey_tool(qtbot, window, 2.0, 2.0)
    sample_with_the_survey_tool(qtbot, window, 3.0, 2.0)
    assert len(sample_xs(good)) == 5
    assert {p: digest(p) for p in fingerprints} == fingerprints


def test_a_second_window_opens_the_file_read_only_and_save_as_lets_it_work(make_window, tmp_path, errors, qtbot):
    path = tmp_path / "site.evsurvey"
    make_project(path)
    first, second = make_window(), make_window()
    assert first.open_project(path) and second.open_project(path)
    assert "(read-only)" not in first.windowTitle() and "(read-only)" in second.windowTitle()
    assert errors[-1][0] == "Opened read-only" and "another evsurvey window" in errors[-1][1]
    assert not second.tool_actions["wall"].isEnabled() and not second.site_actions.garage_action.isEnabled()
    assert second.tool_actions["select"].isEnabled()
    assert "read-only" in second.statusBar().currentMessage()
    first.session.add_wall(Wall(0, 0, 2, 2, "concrete_block"))
    copy = tmp_path / "mine.evsurvey"
    from unittest import mock

    with mock.patch.object(dialogs, "ask_save_project_path", lambda *a, **k: str(copy)):
        second.save_as_action.trigger()
    assert second.session.path == copy.resolve() and "(read-only)" not in second.windowTitle()
    assert second.tool_actions["wall"].isEnabled()
    second.session.add_wall(Wall(5, 5, 6, 6, "concrete_block"))
    with ProjectStore.open(path, read_only=True) as store:
        assert len(store.load().walls) == 6
    with ProjectStore.open(copy, read_only=True) as store:
        assert len(store.load().walls) == 6


def test_a_file_deleted_while_open_is_reported_and_saved_elsewhere(window, tmp_path, monkeypatch, qtbot, message_boxes):
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=2)
    open_with_the_menu(window, monkeypatch, path)
    sample_with_the_survey_tool(qtbot, window, 2.0, 2.0)
    copy = tmp_path / "rescued.evsurvey"
    monkeypatch.setattr(dialogs, "ask_save_project_path", lambda *a, **k: str(copy))
    path.unlink()
    # The watch tells the installer without waiting for a write; the answer Yes saves elsewhere.
    qtbot.waitUntil(lambda: any(t == "Project file missing" for t, _ in message_boxes), timeout=5000)
    text = next(m for t, m in message_boxes if t == "Project file missing")
    assert "site.evsurvey was deleted or moved" in text and "Save everything" in text
    assert window.session.path == copy.resolve() and window.session.writable
    assert "NOT SAVED" not in window.windowTitle()
    assert len(sample_xs(copy)) == 3


def test_a_sample_after_the_file_went_is_kept_and_written_by_save_as(
    window, tmp_path, monkeypatch, qtbot, message_boxes
):
    path = tmp_path / "site.evsurvey"
    make_project(path, n_samples=2)
    open_with_the_menu(window, monkeypatch, path)
    messages = []
    window.survey.controller.message.connect(messages.append)
    moved = tmp_path / "moved.evsurvey"
    os.replace(path, moved)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    controller = window.survey.controller
    controller.set_scanner(SimulatedScanner(window.session.project, delay_s=0.0))
    window.activate_tool("survey")
    click_site(qtbot, window, 2.5, 2.5)
    qtbot.waitUntil(lambda: any("could not be saved" in m for m in messages), timeout=5000)
    assert "kept in memory" in messages[-1] and not any("saved at" in m for m in messages)
    qtbot.waitUntil(lambda: "NOT SAVED" in window.windowTitle(), timeout=2000)
    assert not window.tool_actions["wall"].isEnabled() and window.tool_actions["survey"].isEnabled()
    copy = tmp_path / "rescued.evsurvey"
    monkeypatch.setattr(dialogs, "ask_save_project_path", lambda *a, **k: str(copy))
    window.save_as_action.trigger()
    assert len(sample_xs(copy)) == 3 and len(window.session.project.active_survey.samples) == 3
    assert len(sample_xs(moved)) == 2  # nothing went to the moved file


def test_a_dxf_with_1e999_leaves_the_plan_as_it_was(window, new_project, tmp_path, errors, monkeypatch, qtbot):
    window.site_actions.build_garage(TWO_CAR)
    walls_before = window.session.project.walls
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    msp.add_line((0, 0), (5, 0), dxfattribs={"layer": "WALLS"})
    msp.add_line((5, 0), (123456.5, 4), dxfattribs={"layer": "WALLS"})
    dxf = tmp_path / "plan.dxf"
    doc.saveas(dxf)
    dxf.write_text(dxf.read_text().replace("123456.5", "1e999"))
    monkeypatch.setattr(dialogs, "choose_dxf_layers", lambda parent, counts: list(counts))
    steps = window.session.undo_stack.count()
    assert not window.site_actions.import_floorplan(dxf)
    assert errors[-1][0] == "Import floorplan" and "not a finite number" in errors[-1][1]
    assert window.session.project.walls == walls_before and window.session.undo_stack.count() == steps
    with ProjectStore.open(new_project, read_only=True) as store:
        assert store.load().walls == walls_before


def test_a_stale_log_beside_a_restored_copy_is_set_aside_and_said(window, tmp_path, errors, monkeypatch):
    path = tmp_path / "site.evsurvey"
    crash_and_restore_backup(path, n_samples=104, n_walls=38)
    open_with_the_menu(window, monkeypatch, path)
    project = window.session.project
    assert (len(project.active_survey.samples), len(project.walls)) == (104, 38)
    assert errors[-1][0] == "Opened with problems" and "set aside as site.evsurvey.stale-wal-" in errors[-1][1]


def test_a_project_made_after_the_demo_does_not_survey_with_the_simulated_scanner(window, qtbot, tmp_path, monkeypatch):
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
