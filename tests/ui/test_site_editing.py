"""The site editor driven like a user: new project, imports, calibration, garage, walls,
devices, undo/redo, and reopening the file to find everything again."""

from __future__ import annotations

import struct
import zlib

import ezdxf
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage
from PySide6.QtWidgets import QInputDialog
from ui_driver import click_site, drag_site, press_key

from survey.project.garage import TWO_CAR
from survey.project.model import Device, DeviceKind, Wall
from survey.project.store import ProjectStore
from survey.ui import dialogs


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message: shown.append((title, message)))
    return shown


def write_png(path, width=400, height=200):
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    for x in range(20, 380):
        image.setPixelColor(x, 20, QColor("black"))
    assert image.save(str(path), "PNG")
    return path


def write_pdf(path, pages=2):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(pages):
        c.rect(100, 100, 300 + 40 * i, 200)
        c.showPage()
    c.save()
    return path


def write_dxf(path):
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4  # millimetres
    doc.layers.add("A-WALL")
    doc.layers.add("A-FURN")
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (7000, 0), (7000, 5000), (0, 5000)], close=True, dxfattribs={"layer": "A-WALL"})
    msp.add_circle((1000, 1000), 300, dxfattribs={"layer": "A-FURN"})
    msp.add_line((500, 500), (1500, 500), dxfattribs={"layer": "A-FURN"})
    doc.saveas(str(path))
    return path


def import_file(qtbot, window, monkeypatch, path):
    monkeypatch.setattr(dialogs, "ask_floorplan_file", lambda *a, **k: str(path))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    # The file is read behind a modal progress dialog; the window is active again once it closes.
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def test_new_project_written_with_site_and_materials(window, new_project):
    store = ProjectStore.open(new_project, read_only=True)
    project = store.load()
    store.close()
    assert project.site.customer == "Ada Lovelace"
    assert project.charger_profile_id == "generic_iot"
    assert {m.id for m in project.materials} >= {"drywall", "concrete_block", "steel_garage_door"}
    assert "garage.evsurvey" in window.windowTitle()
    assert window.recent_files()[0].endswith("garage.evsurvey")


def test_import_png_then_calibrate_scale(window, new_project, qtbot, tmp_path, monkeypatch):
    import_file(qtbot, window, monkeypatch, write_png(tmp_path / "plan.png"))
    fp = window.session.project.floorplan
    assert (fp.width_px, fp.height_px, fp.image_format) == (400, 200, "png")
    assert not window.session.scale_known
    provisional = fp.metres_per_px  # 20 m over the 400 px long side

    # The dark line runs from pixel 20 to pixel 380 (360 px); the user says it is 9 m.
    a = (20 * provisional, 20 * provisional)
    b = (380 * provisional, 20 * provisional)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("9 m", True)))
    press_key(qtbot, window, Qt.Key.Key_K)
    assert window.active_tool.name == "calibrate"
    click_site(qtbot, window, *a)
    click_site(qtbot, window, *b)
    fp = window.session.project.floorplan
    assert fp.metres_per_px == pytest.approx(9.0 / 360, rel=0.01)
    assert window.session.scale_known
    assert window.active_tool.name == "select"
    # The file has it already (autosave: the project file is the document).
    with ProjectStore.open(new_project, read_only=True) as store:
        assert store.load().floorplan.metres_per_px == pytest.approx(fp.metres_per_px)

    # Undo restores the provisional scale; the calibration was one step.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.floorplan.metres_per_px == pytest.approx(provisional)
    assert not window.session.scale_known


def test_calibration_in_feet_rescales_walls_and_devices(window, new_project, qtbot, tmp_path, monkeypatch):
    import_file(qtbot, window, monkeypatch, write_png(tmp_path / "plan.png"))
    mpp0 = window.session.project.floorplan.metres_per_px
    window.session.add_device(Device(DeviceKind.CHARGER, 10.0, 5.0))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("10 ft", True)))
    press_key(qtbot, window, Qt.Key.Key_K)
    drag_site(qtbot, window, (2.0, 2.0), (8.0, 2.0))
    factor = window.session.project.floorplan.metres_per_px / mpp0
    assert 6.0 * factor == pytest.approx(3.048, rel=0.02)
    charger = window.session.project.charger
    assert (charger.x_m, charger.y_m) == pytest.approx((10.0 * factor, 5.0 * factor))


def test_import_pdf_page_and_dxf_layers(window, new_project, qtbot, tmp_path, monkeypatch):
    from survey.ui import pdf_pages

    asked = {}

    def choose_page(parent, name, count, previews):
        asked["pages"] = count
        return pdf_pages.PdfChoice(1)

    monkeypatch.setattr(pdf_pages, "ask_pdf_page", choose_page)
    import_file(qtbot, window, monkeypatch, write_pdf(tmp_path / "plan.pdf"))
    fp = window.session.project.floorplan
    assert asked["pages"] == 2
    assert fp.source_name == "plan.pdf (page 2)"
    assert 2900 <= max(fp.width_px, fp.height_px) <= 3100

    monkeypatch.setattr(dialogs, "choose_dxf_layers", lambda parent, counts: [n for n in counts if n == "A-WALL"])
    import_file(qtbot, window, monkeypatch, write_dxf(tmp_path / "plan.dxf"))
    project = window.session.project
    assert project.floorplan is None  # the drawing replaces the image
    assert len(project.walls) == 4
    xs = [v for w in project.walls for v in (w.x1_m, w.x2_m)]
    assert max(xs) - min(xs) == pytest.approx(7.0)  # millimetres from the header -> metres
    assert window.session.scale_known
    # One undo step brings the PDF page back.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.floorplan.source_name == "plan.pdf (page 2)"
    assert window.session.project.walls == ()


def test_pdf_import_shows_page_thumbnails_and_crops_to_the_drawing(window, new_project, qtbot, tmp_path, monkeypatch):
    """The installer sees the pages, clicks the plan's thumbnail and drags over the drawing."""
    from PySide6.QtCore import QEvent, QPoint, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication, QDialog

    from survey.ui import pdf_pages

    seen = {}

    def drive(dialog):
        qtbot.waitUntil(lambda: all(not dialog.pages.item(i).icon().isNull() for i in range(dialog.pages.count())))
        seen["thumbnails"] = dialog.pages.count()
        second = dialog.pages.visualItemRect(dialog.pages.item(1)).center()
        qtbot.mouseClick(dialog.pages.viewport(), Qt.MouseButton.LeftButton, pos=second)
        view = dialog.preview
        rect = view.page_rect()
        a = QPoint(round(rect.x() + 0.25 * rect.width()), round(rect.y() + 0.2 * rect.height()))
        b = QPoint(round(rect.x() + 0.75 * rect.width()), round(rect.y() + 0.6 * rect.height()))
        left = Qt.MouseButton.LeftButton
        for kind, at, buttons in (
            (QEvent.Type.MouseButtonPress, a, left),
            (QEvent.Type.MouseMove, b, left),
            (QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton),
        ):
            QApplication.sendEvent(
                view,
                QMouseEvent(
                    kind, QPointF(at), view.mapToGlobal(QPointF(at)), left, buttons, Qt.KeyboardModifier.NoModifier
                ),
            )
        seen["hint"] = dialog.hint.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(pdf_pages.PdfPageDialog, "exec", drive)
    import_file(qtbot, window, monkeypatch, write_pdf(tmp_path / "plan.pdf", pages=3))
    fp = window.session.project.floorplan
    assert seen["thumbnails"] == 3 and "50 % of the width" in seen["hint"]
    assert fp.source_name == "plan.pdf (page 2, cropped)"
    from survey.project.floorplan_import import render_pdf_page

    whole = render_pdf_page(write_pdf(tmp_path / "again.pdf", pages=3).read_bytes(), 1)
    assert fp.width_px == pytest.approx(whole.width_px * 0.5, abs=8)
    assert fp.height_px == pytest.approx(whole.height_px * 0.4, abs=8)


def test_refuses_oversized_and_corrupt_files(window, new_project, qtbot, tmp_path, monkeypatch, errors):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    huge = tmp_path / "huge.png"
    huge.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage\n%%EOF")
    bad_dxf = tmp_path / "bad.dxf"
    bad_dxf.write_bytes(b"0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nnot-a-number\n\xff\xfe")
    for path in (huge, bad_pdf, bad_dxf):
        import_file(qtbot, window, monkeypatch, path)
    assert [title for title, _ in errors] == ["Import floorplan"] * 3
    assert "100000 x 100000" in errors[0][1]
    assert "PDF" in errors[1][1]
    assert "DXF" in errors[2][1] or "lines" in errors[2][1]
    assert window.session.project.floorplan is None and window.session.project.walls == ()
    assert window.isVisible()


def test_garage_builder_preset(window, new_project, qtbot, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_garage", lambda parent, materials, units: TWO_CAR)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    walls = window.session.project.walls
    assert len(walls) == 6
    assert {w.material_id for w in walls} == {"fire_rated_drywall", "concrete_block", "steel_garage_door"}
    assert window.session.scale_known


def test_garage_dialog_builds_values_and_validates(window, new_project, qtbot):
    materials = window.session.project.materials
    dialog = dialogs.GarageDialog(window, materials, "ft")
    qtbot.addWidget(dialog)
    assert dialog.spec().width_m == pytest.approx(TWO_CAR.width_m, abs=0.01)
    dialog.house_side.setCurrentIndex(dialog.house_side.findData("bottom"))  # same side as the door
    dialog._accept_if_valid()
    assert "house" in dialog.error.text() and not dialog.result()


def test_draw_walls_with_snapping_undo_redo(window, new_project, qtbot):
    press_key(qtbot, window, Qt.Key.Key_W)
    assert window.active_tool.name == "wall"
    click_site(qtbot, window, 1.0, 1.0)
    click_site(qtbot, window, 5.0, 1.15)  # 2° off horizontal: snaps to 0°
    click_site(qtbot, window, 5.0, 4.0)
    press_key(qtbot, window, Qt.Key.Key_Escape)
    walls = window.session.project.walls
    assert len(walls) == 2
    first, second = walls
    assert first.y2_m == pytest.approx(first.y1_m, abs=1e-9)
    assert (second.x1_m, second.y1_m) == (first.x2_m, first.y2_m)  # chained
    assert first.material_id == window.current_material_id()

    # A new chain starting near an existing end snaps onto it exactly.
    click_site(qtbot, window, first.x1_m + 0.03, first.y1_m + 0.03)
    click_site(qtbot, window, 1.0, 4.0)
    press_key(qtbot, window, Qt.Key.Key_Escape)
    third = window.session.project.walls[-1]
    assert (third.x1_m, third.y1_m) == (first.x1_m, first.y1_m)

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.session.project.walls) == 2
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.session.project.walls[-1] == third  # same id, same place
    with ProjectStore.open(new_project, read_only=True) as store:
        assert len(store.load().walls) == 3


def test_select_change_material_move_and_delete_wall(window, new_project, qtbot):
    window.session.add_wall(Wall(1, 1, 6, 1, "drywall"))
    window.view.fit_to_site()
    press_key(qtbot, window, Qt.Key.Key_V)
    click_site(qtbot, window, 3.5, 1.0)
    assert window.view.selection.kind == "wall"
    panel = window.site_panel
    index = panel.wall_material.findData("brick")
    panel.wall_material.setCurrentIndex(index)
    panel.wall_material.activated.emit(index)
    assert window.session.project.walls[0].material_id == "brick"

    drag_site(qtbot, window, (3.5, 1.0), (3.5, 2.0))
    wall = window.session.project.walls[0]
    assert (wall.y1_m, wall.y2_m) == pytest.approx((2.0, 2.0), abs=0.05)
    assert wall.x2_m - wall.x1_m == pytest.approx(5.0)

    press_key(qtbot, window, Qt.Key.Key_Delete)
    assert window.session.project.walls == ()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.walls[0].material_id == "brick"


def test_place_and_drag_devices(window, new_project, qtbot):
    window.session.add_wall(Wall(0, 0, 8, 6, "drywall"))
    window.view.fit_to_site()
    press_key(qtbot, window, Qt.Key.Key_C)
    click_site(qtbot, window, 6.0, 2.0)
    charger = window.session.project.charger
    assert charger is not None and (charger.x_m, charger.y_m) == pytest.approx((6.0, 2.0), abs=0.05)
    # Placing the charger again moves it: there is one mounting point.
    click_site(qtbot, window, 7.0, 3.0)
    assert len(window.session.project.devices_of(DeviceKind.CHARGER)) == 1
    assert window.session.project.charger.x_m == pytest.approx(7.0, abs=0.05)

    press_key(qtbot, window, Qt.Key.Key_R)
    click_site(qtbot, window, 1.0, 1.0)
    press_key(qtbot, window, Qt.Key.Key_E)
    click_site(qtbot, window, 2.0, 5.0)
    kinds = sorted(d.kind.value for d in window.session.project.devices)
    assert kinds == ["charger", "ethernet_drop", "router"]

    press_key(qtbot, window, Qt.Key.Key_V)
    drag_site(qtbot, window, (1.0, 1.0), (3.0, 1.5))
    router = window.session.project.router
    assert (router.x_m, router.y_m) == pytest.approx((3.0, 1.5), abs=0.05)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.router.x_m == pytest.approx(1.0, abs=0.05)


def test_reopen_finds_everything(make_window, qtbot, tmp_path, monkeypatch, qsettings):
    import datetime as _dt

    from survey.project.model import Site

    first = make_window()

    path = tmp_path / "site.evsurvey"
    monkeypatch.setattr(
        dialogs,
        "ask_new_project",
        lambda *a, **k: dialogs.NewProjectValues(
            Site(customer="Grace", survey_date=_dt.date.today().isoformat()), "ft", "generic_iot"
        ),
    )
    monkeypatch.setattr(dialogs, "ask_save_project_path", lambda *a, **k: str(path))
    qtbot.keyClick(first, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    import_file(qtbot, first, monkeypatch, write_png(tmp_path / "plan.png"))
    monkeypatch.setattr(dialogs, "ask_garage", lambda parent, materials, units: TWO_CAR)
    from survey.ui import garage_place

    asked = []
    monkeypatch.setattr(garage_place, "ask_garage_mode", lambda *a: asked.append(a) or garage_place.REPLACE)
    qtbot.keyClick(first, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert asked  # a plan with an image: the builder asks before replacing it
    press_key(qtbot, first, Qt.Key.Key_C)
    click_site(qtbot, first, 3.0, 6.5)
    before = first.session.project
    first.close()

    second = make_window()
    assert second.recent_files()[0] == str(path.resolve())
    # Open Recent: the first entry of the menu.
    second._fill_recent_menu()
    second.recent_menu.actions()[0].trigger()
    after = second.session.project
    assert after.site.customer == "Grace" and after.units == "ft"
    assert after.walls == before.walls
    assert after.devices == before.devices
    assert after.floorplan is None  # the installer chose to replace the image with a clean plan
    assert second.view.scale_bar.text.toPlainText().endswith("ft")


def test_drop_a_floorplan_on_the_window(window, new_project, qtbot, tmp_path):
    png = write_png(tmp_path / "dropped.png", 300, 300)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(png))])
    event = QDropEvent(
        QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.session.project.floorplan is not None, timeout=3000)
    assert window.session.project.floorplan.source_name == "dropped.png"


def test_rotate_and_opacity(window, new_project, qtbot, tmp_path, monkeypatch):
    import_file(qtbot, window, monkeypatch, write_png(tmp_path / "plan.png", 400, 200))
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    fp = window.session.project.floorplan
    assert fp.rotation_deg == 90
    w_m, h_m = fp.size_m
    assert h_m > w_m
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.floorplan.opacity == pytest.approx(0.6)
    assert window.site_panel.opacity.value() == 60


def test_window_geometry_kept_in_settings(make_window, qsettings):
    first = make_window()
    first.resize(720, 540)  # the offscreen screen is 800 x 600
    first.close()
    assert qsettings.value("window/geometry") is not None
    second = make_window()
    assert (second.width(), second.height()) == (720, 540)


def test_material_loss_is_edited_in_the_legend_and_undone(window, new_project, qtbot):
    from PySide6.QtWidgets import QDoubleSpinBox

    box = window.findChild(QDoubleSpinBox, "loss_custom")
    assert box is not None
    old = window.session.project.material("custom").loss_db
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "17")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.session.project.material("custom").loss_db == 17.0
    with ProjectStore.open(new_project, read_only=True) as store:
        assert store.load().material("custom").loss_db == 17.0
    window.session.undo_stack.undo()
    assert window.session.project.material("custom").loss_db == old
    with ProjectStore.open(new_project, read_only=True) as store:
        assert store.load().material("custom").loss_db == old
