"""``evsurvey simulate SITE.json -o DIR``: a site described in a file, surveyed by the simulated
scanner, fixed as recommended, surveyed again and reported, with no display and no visit.

The site file (documented in ``docs/site-format.md``; ``assets/demo/site.json`` is one) holds
the walls with their materials, the devices, the access points with band, channel and EIRP,
the rooms the installer names, site settings and where to survey. So a site can be
described, shared and checked headless, and planned before anyone goes there:

* :func:`load_site` reads a file into a :class:`SiteFile` (a clear error for anything wrong);
* :func:`site_project` turns it into a :class:`~survey.project.model.Project` with the
  simulated radios in its settings;
* :func:`walk_fix_and_report` walks "Before" with the simulated scanner, applies the
  recommended fix (a device on the plan, or a router setting on the simulated radios),
  walks "After" and writes the PDF; ``evsurvey demo --headless`` runs the same.

Orchestration beside ``cli``: it may use every layer except ``ui``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import struct
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from survey.errors import EvSurveyError, UserInputError
from survey.project.model import (
    Device,
    DeviceKind,
    Floorplan,
    Material,
    Project,
    Site,
    Survey,
    TargetNetwork,
    Wall,
)
from survey.project.rooms import ROOMS_SETTING
from survey.project.store import ProjectStore
from survey.project.units import format_dbm
from survey.rf.materials import DEFAULT_MATERIALS
from survey.scan.sampling import ScanRefused, accept_point
from survey.scan.simulated import SIMULATION_SETTING, SimulatedBss, SimulatedScanner, bss_from_dict, simulation_setting

log = logging.getLogger(__name__)

SITE_FORMATS = ("evsurvey-site", "evsurvey-demo-site")
SITE_FORMAT_VERSION = 1
BEFORE, AFTER = "Before", "After"
PROJECT_NAME = "site.evsurvey"
REPORT_NAME = "site-report.pdf"
#: Key of the simulated BSSs that are switched off (a router's 2.4 GHz radio): kept in the
#: simulation setting beside "bss" (which the scanner radiates), so turning one on is a move.
DISABLED_KEY = "disabled_bss"

#: Scans per stop of a simulated walk: installers take two or three at each spot and the app
#: averages them in mW.
SCANS_PER_STOP = 2
#: Survey grid pitch inside the building when the file lists no points (m): installers walk
#: a garage with samples 1-2 m apart.
DEFAULT_SURVEY_STEP_M = 1.0
#: Survey spots keep this far from walls (m): nobody holds a laptop inside a wall.
SURVEY_WALL_CLEARANCE_M = 0.3
#: Seconds one stop takes on the project's clock: a ~2 s scan per reading plus a few seconds
#: to step to the next spot, so saved times look like a walk.
_SECONDS_PER_SCAN = 2.5
_SECONDS_PER_STEP = 4.0


class SiteFileError(UserInputError):
    """The site file cannot be read as a site: the message names the key and the fix."""


class SimulationMismatch(EvSurveyError):
    """``simulate --check``: the result differs from the site file's expectation (exit 1)."""


@dataclass(frozen=True)
class SiteFile:
    """A site as described in a site file (geometry in site metres)."""

    site: Site
    target_ssid: str
    charger_profile_id: str
    floorplan: Floorplan | None
    walls: tuple[Wall, ...]
    devices: tuple[Device, ...]
    access_points: tuple[SimulatedBss, ...]
    disabled_access_points: tuple[dict, ...] = ()
    materials: tuple[Material, ...] = DEFAULT_MATERIALS
    rooms: tuple[dict, ...] = ()
    settings: dict = field(default_factory=dict, compare=False, hash=False)
    survey_points_m: np.ndarray | None = field(default=None, compare=False, hash=False)
    survey_step_m: float = DEFAULT_SURVEY_STEP_M
    seed: int = 0
    expect: dict = field(default_factory=dict, compare=False, hash=False)
    drawing: dict = field(default_factory=dict, compare=False, hash=False)


def _png_size(data: bytes, name: str) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk (the first chunk, PNG spec section 11.2.2)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise SiteFileError(f"The floorplan {name} is not a PNG image: export the plan as PNG.")
    return struct.unpack(">II", data[16:24])


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SiteFileError(f"{where} must be a number (metres, dB or dBm), not {value!r}.")
    return float(value)


def _wall(w: dict, i: int) -> Wall:
    x1_m, y1_m, x2_m, y2_m = (_number(w.get(k), f"walls[{i}].{k}") for k in ("x1_m", "y1_m", "x2_m", "y2_m"))
    return Wall(x1_m, y1_m, x2_m, y2_m, str(w.get("material_id", "")))


def _device(d: dict, i: int) -> Device:
    try:
        kind = DeviceKind(d.get("kind"))
    except ValueError:
        raise SiteFileError(
            f"devices[{i}].kind {d.get('kind')!r} is not a device kind; use one of "
            f"{', '.join(k.value for k in DeviceKind)}."
        ) from None
    eirp = d.get("eirp_dbm")
    return Device(
        kind=kind,
        x_m=_number(d.get("x_m"), f"devices[{i}].x_m"),
        y_m=_number(d.get("y_m"), f"devices[{i}].y_m"),
        label=str(d.get("label", "")),
        planned=bool(d.get("planned", False)),
        eirp_dbm=None if eirp is None else _number(eirp, f"devices[{i}].eirp_dbm"),
        bssids=tuple(str(b).lower() for b in d.get("bssids", ())),
    )


def load_site(path: str | os.PathLike) -> SiteFile:
    """Read a site file; raises :class:`SiteFileError` saying which key is wrong and how."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteFileError(f"There is no site file {path}. Check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteFileError(f"Cannot read the site file {path}: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise SiteFileError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    if not isinstance(data, dict) or data.get("format") not in SITE_FORMATS:
        raise SiteFileError(
            f'{path} is not an evsurvey site file: it needs "format": "evsurvey-site" (see docs/site-format.md).'
        )
    if int(data.get("version", 1)) > SITE_FORMAT_VERSION:
        raise SiteFileError(
            f"{path} is site format version {data['version']}; this evsurvey reads up to "
            f"{SITE_FORMAT_VERSION}. Update evsurvey."
        )
    try:
        floorplan = None
        fp = data.get("floorplan")
        if fp:
            image = (path.parent / fp["file"]).read_bytes()
            width_px, height_px = _png_size(image, fp["file"])
            floorplan = Floorplan(
                image=image,
                image_format="png",
                width_px=width_px,
                height_px=height_px,
                metres_per_px=_number(fp["metres_per_px"], "floorplan.metres_per_px"),
                origin_x_m=float(fp.get("origin_x_m", 0.0)),
                origin_y_m=float(fp.get("origin_y_m", 0.0)),
                source_name=fp["file"],
            )
        site = Site(**{k: v for k, v in (data.get("site") or {}).items() if k in Site.__dataclass_fields__})
        walls = tuple(_wall(w, i) for i, w in enumerate(data.get("walls", ())))
        devices = tuple(_device(d, i) for i, d in enumerate(data.get("devices", ())))
        enabled = [a for a in data.get("access_points", ()) if a.get("enabled", True)]
        disabled = tuple(a for a in data.get("access_points", ()) if not a.get("enabled", True))
        access_points = tuple(bss_from_dict(a) for a in enabled)
        for a in disabled:
            bss_from_dict(a)  # the same checks as a radio that is on
        own = {m.id: m for m in DEFAULT_MATERIALS}
        for i, m in enumerate(data.get("materials", ())):
            own[m["id"]] = Material(
                str(m["id"]),
                str(m.get("name", m["id"])),
                _number(m["loss_db"], f"materials[{i}].loss_db"),
                float(m.get("loss_min_db", 0.0)),
                float(m.get("loss_max_db", 50.0)),
                str(m.get("source", "Entered in the site file")),
                str(m.get("colour", "#808080")),
            )
        unknown = sorted({w.material_id for w in walls} - set(own))
        if unknown:
            raise SiteFileError(
                f"Walls use materials not defined: {', '.join(unknown)}. Use one of "
                f'{", ".join(own)} or add them under "materials".'
            )
        survey = data.get("survey") or {}
        points = survey.get("points")
        points_m = (
            None
            if points is None
            else np.array(
                [[_number(p[0], "survey.points"), _number(p[1], "survey.points")] for p in points], dtype=float
            ).reshape(-1, 2)
        )
        drawing = data.get("drawing") or {}
        rooms = tuple(data.get("rooms") or drawing.get("rooms") or ())
        target = data.get("target_ssid")
        if not isinstance(target, str) or not target:
            raise SiteFileError(f'{path}: "target_ssid" must name the network the charger will join.')
        return SiteFile(
            site=site,
            target_ssid=target,
            charger_profile_id=str(data.get("charger_profile_id", "generic_iot")),
            floorplan=floorplan,
            walls=walls,
            devices=devices,
            access_points=access_points,
            disabled_access_points=disabled,
            materials=tuple(own.values()),
            rooms=rooms,
            settings=dict(data.get("settings") or {}),
            survey_points_m=points_m,
            survey_step_m=float(survey.get("step_m", DEFAULT_SURVEY_STEP_M)),
            seed=int(survey.get("seed", 0)),
            expect=dict(data.get("expect") or {}),
            drawing=drawing,
        )
    except SiteFileError:
        raise
    except FileNotFoundError as exc:
        raise SiteFileError(f"The file {exc.filename} named in {path} is missing.") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise SiteFileError(f"{path} is not a complete site description ({exc!r}); see docs/site-format.md.") from None


def site_project(site: SiteFile, *, survey_date: str | None = None, extra_settings: dict | None = None) -> Project:
    """The site as a :class:`Project` (no surveys), the simulated radios in its settings."""
    info = replace(site.site, survey_date=survey_date) if survey_date else site.site
    setting = simulation_setting(site.access_points)
    setting[DISABLED_KEY] = [dict(a) for a in site.disabled_access_points]
    settings = {**site.settings, SIMULATION_SETTING: setting, **(extra_settings or {})}
    if site.rooms:
        settings[ROOMS_SETTING] = [dict(r) for r in site.rooms]
    return Project(
        site=info,
        units="m",
        floorplan=site.floorplan,
        walls=site.walls,
        materials=site.materials,
        devices=site.devices,
        target=TargetNetwork(site.target_ssid),
        charger_profile_id=site.charger_profile_id,
        settings=settings,
    )


def site_points(site: SiteFile, project: Project) -> np.ndarray:
    """Where to survey (N, 2): the file's points, else a grid over the building's rooms at
    ``survey.step_m`` keeping 0.3 m off the walls, plus the charger's mounting point."""
    if site.survey_points_m is not None and len(site.survey_points_m):
        return site.survey_points_m
    from survey.analysis.placement import building_extent_m, distance_to_segments_m
    from survey.project.rooms import charger_room, site_rooms
    from survey.rf.propagation import walls_arrays

    step = site.survey_step_m
    x0, y0, x1, y1 = building_extent_m(project)
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    points = np.column_stack([gx.ravel(), gy.ravel()])
    walls_xy, _ = walls_arrays(project)
    rooms = site_rooms(project)
    keep = distance_to_segments_m(points, walls_xy) >= SURVEY_WALL_CLEARANCE_M
    if rooms.closed:
        keep &= rooms.inside(points)
    points = points[keep]
    charger = project.charger
    if charger is not None:
        # Where the laptop is held at the mounting point: 0.3 m into the room from the wall.
        room = charger_room(project)
        cx, cy = room.centroid_xy_m if room is not None else (charger.x_m, charger.y_m)
        d = np.hypot(cx - charger.x_m, cy - charger.y_m)
        k = 0.0 if d == 0 else min(0.3, d) / d
        points = np.vstack([points, [[charger.x_m + k * (cx - charger.x_m), charger.y_m + k * (cy - charger.y_m)]]])
    return points


# -- walking ------------------------------------------------------------------------------------


class WalkClock:
    """A clock that advances as a walk would: the saved sample times look like a real survey."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def walk_survey(
    store: ProjectStore,
    survey_id: int,
    scanner: SimulatedScanner,
    points_m: np.ndarray,
    *,
    clock: WalkClock | None = None,
    scans_per_stop: int = SCANS_PER_STOP,
) -> int:
    """Stop at each point, take ``scans_per_stop`` scans and save them as one sample; returns the count.

    The scans go through the same acceptance as the Survey tool's (:func:`survey.scan.sampling.accept_point`):
    a stop with stale or cached scans is logged and leaves no sample. A stop that hears nothing
    is a dead spot and is saved (the Survey tool saves it when the installer retries there):
    the simulated radio field is the truth, not a radio that might be off.
    """
    taken = 0
    for x_m, y_m in points_m:
        scanner.move_to(float(x_m), float(y_m))
        scans = []
        for _ in range(scans_per_stop):
            scans.append(scanner.scan())
            if clock is not None:
                clock.advance(_SECONDS_PER_SCAN)
        now = clock() if clock is not None else time.time()
        try:
            sample = accept_point(scans, (x_m, y_m), now, nothing_heard_ok=True)
        except ScanRefused as exc:
            log.warning("No sample saved at (%.1f, %.1f) m: %s", x_m, y_m, exc)
        else:
            store.add_sample(survey_id, sample)
            taken += 1
        if clock is not None:
            clock.advance(_SECONDS_PER_STEP)
    return taken


def _setting_with_changes(project: Project, changes) -> tuple[dict, list[str]]:
    """The simulation setting with router settings changed as the ladder says: what making
    those changes in the router's web page does to what it radiates."""
    from survey.analysis.target import project_target

    setting = json.loads(json.dumps(project.settings.get(SIMULATION_SETTING) or {}))
    bss, disabled = setting.setdefault("bss", []), setting.setdefault(DISABLED_KEY, [])
    target = project_target(project).network  # the network the recommendation was made for
    ssid = target.ssid if target is not None else ""
    router = project.router
    owned = {b.lower() for b in (router.bssids if router is not None else ())}

    def mine(entry):
        return entry.get("ssid") == ssid or str(entry.get("bssid", "")).lower() in owned

    done = []
    for change in changes:
        if change.code == "enable_24ghz":
            on = [e for e in disabled if mine(e) and str(e.get("band", "2.4")) == "2.4"]
            for e in on:
                disabled.remove(e)
                bss.append({k: v for k, v in e.items() if k != "enabled"})
            done.append(f"2.4 GHz radio on ({len(on)} BSS)")
        elif change.code == "transition_mode":
            for e in bss:
                if mine(e):
                    e["auth"] = ["WPA2-PSK", "WPA3-SAE"]
            done.append("WPA2/WPA3 transition mode")
        elif change.code == "channel" and change.value is not None:
            for e in bss:
                if mine(e) and str(e.get("band", "2.4")) == "2.4":
                    e["channel"] = int(change.value)
            done.append(f"channel {change.value}")
        elif change.code == "tx_power" and change.value is not None:
            # The router is set to that power, whatever the survey estimated it radiated.
            for e in bss:
                if mine(e) and str(e.get("band", "2.4")) == "2.4":
                    e["eirp_dbm"] = max(float(e.get("eirp_dbm", 20.0)), float(change.value))
            done.append(f"2.4 GHz transmit power {change.value} dBm EIRP")
    return setting, done


def apply_fix(store: ProjectStore, rec) -> tuple[str | None, tuple[float, float] | None]:
    """Make the recommended fix on the stored project: the chosen option's device (or the
    router's new spot) and every router setting the chosen option and the "do as well"
    rungs call for. Returns (what was done, the device's spot) or (None, None)."""
    from survey.analysis.placement import ALSO
    from survey.analysis.recommend import option_device

    chosen = rec.chosen
    if chosen is None or chosen.kind == "nothing":
        return None, None
    project = store.load()
    changes = [c for o in rec.options if o is chosen or o.status == ALSO for c in o.setting_changes]
    done: list[str] = []
    if changes:
        setting, done = _setting_with_changes(project, changes)
        store.set_setting(SIMULATION_SETTING, setting)
    device = option_device(chosen)
    xy = None
    if device is not None:
        router = project.router
        if device.kind is DeviceKind.ROUTER and router is not None:
            # The "move the router" rung: the same router (same BSSIDs) at the new spot.
            store.update_device(replace(router, x_m=device.x_m, y_m=device.y_m))
        else:
            store.add_device(
                replace(device, planned=False, label=f"{device.kind.label} (installed for the After survey)")
            )
        xy = (device.x_m, device.y_m)
    if device is None and not done:
        return None, None
    what = chosen.title + (f" ({', '.join(done)})" if done else "")
    return what, xy


@dataclass(frozen=True)
class SurveyOutcome:
    """What one walk found at the charger, read from its
    :class:`~survey.analysis.survey_analysis.SurveyAnalysis`."""

    name: str
    samples: int
    charger_rssi_dbm: float | None
    map_words: str
    map_method: str
    map_error_db: float | None
    verdict: str | None = None
    confidence: str | None = None

    @classmethod
    def of(cls, analysis) -> SurveyOutcome:
        count = len(analysis.survey.samples) if analysis.survey is not None else 0
        return cls(
            analysis.survey_name,
            count,
            analysis.charger_dbm,
            analysis.map_words,
            analysis.map_method,
            analysis.map_error_db,
            analysis.verdict.status,
            analysis.verdict.confidence,
        )

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "samples": self.samples,
            "charger_rssi_dbm": self.charger_rssi_dbm,
            "map": {"words": self.map_words, "method": self.map_method, "loo_rmse_db": self.map_error_db},
            "verdict": self.verdict,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class SimulationSummary:
    """A walk, its fix and the walk after: what ``simulate`` and ``demo --headless`` print."""

    project_path: Path
    surveys: tuple[SurveyOutcome, ...]
    applied_fix: str | None = None
    applied_device_xy_m: tuple[float, float] | None = None
    report_path: Path | None = None
    notes: tuple[str, ...] = ()
    chosen: dict | None = None
    expectation: dict | None = None

    def to_json(self) -> dict:
        return {
            "project": str(self.project_path),
            "surveys": [s.to_json() for s in self.surveys],
            "applied_fix": self.applied_fix,
            "applied_device_xy_m": None
            if self.applied_device_xy_m is None
            else [round(v, 2) for v in self.applied_device_xy_m],
            "report": None if self.report_path is None else str(self.report_path),
            "notes": list(self.notes),
            "chosen": self.chosen,
            "expectation": self.expectation,
        }

    def format_text(self, title: str = "Project") -> str:
        lines = [f"{title}: {self.project_path}"]
        for s in self.surveys:
            rssi = "no estimate" if s.charger_rssi_dbm is None else format_dbm(s.charger_rssi_dbm)
            rmse = "" if s.map_error_db is None else f", map error ±{s.map_error_db:.1f} dB"
            words = f" ({s.map_words}{rmse})" if s.map_words else ""
            lines.append(f"  {s.name}: {s.samples} samples; {s.verdict} at the charger: {rssi}{words}")
        if self.chosen is not None:
            c = self.chosen
            where = f" in {c['place']}" if c.get("place") else ""
            lines.append(f"  Recommended: {c['title']}{where}")
        if self.applied_fix:
            where = ""
            if self.applied_device_xy_m is not None:
                where = f" at ({self.applied_device_xy_m[0]:.1f} m, {self.applied_device_xy_m[1]:.1f} m)"
            lines.append(f"  Applied the recommended fix: {self.applied_fix}{where}")
        if self.expectation is not None:
            e = self.expectation
            lines.append("  Expected result: " + ("met" if e["met"] else "NOT met: " + "; ".join(e["mismatches"])))
        if self.report_path is not None:
            lines.append(f"Report: {self.report_path}")
        lines.extend(f"  Note: {n}" for n in self.notes)
        return "\n".join(lines)


def chosen_summary(project: Project, option) -> dict | None:
    """The chosen option in a few fields, with where its device goes: "building" (inside the
    footprint), "outdoor_kind" (an outdoor-rated kind, outdoors by design) or None (no device)."""
    if option is None:
        return None
    from survey.project.rooms import site_rooms

    inside = None
    if option.xy_m is not None:
        rooms = site_rooms(project)
        indoors = bool(rooms.inside([option.xy_m])[0]) if rooms.closed else True
        inside = "outdoor_kind" if option.outdoor else ("building" if indoors else "outdoors")
    return {
        "kind": option.kind,
        "title": option.title,
        "place": option.place,
        "device_in": inside,
        "xy_m": None if option.xy_m is None else [round(option.xy_m[0], 2), round(option.xy_m[1], 2)],
        "backhaul_band": option.backhaul_band,
        "margin_db": option.margin_db,
        "predicted_charger_rssi_dbm": option.predicted_charger_rssi_dbm,
        "setting_changes": [c.code for c in option.setting_changes],
    }


def check_expectation(
    expect: dict, before: SurveyOutcome, chosen: dict | None, after: SurveyOutcome | None
) -> dict | None:
    """Compare a run with the file's ``expect`` block (None without one)."""
    if not expect:
        return None
    got = {
        "verdict": before.verdict,
        "chosen": None if chosen is None else chosen["kind"],
        "device_in": None if chosen is None else chosen["device_in"],
        "backhaul_band": None if chosen is None else chosen["backhaul_band"],
        "after_verdict": None if after is None else after.verdict,
    }
    mismatches = [
        f"{key}: expected {value!r}, got {got.get(key)!r}"
        for key, value in expect.items()
        if key in got and got[key] != value
    ]
    mismatches += [f"{key}: not a known expectation (use {', '.join(got)})" for key in expect if key not in got]
    return {"met": not mismatches, "mismatches": mismatches, "expected": expect, "got": got}


def _stored_id(survey: Survey | None, name: str) -> int:
    """The store's id of the survey ``name`` a walk goes into (the callers add it to the store)."""
    if survey is None or survey.id is None:
        raise ValueError(f"the project has no stored survey {name!r} to walk")
    return survey.id


def walk_fix_and_report(
    store: ProjectStore,
    points: np.ndarray,
    *,
    seed: int = 0,
    clock: WalkClock | None = None,
    report_path: Path | None = None,
    expect: dict | None = None,
    scans_per_stop: int = SCANS_PER_STOP,
) -> SimulationSummary:
    """Walk the store's "Before" survey, apply the recommendation, walk "After", write the report."""
    from survey.analysis.recommend import recommend
    from survey.analysis.survey_analysis import analyse_survey

    clock = clock or WalkClock(time.time())
    project = store.load()
    before_id = _stored_id(project.survey_named(BEFORE), BEFORE)
    scanner = SimulatedScanner(project, seed=seed, delay_s=0.0, clock=clock)
    walk_survey(store, before_id, scanner, points, clock=clock, scans_per_stop=scans_per_stop)
    project = store.load()
    rec = recommend(project, project.survey_named(BEFORE))
    outcomes = [SurveyOutcome.of(rec.analysis)]
    chosen = chosen_summary(project, rec.chosen)
    notes = []
    applied, xy = apply_fix(store, rec)
    after_outcome = None
    if applied is None:
        notes.append("The recommendation changes nothing on the plan or the router, so no After survey was walked.")
    else:
        after_id = _stored_id(store.add_survey(AFTER, notes=f"After: {applied}."), AFTER)
        store.set_active_survey(after_id)
        scanner.set_project(store.load())
        clock.advance(15 * 60)  # the fix takes a while to install
        walk_survey(store, after_id, scanner, points, clock=clock, scans_per_stop=scans_per_stop)
        project = store.load()
        after_outcome = SurveyOutcome.of(analyse_survey(project, project.survey_named(AFTER)))
        outcomes.append(after_outcome)
    if report_path is not None:
        from survey.report import build_report

        build_report(store.load(), report_path)
    return SimulationSummary(
        project_path=store.path,
        surveys=tuple(outcomes),
        applied_fix=applied,
        applied_device_xy_m=xy,
        report_path=report_path,
        notes=tuple(notes),
        chosen=chosen,
        expectation=check_expectation(expect or {}, outcomes[0], chosen, after_outcome),
    )


def simulate_site(
    site_path: str | os.PathLike, out_dir: str | os.PathLike, *, seed: int | None = None, report: bool = True
) -> SimulationSummary:
    """Build the project of a site file in ``out_dir``, walk, fix, walk again and report."""
    site = load_site(site_path)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(
            f"Cannot create the output folder {out_dir}: {exc.strerror}. Choose another with -o."
        ) from None
    project = site_project(site)
    points = site_points(site, project)
    if len(points) == 0:
        raise SiteFileError(
            f'{site_path}: nowhere to survey. List "survey": {{"points": ...}} or close the walls into rooms.'
        )
    store = ProjectStore.create(out_dir / PROJECT_NAME, project, overwrite=True)
    with store:
        survey = store.add_survey(BEFORE, notes="Simulated walk of the site as it is.")
        store.set_active_survey(survey.id)
        return walk_fix_and_report(
            store,
            points,
            seed=site.seed if seed is None else seed,
            report_path=out_dir / REPORT_NAME if report else None,
            expect=site.expect,
        )


# -- command line --------------------------------------------------------------------------------


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site", help="a site file (JSON, see docs/site-format.md)")
    parser.add_argument("-o", "--output", metavar="DIR", required=True, help="folder for the project and the PDF")
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the simulated radio field (default: the file's, else 0)"
    )
    parser.add_argument("--no-report", action="store_true", help="skip the PDF")
    parser.add_argument(
        "--check", action="store_true", help='exit 1 when the result differs from the file\'s "expect" block'
    )
    parser.add_argument("--json", action="store_true", help="machine-readable summary")


def run(args) -> int:
    summary = simulate_site(args.site, args.output, seed=args.seed, report=not args.no_report)
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        print(summary.format_text("Simulated project"))
    if args.check and summary.expectation is not None and not summary.expectation["met"]:
        raise SimulationMismatch(
            "The simulated site did not give the expected result: " + "; ".join(summary.expectation["mismatches"])
        )
    return 0
