"""The Analysis side panel: verdict at the charger, findings, where to put the fix, checklist.

A thin view over :func:`survey.analysis.recommend.recommend`. Clicking a ladder option
shows its placement and the predicted map after the change on the site view; the marker
can be dragged and the map follows (throttled). Every text that may hold an SSID is shown
as plain text (labels with ``Qt.TextFormat.PlainText``, list items, a plain-text box), never as markup.

The recommendation (calibration, verdict, ladder: up to ~250 ms, and ~2 s for its first
imports of scipy) runs in a :class:`survey.ui.survey_worker.LatestOnlyWorker`
thread, never on the UI thread (DESIGN.md: the UI thread is never blocked > 50 ms); the
newest request wins and its result is applied on the UI thread. The preview map of a
dragged device is computed by a second such worker: one update measured 4-6 ms on the demo
site but ~45 ms at the live grid's cap (40 000 cells), too much to repeat at 12 Hz on the
UI thread; only ``setImage`` of the finished image stays there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from survey.analysis.readouts import signal_map_text
from survey.errors import EvSurveyError
from survey.project.display import display_ssid, escape_text
from survey.project.model import ChargerProfile, Device, Project
from survey.project.profiles import load_profiles
from survey.project.units import format_dbm
from survey.report import colormap
from survey.ui.survey_heatmap import SmoothImageItem, SurveyOverlay
from survey.ui.survey_layers import image_rect_m, rssi_rgba
from survey.ui.survey_worker import LatestOnlyWorker

if TYPE_CHECKING:
    from survey.analysis.fit_cache import FitCache
    from survey.analysis.placement import Option
    from survey.analysis.radio import RadioModel
    from survey.analysis.recommend import Recommendation
    from survey.rf.propagation import SiteGrid
    from survey.ui.main_window import MainWindow

# survey.analysis.placement/radio/recommend are imported where they are used: they load
# scipy (rf.calibration, rf.interpolation), ~2 s on a 2-core laptop, which must not delay
# the window (DESIGN.md: shown <= 2 s). The panel computes only once it is first shown, and
# the first import happens in the worker thread (see panel_recommendation); the UI thread
# uses these modules only once a result has arrived, when they are loaded.

log = logging.getLogger(__name__)

#: Recompute after the project settles (walls dragged, samples arriving) rather than per edit.
RECOMPUTE_DELAY_MS = 300
#: While a planned device is dragged the map is recomputed at most this often (~12 Hz):
#: the predicted grid takes a few ms, so this keeps the drag smooth on a 2-core laptop.
DRAG_THROTTLE_MS = 80
#: Above the survey heatmap (z -50), below walls and devices.
PREVIEW_Z = -40
#: Share of the survey map's opacity the preview is drawn with (it covers the whole site).
PREVIEW_OPACITY = 0.7
ETHERNET_SETTING = "ethernet_can_be_run"
#: The reading box's minimum, shown as "not entered" (no charger reports below -100 dBm).
READING_NONE_DBM = -101.0
CHECKLIST_SETTING = "checklist_ticked"

SEVERITY_WORDS = {"critical": "Must fix", "warning": "Should fix", "info": "Note"}
CHECK_WORDS = {"ok": "OK", "action": "to do", "check": "check on site"}


def option_line(number: int, option) -> str:
    """One remedy in the list: "3. Mesh node: recommended, cost $$, -57.1 dBm at the charger"."""
    from survey.analysis.placement import STATUS_WORDS

    parts = [STATUS_WORDS[option.status]]
    if option.cost_class:
        parts.append(f"cost {option.cost_class}")
    if option.predicted_charger_rssi_dbm is not None:
        parts.append(f"{format_dbm(option.predicted_charger_rssi_dbm)} at the charger")
    return f"{number}. {option.title}: " + ", ".join(parts)


@dataclass(frozen=True)
class PanelRequest:
    """The project to analyse and the window's shared fits (the live map's too)."""

    project: Project
    fits: FitCache | None = None


@dataclass(frozen=True)
class PanelResult:
    """What the worker thread hands back: the profile used and the recommendation, or why not."""

    project: Project
    profile: ChargerProfile
    recommendation: Recommendation | None
    error: str | None = None


def panel_recommendation(request: PanelRequest) -> PanelResult:
    """The recommendation for the survey shown in the window (the project's active survey),
    from the same analysis the live map shows. Runs in the worker thread: the project is a
    frozen value, and nothing here touches Qt."""
    from survey.analysis.recommend import project_profile, recommend

    project = request.project
    profile = project_profile(project)
    try:
        rec = recommend(project, project.active_survey, profile, cache=request.fits)
        # rec.profile carries the offset the charger's own reading set, when one was entered.
        return PanelResult(project, rec.profile, rec)
    except EvSurveyError as exc:  # bad input the installer can fix: say what, not a traceback
        return PanelResult(project, profile, None, str(exc))


@dataclass(frozen=True)
class PreviewRequest:
    """The predicted map after adding ``device``, on ``grid``, with the site's radio model."""

    model: RadioModel
    project: Project
    device: Device
    grid: SiteGrid
    #: The charger profile's reception offset (dB); None: no charger reading is wanted.
    reception_offset_db: float | None
    #: The marker was dragged (the panel then reports the charger's new predicted RSSI).
    moved: bool = False


@dataclass(frozen=True)
class Preview:
    rgba: np.ndarray  # (H, W, 4) uint8, upsampled for display
    rect_m: tuple[float, float, float, float]  # x, y, width, height the image covers
    at_charger_dbm: float | None  # predicted at the charger, as the charger hears it


def render_preview(request: PreviewRequest) -> Preview:
    """Compute a preview map. Runs in the worker thread (pure numpy, no Qt)."""
    from survey.analysis.radio import coverage_grid_dbm, coverage_with

    project, device = request.project, request.device
    values = coverage_grid_dbm(request.model, project, [device], request.grid)
    rgba = rssi_rgba(values, np.full(values.shape, PREVIEW_OPACITY))
    charger = project.charger
    at_charger = None
    if charger is not None and request.reception_offset_db is not None:
        at_charger = float(
            coverage_with(request.model, project, [device], [(charger.x_m, charger.y_m)])[0]
            - request.reception_offset_db
        )
    return Preview(rgba, image_rect_m(request.grid), at_charger)


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class AnalysisPanel(QWidget):
    """The panel. ``window`` provides ``session``, ``view`` and ``fits`` (see survey.ui.main_window)."""

    #: A recommendation (or the reason there is none) was shown; emitted on the UI thread.
    resultApplied = Signal()

    def __init__(
        self, window: MainWindow, parent: QWidget | None = None, *, survey_overlay: SurveyOverlay | None = None
    ):
        super().__init__(parent)
        self.main_window = window
        #: The live survey map, hidden while a preview is shown (None: no survey feature).
        self.survey_overlay = survey_overlay
        self.session = window.session
        self.view = window.view
        self.recommendation: Recommendation | None = None
        self.model: RadioModel | None = None
        self.selected_option: Option | None = None
        self._dragged_xy: tuple[float, float] | None = None
        self._grid: SiteGrid | None = None
        self._stale = True

        layout = QVBoxLayout(self)
        self.verdict_label = _plain_label("—")
        self.verdict_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.verdict_label.font()
        font.setPointSize(font.pointSize() + 10)
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.verdict_label.setObjectName("verdict")
        layout.addWidget(self.verdict_label)
        self.computing_label = _plain_label("Computing…")
        self.computing_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.computing_label.setVisible(False)
        layout.addWidget(self.computing_label)
        self.verdict_detail = _plain_label()
        layout.addWidget(self.verdict_detail)

        settings = QFormLayout()
        self.profile_combo = QComboBox()
        self.offset_spin = QDoubleSpinBox()
        self.offset_spin.setRange(0.0, 20.0)
        self.offset_spin.setSingleStep(0.5)
        self.offset_spin.setSuffix(" dB")
        self.offset_spin.setToolTip(
            "How many dB worse the charger hears than the laptop (an assumption; "
            "see the profile's notes). Stored with this project."
        )
        self.ethernet_check = QCheckBox("Ethernet can be run to the garage")
        # The charger's own RSSI at its mounting point; the minimum stands for "not entered".
        self.reading_spin = QDoubleSpinBox()
        self.reading_spin.setRange(READING_NONE_DBM, -10.0)
        self.reading_spin.setDecimals(1)
        self.reading_spin.setSingleStep(1.0)
        self.reading_spin.setSuffix(" dBm")
        self.reading_spin.setSpecialValueText("not entered")
        self.reading_spin.setValue(READING_NONE_DBM)
        self.reading_spin.setToolTip(
            "The signal strength the charger itself reports at its mounting point (its app, "
            "Home Assistant, OCPP diagnostics), read during the survey shown. It sets this "
            "site's reception offset. Stored with this project."
        )
        settings.addRow("Charger", self.profile_combo)
        settings.addRow("Reception offset", self.offset_spin)
        settings.addRow("Charger's own reading", self.reading_spin)
        settings.addRow(self.ethernet_check)
        layout.addLayout(settings)
        # Enabled by the first result: their handlers use survey.analysis.recommend, whose
        # first import (seconds) must happen in the worker thread, not behind a click.
        for widget in (self.profile_combo, self.offset_spin, self.reading_spin, self.ethernet_check):
            widget.setEnabled(False)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.findings_list = QListWidget()
        self.options_list = QListWidget()
        self.checklist_list = QListWidget()
        for title, list_widget in (
            ("Findings", self.findings_list),
            ("Where to put the fix", self.options_list),
            ("Network checklist", self.checklist_list),
        ):
            # Findings and checklist items are sentences: wrap them in the narrow side panel
            # instead of cutting them off behind a horizontal scroll bar.
            list_widget.setWordWrap(True)
            list_widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            list_widget.setResizeMode(QListWidget.ResizeMode.Adjust)
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(list_widget)
            splitter.addWidget(box)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a finding or an option to see its evidence and fix.")
        splitter.addWidget(self.detail)
        layout.addWidget(splitter, 1)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add to plan")
        self.add_button.setToolTip("Add the selected option's device to the plan as a planned device")
        self.add_button.setEnabled(False)
        self.refresh_button = QPushButton("Recompute")
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.refresh_button)
        layout.addLayout(buttons)

        # Preview on the site view: the predicted map after the change and a draggable marker.
        self.preview_image = SmoothImageItem(axisOrder="row-major")
        self.preview_image.setZValue(PREVIEW_Z)
        self.preview_image.setVisible(False)
        self.view.viewbox.addItem(self.preview_image)
        fix_fill = pg.mkColor(colormap.PLANNED_FIX_COLOUR)
        fix_fill.setAlpha(90)
        self.marker = pg.TargetItem(
            pos=(0, 0),
            size=18,
            movable=True,
            symbol="s",
            pen=pg.mkPen(colormap.PLANNED_FIX_COLOUR, width=2),
            brush=pg.mkBrush(fix_fill),
        )
        self.marker.setZValue(40)
        self.marker.setVisible(False)
        self.view.viewbox.addItem(self.marker)

        self._recompute_timer = QTimer(self, singleShot=True, interval=RECOMPUTE_DELAY_MS)
        self._recompute_timer.timeout.connect(self.recompute)
        self._drag_timer = QTimer(self, singleShot=True, interval=DRAG_THROTTLE_MS)
        self._drag_timer.timeout.connect(self._update_drag_preview)
        self.worker = LatestOnlyWorker(panel_recommendation, self)
        self.worker.done.connect(self._on_analysis_done)
        self.worker.error.connect(self._on_analysis_failed)
        # The preview map too: at the grid cap (40 000 cells, 0.6 Mpixel upsampled) one
        # update costs ~45 ms, too close to the budget to repeat at 12 Hz on the UI thread.
        self.preview_worker = LatestOnlyWorker(render_preview, self)
        self.preview_worker.done.connect(self._on_preview_done)
        self.preview_worker.error.connect(
            lambda _request, reason: self.detail.appendPlainText(f"The predicted map failed: {reason}")
        )

        self.refresh_button.clicked.connect(self.recompute)
        self.add_button.clicked.connect(self._add_to_plan)
        self.options_list.currentRowChanged.connect(self._on_option_selected)
        self.findings_list.currentRowChanged.connect(self._on_finding_selected)
        self.checklist_list.itemChanged.connect(self._on_checklist_ticked)
        self.checklist_list.currentRowChanged.connect(self._on_checklist_selected)
        self.profile_combo.activated.connect(self._on_profile_chosen)
        self.offset_spin.editingFinished.connect(self._on_offset_edited)
        self.reading_spin.editingFinished.connect(self._on_reading_edited)
        self.ethernet_check.toggled.connect(self._on_ethernet_toggled)
        self.marker.sigPositionChanged.connect(self._on_marker_moved)
        self.session.fileChanged.connect(self._on_file_changed)
        for signal in (self.session.projectChanged, self.session.samplesChanged):
            signal.connect(self.schedule_recompute)
        self._fill_profiles()

    # -- computing ----------------------------------------------------------------------------
    def schedule_recompute(self) -> None:
        # A hidden panel only notes that it is stale: the analysis (~150 ms) must not run on
        # the UI thread after every sample of a walk nobody is looking at.
        if self.isVisible():
            self._recompute_timer.start()
        else:
            self._stale = True

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._recompute_timer.start()

    def recompute(self) -> None:
        """Start the analysis of the session's project (also the Recompute button); the
        result arrives later through :meth:`_on_analysis_done` (then :attr:`resultApplied`)."""
        self._recompute_timer.stop()
        self._stale = False
        # Newest request wins: a result for an older state of the project is of no use once
        # a newer one is asked for, so it is dropped rather than flashed on screen.
        self.worker.discard_pending()
        self.worker.submit(PanelRequest(self.session.project, self.main_window.fits))
        self.computing_label.setVisible(True)

    def _on_file_changed(self) -> None:
        # Another file (or none): anything computed or shown for the old one is about another
        # site. Drop it now rather than show it until the new file's analysis lands.
        self.worker.discard_pending()
        self.computing_label.setVisible(False)
        self.recommendation = None
        self.model = None
        self.selected_option = None
        self._grid = None
        self._show_error("")
        self.schedule_recompute()

    def _on_analysis_done(self, _request: PanelRequest, result: PanelResult) -> None:
        self.computing_label.setVisible(False)
        self._sync_controls(result.project, result.profile)
        self.recommendation = result.recommendation
        self.model = None if result.recommendation is None else result.recommendation.model
        self._grid = None
        if result.recommendation is None:
            self._show_error(result.error or "")
        else:
            self._show(result.recommendation)
        self.resultApplied.emit()

    def _on_analysis_failed(self, _request: PanelRequest, reason: str) -> None:
        # A bug, not bad input (that comes back as PanelResult.error): the log has the traceback.
        self.computing_label.setVisible(False)
        self.recommendation = None
        self.model = None
        self._show_error(f"The analysis failed: {reason}")
        self.resultApplied.emit()

    def _show_error(self, message: str) -> None:
        self.verdict_label.setText("—")
        self.verdict_label.setStyleSheet("")
        self.verdict_detail.setText(message)
        for widget in (self.findings_list, self.options_list, self.checklist_list):
            widget.clear()
        self._clear_preview()

    def _show(self, rec: Recommendation) -> None:
        from survey.analysis.placement import CHOSEN

        v = rec.verdict
        self.verdict_label.setText(
            (v.status if v.rssi_at_charger_dbm is None else f"{v.status}  {format_dbm(v.rssi_at_charger_dbm)}")
            + (f"\n{v.link_words}" if v.link_words else "")
        )
        self.verdict_label.setStyleSheet(
            f"QLabel#verdict {{ color: white; background: {colormap.verdict_colour(v.status)}; "
            "border-radius: 6px; padding: 8px; }"
        )
        target = display_ssid(rec.target_ssid) if rec.target_ssid is not None else "none"
        margin = (
            f"Margin {v.margin_db:+.1f} dB to -65 dBm, confidence {v.confidence}. " if v.margin_db is not None else ""
        )
        signal_map = signal_map_text(rec.analysis)
        signal_map = f" Signal map: {signal_map}." if signal_map is not None else ""
        self.verdict_detail.setText(
            f"Target: {target} ({escape_text(rec.target_note)}). {margin}{v.explanation}{signal_map}"
        )

        self.findings_list.clear()
        for f in rec.findings:
            QListWidgetItem(f"{SEVERITY_WORDS.get(f.severity, f.severity)}: {escape_text(f.title)}", self.findings_list)
        if not rec.findings:
            QListWidgetItem("No problems found in the scans.", self.findings_list)

        previous_kind = self.selected_option.kind if self.selected_option is not None else None
        self.options_list.blockSignals(True)
        self.options_list.clear()
        for n, o in enumerate(rec.options, 1):
            item = QListWidgetItem(option_line(n, o), self.options_list)
            if o.status == CHOSEN:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
        self.options_list.blockSignals(False)

        ticked = set(self.session.project.settings.get(CHECKLIST_SETTING, []) or [])
        self.checklist_list.blockSignals(True)
        self.checklist_list.clear()
        for c in rec.checklist:
            item = QListWidgetItem(f"{c.title} ({CHECK_WORDS[c.status]})", self.checklist_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            done = c.code in ticked or c.status == "ok"
            item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, c.code)
        self.checklist_list.blockSignals(False)

        kinds = [o.kind for o in rec.options]
        if previous_kind in kinds:
            self.options_list.setCurrentRow(kinds.index(previous_kind))
        else:
            self._clear_preview()

    # -- option preview ------------------------------------------------------------------------
    def _on_option_selected(self, row: int) -> None:
        rec = self.recommendation
        if rec is None or not 0 <= row < len(rec.options):
            self.selected_option = None
            self._clear_preview()
            return
        option = rec.options[row]
        self.selected_option = option
        self._dragged_xy = None
        from survey.analysis.placement import STATUS_WORDS

        cost = f", cost {option.cost_class}" if option.cost_class else ""
        lines = [f"{option.title}: {STATUS_WORDS[option.status]}{cost}", "", option.reason]
        if option.xy_m is not None:
            from survey.project.rooms import describe_place
            from survey.project.units import format_length

            units = self.session.project.units
            lines.append(
                f"Where: {describe_place(self.session.project, option.xy_m)} "
                f"(x {format_length(option.xy_m[0], units)}, y {format_length(option.xy_m[1], units)})"
            )
        if option.predicted_charger_rssi_dbm is not None:
            lines.append(f"Predicted at the charger after the change: {format_dbm(option.predicted_charger_rssi_dbm)}")
        if option.backhaul_rssi_dbm is not None:
            lines.append(f"Backhaul from the router: {format_dbm(option.backhaul_rssi_dbm)}")
        lines += [f"Condition: {c}" for c in option.conditions]
        self.detail.setPlainText("\n".join(lines))
        from survey.analysis.recommend import option_device

        device = option_device(option)
        self.add_button.setEnabled(device is not None)
        if device is None:
            self._clear_preview()
            return
        self.marker.blockSignals(True)
        self.marker.setPos(device.x_m, device.y_m)
        self.marker.blockSignals(False)
        self.marker.setVisible(True)
        self.preview_worker.discard_pending()  # the previous option's map must not land after this one's
        self._draw_preview(device)

    def _preview_device(self) -> Device | None:
        from survey.analysis.recommend import option_device

        option = self.selected_option
        device = option_device(option) if option is not None else None
        if device is not None and self._dragged_xy is not None:
            device = replace(device, x_m=self._dragged_xy[0], y_m=self._dragged_xy[1])
        return device

    def _draw_preview(self, device: Device, moved: bool = False) -> None:
        """Ask for the predicted map with ``device`` added; :meth:`_on_preview_done` draws it.

        ``moved``: the marker was dragged, so the charger's new predicted RSSI is reported.
        """
        if self.model is None:
            return
        project = self.session.project
        if self._grid is None:
            from survey.analysis.survey_analysis import analysis_grid  # loaded by the first result

            self._grid = analysis_grid(project)
        offset_db = None if self.recommendation is None else self.recommendation.profile.reception_offset_db
        self.preview_worker.submit(PreviewRequest(self.model, project, device, self._grid, offset_db, moved))

    def _on_preview_done(self, request: PreviewRequest, preview: Preview) -> None:
        # Lighter than the survey map so the plan and the proposed spot stay visible under it.
        self.preview_image.setImage(preview.rgba, autoLevels=False)
        self.preview_image.setRect(QRectF(*preview.rect_m))
        self.preview_image.setVisible(True)
        self._show_survey_map(False)
        device = request.device
        if request.moved and preview.at_charger_dbm is not None:
            self.detail.appendPlainText(
                f"Moved to ({device.x_m:.1f}, {device.y_m:.1f}) m: the model predicts "
                f"{format_dbm(preview.at_charger_dbm)} "
                "at the charger (reception offset included)."
            )

    def _on_marker_moved(self) -> None:
        pos = self.marker.pos()
        self._dragged_xy = (float(pos.x()), float(pos.y()))
        if not self._drag_timer.isActive():
            self._drag_timer.start()

    def _update_drag_preview(self) -> None:
        device = self._preview_device()
        if device is not None:
            self._draw_preview(device, moved=True)

    def _show_survey_map(self, visible: bool) -> None:
        # The preview replaces the measured map while it is shown: two translucent maps
        # on top of each other mix their colours into neither.
        if self.survey_overlay is not None:
            self.survey_overlay.set_heatmap_visible(visible)

    def _clear_preview(self) -> None:
        # A preview still being computed belongs to the option (or file) being left.
        self.preview_worker.discard_pending()
        if self.preview_image.isVisible():
            self._show_survey_map(True)
        self.preview_image.setVisible(False)
        self.marker.setVisible(False)
        self.add_button.setEnabled(False)

    def _add_to_plan(self) -> None:
        device = self._preview_device()
        if device is None or not self.session.is_open:
            return
        if self.selected_option is not None and self.selected_option.kind == "move_router":
            router = self.session.project.router
            if router is not None:
                self.session.update_device(replace(router, x_m=device.x_m, y_m=device.y_m), "Move the router")
            return
        self.session.add_device(replace(device, id=None), f"Plan {device.kind.label.lower()}")

    # -- findings / checklist ------------------------------------------------------------------
    def _on_finding_selected(self, row: int) -> None:
        rec = self.recommendation
        if rec is None or not 0 <= row < len(rec.findings):
            return
        f = rec.findings[row]
        self.detail.setPlainText(
            f"{escape_text(f.title)} ({SEVERITY_WORDS.get(f.severity, f.severity).lower()})\n\n"
            f"Evidence: {escape_text(f.evidence)}\n\nFix: {escape_text(f.fix)}"
        )

    def _on_checklist_selected(self, row: int) -> None:
        rec = self.recommendation
        if rec is None or not 0 <= row < len(rec.checklist):
            return
        c = rec.checklist[row]
        source = "pre-filled from the scans" if c.from_scans else "to check on site"
        self.detail.setPlainText(f"{c.title} — {c.status} ({source})\n\n{c.detail}")

    def _on_checklist_ticked(self, item: QListWidgetItem) -> None:
        if not self.session.is_open:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        ticked = set(self.session.project.settings.get(CHECKLIST_SETTING, []) or [])
        if item.checkState() == Qt.CheckState.Checked:
            ticked.add(code)
        else:
            ticked.discard(code)
        self.session.set_setting(CHECKLIST_SETTING, sorted(ticked), "Tick checklist item")

    # -- settings ------------------------------------------------------------------------------
    def _fill_profiles(self) -> None:
        self.profile_combo.clear()
        for profile in load_profiles():
            suffix = " (user)" if profile.user_defined else ""
            self.profile_combo.addItem(profile.name + suffix, profile.id)

    def _sync_controls(self, project: Project, profile: ChargerProfile) -> None:
        from survey.analysis.survey_analysis import charger_reading_setting

        controls = (self.profile_combo, self.offset_spin, self.reading_spin, self.ethernet_check)
        for widget in controls:
            widget.blockSignals(True)
        index = self.profile_combo.findData(project.charger_profile_id)
        self.profile_combo.setCurrentIndex(max(index, 0))
        self.offset_spin.setValue(profile.reception_offset_db)
        reading = charger_reading_setting(project)
        self.reading_spin.setValue(READING_NONE_DBM if reading is None else reading.rssi_dbm)
        self.ethernet_check.setChecked(bool(project.settings.get(ETHERNET_SETTING, False)))
        for widget in controls:
            widget.blockSignals(False)
        enabled = self.session.is_open
        for widget in controls:
            widget.setEnabled(enabled)
        # The charger's reading sets the offset: the offset box shows it but cannot override it.
        self.offset_spin.setEnabled(enabled and reading is None)

    def _on_profile_chosen(self, index: int) -> None:
        from survey.analysis.survey_analysis import OFFSET_SETTING

        profile_id = self.profile_combo.itemData(index)
        if self.session.is_open and profile_id and profile_id != self.session.project.charger_profile_id:
            self.session.set_charger_profile(profile_id)
            if OFFSET_SETTING in self.session.project.settings:
                # A new model brings its own offset; the site override belonged to the old one.
                self.session.set_setting(OFFSET_SETTING, None, "Reset reception offset")

    def _on_offset_edited(self) -> None:
        from survey.analysis.survey_analysis import OFFSET_SETTING, project_profile

        if not self.session.is_open:
            return
        value = round(float(self.offset_spin.value()), 1)
        if value != project_profile(self.session.project).reception_offset_db:
            self.session.set_setting(OFFSET_SETTING, value, "Change reception offset")

    def _on_reading_edited(self) -> None:
        from survey.analysis.survey_analysis import CHARGER_READING_SETTING, with_charger_reading

        if not self.session.is_open:
            return
        project = self.session.project
        value = round(float(self.reading_spin.value()), 1)
        reading = None if value <= READING_NONE_DBM else value
        survey = project.active_survey
        updated = with_charger_reading(project, reading, survey.name if survey is not None else "")
        new = updated.settings.get(CHARGER_READING_SETTING)
        if new != project.settings.get(CHARGER_READING_SETTING):
            self.session.set_setting(CHARGER_READING_SETTING, new, "Enter the charger's own reading")

    def _on_ethernet_toggled(self, checked: bool) -> None:
        if self.session.is_open:
            self.session.set_setting(ETHERNET_SETTING, bool(checked), "Change Ethernet availability")


def install(window, survey_overlay: SurveyOverlay | None) -> AnalysisPanel:
    """Add the Analysis side panel; *survey_overlay* is the live map it hides under a preview."""
    panel = AnalysisPanel(window, survey_overlay=survey_overlay)
    window.add_side_panel("Analysis", panel)
    return panel
