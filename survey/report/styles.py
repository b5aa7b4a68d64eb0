"""Paragraph and table styles of the report (all in the embedded fonts)."""

from __future__ import annotations

import functools

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from survey.report.colormap import VERDICT_COLOURS
from survey.report.fonts import BODY_FONT, BOLD_FONT, register_fonts

ACCENT = colors.HexColor("#1f4e9c")
MUTED = colors.HexColor("#555555")
#: The verdict badge colours, defined once in survey.report.colormap (shared with the GUI).
STATUS_COLOURS = {status: colors.HexColor(hex_rgb) for status, hex_rgb in VERDICT_COLOURS.items()}


@functools.lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=BODY_FONT, bulletFontName=BODY_FONT, fontSize=9.5, leading=13, spaceAfter=4)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=BOLD_FONT, fontSize=8, leading=10, spaceAfter=0),
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD_FONT, fontSize=24, leading=30, textColor=ACCENT, spaceAfter=12
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=15,
            leading=19,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD_FONT, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "verdict": ParagraphStyle(
            "verdict", parent=body, fontName=BOLD_FONT, fontSize=13, leading=17, textColor=colors.white
        ),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=2),
    }


def table_style(header: bool = True, zebra: bool = True) -> TableStyle:
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), BODY_FONT),  # the cell default is Helvetica, never embedded
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f6f6")]))
    return TableStyle(commands)
