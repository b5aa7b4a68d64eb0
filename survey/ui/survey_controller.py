"""The survey walk's controller: the Qt adapter between the scan runner, the session and the views.

What becomes a sample is :mod:`survey.scan.sampling`'s (acceptance, staleness, walk
placement); this module holds the scanner in use, runs it in
:class:`survey.ui.survey_worker.ScanRunner` (never on the UI thread), pushes each accepted
sample as an undoable command (:mod:`survey.ui.survey_commands`), asks the live map's
worker for a fresh layer after each edit and says what happened in signals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from survey.analysis.fit_cache import FitCache
from survey.analysis.map_layer import LayerKind
from survey.analysis.readouts import sample_saved_text
from survey.analysis.target import project_target, sample_observations, target_rssi_at_sample
from survey.errors import EvSurveyError
from survey.project.edits import RenameSurvey
from survey.project.model import Sample, SampleMode, ScanResult, TargetNetwork
from survey.project.survey_devices import with_record
from survey.scan.sampling import NothingHeard, ScanRefused, Walk, Waypoint, accept_point, first_hold
from survey.ui.site_tools import SiteTool
from survey.ui.survey_commands import (
    AddSampleCommand,
    DeleteSampleCommand,
    MoveSampleCommand,
    SampleIds,
    SetTargetCommand,
)
from survey.ui.survey_heatmap import SurveyOverlay
from survey.ui.survey_layers import LayerImage, LayerRequest, compute_layer
from survey.ui.survey_settings import (
    AUTO,
    SCANNER_SETTING,
    SIMULATED,
    SurveySettings,
    any_real_backend_usable,
    backend_rows,
    project_scanner,
)
from survey.ui.survey_worker import LatestOnlyWorker, ScanRunner

log = logging.getLogger(__name__)

#: Delay (ms) between an edit and the start of the map's fit (see refresh_layer): a frame or
#: two, nothing a person waits for.
FIT_DELAY_MS = 60


class NoScanner(EvSurveyError):
    """No scanner could be made; the message says how to choose one."""


def make_scanner(name: str, project):
    """A scanner by name: "simulated" (computed from the project's plan), "auto" or a backend."""
    if name == SIMULATED:
        from survey.scan.simulated import SimulatedScanner

        return SimulatedScanner(project)
    from survey.scan.registry import make_scanner as registry_make_scanner

    return registry_make_scanner(name)


# -- the tool on the site view ----------------------------------------------------------------


class SurveyTool(SiteTool):
    """Click where you stand (or press Space at the cursor) to sample; in a walk, click turns."""

    name = "survey"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, window, controller: SurveyController):
        super().__init__(window)
        self.controller = controller
        self.last_hover: tuple[float, float] | None = None

    def click(self, x_m, y_m, button, modifiers, double) -> bool:
        if button != Qt.MouseButton.LeftButton:
            return False
        self.controller.click_at(x_m, y_m, double=double)
        return True

    def hover(self, x_m, y_m, modifiers) -> None:
        self.last_hover = (x_m, y_m)

    def key(self, key, modifiers) -> bool:
        if key == Qt.Key.Key_Space and self.last_hover is not None:
            self.controller.click_at(*self.last_hover)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.controller.walking:
            self.controller.finish_walk()
            return True
        if key == Qt.Key.Key_Escape and self.controller.runner.busy:
            self.controller.cancel()
            return True
        return False


# -- the controller -----------------------------------------------------------------------------


class SurveyController(QObject):
    """Sampling logic between the scan runner, the session and the views (no widgets of its own)."""

    sampleAdded = Signal(int)  # sample id
    layerUpdated = Signal(object)  # LayerImage
    busyChanged = Signal(bool, str)  # busy, what
    message = Signal(str)  # for the status bar
    retryAvailable = Signal(bool)
    settingsNeeded = Signal(str, str)  # reason, URI of the OS settings page (ScanRunner.settingsNeeded)

    def __init__(self, window, overlay: SurveyOverlay, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.session = window.session
        self.overlay = overlay
        self.settings = SurveySettings.load()
        self.scanner = None
        self._scanner_site_key: tuple | None = None
        self._scanner_made_for: str | None = None  # the name self.scanner was made for (None: set from outside)
        self.runner = ScanRunner(self)
        self.runner.pointDone.connect(self._on_point_done)
        self.runner.walkScan.connect(self._on_walk_scan)
        self.runner.failed.connect(self._on_failed)
        self.runner.settingsNeeded.connect(self.settingsNeeded)
        self.runner.jobEnded.connect(self._on_job_ended)
        self.runner.scanProgress.connect(self._on_progress)
        self.layer_kind = LayerKind.TARGET
        self.layer: LayerImage | None = None
        self._serial = 0
        #: Fits by their samples, shared with the Analysis panel's worker: a layer switch, the
        #: charger readout and the verdict reuse one fit instead of making their own.
        self.heatmaps = getattr(window, "fits", None) or FitCache()
        self.fitter = LatestOnlyWorker(compute_layer, self)
        self._fit_timer = QTimer(self, singleShot=True, interval=FIT_DELAY_MS)
        self._fit_timer.timeout.connect(self._submit_fit)
        self.fitter.done.connect(self._on_layer_done)
        self.fitter.error.connect(lambda _req, reason: self.message.emit(f"Heatmap not updated: {reason}"))
        self.mode = SampleMode.POINT
        self.clock: Callable[[], float] = time.time
        self.pending_xy: tuple[float, float] | None = None
        self.retry_xy: tuple[float, float] | None = None
        #: Where the last point scan heard nothing: a retry there saves a dead spot.
        self._nothing_heard_at: tuple[float, float] | None = None
        #: The continuous walk (survey.scan.sampling.Walk): its clicks and the scans not placed yet.
        self.walk = Walk()
        #: Sample ids across undo/redo (see SampleIds), shared by every sample command.
        self.sample_ids = SampleIds()
        self._last_target_scan: tuple = ()
        #: Features that make the next sample wait (e.g. a link test still measuring): each
        #: says why in words, or "" when it does not hold sampling up.
        self.sampling_blockers: list[Callable[[], str]] = []

    # -- scanner ------------------------------------------------------------------------------
    @property
    def scanner_name(self) -> str:
        """The backend samples are taken with: ``--scanner`` on the command line for this
        session, else the project's own choice (Survey settings)."""
        override = getattr(self.window, "scanner_name", AUTO) or AUTO
        if override != AUTO:
            return override
        return project_scanner(self.session.project) if self.session.is_open else AUTO

    def choose_scanner(self, name: str) -> None:
        """Survey this project with backend ``name`` from the next sample on (one undoable
        step, stored in the project)."""
        if name != project_scanner(self.session.project):
            self.session.set_setting(SCANNER_SETTING, name, "Choose scanner")

    def set_scanner(self, scanner) -> None:
        """Use this scanner object from now on (tests and the settings dialog)."""
        self.scanner = scanner
        self._scanner_made_for = None
        self._scanner_site_key = None

    def ensure_scanner(self):
        if self.scanner is not None:
            return self.scanner
        name = self.scanner_name
        try:
            self.scanner = make_scanner(name, self.session.project)
            self._scanner_made_for = name
            self._scanner_site_key = None
        except Exception as exc:  # a backend that cannot start must be reported, not crash the click
            rows = backend_rows()
            extra = (
                ""
                if any_real_backend_usable(rows)
                else (" No Wi-Fi adapter was found: choose 'Simulated scanner' in Survey settings to try the demo.")
            )
            raise NoScanner(f"No scanner ({name}): {exc}.{extra}") from exc
        return self.scanner

    def sync_scanner(self) -> None:
        """Give a scanner that models the plan (the simulated one) the plan as it is now.

        Placing a mesh node, moving the router or drawing a wall changes what the simulated
        scanner hears; without this the next samples would still describe the old site.
        Only a change of what it reads triggers it, not every sample.
        """
        set_project = getattr(self.scanner, "set_project", None)
        if not callable(set_project) or not self.session.is_open:
            return
        project = self.session.project
        key = (project.walls, project.devices, project.materials, project.target, project.settings.get("simulation"))
        if key == self._scanner_site_key:
            return
        self._scanner_site_key = key
        set_project(project)

    def forget_scanner_if_changed(self) -> None:
        """Another file, or the project's scanner setting undone or redone: make the next
        scanner afresh (a scanner set by a test or a dialog stays until then)."""
        if self.scanner is not None and self._scanner_made_for not in (None, self.scanner_name):
            self.scanner = None

    @property
    def scanner_label(self) -> str:
        name = self.scanner_name
        if name == SIMULATED:
            return "Simulated scanner (demo: values computed from the plan, not measured)"
        words = "Automatic (the first Wi-Fi backend that works)" if name == AUTO else name
        override = getattr(self.window, "scanner_name", AUTO) or AUTO
        return words + (" (--scanner on the command line)" if override != AUTO else "")

    # -- survey phase --------------------------------------------------------------------------
    @property
    def survey(self):
        return self.session.project.active_survey

    def ensure_survey(self):
        survey = self.survey
        if survey is not None:
            return survey
        return self.add_survey("Before")

    def add_survey(self, name: str):
        store = self.session._require()
        survey = store.add_survey(name)
        store.set_active_survey(survey.id)
        project = self.session.project
        # The store recorded the plan's devices for the new survey; the project says the same.
        self.session.project = with_record(
            replace(project, surveys=project.surveys + (survey,), active_survey_id=survey.id), survey.id
        )
        self.session.samplesChanged.emit()
        self.session.projectChanged.emit()
        return survey

    def rename_survey(self, survey_id: int, name: str) -> None:
        # Written at once and not undone (as it always was): the survey's name is the installer's label.
        self.session.apply(RenameSurvey(self.session.project, survey_id, name))

    def set_active_survey(self, survey_id: int) -> None:
        if survey_id == self.session.project.active_survey_id:
            return
        self.session._require().set_active_survey(survey_id)
        self.session.project = replace(self.session.project, active_survey_id=survey_id)
        self.session.samplesChanged.emit()
        self.session.projectChanged.emit()

    # -- clicks --------------------------------------------------------------------------------
    @property
    def walking(self) -> bool:
        return self.walk.walking

    @property
    def waypoints(self) -> tuple[Waypoint, ...]:
        """The clicks of the walk so far."""
        return self.walk.waypoints

    def click_at(self, x_m: float, y_m: float, double: bool = False) -> None:
        if not self.session.is_open:
            self.message.emit("Open or create a project first (File menu).")
            return
        if self.mode is SampleMode.WALK:
            self._walk_click(x_m, y_m, double)
        else:
            self.sample_point(x_m, y_m)

    def _ready_scanner(self):
        """The scanner, with a survey to write into; None (and the reason shown) when not ready."""
        waiting = first_hold(self.sampling_blockers)
        if waiting:
            self.message.emit(waiting)
            return None
        try:
            scanner = self.ensure_scanner()
            self.ensure_survey()
        except EvSurveyError as exc:
            self.message.emit(str(exc))
            return None
        return scanner

    def sample_point(self, x_m: float, y_m: float) -> None:
        if self.runner.busy:
            self.message.emit("Still scanning the last point: wait for it or press Cancel.")
            return
        scanner = self._ready_scanner()
        if scanner is None:
            return
        self.pending_xy = (x_m, y_m)
        self.retry_xy = None
        self.retryAvailable.emit(False)
        self.overlay.set_pending(self.pending_xy)
        move = getattr(scanner, "move_to", None)
        self.runner.start_point(
            scanner,
            self.settings.scans_per_point,
            self.settings.timeout_s,
            before_scan=(lambda: move(x_m, y_m)) if move else None,
        )
        self.busyChanged.emit(True, f"Scanning at ({x_m:.1f}, {y_m:.1f}) m ...")

    def retry(self) -> None:
        if self.retry_xy is not None and not self.runner.busy:
            self.sample_point(*self.retry_xy)

    def cancel(self) -> None:
        if self.runner.busy:
            self.runner.cancel("Scan cancelled; nothing was saved.")

    def _on_progress(self, job: int, done: int, wanted: int) -> None:
        if self.runner.mode == "point":
            self.busyChanged.emit(True, f"Scanning {min(done + 1, wanted)} of {wanted} ...")

    def _on_point_done(self, job: int, scans) -> None:
        xy = self.pending_xy
        self.pending_xy = None
        self.overlay.set_pending(None)
        if xy is None:
            return
        # A retry at a spot where nothing was heard confirms a dead spot (survey.scan.sampling).
        confirmed = self._nothing_heard_at is not None and xy == self._nothing_heard_at
        self._nothing_heard_at = None
        try:
            sample = accept_point(scans, xy, self.clock(), nothing_heard_ok=confirmed)
        except NothingHeard as exc:
            self._nothing_heard_at = xy
            self._scan_rejected(xy, str(exc))
            return
        except ScanRefused as exc:
            self._scan_rejected(xy, str(exc))
            return
        self._add_sample(self.ensure_survey().id, sample)

    def _scan_rejected(self, xy, reason: str) -> None:
        self.retry_xy = xy
        self.retryAvailable.emit(True)
        self.message.emit(f"No sample saved: {reason}")

    def _on_failed(self, job: int, reason: str) -> None:
        xy = self.pending_xy
        self.pending_xy = None
        self.overlay.set_pending(None)
        if self.mode is SampleMode.WALK and self.walk.waypoints:
            self.message.emit(f"Walk stopped: {reason}. Samples placed so far are saved.")
            self._end_walk_state()
            return
        self.retry_xy = xy
        self.retryAvailable.emit(xy is not None)
        self.message.emit(f"Scan failed, nothing saved: {reason}")

    def _on_job_ended(self, job: int) -> None:
        self.busyChanged.emit(False, "")
        if self.mode is SampleMode.WALK and self.walk.finished:
            self._place_walk_scans(final=True)
            self._end_walk_state()

    def _add_sample(self, survey_id: int, sample: Sample, text: str = "Take sample") -> int | None:
        command = AddSampleCommand(self.session, survey_id, sample, text, self.sample_ids)
        try:
            self.session.push(command)
        except Exception as exc:  # a write error (disk full, read-only file) must reach the installer
            log.exception("saving a sample failed")
            self.message.emit(f"The sample could not be saved: {exc}")
            return None
        self.overlay.flash_at(sample.x_m, sample.y_m)
        QApplication.beep()
        target = project_target(self.session.project).network
        value = target_rssi_at_sample(sample, target) if target is not None else None
        self.message.emit(
            sample_saved_text(len(self.survey.samples), sample, target, value, len(sample_observations(sample)))
        )
        self.sampleAdded.emit(command.sample_id)
        return command.sample_id

    # -- continuous walk ------------------------------------------------------------------------
    def set_mode(self, mode: SampleMode) -> None:
        if self.runner.busy:
            self.message.emit("Finish or cancel the current scan before switching mode.")
            return
        self.mode = mode
        self.overlay.set_walk_path([])

    def _walk_click(self, x_m: float, y_m: float, double: bool) -> None:
        now = self.clock()
        if not self.walking:
            if self.runner.busy:
                self.message.emit("The previous walk is still finishing its last scan; a moment please.")
                return
            scanner = self._ready_scanner()
            if scanner is None:
                return
            self.walk = Walk.start(x_m, y_m, now)
            move = getattr(scanner, "move_to", None)
            # The simulated scanner needs a position: the last clicked point is the best known.
            # (Read from the scanner's thread: the walk is replaced, never changed in place.)
            before = (lambda: move(self.walk.waypoints[-1].x_m, self.walk.waypoints[-1].y_m)) if move else None
            self.runner.start_walk(scanner, self.settings.timeout_s, before_scan=before)
            self.busyChanged.emit(True, "Walking: click each turn, double-click (or Enter) at the end")
            self.message.emit("Walk started: walk at a steady pace, click each turn, double-click at the end.")
        else:
            self.walk = self.walk.turn(x_m, y_m, now)
            self._place_walk_scans()
            if double:
                self.finish_walk()
        self.overlay.set_walk_path([(w.x_m, w.y_m) for w in self.walk.waypoints])

    def finish_walk(self) -> None:
        """End the walk at the last clicked point; the scan in flight is placed when it ends."""
        if not self.walking:
            return
        self.walk = self.walk.finish(self.clock())
        self.runner.stop_walk()
        self._place_walk_scans()
        if not self.runner.busy:
            self._on_job_ended(-1)

    def _on_walk_scan(self, job: int, scan: ScanResult) -> None:
        self.walk = self.walk.heard(scan)
        self._place_walk_scans()

    def _place_walk_scans(self, final: bool = False) -> None:
        """Save every buffered scan whose mid-time lies on the clicked path so far."""
        self.walk, placement = self.walk.place(self.clock(), final)
        if placement.samples:
            survey = self.ensure_survey()
            for sample in placement.samples:
                self._add_sample(survey.id, sample, "Walk sample")
        if final and placement.dropped:
            self.message.emit(
                f"Walk ended; {placement.dropped} scan(s) outside the clicked path or empty were left out."
            )

    def _end_walk_state(self) -> None:
        self.walk = Walk.ended()
        self.overlay.set_walk_path([])
        self.busyChanged.emit(self.runner.busy, "")

    # -- live map ---------------------------------------------------------------------------
    def set_layer_kind(self, kind: LayerKind | str) -> None:
        # A combo box hands its item data back as a plain value: compare layers by value.
        kind = LayerKind(kind)
        if kind != self.layer_kind:
            self.layer_kind = kind
            # Until the worker brings the new layer's values the dots say they are not known.
            self.overlay.set_values({}, kind)
        self.refresh_layer()

    def sample_context(self):
        """(kind, target, channel) the dots' values are taken with: the current layer's own
        when it has arrived, else the project's target (the first map is on its way)."""
        layer = self.layer
        if layer is not None and layer.kind == self.layer_kind and layer.analysis is not None:
            return self.layer_kind, layer.target, layer.channel
        return self.layer_kind, project_target(self.session.project).network, None

    # -- one sample: delete, move ------------------------------------------------------------------
    def delete_sample(self, sample_id: int) -> None:
        self.session.push(DeleteSampleCommand(self.session, sample_id, self.sample_ids))

    def move_sample(self, sample_id: int, x_m: float, y_m: float) -> None:
        self.session.push(MoveSampleCommand(self.session, sample_id, (x_m, y_m), self.sample_ids))

    def refresh_layer(self) -> None:
        """Ask for the map of the project as it is now; the fit starts :data:`FIT_DELAY_MS`
        later. An edit emits several signals (a sample: samplesChanged, projectChanged), each
        asking again: they make one fit. And the window's own reaction to the edit (the new
        dot drawn, the panels refreshed) is over before the fit competes with it for the GIL."""
        self._serial += 1
        self._fit_timer.start()

    def _submit_fit(self) -> None:
        project = self.session.project
        self.fitter.submit(
            LayerRequest(self.layer_kind, project, project.active_survey_id, self._serial, cache=self.heatmaps)
        )

    def _on_layer_done(self, request: LayerRequest, layer: LayerImage) -> None:
        if LayerKind(request.kind) != self.layer_kind:
            return
        self.layer = layer
        self.overlay.set_layer(layer)
        if request.survey_id == self.session.project.active_survey_id:
            self.overlay.set_values(layer.sample_values, layer.kind)
        self.layerUpdated.emit(layer)

    # -- target network -------------------------------------------------------------------------
    def set_target(self, target: TargetNetwork | None) -> None:
        self.session.push(SetTargetCommand(self.session, target))
