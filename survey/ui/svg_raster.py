"""Drawing a cleaned SVG plan into pixels with Qt (run inside the plan-reader process).

:func:`rasterize_svg` gets an SVG that :func:`survey.project.floorplan_import.sanitize_svg`
has already bounded and stripped of every external reference; it only draws it. It runs in
the child process of :mod:`survey.project.plan_worker`, which has no QGuiApplication: one
is made there on the offscreen platform (text needs the font database).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from survey.project import floorplan_import as fi
from survey.project import images

_app = None


def _ensure_gui_application() -> None:
    global _app
    if QGuiApplication.instance() is not None:
        return
    if multiprocessing.parent_process() is None:
        raise RuntimeError("rasterize_svg needs a QGuiApplication (it makes one only in the plan-reader process)")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # this child process only: no window is shown
    _app = QGuiApplication(["evsurvey-plan-reader"])


def png_bytes(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's QtGui.pyi types QImage.save's format as bytes; the binding takes str (and refuses b"PNG").
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(array.data())


def rasterize_svg(clean: fi.CleanSvg, name: str) -> fi.PlanImage:
    """The SVG drawn on white so that its longer side is :data:`~fi.SVG_LONG_SIDE_PX` pixels."""
    _ensure_gui_application()
    renderer = QSvgRenderer(QByteArray(clean.svg))
    if not renderer.isValid():
        raise fi.FloorplanImportError(f"{name} is not a valid SVG drawing. Export it again or use a PNG.")
    default = renderer.defaultSize()
    w, h = max(default.width(), 1), max(default.height(), 1)
    factor = fi.SVG_LONG_SIDE_PX / max(w, h)
    w_px, h_px = max(1, round(w * factor)), max(1, round(h * factor))
    images.check_image_size(w_px, h_px, name)
    image = QImage(w_px, h_px, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return fi.PlanImage(
        png_bytes(image), "png", w_px, h_px, fi.provisional_metres_per_px(w_px, h_px), Path(name).name, clean.note
    )
