"""Which characters the window can draw, asked of Qt's own font fallback.

An SSID is chosen by whoever is in radio range; one with an emoji or a rare script that no
installed font has would show as an empty box (tofu), and two such networks would look
alike. The display rule (:mod:`survey.project.display`) shows a character it cannot draw as
its escape (``\\U0001f697``), as the PDF does for its fonts. Whether the screen can draw a
character depends on the fonts installed (Windows and macOS ship colour emoji, a minimal
Linux may have none), so it is asked of Qt: lay the character out with the application
font and see whether any glyph of the runs is the missing glyph (index 0, ``.notdef``),
after Qt has tried every fallback font. One answer per character, remembered.

The fonts the PDF embeds (assets/fonts: DejaVu Sans, Droid Sans Fallback for CJK) are
added to the window's fonts too (~10 ms), so the window draws at least what the report
draws, on any machine.
"""

from __future__ import annotations

import functools
import logging
import threading

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextLayout

from survey.paths import asset
from survey.project import display

log = logging.getLogger(__name__)

#: The PDF's fonts (survey.report.fonts), added to the window's.
BUNDLED_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallback.ttf")

_lock = threading.Lock()  # the live map's worker formats texts too


@functools.lru_cache(maxsize=16384)
def _drawable(ch: str, family: str) -> bool:
    with _lock:
        layout = QTextLayout(ch, QFont(family) if family else QGuiApplication.font())
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        runs = layout.glyphRuns()
    return bool(runs) and all(index != 0 for run in runs for index in run.glyphIndexes())


def can_draw(ch: str) -> bool:
    """Whether the window's font (or a fallback Qt finds for it) has a glyph for ``ch``."""
    if " " <= ch < "\x7f":
        return True
    return _drawable(ch, QGuiApplication.font().family())


_installed = False


def install() -> None:
    """Add the bundled fonts (once); from now on the display rule escapes what this screen
    cannot draw (call when the QGuiApplication exists)."""
    global _installed
    if not _installed:
        _installed = True
        for name in BUNDLED_FONTS:
            if QFontDatabase.addApplicationFont(str(asset("fonts", name))) < 0:
                log.info("font %s could not be added; characters only it has show as escapes", name)
        _drawable.cache_clear()
    display.set_surface_can_show(can_draw)
