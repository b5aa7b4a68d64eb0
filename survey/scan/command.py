"""``evsurvey scan``: one live scan, a saved scan file, or the list of backends.

evsurvey scan [--backend NAME] [--band 2.4|all] [--json]
evsurvey scan --from-file FILE [--format auto|iw|nmcli|wpa_cli|netsh|airport] [--json]
evsurvey scan --list-backends [--json]
evsurvey scan --backend simulated --project FILE [--at X,Y] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from survey.errors import UserInputError
from survey.project.display import display_ssid
from survey.rf.channels import observation_band
from survey.scan.base import DEFAULT_TIMEOUT_S
from survey.scan.observations import observation_to_json
from survey.scan.parsers import FORMATS, parse_bytes
from survey.scan.registry import BACKENDS, backend_reports, make_scanner
from survey.scan.saved import check_on_plan, read_scan_file
from survey.scan.text import fit_cells


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Scan Wi-Fi now, or read a saved scanner output file."
    parser.add_argument(
        "--backend",
        default="auto",
        choices=("auto",) + BACKENDS,
        help="scanner to use (default: the best one this machine has; see --list-backends)",
    )
    parser.add_argument(
        "--list-backends",
        action="store_true",
        help="list the scanner backends of this OS and why each is or is not usable",
    )
    parser.add_argument(
        "--from-file",
        metavar="FILE",
        type=Path,
        help="parse saved output of iw, nmcli, wpa_cli, netsh, airport, wdutil or system_profiler instead of scanning",
    )
    parser.add_argument(
        "--format", default="auto", choices=("auto",) + FORMATS, help="format of --from-file (default: detect)"
    )
    parser.add_argument(
        "--band",
        default="all",
        choices=("2.4", "all"),
        help="show only 2.4 GHz networks (what EV chargers use) or all (default)",
    )
    parser.add_argument("--interface", help="Wi-Fi interface to scan with (default: the first one)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds a live scan may take")
    parser.add_argument(
        "--project",
        metavar="FILE",
        type=Path,
        help="with --backend simulated: the project (.evsurvey) whose plan, walls and devices "
        "the simulated scanner models; opened read-only",
    )
    parser.add_argument(
        "--at",
        metavar="X,Y",
        type=parse_xy_m,
        help="with --backend simulated: where to scan, in metres on the plan (x right, y down "
        "from the top-left); default: the charger mounting point",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="with --backend simulated: seed of the simulated radio field (default 0, as the demo)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def parse_xy_m(text: str) -> tuple[float, float]:
    """ "10,4" or "10.5, 4" -> (10.0, 4.0) metres (argparse type of --at)."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        x_m, y_m = float(parts[0]), float(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a position: write X,Y in metres, e.g. 10,4") from None
    if not all(math.isfinite(v) for v in (x_m, y_m)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a position: X and Y must be finite numbers of metres")
    return x_m, y_m


def simulated_scan(project_path: Path | None, at_m: tuple[float, float] | None, seed: int = 0):
    """One scan of the simulated scanner over ``project_path``'s plan at ``at_m`` (metres).

    Returns (ScanResult, (x_m, y_m) scanned at). The file is opened read-only.
    """
    if project_path is None:
        raise UserInputError(
            "The simulated scanner models a project's plan: add --project FILE "
            "(`evsurvey demo --headless -o DIR` writes DIR/demo.evsurvey), and --at X,Y in metres."
        )
    from survey.project.store import ProjectStore
    from survey.scan.simulated import SimulatedScanner

    with ProjectStore.open(project_path, read_only=True) as store:
        project = store.load()
    if at_m is None:
        charger = project.charger
        if charger is None:
            raise UserInputError(
                f"{project_path.name} has no charger mounting point to scan at: give the spot with --at X,Y (metres)."
            )
        at_m = (charger.x_m, charger.y_m)
    check_on_plan(project, at_m, project_path.name)
    # No 2 s wait: that delay only makes the GUI demo feel like a real adapter.
    scanner = SimulatedScanner(project, seed=seed, delay_s=0.0)
    scanner.move_to(*at_m)
    return scanner.scan(), (float(at_m[0]), float(at_m[1]))


class SafeOut:
    """stdout that replaces what the console's code page cannot show (emoji SSIDs on cp1252)."""

    def write(self, text: str) -> None:
        enc = getattr(sys.stdout, "encoding", None) or "utf-8"
        sys.stdout.write(text.encode(enc, errors="replace").decode(enc, errors="replace"))


def run(args) -> int:
    out = SafeOut()
    if args.list_backends:
        reports = backend_reports()
        if args.json:
            json.dump([{"name": r.name, "usable": r.usable, "reason": r.reason} for r in reports], out, indent=2)
            out.write("\n")
        else:
            for r in reports:
                out.write(f"{r.name:10s} {'usable' if r.usable else 'not usable':11s} {r.reason}\n")
        return 0
    payload: dict[str, object]  # the --json document
    if args.from_file is not None:
        parsed = parse_bytes(read_scan_file(args.from_file), args.format)
        observations = _band_filter(parsed.observations, args.band)
        warnings = list(parsed.warnings)
        payload = {
            "format": parsed.format,
            "source": str(args.from_file),
            "fresh": None,
            "warnings": warnings,
            "observations": [observation_to_json(o) for o in observations],
        }
    else:
        simulated = args.backend == "simulated"
        if not simulated and (args.project is not None or args.at is not None):
            raise UserInputError(
                "--project and --at describe where the simulated scanner stands; use them with --backend simulated."
            )
        at_m = None
        if simulated:
            result, at_m = simulated_scan(args.project, args.at, args.seed)
        else:
            scanner = make_scanner(args.backend, interface=args.interface)
            result = scanner.scan(args.timeout)
        observations = _band_filter(result.observations, args.band)
        warnings = list(result.warnings)
        payload = {
            "format": "live",
            "backend": result.backend,
            "fresh": result.fresh,
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "warnings": warnings,
            "observations": [observation_to_json(o) for o in observations],
        }
        if at_m is not None:
            payload["project"] = str(args.project)
            payload["at_m"] = list(at_m)
            warnings.append("simulated: values computed from the project's plan, not measured")
    if args.json:
        json.dump(payload, out, indent=2)  # ASCII-only: safe on any console code page
        out.write("\n")
    else:
        out.write(format_table(observations))
        label = payload.get("backend") or payload["format"]
        out.write(
            f"\n{len(observations)} access point(s) ({label}"
            f"{'' if payload['fresh'] in (None, True) else ', cached results'}).\n"
        )
        for w in warnings:
            sys.stderr.write(f"warning: {w}\n")
        if any(o.rssi_estimated for o in observations):
            out.write("~ marks RSSI estimated from a signal percentage.\n")
    return 0


def _band_filter(observations, band: str):
    if band == "all":
        return tuple(observations)
    return tuple(o for o in observations if observation_band(o) == band)


def format_table(observations) -> str:
    """A plain-text table, strongest first; SSIDs shown by the one display rule
    (:func:`survey.project.display.display_ssid`: invisible characters escaped)."""
    rows = sorted(observations, key=lambda o: -(o.rssi_dbm if o.rssi_dbm is not None else -999))
    head = (
        f"{'BSSID':17s}  {'SSID':32s}  {'RSSI':>6s}  {'CH':>3s}  {'BAND':4s}  {'AUTH':18s}  "
        f"{'WPS':3s}  {'STA':>3s}  {'UTIL':>5s}"
    )
    lines = [head, "-" * len(head)]
    for o in rows:
        ssid = fit_cells(display_ssid(o.ssid, o.ssid_raw), 32)
        rssi = "" if o.rssi_dbm is None else f"{'~' if o.rssi_estimated else ''}{o.rssi_dbm:.0f}"
        wps = {True: "yes", False: "no", None: "?"}[o.wps]
        util = "" if o.channel_utilization_pct is None else f"{o.channel_utilization_pct:.0f}%"
        lines.append(
            f"{o.bssid or '(hidden)':17s}  {ssid}  {rssi:>6s}  {o.channel or '':>3}  "
            f"{o.band or '':4s}  {','.join(o.auth):18s}  {wps:3s}  "
            f"{'' if o.station_count is None else o.station_count:>3}  {util:>5s}"
        )
    return "\n".join(lines) + "\n"
