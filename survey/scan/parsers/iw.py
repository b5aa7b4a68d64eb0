"""``iw dev IF scan`` / ``iw dev IF scan dump`` text.

Each BSS starts with ``BSS aa:bb:..(on wlan0)`` (optionally `` -- associated``); fields
follow indented by one tab, sub-items of a field (RSN suites, BSS Load, HT operation)
by two. Values seen in the wild: ``freq: 2457`` or ``freq: 2457.0`` (iw >= 5.x),
``signal: -67.00 dBm``, SSIDs with ``\\xNN`` escapes, ``channel utilisation: 24/255``.
iw prints every element it received, so a missing WPS element means the AP has no WPS;
a block without its ``capability:`` line (a trimmed file) says nothing about security.
``scan dump`` (the kernel's BSS table without a new scan) prints the same blocks.

Channel width, widest first: iw >= 6.9 prints the EHT Operation element ("Channel Width:
320 MHz") and the HE Operation element with its 6 GHz Operation Information ("Channel
Width: 80+80 or 160 MHz"; util.c ``print_eht_operation`` / ``print_he_operation``, iw
commit 422419e06d55 "scan: Add printing of HE Operation Element"), then VHT and HT
operation. 6 GHz BSSs carry no HT/VHT operation element, so older iw gives no width there.
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan import ies, signal
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
from survey.scan.text import normalise_bssid, unescape_iw

# "BSS 02:00:..(on wlan0) -- associated": the MAC, then "(on IF)" and "-- authenticated",
# "-- associated", "-- joined" / "-- ibss joined" (iw's scan.c status strings), or nothing.
_BSS = re.compile(r"BSS[ \t]+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})(?![0-9A-Fa-f:])")
# iw prints an AKM it has no name for as its suite selector, "00-0f-ac:24".
_SUITE_SELECTOR = re.compile(r"^([0-9a-fA-F]{2})-([0-9a-fA-F]{2})-([0-9a-fA-F]{2}):(\d+)$")
_SIGNAL = re.compile(r"(-?\d+(?:\.\d+)?)[ \t]*(/[ \t]*100)?")
_MHZ_WIDTH = re.compile(r"(\d+)(?:\+\d+)? MHz")


class _Bss:
    def __init__(self, bssid: str):
        self.bssid = bssid
        self.freq_mhz: float | None = None
        self.rssi_dbm: float | None = None
        self.last_seen_ms: float | None = None
        self.ssid_raw: bytes | None = None
        self.ds_channel: int | None = None
        self.privacy = False
        self.auth: list[str] = []
        self.ciphers: list[str] = []
        self.wps = False
        self.stations: int | None = None
        self.util_pct: float | None = None
        self.ht_secondary: str | None = None
        self.ht_any_width = False
        self.has_ht_op = False
        self.vht_width: int | None = None
        self.vht_seg2: int | None = None
        self.signal_pct: float | None = None
        self.mesh_id: bytes | None = None
        self.has_rsn_or_wpa = False
        self.capability_seen = False
        self.he_width: int | None = None
        self.eht_width: int | None = None
        self.signal_problem: str | None = None
        self.signal_line = 0


def _suites(value: str) -> list[str]:
    # iw writes suites space separated; "IEEE 802.1X" contains a space, "FT/PSK" a slash.
    value = value.replace("IEEE 802.1X", "802.1X")
    return [s for s in value.split() if s]


def _akm_auth(proto: str, akm: str) -> str | None:
    """Auth value for one of iw's AKM names ("PSK", "FT/SAE", "IEEE 802.1X/SHA-256",
    "FILS/SHA-384", "OSEN", "00-0f-ac:24")."""
    m = _SUITE_SELECTOR.match(akm)
    if m:
        oui = bytes(int(m.group(i), 16) for i in (1, 2, 3))
        kind = ies.AKM_KINDS.get(int(m.group(4))) if oui == ies.RSN_OUI else None
        return akm_to_auth(proto, kind) if kind else None
    return akm_to_auth(proto, akm)


def _finish(b: _Bss, now: float | None) -> Observation:
    auth = list(b.auth)
    if not auth and not b.has_rsn_or_wpa and b.capability_seen:
        auth = ["WEP"] if b.privacy else ["OPEN"]
    # An RSN/WPA element whose AKMs are all unknown: protected, kind unknown -> no auth value.
    width = None
    if b.eht_width or b.he_width:
        width = b.eht_width or b.he_width
    elif b.vht_width == 80 and b.vht_seg2:
        # VHT operation with CCFS1 set: 160 MHz (|CCFS1 - CCFS0| = 8) or 80+80 MHz
        # (IEEE 802.11-2020 Table 9-274); iw still prints "1 (80 MHz)".
        width = 160
    elif b.vht_width:
        width = b.vht_width
    elif b.has_ht_op:
        width = 40 if (b.ht_any_width and b.ht_secondary in ("above", "below")) else 20
    elif b.freq_mhz is not None and b.freq_mhz < 2500:
        width = 20  # 802.11b/g without HT: always 20 MHz (22 MHz DSSS mask)
    channel = None
    if b.freq_mhz is None:
        channel = b.ds_channel
    # A mesh point sends an empty SSID and names its network in the Mesh ID element.
    ssid_raw = b.ssid_raw or b.mesh_id or b""
    return build_observation(
        b.bssid,
        ssid_raw=ssid_raw,
        rssi_dbm=b.rssi_dbm,
        signal_pct=b.signal_pct if b.rssi_dbm is None else None,
        pct_source=signal.NETWORKMANAGER,
        freq_mhz=b.freq_mhz,
        channel=channel,
        auth=auth,
        ciphers=b.ciphers,
        wps=b.wps,
        station_count=b.stations,
        channel_utilization_pct=b.util_pct,
        channel_width_mhz=width,
        last_seen=(now - b.last_seen_ms / 1000.0) if (now is not None and b.last_seen_ms is not None) else None,
    )


def parse(text: str, now: float | None = None) -> ParsedScan:
    """Observations of every ``BSS`` block in ``text``.

    With ``now`` (epoch s, when the output was produced) each observation's ``last_seen``
    is ``now`` minus iw's "last seen: N ms ago"; without it ``last_seen`` stays None.
    """
    out: list[Observation] = []
    notes = LineNotes("iw")
    cur: _Bss | None = None
    section = ""

    def finish() -> None:
        if cur is not None:
            out.append(_finish(cur, now))
            if cur.signal_problem:
                notes.kept(
                    cur.signal_line,
                    f"signal: {cur.signal_problem}",
                    f"signal {cur.signal_problem!r} is not a number; the BSS is kept without a signal",
                )

    for lineno, line in numbered_lines(text):
        if len(line) > MAX_LINE_CHARS:
            notes.skip(lineno, line, TOO_LONG)
            continue
        m = _BSS.match(line) if not line[0].isspace() else None
        if m and _bss_line_rest(line[m.end() :]):
            finish()
            cur = _Bss(normalise_bssid(m.group(1)) or m.group(1).lower())
            section = ""
            continue
        if cur is None or not line[0].isspace():
            notes.skip(lineno, line, NOISE if is_noise_line(line) else "not inside a BSS block")
            continue
        # Indentation: one tab (or up to 8 spaces) = a field of the BSS; more = a sub-item.
        body = line.strip()
        indent = len(line) - len(line.lstrip("\t "))
        top = indent + 7 * line[:indent].count("\t") <= 8 and not body.startswith("*")
        if top:
            # "RSN:\t * Version: 1" puts the first sub-item on the field's own line.
            head, sep, rest = body.partition(":")
            section = head.strip()
            value = rest.strip()
            _top_field(cur, section, value, rest)
            if cur.signal_problem is not None and not cur.signal_line:
                cur.signal_line = lineno
            if value.startswith("*"):
                _sub_field(cur, section, value)
            continue
        _sub_field(cur, section, body)
    finish()
    return ParsedScan("iw", tuple(out), tuple(notes.warnings()))


def _bss_line_rest(rest: str) -> bool:
    """True for what iw prints after a BSS line's MAC: "(on wlan0)", "-- associated", nothing."""
    rest = rest.strip()
    return rest == "" or rest.startswith(("(on", "--"))


def _top_field(b: _Bss, key: str, value: str, raw_value: str) -> None:
    k = key.lower()
    if k == "freq":
        try:
            b.freq_mhz = float(value.split()[0])
        except (ValueError, IndexError):
            pass
    elif k == "signal":
        # "-67.00 dBm"; drivers without dBm give a quality, which iw prints as "62/100".
        m = _SIGNAL.match(value)
        if m and m.group(2):
            b.signal_pct = float(m.group(1))
        elif m:
            b.rssi_dbm = float(m.group(1))
        else:
            b.signal_problem = value[:20]
    elif k == "mesh id":
        b.mesh_id = unescape_iw(raw_value[1:] if raw_value.startswith(" ") else raw_value)
    elif k in ("rsn", "wpa"):
        b.has_rsn_or_wpa = True
    elif k == "last seen":
        # "0 ms ago"; the other form, "710.456s [boottime]", is an absolute clock.
        m = re.match(r"(\d+)\s*ms ago", value)
        if m:
            b.last_seen_ms = float(m.group(1))
    elif k == "ssid":
        # Only the first character after ": " is the separator; the SSID itself is
        # escaped so it cannot carry a meaningful leading space.
        b.ssid_raw = unescape_iw(raw_value[1:] if raw_value.startswith(" ") else raw_value)
    elif k == "capability":
        b.capability_seen = True
        b.privacy = "Privacy" in value.split()
    elif k == "ds parameter set":
        m = re.search(r"channel\s+(\d+)", value)
        if m:
            b.ds_channel = int(m.group(1))
    elif k == "wps":
        b.wps = True
    elif k == "ht operation":
        b.has_ht_op = True


def _sub_field(b: _Bss, section: str, body: str) -> None:
    name, sep, value = body.lstrip("*").lstrip().partition(":")
    if not sep or not name.strip():
        return
    key = name.strip().lower()
    value = value.strip()
    sec = section.lower()
    if sec in ("rsn", "wpa"):
        proto = "WPA" if sec == "wpa" else "RSN"
        if key == "authentication suites":
            for akm in _suites(value):
                auth = _akm_auth(proto, akm)
                if auth and auth not in b.auth:
                    b.auth.append(auth)
        elif key == "pairwise ciphers":
            for c in value.split():
                if c not in b.ciphers:
                    b.ciphers.append(c)
    elif sec == "bss load":
        if key == "station count":
            try:
                b.stations = int(value)
            except ValueError:
                pass
        elif key in ("channel utilisation", "channel utilization"):
            mm = re.match(r"(\d+)\s*/\s*(\d+)", value)
            if mm and int(mm.group(2)) > 0:
                b.util_pct = round(100.0 * int(mm.group(1)) / int(mm.group(2)), 1)
    elif sec == "ht operation":
        if key == "secondary channel offset":
            b.ht_secondary = value.split()[0] if value else None
        elif key == "sta channel width":
            b.ht_any_width = value.startswith("any")
    elif sec == "he operation" and key == "channel width":
        # 6 GHz Operation Information: "20 MHz", "40 MHz", "80 MHz", "80+80 or 160 MHz".
        b.he_width = 160 if "160" in value else _width_mhz(value)
    elif sec == "eht operation" and key == "channel width":
        b.eht_width = _width_mhz(value)  # "20 MHz" ... "320 MHz"
    elif sec == "vht operation":
        if key == "channel width":
            mm = _MHZ_WIDTH.search(value)
            if mm and int(mm.group(1)) >= 80:
                b.vht_width = int(mm.group(1))
        elif key == "center freq segment 2":
            mm = re.match(r"(\d+)", value)
            b.vht_seg2 = int(mm.group(1)) if mm else None


def _width_mhz(value: str) -> int | None:
    m = _MHZ_WIDTH.match(value)
    return int(m.group(1)) if m and int(m.group(1)) in (20, 40, 80, 160, 320) else None
