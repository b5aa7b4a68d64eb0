"""Plain (tabular) ``nmcli device wifi list`` text, the output installers save most often.

The table starts with a header naming the columns (``IN-USE  BSSID  SSID  MODE  CHAN
RATE  SIGNAL  BARS  SECURITY`` by default; older nmcli names the in-use column ``*``
and has no BSSID; ``nmcli -f ...`` selects any columns in any order). nmcli pads each
column to the width of its widest value (counted in terminal cells) plus two spaces,
so columns are at least two spaces apart while values such as ``540 Mbit/s`` or
``WPA1 WPA2`` contain single spaces.

Character offsets alone cannot be trusted: an SSID with wide characters (CJK, emoji)
or combining marks takes a different number of cells than characters, which moves
every later column in the text. So each row is read by value shape: the columns the
header lists before SSID from the left (IN-USE ``*`` or blank, a MAC for BSSID, ...),
the columns after it from the right (SECURITY words, BARS glyphs, SIGNAL, RATE, CHAN,
MODE, ...), and the SSID is what remains between. The header's SSID offset is used
only to keep leading spaces of an SSID when everything before it is plain ASCII.

Limits, inherent in the format: an SSID's trailing spaces cannot be told from nmcli's
padding and are lost; a hidden network and one named ``--`` look alike (both read as
hidden); without a FREQ column a 6 GHz channel number is taken as 2.4/5 GHz (CHAN alone
does not say the band). ``nmcli --terse`` output has none of these limits.
Values are mapped exactly as for terse rows (:func:`survey.scan.parsers.nmcli.row_to_observation`).
"""

from __future__ import annotations

import re

from survey.project.model import Observation
from survey.scan.parsers.common import ParsedScan, is_noise_line, skipped_warning
from survey.scan.text import cell_width

#: Field names nmcli(1) documents for ``device wifi list`` (NetworkManager 1.0 to 1.48),
#: plus ``*``, which older versions print as the IN-USE column's title.
FIELD_NAMES = ("NAME", "SSID", "SSID-HEX", "BSSID", "MODE", "CHAN", "FREQ", "RATE", "BANDWIDTH",
               "SIGNAL", "BARS", "SECURITY", "WPA-FLAGS", "RSN-FLAGS", "DEVICE", "ACTIVE", "IN-USE",
               "DBUS-PATH")
_ALIASES = {"*": "IN-USE"}
#: A header must name one of these besides SSID/BSSID, so a line such as "SSID BSSID"
#: in prose is not taken for a table.
_MEASURED = {"MODE", "CHAN", "FREQ", "RATE", "SIGNAL", "BARS", "SECURITY"}

_NUMBER_UNIT = r"\d+(?:[.,]\d+)?\s\S+"  # "540 Mbit/s", "2437 MHz"; the unit is translated in some locales ("Мбит/с")
_SEC_WORD = r"(?:WPA\d?|WEP|802\.1X|OWE(?:-TM)?|SAE|PSK|FT|EAP(?:-\S+)?|SUITE-B\S*|--)"
_FLAG_WORD = r"[\w.\-]+"
_SHAPES = {
    "IN-USE": r"\*?",
    "BSSID": r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}",
    "SSID-HEX": r"[0-9A-Fa-f]+|--",
    "NAME": r"\S+",
    "MODE": r"\S+",  # Infra, Ad-Hoc, Mesh, N/A; left open in case a locale translates it
    "CHAN": r"\d+",
    "FREQ": _NUMBER_UNIT,
    "RATE": _NUMBER_UNIT,
    "BANDWIDTH": _NUMBER_UNIT,
    "SIGNAL": r"\d{1,3}",
    # Unicode bars, or "*" bars when the locale is not UTF-8 (blank for 0 %). Output
    # copied from web forums often has the glyphs as HTML character references
    # ("&#9602;&#9604;__"), so those are read too.
    "BARS": r"(?:[\u2581-\u2588_*]|&#960[1-8];){0,4}",
    "SECURITY": _SEC_WORD + r"(?: " + _SEC_WORD + r")*",
    "WPA-FLAGS": r"\(none\)|" + _FLAG_WORD + r"(?: " + _FLAG_WORD + r")*",
    "RSN-FLAGS": r"\(none\)|" + _FLAG_WORD + r"(?: " + _FLAG_WORD + r")*",
    "DEVICE": r"\S+",
    "ACTIVE": r"\S+",
    "DBUS-PATH": r"/\S*",
}
# From the left: the value at the header's column start (left-hand columns are ASCII, so
# their offsets hold), else spaces and then the longest value ending at a space or the
# line's end (a row shifted by hand editing).
_LEFT_AT = {k: re.compile(r"(" + v + r")(?=\s|$)") for k, v in _SHAPES.items()}
_LEFT = {k: re.compile(r"\s*(" + v + r")(?=\s|$)") for k, v in _SHAPES.items()}
# From the right: the value that ends the text (before trailing padding), starting at
# the text's start or after a space; the lazy prefix makes multi-word values (RATE,
# SECURITY) as long as single spaces allow.
_RIGHT = {k: re.compile(r"(|.*?\s)(" + v + r")\s*", re.DOTALL) for k, v in _SHAPES.items()}


def header_fields(line: str) -> tuple[tuple[str, int], ...] | None:
    """(field name, start cell) of each column if ``line`` is an nmcli table header, else None."""
    fields: list[tuple[str, int]] = []
    for m in re.finditer(r"\S+", line):
        name = _ALIASES.get(m.group(0), m.group(0))
        if name not in FIELD_NAMES:
            return None
        fields.append((name, cell_width(line[:m.start()])))
    names = [n for n, _ in fields]
    if len(fields) < 2 or len(set(names)) != len(names):
        return None
    if not ({"SSID", "BSSID"} & set(names)) or not (_MEASURED & set(names)):
        return None
    return tuple(fields)


def find_header(text: str) -> tuple[str, ...] | None:
    """The field names of the first table header in ``text`` (used by format detection)."""
    for line in text.splitlines():
        fields = header_fields(line)
        if fields is not None:
            return tuple(n for n, _ in fields)
    return None


def _char_index_at_cell(line: str, cell: int) -> int | None:
    """Index of the character that starts at terminal cell ``cell`` (None if none does)."""
    cells = 0
    for i, ch in enumerate(line):
        if cells == cell:
            return i
        if cells > cell:
            return None
        cells += cell_width(ch)
    return len(line) if cells == cell else None


def split_row(line: str, fields: tuple[tuple[str, int], ...]) -> dict[str, str] | None:
    """The values of one table row by field name, or None when the row does not fit.

    Left-hand values are first looked for at the header's column starts (an SSID
    "* x" under an IN-USE column stays whole), then, for a row shifted by hand
    editing, wherever they are ("  *  02:00:..." with the star out of place).
    """
    return _split_row(line, fields, anchored=True) or _split_row(line, fields, anchored=False)


def _split_row(line: str, fields: tuple[tuple[str, int], ...], anchored: bool) -> dict[str, str] | None:
    names = [n for n, _ in fields]
    ssid_at = names.index("SSID") if "SSID" in names else len(names)
    rec: dict[str, str] = {}
    pos = 0
    last_value_end = 0
    for name, offset in fields[:ssid_at]:
        m = None
        anchor = _char_index_at_cell(line, offset) if anchored else None
        if anchor is not None and anchor >= pos and not line[pos:anchor].strip():
            m = _LEFT_AT[name].match(line, anchor)
        if m is None:
            m = _LEFT[name].match(line, pos)
        if m is None:
            return None
        rec[name] = m.group(1)
        pos = m.end()
        if m.group(1):
            last_value_end = pos
    rest = line[pos:] if ssid_at == len(names) else line
    for name in reversed(names[ssid_at + 1:]):
        m = _RIGHT[name].fullmatch(rest)
        if m is None:
            return None
        rec[name] = m.group(2)
        rest = m.group(1)
    if ssid_at == len(names):
        return rec if rest.strip() == "" else None
    end = len(rest)
    if end < pos:
        return None  # the right-hand values ran into the left-hand ones: no room for an SSID
    # SSID: between the left columns and the right ones. It starts at the header's SSID
    # offset when only padding lies before it there (so leading spaces are kept);
    # otherwise (a row shifted by hand editing) at its first non-space character.
    start = _char_index_at_cell(line, fields[ssid_at][1])
    if start is not None and last_value_end <= start <= end and not line[last_value_end:start].strip():
        ssid = line[start:end]
    else:
        ssid = line[pos:end].lstrip()
    ssid = ssid.rstrip()  # trailing spaces of an SSID are indistinguishable from nmcli's padding
    if not ssid.strip():
        return None
    rec["SSID"] = ssid
    return rec


def parse(text: str) -> ParsedScan:
    """Observations of tabular ``nmcli [-f FIELDS] device wifi list`` output.

    Every header line starts a table; rows are read against the latest header. Lines
    that are not rows (prompts, other commands' output, redacted BSSIDs) are skipped and
    named in a warning.
    """
    from survey.scan.parsers.nmcli import SCAN_FIELDS, row_to_observation

    out: list[Observation] = []
    warnings: list[str] = []
    skipped: list[tuple[int, str]] = []
    fields: tuple[tuple[str, int], ...] | None = None
    for lineno, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.rstrip("\r\n")
        if not line.strip():
            continue
        header = header_fields(line)
        if header is not None:
            fields = header
            names = [n for n, _ in header]
            if "BSSID" not in names:
                msg = ("The nmcli table has no BSSID column, so access points of one network cannot be "
                       "told apart. Save it with `nmcli --terse --fields " + ",".join(SCAN_FIELDS)
                       + " device wifi list`.")
                if msg not in warnings:
                    warnings.append(msg)
            continue
        rec = split_row(line, fields) if fields is not None else None
        # A prompt or comment line is skipped unless it reads as a row: an SSID may start
        # with "# " or "$ ". Such a row has a MAC in it, or sits under an IN-USE column
        # (blank or "*"), where prompts and comments do not start.
        if rec is None or (is_noise_line(line) and "BSSID" not in rec
                           and not (fields[0][0] == "IN-USE" and line[:1] in (" ", "*"))):
            skipped.append((lineno, line))
            continue
        obs = row_to_observation(rec)
        if obs is None:
            skipped.append((lineno, line))
            continue
        out.append(obs)
    if fields is None:
        raise ValueError("no nmcli table header (a line such as `IN-USE  BSSID  SSID  MODE  CHAN ...`) was found")
    return ParsedScan("nmcli", tuple(out), tuple(warnings + skipped_warning("nmcli", skipped)))
