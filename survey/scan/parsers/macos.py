"""macOS ``wdutil info`` and ``system_profiler SPAirPortDataType`` text: what macOS 14+
still prints after ``airport`` was removed.

``sudo wdutil info``: sections titled ``WIFI``, ``BLUETOOTH``... between rules of U+2014
dashes; the WIFI section has ``Label : value`` lines for the connected network: SSID,
BSSID, ``RSSI : -48 dBm``, ``Noise : -92 dBm``, ``Security : WPA2 Personal``,
``Channel : 6g37/160`` (band, channel, width). Without sudo, macOS 15 prints
``<redacted>`` for SSID and BSSID; not connected, ``SSID : None``.

``system_profiler SPAirPortDataType``: an indented tree; under ``Current Network
Information:`` and ``Other Local Wi-Fi Networks:`` (macOS 14.4+ lists neighbours) each
network is a ``NAME:`` line with indented ``Channel: 149 (5GHz, 80MHz)``, ``Security:
WPA2 Personal``, ``Signal / Noise: -52 dBm / -94 dBm``. It never gives BSSIDs, and
without Location permission it names networks ``<redacted>``. A network is recognised by
the shape of its values (a channel ``N (xGHz, yMHz)`` or a signal/noise pair), not by
section titles.

Shapes from public parsers' captures of macOS 14-26 output (wdutil: fastfetch's
src/detection/wifi/wifi_apple.c comment; system_profiler: macontrol's wifi tests);
fixtures rewritten. The noise floor has no place in an observation; it is reported in a
warning.
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan.observations import build_observation
from survey.scan.parsers.common import MAX_LINE_CHARS, ParsedScan, UnknownScanFormat, numbered_lines
from survey.scan.text import normalise_bssid

_DBM = re.compile(r"(-\d{1,3}) dBm")
_WDUTIL_CHANNEL = re.compile(r"([256])g(\d{1,3})/(\d{2,3})")
_SP_CHANNEL = re.compile(r"(\d{1,3})(?: \((\d(?:\.\d)?)GHz, (\d{2,3})MHz\))?")
_SIGNAL_NOISE = re.compile(r"(-\d{1,3}) dBm / (-\d{1,3}) dBm")
_BANDS = {"2": "2.4", "2.4": "2.4", "5": "5", "6": "6"}
REDACTED = "<redacted>"


def macos_auth(security: str) -> list[str]:
    """Auth values of macOS's security names: "WPA2 Personal", "WPA/WPA2 Personal",
    "WPA3 Enterprise", "WPA2/WPA3 Personal", "OWE", "WEP", "None"/"Open"; [] when unknown."""
    text = security.strip()
    low = text.lower()
    if low in ("none", "open"):
        return ["OPEN"]
    if "owe" in low:
        return ["OWE"]
    if "wep" in low:
        return ["WEP"]
    enterprise = "enterprise" in low
    auth = []
    for word in text.split(" ")[0].split("/"):
        w = word.upper()
        if w == "WPA":
            auth.append("WPA-EAP" if enterprise else "WPA-PSK")
        elif w == "WPA2":
            auth.append("WPA2-EAP" if enterprise else "WPA2-PSK")
        elif w == "WPA3":
            auth.append("WPA3-EAP" if enterprise else "WPA3-SAE")
    return auth


def _noise_note(source: str, rssi_dbm: float | None, noise_dbm: float, name: str) -> str:
    snr = f" (signal-to-noise {rssi_dbm - noise_dbm:.0f} dB)" if rssi_dbm is not None else ""
    return f"{source}: noise floor {noise_dbm:.0f} dBm on {name}{snr}."


def _key_value(line: str) -> tuple[str, str] | None:
    label, sep, value = line.partition(":")
    return (label.strip(), value.strip()) if sep else None


def is_wdutil(lines: list[tuple[int, str]]) -> bool:
    """True for ``wdutil info`` text (numbered lines): a WIFI section and an RSSI or Noise in dBm."""
    return any(line.strip() == "WIFI" for _, line in lines) and any(
        (kv := _key_value(line)) is not None and kv[0] in ("RSSI", "Noise") and _DBM.fullmatch(kv[1])
        for _, line in lines
        if "dBm" in line and len(line) <= MAX_LINE_CHARS
    )


def parse_wdutil(text: str) -> ParsedScan:
    """The connected network of ``wdutil info`` output."""
    values: dict[str, str] = {}
    section = ""
    for _, line in numbered_lines(text):
        s = line.strip()
        if len(line) > MAX_LINE_CHARS or s.strip("\u2014-") == "":
            continue
        if not line[0].isspace() and ":" not in s:
            section = s  # "NETWORK", "WIFI", "BLUETOOTH", ...
            continue
        kv = _key_value(line)
        if section == "WIFI" and kv is not None and kv[0] and kv[0] not in values:
            values[kv[0]] = kv[1]
    ssid = values.get("SSID", "")
    rssi = _DBM.fullmatch(values.get("RSSI", ""))
    if ssid in ("", "None") and rssi is None:
        raise UnknownScanFormat(
            "This `wdutil info` output shows no connected Wi-Fi network, so it holds no measurement. "
            "Connect to the network and run `sudo wdutil info > scan.txt` again, or save "
            "`system_profiler SPAirPortDataType > scan.txt`, which also lists the neighbours."
        )
    warnings = ["This is `wdutil info` output: it holds only the connected network."]
    bssid = normalise_bssid(values.get("BSSID", "")) or ""
    if REDACTED in (ssid, values.get("BSSID")):
        warnings.append(
            "macOS redacted the network's name or BSSID: wdutil was run without sudo. "
            "Run `sudo wdutil info > scan.txt` to keep them."
        )
    band = channel = width = None
    m = _WDUTIL_CHANNEL.fullmatch(values.get("Channel", ""))
    if m:
        band, channel, width = _BANDS[m.group(1)], int(m.group(2)), int(m.group(3))
    rssi_dbm = float(rssi.group(1)) if rssi else None
    noise = _DBM.fullmatch(values.get("Noise", ""))
    if noise:
        warnings.append(_noise_note("wdutil", rssi_dbm, float(noise.group(1)), "the connected network"))
    obs = build_observation(
        bssid,
        ssid=ssid,
        rssi_dbm=rssi_dbm,
        channel=channel,
        band=band,
        auth=macos_auth(values.get("Security", "")),
        wps=None,
        channel_width_mhz=width,
    )
    return ParsedScan("wdutil", (obs,), tuple(warnings))


def _network_values(value: str) -> bool:
    return bool(_SIGNAL_NOISE.fullmatch(value) or (_SP_CHANNEL.fullmatch(value) and "GHz" in value))


def is_system_profiler(lines: list[tuple[int, str]]) -> bool:
    """True for ``system_profiler SPAirPortDataType`` text (numbered lines): a network's channel or signal."""
    return any(
        (kv := _key_value(line)) is not None and _network_values(kv[1])
        for _, line in lines
        if ("dBm" in line or "GHz" in line) and len(line) <= MAX_LINE_CHARS
    )


def parse_system_profiler(text: str) -> ParsedScan:
    """Every network of ``system_profiler SPAirPortDataType`` output (no BSSIDs)."""
    # (indent, name, {label: value}) of each "NAME:" line, in order; values go to the
    # nearest such line above that is less indented.
    nodes: list[tuple[int, str, dict[str, str]]] = []
    stack: list[int] = []  # indices into nodes
    for _, line in numbered_lines(text):
        s = line.strip()
        if len(line) > MAX_LINE_CHARS:
            continue
        indent = len(line) - len(line.lstrip(" "))
        while stack and nodes[stack[-1]][0] >= indent:
            stack.pop()
        if s.endswith(":"):
            nodes.append((indent, s[:-1], {}))
            stack.append(len(nodes) - 1)
            continue
        kv = _key_value(s)
        if kv is not None and stack:
            nodes[stack[-1]][2].setdefault(kv[0], kv[1])
    out: list[Observation] = []
    warnings: list[str] = []
    redacted = 0
    for _, name, values in nodes:
        channel_match = next((cm for v in values.values() if (cm := _SP_CHANNEL.fullmatch(v)) and "GHz" in v), None)
        signal_match = next((sm for v in values.values() if (sm := _SIGNAL_NOISE.fullmatch(v))), None)
        if channel_match is None and signal_match is None:
            continue
        channel = band = width = None
        if channel_match is not None:
            channel = int(channel_match.group(1))
            band = _BANDS.get(channel_match.group(2))
            width = int(channel_match.group(3)) if channel_match.group(3) else None
        rssi = noise = None
        if signal_match is not None:
            rssi, noise = float(signal_match.group(1)), float(signal_match.group(2))
            if rssi == 0:
                rssi = None
        if name == REDACTED:
            redacted += 1
        security = next((v for k, v in values.items() if k.lower() == "security"), "")
        out.append(
            build_observation(
                "",
                ssid=name,
                rssi_dbm=rssi,
                channel=channel,
                band=band,
                auth=macos_auth(security) if security else [],
                wps=None,
                channel_width_mhz=width,
            )
        )
        if noise is not None and not warnings:
            warnings.append(_noise_note("system_profiler", rssi, noise, f"'{name}'"))
    if not out:
        raise UnknownScanFormat(
            "This `system_profiler SPAirPortDataType` output lists no Wi-Fi network. Connect to the network "
            "and save it again, or save `sudo wdutil info > scan.txt`."
        )
    warnings.append(
        "system_profiler gives no BSSIDs, so access points of one network cannot be told apart; "
        "networks without a signal reading are kept for the channel view only."
    )
    if redacted:
        warnings.append(
            f"macOS redacted the names of {redacted} network(s) (shown as {REDACTED}): give the "
            "terminal Location Services permission in System Settings > Privacy & Security and "
            "save the output again."
        )
    return ParsedScan("system_profiler", tuple(out), tuple(warnings))
