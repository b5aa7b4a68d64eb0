"""The main window: the site view in the centre, tools, menus, side panels, status bar.

The other parts of the GUI (survey, analysis, compare, ...) are built onto the window by
:mod:`survey.ui.compose`, with the hooks listed on :class:`MainWindow` (``session``,
``view``, ``add_side_panel``, ``add_tool``, the menus, ``toolbar``, ``show_status``); the
window holds each one in a typed attribute (``survey``, ``analysis_panel``, ...), None
while it is not there.

Start-up (DESIGN.md: window shown <= 2 s on a 2-core laptop): the feature modules pull in
scipy and the analysis code, ~1.5 s of imports. ``run_gui`` therefore hands the
composition to :meth:`MainWindow.install_after_shown`: the site view, menus and tools are
painted first, the feature modules are imported in a background thread meanwhile, and the
features are installed on the UI thread once that is done (``featuresReady``).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from survey.analysis.fit_cache import FitCache
from survey.errors import EvSurveyError
from survey.project.model import DeviceKind
from survey.ui import dialogs, glyphs
from survey.ui.floorplan_view import FloorplanView
from survey.ui.session import ProjectSession
from survey.ui.site_tools import CalibrateTool, DeviceTool, SelectTool, SiteTool, WallTool
from survey.ui.welcome import WelcomePage

if TYPE_CHECKING:  # the features' types only: their modules are imported after the first paint
    from survey.ui.analysis_panel import AnalysisPanel
    from survey.ui.compare_view import CompareView
    from survey.ui.export_pdf import PdfExport
    from survey.ui.linktest_option import LinkTestOption
    from survey.ui.netcheck_panel import NetcheckPanel
    from survey.ui.scan_drop import ScanDrop
    from survey.ui.site_panel import SitePanel
    from survey.ui.survey_panel import SurveyFeature

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Installs the features on a window (survey.ui.compose.install_features, or a test's own).
FeatureInstaller = Callable[["MainWindow"], None]

#: Writes a fresh demo project at the given path (``survey.demo.write_gui_demo``, passed in
#: from the top so that nothing in ``survey.ui`` imports the demo or the simulation).
DemoWriter = Callable[[Path], None]

MAX_RECENT = 8

#: Tools that still make sense when the file cannot be written (read-only, or deleted
#: while open): looking, and the survey tool, whose samples are then kept in memory until
#: File → Save As writes them.
TOOLS_WITHOUT_WRITING = ("select", "survey")

#: How often (ms) the UI thread looks whether the background import of deferred features
#: has finished: short next to the ~1 s import, long enough to cost nothing.
FEATURE_POLL_MS = 20

#: How long (s) a worker thread running Python may keep the GIL when the UI thread asks for
#: it (CPython's default is 5 ms). The UI thread gives the GIL up on nearly every call into
#: Qt and waits that long to get it back while a heatmap is fitted, so a slot making twenty
#: Qt calls was held up ~100 ms; at 0.5 ms the same slot waits ~10 ms. The workers lose a
#: little throughput to the extra switches.
GIL_SWITCH_INTERVAL_S = 0.0002

#: Room (px) left for the window frame and the title bar when the window is sized to the
#: screen before it is shown (typical desktop themes: 2-8 px borders, 24-38 px title bars).
SCREEN_FRAME_PX = 16
SCREEN_TITLE_BAR_PX = 40

#: Keyboard shortcuts of the site tools (one letter each, as in drawing programs).
TOOL_SHORTCUTS = {
    "select": "V",
    "wall": "W",
    "calibrate": "K",
    "device:router": "R",
    "device:access_point": "A",
    "device:charger": "C",
    "device:panel": "P",
    "device:ethernet_drop": "E",
    "device:mesh_node": "M",
}


class MainWindow(QMainWindow):
    """The main window.

    The features come from outside (:mod:`survey.ui.compose`): at once, or with
    :meth:`install_after_shown` after the first paint (see the module docstring);
    ``featuresReady`` is emitted once they are in, ``features_ready`` tells whether they
    are, and :meth:`install_features` installs them at once from the UI thread.
    *write_demo* makes the demo project behind "Try the demo garage" (no demo without it).
    """

    #: Every deferred feature is installed (emitted once, by :meth:`install_features`; a
    #: window given no deferred features has ``features_ready`` True from the start).
    featuresReady = Signal()

    def __init__(
        self,
        session: ProjectSession | None = None,
        settings: QSettings | None = None,
        *,
        scanner_name: str = "auto",
        write_demo: DemoWriter | None = None,
    ):
        super().__init__()
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        glyphs.install()  # a character no installed font has shows as its escape, not as a box
        self.setObjectName("evsurvey_main_window")
        self.settings = settings or QSettings()
        self.session = session or ProjectSession(self)
        #: The fits every view of this window shares (the live map, the Analysis panel, the
        #: Compare view): keyed by what was fitted, so one survey gives one answer everywhere.
        self.fits = FitCache()
        self.scanner_name = scanner_name
        self.write_demo = write_demo
        # The features, set by survey.ui.compose (None: not installed, or failed to load).
        self.site_panel: SitePanel | None = None
        self.survey: SurveyFeature | None = None
        self.analysis_panel: AnalysisPanel | None = None
        self.compare_view: CompareView | None = None
        self.compare_dock: QDockWidget | None = None
        self.pdf_export: PdfExport | None = None
        self.scan_drop: ScanDrop | None = None
        self.linktest: LinkTestOption | None = None
        self.netcheck: NetcheckPanel | None = None
        self.guide_action: QAction | None = None
        self.shortcuts_action: QAction | None = None
        self.setAcceptDrops(True)
        self.resize(1280, 820)

        self.view = FloorplanView(self.session, self)
        self.welcome = WelcomePage(self)
        # The plan when a project is open, the welcome page (new / open / demo) when not.
        self.centre = QStackedWidget(self)
        self.centre.addWidget(self.welcome)
        self.centre.addWidget(self.view)
        self.setCentralWidget(self.centre)
        self.view.siteHovered.connect(self._show_position)

        self._position_label = QLabel()
        self.statusBar().addPermanentWidget(self._position_label)

        self.side_tabs = QTabWidget()
        self._panel_tabs: dict[QWidget, QWidget] = {}
        self.side_dock = QDockWidget("Site", self)
        self.side_dock.setObjectName("side_dock")
        self.side_dock.setWidget(self.side_tabs)
        self.side_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.side_dock)
        # The dock's title names the panel on show (it matters when the dock floats).
        self.side_tabs.currentChanged.connect(
            lambda index: self.side_dock.setWindowTitle(self.side_tabs.tabText(index) if index >= 0 else "Site")
        )

        self.toolbar = QToolBar("Tools", self)
        self.toolbar.setObjectName("tools_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        self.tools: dict[str, SiteTool] = {}
        self.tool_actions: dict[str, QAction] = {}
        self._tool_group = QActionGroup(self)
        self._tool_group.setExclusive(True)

        self._build_menus()
        self._build_tools()
        from survey.ui import site_actions  # the site-editing actions (import, garage, rotate, ...)

        self.site_actions = site_actions.SiteActions(self)
        self.session.fileChanged.connect(self._on_file_changed)
        self.session.fileProblem.connect(self._on_file_problem)
        self.session.writeFailed.connect(lambda message: self.show_error("Not saved", message))
        self.session.projectChanged.connect(self._update_title)
        self.session.undo_stack.cleanChanged.connect(self._update_title)

        self.feature_failures: list[str] = []
        self._load_features: Callable[[], FeatureInstaller] | None = None
        self._loaded_installer: list[FeatureInstaller] = []  # filled by the import thread
        self._feature_import: threading.Thread | None = None
        self._feature_poll = QTimer(self)
        self._feature_poll.setInterval(FEATURE_POLL_MS)
        self._feature_poll.timeout.connect(self._poll_feature_import)
        self.features_ready = True
        self._restore_geometry()
        self._fit_on_screen()
        self._on_file_changed()
        self.activate_tool("select")

    # -- hooks for features -------------------------------------------------------------------
    def add_side_panel(self, title: str, widget: QWidget) -> int:
        """Add *widget* as a tab of the right-hand dock; returns its tab index.

        The tab scrolls when the panel is taller than the window (a 768-pixel laptop screen).
        """
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(widget)
        self._panel_tabs[widget] = scroll
        return self.side_tabs.addTab(scroll, title)

    def show_side_panel(self, widget: QWidget) -> None:
        self.side_tabs.setCurrentWidget(self._panel_tabs.get(widget, widget))

    def add_tool(self, tool: SiteTool, text: str, shortcut: str | None = None, tip: str = "") -> QAction:
        """Make *tool* one of the exclusive tools of the tool bar (with an optional one-key shortcut)."""
        action = QAction(text, self)
        action.setCheckable(True)
        action.setData(tool.name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip or text} ({shortcut})")
        action.triggered.connect(lambda _=False, name=tool.name: self.activate_tool(name))
        self._tool_group.addAction(action)
        self.toolbar.addAction(action)
        self.tools_menu.addAction(action)
        self.tools[tool.name] = tool
        self.tool_actions[tool.name] = action
        tool.hint.connect(lambda text: self.show_status(text, 8000))
        return action

    def activate_tool(self, name: str) -> None:
        tool = self.tools[name]
        self.tool_actions[name].setChecked(True)
        self.view.set_tool(tool)

    @property
    def active_tool(self) -> SiteTool | None:
        return self.view.tool

    def show_status(self, text: str, timeout_ms: int = 5000) -> None:
        """One plain line in the status bar (0 = until replaced)."""
        self.statusBar().showMessage(text, timeout_ms)

    def show_error(self, title: str, message: str) -> None:
        self.show_status(message, 10000)
        dialogs.show_error(self, title, message)

    def run_guarded(self, title: str, func: Callable[[], object]) -> bool:
        """Run *func*; True when it ran. An expected error (EvSurveyError) becomes a message box,
        not a crash, and False."""
        try:
            func()
        except EvSurveyError as exc:
            self.show_error(title, str(exc))
            return False
        return True

    def current_material_id(self) -> str:
        material = self.material_box.currentData()
        if material:
            return material
        materials = self.session.project.materials
        return materials[0].id if materials else "drywall"

    # -- construction --------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.edit_menu = bar.addMenu("&Edit")
        self.view_menu = bar.addMenu("&View")
        self.site_menu = bar.addMenu("&Site")
        self.tools_menu = bar.addMenu("&Tools")
        self.help_menu = bar.addMenu("&Help")

        f = self.file_menu
        # addAction(text, shortcut, slot): Qt 6.3's order. PySide6's QMenu stub says the older
        # (text, slot, shortcut) returns None; both return the action.
        self.new_action = f.addAction("&New project…", QKeySequence.StandardKey.New, self.new_project)
        self.open_action = f.addAction("&Open…", QKeySequence.StandardKey.Open, self.open_project_dialog)
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        f.addMenu(self.recent_menu)
        self.save_as_action = f.addAction("Save &As…", QKeySequence.StandardKey.SaveAs, self.save_as)
        self.close_action = f.addAction("&Close", self.close_project)
        close_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Close)
        if QKeySequence("Ctrl+W") not in close_keys:
            close_keys.append(QKeySequence("Ctrl+W"))
        self.close_action.setShortcuts(close_keys)
        f.addSeparator()
        self.quit_action = f.addAction("&Quit", QKeySequence.StandardKey.Quit, self.close)

        stack = self.session.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        for extra in (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")):
            if extra not in redo_keys:
                redo_keys.append(extra)
        self.redo_action.setShortcuts(redo_keys)
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self.edit_menu.addSeparator()
        self.delete_action = self.edit_menu.addAction(
            "&Delete selected", self.delete_selection, QKeySequence.StandardKey.Delete
        )

        self.zoom_in_action = self.view_menu.addAction("Zoom &in", lambda: self.view.zoom(1))
        self.zoom_in_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("+"), QKeySequence("=")]
        )
        self.zoom_out_action = self.view_menu.addAction("Zoom &out", lambda: self.view.zoom(-1))
        self.zoom_out_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomOut), QKeySequence("-")])
        self.fit_action = self.view_menu.addAction("&Fit site", QKeySequence("F"), self.view.fit_to_site)
        self.view_menu.addAction(self.side_dock.toggleViewAction())
        # The same three on buttons: a touchpad in a garage has no reliable wheel.
        self.view_toolbar = QToolBar("View", self)
        self.view_toolbar.setObjectName("view_toolbar")
        self.view_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action, text, tip in (
            (self.zoom_in_action, "Zoom +", "Zoom in (+)"),
            (self.zoom_out_action, "Zoom −", "Zoom out (-)"),
            (self.fit_action, "Fit", "Show the whole site (F)"),
        ):
            action.setIconText(text)
            action.setToolTip(tip)
            self.view_toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.view_toolbar)

        self.about_action = self.help_menu.addAction("&About evsurvey", self._about)

    def _build_tools(self) -> None:
        self.add_tool(SelectTool(self), "Select", TOOL_SHORTCUTS["select"], "Select, move and delete")
        self.add_tool(WallTool(self), "Wall", TOOL_SHORTCUTS["wall"], "Draw walls")
        self.toolbar.addWidget(QLabel(" Material: "))
        self.material_box = QComboBox()
        self.material_box.setObjectName("material_box")
        self.material_box.setToolTip("Material of new walls")
        self.toolbar.addWidget(self.material_box)
        self.toolbar.addSeparator()
        for kind, text in (
            (DeviceKind.CHARGER, "Charger"),
            (DeviceKind.ROUTER, "Router"),
            (DeviceKind.ACCESS_POINT, "Access point"),
            (DeviceKind.MESH_NODE, "Mesh node"),
            (DeviceKind.PANEL, "Panel"),
            (DeviceKind.ETHERNET_DROP, "Ethernet drop"),
        ):
            tool = DeviceTool(self, kind)
            self.add_tool(tool, text, TOOL_SHORTCUTS.get(tool.name), f"Place: {kind.label}")
        self.toolbar.addSeparator()
        self.add_tool(
            CalibrateTool(self), "Calibrate scale", TOOL_SHORTCUTS["calibrate"], "Draw a line over a known dimension"
        )
        self.session.projectChanged.connect(self._fill_materials)

    def _fill_materials(self) -> None:
        current = self.material_box.currentData()
        materials = self.session.project.materials
        if [self.material_box.itemData(i) for i in range(self.material_box.count())] == [m.id for m in materials]:
            return
        self.material_box.blockSignals(True)
        self.material_box.clear()
        for m in materials:
            self.material_box.addItem(m.name, m.id)
        index = self.material_box.findData(current or "concrete_block")
        self.material_box.setCurrentIndex(max(index, 0))
        self.material_box.blockSignals(False)

    # -- features ----------------------------------------------------------------------------------
    def add_feature(self, name: str, install: Callable[[], T]) -> T | None:
        """Run one feature's *install* and return what it built; None when it failed, which is
        logged and named in the status bar (*name*: its module) while the rest of the window
        still works."""
        try:
            return install()
        except Exception:  # one broken panel must not take the site editor down with it
            log.exception("feature %s failed to load", name)
            self.feature_failures.append(name)
            self.report_feature_failures()
            return None

    def install_after_shown(self, load: Callable[[], FeatureInstaller]) -> None:
        """Install features only after the window is first shown: *load* runs in a background
        thread (it imports the feature modules and returns their installer, no Qt objects
        made there), the installer then runs on the UI thread (see the module docstring)."""
        self._load_features = load
        self.features_ready = False
        if self.isVisible():
            self._start_feature_import()

    def install_features(self) -> None:
        """Install the deferred features now, on the UI thread, if they are not in yet; emits
        ``featuresReady``.

        A project already open is announced to them (``samplesChanged``, ``projectChanged``)
        as if it had been opened after they were installed.
        """
        if self.features_ready or self._load_features is None:
            return
        self._feature_poll.stop()
        self.features_ready = True
        # Loaded by the background thread, or (still importing, or it failed) here: the
        # import lock makes the second import wait for the first.
        install = (
            self._loaded_installer[0]
            if self._loaded_installer
            else self.add_feature("survey.ui.compose", self._load_features)
        )
        if install is not None:
            install(self)
        # Docks added by features (Compare) take their saved place now that they exist.
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        if self.session.is_open:
            self.session.samplesChanged.emit()
            self.session.projectChanged.emit()
        self.report_feature_failures()
        self.featuresReady.emit()

    def report_feature_failures(self) -> None:
        if self.feature_failures:
            self.show_status(
                "Part of the window could not be loaded (" + ", ".join(self.feature_failures) + "); see the log.", 0
            )

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self.features_ready:
            self._start_feature_import()

    def _start_feature_import(self) -> None:
        if self._feature_import is None:
            self._feature_import = threading.Thread(
                target=_import_features,
                args=(self._load_features, self._loaded_installer),
                name="evsurvey-feature-imports",
                daemon=True,
            )
            self._feature_import.start()
        self._feature_poll.start()

    def _poll_feature_import(self) -> None:
        if self._feature_import is not None and not self._feature_import.is_alive():
            self.install_features()
            # The window is up and complete: load what the first heatmap fit needs.
            threading.Thread(target=_warm_heatmap_imports, name="evsurvey-warm-imports", daemon=True).start()

    # -- file menu ------------------------------------------------------------------------------------
    def new_project(self) -> bool:
        from survey.project.model import Project
        from survey.project.profiles import load_profiles
        from survey.rf.materials import DEFAULT_MATERIALS

        if self._keep_unsaved("New project"):
            return False
        values = dialogs.ask_new_project(self, load_profiles(), str(self.settings.value("units", "m")))
        if values is None:
            return False
        name = values.site.customer or "site"
        start = str(Path(self._last_dir()) / f"{name}.evsurvey")
        path = dialogs.ask_save_project_path(self, "Save new project as", start)
        if path is None:
            return False
        project = Project(
            site=values.site,
            units=values.units,
            materials=DEFAULT_MATERIALS,
            charger_profile_id=values.charger_profile_id,
        )
        if not self.run_guarded("New project", lambda: self.session.create(path, project, overwrite=True)):
            return False
        self.settings.setValue("units", values.units)
        self._remember(path)
        self.show_status(f"Created {Path(path).name}. Import a floorplan (Site menu) or build a garage.")
        return True

    def open_demo(self) -> bool:
        """Open a fresh copy of the demo garage (made by *write_demo*); it surveys with the
        simulated scanner (a setting of the demo project, so no other project inherits it)."""
        from survey.paths import user_data_dir

        write_demo = self.write_demo
        if write_demo is None:
            return False
        path = user_data_dir() / "demo.evsurvey"
        if self.session.is_open and self.session.path == path:
            self.session.close()
        if not self.run_guarded("Demo garage", lambda: write_demo(path)):
            return False
        if not self.open_project(path):
            return False
        if self.survey is not None:
            self.show_side_panel(self.survey.panel)
        self.show_status("Demo: simulated scanner. Click where you stand on the plan to take a sample.", 0)
        return True

    def open_project_dialog(self) -> None:
        path = dialogs.ask_open_project(self, self._last_dir())
        if path:
            self.open_project(path)

    def open_project(self, path: str | Path) -> bool:
        """Open *path* (File → Open, Open Recent, a drop). On failure the open project stays
        as it was, with its title and its file; the message says why."""
        if self._keep_unsaved("Open project"):
            return False
        try:
            self.session.open(path)
        except EvSurveyError as exc:
            self.show_error("Open project", str(exc))
            self._forget(str(path))
            return False
        self._remember(str(self.session.open_path))
        self.show_status(f"Opened {self.session.open_path.name}")
        self._tell_how_it_opened()
        return True

    def _tell_how_it_opened(self) -> None:
        session = self.session
        if session.notice:
            self.show_status(session.notice, 0)
            dialogs.show_error(self, "Opened read-only", session.notice)
        if session.open_messages:
            shown = session.open_messages[:12]
            more = len(session.open_messages) - len(shown)
            text = "\n".join(f"• {m}" for m in shown) + (f"\n… and {more} more (see the log)." if more else "")
            dialogs.show_error(
                self,
                "Opened with problems",
                f"{session.open_path.name} opened, but not everything in it was usable:\n\n{text}\n\n"
                "The file itself was not changed.",
            )

    def save_as(self) -> bool:
        """File → Save As: everything (with samples kept in memory) to a new file, and work there."""
        if not self.session.is_open:
            return False
        path = dialogs.ask_save_project_path(self, "Save a copy as", str(self.session.path))
        if path is None:
            return False
        if not self.run_guarded("Save As", lambda: self.session.save_as(path)):
            return False
        self._remember(str(self.session.open_path))
        self.show_status(f"Now working in {self.session.open_path.name}")
        return True

    def close_project(self) -> None:
        if not self._keep_unsaved("Close project"):
            self.session.close()

    def _keep_unsaved(self, title: str) -> bool:
        """Before the open project goes away: if its file is gone or samples are only in
        memory, offer Save As. True when the installer would lose them and did not save."""
        session = self.session
        if not session.is_open or (session.file_lost is None and session.unsaved_samples == 0):
            return False
        kept = session.unsaved_samples
        what = (
            f"{kept} sample{'s' if kept != 1 else ''} taken since then {'are' if kept != 1 else 'is'} only in memory"
            if kept
            else "what was saved in it is only in memory now"
        )
        problem = session.file_lost or f"{session.open_path.name} cannot be written"
        answer = QMessageBox.question(
            self,
            title,
            f"{problem}\n\n{what.capitalize()}. Save everything to a new file first?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return True
        if answer == QMessageBox.StandardButton.Yes:
            return not self.save_as()
        return False

    def _on_file_problem(self, message: str) -> None:
        """The open file was deleted, moved or replaced: nothing more is written to it."""
        self.session.undo_stack.clear()  # an undo could not be written either
        self._on_file_changed()
        answer = QMessageBox.question(
            self,
            "Project file missing",
            f"{message}\n\nSave everything to a new file now?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.save_as()

    def _last_dir(self) -> str:
        recent = self.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):  # QSettings gives a list of one back as its one string
            return [value]
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else []  # None: no list stored

    def _remember(self, path: str) -> None:
        path = _resolved(path)
        files = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", files[:MAX_RECENT])

    def _forget(self, path: str) -> None:
        path = _resolved(path)
        self.settings.setValue("recent_files", [p for p in self.recent_files() if p != path])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        for path in files:
            self.recent_menu.addAction(path, functools.partial(self.open_project, path))

    # -- edit ------------------------------------------------------------------------------------------
    def delete_selection(self) -> None:
        sel = self.view.selection
        if not sel or not self.session.is_open:
            return
        if sel.kind == "wall":
            self.session.delete_wall(sel.id)
        elif sel.kind == "device":
            self.session.delete_device(sel.id)
        elif sel.kind in self.view.pickables:
            self.view.pickables[sel.kind].delete(sel.id)
        self.view.select()

    # -- state ---------------------------------------------------------------------------------------------
    def _on_file_changed(self) -> None:
        is_open = self.session.is_open
        writable = self.session.writable
        self.welcome.refresh()
        self.centre.setCurrentWidget(self.view if is_open else self.welcome)
        for action in (self.save_as_action, self.close_action):
            action.setEnabled(is_open)
        for name, action in self.tool_actions.items():
            action.setEnabled(writable or (is_open and name in TOOLS_WITHOUT_WRITING))
        if (
            is_open
            and not writable
            and self.active_tool is not None
            and self.active_tool.name not in TOOLS_WITHOUT_WRITING
        ):
            self.activate_tool("select")
        self.site_actions.set_enabled(writable)
        self.view.setEnabled(is_open)
        self._fill_materials()
        self._update_title()
        if not is_open:
            self.show_status("No project open: File → New project, or File → Open.", 0)
        elif self.session.file_lost:
            self.show_status(f"NOT SAVED: {self.session.file_lost}", 0)
        elif self.session.read_only:
            self.show_status(
                self.session.notice or f"read-only: {self.session.open_path.name}. File → Save As to keep working.", 0
            )

    def _update_title(self, *_args) -> None:
        if self.session.is_open:
            from survey.project.display import escape_text

            site = self.session.project.site
            who = f" — {escape_text(site.customer)}" if site.customer else ""
            state = (
                " (NOT SAVED: file missing)"
                if self.session.file_lost
                else " (read-only)"
                if self.session.read_only
                else ""
            )
            self.setWindowTitle(f"{escape_text(self.session.open_path.name)}{state}{who} — evsurvey")
        else:
            self.setWindowTitle("evsurvey")

    def _show_position(self, x_m: float, y_m: float) -> None:
        from survey.project.units import format_length

        units = self.session.project.units
        self._position_label.setText(f"x {format_length(x_m, units)}   y {format_length(y_m, units)}")

    def _about(self) -> None:
        from survey import __version__

        # The installed package's version (pyproject, read by importlib.metadata): the same
        # number `evsurvey --version`, the PDF footer and the installers carry.
        dialogs.show_info(
            self, "About evsurvey", f"evsurvey {__version__}\nWi-Fi site surveys for smart EV charger installers."
        )

    # -- window state, drag and drop -------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _fit_on_screen(self) -> None:
        """Never larger than the screen's free area: at 1366 x 768 (a field laptop) the
        1280 x 820 default was taller than the screen and the status bar, where every hint
        goes, was off it. The frame is not known before the window is shown: room is left."""
        screen = self.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        width = min(self.width(), free.width() - SCREEN_FRAME_PX)
        height = min(self.height(), free.height() - SCREEN_TITLE_BAR_PX)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        if not free.contains(self.frameGeometry()):
            self.move(free.topLeft())

    def closeEvent(self, event):  # noqa: N802 - Qt's name
        if self._keep_unsaved("Quit"):
            event.ignore()
            return
        self._feature_poll.stop()  # closed before its features came: they are not needed any more
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.session.close()
        super().closeEvent(event)

    def dragEnterEvent(self, event):  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event):  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        # Let the drop finish before a dialog (layer choice, page choice) may open.
        QTimer.singleShot(0, lambda: self.open_dropped(paths[0]))

    def open_dropped(self, path: str) -> None:
        if path.lower().endswith(".evsurvey"):
            self.open_project(path)
        elif self.session.is_open:
            self.site_actions.import_floorplan(path)
        else:
            self.show_status("Create or open a project first, then drop the floorplan on it.", 8000)


def _resolved(path: str) -> str:
    """The absolute real path for the recent-files list; a path that cannot be resolved (a
    symlink loop) as given."""
    try:
        return str(Path(path).resolve(strict=False))
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def _import_features(load: Callable[[], FeatureInstaller], loaded: list[FeatureInstaller]) -> None:
    """Run *load* (background thread: imports only, no Qt objects are made here) and put the
    installer it returns in *loaded*. A failure is reported by the UI thread, which loads again."""
    try:
        loaded.append(load())
    except Exception:  # reported by install_features
        log.debug("background import of the features failed", exc_info=True)


def _warm_heatmap_imports() -> None:
    """Load scipy and the analysis (background thread, after start-up, while the welcome page
    or the plan is shown) so that the first fit neither waits ~2 s for them nor holds the
    GIL, and with it the window, while their C extensions initialise."""
    try:
        from survey.rf.interpolation import warm_imports

        warm_imports()
        import survey.analysis.survey_analysis  # noqa: F401
    except Exception:  # only a warm-up: the fit imports (and reports) for itself
        log.debug("warming the heatmap imports failed", exc_info=True)
