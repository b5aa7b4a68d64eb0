"""``evsurvey scan``: one live scan, a saved scan file, or the list of backends.

    evsurvey scan [--backend NAME] [--band 2.4|all] [--json]
    evsurvey scan --from-file FILE [--format auto|iw|nmcli|wpa_cli|netsh|airport] [--json]
    evsurvey scan --list-backends [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from survey.errors import UserInputError
from survey.scan.base import DEFAULT_TIMEOUT_S
from survey.scan.observations import observation_to_json
from survey.scan.parsers import FORMATS, parse_bytes
from survey.scan.registry import BACKENDS, backend_reports, make_scanner
from survey.scan.text import printable_ssid


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Scan Wi-Fi now, or read a saved scanner output file."
    parser.add_argument("--backend", default="auto", choices=("auto",) + BACKENDS,
                        help="scanner to use (default: the best one this machine has; see --list-backends)")
    parser.add_argument("--list-backends", action="store_true",
                        help="list the scanner backends of this OS and why each is or is not usable")
    parser.add_argument("--from-file", metavar="FILE", type=Path,
                        help="parse saved output of iw, nmcli -t, wpa_cli, netsh or airport instead of scanning")
    parser.add_argument("--format", default="auto", choices=("auto",) + FORMATS,
                        help="format of --from-file (default: detect)")
    parser.add_argument("--band", default="all", choices=("2.4", "all"),
                        help="show only 2.4 GHz networks (what EV chargers use) or all (default)")
    parser.add_argument("--interface", help="Wi-Fi interface to scan with (default: the first one)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds a live scan may take")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


class _SafeOut:
    """stdout that replaces what the console's code page cannot show (emoji SSIDs on cp1252)."""

    def write(self, text: str) -> None:
        enc = getattr(sys.stdout, "encoding", None) or "utf-8"
        sys.stdout.write(text.encode(enc, errors="replace").decode(enc, errors="replace"))


def run(args) -> int:
    out = _SafeOut()
    if args.list_backends:
        reports = backend_reports()
        if args.json:
            json.dump([{"name": r.name, "usable": r.usable, "reason": r.reason} for r in reports], out, indent=2)
            out.write("\n")
        else:
            for r in reports:
                out.write(f"{r.name:10s} {'usable' if r.usable else 'not usable':11s} {r.reason}\n")
        return 0
    if args.from_file is not None:
        try:
            data = args.from_file.read_bytes()
        except OSError as exc:
            raise UserInputError(f"Cannot read {args.from_file}: {exc.strerror or exc}. Check the path.") from exc
        parsed = parse_bytes(data, args.format)
        observations = _band_filter(parsed.observations, args.band)
        payload = {"format": parsed.format, "source": str(args.from_file), "fresh": None,
                   "warnings": list(parsed.warnings),
                   "observations": [observation_to_json(o) for o in observations]}
    else:
        scanner = make_scanner(args.backend, interface=args.interface)
        result = scanner.scan(args.timeout)
        observations = _band_filter(result.observations, args.band)
        payload = {"format": "live", "backend": result.backend, "fresh": result.fresh,
                   "started_at": result.started_at, "finished_at": result.finished_at,
                   "warnings": list(result.warnings),
                   "observations": [observation_to_json(o) for o in observations]}
    if args.json:
        json.dump(payload, out, indent=2)  # ASCII-only: safe on any console code page
        out.write("\n")
    else:
        out.write(format_table(observations))
        label = payload.get("backend") or payload["format"]
        out.write(f"\n{len(observations)} access point(s) ({label}"
                  f"{'' if payload['fresh'] in (None, True) else ', cached results'}).\n")
        for w in payload["warnings"]:
            sys.stderr.write(f"warning: {w}\n")
        if any(o.rssi_estimated for o in observations):
            out.write("~ marks RSSI estimated from a signal percentage.\n")
    return 0


def _band_filter(observations, band: str):
    if band == "all":
        return tuple(observations)
    return tuple(o for o in observations if o.band == band)


def format_table(observations) -> str:
    """A plain-text table, strongest first; SSIDs with control characters escaped."""
    rows = sorted(observations, key=lambda o: -(o.rssi_dbm if o.rssi_dbm is not None else -999))
    head = f"{'BSSID':17s}  {'SSID':32s}  {'RSSI':>6s}  {'CH':>3s}  {'BAND':4s}  {'AUTH':18s}  {'WPS':3s}  {'STA':>3s}  {'UTIL':>5s}"
    lines = [head, "-" * len(head)]
    for o in rows:
        ssid = printable_ssid(o.ssid) if o.ssid else "<hidden>"
        if len(ssid) > 32:
            ssid = ssid[:31] + "…"
        rssi = "" if o.rssi_dbm is None else f"{'~' if o.rssi_estimated else ''}{o.rssi_dbm:.0f}"
        wps = {True: "yes", False: "no", None: "?"}[o.wps]
        util = "" if o.channel_utilization_pct is None else f"{o.channel_utilization_pct:.0f}%"
        lines.append(f"{o.bssid or '(hidden)':17s}  {ssid:32s}  {rssi:>6s}  {o.channel or '':>3}  "
                     f"{o.band or '':4s}  {','.join(o.auth):18s}  {wps:3s}  "
                     f"{'' if o.station_count is None else o.station_count:>3}  {util:>5s}")
    return "\n".join(lines) + "\n"
