"""The Compare view: two surveys side by side on one colour scale, the difference map, the
charger-point numbers.

Every number shown comes from :func:`survey.analysis.compare.compare_surveys`, the same
value the PDF prints; the colours come from :mod:`survey.report.colormap`, the one colour
map of the app. Fitting the two heatmaps runs in a
:class:`~survey.ui.survey_worker.LatestOnlyWorker`, so the window never freezes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDockWidget, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from survey.errors import EvSurveyError
from survey.project.model import Project, Survey
from survey.report import colormap
from survey.ui.survey_heatmap import SmoothImageItem
from survey.ui.survey_worker import LatestOnlyWorker

if TYPE_CHECKING:
    from survey.analysis.compare import SurveyComparison
    from survey.analysis.fit_cache import FitCache
    from survey.ui.session import ProjectSession

# survey.analysis.compare is imported where it is used: it loads scipy
# (rf.interpolation, ~2 s on a 2-core laptop), which must not delay the window
# (DESIGN.md: shown <= 2 s).

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompareRequest:
    """Two surveys of one project to compare, with the window's shared fits (or None)."""

    project: Project
    before: Survey
    after: Survey
    fits: FitCache | None


def compare(request: CompareRequest) -> SurveyComparison | Exception:
    """The comparison (worker thread), or the exception it raised: the view tells an expected
    error (shown as it is) from a bug (logged with its traceback), which the worker's one-line
    error reason cannot."""
    try:
        from survey.analysis.compare import compare_surveys

        # The window's shared fits: the surveys' maps are the live map's and the Analysis
        # panel's, and the grid is the PDF's, so every figure matches.
        return compare_surveys(request.project, request.before, request.after, cache=request.fits)
    except Exception as exc:  # delivered to the UI thread and shown, never lost in a thread
        return exc


def _rgba_for_pyqtgraph(rgba: np.ndarray) -> np.ndarray:
    # pyqtgraph's default image axis order is (x, y); our grids are (row = y, col = x).
    return np.ascontiguousarray(np.transpose(rgba, (1, 0, 2)))


def comparison_images(comp: SurveyComparison) -> dict[str, np.ndarray]:
    """RGBA uint8 images (H, W, 4) of before, after and difference, coloured like the PDF."""

    def rssi_rgba(analysis) -> np.ndarray:
        layer = analysis.target_map
        rgb = colormap.heatmap_rgb(layer.values)
        a = np.round(np.clip(layer.alpha, 0, 1) * 255).astype(np.uint8)
        return np.dstack([rgb, a])

    diff_rgb = colormap.difference_rgb(comp.difference_db)
    diff_a = np.where(np.isfinite(comp.difference_db), 255, 0).astype(np.uint8)
    return {
        "before": rssi_rgba(comp.before),
        "after": rssi_rgba(comp.after),
        "difference": np.dstack([diff_rgb, diff_a]),
    }


def why_no_comparison(project: Project) -> str:
    """Why there is nothing to compare yet, and what to do about it."""
    measured = [s for s in project.surveys if s.samples]
    if not measured:
        return (
            "Nothing to compare yet: no survey has samples. Survey the site (the Survey tool), make the "
            "change, then survey it again as a second phase."
        )
    if len(measured) == 1:
        return (
            f"Only '{measured[0].name}' has samples, so there is no After survey to compare it with. After "
            "the change (a mesh node, an access point), press 'New phase...' in the Survey panel, name it "
            "After and survey the site again."
        )
    return "Choose two different surveys to compare (e.g. Before and After)."


class CompareView(QWidget):
    """Two surveys side by side on one colour scale, the difference map and the numbers."""

    computed = Signal(object)  # SurveyComparison, after the view shows it
    failed = Signal(str)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None, fits: FitCache | None = None):
        super().__init__(parent)
        self.session = session
        #: The window's shared fits (survey.analysis.fit_cache.FitCache), or None: fit afresh.
        self.fits = fits
        self.comparison: SurveyComparison | None = None
        self._stale = True
        self.worker = LatestOnlyWorker(compare, self)
        self.worker.done.connect(self._on_done)

        self.before_box = QComboBox()
        self.before_box.setObjectName("compare_before")
        self.after_box = QComboBox()
        self.after_box.setObjectName("compare_after")
        pickers = QHBoxLayout()
        pickers.addWidget(QLabel("Before:"))
        pickers.addWidget(self.before_box, 1)
        pickers.addWidget(QLabel("After:"))
        pickers.addWidget(self.after_box, 1)

        # White like the plan and the PDF: faded (far from any sample) cells read as pale,
        # not as dark, and the wall lines stay visible.
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.views: dict[str, pg.ViewBox] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self.samples: dict[str, pg.ScatterPlotItem] = {}
        self.chargers: dict[str, pg.ScatterPlotItem] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self.walls: dict[str, pg.PlotCurveItem] = {}
        for col, key in enumerate(("before", "after", "difference")):
            title = self.plots.addLabel("", row=0, col=col, color="#24292f")
            view = self.plots.addViewBox(row=1, col=col, lockAspect=True, enableMenu=False)
            view.invertY(True)  # site y grows downward, like the plan
            image = SmoothImageItem()
            view.addItem(image)
            walls = pg.PlotCurveItem(pen=pg.mkPen("#24292f", width=1.5), connect="pairs")
            view.addItem(walls)
            self.walls[key] = walls
            dots = pg.ScatterPlotItem(size=5, pen=pg.mkPen("w", width=0.8), brush=pg.mkBrush(30, 30, 30))
            charger = pg.ScatterPlotItem(size=12, symbol="star", pen=pg.mkPen("k"), brush=pg.mkBrush(255, 212, 0))
            view.addItem(dots)
            view.addItem(charger)
            self.views[key], self.images[key], self.samples[key] = view, image, dots
            self.chargers[key], self.titles[key] = charger, title
        self.views["after"].setXLink(self.views["before"])
        self.views["after"].setYLink(self.views["before"])
        self.views["difference"].setXLink(self.views["before"])
        self.views["difference"].setYLink(self.views["before"])

        # Untrusted text (survey names, SSIDs) is shown as plain text, never rich text.
        self.numbers = QLabel(why_no_comparison(session.project))
        self.numbers.setObjectName("compare_numbers")
        self.numbers.setTextFormat(Qt.TextFormat.PlainText)
        self.numbers.setWordWrap(True)
        self.numbers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        legend = QLabel(
            f"Colours: green >= {colormap.GOOD_DBM:.0f} dBm (good for the charger), "
            f"yellow {colormap.LOSS_DBM:.0f} to {colormap.GOOD_DBM:.0f} dBm (marginal), "
            f"red < {colormap.LOSS_DBM:.0f} dBm (packet loss). Difference: blue better, red worse "
            f"(±{colormap.DIFF_LIMIT_DB:.0f} dB)."
        )
        legend.setTextFormat(Qt.TextFormat.PlainText)
        legend.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.numbers)
        layout.addWidget(legend)

        self.before_box.currentIndexChanged.connect(self.refresh)
        self.after_box.currentIndexChanged.connect(self.refresh)
        for signal in (session.projectChanged, session.samplesChanged, session.devicesChanged, session.wallsChanged):
            signal.connect(self.reload)
        self.reload()

    # -- survey choice -------------------------------------------------------------------------------
    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Refill the survey pickers from the project (keeping the choice) and recompute.

        While the view is hidden it only notes that it is stale: two heatmap fits per
        walked sample, for a comparison nobody is looking at, would compete with the live
        map for the laptop's two cores.
        """
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        from survey.analysis.compare import pick_before_after

        project: Project = self.session.project
        surveys = [s for s in project.surveys if s.samples]
        keep = (self.before_box.currentData(), self.after_box.currentData())
        default = pick_before_after(project)
        if keep[0] == keep[1]:
            # Nothing real was chosen (one survey, both boxes on it): a new After must show up.
            keep = (None, None)
        for box, kept, fallback in (
            (self.before_box, keep[0], default[0] if default else None),
            (self.after_box, keep[1], default[1] if default else None),
        ):
            box.blockSignals(True)
            box.clear()
            for s in surveys:
                box.addItem(s.name, s.id)
            index = box.findData(kept) if kept is not None else -1
            if index < 0 and fallback is not None:
                index = box.findData(fallback.id)
            box.setCurrentIndex(max(index, 0) if surveys else -1)
            box.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        project: Project = self.session.project
        before = project.survey(self.before_box.currentData())
        after = project.survey(self.after_box.currentData())
        # Only the newest choice is shown: a comparison still running is dropped when it lands.
        self.worker.discard_pending()
        if before is None or after is None or before.id == after.id:
            self._clear(why_no_comparison(project))
            return
        self.numbers.setText("Comparing…")
        self.worker.submit(CompareRequest(project, before, after, self.fits))

    # -- results --------------------------------------------------------------------------------------
    def _clear(self, message: str) -> None:
        self.comparison = None
        for image in self.images.values():
            image.clear()
        for item in list(self.samples.values()) + list(self.chargers.values()) + list(self.walls.values()):
            item.setData([], [])
        self.numbers.setText(message)

    def _on_done(self, _request: CompareRequest, result: SurveyComparison | Exception) -> None:
        if isinstance(result, Exception):
            message = str(result) if isinstance(result, EvSurveyError) else f"Comparison failed: {result}"
            if not isinstance(result, EvSurveyError):
                log.error("comparison failed", exc_info=result)
            self._clear(message)
            self.failed.emit(message)
            return
        self.show_comparison(result)

    def show_comparison(self, comp: SurveyComparison) -> None:
        from survey.analysis.survey_analysis import grid_edges_m

        self.comparison = comp
        x0, y0, x1, y1 = grid_edges_m(comp.grid)
        rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        images = comparison_images(comp)
        charger = self.session.project.charger
        walls = self.session.project.walls
        wall_x = np.array([v for w in walls for v in (w.x1_m, w.x2_m)], dtype=float)
        wall_y = np.array([v for w in walls for v in (w.y1_m, w.y2_m)], dtype=float)
        for key, hm in (("before", comp.before), ("after", comp.after), ("difference", None)):
            self.walls[key].setData(wall_x, wall_y, connect="pairs")
            self.images[key].setImage(_rgba_for_pyqtgraph(images[key]), levels=(0, 255))
            self.images[key].setRect(rect)
            xy = hm.sample_xy_m if hm is not None else np.zeros((0, 2))
            self.samples[key].setData(xy[:, 0], xy[:, 1])
            if charger is not None:
                self.chargers[key].setData([charger.x_m], [charger.y_m])
            else:
                self.chargers[key].setData([], [])
        self.titles["before"].setText(f"Before: {comp.before.survey_name}")
        self.titles["after"].setText(f"After: {comp.after.survey_name}")
        self.titles["difference"].setText("Difference (after - before, dB)")
        self.views["before"].autoRange(padding=0.02)
        self.numbers.setText("\n".join(comp.summary_lines()))
        self.computed.emit(comp)


def install(window) -> tuple[CompareView, QDockWidget]:
    """Add the Compare dock (View menu, hidden at first); returns the view and its dock."""
    view = CompareView(window.session, window, fits=window.fits)
    dock = QDockWidget("Compare surveys", window)
    dock.setObjectName("compare_dock")
    dock.setWidget(view)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setText("&Compare surveys")
    window.view_menu.addAction(toggle)
    return view, dock
