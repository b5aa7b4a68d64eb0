"""The charger's own reading, typed into the Analysis panel: it is stored with the project,
sets the site's reception offset and the verdict says so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")
from PySide6.QtCore import QSettings, Qt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_analysis_sites import steel_door_site  # noqa: E402

from survey.ui.compose import Feature, install_features  # noqa: E402
from survey.ui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    install_features(win, {Feature.ANALYSIS})
    qtbot.addWidget(win)
    win.session.create(tmp_path / "site.evsurvey", steel_door_site())
    win.show_side_panel(win.analysis_panel)
    return win


def _type_into(qtbot, spin, text: str) -> None:
    edit = spin.lineEdit()
    spin.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_typed_charger_reading_sets_the_offset_and_the_verdict(window, qtbot):
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.resultApplied, timeout=30000):
        panel.recompute()
    laptop = panel.recommendation.verdict.chosen.rssi_dbm
    assert panel.reading_spin.isEnabled() and panel.reading_spin.text() == "not entered"

    with qtbot.waitSignal(panel.resultApplied, timeout=30000):
        _type_into(qtbot, panel.reading_spin, "-80")
        panel.recompute()
    stored = window.session.project.settings["charger_reading"]
    assert stored == {"rssi_dbm": -80.0, "survey": "Before"}
    v = panel.recommendation.verdict
    assert v.rssi_at_charger_dbm == -80.0 and v.offset_source == "charger_reading"
    assert v.reception_offset_db == pytest.approx(round(laptop + 80.0, 1))
    assert v.confidence == "high"
    assert "The charger itself reported -80.0 dBm" in panel.verdict_detail.text()
    assert "-80.0 dBm" in panel.verdict_label.text()
    # The offset comes from the reading now: shown, not editable.
    assert panel.offset_spin.value() == pytest.approx(v.reception_offset_db)
    assert not panel.offset_spin.isEnabled()

    # Undo takes the reading back out.
    window.session.undo_stack.undo()
    assert (
        "charger_reading" not in window.session.project.settings
        or window.session.project.settings["charger_reading"] is None
    )
