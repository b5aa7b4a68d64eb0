"""The Site menu: import a floorplan (image, PDF, DXF), build a garage, rotate, opacity.

Decoding happens here with Qt only after the Qt-free header check in
:mod:`survey.project.floorplan_import` accepted the size, and Qt's own allocation limit
stays on as a second guard.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QPainter
from PySide6.QtSvg import QSvgRenderer

from survey.errors import EvSurveyError
from survey.project import floorplan_import as fi
from survey.project.garage import build_garage
from survey.project.model import Floorplan
from survey.ui import dialogs

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: SVG plans are rasterised so that the longer side has this many pixels: sharp enough
#: to trace walls over when zoomed in, far below the image size limit.
SVG_LONG_SIDE_PX = 3000
#: Largest floorplan file read at all (bytes). A plan PDF or a photo is a few MB; a
#: file far above this is not a floorplan and would only fill memory.
MAX_FILE_BYTES = 200 * 1024 * 1024


class SiteActions:
    def __init__(self, window: "MainWindow"):
        self.window = window
        menu = window.site_menu
        self.details_action = menu.addAction("Site &details…", self.edit_site_details)
        self.import_action = menu.addAction("&Import floorplan…", self.import_floorplan_dialog, QKeySequence("Ctrl+I"))
        self.garage_action = menu.addAction("&Garage builder…", self.build_garage_dialog, QKeySequence("Ctrl+G"))
        menu.addSeparator()
        self.rotate_action = menu.addAction("Rotate plan 90° clockwise", self.rotate_floorplan, QKeySequence("Ctrl+R"))
        self.opacity_action = menu.addAction("Fade plan image", self.cycle_opacity, QKeySequence("Ctrl+T"))
        self.remove_action = menu.addAction("Remove plan image", self.remove_floorplan)
        self.actions = [self.details_action, self.import_action, self.garage_action, self.rotate_action, self.opacity_action,
                        self.remove_action]

    @property
    def session(self):
        return self.window.session

    def set_enabled(self, enabled: bool) -> None:
        for action in self.actions:
            action.setEnabled(enabled)

    def edit_site_details(self) -> None:
        from survey.project.profiles import load_profiles

        project = self.session.project
        values = dialogs.ask_site_details(self.window, load_profiles(), project.site, project.units,
                                          project.charger_profile_id)
        if values is None:
            return
        stack = self.session.undo_stack
        stack.beginMacro("Edit site details")
        try:
            if values.site != project.site:
                self.session.set_site(values.site)
            if values.units != project.units:
                self.session.set_units(values.units)
            if values.charger_profile_id != project.charger_profile_id:
                self.session.set_charger_profile(values.charger_profile_id)
        finally:
            stack.endMacro()

    # -- import --------------------------------------------------------------------------------
    def import_floorplan_dialog(self) -> None:
        path = dialogs.ask_floorplan_file(self.window, str(self.session.path.parent) if self.session.path else "")
        if path:
            self.import_floorplan(path)

    def import_floorplan(self, path: str | Path) -> bool:
        """Import any supported plan file; errors become a message, never a crash."""
        path = Path(path)
        try:
            self._import(path)
        except EvSurveyError as exc:
            self.window.show_error("Import floorplan", str(exc))
            return False
        except OSError as exc:
            self.window.show_error("Import floorplan", f"Cannot read {path.name}: {exc.strerror or exc}.")
            return False
        self.window.view.fit_to_site()
        return True

    def _import(self, path: Path) -> None:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise fi.FloorplanImportError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB; that is not a "
                                          "floorplan evsurvey can open. Export the plan page on its own.")
        data = path.read_bytes()
        kind = fi.detect_kind(path.name, data)
        if kind == "pdf":
            self._import_pdf(path, data)
        elif kind == "dxf":
            self._import_dxf(path, data)
        elif kind == "svg":
            self._import_svg(path, data)
        else:
            self._import_image(path, data)

    def _set_plan(self, fp: Floorplan, text: str, scale_known: bool, status: str) -> None:
        self.session.set_floorplan(fp, text, scale_known=scale_known)
        self.window.show_status(status, 10000)

    def _import_image(self, path: Path, data: bytes) -> None:
        header = fi.check_image_bytes(data, path.name)
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        size = reader.size()
        if size.isValid():  # formats the header parser does not know still get a size check
            fi.check_image_size(size.width(), size.height(), path.name)
        image = reader.read()
        if image.isNull():
            raise fi.FloorplanImportError(f"{path.name} cannot be decoded ({reader.errorString()}). "
                                          "Save it again as PNG or JPEG and import that.")
        fmt = header[0] if header else bytes(reader.format()).decode() or "png"
        if fmt in ("png", "jpeg"):
            stored, stored_fmt = data, fmt
        else:  # keep what every consumer (report, other tools) reads: PNG
            stored, stored_fmt = _png_bytes(image), "png"
        fp = Floorplan(image=stored, image_format=stored_fmt, width_px=image.width(), height_px=image.height(),
                       metres_per_px=fi.provisional_metres_per_px(image.width(), image.height()),
                       source_name=path.name)
        self._set_plan(fp, "Import floorplan", False,
                       f"Imported {path.name}. Now calibrate the scale (K): draw over a dimension you know.")

    def _import_svg(self, path: Path, data: bytes) -> None:
        renderer = QSvgRenderer(QByteArray(data))
        if not renderer.isValid():
            raise fi.FloorplanImportError(f"{path.name} is not a valid SVG drawing. Export it again or use a PNG.")
        default = renderer.defaultSize()
        w, h = max(default.width(), 1), max(default.height(), 1)
        factor = SVG_LONG_SIDE_PX / max(w, h)
        w_px, h_px = max(1, round(w * factor)), max(1, round(h * factor))
        fi.check_image_size(w_px, h_px, path.name)
        image = QImage(w_px, h_px, QImage.Format.Format_ARGB32)
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        fp = Floorplan(image=_png_bytes(image), image_format="png", width_px=w_px, height_px=h_px,
                       metres_per_px=fi.provisional_metres_per_px(w_px, h_px), source_name=path.name)
        self._set_plan(fp, "Import floorplan", False,
                       f"Imported {path.name}. Now calibrate the scale (K): draw over a dimension you know.")

    def _import_pdf(self, path: Path, data: bytes) -> None:
        from survey.ui import pdf_pages  # page thumbnails and the crop

        count = fi.pdf_page_count(data, path.name)
        choice = pdf_pages.ask_pdf_page(self.window, data, path.name, count)
        if choice is None:
            return
        page = choice.page_index
        rendered = pdf_pages.crop_rendered(fi.render_pdf_page(data, page, path.name), choice.crop)
        fp = Floorplan(image=rendered.png, image_format="png", width_px=rendered.width_px,
                       height_px=rendered.height_px, metres_per_px=rendered.provisional_metres_per_px,
                       source_name=f"{path.name} (page {page + 1}{', cropped' if choice.crop else ''})")
        self._set_plan(fp, "Import floorplan", False,
                       f"Imported page {page + 1} of {path.name} at {rendered.dpi:.0f} dpi. "
                       "Now calibrate the scale (K).")

    def _import_dxf(self, path: Path, data: bytes) -> None:
        drawing = fi.read_dxf(data, path.name)
        layers = dialogs.choose_dxf_layers(self.window, drawing.layer_counts)
        if not layers:
            return
        walls = fi.dxf_walls(drawing, layers, self.window.current_material_id())
        stack = self.session.undo_stack
        stack.beginMacro(f"Import {path.name}")
        try:
            # The drawing is the plan now: an old image would not line up with it.
            if self.session.project.floorplan is not None:
                self.session.set_floorplan(None, "Remove plan image")
            self.session.replace_walls(walls, f"Import {path.name}")
            self.session.set_setting("floorplan_scale_known", True, "Import DXF")
        finally:
            stack.endMacro()
        self.window.show_status(f"Imported {len(walls)} walls from {path.name} ({drawing.units_note}). "
                                "Select walls to set their materials.", 12000)

    # -- garage ------------------------------------------------------------------------------------
    def build_garage_dialog(self) -> None:
        project = self.session.project
        spec = dialogs.ask_garage(self.window, project.materials, project.units)
        if spec is None:
            return
        if project.floorplan is None and not project.walls:
            self.build_garage(spec)
            return
        # Never replace an imported, calibrated plan and the house walls without asking.
        from survey.ui import garage_place

        mode = garage_place.ask_garage_mode(self.window, project.floorplan is not None, len(project.walls))
        if mode == garage_place.ADD:
            self.window.view.set_tool(garage_place.GaragePlaceTool(self.window, spec))
        elif mode == garage_place.REPLACE:
            self.build_garage(spec)

    def build_garage(self, spec) -> bool:
        try:
            walls = build_garage(spec)
        except EvSurveyError as exc:
            self.window.show_error("Garage builder", str(exc))
            return False
        stack = self.session.undo_stack
        stack.beginMacro("Build garage")
        try:
            if self.session.project.floorplan is not None:
                self.session.set_floorplan(None, "Remove plan image")
            self.session.replace_walls(walls, "Build garage")
            self.session.set_setting("floorplan_scale_known", True, "Build garage")
        finally:
            stack.endMacro()
        self.window.view.fit_to_site()
        self.window.show_status("Garage drawn. Place the charger (C) and the router (R), then survey.", 10000)
        return True

    # -- image adjustments -------------------------------------------------------------------------------
    def rotate_floorplan(self) -> None:
        fp = self.session.project.floorplan
        if fp is None:
            self.window.show_status("There is no plan image to rotate.")
            return
        self.session.set_floorplan(replace(fp, rotation_deg=(fp.rotation_deg + 90) % 360), "Rotate plan")
        self.window.view.fit_to_site()

    def set_opacity(self, opacity: float) -> None:
        fp = self.session.project.floorplan
        if fp is None:
            return
        opacity = min(1.0, max(0.05, float(opacity)))
        if abs(opacity - fp.opacity) > 1e-6:
            self.session.set_floorplan(replace(fp, opacity=opacity), "Plan opacity")

    def cycle_opacity(self) -> None:
        fp = self.session.project.floorplan
        if fp is not None:
            steps = (1.0, 0.6, 0.3)
            nxt = next((s for s in steps if s < fp.opacity - 1e-6), steps[0])
            self.set_opacity(nxt)

    def remove_floorplan(self) -> None:
        if self.session.project.floorplan is not None:
            self.session.set_floorplan(None, "Remove plan image")


def _png_bytes(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(array.data())
