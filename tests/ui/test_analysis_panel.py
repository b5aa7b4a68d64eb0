"""The Analysis panel in the main window: verdict, findings, ladder, preview and live drag."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QSettings, Qt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_analysis_sites import steel_door_site  # noqa: E402

from survey.project.model import DeviceKind, Observation, Project, Sample, ScanResult  # noqa: E402
from survey.ui.analysis_panel import AnalysisPanel  # noqa: E402
from survey.ui.main_window import MainWindow  # noqa: E402

EVIL_SSID = "<b>&amp;<font size=80>x</font>"


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, features=["survey.ui.analysis_panel:install"])
    qtbot.addWidget(win)
    project = steel_door_site()
    win.session.create(tmp_path / "site.evsurvey", project)
    survey_id = win.session.project.surveys[0].id
    # A neighbour with a hostile SSID heard once: it must stay plain text everywhere.
    evil = Observation("de:ad:be:ef:00:01", EVIL_SSID, -60.0, 2437.0, 6, "2.4")
    sample = Sample(3.0, 3.0, 1.0, (ScanResult((evil,), 0.0, 1.0, "test"),))
    win.session.store.add_sample(survey_id, sample)
    win.session.reload()
    return win


def panel_of(window) -> AnalysisPanel:
    return window.analysis_panel


def test_panel_shows_poor_verdict_and_mesh_option(window, qtbot):
    panel = panel_of(window)
    panel.recompute()
    assert panel.verdict_label.text().startswith("POOR")
    assert panel.verdict_label.textFormat() == Qt.TextFormat.PlainText
    assert panel.verdict_detail.textFormat() == Qt.TextFormat.PlainText
    texts = [panel.options_list.item(i).text() for i in range(panel.options_list.count())]
    assert any("Mesh node" in t and t.startswith("=>") for t in texts)
    assert any("Repeater" in t and t.startswith("x") for t in texts)
    assert panel.checklist_list.count() >= 8


def test_clicking_an_option_shows_marker_and_predicted_map(window, qtbot):
    panel = panel_of(window)
    panel.recompute()
    row = [o.kind for o in panel.recommendation.options].index("mesh_node")
    panel.options_list.setCurrentRow(row)
    assert panel.marker.isVisible()
    assert panel.preview_image.isVisible()
    x, y = panel.recommendation.options[row].xy_m
    assert panel.marker.pos().x() == pytest.approx(x)
    assert "Backhaul" in panel.detail.toPlainText()


def test_dragging_the_marker_updates_the_map_live(window, qtbot):
    panel = panel_of(window)
    panel.recompute()
    row = [o.kind for o in panel.recommendation.options].index("mesh_node")
    panel.options_list.setCurrentRow(row)
    before = panel.preview_image.image.copy()
    panel.marker.setPos(11.0, 8.0)  # into the garage, next to the charger
    qtbot.waitUntil(lambda: "Moved to (11.0, 8.0)" in panel.detail.toPlainText(), timeout=2000)
    assert (panel.preview_image.image != before).any()


def test_add_to_plan_adds_a_planned_device(window, qtbot):
    panel = panel_of(window)
    panel.recompute()
    row = [o.kind for o in panel.recommendation.options].index("mesh_node")
    panel.options_list.setCurrentRow(row)
    panel.add_button.click()
    planned = [d for d in window.session.project.devices if d.planned]
    assert len(planned) == 1 and planned[0].kind is DeviceKind.MESH_NODE
    window.session.undo_stack.undo()
    assert not [d for d in window.session.project.devices if d.planned]


def test_offset_and_ethernet_settings_are_stored_and_used(window, qtbot):
    panel = panel_of(window)
    panel.recompute()
    panel.ethernet_check.setChecked(True)
    assert window.session.project.settings["ethernet_can_be_run"] is True
    panel.offset_spin.setValue(6.0)
    panel.offset_spin.editingFinished.emit()
    assert window.session.project.settings["reception_offset_db"] == 6.0
    panel.recompute()
    assert panel.recommendation.profile.reception_offset_db == 6.0
    wired = next(o for o in panel.recommendation.options if o.kind == "wired_ap")
    assert wired.status != "rejected" or "drop" not in wired.reason


def test_hostile_ssid_stays_plain_text(window, qtbot):
    panel = panel_of(window)
    project = window.session.project
    # Make the hostile network the target: it then appears in the verdict detail and findings.
    from survey.project.model import TargetNetwork

    window.session.store.set_target(TargetNetwork(EVIL_SSID))
    window.session.reload()
    panel.recompute()
    assert EVIL_SSID in panel.verdict_detail.text()
    assert panel.verdict_detail.textFormat() == Qt.TextFormat.PlainText
    assert isinstance(project, Project)


def test_hidden_panel_defers_and_shown_panel_recomputes(window, qtbot):
    panel = panel_of(window)
    assert panel.recommendation is None or not panel.isVisible()
    window.show()
    window.show_side_panel(panel)
    qtbot.waitUntil(lambda: panel.recommendation is not None, timeout=5000)
    assert panel.verdict_label.text().startswith("POOR")
