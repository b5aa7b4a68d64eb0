"""Reading a saved scan: decode the bytes, recognise the format, parse it."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable

from survey.errors import UserInputError
from survey.scan.parsers import airport, iw, macos, netsh, nmcli, nmcli_table, wpa_cli
from survey.scan.parsers.common import (
    FORMATS,
    MAX_LINE_CHARS,
    ParsedScan,
    UnknownScanFormat,
    check_size,
    numbered_lines,
)
from survey.scan.parsers.nmcli_fields import MODE_WORDS

_PARSERS: dict[str, Callable[[str], ParsedScan]] = {
    "iw": iw.parse,
    "nmcli": nmcli.parse,
    "wpa_cli": wpa_cli.parse,
    "netsh": netsh.parse,
    "airport": airport.parse,
    "wdutil": macos.parse_wdutil,
    "system_profiler": macos.parse_system_profiler,
}

# Every pattern below is anchored at a line start and uses [ \t] rather than \s, which
# would let one attempt run over every following blank line (quadratic on a file of
# blank lines); none has two unbounded repetitions over the same characters side by side.
_IW = re.compile(r"^BSS [0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}", re.MULTILINE)
_NETSH = re.compile(r"^[ \t]*BSSID[ \t]+\d+[ \t]*:", re.MULTILINE)
_WPA_CLI = re.compile(r"^(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}\t-?\d+(?:\.\d+)?\t-?\d+\t", re.MULTILINE)
_WPA_CLI_HEADER = re.compile(r"^bssid / frequency / signal level", re.MULTILINE)
_AIRPORT_HEADER = re.compile(r"^[ \t]*SSID[ \t]+BSSID[ \t]+RSSI[ \t]+CHANNEL", re.MULTILINE)
_NMCLI = re.compile(r"(?:[0-9A-Fa-f]{2}\\:){5}[0-9A-Fa-f]{2}")


# Terse rows without a BSSID column: "...:Infra:11:54 Mbit/s:..." (MODE, in any language,
# then CHAN, as nmcli orders them). Each attempt starts at a ":" and reads a bounded word.
def _trie_pattern(words) -> str:
    """A regex alternation of ``words`` written as a trie, so that each attempt reads each
    character once instead of trying every word in turn."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append("")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


_NMCLI_MODE_CHAN = re.compile(r"(?<!\\):" + _trie_pattern(MODE_WORDS) + r":\d+(?=:|\r?$)", re.MULTILINE | re.IGNORECASE)
# netsh wlan show interfaces: an interface GUID value.
_GUID_VALUE = re.compile(
    r":[ \t]*[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}[ \t\r]*$", re.MULTILINE
)


def detect_format(text: str) -> str | None:
    """The scan format of ``text``: one of :data:`FORMATS`, or None. Linear in ``len(text)``."""
    if _IW.search(text):
        return "iw"
    if _NETSH.search(text):
        return "netsh"
    if _WPA_CLI.search(text) or _WPA_CLI_HEADER.search(text):
        return "wpa_cli"
    lines = numbered_lines(text)
    if _GUID_VALUE.search(text) and netsh.is_interfaces(lines):
        return "netsh"
    if macos.is_wdutil(lines):
        return "wdutil"
    if macos.is_system_profiler(lines):
        return "system_profiler"
    # A plain nmcli table is known by its header: every word an nmcli field name
    # (airport's "SSID BSSID RSSI CHANNEL HT CC SECURITY" has RSSI, CHANNEL, HT, CC).
    if nmcli_table.find_header(lines) is not None or nmcli.is_multiline(lines):
        return "nmcli"
    if _NMCLI.search(text) or _NMCLI_MODE_CHAN.search(text):
        return "nmcli"
    if _AIRPORT_HEADER.search(text) or any(
        len(line) <= MAX_LINE_CHARS and airport.split_row(line) for _, line in lines
    ):
        return "airport"
    return None


def parse_text(text: str, format: str = "auto") -> ParsedScan:  # noqa: A002 - the CLI's word
    """Parse saved scanner output. ``format`` is ``auto`` or one of :data:`FORMATS`.

    Raises :class:`UnknownScanFormat` when ``auto`` recognises nothing,
    :class:`~survey.scan.parsers.common.ScanTooLarge` for text longer than any scan, and
    :class:`UserInputError` for an unknown format name.
    """
    check_size(len(text), "The text")
    fmt = format
    if fmt == "auto":
        detected = detect_format(text)
        if detected is None:
            if netsh.LOCATION_DENIED in text:
                raise netsh.NetshLocationDenied()
            raise UnknownScanFormat(
                "This file is not a scan evsurvey can read. Save the output of one of: "
                "`iw dev wlan0 scan`, `nmcli device wifi list`, `wpa_cli scan_results`, "
                "`netsh wlan show networks mode=bssid`, `airport -s`, `sudo wdutil info`, "
                "`system_profiler SPAirPortDataType`; or pass --format."
            )
        fmt = detected
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
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), notes
    if len(data) >= 4 and data[1::2].count(0) > 0.4 * (len(data) // 2):
        return data.decode("utf-16-le", errors="replace"), ["Read as UTF-16 LE (no byte-order mark)."]
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    if re.search(rb"^[ \t]*BSSID[ \t]+\d+[ \t]*:", data, re.MULTILINE):
        enc = guess_windows_code_page(data)
        return data.decode(enc, errors="replace"), [f"Not UTF-8: read as the Windows console code page {enc}."]
    return data.decode("latin-1"), ["Not UTF-8: read as Latin-1; accented SSIDs may look wrong."]


#: Code pages ``cmd.exe`` writes netsh output in (the console's OEM code page, chcp) and
#: the ANSI pages PowerShell 5 uses for ``Out-File -Encoding Default``; Microsoft's
#: "Code Page Identifiers" list. Order breaks ties: the most used first.
WINDOWS_CODE_PAGES = (
    "cp850",
    "cp437",
    "cp852",
    "cp857",
    "cp866",
    "cp932",
    "gbk",
    "cp949",
    "cp950",
    "cp737",
    "cp775",
    "cp855",
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1254",
    "cp1257",
)


def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    try:
        first = unicodedata.name(ch).split()[0]
    except ValueError:
        return "?"
    return {
        "HIRAGANA": "CJK",
        "KATAKANA": "CJK",
        "HANGUL": "CJK",
        "CJK": "CJK",
        "HALFWIDTH": "CJK",
        "FULLWIDTH": "CJK",
    }.get(first, first)


def _plausibility(text: str) -> float:
    """Mean score of the non-ASCII characters of ``text``: +1 for a letter that fits its
    neighbours (same script; lower case after lower case), -1 for anything else (a box
    drawing or symbol between letters, a script change inside a word, "SeĄal")."""
    total = 0
    count = 0
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        count += 1
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        letter_neighbours = [c for c in (prev, nxt) if c.isalpha()]
        if not ch.isalpha():
            total += -1 if letter_neighbours else 0
            continue
        script = _script(ch)
        if any(_script(c) != script for c in letter_neighbours):
            total -= 1
        elif ch.isupper() and prev.isalpha() and prev.islower():
            total -= 1
        else:
            total += 1
    return total / count if count else 1.0


def guess_windows_code_page(data: bytes) -> str:
    """The Windows code page non-UTF-8 netsh bytes are most plausibly written in.

    netsh prints labels, values and SSIDs in the console's code page: cp850 for Western
    Europe, cp852 Central Europe, cp866 Russian, cp932 Japanese, cp936 (GBK) Chinese...
    Each candidate that decodes the bytes without error is scored by how word-like its
    non-ASCII characters are (see :func:`_plausibility`). A general detector
    (charset_normalizer) was tried first: on a few hundred bytes of netsh it picks cp775
    or cp1250 for cp850 Spanish/French text, so this narrower rule is used instead.
    """
    # The code page is the same throughout a file: a sample bounds the time on a large one.
    data = _sample(data)
    best, best_score = "cp850", float("-inf")
    for enc in WINDOWS_CODE_PAGES:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if score > best_score + 1e-9:
            best, best_score = enc, score
    if best in _CJK_PAGES:
        # Shift-JIS, GBK, UHC and Big5 bytes often decode in each other's tables as
        # well-formed ideographs, so the word-shape score cannot choose between them;
        # charset_normalizer's character-frequency model can (it is installed with
        # reportlab). Without it the score's pick stands.
        try:
            from charset_normalizer import from_bytes
        except ImportError:  # pragma: no cover - reportlab depends on it
            return best
        match = from_bytes(data, cp_isolation=list(_CJK_PAGES)).best()
        if match is not None:
            return codecs.lookup(match.encoding).name if match.encoding != "gb18030" else "gbk"
    return best


_CJK_PAGES = ("cp932", "gbk", "cp949", "cp950")
#: Bytes of a file used to guess its code page (netsh output of ~100 networks).
CODE_PAGE_SAMPLE_BYTES = 64 * 1024


def _sample(data: bytes) -> bytes:
    """The first :data:`CODE_PAGE_SAMPLE_BYTES` of ``data``, cut at a line break so no
    multi-byte character is split."""
    if len(data) <= CODE_PAGE_SAMPLE_BYTES:
        return data
    cut = data.rfind(b"\n", 0, CODE_PAGE_SAMPLE_BYTES)
    return data[: cut if cut > 0 else CODE_PAGE_SAMPLE_BYTES]


def parse_bytes(data: bytes, format: str = "auto") -> ParsedScan:  # noqa: A002
    """Parse a saved scan file's bytes (any of the encodings :func:`decode_scan_bytes` knows).

    Raises :class:`~survey.scan.parsers.common.ScanTooLarge` for more than
    :data:`~survey.scan.parsers.common.MAX_SCAN_BYTES`.
    """
    check_size(len(data))
    text, notes = decode_scan_bytes(data)
    parsed = parse_text(text, format)
    if notes:
        return ParsedScan(parsed.format, parsed.observations, tuple(notes) + parsed.warnings)
    return parsed
