"""Every value read from or written to a project file, checked against the model's types
and ranges.

Reading (:func:`read_project`): a project file is mailed around and may hold anything an
SQLite file can hold — NULL or text where a position belongs, text or infinite RSSI, a
``meta`` value that is not the JSON it should be (settings nested 100,000 deep), a device
kind no version of evsurvey knows. Each such row is skipped and named in the result's
``problems`` ("sample 41 has no position: skipped"); a ``meta`` value that is not usable
falls back to its default, also named. Nothing here raises for bad data.

Writing (:func:`require_finite` and the ``check_*`` functions): NaN and infinities never
reach the file; a value out of range is refused with :class:`InvalidValueError` before
anything is written.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from survey.project.file_errors import InvalidValueError
from survey.project.link import LinkTest, LinkTestResult, ProbeKind, ThroughputResult
from survey.project.model import (
    UNITS,
    Device,
    DeviceKind,
    Floorplan,
    Material,
    Observation,
    Project,
    Sample,
    SampleMode,
    ScanResult,
    Site,
    Survey,
    TargetNetwork,
    Wall,
)
from survey.project.preflight import NetcheckReport

log = logging.getLogger(__name__)

#: Largest |coordinate| in site metres. A site is a garage, a house or a car park: far
#: below this. Anything beyond (1e300 from a corrupted file, or a drawing read in the wrong
#: units) would only overflow the map grid and the report.
MAX_ABS_COORD_M = 100_000.0
#: RSSI outside this (dBm) is no radio reading: thermal noise over 20 MHz is about -101 dBm
#: and no Wi-Fi transmitter is allowed far above +30 dBm EIRP.
RSSI_RANGE_DBM = (-200.0, 50.0)
#: Material loss at 2.4 GHz (dB): 0 (open air) up to far beyond metal siding's 25-40 dB.
LOSS_RANGE_DB = (0.0, 200.0)
EIRP_RANGE_DBM = (-50.0, 60.0)
MAX_IMAGE_SIDE_PX = 1_000_000
_NUMBERS = (int, float)
#: Deepest nesting of a ``meta`` JSON value (settings hold flat values and small lists).
MAX_JSON_DEPTH = 32
ROTATIONS_DEG = (0, 90, 180, 270)


class _Bad(Exception):
    """One field of one row is unusable; the text says how (for the problem line)."""


# -- field checks (a row's value -> model value, or _Bad) ---------------------------------------


def _a(what: str) -> str:
    return f"{'an' if what[:1] in 'aeiou' else 'a'} {what}"


def _number(value: Any, what: str, lo: float, hi: float) -> float:
    if (type(value) is float or type(value) is int) and lo <= value <= hi:  # finite too: NaN compares false
        return float(value)
    if value is None:
        raise _Bad(f"no {what}")
    if type(value) not in (int, float):
        raise _Bad(f"{_a(what)} that is not a number ({_short(value)})")
    if not math.isfinite(value):
        raise _Bad(f"{_a(what)} that is not finite ({value})")
    if not lo <= value <= hi:
        raise _Bad(f"{_a(what)} out of range ({value:g})")
    return float(value)


def _coord(value: Any, what: str = "position") -> float:
    return _number(value, what, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)


def _opt_number(value: Any, what: str, lo: float = -1e300, hi: float = 1e300) -> float | None:
    return None if value is None else _number(value, what, lo, hi)


def _time(value: Any, what: str = "time") -> float:
    return _number(value, what, -1e12, 1e12)


def _integer(value: Any, what: str, lo: int = -(2**53), hi: int = 2**53) -> int:
    if type(value) is not int:
        raise _Bad(f"no {what}" if value is None else f"{_a(what)} that is not a whole number ({_short(value)})")
    if not lo <= value <= hi:
        raise _Bad(f"{_a(what)} out of range ({value})")
    return value


def _opt_integer(value: Any, what: str, lo: int = -(2**53), hi: int = 2**53) -> int | None:
    return None if value is None else _integer(value, what, lo, hi)


def _flag(value: Any, what: str) -> bool:
    if value not in (0, 1) or type(value) is not int:
        raise _Bad(f"{_a(what)} flag that is not 0 or 1 ({_short(value)})")
    return bool(value)


def _text(value: Any, what: str) -> str:
    if type(value) is not str:
        raise _Bad(f"no {what}" if value is None else f"{_a(what)} that is not text ({_short(value)})")
    return value


def _opt_text(value: Any, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _json_text_list(value: Any, what: str) -> tuple[str, ...]:
    parsed = _json(_text(value, what), what)
    if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
        raise _Bad(f"{_a(what)} that is not a list of text")
    return tuple(parsed)


def _member(value: Any, members: dict[str, Any], what: str) -> Any:
    """The enum member stored as *value* (its text)."""
    found = members.get(value) if type(value) is str else None
    if found is None:
        raise _Bad(f"{_a(what)} evsurvey does not know ({_short(value)})")
    return found


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _json(text: str, what: str) -> Any:
    """Parse JSON without trusting its shape: too deep a nesting is refused before the parser
    recurses (a 100,000-deep value would raise RecursionError)."""
    if len(text) > 2 * MAX_JSON_DEPTH and _json_depth(text) > MAX_JSON_DEPTH:
        raise _Bad(f"{_a(what)} nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise _Bad(f"{_a(what)} that is not valid JSON") from None


# A JSON string: a quote, then characters that are neither quote nor backslash, or a backslash
# with any one character, then a quote. Each step takes one or two characters: linear.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    """Deepest [ / { nesting of a JSON text (strings skipped); linear in its length."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


# -- reading a whole project -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    """What a file holds, as far as it is usable; ``problems`` names each skipped row or value."""

    project: Project
    problems: tuple[str, ...]


class _Reader:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.problems: list[str] = []

    def rows(self, sql: str, params: tuple = ()) -> Iterable[sqlite3.Row]:
        return self.db.execute(sql, params)

    def skipped(self, what: str, bad: _Bad) -> None:
        self.problems.append(f"{what} has {bad}: skipped")

    # -- meta ------------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for row in self.rows("SELECT key, value FROM meta"):
            key, raw = row[0], row[1]
            if type(key) is not str:
                continue
            try:
                values[key] = _json(_text(raw, "value"), "value")
            except _Bad as bad:
                self.problems.append(f"the project's '{key}' entry is unreadable ({bad}): ignored")
        return values

    def meta_value(self, meta: dict[str, Any], key: str, check: Callable[[Any], Any], default: Any, what: str) -> Any:
        if key not in meta:
            return default
        try:
            return check(meta[key])
        except _Bad as bad:
            self.problems.append(f"the project's {what} {bad}: ignored")
            return default

    def site(self, meta: dict[str, Any]) -> Site:
        value = meta.get("site", {})
        if not isinstance(value, dict):
            self.problems.append("the project's site details are not a set of fields: ignored")
            return Site()
        fields: dict[str, Any] = {}
        for name in ("customer", "address", "installer", "survey_date", "notes"):
            if name in value:
                if isinstance(value[name], str):
                    fields[name] = value[name]
                else:
                    self.problems.append(f"the site's {name.replace('_', ' ')} is not text: ignored")
        if value.get("north_deg") is not None:
            try:
                fields["north_deg"] = _number(value["north_deg"], "north direction", -360.0, 360.0)
            except _Bad as bad:
                self.problems.append(f"the site has {bad}: ignored")
        return Site(**fields)

    # -- tables ----------------------------------------------------------------------------------
    def floorplan(self) -> Floorplan | None:
        for r in self.rows("SELECT * FROM floorplan WHERE id = 1"):
            try:
                image = r["image"]
                if type(image) is not bytes or not image:
                    raise _Bad("no image data")
                rotation = _integer(r["rotation_deg"], "rotation")
                if rotation not in ROTATIONS_DEG:
                    raise _Bad(f"a rotation that is not 0, 90, 180 or 270 ({rotation})")
                return Floorplan(
                    image=image,
                    image_format=_text(r["image_format"], "image format"),
                    width_px=_integer(r["width_px"], "width", 1, MAX_IMAGE_SIDE_PX),
                    height_px=_integer(r["height_px"], "height", 1, MAX_IMAGE_SIDE_PX),
                    metres_per_px=_number(r["metres_per_px"], "scale", 1e-9, 1000.0),
                    origin_x_m=_coord(r["origin_x_m"]),
                    origin_y_m=_coord(r["origin_y_m"]),
                    rotation_deg=rotation,
                    opacity=_number(r["opacity"], "opacity", 0.0, 1.0),
                    source_name=_text(r["source_name"], "source name"),
                )
            except _Bad as bad:
                self.skipped("the floorplan image", bad)
        return None

    def materials(self) -> tuple[Material, ...]:
        out = []
        for r in self.rows("SELECT * FROM materials ORDER BY rowid"):
            try:
                out.append(
                    Material(
                        _text(r["id"], "id"),
                        _text(r["name"], "name"),
                        _number(r["loss_db"], "loss", *LOSS_RANGE_DB),
                        _number(r["loss_min_db"], "lowest loss", *LOSS_RANGE_DB),
                        _number(r["loss_max_db"], "highest loss", *LOSS_RANGE_DB),
                        _text(r["source"], "source"),
                        _text(r["colour"], "colour"),
                    )
                )
            except _Bad as bad:
                self.skipped(f"material {_short(r['id'])}", bad)
        return tuple(out)

    def walls(self) -> tuple[Wall, ...]:
        out = []
        for r in self.rows("SELECT * FROM walls ORDER BY id"):
            try:
                out.append(
                    Wall(
                        _coord(r["x1_m"], "end point"),
                        _coord(r["y1_m"], "end point"),
                        _coord(r["x2_m"], "end point"),
                        _coord(r["y2_m"], "end point"),
                        _text(r["material_id"], "material"),
                        id=_integer(r["id"], "id"),
                    )
                )
            except _Bad as bad:
                self.skipped(f"wall {r['id']}", bad)
        return tuple(out)

    def devices(self) -> tuple[Device, ...]:
        out = []
        kinds = {k.value: k for k in DeviceKind}
        for r in self.rows("SELECT * FROM devices ORDER BY id"):
            try:
                out.append(
                    Device(
                        _member(r["kind"], kinds, "kind"),
                        _coord(r["x_m"]),
                        _coord(r["y_m"]),
                        label=_text(r["label"], "label"),
                        planned=_flag(r["planned"], "planned"),
                        eirp_dbm=_opt_number(r["eirp_dbm"], "transmit power", *EIRP_RANGE_DBM),
                        bssids=_json_text_list(r["bssids"], "BSSID list"),
                        id=_integer(r["id"], "id"),
                    )
                )
            except _Bad as bad:
                self.skipped(f"device {r['id']}", bad)
        return tuple(out)

    def observations(self) -> dict[int, list[Observation]]:
        # The biggest table (samples × networks heard × scans): tuples, not sqlite3.Row
        # lookups by name, and each distinct JSON list parsed once.
        cursor = self.db.execute(
            "SELECT id, scan_id, bssid, ssid, ssid_raw, rssi_dbm, rssi_estimated, signal_pct, freq_mhz, channel,"
            " band, auth, ciphers, wps, station_count, channel_utilization_pct, channel_width_mhz, last_seen"
            " FROM observations ORDER BY id"
        )
        cursor.row_factory = None
        parsed_lists: dict[Any, tuple[str, ...]] = {}

        def text_list(value: Any, what: str) -> tuple[str, ...]:
            try:
                return parsed_lists[value]
            except KeyError:
                parsed = parsed_lists[value] = _json_text_list(value, what)
                return parsed
            except TypeError:  # not hashable: not text either
                return _json_text_list(value, what)

        by_scan: dict[int, list[Observation]] = {}
        rssi_lo, rssi_hi = RSSI_RANGE_DBM
        for (
            oid,
            scan_id,
            bssid,
            ssid,
            raw,
            rssi,
            estimated,
            pct,
            freq,
            channel,
            band,
            auth,
            ciphers,
            wps,
            stations,
            utilisation,
            width,
            seen,
        ) in cursor:
            # The common case in one expression (NaN and infinities fail the range tests);
            # anything else goes through the field checks below, which name the problem.
            if (
                type(bssid) is str
                and type(ssid) is str
                and (raw is None or type(raw) is bytes)
                and (rssi is None or (type(rssi) in _NUMBERS and rssi_lo <= rssi <= rssi_hi))
                and (freq is None or (type(freq) in _NUMBERS and 1.0 <= freq <= 1e6))
                and (channel is None or (type(channel) is int and 0 <= channel <= 10_000))
                and (band is None or type(band) is str)
                and type(estimated) is int
                and estimated in (0, 1)
                and (pct is None or (type(pct) in _NUMBERS and 0.0 <= pct <= 100.0))
                and (wps is None or (type(wps) is int and wps in (0, 1)))
                and (stations is None or (type(stations) is int and 0 <= stations <= 1_000_000))
                and (utilisation is None or (type(utilisation) in _NUMBERS and 0.0 <= utilisation <= 100.0))
                and (width is None or (type(width) is int and 0 <= width <= 10_000))
                and (seen is None or (type(seen) in _NUMBERS and -1e12 <= seen <= 1e12))
                and type(auth) is str
                and auth in parsed_lists
                and type(ciphers) is str
                and ciphers in parsed_lists
            ):
                obs = Observation(
                    bssid=bssid,
                    ssid=ssid,
                    rssi_dbm=None if rssi is None else float(rssi),
                    freq_mhz=None if freq is None else float(freq),
                    channel=channel,
                    band=band,
                    ssid_raw=raw,
                    rssi_estimated=bool(estimated),
                    signal_pct=None if pct is None else float(pct),
                    auth=parsed_lists[auth],
                    ciphers=parsed_lists[ciphers],
                    wps=None if wps is None else bool(wps),
                    station_count=stations,
                    channel_utilization_pct=None if utilisation is None else float(utilisation),
                    channel_width_mhz=width,
                    last_seen=None if seen is None else float(seen),
                )
            else:
                try:
                    if raw is not None and type(raw) is not bytes:
                        raise _Bad(f"raw SSID bytes that are not bytes ({_short(raw)})")
                    obs = Observation(
                        bssid=_text(bssid, "BSSID"),
                        ssid=_text(ssid, "SSID"),
                        rssi_dbm=_opt_number(rssi, "signal level (RSSI)", *RSSI_RANGE_DBM),
                        freq_mhz=_opt_number(freq, "frequency", 1.0, 1e6),
                        channel=_opt_integer(channel, "channel", 0, 10_000),
                        band=_opt_text(band, "band"),
                        ssid_raw=raw,
                        rssi_estimated=_flag(estimated, "estimated"),
                        signal_pct=_opt_number(pct, "signal percentage", 0.0, 100.0),
                        auth=text_list(auth, "security list"),
                        ciphers=text_list(ciphers, "cipher list"),
                        wps=None if wps is None else _flag(wps, "WPS"),
                        station_count=_opt_integer(stations, "station count", 0, 1_000_000),
                        channel_utilization_pct=_opt_number(utilisation, "channel use", 0.0, 100.0),
                        channel_width_mhz=_opt_integer(width, "channel width", 0, 10_000),
                        last_seen=None if seen is None else _time(seen, "last-seen time"),
                    )
                except _Bad as bad:
                    self.skipped(f"observation {oid} (network {_short(bssid)})", bad)
                    continue
            by_scan.setdefault(scan_id, []).append(obs)
        return by_scan

    def scans(self, observations: dict[int, list[Observation]]) -> dict[int, list[ScanResult]]:
        by_sample: dict[int, list[ScanResult]] = {}
        for c in self.rows("SELECT * FROM scans ORDER BY id"):
            try:
                scan = ScanResult(
                    observations=tuple(observations.get(c["id"], ())),
                    started_at=_time(c["started_at"], "start time"),
                    finished_at=_time(c["finished_at"], "end time"),
                    backend=_text(c["backend"], "scanner name"),
                    fresh=_flag(c["fresh"], "fresh"),
                    warnings=_json_text_list(c["warnings"], "warning list"),
                )
            except _Bad as bad:
                self.skipped(f"scan {c['id']} (of sample {c['sample_id']})", bad)
                continue
            by_sample.setdefault(c["sample_id"], []).append(scan)
        return by_sample

    def links(self) -> dict[int, LinkTest]:
        """sample id -> its link test (survey.project.link), the bad rows named and left out."""
        probes = {p.value: p for p in ProbeKind}
        results: dict[int, list[LinkTestResult]] = {}
        for r in self.rows("SELECT * FROM link_results ORDER BY id"):
            try:
                results.setdefault(r["sample_id"], []).append(
                    LinkTestResult(
                        target=_text(r["target"], "target"),
                        address=_text(r["address"], "address"),
                        probe=_member(r["probe"], probes, "probe kind"),
                        port=_opt_integer(r["port"], "port", 0, 65535),
                        sent=_integer(r["sent"], "probe count", 0),
                        received=_integer(r["received"], "reply count", 0),
                        rtt_median_ms=_opt_number(r["rtt_median_ms"], "round trip", 0.0),
                        rtt_p95_ms=_opt_number(r["rtt_p95_ms"], "round trip", 0.0),
                        jitter_ms=_opt_number(r["jitter_ms"], "jitter", 0.0),
                        started_at=_time(r["started_at"]),
                        duration_s=_number(r["duration_s"], "duration", 0.0, 1e9),
                        tried=_json_text_list(r["tried"], "list of probes tried"),
                    )
                )
            except _Bad as bad:
                self.skipped(f"link test {r['id']} (of sample {r['sample_id']})", bad)
        throughput: dict[int, ThroughputResult] = {}
        for t in self.rows("SELECT * FROM link_throughput"):
            try:
                throughput[t["sample_id"]] = ThroughputResult(
                    server=_text(t["server"], "server"),
                    port=_integer(t["port"], "port", 0, 65535),
                    up_mbps=_number(t["up_mbps"], "throughput", 0.0, 1e9),
                    down_mbps=_number(t["down_mbps"], "throughput", 0.0, 1e9),
                    duration_s=_number(t["duration_s"], "duration", 0.0, 1e9),
                    started_at=_time(t["started_at"]),
                )
            except _Bad as bad:
                self.skipped(f"the throughput test of sample {t['sample_id']}", bad)
        return {
            sid: LinkTest(tuple(results.get(sid, ())), throughput.get(sid))
            for sid in results.keys() | throughput.keys()
        }

    def samples(self, scans: dict[int, list[ScanResult]], links: dict[int, LinkTest]) -> dict[int, list[Sample]]:
        by_survey: dict[int, list[Sample]] = {}
        modes = {m.value: m for m in SampleMode}
        for s in self.rows("SELECT * FROM samples ORDER BY id"):
            try:
                sample = Sample(
                    x_m=_coord(s["x_m"]),
                    y_m=_coord(s["y_m"]),
                    taken_at=_time(s["taken_at"]),
                    scans=tuple(scans.get(s["id"], ())),
                    mode=_member(s["mode"], modes, "sampling mode"),
                    id=_integer(s["id"], "id"),
                    link=links.get(s["id"]),
                )
            except _Bad as bad:
                self.skipped(f"sample {s['id']}", bad)
                continue
            by_survey.setdefault(s["survey_id"], []).append(sample)
        return by_survey

    def surveys(self, samples: dict[int, list[Sample]]) -> tuple[Survey, ...]:
        out = []
        for r in self.rows("SELECT * FROM surveys ORDER BY id"):
            try:
                out.append(
                    Survey(
                        name=_text(r["name"], "name"),
                        created_at=_time(r["created_at"], "creation time"),
                        samples=tuple(samples.get(r["id"], ())),
                        notes=_text(r["notes"], "notes"),
                        id=_integer(r["id"], "id"),
                    )
                )
            except _Bad as bad:
                count = len(samples.get(r["id"], ()))
                self.problems.append(f"survey {r['id']} has {bad}: skipped with its {count} samples")
        return tuple(out)


def _target(value: Any) -> TargetNetwork | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("ssid"), str):
        raise _Bad("is not a network name")
    bssids = value.get("bssids", [])
    if not isinstance(bssids, list) or not all(isinstance(b, str) for b in bssids):
        raise _Bad("has a BSSID list that is not a list of text")
    return TargetNetwork(value["ssid"], tuple(bssids))


def _units(value: Any) -> str:
    if value not in UNITS:
        raise _Bad(f"are not 'm' or 'ft' ({_short(value)})")
    return value


def _profile_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(f"is not a profile name ({_short(value)})")
    return value


def _survey_id(value: Any) -> int | None:
    if value is not None and type(value) is not int:
        raise _Bad(f"is not a survey number ({_short(value)})")
    return value


def _settings(value: Any) -> dict:
    if not isinstance(value, dict):
        raise _Bad("are not a set of named values")
    return value


def _preflight(value: Any) -> NetcheckReport | None:
    """The stored network check, or None when there is none or it cannot be read: a record of
    an earlier check (run again in a minute) must not keep the survey itself from opening."""
    if value is None:
        return None
    try:
        return NetcheckReport.from_json(value)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("ignoring the stored pre-flight results: %s", exc)
        return None


def read_devices(db: sqlite3.Connection) -> tuple[Device, ...]:
    """The usable devices of a project database (``row_factory = sqlite3.Row``), as
    :func:`read_project` reads them."""
    return _Reader(db).devices()


def read_project(db: sqlite3.Connection) -> LoadResult:
    """Read every row of a validated project database; skip and name what is unusable.

    *db* must have ``row_factory = sqlite3.Row``. SQLite errors (damage the quick check did
    not see) propagate to the caller."""
    reader = _Reader(db)
    meta = reader.meta()
    observations = reader.observations()
    scans = reader.scans(observations)
    samples = reader.samples(scans, reader.links())
    project = Project(
        site=reader.site(meta),
        units=reader.meta_value(meta, "units", _units, "m", "units"),
        floorplan=reader.floorplan(),
        walls=reader.walls(),
        materials=reader.materials(),
        devices=reader.devices(),
        surveys=reader.surveys(samples),
        target=reader.meta_value(meta, "target", _target, None, "target network"),
        charger_profile_id=reader.meta_value(meta, "charger_profile_id", _profile_id, "generic_iot", "charger model"),
        active_survey_id=reader.meta_value(meta, "active_survey_id", _survey_id, None, "active survey"),
        settings=reader.meta_value(meta, "settings", _settings, {}, "settings"),
        preflight=_preflight(meta.get("preflight")),
    )
    return LoadResult(project, tuple(reader.problems))


# -- checks before writing -----------------------------------------------------------------------------


def require_finite(
    what: str, value: float | None, lo: float = -math.inf, hi: float = math.inf, *, optional: bool = False
) -> None:
    """Refuse NaN, infinities and values outside [lo, hi] before anything is written."""
    if value is None and optional:
        return
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
        if lo <= value <= hi:
            return
        problem = f"{float(value):g} is out of range ({lo:g} to {hi:g})"
    else:
        problem = f"{value!r} is not a finite number"
    raise InvalidValueError(
        f"Not saved: {what}: {problem}. Nothing was changed. (A drawing or a file with a "
        "value like 1e999 gives this: correct it and try again.)"
    )


def check_wall(w: Wall) -> None:
    for value in (w.x1_m, w.y1_m, w.x2_m, w.y2_m):
        require_finite("a wall end point", value, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)


def check_device(d: Device) -> None:
    require_finite(f"the {d.kind.label.lower()}'s position", d.x_m, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)
    require_finite(f"the {d.kind.label.lower()}'s position", d.y_m, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)
    require_finite("the transmit power", d.eirp_dbm, *EIRP_RANGE_DBM, optional=True)


def check_position(x_m: float, y_m: float, what: str = "the sample's position") -> None:
    require_finite(what, x_m, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)
    require_finite(what, y_m, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)


def check_sample(sample: Sample) -> None:
    check_position(sample.x_m, sample.y_m)
    require_finite("the sample's time", sample.taken_at)
    for scan in sample.scans:
        require_finite("a scan's time", scan.started_at)
        require_finite("a scan's time", scan.finished_at)
        for o in scan.observations:
            require_finite(f"the signal level of {o.bssid or o.ssid!r}", o.rssi_dbm, *RSSI_RANGE_DBM, optional=True)
            for what, value in (
                ("frequency", o.freq_mhz),
                ("signal percentage", o.signal_pct),
                ("channel use", o.channel_utilization_pct),
                ("last-seen time", o.last_seen),
            ):
                require_finite(f"the {what} of {o.bssid or o.ssid!r}", value, optional=True)
    if sample.link is not None:
        check_link(sample.link)


def check_link(link: LinkTest) -> None:
    for r in link.results:
        require_finite("a link test's time", r.started_at)
        require_finite("a link test's duration", r.duration_s, 0.0)
        for what, value in (("round trip", r.rtt_median_ms), ("round trip", r.rtt_p95_ms), ("jitter", r.jitter_ms)):
            require_finite(f"a link test's {what}", value, 0.0, optional=True)
    t = link.throughput
    if t is not None:
        for what, value in (("upload", t.up_mbps), ("download", t.down_mbps), ("duration", t.duration_s)):
            require_finite(f"a throughput test's {what}", value, 0.0)


def check_floorplan(fp: Floorplan) -> None:
    require_finite("the plan's scale", fp.metres_per_px, 1e-9, 1000.0)
    require_finite("the plan's position", fp.origin_x_m, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)
    require_finite("the plan's position", fp.origin_y_m, -MAX_ABS_COORD_M, MAX_ABS_COORD_M)
    require_finite("the plan's opacity", fp.opacity, 0.0, 1.0)
    if fp.rotation_deg not in ROTATIONS_DEG:
        raise InvalidValueError(f"Not saved: the plan's rotation must be 0, 90, 180 or 270°, not {fp.rotation_deg}.")
    if not (1 <= fp.width_px <= MAX_IMAGE_SIDE_PX and 1 <= fp.height_px <= MAX_IMAGE_SIDE_PX):
        raise InvalidValueError(f"Not saved: the plan image size {fp.width_px}×{fp.height_px} px is not usable.")


def check_material(m: Material) -> None:
    for what, value in (("loss", m.loss_db), ("lowest loss", m.loss_min_db), ("highest loss", m.loss_max_db)):
        require_finite(f"{m.name}'s {what}", value, *LOSS_RANGE_DB)


def to_json(value: Any) -> str:
    """JSON for a ``meta`` value; NaN and infinities are refused (JSON has no such numbers)."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        raise InvalidValueError(
            "Not saved: a setting holds a number that is not finite; nothing was changed."
        ) from None
    except TypeError as exc:
        raise InvalidValueError(f"Not saved: a setting cannot be stored ({exc}); nothing was changed.") from None
