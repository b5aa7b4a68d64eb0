"""``evsurvey demo``: the demo garage, surveyed by the simulated scanner.

The site lives as data in ``assets/demo/site.json`` (walls with material ids, devices,
the access points around, site details) with its plan drawn into
``assets/demo/floorplan.png`` by ``assets/demo/draw_floorplan.py``.

The demo site is a site file like any other (``docs/site-format.md``), read and walked by
:mod:`survey.simulate`; what is the demo's own is its scripted walk through the house and
round the parked cars, and opening the result in the GUI:

* :func:`load_demo_site` reads it into a :class:`~survey.simulate.SiteFile`;
* :func:`demo_project` turns that into a :class:`~survey.project.model.Project` (in memory);
* :func:`build_demo_project` writes it as a ``.evsurvey`` file with an empty "Before"
  survey, ready to walk in the GUI; :func:`write_gui_demo` (what the window's "Try the demo
  garage" is given) makes it survey with the simulated scanner;
* :func:`run_headless` walks it with the simulated scanner, applies the recommended fix,
  walks it again and writes the customer report, with no display needed.

Orchestration beside ``cli``: it may use every layer; ``ui`` is imported lazily (opening
the window, the scanner setting's name), and ``ui`` never imports this module: the window
gets the demo as a callable.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

from survey.errors import EvSurveyError, UserInputError
from survey.paths import asset, user_data_dir
from survey.project.model import DeviceKind, Project
from survey.project.store import ProjectStore
from survey.simulate import (  # noqa: F401 - walk_survey and BEFORE/AFTER are the demo's API too
    AFTER,
    BEFORE,
    SimulationSummary,
    SiteFile,
    SiteFileError,
    WalkClock,
    load_site,
    site_project,
    walk_fix_and_report,
    walk_survey,
)

log = logging.getLogger(__name__)

DEMO_PROJECT_NAME = "demo.evsurvey"
DEMO_REPORT_NAME = "demo-report.pdf"
DEFAULT_HEADLESS_DIR = "evsurvey-demo"
_SCALE_KNOWN_SETTING = "floorplan_scale_known"


class DemoAssetsError(EvSurveyError):
    """The demo site's files are missing or damaged (a broken install)."""


def load_demo_site(path: Path | None = None) -> SiteFile:
    """Read the demo site (default ``assets/demo/site.json``) and its floorplan image."""
    path = Path(path) if path is not None else asset("demo", "site.json")
    try:
        return load_site(path)
    except SiteFileError as exc:
        raise DemoAssetsError(f"The demo site is damaged or missing ({exc}); reinstall evsurvey.") from None


def demo_project(demo: SiteFile | None = None, *, survey_date: str | None = None) -> Project:
    """The demo site as a :class:`Project` (no surveys), with the simulated radios in its settings.

    ``survey_date`` (ISO) defaults to today, so the report shows when the demo ran.
    """
    demo = demo or load_demo_site()
    # The plan was drawn from this geometry, so its scale is exact (key shared with
    # survey.ui.session.SCALE_KNOWN_SETTING).
    return site_project(
        demo, survey_date=survey_date or _dt.date.today().isoformat(), extra_settings={_SCALE_KNOWN_SETTING: True}
    )


def build_demo_project(path: str | os.PathLike, *, demo: SiteFile | None = None) -> ProjectStore:
    """Write the demo project to ``path`` (replacing a previous one) with an empty, active
    "Before" survey; returns the open store."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = ProjectStore.create(path, demo_project(demo), overwrite=True)
    before = store.add_survey(BEFORE, notes="Demo: the garage as it is, before any change.")
    store.set_active_survey(before.id)
    return store


def write_gui_demo(path: Path) -> None:
    """A fresh demo project at *path* for the window, surveyed with the simulated scanner (a
    setting of the demo project, so no other project inherits it)."""
    from survey.ui.survey_settings import SCANNER_SETTING, SIMULATED

    with build_demo_project(path) as store:
        store.set_setting(SCANNER_SETTING, SIMULATED)


# -- the scripted walk ---------------------------------------------------------------------------


def walk_points_m(demo: SiteFile | None = None, *, step_m: float = 0.8) -> np.ndarray:
    """Stop-and-go points (N, 2) in site metres: a few rooms of the house, then the garage.

    The garage is covered on a ``step_m`` grid with the spots inside the parked cars left out
    (nobody stands on a bonnet); the charger's mounting point is always measured.
    """
    demo = demo or load_demo_site()
    house = [(1.5, 8.3), (3.0, 5.8), (2.2, 2.2), (6.0, 2.2), (6.0, 8.6), (5.2, 5.8), (6.8, 5.8)]
    charger = next((d for d in demo.devices if d.kind is DeviceKind.CHARGER), None)
    cars = demo.drawing.get("cars", [])
    garage = _garage_box(demo)
    x0, y0, x1, y1 = garage
    xs = np.arange(x0 + 0.4, x1 - 0.2, step_m)
    ys = np.arange(y0 + 0.4, y1 - 0.2, step_m)
    points = []
    for i, y in enumerate(ys):  # serpentine, as one walks it
        row = xs if i % 2 == 0 else xs[::-1]
        for x in row:
            if not any(
                c["x_m"] - 0.1 <= x <= c["x_m"] + c["width_m"] + 0.1
                and c["y_m"] - 0.1 <= y <= c["y_m"] + c["length_m"] + 0.1
                for c in cars
            ):
                points.append((float(x), float(y)))
    if charger is not None:
        # 0.3 m in front of the wall: where the laptop is held at the mounting point.
        points.append((charger.x_m - 0.3, charger.y_m))
    return np.array(house + points, dtype=np.float64)


def _garage_box(demo: SiteFile) -> tuple[float, float, float, float]:
    """Bounding box of the concrete-block and steel-door walls: the garage."""
    garage_walls = [w for w in demo.walls if w.material_id in ("concrete_block", "steel_garage_door")]
    xs = [v for w in garage_walls for v in (w.x1_m, w.x2_m)]
    ys = [v for w in garage_walls for v in (w.y1_m, w.y2_m)]
    return (min(xs), min(ys), max(xs), max(ys))


# -- headless run --------------------------------------------------------------------------------


def run_headless(out_dir: str | os.PathLike, *, seed: int = 0, report: bool = True) -> SimulationSummary:
    """Walk the demo garage "Before", apply the recommended fix, walk "After", write the report.

    Writes ``out_dir/demo.evsurvey`` and ``out_dir/demo-report.pdf``; returns what it found.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(
            f"Cannot create the output folder {out_dir}: {exc.strerror}. Choose another with -o."
        ) from None
    demo = load_demo_site()
    with build_demo_project(out_dir / DEMO_PROJECT_NAME, demo=demo) as store:
        return walk_fix_and_report(
            store,
            walk_points_m(demo),
            seed=seed,
            clock=WalkClock(time.time()),
            report_path=out_dir / DEMO_REPORT_NAME if report else None,
        )


# -- command line --------------------------------------------------------------------------------


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no window: walk the demo, apply the fix, walk again, write project and PDF report",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=None,
        help=f"folder for the headless run's files (default ./{DEFAULT_HEADLESS_DIR})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated radio field (default 0)")
    parser.add_argument("--json", action="store_true", help="machine-readable summary (headless run)")


def _display_available() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args) -> int:
    headless = args.headless
    if not headless and not _display_available():
        print(
            f"No display found (neither DISPLAY nor WAYLAND_DISPLAY is set): running the demo headless "
            f"into ./{args.output or DEFAULT_HEADLESS_DIR} instead.",
            file=sys.stderr,
        )
        headless = True
    if headless:
        summary = run_headless(Path(args.output or DEFAULT_HEADLESS_DIR), seed=args.seed)
        if args.json:
            print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        else:
            print(summary.format_text("Demo project"))
        return 0
    from survey.ui.app import run_gui

    path = user_data_dir() / DEMO_PROJECT_NAME
    write_gui_demo(path)
    return run_gui(str(path), scanner_name="simulated", write_demo=write_gui_demo)
