"""The survey walk in the main window: phases, target network, sampling, live map, channels.

``install(window)`` (called by ``survey.ui.compose``) adds:

* a "Survey" side panel: the survey phase, the target network, the scanner, stop-and-go
  or continuous walk, the busy state with Cancel/Retry, the live-map layer with its
  legend, leave-one-out error and the RSSI readout at the charger point;
* a "Channels" side panel: the 2.4 GHz occupancy chart and the BSS table of the
  selected sample;
* the Survey tool on the site view (click, or Space at the cursor, to sample there) and
  its menu entries.

This module holds the widgets and the wiring. What becomes a sample is
:mod:`survey.scan.sampling`'s; the Qt adapter that runs the scanner and pushes samples is
:mod:`survey.ui.survey_controller`; the undoable edits are :mod:`survey.ui.survey_commands`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from survey.analysis.map_layer import LayerKind, sample_value
from survey.analysis.readouts import (
    charger_readout_text,
    layer_info_text,
    sample_description_text,
    value_under_cursor_text,
)
from survey.analysis.target import project_target, strongest_per_bssid, survey_observations
from survey.errors import EvSurveyError
from survey.project.display import display_ssid
from survey.project.model import Project, Sample, SampleMode, merge_observations
from survey.ui import dialogs
from survey.ui.floorplan_view import Pickable
from survey.ui.survey_channels import ChannelsPanel
from survey.ui.survey_controller import SurveyController, SurveyTool
from survey.ui.survey_heatmap import HeatmapLegend, SurveyOverlay
from survey.ui.survey_layers import LayerImage
from survey.ui.survey_settings import SIMULATED, SurveySettingsDialog, TargetNetworkDialog, networks_from_observations

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow

# -- widgets ----------------------------------------------------------------------------------------


def _plain_label(text: str = "", parent: QWidget | None = None, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # SSIDs and reasons may contain markup characters
    label.setWordWrap(wrap)
    return label


TOOL_BUTTON_OFF = "Survey tool (click where you stand)"
TOOL_BUTTON_ON = "Survey tool on: click where you stand"
IDLE_TEXT = "Idle: with the Survey tool, click where you stand (or press Space at the cursor)."


class SurveyPanel(QWidget):
    """Phase, target, scanner, mode, busy state, layer, legend and readouts."""

    def __init__(self, controller: SurveyController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        session = controller.session

        # Phase
        self.phase = QComboBox(self)
        self.new_phase = QPushButton("New phase...", self)
        self.rename_phase = QPushButton("Rename...", self)
        # The combo on a line of its own: beside two buttons, "Before (15 samples)" was cut
        # to "Before (15" in a side panel ~340 px wide.
        phase_row = QVBoxLayout()
        phase_row.setContentsMargins(0, 0, 0, 0)
        phase_row.addWidget(self.phase)
        phase_buttons = QHBoxLayout()
        phase_buttons.addWidget(self.new_phase)
        phase_buttons.addWidget(self.rename_phase)
        phase_row.addLayout(phase_buttons)

        # Target
        self.target_label = _plain_label("", self)
        self.choose_target = QPushButton("Choose from a live scan...", self)

        # Scanner and mode
        self.scanner_label = _plain_label("", self)
        self.settings_button = QPushButton("Survey settings...", self)
        self.scans_per_point = QSpinBox(self)
        self.scans_per_point.setRange(1, 5)
        self.scans_per_point.setValue(controller.settings.scans_per_point)
        self.scans_per_point.setSuffix(" scan(s) per point")
        self.point_mode = QRadioButton("Stop-and-go", self)
        self.walk_mode = QRadioButton("Continuous walk", self)
        self.point_mode.setChecked(True)
        self._mode_group = QButtonGroup(self)
        self._mode_group.addButton(self.point_mode)
        self._mode_group.addButton(self.walk_mode)
        self.tool_button = QPushButton(TOOL_BUTTON_OFF, self)
        self.tool_button.setObjectName("survey_tool_button")
        self.tool_button.setCheckable(True)
        # Fusion draws a checked push button only a shade darker: the installer must see at
        # a glance that clicks on the plan now take samples.
        self.tool_button.setStyleSheet(
            "QPushButton#survey_tool_button:checked { background-color: #1f6feb; color: white; "
            "font-weight: bold; border: 1px solid #0b4fb3; border-radius: 3px; padding: 5px; }"
        )
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.point_mode)
        mode_row.addWidget(self.walk_mode)

        # Busy state
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setVisible(False)
        self.busy_text = _plain_label(IDLE_TEXT, self)
        self.cancel_button = QPushButton("Cancel scan", self)
        self.cancel_button.setEnabled(False)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setEnabled(False)
        self.finish_walk_button = QPushButton("Finish walk", self)
        self.finish_walk_button.setVisible(False)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.cancel_button)
        busy_row.addWidget(self.retry_button)
        busy_row.addWidget(self.finish_walk_button)

        # Map
        self.layer_combo = QComboBox(self)
        for kind in LayerKind:
            self.layer_combo.addItem(kind.label, kind.value)
        self.legend = HeatmapLegend(self)
        self.map_info = _plain_label("", self)
        self.charger_readout = _plain_label("", self)
        font = self.charger_readout.font()
        font.setBold(True)
        self.charger_readout.setFont(font)

        sampling = QGroupBox("Sampling", self)
        form = QFormLayout(sampling)
        form.addRow("Phase", phase_row)
        form.addRow("Target", self.target_label)
        form.addRow("", self.choose_target)
        form.addRow("Scanner", self.scanner_label)
        form.addRow("", self.settings_button)
        form.addRow("", self.scans_per_point)
        form.addRow("Mode", mode_row)
        form.addRow("", self.tool_button)
        form.addRow(self.busy_bar)
        form.addRow(self.busy_text)
        form.addRow(busy_row)

        live = QGroupBox("Live map", self)
        live_layout = QVBoxLayout(live)
        live_layout.addWidget(self.layer_combo)
        live_layout.addWidget(self.legend)
        live_layout.addWidget(self.map_info)
        live_layout.addWidget(self.charger_readout)

        layout = QVBoxLayout(self)
        layout.addWidget(sampling)
        layout.addWidget(live)
        layout.addStretch(1)

        self.new_phase.clicked.connect(self._ask_new_phase)
        self.rename_phase.clicked.connect(self._ask_rename_phase)
        self.phase.activated.connect(self._phase_chosen)
        self.choose_target.clicked.connect(self._choose_target)
        self.settings_button.clicked.connect(self._edit_settings)
        self.scans_per_point.valueChanged.connect(self._scans_changed)
        self.point_mode.toggled.connect(self._mode_toggled)
        self.cancel_button.clicked.connect(controller.cancel)
        self.retry_button.clicked.connect(controller.retry)
        self.finish_walk_button.clicked.connect(controller.finish_walk)
        self.layer_combo.currentIndexChanged.connect(self._layer_chosen)
        controller.busyChanged.connect(self._busy_changed)
        controller.retryAvailable.connect(self.retry_button.setEnabled)
        controller.layerUpdated.connect(self._layer_updated)
        session.projectChanged.connect(self.refresh)
        self._target_scan_job: int | None = None
        controller.runner.pointDone.connect(self._maybe_target_scan_done)
        self.refresh()

    def set_tool_active(self, active: bool) -> None:
        """Show whether the Survey tool is the active tool (the button lit, its text saying so)."""
        self.tool_button.blockSignals(True)
        self.tool_button.setChecked(active)
        self.tool_button.blockSignals(False)
        self.tool_button.setText(TOOL_BUTTON_ON if active else TOOL_BUTTON_OFF)

    # -- refresh -----------------------------------------------------------------------------
    def refresh(self) -> None:
        c = self.controller
        project = c.session.project
        self.phase.blockSignals(True)
        self.phase.clear()
        for survey in project.surveys:
            self.phase.addItem(f"{survey.name} ({len(survey.samples)} samples)", survey.id)
        active = project.active_survey
        if active is not None:
            self.phase.setCurrentIndex(self.phase.findData(active.id))
        self.phase.blockSignals(False)
        self._show_target()
        self.scanner_label.setText(c.scanner_label)

    def _show_target(self) -> None:
        """The target network, and how it is heard in this survey (from the live map's worker:
        on a large survey that walks every observation)."""
        c = self.controller
        resolved = project_target(c.session.project)
        target = resolved.network
        layer = c.layer if c.layer is not None and c.layer.analysis is not None else None
        if resolved.assumed or target is None:  # a target that is not assumed is the project's own
            self.target_label.setText(
                "not chosen (the map assumes the strongest network heard)"
                if target is None
                else f"not chosen: the map assumes '{display_ssid(target.ssid)}', the strongest network heard"
            )
            return
        heard = layer.target_heard if layer is not None and layer.target == target else None
        bands, security = heard if heard is not None else ("not heard yet", "unknown")
        extra = f"\nBSSIDs: {', '.join(target.bssids)}" if target.bssids else ""
        self.target_label.setText(f"{display_ssid(target.ssid)}\n{bands}; {security}{extra}")

    def _layer_updated(self, image: LayerImage) -> None:
        self._show_target()
        self.legend.set_kind(image.kind)
        self.map_info.setText(layer_info_text(image))
        self.charger_readout.setText(charger_readout_text(image, self.controller.session.project))

    def _busy_changed(self, busy: bool, text: str) -> None:
        self.busy_bar.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.busy_text.setText(text if busy else IDLE_TEXT)
        walking = self.controller.walking
        self.finish_walk_button.setVisible(walking)
        self.point_mode.setEnabled(not busy)
        self.walk_mode.setEnabled(not busy)

    # -- actions -------------------------------------------------------------------------------
    def _ask_new_phase(self) -> None:
        if not self.controller.session.is_open:
            return
        existing = {s.name.casefold() for s in self.controller.session.project.surveys}
        default = "Before" if "before" not in existing else ("After" if "after" not in existing else "")
        name, ok = QInputDialog.getText(self, "New survey phase", "Name (e.g. Before, After):", text=default)
        if ok and name.strip():
            try:
                self.controller.add_survey(name)
            except EvSurveyError as exc:
                self.controller.message.emit(str(exc))

    def _ask_rename_phase(self) -> None:
        survey = self.controller.survey if self.controller.session.is_open else None
        if survey is None:
            return
        name, ok = QInputDialog.getText(self, "Rename survey phase", "New name:", text=survey.name)
        if ok and name.strip() and name.strip() != survey.name:
            try:
                self.controller.rename_survey(survey.id, name)
            except EvSurveyError as exc:
                self.controller.message.emit(str(exc))

    def _phase_chosen(self, index: int) -> None:
        survey_id = self.phase.itemData(index)
        if survey_id is not None:
            self.controller.set_active_survey(int(survey_id))

    def _scans_changed(self, value: int) -> None:
        c = self.controller
        c.settings = replace(c.settings, scans_per_point=int(value))
        c.settings.save()

    def _mode_toggled(self, point: bool) -> None:
        self.controller.set_mode(SampleMode.POINT if point else SampleMode.WALK)

    def _layer_chosen(self, index: int) -> None:
        self.controller.set_layer_kind(self.layer_combo.itemData(index))

    def _edit_settings(self) -> None:
        c = self.controller
        dialog = SurveySettingsDialog(self, c.settings, c.scanner_name)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        new, scanner_name = dialog.values()
        c.settings = new
        new.save()
        if c.session.is_open:
            c.choose_scanner(scanner_name)
        self.scans_per_point.setValue(new.scans_per_point)
        self.refresh()

    def _choose_target(self) -> None:
        """Run one scan here, then offer what it heard (plus everything heard in this survey)."""
        c = self.controller
        if c.runner.busy:
            c.message.emit("A scan is running; choose the target when it is done.")
            return
        try:
            scanner = c.ensure_scanner()
        except EvSurveyError as exc:
            c.message.emit(str(exc))
            return
        self._target_scan_job = c.runner.start_point(scanner, 1, c.settings.timeout_s)
        c.busyChanged.emit(True, "Scanning for networks to choose the target ...")

    def _maybe_target_scan_done(self, job: int, scans) -> None:
        if job != self._target_scan_job:
            return
        self._target_scan_job = None
        c = self.controller
        # One observation per BSS: every reading of a long survey would make the picker a
        # list of thousands of identical rows.
        observations = list(strongest_per_bssid(merge_observations(scans) + survey_observations(c.survey)))
        if not networks_from_observations(observations):
            c.message.emit("No named network was heard; retry where the signal is better.")
            return
        dialog = TargetNetworkDialog(self, observations, c.session.project.target)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            c.set_target(dialog.target())


# -- wiring into the main window ----------------------------------------------------------------------

#: A new sample's value is worked out on the UI thread (one merge, ~2 ms) when this few are
#: missing; a whole survey's (a file just opened) comes from the layer's worker instead.
MAX_VALUES_ON_UI_THREAD = 20


class SurveyFeature(QObject):
    """Everything ``install`` creates, kept together so tests can reach it (``window.survey``)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        view = window.view
        self.overlay = SurveyOverlay(getattr(view, "viewbox", view))
        self.overlay.labels.obstacles = view.label_obstacles
        self.controller = SurveyController(window, self.overlay, self)
        self.tool = SurveyTool(window, self.controller)
        self.panel = SurveyPanel(self.controller)
        self.channels = ChannelsPanel(self.controller, view)
        self._samples_by_id: dict[int, Sample] = {}
        view.add_pickable(
            Pickable(
                kind="sample",
                hit=self._sample_at,
                position=self._sample_position,
                move=self.controller.move_sample,
                delete=self.controller.delete_sample,
                describe=self.describe_sample,
                ring_px=22,
            )
        )
        session = window.session
        session.samplesChanged.connect(self._samples_changed)
        session.projectChanged.connect(self._project_changed)
        session.fileChanged.connect(self._file_changed)
        # A mesh node placed or the router moved must reach the simulated scanner before the
        # next scan (the finer signals come first; projectChanged covers materials/target).
        for signal in (session.devicesChanged, session.wallsChanged, session.projectChanged):
            signal.connect(self.controller.sync_scanner)
        self.controller.message.connect(window.show_status)
        # The value of the map under the cursor, in the layer's unit, beside the position.
        self.cursor_readout = QLabel()
        self.cursor_readout.setObjectName("map_value_under_cursor")
        self.cursor_readout.setTextFormat(Qt.TextFormat.PlainText)
        window.statusBar().addPermanentWidget(self.cursor_readout)
        view.siteHovered.connect(self._show_value_at)
        # The newest sample is the selected one: its ring, its channels, Del deletes it.
        self.controller.sampleAdded.connect(lambda sample_id: view.select("sample", sample_id))
        self.controller.settingsNeeded.connect(self._offer_settings)
        self._last_project: Project | None = None
        self._samples_changed()

    def _offer_settings(self, reason: str, settings_uri: str) -> None:
        # Windows 11 24H2+ Location consent: the first scan is where an installer meets it.
        dialogs.offer_settings_page(
            self.window, "Wi-Fi scanning needs Location", reason, settings_uri, "Open Location settings"
        )

    def _show_value_at(self, x_m: float, y_m: float) -> None:
        self.cursor_readout.setText(value_under_cursor_text(self.controller.layer, x_m, y_m))

    # -- samples as pickables of the Select tool ----------------------------------------------------
    def _sample_at(self, x_m: float, y_m: float, tolerance_m: float) -> int | None:
        return self.overlay.sample_near(x_m, y_m, tolerance_m)

    def _sample_position(self, sample_id: int) -> tuple[float, float] | None:
        sample = self._samples_by_id.get(sample_id)
        return None if sample is None else (sample.x_m, sample.y_m)

    def describe_sample(self, sample_id: int) -> str:
        """ "Sample 4 of 'Before' at x 3.2 m, y 1.0 m: -61.0 dBm (Target network)"."""
        sample = self._samples_by_id.get(sample_id)
        survey = self.controller.survey
        if sample is None or survey is None:
            return ""
        number = next(n for n, s in enumerate(survey.samples, 1) if s.id == sample_id)
        return sample_description_text(
            number,
            survey.name,
            sample,
            self.window.session.project.units,
            self.overlay.kind,
            self.overlay.value(sample_id),
        )

    def _file_changed(self) -> None:
        self.controller.cancel()
        self.controller.scanner = None
        # A fit still running for the old file must not draw its map over the new plan.
        self.controller.fitter.discard_pending()
        self.controller.heatmaps.clear()  # survey ids of another file mean other samples
        self.controller.layer = None

    def _project_changed(self) -> None:
        self.controller.forget_scanner_if_changed()
        project = self.window.session.project
        # Walls, devices, floorplan or target changed: the map depends on all of them.
        if self._last_project is not project:
            self._last_project = project
            self.controller.refresh_layer()

    def _samples_changed(self) -> None:
        project = self.window.session.project
        survey = project.active_survey
        # Samples in a survey are read from the file, so each has its id (the dots are keyed by it).
        samples = survey.samples if survey else ()
        self._samples_by_id = {s.id: s for s in samples if s.id is not None}
        xy = np.array([(s.x_m, s.y_m) for s in self._samples_by_id.values()], dtype=float).reshape(-1, 2)
        missing = {i: s for i, s in self._samples_by_id.items() if not self.overlay.has_value(i)}
        values: dict[int, float | None] = {}
        if len(missing) <= MAX_VALUES_ON_UI_THREAD:
            kind, target, channel = self.controller.sample_context()
            values = {i: sample_value(kind, s, target, channel) for i, s in missing.items()}
        self.overlay.set_samples(xy, list(self._samples_by_id), values)
        self.window.view.refresh_selection()


def install(window: MainWindow) -> SurveyFeature:
    """Add the survey walk to a main window (called once by ``survey.ui.compose``)."""
    feature = SurveyFeature(window)
    window.add_side_panel("Survey", feature.panel)
    window.add_side_panel("Channels", feature.channels)
    controller = feature.controller

    tool_action = window.add_tool(feature.tool, "Survey", "S")

    def tool_button_toggled(on: bool) -> None:
        if on == tool_action.isChecked():
            return
        if on:
            tool_action.trigger()
        else:
            # In an exclusive tool group an action cannot be unchecked by itself: pressing
            # the lit button again hands over to the Select tool, as Esc does in editors.
            window.activate_tool("select")

    feature.panel.tool_button.toggled.connect(tool_button_toggled)
    tool_action.toggled.connect(feature.panel.set_tool_active)
    feature.panel.set_tool_active(tool_action.isChecked())

    menu = window.tools_menu
    menu.addSeparator()
    for text, slot, shortcut in (
        ("New survey phase...", feature.panel._ask_new_phase, None),
        ("Target network...", feature.panel._choose_target, None),
        ("Survey settings...", feature.panel._edit_settings, None),
        ("Cancel scan", controller.cancel, None),
        ("Retry last scan", controller.retry, None),
    ):
        action = QAction(text, window)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        menu.addAction(action)
    feature.panel.refresh()
    if window.session.is_open and controller.scanner_name == SIMULATED:
        # `evsurvey demo`: open ready to survey. After the window's own start-up, which
        # selects the Select tool last.
        from PySide6.QtCore import QTimer

        def ready():
            window.show_side_panel(feature.panel)
            tool_action.trigger()
            window.show_status("Demo: simulated scanner. Click where you stand on the plan to take a sample.", 0)

        QTimer.singleShot(0, ready)
    return feature
