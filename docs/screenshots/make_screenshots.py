"""Regenerate the GUI screenshots of the README from the demo site.

    QT_QPA_PLATFORM=offscreen uv run python docs/screenshots/make_screenshots.py [OUT_DIR]

Builds demo projects the way an installer would fill them (the simulated scanner walking
the demo garage), opens each in the real main window, selects the side-panel tab and
saves ``window.grab()``: site.png (the demo site, no samples), survey.png (a walk in
progress, 15 samples), channels.png, analysis.png (the chosen fix clicked) and
compare.png (Before / After). Settings go to a temporary folder, never the user's.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

WINDOW_SIZE = (1440, 900)
TIMEOUT_S = 60.0


def _wait(app, done, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):  # let repaints settle
        app.processEvents()
        time.sleep(0.01)


def _window(app, settings_dir: Path, project: Path, *, compare: bool = False):
    from PySide6.QtCore import QSettings

    from survey.demo import write_gui_demo
    from survey.ui.compose import install_features
    from survey.ui.main_window import MainWindow

    settings = QSettings(str(settings_dir / f"{project.stem}-{time.monotonic_ns()}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, scanner_name="simulated", write_demo=write_gui_demo)
    install_features(window)
    window.resize(*WINDOW_SIZE)
    window.open_project(project)
    window.show()
    if compare:
        window.compare_dock.show()
        window.resizeDocks([window.compare_dock], [380], __import__("PySide6.QtCore").QtCore.Qt.Orientation.Vertical)
    _wait(app, lambda: window.isVisible(), "the window")
    window.view.fit_to_site()
    return window


def _tab(window, title: str) -> None:
    tabs = window.side_tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == title)
    tabs.setCurrentIndex(index)


def _save(app, window, path: Path) -> None:
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)
    window.grab().save(str(path))
    print(f"saved {path}")


def _walked_project(path: Path, n_samples: int) -> Path:
    """The demo site with the first ``n_samples`` stops of the scripted walk taken."""
    import numpy as np

    from survey.demo import build_demo_project, walk_points_m, walk_survey
    from survey.scan.simulated import SimulatedScanner

    points = walk_points_m()
    # House first, then the garage's serpentine: keep the house and spread the rest evenly.
    house, garage = points[:7], points[7:]
    wanted = min(max(n_samples - len(house), 1), len(garage))
    pick = np.linspace(0, len(garage) - 1, wanted).round().astype(int)
    chosen = np.vstack([house, garage[pick]])[:n_samples]
    with build_demo_project(path) as store:
        project = store.load()
        scanner = SimulatedScanner(project, delay_s=0.0)
        walk_survey(store, project.active_survey.id, scanner, chosen)
    return path


def main(out_dir: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from survey.demo import build_demo_project, run_headless
    from survey.project.store import ProjectStore

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)

        # Site: the demo garage as `evsurvey demo` opens it, before any sample.
        site = tmp / "site.evsurvey"
        build_demo_project(site).close()
        window = _window(app, tmp, site)
        _tab(window, "Site")
        _save(app, window, out_dir / "site.png")
        window.close()

        # Survey and Channels: a walk in progress.
        walked = _walked_project(tmp / "walk.evsurvey", 15)
        window = _window(app, tmp, walked)
        controller = window.survey.controller
        _tab(window, "Survey")
        window.activate_tool("survey")
        _wait(app, lambda: controller.layer is not None and controller.layer.layer is not None, "the live map")
        _save(app, window, out_dir / "survey.png")
        samples = window.session.project.active_survey.samples
        window.view.select("sample", samples[-1].id)  # as a click on its dot with the Select tool does
        _tab(window, "Channels")
        _save(app, window, out_dir / "channels.png")
        window.close()

        # Analysis: the whole garage walked, nothing changed yet; the chosen fix clicked.
        before_only = _walked_project(tmp / "before.evsurvey", 10_000)
        window = _window(app, tmp, before_only)
        _tab(window, "Analysis")
        panel = window.analysis_panel
        _wait(app, lambda: panel.recommendation is not None, "the analysis")
        options = panel.recommendation.options
        chosen = next((i for i, o in enumerate(options) if o.status == "chosen"), 0)
        panel.options_list.setCurrentRow(chosen)
        _wait(app, lambda: window.survey.controller.layer is not None, "the live map")
        _save(app, window, out_dir / "analysis.png")
        window.close()

        # Compare: the headless demo (Before, the recommended fix installed, After).
        summary = run_headless(tmp / "demo", report=False)
        with ProjectStore.open(summary.project_path) as store:
            store.set_active_survey(store.load().survey_named("After").id)
        window = _window(app, tmp, summary.project_path, compare=True)
        _tab(window, "Survey")
        view = window.compare_view
        _wait(app, lambda: view.comparison is not None, "the comparison")
        _wait(app, lambda: window.survey.controller.layer is not None, "the live map")
        _save(app, window, out_dir / "compare.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent))
