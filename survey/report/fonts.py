"""The fonts embedded in the PDF and safe, per-character font fallback for untrusted text.

Two TrueType fonts ship in ``assets/fonts`` (licences beside them):

* DejaVu Sans (Bitstream Vera licence): Latin, Greek, Cyrillic, Arabic, Hebrew, symbols;
  the body font. Bold is DejaVu Sans Bold.
* Droid Sans Fallback (Apache 2.0): CJK ideographs, Hiragana/Katakana, Hangul; used
  run-by-run for characters DejaVu lacks.

reportlab embeds (subsets of) TrueType fonts in the PDF, so the report renders the same on
every viewer. Characters neither font covers (emoji, rare scripts) become U+FFFD, which
DejaVu draws as the visible replacement glyph, instead of an empty box or an exception.

SSIDs and every other text a user or a neighbour can type are *untrusted*: they are
cleaned (control characters, lone surrogates from undecodable bytes) and XML-escaped here
before they reach a reportlab ``Paragraph``, so ``<font size=80>`` in an SSID is printed as
those characters.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from survey.paths import asset

log = logging.getLogger(__name__)

BODY_FONT = "EvSurveySans"
BOLD_FONT = "EvSurveySans-Bold"
CJK_FONT = "EvSurveyCJK"
REPLACEMENT_CHAR = "\ufffd"
ELLIPSIS = "…"

#: Longest text one field (customer, address, notes, a label...) puts into the report, in
#: characters after cleaning; longer text is cut with an ellipsis. 2,000 characters of the
#: widest script (CJK) in an 8 pt table cell are ~50 lines, ~500 pt: a cover-table row stays
#: shorter than a page (a row taller than the frame is a reportlab LayoutError), and no real
#: customer name or note comes near it.
MAX_FIELD_CHARS = 2000

_FONT_FILES = {
    BODY_FONT: "DejaVuSans.ttf",
    BOLD_FONT: "DejaVuSans-Bold.ttf",
    CJK_FONT: "DroidSansFallback.ttf",
}


class FontMissingError(Exception):
    """Raised when the bundled fonts are not where the package expects them."""


@functools.lru_cache(maxsize=1)
def register_fonts() -> dict[str, frozenset[int]]:
    """Register the bundled fonts with reportlab once per process.

    Returns the code points each font covers (used to choose a font per character).
    """
    coverage: dict[str, frozenset[int]] = {}
    for name, filename in _FONT_FILES.items():
        path = asset("fonts", filename)
        if not path.is_file():
            raise FontMissingError(f"the report font {path} is missing; reinstall evsurvey")
        font = TTFont(name, str(path))
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    # <b> inside paragraphs maps to the bold face; the CJK font has no bold, so bold CJK
    # stays regular rather than failing.
    addMapping(BODY_FONT, 0, 0, BODY_FONT)
    addMapping(BODY_FONT, 1, 0, BOLD_FONT)
    addMapping(BODY_FONT, 0, 1, BODY_FONT)
    addMapping(BODY_FONT, 1, 1, BOLD_FONT)
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(CJK_FONT, bold, italic, CJK_FONT)
    return coverage


def clean_text(text: object) -> str:
    """Untrusted text made printable: str() of it, lone surrogates and control characters
    replaced, line breaks and tabs turned into spaces.

    Lone surrogates appear when an SSID's bytes were decoded with ``surrogateescape``; they
    cannot be encoded into a PDF, so they become U+FFFD.
    """
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = str(text)
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\r\n\v\f":
            out.append(" ")
        elif category == "Cs":
            out.append(REPLACEMENT_CHAR)
        elif category == "Cc":
            continue
        elif category == "Cf" and ch not in "\u200d\u200c":
            # format characters (bidi overrides, zero-width spaces) can reorder or hide
            # text in the printed report; ZWJ/ZWNJ are kept because scripts need them.
            continue
        else:
            out.append(ch)
    return "".join(out)


def bounded_text(text: object, max_chars: int = MAX_FIELD_CHARS) -> str:
    """:func:`clean_text` of at most ``max_chars`` characters, an ellipsis marking a cut.

    Only the first ``max_chars + 1`` characters are cleaned, so a megabyte of text costs no
    more than a short one.
    """
    raw = text if isinstance(text, str) else clean_text(text)
    cleaned = clean_text(raw[: max_chars + 1])
    if len(raw) > max_chars or len(cleaned) > max_chars:
        return cleaned[:max_chars] + ELLIPSIS
    return cleaned


@dataclass(frozen=True)
class TextRun:
    """A stretch of text drawn in one font."""

    font: str
    text: str


def font_runs(text: object, *, bold: bool = False) -> tuple[TextRun, ...]:
    """Split cleaned, length-bounded text (:func:`bounded_text`) into runs by the font that
    has each character.

    Characters no bundled font covers are replaced by U+FFFD (drawn by DejaVu).
    """
    return _runs(bounded_text(text), bold)


def _runs(cleaned: str, bold: bool) -> tuple[TextRun, ...]:
    """Runs of already cleaned text: one character of ``cleaned`` per character of the runs."""
    coverage = register_fonts()
    primary = BOLD_FONT if bold else BODY_FONT
    primary_cov = coverage[primary]
    cjk_cov = coverage[CJK_FONT]
    runs: list[TextRun] = []
    current_font = None
    buf: list[str] = []
    for ch in cleaned:
        cp = ord(ch)
        if cp > 0xFFFF:
            # reportlab 4 writes a malformed ToUnicode entry for characters beyond the Basic
            # Multilingual Plane (odd-length hex), so viewers could not copy or search them;
            # DejaVu's few astral glyphs (some emoji) are therefore not used.
            font, ch = primary, REPLACEMENT_CHAR
        elif cp in primary_cov or ch == " ":
            font = primary
        elif cp in cjk_cov:
            font = CJK_FONT
        else:
            font, ch = primary, REPLACEMENT_CHAR
        if font != current_font and buf:
            runs.append(TextRun(current_font, "".join(buf)))
            buf = []
        current_font = font
        buf.append(ch)
    if buf:
        runs.append(TextRun(current_font, "".join(buf)))
    return tuple(runs)


def safe_markup(text: object, *, bold: bool = False) -> str:
    """Paragraph markup that prints ``text`` literally, with CJK runs in the CJK font.

    Use this for every piece of untrusted text put into a Paragraph.
    """
    parts = []
    for run in font_runs(text, bold=bold):
        escaped = escape(run.text)
        if run.font == CJK_FONT:
            parts.append(f'<font name="{CJK_FONT}">{escaped}</font>')
        else:
            parts.append(escaped)
    return "".join(parts)


def string_width(text: object, size: float, *, bold: bool = False) -> float:
    """Width in points of ``text`` drawn with :func:`draw_string`."""
    return sum(pdfmetrics.stringWidth(r.text, r.font, size) for r in font_runs(text, bold=bold))


def draw_string(canvas, x: float, y: float, text: object, size: float, *, bold: bool = False,
                anchor: str = "start") -> float:
    """Draw untrusted text on a reportlab canvas run by run; returns the width drawn.

    ``anchor`` is "start", "middle" or "end" like SVG's text-anchor.
    """
    runs = font_runs(text, bold=bold)
    width = sum(pdfmetrics.stringWidth(r.text, r.font, size) for r in runs)
    if anchor == "middle":
        x -= width / 2
    elif anchor == "end":
        x -= width
    for run in runs:
        canvas.setFont(run.font, size)
        canvas.drawString(x, y, run.text)
        x += pdfmetrics.stringWidth(run.text, run.font, size)
    return width


def truncate(text: object, size: float, max_width_pt: float, *, bold: bool = False) -> str:
    """Cleaned text shortened with an ellipsis to fit ``max_width_pt``.

    Linear in the text: each character's width is measured once and the cut found on the
    running sum (reportlab's TrueType widths are per glyph, without kerning, so the width of a
    prefix is the sum of its characters' widths).
    """
    cleaned = bounded_text(text)
    widths = [pdfmetrics.stringWidth(ch, run.font, size) for run in _runs(cleaned, bold) for ch in run.text]
    running = list(itertools.accumulate(widths))
    if not running or running[-1] <= max_width_pt:
        return cleaned
    room = max_width_pt - pdfmetrics.stringWidth(ELLIPSIS, BOLD_FONT if bold else BODY_FONT, size)
    return cleaned[: bisect.bisect_right(running, room)] + ELLIPSIS
