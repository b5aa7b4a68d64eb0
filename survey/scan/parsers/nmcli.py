"""``nmcli device wifi list`` output in every layout nmcli prints.

* terse (``-t``) and values only (``-g FIELDS``, which is ``-t -f FIELDS``): one row per
  line, fields joined by ``:``, ``\\:`` and ``\\\\`` escaped (src/nmcli/utils.c). There is
  no header, so the columns are known from (in this order): the field list the caller
  passes (the live backend), a saved ``nmcli ... --fields A,B,C`` / ``-f`` / ``-g``
  command line in the file, or the shape of each column's values (a MAC, ``Infra`` or
  its translation, ``2462 MHz``, ``130 Mbit/s``, signal bars, security words);
* multiline (``-m multiline``, with or without ``-t``/``--pretty``): one ``FIELD:`` line
  per value, the value at column 40 unless terse, a record per BSS;
* tabular and ``--pretty``: :mod:`survey.scan.parsers.nmcli_table`.

Every layout reads its values with
:func:`survey.scan.parsers.nmcli_fields.row_to_observation`. SIGNAL is a percentage on
NetworkManager's scale (see :mod:`survey.scan.signal`); SSID-HEX, when present, gives the
SSID bytes exactly. A field name nmcli does not have is skipped with a warning.
"""

from __future__ import annotations

import re
from collections import Counter

from survey.project.model import Observation
from survey.rf.channels import freq_to_channel
from survey.scan.parsers import nmcli_table
from survey.scan.parsers.common import (
    MAX_LINE_CHARS,
    NOISE,
    TOO_LONG,
    LineNotes,
    ParsedScan,
    is_noise_line,
    numbered_lines,
)
from survey.scan.parsers.nmcli_fields import (
    ALL_FIELDS,
    ALL_FIELDS_BEFORE_1_57,
    DEFAULT_FIELDS,
    DEFAULT_FIELDS_BEFORE_1_57,
    MODE_WORDS,
    SCAN_FIELDS,
    WIDTHS_MHZ,
    YES_NO_WORDS,
    band_of_value,
    is_flags,
    is_security,
    normal,
    number_unit,
    row_to_observation,
)
from survey.scan.text import normalise_bssid, split_terse

__all__ = ["ALL_FIELDS", "DEFAULT_FIELDS", "SCAN_FIELDS", "infer_fields", "parse", "row_to_observation"]

# "nmcli -t -f SSID,BSSID dev wifi", "nmcli --fields all ...", "nmcli -g ssid,signal ...".
_FIELDS_ARG = re.compile(r"(?:--fields|-f|--get-values|-g)[ \t]+([A-Za-z0-9_,-]+)")
_BARS = re.compile(r"[\u2581-\u2588_* ]{1,4}")
_RATE_UNIT = re.compile(r"[MG][^/\s]*/\S+")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
#: multiline output puts values at column 40 (src/nmcli/utils.c, ML_VALUE_INDENT).
ML_VALUE_COLUMN = 40
_ML_NAME = re.compile(r"[A-Z][A-Z0-9_-]*")


def _signal_problem(rec: dict[str, str]) -> str | None:
    value = rec.get("SIGNAL")
    if value is None or value.isdigit() or value in ("", "--"):
        return None
    return f"SIGNAL {value.strip()[:20]!r} is not a number"


# -- terse ----------------------------------------------------------------------------------------------------------


def _column_kind(values: list[str]) -> str | None:
    vals = [v for v in values if v != ""]
    if not vals:
        return "empty"

    def every(pred) -> bool:
        return all(pred(v) for v in vals)

    if every(lambda v: normalise_bssid(v) is not None):
        return "BSSID"
    if every(lambda v: normal(v).casefold() in MODE_WORDS):
        return "MODE"
    units = [unit for v in vals if (unit := number_unit(v)) is not None]
    if len(units) == len(vals):
        numbers = [n for n, _ in units]
        if all(u.upper().endswith("HZ") or u.endswith("Гц") or u.endswith("ჰც") for _, u in units):
            # Centre frequencies start at 2412 MHz; widths are at most 320 MHz; bands are GHz.
            if all(n >= 2000 for n in numbers):
                return "FREQ"
            if all(n in WIDTHS_MHZ for n in numbers):
                return "BANDWIDTH"
            if every(lambda v: band_of_value(v) is not None):
                return "BAND"
            return None
        if all(_RATE_UNIT.fullmatch(u) or "/" in u for _, u in units):
            return "RATE"
        return None
    if every(lambda v: normal(v).casefold() in YES_NO_WORDS):
        return "ACTIVE"
    if every(lambda v: v.strip() in ("*", "")) and any(v.strip() == "" for v in values):
        return "IN-USE"
    if every(lambda v: _BARS.fullmatch(v) is not None and v.strip() != ""):
        return "BARS"
    if every(lambda v: re.fullmatch(r"AP\[\d+\]", v) is not None):
        return "NAME"  # nmcli's own row label in `-f all`
    if every(lambda v: v.startswith("/org/freedesktop/NetworkManager/")):
        return "DBUS-PATH"
    if every(lambda v: _HEX.fullmatch(v) is not None) and any(re.search(r"[A-Fa-f]", v) for v in vals):
        return "SSID-HEX"
    if every(str.isdigit):
        return "INT"
    if every(is_flags):
        return "FLAGS"
    if every(is_security):
        return "SECURITY"
    return None


def _channel_column(rows: list[list[str]], ints: list[int], freq_idx: int) -> int | None:
    """The integer column whose every value is the channel of the FREQ column's value."""
    for i in ints:
        ok = True
        for r in rows:
            got = number_unit(r[freq_idx])
            if not (got and r[i].isdigit() and freq_to_channel(got[0]) == int(r[i])):
                ok = False
                break
        if ok:
            return i
    return None


def infer_fields(rows: list[list[str]]) -> tuple[str, ...] | None:
    """Guess the field names of terse rows from their values (None when it cannot).

    Each column is named by the shape of its values; among integer columns CHAN is the
    one that agrees with FREQ (or follows MODE or BAND, as in nmcli's field orders),
    SIGNAL another one. The SSID is a column no shape explains, chosen by where nmcli
    puts it: just before SSID-HEX, else just after or before BSSID.
    """
    width = len(rows[0])
    kinds = [_column_kind([r[i] for r in rows]) for i in range(width)]
    names: list[str | None] = list(kinds)
    # In-use column: " " or "*"; a column of only blanks at index 0 is also IN-USE.
    if kinds[0] == "empty":
        names[0] = "IN-USE"
    ints = [i for i, k in enumerate(kinds) if k == "INT"]
    for i in ints:
        names[i] = None
    if ints:
        chan = None
        if "FREQ" in kinds:
            chan = _channel_column(rows, ints, kinds.index("FREQ"))
        for before in ("MODE", "BAND"):
            if chan is None and before in kinds and kinds.index(before) + 1 in ints:
                chan = kinds.index(before) + 1
        if chan is None and len(ints) >= 2:
            chan = ints[0]
        if chan is not None:
            names[chan] = "CHAN"
        rest = [i for i in ints if i != chan]
        if rest:
            names[rest[0]] = "SIGNAL"
    flags = [i for i, k in enumerate(kinds) if k == "FLAGS"]
    for i in flags:
        names[i] = None
    if len(flags) >= 2:
        names[flags[0]], names[flags[1]] = "WPA-FLAGS", "RSN-FLAGS"
    elif flags:
        names[flags[0]] = "RSN-FLAGS"
    counts = Counter(names)
    # A column shape that appears twice is ambiguous except FLAGS (handled above).
    names = [None if n is not None and n != "empty" and counts[n] > 1 else n for n in names]
    if "empty" in names:
        # An all-empty column other than IN-USE is most likely SECURITY of open networks.
        security_free = "SECURITY" not in names
        for i, n in enumerate(names):
            if n == "empty":
                names[i] = "SECURITY" if security_free else None
                security_free = False
    unknown = [i for i, n in enumerate(names) if n is None]
    if "SSID" not in names and unknown:
        bssid_idx = names.index("BSSID") if "BSSID" in names else -2
        hex_idx = names.index("SSID-HEX") if "SSID-HEX" in names else -2
        unknown_set = set(unknown)
        for pick in (hex_idx - 1, bssid_idx + 1, bssid_idx - 1, unknown[0]):
            if pick in unknown_set:
                names[pick] = "SSID"
                break
    if "BSSID" not in names and ("SSID" not in names or ("MODE" not in names and "CHAN" not in names)):
        return None
    return tuple(n or f"?{i}" for i, n in enumerate(names))


def _named_fields(fields: tuple[str, ...], width: int) -> tuple[str, ...] | None:
    """The column names for rows ``width`` wide from a saved field list ("all" and
    "common" resolved by the width: NetworkManager 1.57 added BAND to both)."""
    if len(fields) == 1 and fields[0] in ("ALL", "COMMON"):
        options = (
            (ALL_FIELDS, ALL_FIELDS_BEFORE_1_57) if fields[0] == "ALL" else (DEFAULT_FIELDS, DEFAULT_FIELDS_BEFORE_1_57)
        )
        return next((f for f in options if len(f) == width), None)
    if any(f in ("ALL", "COMMON") for f in fields):
        return None
    return fields


def _parse_terse(lines: list[tuple[int, str]], fields: tuple[str, ...] | None) -> ParsedScan:
    warnings: list[str] = []
    notes = LineNotes("nmcli")
    rows: list[tuple[int, str, list[str]]] = []
    for lineno, line in lines:
        if len(line) > MAX_LINE_CHARS:
            notes.skip(lineno, line, TOO_LONG)
            continue
        parts = split_terse(line)
        # An SSID may contain "$ " or "# ", which makes a row look like a shell prompt;
        # a line with an escaped MAC address among its fields is a row all the same.
        if is_noise_line(line) and not any(normalise_bssid(p) for p in parts):
            if fields is None:
                m = _FIELDS_ARG.search(line)
                if m:
                    fields = tuple(f.strip().upper() for f in m.group(1).split(",") if f.strip())
            notes.skip(lineno, line, NOISE)
            continue
        rows.append((lineno, line, parts))
    if rows:
        widths = Counter(len(r) for _, _, r in rows)
        width = widths.most_common(1)[0][0]
        if fields is not None:
            named = _named_fields(fields, width)
            fields = named
            if named is not None:
                width = len(named)
        good = []
        for n, line, r in rows:
            if len(r) == width:
                good.append((n, line, r))
            else:
                notes.skip(n, line, f"{len(r)} fields where the other rows have {width}")
        rows = good
        if fields is None and rows:
            cols = [[r[i] for _, _, r in rows] for i in range(width)]
            # The default field order only when its shape fits: SSID:BSSID:MODE:CHAN:FREQ:...
            # has as many columns and a MAC in the second one too.
            defaults = next((d for d in (DEFAULT_FIELDS, DEFAULT_FIELDS_BEFORE_1_57) if len(d) == width), None)
            if (
                defaults is not None
                and _column_kind(cols[0]) in ("IN-USE", "empty")
                and _column_kind(cols[1]) == "BSSID"
                and ("BAND" not in defaults or _column_kind(cols[4]) in ("BAND", "empty"))
            ):
                fields = defaults
            else:
                fields = infer_fields([r for _, _, r in rows])
                if fields is None:
                    raise ValueError(
                        "Could not tell which nmcli column is which. Save the scan with "
                        "`nmcli --terse --fields " + ",".join(SCAN_FIELDS) + " device wifi list`."
                    )
                warnings.append("nmcli columns were inferred from their values: " + ",".join(fields))
                if "SSID" not in fields and "SSID-HEX" not in fields:
                    warnings.append("No SSID column: networks are listed by BSSID only.")
    if fields is not None:
        for name in fields:
            if name not in ALL_FIELDS and not name.startswith("?"):
                warnings.append(f"The nmcli field {name} is not one evsurvey knows; its values were not read.")
    if fields is not None and "BSSID" not in fields and rows:
        warnings.append(
            "The scan has no BSSID column, so access points of one network cannot be told apart. "
            "Save it with `nmcli --terse --fields " + ",".join(SCAN_FIELDS) + " device wifi list`."
        )
    out: list[Observation] = []
    names = fields or ()  # None only when no row is left to read
    for n, line, r in rows:
        rec = dict(zip(names, r))
        obs = row_to_observation(rec)
        if obs is None:
            notes.skip(n, line, f"BSSID {rec.get('BSSID', '')!r} is not a MAC address")
            continue
        problem = _signal_problem(rec)
        if problem:
            notes.kept(n, line, problem)
        out.append(obs)
    return ParsedScan("nmcli", tuple(out), tuple(warnings + notes.warnings()))


# -- multiline ------------------------------------------------------------------------------------------------------


def _multiline_name(line: str) -> str | None:
    """The field name of a multiline ``NAME:  value`` line, or None."""
    name, sep, _ = line.partition(":")
    return name if sep and len(name) <= 20 and _ML_NAME.fullmatch(name) else None


def is_multiline(lines: list[tuple[int, str]]) -> bool:
    """True when most (numbered) lines are ``FIELD:`` lines of nmcli's multiline mode (two or more fields)."""
    named = 0
    known: set[str] = set()
    total = 0
    for _, line in lines:
        if len(line) > MAX_LINE_CHARS:
            continue
        total += 1
        name = _multiline_name(line) if ":" in line else None
        if name is not None:
            named += 1
            if name in ALL_FIELDS:
                known.add(name)
    return len(known) >= 2 and 2 * named >= total


def _parse_multiline(lines: list[tuple[int, str]]) -> ParsedScan:
    notes = LineNotes("nmcli")
    warnings: list[str] = []
    records: list[tuple[int, dict[str, str]]] = []
    rec: dict[str, str] = {}
    first_line = 0

    def close() -> None:
        nonlocal rec
        if rec:
            records.append((first_line, rec))
        rec = {}

    for lineno, line in lines:
        s = line.strip()
        if len(line) > MAX_LINE_CHARS:
            notes.skip(lineno, line, TOO_LONG)
            continue
        if len(s) >= 3 and (s == "-" * len(s) or s == "=" * len(s)):
            close()  # --pretty puts a rule after each record
            continue
        name = _multiline_name(line)
        if name is None:
            notes.skip(lineno, line, NOISE if is_noise_line(line) else "not a FIELD: value line")
            continue
        rest = line[len(name) + 1 :]
        if len(line) >= ML_VALUE_COLUMN and not line[len(name) + 1 : ML_VALUE_COLUMN].strip():
            value = line[ML_VALUE_COLUMN:]  # nmcli pads the name to column 40 (not in terse mode)
        elif rest[:1] == " ":
            value = rest.strip()  # re-indented by hand
        else:
            value = rest  # terse: the value right after the colon
        if name in rec:
            close()
        if not rec:
            first_line = lineno
        if name not in ALL_FIELDS:
            msg = f"The nmcli field {name} is not one evsurvey knows; its values were not read."
            if msg not in warnings:
                warnings.append(msg)
        rec[name] = value
    close()
    out: list[Observation] = []
    for lineno, record in records:
        obs = row_to_observation(record)
        if obs is None:
            notes.skip(lineno, f"BSSID: {record.get('BSSID', '')}", "not a MAC address")
            continue
        problem = _signal_problem(record)
        if problem:
            notes.kept(lineno, f"SIGNAL: {record.get('SIGNAL')}", problem)
        out.append(obs)
    if records and not any("BSSID" in r for _, r in records):
        warnings.append(
            "The scan has no BSSID field, so access points of one network cannot be told apart. "
            "Save it with `nmcli --terse --fields " + ",".join(SCAN_FIELDS) + " device wifi list`."
        )
    return ParsedScan("nmcli", tuple(out), tuple(warnings + notes.warnings()))


def parse(text: str, fields: tuple[str, ...] | None = None) -> ParsedScan:
    """Observations of ``nmcli device wifi list`` output in any layout.

    ``fields`` names the columns of terse rows (the live backend's field list); without it
    the layout is recognised (a table header, ``FIELD:`` lines, else terse rows) and terse
    columns are read from a saved command line or inferred from the values.
    """
    lines = numbered_lines(text)
    if fields is None and nmcli_table.find_header(lines) is not None:
        return nmcli_table.parse(lines)
    if fields is None and is_multiline(lines):
        return _parse_multiline(lines)
    return _parse_terse(lines, None if fields is None else tuple(f.upper() for f in fields))
