"""``wpa_cli scan_results`` text (also the reply to the control-socket ``SCAN_RESULTS`` command).

Tab separated: ``bssid  frequency  signal level  flags  ssid``. The SSID is escaped with
wpa_supplicant's ``printf_encode`` (``\\xNN``, ``\\\\``, ``\\"``); an empty SSID is hidden.
Flags look like ``[WPA2-PSK-CCMP+TKIP][WPS][ESS]``, ``[RSN-SAE-CCMP]``, ``[WPA2-PSK+SAE-CCMP]``,
``[WEP]``, ``[OWE-TRANS]``. wpa_supplicant prints ``[WPS]`` whenever the AP sends a WPS
element, so its absence means no WPS; a row with no flag at all (not even ``[ESS]``)
says nothing about security, so its security is unknown.

Signal level is dBm on every current driver. A positive level is in the driver's own
units (wpa_supplicant passes on what the driver reports when it does not flag the level
as dBm, ``WPA_SCAN_LEVEL_DBM``): many such drivers report the dBm value as an unsigned
byte, which Wireless Tools reads back as ``level - 256`` for values of 64 and more
(wireless-tools iwlib.c, ``iw_print_stats``: "Deal with signed dBm"). A level of 64-255
that gives -100..-10 dBm that way is read so, marked estimated, with a warning; any
other positive level cannot be converted and the BSS is kept without a signal reading.
"""

from __future__ import annotations

import functools
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
from survey.scan.text import normalise_bssid, unescape_wpa

_CIPHERS = r"(?:CCMP-256|GCMP-256|CCMP|GCMP|TKIP|WEP104|WEP40|NONE)"
# Applied only to one flag tag of at most _MAX_TAG characters, so the lazy AKM part
# next to the optional cipher list stays cheap.
_SEC_TAG = re.compile(rf"(WPA|WPA2|RSN|OSEN)-(.*?)(?:-({_CIPHERS}(?:\+{_CIPHERS})*))?")
_BARE_TAG = re.compile(rf"(SAE|OWE|PSK|EAP)-({_CIPHERS})")
_PROTO = re.compile(r"(?:WPA|WPA2|RSN|OSEN)-")
#: The longest tag wpa_supplicant writes is ~60 characters
#: ("[WPA2-EAP-SUITE-B-192+FT/EAP-SUITE-B-192-GCMP-256]"); longer ones are not read.
_MAX_TAG = 128
_HEADER = re.compile(r"[ \t]*bssid[ \t]*/[ \t]*frequency", re.IGNORECASE)
_PREAMBLE = re.compile(r"[ \t]*(?:Selected interface|Using interface|Interactive mode)", re.IGNORECASE)
#: Plausible dBm of a received beacon.
_DBM_RANGE = (-100.0, -10.0)


def flag_tags(flags: str) -> list[str]:
    """The ``[...]`` tags of a flags string, read in one pass (a tag is what lies between a
    ``[`` and the next ``]``)."""
    tags = []
    for piece in flags.split("]")[:-1]:
        _, bracket, tag = piece.rpartition("[")
        if bracket:
            tags.append(tag)
    return tags


def parse_flags(flags: str) -> tuple[list[str], list[str], bool]:
    """(auth values, ciphers, wps) for a wpa_supplicant flags string.

    No auth value means unknown: a tag names a protection evsurvey cannot place, or the
    string has no tag at all.
    """
    auth, ciphers, wps = _parse_flags(flags)
    return list(auth), list(ciphers), wps


@functools.lru_cache(maxsize=256)  # the flags of one scan repeat across its rows
def _parse_flags(flags: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    auth: list[str] = []
    ciphers: list[str] = []
    wps = False
    protected = False  # a WPA/RSN/WEP tag was present, whether or not its AKM is known
    tags = flag_tags(flags)
    for tag in tags:
        if len(tag) > _MAX_TAG:
            protected = True
            continue
        if tag == "WPS" or tag.startswith("WPS-"):
            wps = True
            continue
        if tag == "WEP":
            auth.append("WEP")
            continue
        if _PROTO.match(tag):
            # "[WPA2--CCMP]" (no AKM wpa_supplicant knows) and "[WPA2-?]" (unparsable
            # element) are protected networks of unknown kind.
            protected = True
        if tag == "OWE-TRANS" or tag == "OWE-TRANS-OPEN":
            continue
        bare = _BARE_TAG.fullmatch(tag)
        if bare:
            # "[SAE-CCMP]", "[OWE-CCMP]": an AKM and cipher without the protocol word, as
            # some Android builds print scan flags; these AKMs exist only in RSN.
            a = akm_to_auth("RSN", bare.group(1))
            if a and a not in auth:
                auth.append(a)
            if bare.group(2) not in ciphers:
                ciphers.append(bare.group(2))
            continue
        m = _SEC_TAG.fullmatch(tag.removesuffix("-preauth"))  # RSN pre-authentication capability
        if not m:
            continue
        proto, akms, cipher_part = m.group(1), m.group(2), m.group(3) or ""
        for akm in filter(None, akms.split("+")):
            a = akm_to_auth(proto, akm)
            if a and a not in auth:
                auth.append(a)
        for c in cipher_part.split("+"):
            if c and c != "NONE" and c not in ciphers:
                ciphers.append(c)
    if not auth and not protected and tags:
        auth = ["OPEN"]
    return tuple(auth), tuple(ciphers), wps


def driver_level_to_dbm(level: float) -> float | None:
    """dBm for a positive wpa_supplicant level in driver units, or None (see the module docstring)."""
    if 64 <= level <= 255 and level == int(level):
        dbm = level - 256.0
        if _DBM_RANGE[0] <= dbm <= _DBM_RANGE[1]:
            return dbm
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_line(line: str) -> Observation | None:
    """One ``scan_results`` row, or None when the line is not one."""
    obs, _ = read_row(line)
    return obs


def read_row(line: str) -> tuple[Observation | None, str | None]:
    """(observation, what in it could not be read) for one row; (None, reason) for no row."""
    parts = line.split("\t")
    if len(parts) < 4:
        return None, None
    bssid = normalise_bssid(parts[0])
    if bssid is None:
        return None, None
    freq = _number(parts[1])
    if freq is None:
        return None, f"frequency {parts[1].strip()[:20]!r} is not a number"
    level = _number(parts[2])
    problem = None
    rssi = None
    estimated = False
    if level is None:
        problem = f"signal level {parts[2].strip()[:20]!r} is not a number; the BSS is kept without a signal"
    elif level > 0:
        rssi = driver_level_to_dbm(level)
        if rssi is None:
            problem = f"signal level {level:g} is in driver units that are not dBm; the BSS is kept without a signal"
        else:
            estimated = True
            problem = (
                f"signal level {level:g} is in driver units, read as the driver's signed byte: {rssi:g} dBm (estimated)"
            )
    else:
        rssi = level
    ssid_raw = unescape_wpa("\t".join(parts[4:])) if len(parts) > 4 else b""
    auth, ciphers, wps = parse_flags(parts[3])
    obs = build_observation(
        bssid,
        ssid_raw=ssid_raw,
        rssi_dbm=rssi,
        rssi_estimated=estimated,
        freq_mhz=freq,
        auth=auth,
        ciphers=ciphers,
        wps=wps,
    )
    return obs, problem


def parse(text: str) -> ParsedScan:
    out: list[Observation] = []
    notes = LineNotes("wpa_cli")
    for lineno, line in numbered_lines(text):
        if _HEADER.match(line) or _PREAMBLE.match(line):
            continue
        if len(line) > MAX_LINE_CHARS:
            notes.skip(lineno, line, TOO_LONG)
            continue
        obs, problem = read_row(line)  # a row first: its SSID may look like a prompt or comment
        if obs is None:
            reason = problem or (
                NOISE
                if is_noise_line(line)
                else "not a wpa_cli row (BSSID, frequency, signal level, flags, SSID separated by tabs)"
            )
            notes.skip(lineno, line, reason)
        else:
            if problem:
                notes.kept(lineno, line, problem)
            out.append(obs)
    return ParsedScan("wpa_cli", tuple(out), tuple(notes.warnings()))
