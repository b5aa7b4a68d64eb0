"""Reading a saved scan: decode the bytes, recognise the format, parse it."""

from __future__ import annotations

import codecs
import re

from survey.errors import UserInputError
from survey.scan.parsers import airport, iw, netsh, nmcli, wpa_cli
from survey.scan.parsers.common import FORMATS, ParsedScan

_PARSERS = {"iw": iw.parse, "nmcli": nmcli.parse, "wpa_cli": wpa_cli.parse,
            "netsh": netsh.parse, "airport": airport.parse}

_IW = re.compile(r"^BSS [0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}", re.MULTILINE)
_NETSH = re.compile(r"^\s*BSSID\s+\d+\s*:", re.MULTILINE)
_WPA_CLI = re.compile(r"^(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}\t-?\d+(?:\.\d+)?\t-?\d+\t", re.MULTILINE)
_AIRPORT = re.compile(r"^\s*SSID\s+BSSID\s+RSSI\s+CHANNEL|^.*\s-\d{1,3}\s+\d{1,3}(?:,[-+]?\d+)?\s+[YN]\s+\S+\s+\S",
                      re.MULTILINE)
_NMCLI = re.compile(r"(?:[0-9A-Fa-f]{2}\\:){5}[0-9A-Fa-f]{2}")
# Terse rows without a BSSID column: "...:Infra:11:54 Mbit/s:..." (MODE then CHAN, as nmcli orders them).
_NMCLI_NO_BSSID = re.compile(r"^[^\t]*(?<!\\):(?:Infra|Ad-Hoc|Mesh|AP):\d+(?::|$)", re.MULTILINE)


class UnknownScanFormat(UserInputError):
    """The text is none of the scan formats evsurvey reads."""


def detect_format(text: str) -> str | None:
    """The scan format of ``text``: one of :data:`FORMATS`, or None."""
    if _IW.search(text):
        return "iw"
    if _NETSH.search(text):
        return "netsh"
    if _WPA_CLI.search(text) or re.search(r"^bssid / frequency / signal level", text, re.MULTILINE):
        return "wpa_cli"
    if _NMCLI.search(text) or _NMCLI_NO_BSSID.search(text):
        return "nmcli"
    if _AIRPORT.search(text):
        return "airport"
    return None


def parse_text(text: str, format: str = "auto") -> ParsedScan:  # noqa: A002 - the CLI's word
    """Parse saved scanner output. ``format`` is ``auto`` or one of :data:`FORMATS`.

    Raises :class:`UnknownScanFormat` when ``auto`` recognises nothing and
    :class:`UserInputError` for an unknown format name.
    """
    fmt = format
    if fmt == "auto":
        fmt = detect_format(text)
        if fmt is None:
            raise UnknownScanFormat(
                "This file is not a scan evsurvey can read. Save the output of one of: "
                "`iw dev wlan0 scan`, `nmcli --terse device wifi list`, `wpa_cli scan_results`, "
                "`netsh wlan show networks mode=bssid`, `airport -s`; or pass --format.")
    if fmt not in _PARSERS:
        raise UserInputError(f"Unknown scan format {format!r}; use auto or one of {', '.join(FORMATS)}.")
    try:
        return _PARSERS[fmt](text)
    except ValueError as exc:
        raise UserInputError(f"Could not read the file as {fmt} output: {exc}") from exc


def decode_scan_bytes(data: bytes) -> tuple[str, list[str]]:
    """Text of a saved scan file and notes on how it was decoded.

    Order: a UTF-16/UTF-32/UTF-8 byte-order mark (PowerShell's ``>`` writes UTF-16 LE
    with a BOM); UTF-16 without a BOM (every other byte NUL); UTF-8; then, for netsh
    output, the Western-European OEM code page cp850 (cmd.exe's ``>`` writes the console
    code page; cp850 and cp437 agree on the accented letters netsh uses); else Latin-1,
    which accepts every byte.
    """
    notes: list[str] = []
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), notes
    if len(data) >= 4 and data[1::2].count(0) > 0.4 * (len(data) // 2):
        return data.decode("utf-16-le", errors="replace"), ["Read as UTF-16 LE (no byte-order mark)."]
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    if re.search(rb"^\s*BSSID\s+\d+\s*:", data, re.MULTILINE):
        return data.decode("cp850"), ["Not UTF-8: read as the Windows OEM code page cp850."]
    return data.decode("latin-1"), ["Not UTF-8: read as Latin-1; accented SSIDs may look wrong."]


def parse_bytes(data: bytes, format: str = "auto") -> ParsedScan:  # noqa: A002
    """Parse a saved scan file's bytes (any of the encodings :func:`decode_scan_bytes` knows)."""
    text, notes = decode_scan_bytes(data)
    parsed = parse_text(text, format)
    if notes:
        return ParsedScan(parsed.format, parsed.observations, tuple(notes) + parsed.warnings)
    return parsed
