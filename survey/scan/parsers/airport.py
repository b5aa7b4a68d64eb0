"""macOS ``airport -s`` / ``airport --scan`` text.

Columns: SSID (right-aligned to 32 *bytes*, so a UTF-8 SSID shifts every later column),
BSSID (blank on macOS 12+ without Location permission), RSSI (dBm), CHANNEL (``11``,
``9,-1``, ``1,+1``, ``36,80``), HT, CC (blank when the AP sends no Country element),
SECURITY (``WPA2(PSK/AES/AES)``, ``NONE``...). Rows are read from the right by value
shape: the rightmost ``RSSI CHANNEL HT`` words are the row's own (an SSID, which comes
first, cannot imitate them), everything after is CC and SECURITY, everything before is
BSSID and SSID. An RSSI of 0 is no reading: the BSS is kept without a signal. airport
does not give the band: channels 1-14 are taken as 2.4 GHz, higher ones as 5 GHz (6 GHz
channel numbers overlap 5 GHz ones; airport predates 6 GHz).
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan.observations import akm_to_auth, build_observation
from survey.scan.parsers.common import (
    MAX_LINE_CHARS,
    NOISE,
    TOO_LONG,
    LineNotes,
    ParsedScan,
    is_noise_line,
    numbered_lines,
)
from survey.scan.text import normalise_bssid

_HEADER = re.compile(r"[ \t]*SSID[ \t]+BSSID[ \t]+RSSI[ \t]+CHANNEL", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_RSSI = re.compile(r"-\d{1,3}|0")
_CHANNEL = re.compile(r"(\d{1,3})(?:,([-+]?\d{1,3}))?")
_COUNTRY = re.compile(r"[A-Z0-9]{2}|--")
_PROTOS = ("WPA3", "WPA2", "WPA", "RSN")
# "-50  6  Y", "0 9,-1 N": a quick test a line must pass before it is split into words.
# Each attempt starts at a blank before a number; [ \t]+ runs cannot overlap: linear.
_ROW_HINT = re.compile(r"[ \t](?:-\d{1,3}|0)[ \t]+\d{1,3}(?:,[-+]?\d{1,3})?[ \t]+[YN](?![^ \t])")


def _security(sec: str) -> tuple[list[str], list[str]]:
    """(auth, ciphers) of airport's SECURITY text; no auth when it names a protection of
    unknown kind, or is missing."""
    auth: list[str] = []
    ciphers: list[str] = []
    protected = False
    # "WPA(PSK/AES,TKIP/TKIP) WPA2(PSK,FT-PSK/AES/AES)": split at ")" and take what
    # follows each "(" (one pass, however the parentheses are nested or unbalanced).
    for piece in sec.split(")")[:-1]:
        head, bracket, inner = piece.rpartition("(")
        proto = next((p for p in _PROTOS if head.endswith(p)), None)
        if not bracket or proto is None:
            continue
        protected = True
        parts = inner.split("/")
        for akm in parts[0].split(","):
            a = akm_to_auth("WPA" if proto == "WPA" else "RSN", akm)
            if a == "WPA2-PSK" and proto == "WPA3":
                a = "WPA3-SAE"
            if a and a not in auth:
                auth.append(a)
        if len(parts) > 1:
            for c in parts[1].split(","):
                if c and c not in ciphers:
                    ciphers.append(c)
    if not auth and not protected and sec.strip():
        auth = ["WEP"] if "WEP" in sec.upper() else ["OPEN"]
    # A WPA/RSN entry whose AKM airport calls "Unknown": protected, kind unknown -> no auth value.
    return auth, ciphers


def split_row(line: str) -> dict | None:
    """The fields of one airport row by name, or None when the line is not one."""
    if not _ROW_HINT.search(line):
        return None
    words = [(m.start(), m.end()) for m in _WORD.finditer(line)]
    text = [line[s:e] for s, e in words]
    for i in range(len(words) - 1, 1, -1):  # the rightmost "RSSI CHANNEL HT"
        if text[i] in ("Y", "N") and _CHANNEL.fullmatch(text[i - 1]) and _RSSI.fullmatch(text[i - 2]):
            break
    else:
        return None
    after = i + 1
    country = None
    if after < len(words) and _COUNTRY.fullmatch(text[after]):
        country = text[after]
        after += 1
    security = line[words[after][0] :].strip() if after < len(words) else ""
    ssid_end = words[i - 2][0]
    bssid = ""
    if i >= 3 and (found := normalise_bssid(text[i - 3])) is not None:
        bssid = found
        ssid_end = words[i - 3][0]
    chan = _CHANNEL.fullmatch(text[i - 1])
    if chan is None:  # the search above stops only at a channel: never taken
        return None
    return {
        "ssid": line[:ssid_end].strip(),
        "bssid": bssid,
        "rssi": int(text[i - 2]),
        "channel": int(chan.group(1)),
        "ext": chan.group(2),
        "ht": text[i],
        "cc": country,
        "security": security,
    }


def parse(text: str) -> ParsedScan:
    out: list[Observation] = []
    notes = LineNotes("airport")
    warnings: list[str] = []
    hidden_bssids = 0
    for lineno, line in numbered_lines(text):
        if _HEADER.match(line):
            continue
        if len(line) > MAX_LINE_CHARS:
            notes.skip(lineno, line, TOO_LONG)
            continue
        # A row first: an SSID such as "$ free" would make the line look like a prompt.
        row = split_row(line)
        if row is None:
            notes.skip(
                lineno,
                line,
                NOISE if is_noise_line(line) else "not an airport row (SSID, BSSID, RSSI, CHANNEL, HT, CC, SECURITY)",
            )
            continue
        if not row["bssid"]:
            hidden_bssids += 1
        chan, ext = row["channel"], row["ext"]
        width = None
        if ext in ("+1", "-1", "1"):
            width = 40
        elif ext and ext.isdigit() and int(ext) in (20, 40, 80, 160):
            width = int(ext)
        elif ext is None:
            width = 20
        rssi: float | None = float(row["rssi"])
        if rssi == 0:
            notes.kept(
                lineno,
                line,
                "RSSI 0 is no signal reading (macOS shows 0 for a network it did not hear "
                "in this scan); the network is kept without a signal",
            )
            rssi = None
        auth, ciphers = _security(row["security"])
        out.append(
            build_observation(
                row["bssid"],
                ssid=row["ssid"],
                rssi_dbm=rssi,
                channel=chan,
                auth=auth,
                ciphers=ciphers,
                wps=None,
                channel_width_mhz=width,
            )
        )
    if hidden_bssids:
        warnings.append(
            f"{hidden_bssids} network(s) have no BSSID: macOS hides BSSIDs from apps without "
            f"Location Services permission. Grant it in System Settings > Privacy & Security > "
            f"Location Services, or scan with `evsurvey scan --backend corewlan`."
        )
    return ParsedScan("airport", tuple(out), tuple(warnings + notes.warnings()))
