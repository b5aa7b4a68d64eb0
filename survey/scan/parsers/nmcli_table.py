"""Plain and ``--pretty`` tables of ``nmcli device wifi list``, the output installers save most often.

The table starts with a header naming the columns (``IN-USE  BSSID  SSID  MODE  BAND
CHAN  RATE  SIGNAL  BARS  SECURITY`` by default since NetworkManager 1.57, without BAND
before; older nmcli names the in-use column ``*`` and has no BSSID; ``nmcli -f ...``
selects any columns in any order). Column titles are never translated, values partly are
(:mod:`survey.scan.parsers.nmcli_words`). nmcli pads each column to the width of its
widest value (in terminal cells) plus one, and separates columns by one more space
(src/nmcli/utils.c, ``_print_do``), so columns are at least two spaces apart while
values such as ``540 Mbit/s`` or ``WPA1 WPA2`` contain single spaces. ``--pretty`` adds
``====`` lines around a title and a ``----`` line under the header. A column title that
is not one of nmcli's fields (a newer NetworkManager) is skipped with a warning.

Character offsets alone cannot be trusted: an SSID with wide characters (CJK, emoji)
or combining marks takes a different number of cells than characters, which moves
every later column in the text. So each row is read by value shape, word by word: the
columns the header lists before SSID from the left (IN-USE ``*`` or blank, a MAC for
BSSID, ...), the columns after it from the right (SECURITY words, BARS glyphs, SIGNAL,
RATE, CHAN, MODE, ...), and the SSID is what remains between, whatever it contains. The
header's SSID offset is used only to keep leading spaces of an SSID when everything
before it is plain ASCII. Each word is looked at a bounded number of times: linear.

Limits, inherent in the format: an SSID's trailing spaces cannot be told from nmcli's
padding and are lost; a hidden network and one named ``--`` look alike (both read as
hidden); without FREQ or BAND a 6 GHz channel number is taken as 2.4/5 GHz. ``nmcli
--terse`` output has none of these limits.
"""

from __future__ import annotations

import bisect
import re

from survey.project.model import Observation
from survey.scan.parsers.common import (
    MAX_LINE_CHARS,
    NOISE,
    TOO_LONG,
    LineNotes,
    ParsedScan,
    is_noise_line,
    numbered_lines,
)
from survey.scan.parsers.nmcli_fields import ALL_FIELDS, CAN_BE_EMPTY, MATCHERS, SCAN_FIELDS, row_to_observation
from survey.scan.text import cell_width

_ALIASES = {"*": "IN-USE"}
#: A header must name one of these besides SSID/BSSID, so a line such as "SSID BSSID"
#: in prose is not taken for a table.
_MEASURED = {"MODE", "CHAN", "BAND", "FREQ", "RATE", "SIGNAL", "BARS", "SECURITY"}
_TITLE = re.compile(r"[A-Z][A-Z0-9_-]*|\*")
_WORD = re.compile(r"\S+")
#: nmcli has 19 fields; a line with more words is no header.
MAX_COLUMNS = 40


def header_fields(line: str) -> tuple[tuple[str, int], ...] | None:
    """(field name, start cell) of each column if ``line`` is an nmcli table header, else None.

    Titles must be upper-case words; those that are not nmcli fields may be at most half
    as many as those that are (airport's ``SSID BSSID RSSI CHANNEL HT CC SECURITY`` has
    four unknown of seven and is not taken).
    """
    fields: list[tuple[str, int]] = []
    cells = 0
    prev_end = 0
    for m in _WORD.finditer(line):
        if len(fields) >= MAX_COLUMNS or not _TITLE.fullmatch(m.group()):
            return None
        cells += cell_width(line[prev_end : m.start()])
        fields.append((_ALIASES.get(m.group(), m.group()), cells))
        cells += len(m.group())
        prev_end = m.end()
    names = {n for n, _ in fields}
    known = names & set(ALL_FIELDS)
    if len(known) < 2 or len(names) != len(fields) or 2 * (len(names) - len(known)) > len(known):
        return None
    if not ({"SSID", "BSSID"} & known) or not (_MEASURED & known) or {"RSSI", "CHANNEL"} <= names:
        return None
    return tuple(fields)


def find_header(lines: list[tuple[int, str]]) -> tuple[str, ...] | None:
    """The field names of the first table header among numbered ``lines`` (format detection)."""
    for _, line in lines:
        if "SSID" in line and len(line) <= MAX_LINE_CHARS:
            fields = header_fields(line)
            if fields is not None:
                return tuple(n for n, _ in fields)
    return None


class _Row:
    """One row's words (start, end) and, on demand, where each terminal cell starts."""

    def __init__(self, line: str):
        self.line = line
        self.words = [(m.start(), m.end()) for m in _WORD.finditer(line)]
        self._starts = [s for s, _ in self.words]
        self._cells: list[int] | None = None

    def text(self, k: int) -> str | None:
        return self.line[self.words[k][0] : self.words[k][1]] if 0 <= k < len(self.words) else None

    def first_word_at_or_after(self, pos: int) -> int:
        return bisect.bisect_left(self._starts, pos)

    def char_at_cell(self, cell: int) -> int | None:
        """Index of the character that starts at terminal cell ``cell`` (None if none does)."""
        if self.line.isascii():
            return cell if cell <= len(self.line) else None
        if self._cells is None:
            cells = [0]
            for ch in self.line:
                cells.append(cells[-1] + cell_width(ch))
            self._cells = cells
        i = bisect.bisect_left(self._cells, cell)
        return i if i < len(self._cells) and self._cells[i] == cell else None


def _count(name: str, row: _Row, first: int, forward: bool) -> int | None:
    """How many words from word ``first`` (onwards, or backwards) the value of column ``name`` takes."""
    step = 1 if forward else -1
    words = row.words

    def get(k: int) -> str | None:
        i = first + step * k
        return row.text(i) if 0 <= i < len(words) else None

    def gap(k: int) -> int | None:
        a, b = sorted((first + step * k, first + step * (k + 1)))
        return words[b][0] - words[a][1] if a >= 0 and b < len(words) else None

    matcher = MATCHERS.get(name)
    if matcher is not None:
        return matcher(get, forward, gap)
    # A column nmcli does not have: one word, and the words one space away from it.
    if get(0) is None:
        return None
    n = 1
    while gap(n - 1) == 1:
        n += 1
    return n


def _left_value(row: _Row, name: str, at: int, exact: bool) -> tuple[str, int] | None:
    """(value, end) of a left-hand column whose value starts at ``at`` (``exact``) or at the
    first word after it. An empty value needs a space or the line's end where it stands."""
    line = row.line
    k = row.first_word_at_or_after(at)
    here = k < len(row.words) and (not exact or row.words[k][0] == at)
    n = _count(name, row, k, True) if here else None
    if n:
        return line[row.words[k][0] : row.words[k + n - 1][1]], row.words[k + n - 1][1]
    if name in CAN_BE_EMPTY and (at == len(line) or line[at].isspace()):
        return "", at
    return None


def split_row(line: str, fields: tuple[tuple[str, int], ...]) -> dict[str, str] | None:
    """The values of one table row by field name, or None when the row does not fit.

    Left-hand values are first looked for at the header's column starts (an SSID
    "* x" under an IN-USE column stays whole), then, for a row shifted by hand
    editing, wherever they are ("  *  02:00:..." with the star out of place).
    """
    row = _Row(line)
    return _split_row(row, fields, anchored=True) or _split_row(row, fields, anchored=False)


def _split_row(row: _Row, fields: tuple[tuple[str, int], ...], anchored: bool) -> dict[str, str] | None:
    line = row.line
    names = [n for n, _ in fields]
    ssid_at = names.index("SSID") if "SSID" in names else len(names)
    rec: dict[str, str] = {}
    pos = 0
    last_value_end = 0
    for name, offset in fields[:ssid_at]:
        got = None
        anchor = row.char_at_cell(offset) if anchored else None
        if anchor is not None and anchor >= pos and not line[pos:anchor].strip():
            got = _left_value(row, name, anchor, exact=True)
        if got is None:
            got = _left_value(row, name, pos, exact=False)
            if got is None:
                return None
        rec[name], pos = got
        if rec[name]:
            last_value_end = pos
    if ssid_at == len(names):
        return rec if not line[pos:].strip() else None
    j = len(row.words) - 1
    end = len(line)
    for name in reversed(names[ssid_at + 1 :]):
        n = _count(name, row, j, False)
        if n is None:
            return None
        rec[name] = line[row.words[j - n + 1][0] : row.words[j][1]] if n else ""
        if n:
            end = row.words[j - n + 1][0]
        j -= n
    if end < pos:
        return None  # the right-hand values ran into the left-hand ones: no room for an SSID
    # SSID: between the left columns and the right ones. It starts at the header's SSID
    # offset when only padding lies before it there (so leading spaces are kept);
    # otherwise (a row shifted by hand editing) at its first non-space character.
    start = row.char_at_cell(fields[ssid_at][1])
    if start is not None and last_value_end <= start <= end and not line[last_value_end:start].strip():
        ssid = line[start:end]
    else:
        ssid = line[pos:end].lstrip()
    ssid = ssid.rstrip()  # trailing spaces of an SSID are indistinguishable from nmcli's padding
    if not ssid.strip():
        return None
    rec["SSID"] = ssid
    return rec


def _is_rule(line: str, ch: str) -> bool:
    s = line.strip()
    return len(s) >= 3 and s == ch * len(s)


def parse(text: str | list[tuple[int, str]]) -> ParsedScan:
    """Observations of tabular ``nmcli [-p] [-f FIELDS] device wifi list`` output.

    Every header line starts a table; rows are read against the latest header. Lines
    that are not rows (prompts, other commands' output, redacted BSSIDs) are skipped and
    named in a warning; ``--pretty``'s rules and title are passed over.
    """
    out: list[Observation] = []
    warnings: list[str] = []
    notes = LineNotes("nmcli")
    fields: tuple[tuple[str, int], ...] | None = None
    lines = numbered_lines(text) if isinstance(text, str) else text
    for i, (lineno, line) in enumerate(lines):
        if len(line) > MAX_LINE_CHARS:
            notes.skip(lineno, line, TOO_LONG)
            continue
        if _is_rule(line, "=") or _is_rule(line, "-"):
            continue
        if 0 < i < len(lines) - 1 and _is_rule(lines[i - 1][1], "=") and _is_rule(lines[i + 1][1], "="):
            continue  # --pretty's title ("Wi-Fi scan list (wlp2s0)", translated)
        header = header_fields(line) if "SSID" in line else None
        if header is not None:
            fields = header
            names = [n for n, _ in header]
            if "BSSID" not in names:
                msg = (
                    "The nmcli table has no BSSID column, so access points of one network cannot be "
                    "told apart. Save it with `nmcli --terse --fields " + ",".join(SCAN_FIELDS) + " device wifi list`."
                )
                if msg not in warnings:
                    warnings.append(msg)
            for name in names:
                if name not in ALL_FIELDS:
                    msg = (
                        f"The nmcli column {name} is not one of the fields evsurvey knows "
                        f"(NetworkManager 1.57 prints {', '.join(ALL_FIELDS)}); its values were not read."
                    )
                    if msg not in warnings:
                        warnings.append(msg)
            continue
        noise = is_noise_line(line)
        if fields is None:
            notes.skip(lineno, line, NOISE if noise else "before the table's header line")
            continue
        rec = split_row(line, fields)
        # A prompt or comment line is skipped unless it reads as a row: an SSID may start
        # with "# " or "$ ". Such a row has a MAC in it, or sits under an IN-USE column
        # (blank or "*"), where prompts and comments do not start.
        if rec is None or (noise and "BSSID" not in rec and not (fields[0][0] == "IN-USE" and line[:1] in (" ", "*"))):
            notes.skip(lineno, line, NOISE if noise else "its values do not fit the table's columns")
            continue
        obs = row_to_observation(rec)
        if obs is None:
            notes.skip(lineno, line, f"BSSID {rec.get('BSSID', '')!r} is not a MAC address")
            continue
        out.append(obs)
    if fields is None:
        raise ValueError("no nmcli table header (a line such as `IN-USE  BSSID  SSID  MODE  CHAN ...`) was found")
    return ParsedScan("nmcli", tuple(out), tuple(warnings + notes.warnings()))
