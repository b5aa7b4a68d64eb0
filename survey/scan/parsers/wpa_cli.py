"""``wpa_cli scan_results`` text (also the reply to the control-socket ``SCAN_RESULTS`` command).

Tab separated: ``bssid  frequency  signal level  flags  ssid``. The SSID is escaped with
wpa_supplicant's ``printf_encode`` (``\\xNN``, ``\\\\``, ``\\"``); an empty SSID is hidden.
Flags look like ``[WPA2-PSK-CCMP+TKIP][WPS][ESS]``, ``[RSN-SAE-CCMP]``, ``[WPA2-PSK+SAE-CCMP]``,
``[WEP]``, ``[OWE-TRANS]``. wpa_supplicant prints ``[WPS]`` whenever the AP sends a WPS
element, so its absence means no WPS. Signal level is dBm on every current driver; a
positive value is an old driver's quality percentage and is estimated.
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan import signal
from survey.scan.observations import akm_to_auth, build_observation
from survey.scan.parsers.common import ParsedScan, skipped_warning
from survey.scan.text import normalise_bssid, unescape_wpa

_CIPHERS = r"(?:CCMP-256|GCMP-256|CCMP|GCMP|TKIP|WEP104|WEP40|NONE)"
_SEC_TAG = re.compile(rf"^(WPA|WPA2|RSN|OSEN)-(.*?)(?:-({_CIPHERS}(?:\+{_CIPHERS})*))?$")
_BARE_TAG = re.compile(rf"^(SAE|OWE|PSK|EAP)-({_CIPHERS})$")
_HEADER = re.compile(r"^\s*bssid\s*/\s*frequency", re.IGNORECASE)
_PREAMBLE = re.compile(r"^\s*(Selected interface|Using interface|Interactive mode)", re.IGNORECASE)


def parse_flags(flags: str) -> tuple[list[str], list[str], bool]:
    """(auth values, ciphers, wps) for a wpa_supplicant flags string."""
    auth: list[str] = []
    ciphers: list[str] = []
    wps = False
    protected = False  # a WPA/RSN/WEP tag was present, whether or not its AKM is known
    for tag in re.findall(r"\[([^\]]*)\]", flags):
        if tag == "WPS" or tag.startswith("WPS-"):
            wps = True
            continue
        if tag == "WEP":
            auth.append("WEP")
            continue
        if re.match(r"^(WPA|WPA2|RSN|OSEN)-", tag):
            # "[WPA2--CCMP]" (no AKM wpa_supplicant knows) and "[WPA2-?]" (unparsable
            # element) are protected networks of unknown kind.
            protected = True
        if tag == "OWE-TRANS" or tag == "OWE-TRANS-OPEN":
            continue
        bare = _BARE_TAG.match(tag)
        if bare:
            # "[SAE-CCMP]", "[OWE-CCMP]": an AKM and cipher without the protocol word, as
            # some Android builds print scan flags; these AKMs exist only in RSN.
            a = akm_to_auth("RSN", bare.group(1))
            if a and a not in auth:
                auth.append(a)
            if bare.group(2) not in ciphers:
                ciphers.append(bare.group(2))
            continue
        m = _SEC_TAG.match(tag.removesuffix("-preauth"))  # RSN pre-authentication capability
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
    if not auth and not protected:
        auth = ["OPEN"]
    return auth, ciphers, wps


def parse_line(line: str) -> Observation | None:
    """One ``scan_results`` row, or None when the line is not one."""
    parts = line.split("\t")
    if len(parts) < 4:
        return None
    bssid = normalise_bssid(parts[0])
    if bssid is None:
        return None
    try:
        freq = float(parts[1])
        level = float(parts[2])
    except ValueError:
        return None
    ssid_raw = unescape_wpa("\t".join(parts[4:])) if len(parts) > 4 else b""
    auth, ciphers, wps = parse_flags(parts[3])
    if level > 0:
        rssi, pct = None, min(level, 100.0)
    else:
        rssi, pct = level, None
    return build_observation(bssid, ssid_raw=ssid_raw, rssi_dbm=rssi, signal_pct=pct,
                             pct_source=signal.NETWORKMANAGER, freq_mhz=freq, auth=auth,
                             ciphers=ciphers, wps=wps)


def parse(text: str) -> ParsedScan:
    out: list[Observation] = []
    skipped: list[tuple[int, str]] = []
    for lineno, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.rstrip("\r\n")
        if not line.strip() or _HEADER.match(line) or _PREAMBLE.match(line):
            continue
        obs = parse_line(line)  # a row first: its SSID may look like a prompt or comment
        if obs is None:
            skipped.append((lineno, line))
        else:
            out.append(obs)
    return ParsedScan("wpa_cli", tuple(out), tuple(skipped_warning("wpa_cli", skipped)))
