"""The one rule that turns untrusted text (SSIDs, project fields) into text for people.

Anyone within radio range chooses the SSIDs evsurvey shows, and project files are mailed
around. A character that draws nothing or reorders what follows (controls, bidi
overrides, zero-width and tag characters, non-ASCII spaces) could make a neighbour's
network look exactly like the customer's, so every surface — the CLI table, ``evsurvey
info``, the GUI tables, chart and window title, the PDF — shows such characters as
visible escapes (``\\u202e``) through :func:`escape_text`. JSON output keeps the exact
text (and ``ssid_hex`` the bytes); only what people read is escaped.

The escaping is injective: two different strings never give the same text. Escapes are
``\\xNN`` for ASCII controls and for bytes that are not UTF-8 (an SSID is bytes; those
show as the byte, ``\\xff``), ``\\uNNNN`` / ``\\UNNNNNNNN`` for every other escaped
character (so the C1 control U+0085 shows as ``\\u0085``, never as the byte ``\\x85``).
A literal backslash is doubled only where it would otherwise start something that reads
as an escape, so ``C:\\plans`` stays as it is while an SSID spelled ``Home\\u200b``
shows as ``Home\\\\u200b``, unlike ``Home`` followed by a real U+200B. Apply the rule
once per surface: escaping escaped text doubles those backslashes.

Which characters: the general categories Cc (controls), Cf (format: bidi controls,
zero-width characters, U+061C, U+2060, U+FEFF, the tag characters U+E0000-E007F), Cs
(lone surrogates), Co (private use), Cn (unassigned), Zl/Zp (line and paragraph
separators), every space but U+0020 (Zs), and the other characters Unicode lists as
Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1: U+034F, U+115F,
U+1160, U+17B4, U+17B5, U+180B-U+180F, U+3164, U+FE00-U+FE0F, U+FFA0, U+E0100-U+E01EF),
plus U+2800 (BRAILLE PATTERN BLANK, which draws nothing). Spaces that begin or end an
SSID are shown as ``\\x20`` (:func:`escape_ssid`): "Home " and "Home" must not look
alike in a table cell; in project fields and prose they are left alone.
ZWJ/ZWNJ are escaped too (they are Cf): an emoji sequence then shows its joiners,
which is the price of never showing two look-alike names.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

#: How every surface names a network that broadcasts no SSID.
HIDDEN_SSID = "(hidden network)"

_ESCAPED_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
# Default_Ignorable_Code_Point characters outside those categories (DerivedCoreProperties.txt,
# Unicode 15.1), as ranges of code points, and U+2800 which renders blank.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
_HEX = frozenset("0123456789abcdefABCDEF")
#: A backslash followed by one of these and that many hex digits reads as an escape.
_ESCAPE_DIGITS = {"x": 2, "u": 4, "U": 8}


@functools.lru_cache(maxsize=4096)  # a text repeats few distinct characters
def is_invisible(ch: str) -> bool:
    """True for a character the display rule shows as an escape (see the module docstring)."""
    if " " <= ch < "\x7f":
        return False
    category = unicodedata.category(ch)
    if category in _ESCAPED_CATEGORIES or category == "Zs":
        return True
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


def escape_char(ch: str) -> str:
    """The visible escape of one character: ``\\x1b``, ``\\xff`` for an undecodable byte kept
    as a lone surrogate (``surrogateescape``), ``\\u202e``, ``\\U000e0041``."""
    cp = ord(ch)
    if cp < 0x80:
        return f"\\x{cp:02x}"
    if 0xDC80 <= cp <= 0xDCFF:
        return f"\\x{cp - 0xDC00:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _reads_as_escape(text: str, i: int) -> bool:
    """True when ``text[i:]`` starts like the tail of an escape (``x41``, ``u202e``, ``\\``)."""
    if i >= len(text):
        return False
    if text[i] == "\\":
        return True
    digits = _ESCAPE_DIGITS.get(text[i])
    if digits is None:
        return False
    tail = text[i + 1 : i + 1 + digits]
    return len(tail) == digits and all(c in _HEX for c in tail)


def escape_pieces(text: str, *, can_show: Callable[[str], bool] | None = None, edge_spaces: bool = False) -> list[str]:
    """What the display rule shows for each character of ``text``, one piece per character
    (``"".join`` of them is :func:`escape_text`, or :func:`escape_ssid`'s text with
    ``edge_spaces``): lets a surface measure the shown text and cut it between characters
    of the original."""
    n = len(text)
    lead = trail = 0
    if edge_spaces:
        lead = n - len(text.lstrip(" "))
        trail = n - len(text.rstrip(" ")) if lead < n else 0

    if can_show is None:
        can_show = _surface_can_show

    def escaped(i: int) -> bool:
        ch = text[i]
        if ch == " ":
            return i < lead or i >= n - trail
        return is_invisible(ch) or (can_show is not None and not can_show(ch))

    out: list[str] = []
    for i, ch in enumerate(text):
        if escaped(i):
            out.append(escape_char(ch))
        elif ch == "\\" and (_reads_as_escape(text, i + 1) or (i + 1 < n and escaped(i + 1))):
            out.append("\\\\")
        else:
            out.append(ch)
    return out


#: What this process's screen can draw, when it is not every character: set once by the
#: window (survey.ui.glyphs), which asks Qt's own font fallback; None on a terminal. A
#: ``can_show`` given to a call (the PDF's fonts) takes its place.
_surface_can_show: Callable[[str], bool] | None = None


def set_surface_can_show(can_show: Callable[[str], bool] | None) -> None:
    """Make ``can_show`` the default of every call of the rule in this process (see above)."""
    global _surface_can_show
    _surface_can_show = can_show


def escape_text(text: str, *, can_show: Callable[[str], bool] | None = None) -> str:
    """``text`` with every invisible or reordering character shown as an escape.

    ``can_show(ch)`` says whether the surface can draw ``ch`` (the PDF's fonts lack emoji);
    characters it cannot draw are escaped too, so they show as ``\\U0001f4f6`` rather than
    as an empty box. Linear in ``len(text)``. For project fields and other prose; SSIDs
    go through :func:`escape_ssid`.
    """
    return "".join(escape_pieces(text, can_show=can_show))


def escape_ssid(text: str, *, can_show: Callable[[str], bool] | None = None) -> str:
    """:func:`escape_text` for an SSID's text: spaces that begin or end it are escaped too
    ("Home " must not pass for "Home"), and a network spelled like :data:`HIDDEN_SSID`
    shows its first character escaped, so it cannot pass for a hidden one."""
    return "".join(ssid_pieces(text, can_show=can_show))


def ssid_pieces(text: str, *, can_show: Callable[[str], bool] | None = None) -> list[str]:
    """:func:`escape_pieces` of an SSID's text by :func:`escape_ssid`'s rule."""
    pieces = escape_pieces(text, can_show=can_show, edge_spaces=True)
    if "".join(pieces) == HIDDEN_SSID:
        pieces[0] = escape_char(pieces[0])
    return pieces


def ssid_text(ssid: str, ssid_raw: bytes | None = None) -> str:
    """The SSID as text with the bytes that are not UTF-8 kept as lone surrogates.

    A scanner that gives bytes (iw, wpa_cli, nmcli's SSID-HEX) may give an SSID that is
    not UTF-8; :func:`survey.scan.text.decode_ssid` stores it as Latin-1 text, which would
    make ``b"Caf\\xe9"`` look like the UTF-8 ``"Café"``. From the bytes, the escape of
    such a byte is ``\\xe9``. Text that came without bytes is returned as it is.
    """
    if ssid_raw:
        try:
            return ssid_raw.decode("utf-8")
        except UnicodeDecodeError:
            return ssid_raw.decode("utf-8", errors="surrogateescape")
    return ssid


def display_ssid(ssid: str, ssid_raw: bytes | None = None, *, can_show: Callable[[str], bool] | None = None) -> str:
    """An SSID for people: :data:`HIDDEN_SSID` when hidden, else :func:`escape_ssid` of
    :func:`ssid_text`."""
    text = ssid_text(ssid, ssid_raw)
    if text.strip("\x00") == "":
        return HIDDEN_SSID
    return escape_ssid(text, can_show=can_show)


class SsidText(str):
    """An SSID's text (:func:`ssid_text`) handed to a surface that escapes what it draws
    itself (the PDF's fonts know which glyphs they have): it is shown by
    :func:`escape_ssid`, with tabs and line breaks escaped, not turned into spaces as in
    prose."""


#: How an imported saved scan names its source in ``ScanResult.backend``:
#: ``file:iw (garage-scan.txt)``. Live scans name their backend ("nmcli", "iw", ...).
IMPORTED_PREFIX = "file:"


def imported_backend(fmt: str, file_name: str) -> str:
    """The ``backend`` of a scan read from a saved file: ``file:FORMAT (FILE NAME)``."""
    return f"{IMPORTED_PREFIX}{fmt} ({file_name})"


def is_imported(backend: str) -> bool:
    """True when a scan's ``backend`` says it was read from a saved file."""
    return backend.startswith(IMPORTED_PREFIX)
