"""Floorplan import in the window (issue 21): the file is read in a child process behind a
progress dialog with Cancel; Cancel, a refused file or a hostile plan blob in a project
leave the plan as it was and the window working."""

from __future__ import annotations

import io
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures import bombs  # noqa: E402
from test_site_editing import import_file, write_png  # noqa: E402

from survey.project.model import Floorplan  # noqa: E402
from survey.project.store import ProjectStore  # noqa: E402


def heavy_pdf(path: Path) -> Path:
    """Inside every budget, but pdfium needs many seconds to parse and draw it (24 MB of lines)."""
    path.write_bytes(bombs.pdf_with_content(bombs.repeated_zlib(b"0 0 m 10 10 l S\n" * 65536, 24)))
    return path


def test_cancel_a_slow_import_keeps_the_old_plan(window, new_project, qtbot, tmp_path, monkeypatch, message_boxes):
    import_file(qtbot, window, monkeypatch, write_png(tmp_path / "old.png", 400, 200))
    old = window.session.project.floorplan
    assert old is not None and old.source_name == "old.png"

    seen: dict[str, object] = {"labels": set(), "ticks": 0}

    def watch() -> None:
        """Runs from the window's event loop while the import is under way: proof that the
        window still handles events. Clicks Cancel after a second of reading."""
        progress = window.findChild(QProgressDialog)
        if progress is None or not progress.isVisible():
            return
        seen["ticks"] += 1
        seen["labels"].add(progress.labelText().splitlines()[0])
        if seen["ticks"] == 20:  # ~1 s in: the reader process is busy in pdfium by now
            seen["children"] = len(multiprocessing.active_children())
            qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(watch)
    timer.start()
    started = time.monotonic()
    import_file(qtbot, window, monkeypatch, heavy_pdf(tmp_path / "heavy.pdf"))
    elapsed = time.monotonic() - started
    timer.stop()

    assert seen["ticks"] >= 20 and seen["children"] == 1
    assert any(label.startswith(("Reading", "Checking", "Drawing")) for label in seen["labels"])
    assert elapsed < 8  # the import alone takes far longer: it was stopped, not waited for
    assert multiprocessing.active_children() == []
    assert window.session.project.floorplan == old
    with ProjectStore.open(new_project, read_only=True) as store:
        assert store.load().floorplan.source_name == "old.png"
    assert "cancelled" in window.statusBar().currentMessage()
    assert message_boxes == []
    assert window.findChild(QProgressDialog) is None or not window.findChild(QProgressDialog).isVisible()
    # The window works on: Undo has nothing of the cancelled import to take back.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.floorplan is None  # the undo took back the first import


def test_refused_bomb_shows_a_message_and_keeps_the_plan(
    window, new_project, qtbot, tmp_path, monkeypatch, message_boxes
):
    import_file(qtbot, window, monkeypatch, write_png(tmp_path / "old.png", 400, 200))
    old = window.session.project.floorplan
    svg = tmp_path / "bomb.svg"
    svg.write_bytes(bombs.svg_use_bomb())
    pdf = tmp_path / "bomb.pdf"
    pdf.write_bytes(bombs.pdf_stream_bomb())
    for path in (svg, pdf):
        import_file(qtbot, window, monkeypatch, path)
    assert [title for title, _ in message_boxes] == ["Import floorplan"] * 2
    assert "<use> copies" in message_boxes[0][1] and "inflates past" in message_boxes[1][1]
    assert window.session.project.floorplan == old


def _red_pixels(png: bytes) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(png), formats=["PNG"]).convert("RGB")).astype(int)
    return int(((rgb[..., 0] > 200) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)).sum())


def test_svg_import_copies_no_local_file(window, new_project, qtbot, tmp_path, monkeypatch):
    secret = tmp_path / "secret.png"
    Image.new("RGB", (60, 60), (255, 0, 0)).save(secret)
    svg = tmp_path / "plan.svg"
    svg.write_bytes(bombs.svg_with_local_image(str(secret)))
    import_file(qtbot, window, monkeypatch, svg)
    fp = window.session.project.floorplan
    assert fp is not None and fp.source_name == "plan.svg"
    assert _red_pixels(fp.image) == 0
    assert "external reference" in window.statusBar().currentMessage()


def _project_with_blob(folder: Path, blob: bytes) -> Path:
    from dataclasses import replace

    from fixtures.report.garage import make_project

    folder.mkdir()
    path = folder / "mailed.evsurvey"
    project = replace(
        make_project(with_after=False),
        floorplan=Floorplan(
            image=blob, image_format="png", width_px=800, height_px=600, metres_per_px=0.02, source_name="plan.png"
        ),
    )
    ProjectStore.create(path, project).close()
    return path


def test_hostile_plan_blob_in_a_project_opens_with_a_message(window, qtbot, tmp_path, message_boxes):
    cases = (
        (bombs.EPS_BLOB, "PostScript (EPS)"),
        (bombs.png_bomb(12_500, 12_000), "12500 x 12000"),
        (bombs.png_bomb(40_000, 40_000), "40000 x 40000"),
    )
    for number, (blob, phrase) in enumerate(cases):
        message_boxes.clear()
        path = _project_with_blob(tmp_path / str(number), blob)
        before = path.read_bytes()
        started = time.monotonic()
        assert window.open_project(path)
        qtbot.waitUntil(lambda: message_boxes != [], timeout=3000)
        assert time.monotonic() - started < 5
        assert message_boxes == [("Plan image", message_boxes[0][1])] and phrase in message_boxes[0][1]
        assert window.view._image_item.pixmap().isNull()  # not drawn...
        assert window.session.project.floorplan.image == blob  # ...and not thrown away either
        assert len(window.session.project.walls) > 0 and window.view.isVisible()
        window.close_project()
        assert path.read_bytes() == before
    # The control: a plan image that is what it says is drawn, without a message.
    message_boxes.clear()
    assert window.open_project(_project_with_blob(tmp_path / "ok", bombs.png_bomb(800, 600, 8)))
    qtbot.wait(50)
    assert message_boxes == [] and not window.view._image_item.pixmap().isNull()
