"""Parsing 802.11 information elements (IEs) from the raw bytes of a beacon or probe response.

For backends that hand over raw IEs: wpa_supplicant's ``BSS`` command (``ie=`` hex),
CoreWLAN's ``informationElementData``. Layouts from IEEE Std 802.11-2020:

* element = ID (1 byte), length (1 byte), body; vendor-specific (221) starts with a
  3-byte OUI and a type byte (9.4.2.25);
* SSID = 0; DS Parameter Set = 3 (current channel); BSS Load = 11 (station count u16 LE,
  channel utilisation u8 of 255, admission capacity u16) (9.4.2.27);
* RSN = 48: version u16, group cipher suite, pairwise count u16 + suites, AKM count u16 +
  suites, capabilities (9.4.2.24); suites are OUI 00-0F-AC + type (Tables 9-149, 9-151);
* WPA (pre-RSN) = vendor 00-50-F2 type 1 with the same layout and OUI 00-50-F2;
* WPS = vendor 00-50-F2 type 4 (Wi-Fi Simple Configuration spec);
* HT Operation = 61: primary channel, then bits 0-1 secondary channel offset
  (1 above, 3 below), bit 2 STA channel width (1 = any) (9.4.2.56);
* VHT Operation = 192: channel width 0 = 20/40, 1 = 80/160/80+80 (CCFS1 non-zero -> 160),
  2 = 160, 3 = 80+80 (deprecated encodings) (9.4.2.158).

Truncated or malformed elements end the walk without raising: what was read is kept.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from survey.scan.observations import akm_to_auth

RSN_OUI = b"\x00\x0f\xac"
MS_OUI = b"\x00\x50\xf2"

_CIPHERS = {1: "WEP", 2: "TKIP", 4: "CCMP", 5: "WEP", 8: "GCMP", 9: "GCMP-256", 10: "CCMP-256"}
#: AKM suite type -> kind; IEEE 802.11-2020 Table 9-151 (FILS, 14-17, authenticates through
#: an EAP server; 19/20 are PSK with SHA-384; 22/23 802.1X with SHA-384; 24/25 SAE-EXT-KEY).
AKM_KINDS = {
    1: "EAP",
    2: "PSK",
    3: "EAP",
    4: "PSK",
    5: "EAP",
    6: "PSK",
    8: "SAE",
    9: "SAE",
    11: "EAP-SUITE-B",
    12: "EAP-SUITE-B-192",
    13: "EAP-SUITE-B-192",
    14: "EAP",
    15: "EAP",
    16: "EAP",
    17: "EAP",
    18: "OWE",
    19: "PSK",
    20: "PSK",
    22: "EAP",
    23: "EAP",
    24: "SAE",
    25: "SAE",
}


@dataclass(frozen=True)
class IeSummary:
    """What the IEs say that a survey uses. Fields are None when the element is absent."""

    ssid_raw: bytes | None = None
    ds_channel: int | None = None
    auth: tuple[str, ...] = ()
    ciphers: tuple[str, ...] = ()
    wps: bool = False
    station_count: int | None = None
    channel_utilization_pct: float | None = None
    channel_width_mhz: int | None = None
    has_rsn: bool = False
    has_wpa: bool = False


def iter_elements(data: bytes):
    """(element id, body) pairs; stops at the first element that runs past the end."""
    i = 0
    n = len(data)
    while i + 2 <= n:
        eid, length = data[i], data[i + 1]
        if i + 2 + length > n:
            return
        yield eid, data[i + 2 : i + 2 + length]
        i += 2 + length


def _suite_list(body: bytes, pos: int, oui: bytes, names: dict[int, str]) -> tuple[list[str], int]:
    """The known names of a suite list at ``pos`` (u16 count, then 4-byte suites) and the
    position after it; raises ``struct.error`` when the count runs past the body."""
    (count,) = struct.unpack_from("<H", body, pos)
    pos += 2
    found = []
    for _ in range(count):
        suite = body[pos : pos + 4]
        pos += 4
        if len(suite) == 4 and suite[:3] == oui and suite[3] in names:
            found.append(names[suite[3]])
    return found, pos


def _suites(body: bytes, oui: bytes) -> tuple[list[str], list[str]]:
    """(akm kinds, pairwise ciphers) of an RSN/WPA body after its version field."""
    pos = 2  # version
    if len(body) < pos + 4:
        return [], []
    pos += 4  # group cipher
    try:
        ciphers, pos = _suite_list(body, pos, oui, _CIPHERS)
        akms, pos = _suite_list(body, pos, oui, AKM_KINDS)
    except struct.error:
        return [], []
    return akms, ciphers


def parse_ies(data: bytes, privacy: bool | None = None) -> IeSummary:
    """Summary of an IE blob. ``privacy`` is the capability Privacy bit when known:
    with no RSN/WPA element it tells WEP (True) from open (False)."""
    ssid = None
    ds = None
    auth: list[str] = []
    ciphers: list[str] = []
    wps = False
    stations = util = None
    width = None
    ht_width = None
    has_rsn = has_wpa = False
    for eid, body in iter_elements(data):
        if eid == 0 and ssid is None:
            ssid = bytes(body)
        elif eid == 3 and len(body) >= 1:
            ds = body[0]
        elif eid == 11 and len(body) >= 5:
            stations, u, _cap = struct.unpack_from("<HBH", body, 0)
            util = round(100.0 * u / 255.0, 1)
        elif eid == 48:
            has_rsn = True
            akms, cs = _suites(body, RSN_OUI)
            auth += [a for k in akms if (a := akm_to_auth("RSN", k)) is not None]
            ciphers += cs
        elif eid == 221 and len(body) >= 4 and body[:3] == MS_OUI:
            if body[3] == 1:
                has_wpa = True
                akms, cs = _suites(body[4:], MS_OUI)
                auth += [a for k in akms if (a := akm_to_auth("WPA", k)) is not None]
                ciphers += cs
            elif body[3] == 4:
                wps = True
        elif eid == 61 and len(body) >= 2:
            sec_offset = body[1] & 0x03
            any_width = bool(body[1] & 0x04)
            ht_width = 40 if (any_width and sec_offset in (1, 3)) else 20
        elif eid == 192 and len(body) >= 3:
            cw, ccfs1 = body[0], body[2]
            if cw == 1:
                width = 160 if ccfs1 else 80  # CCFS1 set: 160 MHz or 80+80 MHz
            elif cw in (2, 3):
                width = 160
    if not has_rsn and not has_wpa:
        auth = ["WEP"] if privacy else (["OPEN"] if privacy is not None else [])
    # Deduplicated in the order the elements gave them (RSN and WPA often repeat a cipher).
    return IeSummary(
        ssid_raw=ssid,
        ds_channel=ds,
        auth=tuple(dict.fromkeys(auth)),
        ciphers=tuple(dict.fromkeys(ciphers)),
        wps=wps,
        station_count=stations,
        channel_utilization_pct=util,
        channel_width_mhz=width or ht_width,
        has_rsn=has_rsn,
        has_wpa=has_wpa,
    )


# -- builders, for tests and fakes -------------------------------------------------------------


def element(eid: int, body: bytes) -> bytes:
    return bytes([eid, len(body)]) + body


def rsn_element(akm_types=(2,), pairwise=(4,), group=4, oui=RSN_OUI) -> bytes:
    body = struct.pack("<H", 1) + oui + bytes([group])
    body += struct.pack("<H", len(pairwise)) + b"".join(oui + bytes([c]) for c in pairwise)
    body += struct.pack("<H", len(akm_types)) + b"".join(oui + bytes([a]) for a in akm_types)
    return element(48, body + b"\x00\x00")


def wpa_element(akm_types=(2,), pairwise=(2,), group=2) -> bytes:
    inner = rsn_element(akm_types, pairwise, group, oui=MS_OUI)[2:-2]
    return element(221, MS_OUI + b"\x01" + inner)


def wps_element() -> bytes:
    return element(221, MS_OUI + b"\x04" + b"\x10\x4a\x00\x01\x10")


def bss_load_element(stations: int, utilization_255: int) -> bytes:
    return element(11, struct.pack("<HBH", stations, utilization_255, 0))
