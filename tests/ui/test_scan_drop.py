"""A saved scan dropped on the plan becomes a sample where it was dropped (survey.ui.scan_drop),
and the hostile-SSID corpus is distinguishable in the GUI's channel table and chart and in
the window title (issue 21, "Look-alike SSIDs")."""

from __future__ import annotations

import pytest
from fakes.hostile_scans import GENUINE_SSID, HOSTILE_SSIDS, hostile_wpa_cli
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from survey.project.display import is_invisible
from survey.project.model import Site, TargetNetwork


def _mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop_at(window, pos: QPoint, *paths) -> QDropEvent:
    """A drag entering the plan's viewport at ``pos`` and dropped there, as Qt delivers it."""
    viewport = window.view.viewport()
    mime = _mime(*paths)
    enter = QDragEnterEvent(
        pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, enter)
    drop = QDropEvent(
        QPointF(pos),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QEvent.Type.Drop,
    )
    QApplication.sendEvent(viewport, drop)
    return drop


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "phone-scan.txt"
    path.write_text(hostile_wpa_cli())
    return path


def test_dropped_scan_is_a_sample_at_the_drop_point_and_undoable(window, new_project, saved, qtbot):
    window.view.fit_to_site()
    qtbot.wait(20)
    pos = window.view.site_to_viewport(4.0, 3.0)
    drop = drop_at(window, pos, saved)
    assert drop.isAccepted()
    (survey,) = window.session.project.surveys
    (sample,) = survey.samples
    tolerance = 2 * window.view.metres_per_screen_px()
    assert abs(sample.x_m - 4.0) <= tolerance and abs(sample.y_m - 3.0) <= tolerance
    assert (window.view.selection.kind, window.view.selection.id) == ("sample", sample.id)  # as a scanned one
    (scan,) = sample.scans
    assert scan.backend == "file:wpa_cli (phone-scan.txt)" and len(scan.observations) == len(HOSTILE_SSIDS)
    assert "stored as a sample" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.surveys[0].samples == ()


def test_plans_dropped_on_the_view_are_left_to_the_main_window(window, new_project, tmp_path, qtbot, monkeypatch):
    """A floorplan dropped on the plan is not taken for a scan: Qt passes the ignored drop
    on to the main window, which imports plans."""
    opened = []
    monkeypatch.setattr(window, "open_dropped", opened.append)
    plan = tmp_path / "plan.png"
    plan.write_bytes(b"not really a png")
    drop_at(window, window.view.site_to_viewport(2.0, 2.0), plan)
    qtbot.waitUntil(lambda: bool(opened), timeout=2000)
    assert opened == [str(plan)] and not window.session.project.surveys


def test_unreadable_file_is_a_message_and_stores_nothing(window, new_project, tmp_path, message_boxes):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    drop_at(window, window.view.site_to_viewport(2.0, 2.0), junk)
    assert not any(s.samples for s in window.session.project.surveys)
    assert any("not a scan" in text for _, text in message_boxes)


def test_hostile_ssids_are_distinguishable_in_the_channel_table_and_chart(window, new_project, saved, qtbot):
    from survey.ui.survey_channels import BssTableModel, ChannelChart
    from survey.ui.survey_commands import SetTargetCommand

    window.session.push(SetTargetCommand(window.session, TargetNetwork(GENUINE_SSID.decode())))
    drop_at(window, window.view.site_to_viewport(3.0, 3.0), saved)
    channels = window.survey.channels
    window.show_side_panel(channels)
    qtbot.wait(20)
    (model,) = channels.findChildren(BssTableModel)
    names = [model.item(r, 0).text() for r in range(model.rowCount())]
    assert len(names) == len(HOSTILE_SSIDS) and len(set(names)) == len(names)
    assert names.count(GENUINE_SSID.decode()) == 1
    assert all(not is_invisible(c) for name in names for c in name if c != " ")
    assert "Rivera-Home\\u202e" in names and "Rivera-Hom\\xe9" in names and "Rivera-Homé" in names
    targets = [r for r in range(model.rowCount()) if model.item(r, 9).text() == "target"]
    assert [model.item(r, 0).text() for r in targets] == [GENUINE_SSID.decode()]
    (chart,) = channels.findChildren(ChannelChart)
    genuine_labels = [label for label in chart.labels if label == GENUINE_SSID.decode()]
    assert len(genuine_labels) == 1 and len(set(chart.labels)) == len(chart.labels)


def test_window_title_escapes_project_fields(window, new_project):
    window.session.set_site(Site(customer="Evil\u202eCorp\x1b[31m"))
    title = window.windowTitle()
    assert "Evil\\u202eCorp\\x1b[31m" in title and "\u202e" not in title and "\x1b" not in title
