"""The paragraphs, cells and headings the sections are written with.

Every string that comes from the project or from the air (customer, labels, SSIDs, notes)
passes through :func:`~survey.report.fonts.safe_markup`; the markup written in the sections
around it is our own.
"""

from __future__ import annotations

import numpy as np
from reportlab.platypus import Paragraph

from survey.project.units import format_dbm
from survey.report.fonts import safe_markup
from survey.report.styles import styles


def para(text: str, style: str = "body") -> Paragraph:
    """Trusted text (written here), still escaped so '<' or '&' in numbers cannot break markup."""
    return Paragraph(safe_markup(text), styles()[style])


def markup_para(markup: str, style: str = "body") -> Paragraph:
    """Markup built here from trusted pieces and :func:`safe_markup` of untrusted ones."""
    return Paragraph(markup, styles()[style])


def cell(text: str, bold: bool = False) -> Paragraph:
    return Paragraph(safe_markup(text), styles()["cell_bold" if bold else "cell"])


def heading(text: str, key: str, style: str = "h1") -> Paragraph:
    """A section heading (trusted text) that the document records and bookmarks
    (:class:`survey.report.builder._Doc` reads ``_section_key``)."""
    p = Paragraph(safe_markup(text), styles()[style])
    p._section_key = key
    p._section_title = text
    return p


def fmt_dbm(value: float | None) -> str:
    return "–" if value is None or not np.isfinite(value) else format_dbm(value)


def fmt_error(error_db: float | None) -> str:
    return "–" if error_db is None else f"{error_db:.1f} dB"
