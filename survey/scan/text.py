"""SSID bytes and the escaping schemes of the scan tools.

An SSID is 0-32 arbitrary bytes (IEEE 802.11-2020 9.4.2.2); most are UTF-8, some are
Latin-1 or GBK, a few are binary. Each tool escapes them its own way; these functions
undo that to get the bytes back, then :func:`decode_ssid` makes text for people.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_HEX = "0123456789abcdefABCDEF"


def decode_ssid(raw: bytes | None) -> str:
    """Text for an SSID's bytes: UTF-8 when valid, else Latin-1 (every byte maps, never fails).

    Hidden networks broadcast an empty SSID or one made of NUL bytes: both give ``""``.
    """
    if not raw or raw.strip(b"\x00") == b"":
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Latin-1 is the one single-byte decoding that accepts every byte, so a non-UTF-8
        # SSID still shows something stable and the raw bytes stay in ssid_raw.
        return raw.decode("latin-1")


def unescape_iw(text: str) -> bytes:
    """Bytes of an SSID as printed by ``iw`` (``print_ssid_escaped`` in iw's util.c).

    iw prints printable ASCII as is and everything else, including ``\\`` and leading or
    trailing spaces, as ``\\xNN``. Characters above ASCII (a tool that re-encoded the text)
    are taken as UTF-8. A backslash not followed by ``xNN`` is kept literally.
    """
    out = bytearray()
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 3 < n and text[i + 1] == "x" and text[i + 2] in _HEX and text[i + 3] in _HEX:
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
            continue
        if ch == "\\" and i + 1 < n and text[i + 1] == "\\":
            out.append(0x5C)
            i += 2
            continue
        out += ch.encode("utf-8", errors="surrogateescape")
        i += 1
    return bytes(out)


_WPA_SIMPLE = {'"': 0x22, "\\": 0x5C, "n": 0x0A, "r": 0x0D, "t": 0x09, "e": 0x1B}


def unescape_wpa(text: str) -> bytes:
    """Bytes of an SSID as printed by wpa_supplicant (``printf_encode`` in its utils/common.c).

    It escapes ``"`` and ``\\`` with a backslash, ``\\n \\r \\t \\e`` by name and every other
    byte outside 32..126 as ``\\xNN``. Unknown escapes are kept literally.
    """
    out = bytearray()
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt in _WPA_SIMPLE:
                out.append(_WPA_SIMPLE[nxt])
                i += 2
                continue
            if nxt == "x" and i + 3 < n and text[i + 2] in _HEX and text[i + 3] in _HEX:
                out.append(int(text[i + 2 : i + 4], 16))
                i += 4
                continue
        out += ch.encode("utf-8", errors="surrogateescape")
        i += 1
    return bytes(out)


def escape_wpa(raw: bytes) -> str:
    """The inverse of :func:`unescape_wpa` (wpa_supplicant's ``printf_encode``); used by test fakes."""
    named = {byte: "\\" + letter for letter, byte in _WPA_SIMPLE.items()}
    parts = []
    for b in raw:
        if b in named:
            parts.append(named[b])
        elif 32 <= b <= 126:
            parts.append(chr(b))
        else:
            parts.append(f"\\x{b:02x}")
    return "".join(parts)


def escape_iw(raw: bytes) -> str:
    """The inverse of :func:`unescape_iw` (iw's ``print_ssid_escaped``); used by test fakes."""
    parts = []
    last = len(raw) - 1
    for i, b in enumerate(raw):
        if 32 < b <= 126 and b != 0x5C:
            parts.append(chr(b))
        elif b == 0x20 and 0 < i < last:
            parts.append(" ")
        else:
            parts.append(f"\\x{b:02x}")
    return "".join(parts)


def split_terse(line: str, sep: str = ":") -> list[str]:
    """Split one line of ``nmcli --terse`` output into unescaped fields.

    With ``--escape yes`` (the default) nmcli writes ``\\:`` for a literal colon and
    ``\\\\`` for a literal backslash inside a value; an unescaped ``:`` separates fields.
    A backslash before any other character is kept as it is (nmcli never writes that).
    Read in runs of ordinary characters, not character by character.
    """
    if "\\" not in line:
        return line.split(sep)
    fields: list[str] = []
    cur: list[str] = []
    for m in _terse_tokens(sep).finditer(line):
        token = m.group()
        if token == sep:
            fields.append("".join(cur))
            cur = []
        elif len(token) == 2 and token[0] == "\\":
            cur.append(token[1])
        else:
            cur.append(token)
    fields.append("".join(cur))
    return fields


@functools.lru_cache(maxsize=4)
def _terse_tokens(sep: str) -> re.Pattern:
    """An escape (backslash + separator or backslash), a separator, or a run of other characters."""
    s = re.escape(sep)
    return re.compile(rf"\\[\\{s}]|{s}|[^\\{s}]+|\\")


def join_terse(fields: list[str], sep: str = ":") -> str:
    """The inverse of :func:`split_terse` (how nmcli escapes); used by tests and fakes."""
    return sep.join(f.replace("\\", "\\\\").replace(sep, "\\" + sep) for f in fields)


_MAC = re.compile(r"^([0-9A-Fa-f]{1,2})([:-][0-9A-Fa-f]{1,2}){5}$")
_CANONICAL_MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")


def normalise_bssid(text: str) -> str | None:
    """``aa:bb:cc:dd:ee:ff`` for a MAC written with ``:`` or ``-``, 1 or 2 digits per octet.

    Returns None when ``text`` is not a MAC. A trailing ``:`` (pywifi on Windows) is dropped.
    """
    text = text.strip().rstrip(":")
    if len(text) == 17 and _CANONICAL_MAC.fullmatch(text.lower()):
        return text.lower()
    if not _MAC.match(text):
        return None
    return ":".join(f"{int(p, 16):02x}" for p in re.split(r"[:-]", text))


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: 2 for East Asian wide/fullwidth, 0 for combining
    marks and format characters, else 1 (what nmcli's width count does with GLib's
    g_unichar_iswide / g_unichar_iszerowidth)."""
    cells = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Me", "Cf"):
            continue
        cells += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return cells


def fit_cells(text: str, width: int) -> str:
    """``text`` cut (with "…") or padded with spaces to exactly ``width`` terminal cells,
    so a column after a CJK or emoji SSID stays in line. One pass over the characters
    that fit: linear however long ``text`` is."""
    cells = 0
    for i, ch in enumerate(text):
        w = cell_width(ch)
        if cells + w > width:
            # Too long: keep what fits in width - 1 cells, then the ellipsis.
            kept, used = [], 0
            for c in text[:i]:
                cw = cell_width(c)
                if used + cw > width - 1:
                    break
                kept.append(c)
                used += cw
            return "".join(kept) + "…" + " " * (width - 1 - used)
        cells += w
    return text + " " * (width - cells)
