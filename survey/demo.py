"""``evsurvey demo``: the demo garage, surveyed by the simulated scanner.

The site lives as data in ``assets/demo/site.json`` (walls with material ids, devices,
the access points around, site details) with its plan drawn into
``assets/demo/floorplan.png`` by ``assets/demo/draw_floorplan.py``.

* :func:`load_demo_site` reads it into a :class:`DemoSite`;
* :func:`demo_project` turns that into a :class:`~survey.project.model.Project` (in memory);
* :func:`build_demo_project` writes it as a ``.evsurvey`` file with an empty "Before"
  survey, ready to walk in the GUI;
* :func:`run_headless` walks it with the simulated scanner, applies the recommended fix,
  walks it again and writes the customer report, with no display needed.

Orchestration beside ``cli``: it may use every layer except ``ui`` (imported lazily, only
to open the window).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import os
import struct
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from survey.errors import EvSurveyError, UserInputError
from survey.paths import asset, user_data_dir
from survey.project.model import (
    Device,
    DeviceKind,
    Floorplan,
    Project,
    Sample,
    SampleMode,
    Site,
    TargetNetwork,
    Wall,
)
from survey.project.store import ProjectStore
from survey.project.units import format_dbm
from survey.rf.materials import DEFAULT_MATERIALS
from survey.scan.simulated import SIMULATION_SETTING, SimulatedBss, SimulatedScanner, bss_from_dict, simulation_setting

log = logging.getLogger(__name__)

DEMO_PROJECT_NAME = "demo.evsurvey"
DEMO_REPORT_NAME = "demo-report.pdf"
DEFAULT_HEADLESS_DIR = "evsurvey-demo"
BEFORE = "Before"
_SCALE_KNOWN_SETTING = "floorplan_scale_known"
AFTER = "After"

#: Scans per stop in the scripted walk: installers take two or three at each spot and the
#: app averages them in mW.
SCANS_PER_STOP = 2

#: Seconds one stop of the scripted walk takes on the project's clock: a ~2 s scan per
#: reading plus a few seconds to step to the next spot, so saved times look like a walk.
_SECONDS_PER_SCAN = 2.5
_SECONDS_PER_STEP = 4.0


class DemoAssetsError(EvSurveyError):
    """The demo site's files are missing or damaged (a broken install)."""


@dataclass(frozen=True)
class DemoSite:
    """The demo site as stored in ``assets/demo/site.json`` (geometry in site metres)."""

    site: Site
    target_ssid: str
    charger_profile_id: str
    floorplan: Floorplan
    walls: tuple[Wall, ...]
    devices: tuple[Device, ...]
    access_points: tuple[SimulatedBss, ...]
    drawing: dict = field(default_factory=dict, compare=False, hash=False)


def _png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk (the first chunk, PNG spec section 11.2.2)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise DemoAssetsError("assets/demo/floorplan.png is not a PNG image; reinstall evsurvey.")
    return struct.unpack(">II", data[16:24])


def load_demo_site(path: Path | None = None) -> DemoSite:
    """Read the demo site (default ``assets/demo/site.json``) and its floorplan image."""
    path = Path(path) if path is not None else asset("demo", "site.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fp = data["floorplan"]
        image = (path.parent / fp["file"]).read_bytes()
        width_px, height_px = _png_size(image)
        floorplan = Floorplan(image=image, image_format="png", width_px=width_px, height_px=height_px,
                              metres_per_px=float(fp["metres_per_px"]), origin_x_m=float(fp["origin_x_m"]),
                              origin_y_m=float(fp["origin_y_m"]), source_name=fp["file"])
        site = Site(**{k: v for k, v in data["site"].items() if k in Site.__dataclass_fields__})
        walls = tuple(Wall(float(w["x1_m"]), float(w["y1_m"]), float(w["x2_m"]), float(w["y2_m"]), w["material_id"])
                      for w in data["walls"])
        devices = tuple(Device(kind=DeviceKind(d["kind"]), x_m=float(d["x_m"]), y_m=float(d["y_m"]),
                               label=d.get("label", ""), planned=bool(d.get("planned", False)),
                               eirp_dbm=d.get("eirp_dbm"), bssids=tuple(b.lower() for b in d.get("bssids", ())))
                        for d in data["devices"])
        access_points = tuple(bss_from_dict(a) for a in data["access_points"])
        return DemoSite(site=site, target_ssid=data["target_ssid"],
                        charger_profile_id=data.get("charger_profile_id", "generic_iot"), floorplan=floorplan,
                        walls=walls, devices=devices, access_points=access_points, drawing=data.get("drawing", {}))
    except FileNotFoundError as exc:
        raise DemoAssetsError(f"The demo site file {exc.filename} is missing; reinstall evsurvey.") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise DemoAssetsError(f"The demo site {path} is damaged ({exc!r}); reinstall evsurvey.") from None


def demo_project(demo: DemoSite | None = None, *, survey_date: str | None = None) -> Project:
    """The demo site as a :class:`Project` (no surveys), with the simulated radios in its settings.

    ``survey_date`` (ISO) defaults to today, so the report shows when the demo ran.
    """
    demo = demo or load_demo_site()
    site = replace(demo.site, survey_date=survey_date or _dt.date.today().isoformat())
    return Project(site=site, units="m", floorplan=demo.floorplan, walls=demo.walls, materials=DEFAULT_MATERIALS,
                   devices=demo.devices, target=TargetNetwork(demo.target_ssid),
                   charger_profile_id=demo.charger_profile_id,
                   settings={SIMULATION_SETTING: simulation_setting(demo.access_points),
                             # The plan was drawn from this geometry, so its scale is exact
                             # (key shared with survey.ui.session.SCALE_KNOWN_SETTING).
                             _SCALE_KNOWN_SETTING: True})


def build_demo_project(path: str | os.PathLike, *, demo: DemoSite | None = None) -> ProjectStore:
    """Write the demo project to ``path`` (replacing a previous one) with an empty, active
    "Before" survey; returns the open store."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = ProjectStore.create(path, demo_project(demo), overwrite=True)
    before = store.add_survey(BEFORE, notes="Demo: the garage as it is, before any change.")
    store.set_active_survey(before.id)
    return store


# -- the scripted walk ---------------------------------------------------------------------------

def walk_points_m(demo: DemoSite | None = None, *, step_m: float = 0.8) -> np.ndarray:
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
            if not any(c["x_m"] - 0.1 <= x <= c["x_m"] + c["width_m"] + 0.1
                       and c["y_m"] - 0.1 <= y <= c["y_m"] + c["length_m"] + 0.1 for c in cars):
                points.append((float(x), float(y)))
    if charger is not None:
        # 0.3 m in front of the wall: where the laptop is held at the mounting point.
        points.append((charger.x_m - 0.3, charger.y_m))
    return np.array(house + points, dtype=np.float64)


def _garage_box(demo: DemoSite) -> tuple[float, float, float, float]:
    """Bounding box of the concrete-block and steel-door walls: the garage."""
    garage_walls = [w for w in demo.walls if w.material_id in ("concrete_block", "steel_garage_door")]
    xs = [v for w in garage_walls for v in (w.x1_m, w.x2_m)]
    ys = [v for w in garage_walls for v in (w.y1_m, w.y2_m)]
    return (min(xs), min(ys), max(xs), max(ys))


class _WalkClock:
    """A clock that advances as a walk would: the saved sample times look like a real survey."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def walk_survey(store: ProjectStore, survey_id: int, scanner: SimulatedScanner, points_m: np.ndarray, *,
                clock: _WalkClock | None = None, scans_per_stop: int = SCANS_PER_STOP) -> int:
    """Stop at each point, take ``scans_per_stop`` scans and save them as one sample; returns the count."""
    taken = 0
    for x_m, y_m in points_m:
        scanner.move_to(float(x_m), float(y_m))
        scans = []
        for _ in range(scans_per_stop):
            scans.append(scanner.scan())
            if clock is not None:
                clock.advance(_SECONDS_PER_SCAN)
        store.add_sample(survey_id, Sample(x_m=float(x_m), y_m=float(y_m), taken_at=scans[-1].finished_at,
                                           scans=tuple(scans), mode=SampleMode.POINT))
        taken += 1
        if clock is not None:
            clock.advance(_SECONDS_PER_STEP)
    return taken


# -- headless run --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SurveyOutcome:
    """What one walk found at the charger: the survey's verdict value (as the charger hears
    it, dBm) and how its map was made, read from its
    :class:`~survey.analysis.survey_analysis.SurveyAnalysis`."""

    name: str
    samples: int
    charger_rssi_dbm: float | None
    map_words: str
    map_method: str
    map_error_db: float | None
    verdict: str | None = None

    @classmethod
    def of(cls, analysis) -> "SurveyOutcome":
        count = len(analysis.survey.samples) if analysis.survey is not None else 0
        return cls(analysis.survey_name, count, analysis.charger_dbm, analysis.map_words, analysis.map_method,
                   analysis.map_error_db, analysis.verdict.status)

    def to_json(self) -> dict:
        return {"name": self.name, "samples": self.samples, "charger_rssi_dbm": self.charger_rssi_dbm,
                "map": {"words": self.map_words, "method": self.map_method, "loo_rmse_db": self.map_error_db},
                "verdict": self.verdict}


@dataclass(frozen=True)
class DemoSummary:
    project_path: Path
    surveys: tuple[SurveyOutcome, ...]
    applied_fix: str | None = None
    applied_device_xy_m: tuple[float, float] | None = None
    report_path: Path | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"project": str(self.project_path), "surveys": [s.to_json() for s in self.surveys],
                "applied_fix": self.applied_fix,
                "applied_device_xy_m": None if self.applied_device_xy_m is None
                else [round(v, 2) for v in self.applied_device_xy_m],
                "report": None if self.report_path is None else str(self.report_path), "notes": list(self.notes)}

    def format_text(self) -> str:
        lines = [f"Demo project: {self.project_path}"]
        for s in self.surveys:
            rssi = "no estimate" if s.charger_rssi_dbm is None else format_dbm(s.charger_rssi_dbm)
            rmse = "" if s.map_error_db is None else f", map error ±{s.map_error_db:.1f} dB"
            words = f" ({s.map_words}{rmse})" if s.map_words else ""
            lines.append(f"  {s.name}: {s.samples} samples; {s.verdict} at the charger: {rssi}{words}")
        if self.applied_fix:
            x, y = self.applied_device_xy_m or (float("nan"), float("nan"))
            lines.append(f"  Applied the recommended fix: {self.applied_fix} at ({x:.1f} m, {y:.1f} m)")
        if self.report_path is not None:
            lines.append(f"Report: {self.report_path}")
        lines.extend(f"  Note: {n}" for n in self.notes)
        return "\n".join(lines)


def run_headless(out_dir: str | os.PathLike, *, seed: int = 0, report: bool = True) -> DemoSummary:
    """Walk the demo garage "Before", apply the recommended fix, walk "After", write the report.

    Writes ``out_dir/demo.evsurvey`` and ``out_dir/demo-report.pdf``; returns what it found.
    """
    from survey.analysis.recommend import option_device, recommend
    from survey.analysis.survey_analysis import analyse_survey

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(f"Cannot create the output folder {out_dir}: {exc.strerror}. Choose another with -o.") from None
    demo = load_demo_site()
    project_path = out_dir / DEMO_PROJECT_NAME
    clock = _WalkClock(time.time())
    points = walk_points_m(demo)
    notes: list[str] = []
    outcomes: list[SurveyOutcome] = []
    applied, applied_xy = None, None

    with build_demo_project(project_path, demo=demo) as store:
        project = store.load()
        before = project.survey_named(BEFORE)
        scanner = SimulatedScanner(project, seed=seed, delay_s=0.0, clock=clock)
        walk_survey(store, before.id, scanner, points, clock=clock)
        project = store.load()
        rec = recommend(project, project.survey_named(BEFORE))
        outcomes.append(SurveyOutcome.of(rec.analysis))
        chosen = rec.chosen
        device = option_device(chosen) if chosen is not None else None
        if device is None:
            notes.append("The recommendation places no new device, so no After survey was walked.")
        else:
            router = project.router
            if device.kind is DeviceKind.ROUTER and router is not None:
                # The "move the router" rung: the same router (same BSSIDs) at the new spot.
                store.update_device(replace(router, x_m=device.x_m, y_m=device.y_m))
            else:
                store.add_device(replace(device, planned=False,
                                         label=f"{device.kind.label} (installed for the After survey)"))
            applied, applied_xy = chosen.title, (device.x_m, device.y_m)
            after = store.add_survey(AFTER, notes=f"Demo: after installing: {chosen.title}.")
            store.set_active_survey(after.id)
            scanner.set_project(store.load())
            clock.advance(15 * 60)  # the fix takes a while to install
            walk_survey(store, after.id, scanner, points, clock=clock)
            project = store.load()
            outcomes.append(SurveyOutcome.of(analyse_survey(project, project.survey_named(AFTER))))
        report_path = None
        if report:
            from survey.report import build_report

            report_path = out_dir / DEMO_REPORT_NAME
            build_report(store.load(), report_path)
    return DemoSummary(project_path=project_path, surveys=tuple(outcomes), applied_fix=applied,
                       applied_device_xy_m=applied_xy, report_path=report_path, notes=tuple(notes))


# -- command line --------------------------------------------------------------------------------

def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--headless", action="store_true",
                        help="no window: walk the demo, apply the fix, walk again, write project and PDF report")
    parser.add_argument("-o", "--output", metavar="DIR", default=None,
                        help=f"folder for the headless run's files (default ./{DEFAULT_HEADLESS_DIR})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated radio field (default 0)")
    parser.add_argument("--json", action="store_true", help="machine-readable summary (headless run)")


def _display_available() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args) -> int:
    headless = args.headless
    if not headless and not _display_available():
        print(f"No display found (neither DISPLAY nor WAYLAND_DISPLAY is set): running the demo headless "
              f"into ./{args.output or DEFAULT_HEADLESS_DIR} instead.", file=sys.stderr)
        headless = True
    if headless:
        summary = run_headless(Path(args.output or DEFAULT_HEADLESS_DIR), seed=args.seed)
        if args.json:
            print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        else:
            print(summary.format_text())
        return 0
    from survey.ui.app import run_gui

    path = user_data_dir() / DEMO_PROJECT_NAME
    with build_demo_project(path):
        pass
    return run_gui(str(path), scanner_name="simulated", demo=True)
