"""The fonts embedded in the PDF and safe, per-character font fallback for untrusted text.

Two TrueType fonts ship in ``assets/fonts`` (licences beside them):

* DejaVu Sans (Bitstream Vera licence): Latin, Greek, Cyrillic, Arabic, Hebrew, symbols;
  the body font. Bold is DejaVu Sans Bold.
* Droid Sans Fallback (Apache 2.0): CJK ideographs, Hiragana/Katakana, Hangul; used
  run-by-run for characters DejaVu lacks.

reportlab embeds (subsets of) TrueType fonts in the PDF, so the report renders the same on
every viewer. Characters neither font covers (emoji, rare scripts) are printed as their
escape (``\\U0001f4f6``), as are control, format, bidi and invisible characters: the one
display rule of :mod:`survey.project.display`, so two networks that differ only in such
characters never look alike, and nothing is silently dropped or drawn as an empty box.

SSIDs and every other text a user or a neighbour can type are *untrusted*: they are
cleaned here (that rule, once) and XML-escaped before they reach a reportlab
``Paragraph``, so ``<font size=80>`` in an SSID is printed as those characters.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from survey.paths import asset
from survey.project.display import SsidText, escape_pieces, ssid_pieces

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

# Line breaks and tabs in prose (notes, addresses) are printed as spaces.
_WHITESPACE_TO_SPACE = str.maketrans("\t\r\n\v\f", "     ")

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


@functools.lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """Code points the PDF can draw: those both body faces and the CJK font cover, in the
    Basic Multilingual Plane (see :func:`font_runs` on astral characters)."""
    coverage = register_fonts()
    both = coverage[BODY_FONT] & coverage[BOLD_FONT]
    return frozenset(cp for cp in both | coverage[CJK_FONT] if cp <= 0xFFFF)


def _can_draw(ch: str) -> bool:
    return ch == " " or ord(ch) in _drawable()


def _shown_pieces(text: object) -> tuple[str, list[str]]:
    """(the text as a string, what the PDF shows for each of its characters)."""
    if text is None:
        return "", []
    if isinstance(text, SsidText):
        return text, ssid_pieces(text, can_show=_can_draw)
    raw = text.decode("utf-8", errors="surrogateescape") if isinstance(text, bytes) else str(text)
    return raw, escape_pieces(raw.translate(_WHITESPACE_TO_SPACE), can_show=_can_draw)


def clean_text(text: object) -> str:
    """Untrusted text made printable by the one display rule (:mod:`survey.project.display`):
    control, format, bidi and invisible characters and characters no bundled font has are
    shown as escapes (``\\u202e``, ``\\U0001f4f6``); undecodable bytes as ``\\xff``. In prose
    line breaks and tabs become spaces; an :class:`~survey.project.display.SsidText` is
    shown exactly (its tabs and line breaks escaped too). The rule is applied once: text
    cleaned here must not be cleaned again (its backslashes would double).
    """
    return "".join(_shown_pieces(text)[1])


def bounded_text(text: object, max_chars: int = MAX_FIELD_CHARS) -> str:
    """:func:`clean_text` of at most ``max_chars`` characters, an ellipsis marking a cut.

    Only the first ``max_chars + 1`` characters are cleaned, so a megabyte of text costs no
    more than a short one.
    """
    if text is None:
        return ""
    raw = text.decode("utf-8", errors="surrogateescape") if isinstance(text, bytes) else str(text)
    head = raw[: max_chars + 1]
    cleaned = clean_text(SsidText(head) if isinstance(text, SsidText) else head)  # an SSID stays an SSID
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

    :func:`clean_text` has already escaped every character the fonts cannot draw; U+FFFD
    stays the fallback should a face still lack one.
    """
    return _runs(bounded_text(text), bold)


def _runs(cleaned: str, bold: bool) -> tuple[TextRun, ...]:
    """Runs of already cleaned text: one character of ``cleaned`` per character of the runs."""
    coverage = register_fonts()
    primary = BOLD_FONT if bold else BODY_FONT
    primary_cov = coverage[primary]
    cjk_cov = coverage[CJK_FONT]
    runs: list[TextRun] = []
    current_font = primary  # replaced by the first character's font before any run is written
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


def _width(cleaned: str, size: float, bold: bool) -> float:
    return sum(pdfmetrics.stringWidth(r.text, r.font, size) for r in _runs(cleaned, bold))


def string_width(text: object, size: float, *, bold: bool = False) -> float:
    """Width in points of ``text`` drawn with :func:`draw_string`."""
    return _width(clean_text(text), size, bold)


def draw_string(
    canvas, x: float, y: float, text: object, size: float, *, bold: bool = False, anchor: str = "start"
) -> float:
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
    """``text`` shortened with an ellipsis so that, drawn with :func:`draw_string`, it fits
    ``max_width_pt``. The result is still untrusted text (an SSID stays an SsidText): draw
    it with :func:`draw_string` or :func:`safe_markup`, which clean it, once. Linear: each
    character's shown form is measured once and the cut made on the running sum
    (reportlab's TrueType widths are per glyph, without kerning).
    """
    head = text
    if isinstance(text, (str, bytes)) and len(text) > MAX_FIELD_CHARS:
        # Beyond the longest field the report prints nothing is measured: a megabyte costs
        # what 2,000 characters cost.
        head = SsidText(text[:MAX_FIELD_CHARS]) if isinstance(text, SsidText) else text[:MAX_FIELD_CHARS]
    raw, pieces = _shown_pieces(head)
    widths = [_width(piece, size, bold) for piece in pieces]
    if head is text and sum(widths) <= max_width_pt:
        return raw
    room = max_width_pt - _width(ELLIPSIS, size, bold)
    used = 0.0
    keep = 0
    for w in widths:
        if used + w > room:
            break
        used += w
        keep += 1
    cut = raw[:keep] + ELLIPSIS
    return SsidText(cut) if isinstance(text, SsidText) else cut
