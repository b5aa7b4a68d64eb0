"""Start the GUI: platform check, QApplication, the main window and its features, the event loop."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from survey.ui.platform_check import check_platform

if TYPE_CHECKING:
    from survey.ui.main_window import DemoWriter, FeatureInstaller

log = logging.getLogger(__name__)

ORGANIZATION = "evsurvey"
APPLICATION = "evsurvey"


def install_error_handler(window) -> None:
    """Turn an unexpected exception in a slot into a logged traceback and one plain
    message, instead of a trace on a console the installer never sees. The window keeps
    running; nothing is lost because every edit and sample is already in the file."""
    from survey.paths import user_log_dir

    showing = False

    def handle(exc_type, exc, tb) -> None:
        nonlocal showing
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        from survey.errors import EvSurveyError

        expected = issubclass(exc_type, EvSurveyError)
        log.error(
            "expected error not handled where it happened" if expected else "unexpected error",
            exc_info=(exc_type, exc, tb),
        )
        if showing:  # an error while showing the error: the log has it
            return
        showing = True
        try:
            if expected:  # e.g. an edit refused because the file is read-only or was deleted
                window.show_error("Not saved", str(exc))
                return
            window.show_error(
                "Unexpected error",
                f"Something went wrong: {exc_type.__name__}: {exc}\n\n"
                "Your survey is safe: every change and sample is already in the project file. "
                f"Details are in the log: {user_log_dir() / 'evsurvey.log'}",
            )
        finally:
            showing = False

    sys.excepthook = handle


def run_gui(
    project_path: str | os.PathLike | None = None, *, scanner_name: str = "auto", write_demo: DemoWriter | None = None
) -> int:
    """Open the main window (on *project_path* if given) and run until it closes; the exit code.

    *write_demo* makes the project behind "Try the demo garage" (``survey.demo.write_gui_demo``,
    passed in by the command line). Returns 1 without starting Qt when the window system
    cannot work.
    """
    report = check_platform()
    if not report.ok:
        print(report.message, file=sys.stderr)  # noqa: T201 - the user must see this before any window
        return 1

    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()  # a test's QApplication, or None
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("evsurvey")
    # Wayland docks match windows to packaging/linux/evsurvey.desktop by this name.
    app.setDesktopFileName("evsurvey")
    from PySide6.QtCore import QSize, QTimer
    from PySide6.QtGui import QIcon

    from survey.paths import asset

    # The rendered PNGs, not the SVG: 16 and 32 px come from the pixel-hinted drawing.
    icon = QIcon()
    for size_px in (16, 32, 48, 64, 128, 256, 512):
        icon.addFile(str(asset("icons", f"evsurvey-{size_px}.png")), QSize(size_px, size_px))
    app.setWindowIcon(icon)

    from survey.ui.main_window import MainWindow

    # ``--scanner`` overrides the project's own scanner for this session; the demo does not:
    # its project file names the simulated scanner, so a project made afterwards does not.
    window = MainWindow(scanner_name=scanner_name, write_demo=write_demo)
    # The panels (survey, analysis, compare) come in right after the window is painted,
    # their modules imported in the background meanwhile (DESIGN.md: shown <= 2 s).
    window.install_after_shown(_load_features)
    install_error_handler(window)
    missing = None
    if project_path is not None:
        # Opened before the window is shown, so its first paint already has the plan.
        path = Path(project_path)
        if path.exists():
            window.open_project(path)
        else:
            missing = path
    window.show()
    window.view.fit_to_site()
    if missing is not None:
        message = (
            f"{missing} does not exist (moved, renamed or on a drive that is not connected). "
            "Use File → Open to find it, or File → New project to start one."
        )
        window.show_status(message, 0)
        # After the first paint: the window is there behind the message, not a bare dialog.
        QTimer.singleShot(0, lambda: window.show_error("Open project", message))
    return app.exec()


def _load_features() -> FeatureInstaller:
    """Import every feature module (a background thread, after the first paint) and return
    what builds them onto the window."""
    from survey.ui.compose import install_features

    return install_features
