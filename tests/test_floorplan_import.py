"""Floorplan files without Qt: header sizes, refusal of huge/corrupt files, PDF pages, DXF walls."""

from __future__ import annotations

import io
import struct
import zlib

import ezdxf
import numpy as np
import pytest

from survey.project import floorplan_import as fi
from survey.project import images


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims *width* x *height* (the pixel data is a token)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_encode_png_round_trip_header():
    rgb = np.zeros((7, 11, 3), np.uint8)
    rgb[2, 3] = (255, 0, 0)
    data = fi.encode_png(rgb)
    assert images.header_size(data) == ("png", 11, 7)


def test_oversized_png_header_refused_before_decoding():
    data = png_header(100_000, 100_000)
    with pytest.raises(images.ImageTooLargeError, match="100000 x 100000"):
        images.image_info(data, "huge.png")


def test_image_at_the_limit_accepted():
    side = int(images.MAX_IMAGE_PIXELS**0.5)
    assert images.image_info(png_header(side, side)) == images.ImageInfo("png", side, side)


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"GIF89a" + struct.pack("<HH", 640, 480) + b"\0" * 10, ("gif", 640, 480)),
        (b"BM" + b"\0" * 12 + struct.pack("<Iii", 40, 300, -200) + b"\0" * 20, ("bmp", 300, 200)),
        (
            b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (999).to_bytes(3, "little") + (499).to_bytes(3, "little"),
            ("webp", 1000, 500),
        ),
        # JPEG: SOI, an APP0 segment, then SOF0 with height 123 and width 456.
        (
            b"\xff\xd8"
            + b"\xff\xe0"
            + struct.pack(">H", 4)
            + b"\0\0"
            + b"\xff\xc0"
            + struct.pack(">HBHH", 11, 8, 123, 456)
            + b"\0" * 8,
            ("jpeg", 456, 123),
        ),
    ],
)
def test_header_sizes_of_other_formats(data, expected):
    assert images.header_size(data) == expected


def test_zero_size_header_is_damaged():
    with pytest.raises(images.ImageError, match="damaged"):
        images.image_info(png_header(0, 10))


def test_detect_kind():
    assert fi.detect_kind("plan.pdf", b"%PDF-1.7\n") == "pdf"
    assert fi.detect_kind("a.svg", b"<?xml version='1.0'?><svg/>") == "svg"
    assert fi.detect_kind("x.bin", png_header(2, 2)) == "image"
    assert fi.detect_kind("walls.dxf", b"0\nSECTION\n") == "dxf"
    with pytest.raises(fi.FloorplanImportError, match="not a floorplan"):
        fi.detect_kind("notes.txt", b"hello")


def make_pdf(pages: int = 2) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for i in range(pages):
        c.setLineWidth(4)
        c.rect(100, 100, 300 + 50 * i, 200)
        c.showPage()
    c.save()
    return out.getvalue()


def test_pdf_page_rendered_to_png_at_sensible_resolution():
    data = make_pdf(2)
    assert fi.pdf_page_count(data) == 2
    page = fi.render_pdf_page(data, 1)
    assert page.page_count == 2 and page.page_index == 1
    assert images.header_size(page.png) == ("png", page.width_px, page.height_px)
    # A4 is 595 x 842 pt: the long side renders at about 3000 px (~256 dpi).
    assert 2900 <= max(page.width_px, page.height_px) <= 3100
    assert fi.PDF_MIN_DPI <= page.dpi <= fi.PDF_MAX_DPI
    assert page.provisional_metres_per_px == pytest.approx(0.01 * 72 / page.dpi)


def test_pdf_previews_are_small_pages_and_a_crop_keeps_the_page_scale():
    data = make_pdf(3)
    previews = fi.pdf_previews(data, "plan.pdf")
    assert len(previews) == 3
    assert all(max(images.header_size(png)[1:]) == fi.PDF_PREVIEW_PX for png in previews)
    assert len(fi.pdf_previews(data, "plan.pdf", max_pages=2)) == 2
    whole = fi.render_pdf_page(data, 1)
    part = fi.render_pdf_page(data, 1, crop=(0.25, 0.2, 0.75, 0.6))
    assert part.width_px == pytest.approx(whole.width_px / 2, abs=2)
    assert part.height_px == pytest.approx(whole.height_px * 0.4, abs=2)
    assert part.provisional_metres_per_px == whole.provisional_metres_per_px  # cutting pixels keeps their size
    assert (
        fi.import_pdf_page(data, 1, "plan.pdf", crop=(0.1, 0.1, 0.9, 0.9)).source_name == "plan.pdf (page 2, cropped)"
    )


def test_pdf_missing_page_and_corrupt_pdf_refused():
    data = make_pdf(1)
    with pytest.raises(fi.FloorplanImportError, match="no page 3"):
        fi.render_pdf_page(data, 2)
    with pytest.raises(fi.FloorplanImportError, match="not a readable PDF"):
        fi.pdf_page_count(b"%PDF-1.4\n1 0 obj garbage garbage\n%%EOF")
    with pytest.raises(fi.FloorplanImportError, match="not a readable PDF"):
        fi.render_pdf_page(data[: len(data) // 3])


def make_dxf(insunits: int = 6, unit_scale: float = 1.0) -> bytes:
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = insunits
    doc.layers.add("WALLS")
    doc.layers.add("FURNITURE")
    msp = doc.modelspace()
    s = unit_scale
    msp.add_lwpolyline([(0, 0), (6 * s, 0), (6 * s, 4 * s), (0, 4 * s)], close=True, dxfattribs={"layer": "WALLS"})
    msp.add_line((3 * s, 0), (3 * s, 4 * s), dxfattribs={"layer": "WALLS"})
    msp.add_line((1 * s, 1 * s), (2 * s, 1 * s), dxfattribs={"layer": "FURNITURE"})
    out = io.StringIO()
    doc.write(out)
    return out.getvalue().encode()


def test_dxf_walls_in_metres_with_y_flipped():
    drawing = fi.read_dxf(make_dxf())
    assert drawing.layer_counts == {"WALLS": 5, "FURNITURE": 1}
    assert drawing.metres_per_unit == 1.0
    walls = fi.dxf_walls(drawing, ["WALLS"], "brick", margin_m=1.0)
    assert len(walls) == 5
    assert all(w.material_id == "brick" for w in walls)
    xs = [v for w in walls for v in (w.x1_m, w.x2_m)]
    ys = [v for w in walls for v in (w.y1_m, w.y2_m)]
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((1.0, 7.0, 1.0, 5.0))
    # The DXF's first edge (0,0)-(6,0) is at the bottom of the drawing: y = 4 + margin on the plan.
    assert (walls[0].y1_m, walls[0].y2_m) == pytest.approx((5.0, 5.0))


@pytest.mark.parametrize("insunits", [-1, 8, 21, 99])  # 8 microinches, 21 US survey feet: ezdxf has no factor
def test_dxf_units_without_a_conversion_are_refused_by_name(insunits):
    with pytest.raises(fi.FloorplanImportError, match=rf"does not know \(\$INSUNITS={insunits}\)"):
        fi.read_dxf(make_dxf(insunits=insunits))


def test_dxf_millimetres_and_unitless_fallback():
    mm = fi.read_dxf(make_dxf(insunits=4, unit_scale=1000.0))
    walls = fi.dxf_walls(mm, ["WALLS"], "drywall", margin_m=0.0)
    assert max(w.x2_m for w in walls) == pytest.approx(6.0)
    unitless = fi.read_dxf(make_dxf(insunits=0, unit_scale=1000.0))
    assert "assumed" in unitless.units_note
    assert unitless.metres_per_unit == pytest.approx(0.001)


def test_dxf_empty_layers_and_corrupt_refused():
    drawing = fi.read_dxf(make_dxf())
    with pytest.raises(fi.FloorplanImportError, match="chosen layers"):
        fi.dxf_walls(drawing, ["NOPE"], "drywall")
    with pytest.raises(fi.FloorplanImportError):
        fi.read_dxf(b"this is not a drawing\x00\xff at all")
    with pytest.raises(fi.FloorplanImportError):
        fi.read_dxf(make_dxf()[:200])
