"""The Site menu: import a floorplan (image, PDF, SVG, DXF), build a garage, rotate, opacity.

A plan file is read in a child process (:mod:`survey.project.plan_worker`): this module
shows its progress in a window-modal dialog with a Cancel button, keeps the window
repainting meanwhile, and only applies the result (as one undo step) once the reader
has finished; Cancel or an error leaves the project as it was.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QKeySequence

from survey.errors import EvSurveyError
from survey.project import floorplan_import as fi
from survey.project.garage import build_garage
from survey.project.model import Floorplan
from survey.project.plan_worker import PdfPages, PlanJob, PlanJobProcess
from survey.ui import dialogs
from survey.ui.svg_raster import rasterize_svg

if TYPE_CHECKING:
    from survey.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: How often the reader process is polled and the progress dialog updated.
IMPORT_POLL_MS = 50


class SiteActions:
    def __init__(self, window: MainWindow):
        self.window = window
        menu = window.site_menu
        self.details_action = menu.addAction("Site &details…", self.edit_site_details)
        # addAction(text, shortcut, slot): see MainWindow._build_menus on the order.
        self.import_action = menu.addAction("&Import floorplan…", QKeySequence("Ctrl+I"), self.import_floorplan_dialog)
        self.garage_action = menu.addAction("&Garage builder…", QKeySequence("Ctrl+G"), self.build_garage_dialog)
        menu.addSeparator()
        self.rotate_action = menu.addAction("Rotate plan 90° clockwise", QKeySequence("Ctrl+R"), self.rotate_floorplan)
        self.opacity_action = menu.addAction("Fade plan image", QKeySequence("Ctrl+T"), self.cycle_opacity)
        self.remove_action = menu.addAction("Remove plan image", self.remove_floorplan)
        self.actions = [
            self.details_action,
            self.import_action,
            self.garage_action,
            self.rotate_action,
            self.opacity_action,
            self.remove_action,
        ]
        # Said once the project has finished opening, not from inside the view's refresh.
        window.view.floorplanUnreadable.connect(
            lambda message: QTimer.singleShot(0, lambda: window.show_error("Plan image", message))
        )

    @property
    def session(self):
        return self.window.session

    def set_enabled(self, enabled: bool) -> None:
        for action in self.actions:
            action.setEnabled(enabled)

    def edit_site_details(self) -> None:
        from survey.project.profiles import load_profiles

        project = self.session.project
        values = dialogs.ask_site_details(
            self.window, load_profiles(), project.site, project.units, project.charger_profile_id
        )
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
        """Import any supported plan file; errors become a message, never a crash.

        Returns True when the plan was replaced (False: refused, failed or cancelled).
        """
        path = Path(path)
        try:
            return self._import(path)
        except EvSurveyError as exc:
            self.window.show_error("Import floorplan", str(exc))
            return False
        except OSError as exc:
            self.window.show_error("Import floorplan", f"Cannot read {path.name}: {exc.strerror or exc}.")
            return False

    def _import(self, path: Path) -> bool:
        path.stat()  # a missing path fails here (OSError: a message), before a process is started
        job = PlanJob(str(path), svg_rasterizer=rasterize_svg)
        result = self._read_in_worker(job)
        if isinstance(result, PdfPages):
            from survey.ui import pdf_pages  # page pictures and the crop

            choice = pdf_pages.ask_pdf_page(self.window, path.name, result.count, result.previews)
            if choice is None:
                return False
            result = self._read_in_worker(replace(job, page_index=choice.page_index, crop=choice.crop))
        if result is None:  # cancelled
            self.window.show_status(f"Import of {path.name} cancelled; the plan is unchanged.", 8000)
            return False
        if isinstance(result, fi.DxfDrawing):
            return self._apply_dxf(path, result)
        self._apply_plan_image(result)
        return True

    def _read_in_worker(self, job: PlanJob):
        """Run ``job`` in the reader process behind a progress dialog; its result, None when
        cancelled, or its error raised. The window keeps repainting meanwhile."""
        worker = PlanJobProcess(job)
        progress = dialogs.PlanImportProgress(self.window, job.name)
        loop = QEventLoop()
        timer = QTimer(progress)
        timer.setInterval(IMPORT_POLL_MS)

        def tick() -> None:
            if worker.poll():
                loop.quit()
            else:
                progress.show_progress(worker.progress_text, worker.progress_fraction, worker.elapsed_s)

        def cancel() -> None:
            worker.cancel()
            loop.quit()

        timer.timeout.connect(tick)
        progress.canceled.connect(cancel)
        worker.start()
        timer.start()
        progress.show()
        try:
            if not worker.finished:
                loop.exec()
        finally:
            timer.stop()
            progress.canceled.disconnect(cancel)
            progress.close()
            progress.deleteLater()
            self.window.activateWindow()  # the menu shortcuts (K, W...) work again at once
            worker.cancel()  # no-op when finished; never leaves a reader behind
        if worker.cancelled:
            return None
        if worker.error is not None:
            raise worker.error
        return worker.result

    def _apply_plan_image(self, plan: fi.PlanImage) -> None:
        fp = Floorplan(
            image=plan.image,
            image_format=plan.image_format,
            width_px=plan.width_px,
            height_px=plan.height_px,
            metres_per_px=plan.metres_per_px,
            source_name=plan.source_name,
        )
        self.session.set_floorplan(fp, "Import floorplan", scale_known=False)
        done = f"Imported {plan.source_name}" + (f" ({plan.note})" if plan.note else "")
        self.window.show_status(f"{done}. Now calibrate the scale (K): draw over a dimension you know.", 10000)
        self.window.view.fit_to_site()

    def _apply_dxf(self, path: Path, drawing: fi.DxfDrawing) -> bool:
        layers = dialogs.choose_dxf_layers(self.window, drawing.layer_counts)
        if not layers:
            return False
        walls = fi.dxf_walls(drawing, layers, self.window.current_material_id())
        # The drawing is the plan now (an old image would not line up with it): one step,
        # one transaction, every wall checked before the old plan goes.
        self.session.replace_plan(walls, f"Import {path.name}")
        skipped = f" {drawing.skipped_note}." if drawing.skipped_note else ""
        self.window.show_status(
            f"Imported {len(walls)} walls from {path.name} ({drawing.units_note}).{skipped} "
            "Select walls to set their materials.",
            12000,
        )
        self.window.view.fit_to_site()
        return True

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
        try:
            self.session.replace_plan(walls, "Build garage")
        except EvSurveyError as exc:
            self.window.show_error("Garage builder", str(exc))
            return False
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
