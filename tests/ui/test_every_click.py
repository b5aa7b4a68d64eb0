"""Every click does what it shows: the real window driven with the mouse and the keyboard on
the demo garage (issue 13). Clicks land on exactly the spots where the marker items sit."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from ui_driver import choose_by_keyboard, click_site, drag_site, hover_site, press_key

from survey.analysis.map_layer import LayerKind, sample_value
from survey.project.store import ProjectStore
from survey.scan.simulated import SimulatedScanner


def samples_of(window):
    return window.session.project.active_survey.samples


def take_sample(qtbot, window, x_m: float, y_m: float):
    """With the Survey tool: click where you stand and wait for the sample."""
    n = len(samples_of(window))
    window.activate_tool("survey")
    click_site(qtbot, window, x_m, y_m)
    qtbot.waitUntil(lambda: len(samples_of(window)) == n + 1, timeout=10000)
    qtbot.waitUntil(lambda: not window.survey.controller.runner.busy, timeout=10000)
    return samples_of(window)[-1]


def wait_for_layer(qtbot, window, kind=None):
    controller = window.survey.controller
    n = len(samples_of(window))
    qtbot.waitUntil(
        lambda: (
            controller.layer is not None
            and controller.layer.analysis is not None
            and (kind is None or controller.layer.kind is kind)
            and len(controller.layer.analysis.survey.samples) == n
            and not controller.fitter.running
        ),
        timeout=30000,
    )
    return controller.layer


@pytest.fixture
def demo(window, qtbot):
    """The demo garage opened from the welcome page, surveyed at twelve spots by clicking."""
    qtbot.mouseClick(window.welcome.findChild(QPushButton, "welcome_demo"), Qt.MouseButton.LeftButton)
    window.survey.controller.set_scanner(SimulatedScanner(window.session.project, delay_s=0.0, seed=2))
    window.view.fit_to_site()
    charger = window.session.project.charger
    for i in range(12):
        take_sample(qtbot, window, charger.x_m - 1.0 - 0.9 * (i % 6), charger.y_m - 1.5 + 1.4 * (i // 6))
    wait_for_layer(qtbot, window)
    return window


def test_clicks_on_marker_items_reach_the_active_tool(demo, qtbot):
    window = demo
    project = window.session.project
    # Select tool, exactly on the router: the router is selected, not "Nothing selected".
    router = project.router
    press_key(qtbot, window, Qt.Key.Key_V)
    click_site(qtbot, window, router.x_m, router.y_m)
    assert (window.view.selection.kind, window.view.selection.id) == ("device", router.id)
    window.show_side_panel(window.site_panel)
    assert window.site_panel.selection_label.text().startswith("Router at")

    # Wall tool on an existing corner (the snap circle shows there): the wall starts on it.
    corner = next(w for w in project.walls if w.material_id == "concrete_block")
    press_key(qtbot, window, Qt.Key.Key_W)
    hover_site(qtbot, window, corner.x1_m, corner.y1_m)
    assert len(window.view.snap_marker.data) == 1  # the circle is drawn where we click
    walls_before = len(project.walls)
    click_site(qtbot, window, corner.x1_m, corner.y1_m)
    click_site(qtbot, window, corner.x1_m + 0.6, corner.y1_m + 1.7)
    # ... and ends on another corner, under its snap circle too.
    end = next(w for w in project.walls if w.material_id == "steel_garage_door")
    hover_site(qtbot, window, end.x1_m, end.y1_m)
    click_site(qtbot, window, end.x1_m, end.y1_m)
    press_key(qtbot, window, Qt.Key.Key_Escape)
    new = window.session.project.walls[walls_before:]
    assert len(new) == 2
    assert (new[0].x1_m, new[0].y1_m) == (corner.x1_m, corner.y1_m)
    assert (new[1].x2_m, new[1].y2_m) == (end.x1_m, end.y1_m)

    # Survey tool, exactly on the charger marker: the sample is taken there.
    charger = window.session.project.charger
    sample = take_sample(qtbot, window, charger.x_m, charger.y_m)
    assert abs(sample.x_m - charger.x_m) < 0.05 and abs(sample.y_m - charger.y_m) < 0.05
    # Again on the charger, now that a sample dot lies on it: a second reading there.
    again = take_sample(qtbot, window, charger.x_m, charger.y_m)
    assert again.id != sample.id and abs(again.x_m - charger.x_m) < 0.05

    # Select tool on a sample dot: that sample is selected and the Channels panel shows it.
    first = samples_of(window)[0]
    press_key(qtbot, window, Qt.Key.Key_V)
    click_site(qtbot, window, first.x_m, first.y_m)
    assert (window.view.selection.kind, window.view.selection.id) == ("sample", first.id)
    window.show_side_panel(window.survey.channels)
    assert window.survey.channels.sample_picker.currentData() == first.id
    assert f"({first.x_m:.1f}, {first.y_m:.1f}) m" in window.survey.channels.table.caption.text()

    # The fix's marker of the Analysis panel (draggable) does not take the Survey tool's click.
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.resultApplied, timeout=30000):
        window.show_side_panel(panel)
        panel.refresh_button.click()
    mesh = next(i for i, o in enumerate(panel.recommendation.options) if o.kind == "mesh_node")
    panel.options_list.setCurrentRow(mesh)
    assert panel.marker.isVisible()
    spot = panel.marker.pos()
    sample = take_sample(qtbot, window, spot.x(), spot.y())
    assert abs(sample.x_m - spot.x()) < 0.05 and abs(sample.y_m - spot.y()) < 0.05


def test_every_live_map_layer_through_the_combo_and_back(demo, qtbot):
    window = demo
    panel = window.survey.panel
    window.show_side_panel(panel)
    combo = panel.layer_combo
    controller = window.survey.controller
    target = wait_for_layer(qtbot, window, LayerKind.TARGET)
    first_values = target.layer.values.copy()
    first_labels = window.survey.overlay.shown_labels()
    assert first_labels and all(text == "n/h" or text.lstrip("-").isdigit() for text in first_labels.values())
    units = {"dBm": "dBm", "BSSs": "other BSSs", "dB": "± 0 dB"}
    for index in list(range(1, combo.count())) + [0]:
        choose_by_keyboard(qtbot, combo, index)
        kind = LayerKind(combo.itemData(index))
        image = wait_for_layer(qtbot, window, kind)
        if kind in (LayerKind.LOSS, LayerKind.LATENCY):  # the demo walk ran no link tests
            assert image.layer is None and "no link test yet" in image.note
            assert "no link test yet" in panel.map_info.text()
            continue
        assert image.layer is not None and image.layer.kind is kind
        # The map is the analysis' own layer of that kind, in its unit.
        assert np.array_equal(image.layer.values, image.analysis.layer(kind).values, equal_nan=True)
        assert units[kind.unit] in panel.legend.scale_text.text()
        assert (
            np.isfinite(image.layer.values).any() and np.nanstd(image.layer.values) > 0 or kind is LayerKind.COCHANNEL
        )
        # The dots' labels say what this layer maps at each sample.
        shown = window.survey.overlay.shown_labels()
        samples = {s.id: s for s in samples_of(window)}
        for sample_id, text in shown.items():
            value = sample_value(kind, samples[sample_id], image.target, image.channel)
            assert text == ("n/h" if value is None else f"{value:.0f}"), (kind, text, value)
        if kind is LayerKind.COCHANNEL:
            assert shown and all(text.isdigit() for text in shown.values())  # counts, not dBm
            assert "other BSSs on the target's channel" in panel.legend.scale_text.text()
        if kind is LayerKind.CONFIDENCE:
            assert shown == {}  # the measuring points, no values of their own
    # Back on the target network: the same map and the same labels as before the round.
    assert controller.layer.kind is LayerKind.TARGET
    assert np.array_equal(controller.layer.layer.values, first_values, equal_nan=True)
    assert window.survey.overlay.shown_labels() == first_labels
    assert "leave-one-out error" in panel.map_info.text() and "0.0 dB" not in panel.map_info.text()


def test_value_under_the_cursor_in_the_layers_unit(demo, qtbot):
    window = demo
    image = wait_for_layer(qtbot, window, LayerKind.TARGET)
    charger = window.session.project.charger
    hover_site(qtbot, window, charger.x_m - 1.0, charger.y_m)
    readout = window.survey.cursor_readout.text()
    expected = image.layer.value_at(charger.x_m - 1.0, charger.y_m)
    assert readout.startswith("Map here: ") and readout.endswith(" dBm")
    assert abs(float(readout.split()[2]) - expected) <= 0.06
    window.show_side_panel(window.survey.panel)
    combo = window.survey.panel.layer_combo
    choose_by_keyboard(qtbot, combo, next(i for i in range(combo.count()) if combo.itemData(i) == "cochannel"))
    wait_for_layer(qtbot, window, LayerKind.COCHANNEL)
    hover_site(qtbot, window, charger.x_m - 1.0, charger.y_m)
    assert "on the channel" in window.survey.cursor_readout.text()


def test_delete_and_move_one_sample_undoably(demo, qtbot):
    window = demo
    path = window.session.path
    samples = samples_of(window)
    victim, moved = samples[3], samples[5]
    press_key(qtbot, window, Qt.Key.Key_V)
    click_site(qtbot, window, victim.x_m, victim.y_m)
    assert window.view.selection.kind == "sample"
    window.show_side_panel(window.site_panel)
    assert window.site_panel.selection_label.text().startswith("Sample 4 of 'Before'")
    assert window.site_panel.delete_button.isEnabled()
    press_key(qtbot, window, Qt.Key.Key_Delete)
    assert [s.id for s in samples_of(window)] == [s.id for s in samples if s.id != victim.id]
    with ProjectStore.open(path, read_only=True) as store:
        assert len(store.load().active_survey.samples) == len(samples) - 1  # in the file at once
    assert window.session.undo_stack.undoText() == "Delete sample"

    # Drag another one to where it was really taken.
    drag_site(qtbot, window, (moved.x_m, moved.y_m), (moved.x_m + 0.8, moved.y_m + 0.4))
    now = next(s for s in samples_of(window) if s.id == moved.id)
    assert (now.x_m, now.y_m) == pytest.approx((moved.x_m + 0.8, moved.y_m + 0.4), abs=0.05)
    assert window.session.undo_stack.undoText() == "Move sample"

    # Undo both: the moved one is back, the deleted one comes back with its readings.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    back = samples_of(window)
    assert len(back) == len(samples)
    assert next(s for s in back if s.id == moved.id).x_m == pytest.approx(moved.x_m)
    restored = next(s for s in back if (s.x_m, s.y_m) == (victim.x_m, victim.y_m))
    assert restored.scans == victim.scans
    # Redo the deletion, undo it again: it follows the sample under its new id.
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(samples_of(window)) == len(samples) - 1
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with ProjectStore.open(path, read_only=True) as store:
        assert len(store.load().active_survey.samples) == len(samples)


def test_zoom_keys_and_buttons(demo, qtbot):
    window = demo
    viewbox = window.view.viewbox
    width = lambda: viewbox.viewRange()[0][1] - viewbox.viewRange()[0][0]  # noqa: E731
    start = width()
    press_key(qtbot, window, Qt.Key.Key_Plus)
    assert width() == pytest.approx(start / 1.25, rel=0.02)
    press_key(qtbot, window, Qt.Key.Key_Minus)
    press_key(qtbot, window, Qt.Key.Key_Minus)
    assert width() == pytest.approx(start * 1.25, rel=0.02)
    button = window.view_toolbar.widgetForAction(window.zoom_in_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert width() == pytest.approx(start, rel=0.02)
    qtbot.mouseClick(window.view_toolbar.widgetForAction(window.fit_action), Qt.MouseButton.LeftButton)
    x0, y0, x1, y1 = window.session.project.extent_m()
    (vx0, vx1), (vy0, vy1) = viewbox.viewRange()
    assert vx0 <= x0 and vx1 >= x1 and vy0 <= y0 and vy1 >= y1


def test_help_has_a_guide_and_every_shortcut(window, qtbot):
    from PySide6.QtWidgets import QLabel, QTableWidget

    texts = [a.text() for a in window.help_menu.actions()]
    assert texts[:2] == ["&Quick guide", "&Keyboard shortcuts"]
    window.shortcuts_action.trigger()
    table = window.findChild(QTableWidget, "shortcut_table")
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    for what, keys in (
        ("Zoom in", "+"),
        ("Fit site", "F"),
        ("Survey", "S"),
        ("Delete selected", "Del"),
        ("Export PDF", "Ctrl+E"),
        ("Wall", "W"),
    ):
        assert keys in rows[what].split(", "), what
    assert "Survey tool: take a sample where the cursor is" in rows
    window.guide_action.trigger()
    guide = window.findChild(QLabel, "guide_text")
    assert "Calibrate" in guide.text() and "Export PDF" in guide.text()
    assert guide.textFormat() == Qt.TextFormat.PlainText


def test_scanner_choice_belongs_to_the_project_and_is_undoable(demo, qtbot, monkeypatch):
    from survey.ui.survey_settings import SurveySettingsDialog

    window = demo
    assert window.session.project.settings["scanner"] == "simulated"

    def choose_automatic(dialog):
        choose_by_keyboard(qtbot, dialog.scanner, dialog.scanner.findData("auto"))
        return SurveySettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(SurveySettingsDialog, "exec", choose_automatic)
    window.show_side_panel(window.survey.panel)
    qtbot.mouseClick(window.survey.panel.settings_button, Qt.MouseButton.LeftButton)
    assert window.session.project.settings["scanner"] == "auto"
    assert window.survey.controller.scanner_name == "auto"
    with ProjectStore.open(window.session.path, read_only=True) as store:
        assert store.load().settings["scanner"] == "auto"
    assert window.session.undo_stack.undoText() == "Choose scanner"
    window.session.undo_stack.undo()
    assert window.survey.controller.scanner_name == "simulated"


def test_garage_builder_adds_to_a_calibrated_plan(window, new_project, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog
    from test_site_editing import import_file, write_png

    from survey.project.garage import ONE_CAR
    from survey.ui import dialogs, garage_place

    import_file(qtbot, window, monkeypatch, write_png(tmp_path / "plan.png"))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("18 m", True)))
    press_key(qtbot, window, Qt.Key.Key_K)
    mpp = window.session.project.floorplan.metres_per_px
    click_site(qtbot, window, 20 * mpp, 20 * mpp)
    click_site(qtbot, window, 380 * mpp, 20 * mpp)
    plan = window.session.project.floorplan
    assert window.session.scale_known
    # The house's wall, drawn over the plan.
    press_key(qtbot, window, Qt.Key.Key_W)
    click_site(qtbot, window, 2.0, 2.0)
    click_site(qtbot, window, 8.0, 2.0)
    press_key(qtbot, window, Qt.Key.Key_Escape)
    house = window.session.project.walls

    asked = []
    monkeypatch.setattr(dialogs, "ask_garage", lambda parent, materials, units: ONE_CAR)
    monkeypatch.setattr(
        garage_place,
        "ask_garage_mode",
        lambda parent, has_image, walls: asked.append((has_image, walls)) or garage_place.ADD,
    )
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert asked == [(True, 1)]
    assert window.active_tool.name == "garage" and "top-left inside corner" in window.statusBar().currentMessage()
    corner = (house[0].x1_m, house[0].y1_m)
    hover_site(qtbot, window, 2.05, 2.05)
    click_site(qtbot, window, 2.05, 2.05)  # near the house wall's corner: it snaps onto it
    project = window.session.project
    assert project.floorplan == plan  # the imported, calibrated image stays
    assert project.walls[: len(house)] == house
    garage = project.walls[len(house) :]
    # Its top wall runs along the house wall, which is already there: not drawn twice.
    assert len(garage) == 5
    assert {(w.x1_m, w.y1_m) for w in garage} >= {(corner[0] + ONE_CAR.width_m, corner[1])}
    assert min(w.y1_m for w in garage) == corner[1]
    assert window.active_tool.name == "select"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step
    assert window.session.project.walls == house and window.session.project.floorplan == plan

    # Cancelled: nothing changes.
    monkeypatch.setattr(garage_place, "ask_garage_mode", lambda *a: None)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.walls == house and window.active_tool.name == "select"


HOSTILE_SSIDS = ("<b>Free&amp;WiFi</b>", "Café ☕ 🚗⚡", "\u202eevil\u202c-net", "bell\x07\x00nul\nline")


def test_hostile_ssids_show_literally_in_the_bss_table_and_the_target_picker(window, qtbot):
    from survey.project.display import display_ssid
    from survey.project.model import Observation
    from survey.ui import glyphs
    from survey.ui.survey_channels import BssTable
    from survey.ui.survey_settings import TargetNetworkDialog

    observations = [
        Observation(f"aa:bb:cc:00:00:{i:02x}", ssid, -50.0 - i, freq_mhz=2437.0, channel=6, band="2.4")
        for i, ssid in enumerate(HOSTILE_SSIDS)
    ]
    table = BssTable()
    qtbot.addWidget(table)
    table.set_observations(observations, None, "caption")
    shown = sorted(table.model.item(r, 0).text() for r in range(table.model.rowCount()))
    assert shown == sorted(display_ssid(s) for s in HOSTILE_SSIDS)
    assert "<b>Free&amp;WiFi</b>" in shown  # markup as typed
    # Emoji as typed where a font has them; where none does, their escape, never an empty box.
    cafe = next(text for text in shown if text.startswith("Café "))
    assert all(glyphs.can_draw(ch) for text in shown for ch in text)
    assert cafe == "Café " + "".join(
        ch if glyphs.can_draw(ch) else f"\\U{ord(ch):08x}" if ord(ch) > 0xFFFF else f"\\u{ord(ch):04x}"
        for ch in "☕ 🚗⚡"
    )
    assert "\\u202eevil\\u202c-net" in shown and "bell\\x07\\x00nul\\x0aline" in shown  # no bidi or control chars
    dialog = TargetNetworkDialog(window, observations, None)
    qtbot.addWidget(dialog)
    picked = sorted(dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount()))
    assert picked == shown


def test_compare_dock_says_why_and_never_reopens_blank(demo, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window = demo
    compare, dock = window.compare_view, window.compare_dock
    dock.show()
    qtbot.waitUntil(lambda: "no After survey" in compare.numbers.text(), timeout=5000)
    dock.hide()
    dock.show()
    assert "no After survey" in compare.numbers.text() and "'New phase...'" in compare.numbers.text()

    # After: a mesh node beside the charger, the garage surveyed again.
    charger = window.session.project.charger
    press_key(qtbot, window, Qt.Key.Key_M)
    click_site(qtbot, window, charger.x_m - 2.0, charger.y_m + 1.0)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("After", True)))
    window.show_side_panel(window.survey.panel)
    qtbot.mouseClick(window.survey.panel.new_phase, Qt.MouseButton.LeftButton)
    window.survey.controller.set_scanner(SimulatedScanner(window.session.project, delay_s=0.0, seed=3))
    for i in range(6):
        take_sample(qtbot, window, charger.x_m - 1.0 - 0.9 * i, charger.y_m - 0.5)
    dock.hide()  # closed while surveying After; opened again to look
    dock.show()
    qtbot.waitUntil(
        lambda: compare.comparison is not None and len(compare.comparison.after.survey.samples) == 6, timeout=30000
    )
    comparison = compare.comparison
    assert comparison.after.survey_name == "After" and comparison.before.survey_name == "Before"
    # The difference map has colour only where both surveys measured.
    from survey.ui.compare_view import comparison_images

    alpha = comparison_images(comparison)["difference"][..., 3]
    shown = alpha > 0
    assert shown.any() and not (shown & ~(comparison.before.covered & comparison.after.covered)).any()
    assert not (shown & ~comparison.area_mask).any()
    dock.hide()
    dock.show()  # shown again: the comparison is still there, not a blank pane
    assert compare.comparison is comparison and "->" in compare.numbers.text()
