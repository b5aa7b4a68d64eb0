"""The survey walk in the main window: phases, target network, sampling, live map, channels.

``install(window)`` (called by ``survey.ui.compose``) adds:

* a "Survey" side panel: the survey phase, the target network, the scanner, stop-and-go
  or continuous walk, the busy state with Cancel/Retry, the live-map layer with its
  legend, leave-one-out error and the RSSI readout at the charger point;
* a "Channels" side panel: the 2.4 GHz occupancy chart and the BSS table of the
  selected sample;
* the Survey tool on the site view (click, or Space at the cursor, to sample there) and
  its menu entries.

Scans run in :class:`survey.ui.survey_worker.ScanRunner` (never on the UI thread); each
sample is written through an undoable command, committed to the project file before the
command returns; heatmaps are fitted in a background thread, newest request wins.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import (
    QApplication, QButtonGroup, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel,
    QProgressBar, QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget,
)

from survey.analysis.map_layer import sample_value
from survey.analysis.target import (
    project_target, sample_observations, strongest_per_bssid, survey_observations, target_rssi_at_sample,
)
from survey.errors import EvSurveyError
from survey.project.display import display_ssid
from survey.project.model import Sample, SampleMode, ScanResult, TargetNetwork, merge_observations
from survey.project.survey_devices import SURVEY_DEVICES_SETTING, recorded
from survey.project.units import format_db, format_dbm
from survey.ui import dialogs
from survey.ui.floorplan_view import Pickable
from survey.ui.site_tools import SiteTool
from survey.ui.survey_channels import BssTable, ChannelChart
from survey.ui.survey_heatmap import HeatmapLegend, SurveyOverlay, format_layer_value
from survey.analysis.fit_cache import FitCache
from survey.analysis.map_layer import LayerKind
from survey.ui.survey_layers import LayerImage, LayerRequest, compute_layer
from survey.ui.survey_settings import (
    AUTO, SCANNER_SETTING, SIMULATED, SurveySettings, SurveySettingsDialog, TargetNetworkDialog, backend_rows,
    project_scanner,
    any_real_backend_usable, networks_from_observations,
)
from survey.ui.survey_walk import Waypoint, place_along_path, scan_mid_time
from survey.ui.survey_worker import LatestOnlyWorker, ScanRunner

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: Delay (ms) between an edit and the start of the map's fit (see refresh_layer): a frame or
#: two, nothing a person waits for.
FIT_DELAY_MS = 60

#: A scan whose newest reading is older than this (s) is stale: the OS handed back a
#: cached list instead of scanning (NetworkManager rate-limits rescans to one per ~10 s
#: and Windows returns its last list), so it does not describe this spot.
STALE_AFTER_S = 30.0


class NoScanner(EvSurveyError):
    """No scanner could be made; the message says how to choose one."""


def make_scanner(name: str, project):
    """A scanner by name: "simulated" (computed from the project's plan), "auto" or a backend."""
    if name == SIMULATED:
        from survey.scan.simulated import SimulatedScanner

        return SimulatedScanner(project)
    from survey.scan.registry import make_scanner as registry_make_scanner

    return registry_make_scanner(name)


def scan_problem(scans: tuple[ScanResult, ...], now: float | None = None) -> str | None:
    """Why these scans must not become a sample (stale or empty), or None when they are fine."""
    if not scans:
        return "the scanner returned no scan; retry"
    now = time.time() if now is None else now
    for scan in scans:
        if not scan.fresh:
            return ("the scanner returned cached results instead of a fresh scan (the OS limits how often "
                    "it rescans); wait a few seconds and retry")
        seen = [o.last_seen for o in scan.observations if o.last_seen]
        if seen and now - max(seen) > STALE_AFTER_S:
            return f"the newest reading is {now - max(seen):.0f} s old (stale); retry"
    if not merge_observations(scans):
        return ("the scan found no networks at all: is Wi-Fi switched on and the adapter not in "
                "airplane mode? Retry")
    return None


# -- undoable sample edits ---------------------------------------------------------------------

def _patch_survey_samples(session, survey_id: int, fn: Callable[[tuple], tuple]) -> None:
    project = session.project
    surveys = tuple(replace(s, samples=fn(s.samples)) if s.id == survey_id else s for s in project.surveys)
    session.project = replace(project, surveys=surveys)
    session.samplesChanged.emit()
    session.projectChanged.emit()


class SampleIds:
    """The file id of each sample as undo and redo write it again under a new one.

    The store gives a sample written back (undo of a delete, redo of an add) a fresh id, so
    a later command on the stack that names the old id would miss it. Commands keep the id
    the sample had first and look up where it lives now.
    """

    def __init__(self):
        self._next: dict[int, int] = {}

    def current(self, sample_id: int) -> int:
        """Where the sample once written under ``sample_id`` lives now."""
        while sample_id in self._next:
            sample_id = self._next[sample_id]
        return sample_id

    def moved(self, old_id: int, new_id: int) -> None:
        """The sample that was ``old_id`` was written again as ``new_id``."""
        if old_id != new_id:
            self._next[old_id] = new_id


class AddSampleCommand(QUndoCommand):
    """Add one sample; undo deletes it from the file, redo writes it again."""

    def __init__(self, session, survey_id: int, sample: Sample, text: str = "Take sample",
                 ids: SampleIds | None = None):
        super().__init__(text)
        self._session = session
        self._survey_id = survey_id
        self._sample = replace(sample, id=None)
        self._ids = ids or SampleIds()
        self._last_id: int | None = None
        self.sample_id: int | None = None

    def redo(self) -> None:
        store = self._session._require()
        self.sample_id = store.add_sample(self._survey_id, self._sample)
        if self._last_id is not None:
            self._ids.moved(self._last_id, self.sample_id)
        added = replace(self._sample, id=self.sample_id)
        _patch_survey_samples(self._session, self._survey_id, lambda samples: samples + (added,))

    def undo(self) -> None:
        if self.sample_id is None:
            return
        sample_id = self._last_id = self.sample_id
        self._session._require().delete_sample(sample_id)
        self.sample_id = None
        _patch_survey_samples(self._session, self._survey_id,
                              lambda samples: tuple(s for s in samples if s.id != sample_id))


def _find_sample(session, sample_id: int):
    """(survey id, sample) of the sample with this id, or (None, None)."""
    for survey in session.project.surveys:
        for sample in survey.samples:
            if sample.id == sample_id:
                return survey.id, sample
    return None, None


class DeleteSampleCommand(QUndoCommand):
    """Delete one sample (a reading taken in the wrong place); undo writes it back."""

    def __init__(self, session, sample_id: int, ids: SampleIds, text: str = "Delete sample"):
        super().__init__(text)
        self._session = session
        self._ids = ids
        self._first_id = sample_id
        self._survey_id, self._sample = _find_sample(session, sample_id)

    def redo(self) -> None:
        sample_id = self._ids.current(self._first_id)
        self._session._require().delete_sample(sample_id)
        _patch_survey_samples(self._session, self._survey_id,
                              lambda samples: tuple(s for s in samples if s.id != sample_id))

    def undo(self) -> None:
        new_id = self._session._require().add_sample(self._survey_id, replace(self._sample, id=None))
        self._ids.moved(self._ids.current(self._first_id), new_id)
        back = replace(self._sample, id=new_id)
        # The file lists samples by id, so the sample written back comes last there too.
        _patch_survey_samples(self._session, self._survey_id, lambda samples: samples + (back,))


class MoveSampleCommand(QUndoCommand):
    """Put one sample where it was really taken (x_m, y_m in site metres)."""

    def __init__(self, session, sample_id: int, xy_m: tuple[float, float], ids: SampleIds,
                 text: str = "Move sample"):
        super().__init__(text)
        self._session = session
        self._ids = ids
        self._first_id = sample_id
        self._survey_id, sample = _find_sample(session, sample_id)
        self._old = (sample.x_m, sample.y_m)
        self._new = (float(xy_m[0]), float(xy_m[1]))

    def _put(self, xy: tuple[float, float]) -> None:
        sample_id = self._ids.current(self._first_id)
        self._session._require().move_samples({sample_id: xy})
        _patch_survey_samples(self._session, self._survey_id, lambda samples: tuple(
            replace(s, x_m=xy[0], y_m=xy[1]) if s.id == sample_id else s for s in samples))

    def redo(self) -> None:
        self._put(self._new)

    def undo(self) -> None:
        self._put(self._old)


class SetTargetCommand(QUndoCommand):
    def __init__(self, session, target: TargetNetwork | None):
        super().__init__("Choose target network")
        self._session = session
        self._new = target
        self._old = session.project.target

    def _write(self, target) -> None:
        self._session._require().set_target(target)
        self._session.project = replace(self._session.project, target=target)
        self._session.samplesChanged.emit()
        self._session.projectChanged.emit()

    def redo(self) -> None:
        self._write(self._new)

    def undo(self) -> None:
        self._write(self._old)


# -- the tool on the site view ----------------------------------------------------------------

class SurveyTool(SiteTool):
    """Click where you stand (or press Space at the cursor) to sample; in a walk, click turns."""

    name = "survey"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, window, controller: "SurveyController"):
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
        self.waypoints: list[Waypoint] = []
        self.walk_scans: list[ScanResult] = []
        self.walk_finished = False
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
            extra = "" if any_real_backend_usable(rows) else (
                " No Wi-Fi adapter was found: choose 'Simulated scanner' in Survey settings to try the demo.")
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
        key = (project.walls, project.devices, project.materials, project.target,
               project.settings.get("simulation"))
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
        self.session.project = replace(project, surveys=project.surveys + (survey,), active_survey_id=survey.id)
        self._record_devices(survey.id)
        self.session.samplesChanged.emit()
        self.session.projectChanged.emit()
        return survey

    def _record_devices(self, survey_id: int) -> None:
        """The store noted which devices are on the plan for this survey (when it was added and
        at its first sample: survey.project.survey_devices); the project in memory notes the same."""
        project = self.session.project
        settings = dict(project.settings)
        settings[SURVEY_DEVICES_SETTING] = recorded(settings, survey_id, project.devices)
        self.session.project = replace(project, settings=settings)

    def rename_survey(self, survey_id: int, name: str) -> None:
        self.session._require().rename_survey(survey_id, name)
        project = self.session.project
        self.session.project = replace(project, surveys=tuple(
            replace(s, name=name.strip()) if s.id == survey_id else s for s in project.surveys))
        self.session.projectChanged.emit()

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
        return bool(self.waypoints) and not self.walk_finished

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
        waiting = next((reason for reason in (blocker() for blocker in self.sampling_blockers) if reason), "")
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
        self.runner.start_point(scanner, self.settings.scans_per_point, self.settings.timeout_s,
                                before_scan=(lambda: move(x_m, y_m)) if move else None)
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
        problem = scan_problem(tuple(scans), self.clock())
        if problem:
            self._scan_rejected(xy, problem)
            return
        survey = self.ensure_survey()
        sample = Sample(x_m=xy[0], y_m=xy[1], taken_at=max(s.finished_at for s in scans),
                        scans=tuple(scans), mode=SampleMode.POINT)
        self._add_sample(survey.id, sample)

    def _scan_rejected(self, xy, reason: str) -> None:
        self.retry_xy = xy
        self.retryAvailable.emit(True)
        self.message.emit(f"No sample saved: {reason}")

    def _on_failed(self, job: int, reason: str) -> None:
        xy = self.pending_xy
        self.pending_xy = None
        self.overlay.set_pending(None)
        if self.mode is SampleMode.WALK and self.waypoints:
            self.message.emit(f"Walk stopped: {reason}. Samples placed so far are saved.")
            self._end_walk_state()
            return
        self.retry_xy = xy
        self.retryAvailable.emit(xy is not None)
        self.message.emit(f"Scan failed, nothing saved: {reason}")

    def _on_job_ended(self, job: int) -> None:
        self.busyChanged.emit(False, "")
        if self.mode is SampleMode.WALK and self.walk_finished:
            self._place_walk_scans(final=True)
            self._end_walk_state()

    def _add_sample(self, survey_id: int, sample: Sample, text: str = "Take sample") -> int | None:
        command = AddSampleCommand(self.session, survey_id, sample, text, self.sample_ids)
        survey = self.session.project.survey(survey_id)
        first = survey is not None and not survey.samples
        try:
            self.session.push(command)
            if first:  # the site as it is surveyed: a node placed after "New phase" counts
                self._record_devices(survey_id)
        except Exception as exc:  # a write error (disk full, read-only file) must reach the installer
            log.exception("saving a sample failed")
            self.message.emit(f"The sample could not be saved: {exc}")
            return None
        self.overlay.flash_at(sample.x_m, sample.y_m)
        QApplication.beep()
        target = project_target(self.session.project).network
        value = None
        if target is not None:
            value = target_rssi_at_sample(sample, target)
        shown = (f"{format_dbm(value)} on '{display_ssid(target.ssid)}'" if value is not None
                 else f"{len(sample_observations(sample))} networks heard")
        self.message.emit(f"Sample {len(self.survey.samples)} saved at ({sample.x_m:.1f}, {sample.y_m:.1f}) m: {shown}.")
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
            self.waypoints = [Waypoint(x_m, y_m, now)]
            self.walk_scans = []
            self.walk_finished = False
            move = getattr(scanner, "move_to", None)
            # The simulated scanner needs a position: the last clicked point is the best known.
            before = (lambda: move(self.waypoints[-1].x_m, self.waypoints[-1].y_m)) if move else None
            self.runner.start_walk(scanner, self.settings.timeout_s, before_scan=before)
            self.busyChanged.emit(True, "Walking: click each turn, double-click (or Enter) at the end")
            self.message.emit("Walk started: walk at a steady pace, click each turn, double-click at the end.")
        else:
            self.waypoints.append(Waypoint(x_m, y_m, now))
            self._place_walk_scans()
            if double:
                self.finish_walk()
        self.overlay.set_walk_path([(w.x_m, w.y_m) for w in self.waypoints])

    def finish_walk(self) -> None:
        """End the walk at the last clicked point; the scan in flight is placed when it ends."""
        if not self.walking:
            return
        if len(self.waypoints) == 1:
            self.waypoints.append(replace(self.waypoints[0], at=self.clock()))
        self.walk_finished = True
        self.runner.stop_walk()
        self._place_walk_scans()
        if not self.runner.busy:
            self._on_job_ended(-1)

    def _on_walk_scan(self, job: int, scan: ScanResult) -> None:
        self.walk_scans.append(scan)
        self._place_walk_scans()

    def _place_walk_scans(self, final: bool = False) -> None:
        """Save every buffered scan whose mid-time lies on the clicked path so far."""
        if len(self.waypoints) < 2 or not self.walk_scans:
            return
        survey = self.ensure_survey()
        start, end = self.waypoints[0].at, self.waypoints[-1].at
        keep, placed, dropped = [], 0, 0
        for scan in self.walk_scans:
            mid = scan_mid_time(scan.started_at, scan.finished_at)
            if mid > end and not final:
                keep.append(scan)  # the path there is not clicked yet
                continue
            if mid < start or mid > end or scan_problem((scan,), self.clock()):
                dropped += 1
                continue
            (x, y), = place_along_path(self.waypoints, [mid])
            if self._add_sample(survey.id, Sample(float(x), float(y), mid, (scan,), SampleMode.WALK),
                                "Walk sample") is not None:
                placed += 1
        self.walk_scans = keep
        if final and dropped:
            self.message.emit(f"Walk ended; {dropped} scan(s) outside the clicked path or empty were left out.")

    def _end_walk_state(self) -> None:
        self.walk_finished = True
        self.waypoints = []
        self.walk_scans = []
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
        self.fitter.submit(LayerRequest(self.layer_kind, project, project.active_survey_id, self._serial,
                                        cache=self.heatmaps))

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


# -- widgets ----------------------------------------------------------------------------------------

def layer_info_text(image: LayerImage) -> str:
    """What the live map shows and how it was made, in plain words, from the survey's analysis."""
    layer = image.layer
    if layer is None:
        return image.note
    parts = [layer.method_words]
    if layer.loo_rmse_db is not None:
        parts.append(f"leave-one-out error {format_db(layer.loo_rmse_db, signed=False)}")
    elif layer.kind in (LayerKind.TARGET, LayerKind.STRONGEST):
        parts.append("leave-one-out error: needs more samples")
    if layer.note:
        parts.append(layer.note)
    analysis = image.analysis
    target = analysis.target if analysis is not None else None
    if target is not None and target.network is not None and target.assumed:
        parts.append(f"target '{display_ssid(target.network.ssid)}': {target.reason}")
    return "; ".join(p for p in parts if p)


def charger_readout_text(image: LayerImage, project) -> str:
    """The verdict at the charger and the estimates behind it: the same numbers as the
    Analysis panel, ``evsurvey recommend`` and the PDF (one analysis of the survey)."""
    if project.charger is None:
        return "Place the charger mounting point on the plan for a readout there."
    analysis = image.analysis
    if analysis is None or analysis.verdict.rssi_at_charger_dbm is None:
        return "At the charger: no estimate yet"
    from survey.analysis.verdict import ESTIMATE_WORDS

    v = analysis.verdict
    lines = [f"At the charger: {v.status} {format_dbm(v.rssi_at_charger_dbm)} ({v.method_words}; "
             f"laptop reading minus {v.reception_offset_db:.1f} dB for the charger)"]
    if v.link_words:
        lines.append(f"Link measured there: {v.link_words}")
    for estimate in v.estimates:
        if estimate.method != "measured_nearest":
            lines.append(f"{ESTIMATE_WORDS[estimate.method].capitalize()} there: {format_dbm(estimate.rssi_dbm)}")
    return "\n".join(lines)


def value_under_cursor_text(image: LayerImage | None, x_m: float, y_m: float) -> str:
    """"Map here: -63.2 dBm" (or "3 other BSSs on the channel", "± 2.1 dB") for the cell under the
    cursor, from the layer's own MapLayer.value_at; "" off the map."""
    if image is None or image.layer is None:
        return ""
    value = image.layer.value_at(x_m, y_m)
    if value is None:
        return ""
    return f"Map here: {format_layer_value(value, image.kind)}"


def _plain_label(text: str = "", parent: QWidget | None = None, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.PlainText)  # SSIDs and reasons may contain markup characters
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
        phase_row = QHBoxLayout()
        phase_row.addWidget(self.phase, 1)
        phase_row.addWidget(self.new_phase)
        phase_row.addWidget(self.rename_phase)

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
            "font-weight: bold; border: 1px solid #0b4fb3; border-radius: 3px; padding: 5px; }")
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
        if resolved.assumed:
            self.target_label.setText(
                "not chosen (the map assumes the strongest network heard)" if target is None else
                f"not chosen: the map assumes '{display_ssid(target.ssid)}', the strongest network heard")
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
        if dialog.exec() != SurveySettingsDialog.Accepted:
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
        if dialog.exec() == TargetNetworkDialog.Accepted:
            c.set_target(dialog.target())


class ChannelsPanel(QWidget):
    """Occupancy chart and BSS table of the selected (by default the newest) sample.

    Hidden behind another tab it only notes that it is stale: redrawing the chart and the
    table for every sample of a walk nobody looks at would cost the UI thread per sample.
    """

    def __init__(self, controller: SurveyController, view, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.view = view
        self.sample_picker = QComboBox(self)
        self.sample_picker.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.chart = ChannelChart(self)
        self.chart.setMinimumWidth(200)
        self.summary = _plain_label("", self)
        self.table = BssTable(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sample_picker)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.table, 1)
        self._picker_rows: list[tuple] = []  # (id, x_m, y_m) per picker item
        self._shown: tuple | None = None  # (sample, target) the chart and table show
        self._stale = True
        self.sample_picker.activated.connect(self._picked)
        controller.session.samplesChanged.connect(self.refresh)
        view.selectionChanged.connect(self.refresh)
        self.refresh()

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def selected_sample_id(self) -> int | None:
        """The sample selected on the plan, else the newest of the survey."""
        selection = self.view.selection
        if selection.kind == "sample":
            return selection.id
        return self._picker_rows[-1][0] if self._picker_rows else None

    def refresh(self) -> None:
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        survey = self.controller.survey
        samples = survey.samples if survey else ()
        rows = [(s.id, s.x_m, s.y_m) for s in samples]
        old = self._picker_rows
        self.sample_picker.blockSignals(True)
        if rows[:len(old)] != old:
            self.sample_picker.clear()
            old = []
        for n, (sample_id, x, y) in enumerate(rows[len(old):], len(old) + 1):
            self.sample_picker.addItem(f"Sample {n} at ({x:.1f}, {y:.1f}) m", sample_id)
        self._picker_rows = rows
        sample_id = self.selected_sample_id()
        if sample_id is not None:
            self.sample_picker.setCurrentIndex(self.sample_picker.findData(sample_id))
        self.sample_picker.blockSignals(False)
        self.show_sample(sample_id)

    def _picked(self, index: int) -> None:
        sample_id = self.sample_picker.itemData(index)
        if sample_id is not None:
            self.view.select("sample", int(sample_id))

    def show_sample(self, sample_id: int | None) -> None:
        c = self.controller
        survey = c.survey
        sample = next((s for s in reversed(survey.samples if survey else ()) if s.id == sample_id), None)
        target = project_target(c.session.project).network
        if self._shown is not None and self._shown[0] is sample and self._shown[1] == target:
            return
        self._shown = (sample, target)
        if sample is None:
            self.chart.set_observations((), target)
            self.summary.setText("")
            self.table.set_observations((), target, "No sample yet: take one with the Survey tool.")
            return
        observations = sample_observations(sample)
        self.chart.set_observations(observations, target)
        self.summary.setText(self.chart.summary)
        scans = len(sample.scans)
        self.table.set_observations(observations, target,
                                    f"{len(observations)} BSSs at ({sample.x_m:.1f}, {sample.y_m:.1f}) m, "
                                    f"{scans} scan{'s' if scans != 1 else ''} averaged in mW")


# -- wiring into the main window ----------------------------------------------------------------------

#: A new sample's value is worked out on the UI thread (one merge, ~2 ms) when this few are
#: missing; a whole survey's (a file just opened) comes from the layer's worker instead.
MAX_VALUES_ON_UI_THREAD = 20


class SurveyFeature(QObject):
    """Everything ``install`` creates, kept together so tests can reach it (``window.survey``)."""

    def __init__(self, window: "MainWindow"):
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
        view.add_pickable(Pickable(kind="sample", hit=self._sample_at, position=self._sample_position,
                                   move=self.controller.move_sample, delete=self.controller.delete_sample,
                                   describe=self.describe_sample, ring_px=22))
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
        self._last_project = None
        self._samples_changed()

    def _offer_settings(self, reason: str, settings_uri: str) -> None:
        # Windows 11 24H2+ Location consent: the first scan is where an installer meets it.
        dialogs.offer_settings_page(self.window, "Wi-Fi scanning needs Location", reason, settings_uri,
                                    "Open Location settings")

    def _show_value_at(self, x_m: float, y_m: float) -> None:
        self.cursor_readout.setText(value_under_cursor_text(self.controller.layer, x_m, y_m))

    # -- samples as pickables of the Select tool ----------------------------------------------------
    def _sample_at(self, x_m: float, y_m: float, tolerance_m: float) -> int | None:
        return self.overlay.sample_near(x_m, y_m, tolerance_m)

    def _sample_position(self, sample_id: int) -> tuple[float, float] | None:
        sample = self._samples_by_id.get(sample_id)
        return None if sample is None else (sample.x_m, sample.y_m)

    def describe_sample(self, sample_id: int) -> str:
        """"Sample 4 of 'Before' at x 3.2 m, y 1.0 m: -61.0 dBm (Target network)"."""
        from survey.project.units import format_length

        sample = self._samples_by_id.get(sample_id)
        survey = self.controller.survey
        if sample is None or survey is None:
            return ""
        units = self.window.session.project.units
        number = next(n for n, s in enumerate(survey.samples, 1) if s.id == sample_id)
        kind = self.overlay.kind
        value = self.overlay.value(sample_id)
        if kind is LayerKind.CONFIDENCE:
            reading = ""
        elif value is None:
            reading = ": not heard" if kind.unit == "dBm" else ""
        else:
            reading = f": {format_layer_value(value, kind)}"
        return (f"Sample {number} of '{survey.name}' at x {format_length(sample.x_m, units)}, "
                f"y {format_length(sample.y_m, units)}{reading}. Drag it to where it was taken; Del deletes it.")

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
        samples = survey.samples if survey else ()
        self._samples_by_id = {s.id: s for s in samples}
        xy = np.array([(s.x_m, s.y_m) for s in samples], dtype=float).reshape(-1, 2)
        missing = [s for s in samples if not self.overlay.has_value(s.id)]
        values = {}
        if len(missing) <= MAX_VALUES_ON_UI_THREAD:
            kind, target, channel = self.controller.sample_context()
            values = {s.id: sample_value(kind, s, target, channel) for s in missing}
        self.overlay.set_samples(xy, list(self._samples_by_id), values)
        self.window.view.refresh_selection()


def install(window: "MainWindow") -> SurveyFeature:
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
    feature.tool_action = tool_action

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
