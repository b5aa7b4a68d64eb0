"""macOS ``airport -s`` / ``airport --scan`` text.

Columns: SSID (right-aligned to 32 *bytes*, so a UTF-8 SSID shifts every later column),
BSSID (blank on macOS 12+ without Location permission), RSSI (dBm), CHANNEL (``11``,
``9,-1``, ``1,+1``, ``36,80``), HT, CC, SECURITY (``WPA2(PSK/AES/AES)``, ``NONE``...).
Rows are read right to left by value shape, not by column position. airport does not
give the band: channels 1-14 are taken as 2.4 GHz, higher ones as 5 GHz (6 GHz channel
numbers overlap 5 GHz ones; airport predates 6 GHz).
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan.observations import akm_to_auth, build_observation
from survey.scan.parsers.common import ParsedScan, skipped_warning
from survey.scan.text import normalise_bssid

_ROW = re.compile(
    r"^(?P<ssid>.*?)\s+"
    r"(?:(?P<bssid>[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5})\s+)?"
    r"(?P<rssi>-\d+)\s+"
    r"(?P<chan>\d+)(?:,(?P<ext>[-+]?\d+))?\s+"
    # CC (country code: "US", "--", "X0") is blank when the AP sends no Country element.
    r"(?P<ht>[YN])\s+(?:(?P<cc>[A-Z0-9]{2}|--)\s+)?(?P<sec>.*?)\s*$")
_HEADER = re.compile(r"^\s*SSID\s+BSSID\s+RSSI\s+CHANNEL", re.IGNORECASE)
_SEC = re.compile(r"(WPA3|WPA2|WPA|RSN)\(([^)]*)\)")


def _security(sec: str) -> tuple[list[str], list[str]]:
    auth: list[str] = []
    ciphers: list[str] = []
    for proto, inner in _SEC.findall(sec):
        parts = inner.split("/")
        akms = parts[0].split(",") if parts else []
        for akm in akms:
            a = akm_to_auth("WPA" if proto == "WPA" else "RSN", akm)
            if a == "WPA2-PSK" and proto == "WPA3":
                a = "WPA3-SAE"
            if a and a not in auth:
                auth.append(a)
        if len(parts) > 1:
            for c in parts[1].split(","):
                if c and c not in ciphers:
                    ciphers.append(c)
    if not auth and not _SEC.search(sec):
        auth = ["WEP"] if "WEP" in sec.upper() else ["OPEN"]
    # A WPA/RSN entry whose AKM airport calls "Unknown": protected, kind unknown -> no auth value.
    return auth, ciphers


def parse(text: str) -> ParsedScan:
    out: list[Observation] = []
    skipped: list[tuple[int, str]] = []
    warnings: list[str] = []
    hidden_bssids = 0
    for lineno, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.rstrip("\r\n")
        if not line.strip() or _HEADER.match(line):
            continue
        # A row first: an SSID such as "$ free" would make the line look like a prompt.
        m = _ROW.match(line)
        if m is None:
            skipped.append((lineno, line))
            continue
        bssid = normalise_bssid(m.group("bssid")) if m.group("bssid") else ""
        if not bssid:
            hidden_bssids += 1
        chan = int(m.group("chan"))
        ext = m.group("ext")
        width = None
        if ext in ("+1", "-1", "1"):
            width = 40
        elif ext and ext.isdigit() and int(ext) in (20, 40, 80, 160):
            width = int(ext)
        elif ext is None:
            width = 20
        auth, ciphers = _security(m.group("sec"))
        out.append(build_observation(
            bssid, ssid=m.group("ssid").strip(), rssi_dbm=float(m.group("rssi")), channel=chan,
            band="2.4" if chan <= 14 else "5", auth=auth, ciphers=ciphers, wps=None,
            channel_width_mhz=width))
    if hidden_bssids:
        warnings.append(f"{hidden_bssids} network(s) have no BSSID: macOS hides BSSIDs from apps without "
                        f"Location Services permission. Grant it in System Settings > Privacy & Security > "
                        f"Location Services, or scan with `evsurvey scan --backend corewlan`.")
    return ParsedScan("airport", tuple(out), tuple(warnings + skipped_warning("airport", skipped)))
