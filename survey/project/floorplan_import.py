"""Reading floorplans from files without Qt: image header sizes, PDF pages, DXF walls.

* Images: the pixel size is read from the file header *before* anything decodes it, so
  a file claiming 100000 x 100000 pixels is refused with a message instead of an
  out-of-memory crash. (The GUI decodes the accepted images with Qt.)
* PDF: one page rendered with pypdfium2 and encoded as PNG.
* DXF: lines and polylines on chosen layers become walls, in metres from the header's
  ``$INSUNITS``; DXF's y axis points up, the site's down, so y is flipped.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from survey.errors import UserInputError
from survey.project.model import Wall

log = logging.getLogger(__name__)

#: Largest decoded image accepted, in pixels. Qt refuses to allocate more than 256 MB for
#: one image by default (QImageReader::allocationLimit, Qt 6); at 4 bytes per pixel
#: (ARGB32, what a decoded plan becomes) that is 67 Mpx. 60 Mpx (e.g. 9000 x 6600) keeps
#: under that limit and is far more than a scanned A1 sheet at 200 dpi (6600 x 4700).
MAX_IMAGE_PIXELS = 60_000_000

#: PDF pages render so that the longer side has about this many pixels (enough to read
#: dimension text on an A3/A1 plan when zoomed in), at no less than 72 and no more than
#: 300 dpi (a vector page gains nothing above print resolution).
PDF_TARGET_LONG_SIDE_PX = 3000
PDF_MIN_DPI = 72.0
PDF_MAX_DPI = 300.0

#: A PDF page of unknown drawing scale gets this provisional scale until calibrated:
#: one PDF point (1/72 in) = 1 cm, i.e. a 1:28 drawing - close to the 1:20 / 1:50 scales
#: plans are drawn at, so the first view is the right order of magnitude.
PDF_PROVISIONAL_M_PER_POINT = 0.01

#: A raster image without a scale gets this provisional metres-per-pixel until the user
#: calibrates it: its longer side is shown 20 m long (a house with its garage).
PROVISIONAL_LONG_SIDE_M = 20.0

#: DXF files that do not say their units ($INSUNITS = 0): metric drawings are nearly
#: always in millimetres, imperial ones in inches ($MEASUREMENT 1 / 0; AutoCAD DXF reference).
_UNITLESS_METRIC = 4  # millimetres
_UNITLESS_IMPERIAL = 1  # inches

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".svg")


class FloorplanImportError(UserInputError):
    """A floorplan file cannot be imported (unreadable, corrupt, unsupported)."""


class ImageTooLargeError(FloorplanImportError):
    """The image would need too much memory to open."""


def detect_kind(name: str, data: bytes) -> str:
    """``"pdf"``, ``"dxf"``, ``"svg"`` or ``"image"`` from the content, falling back to the suffix."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return "svg"
    if image_header_size(data) is not None:
        return "image"
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".dxf":
        return "dxf"
    if suffix == ".svg":
        return "svg"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    raise FloorplanImportError(f"{Path(name).name} is not a floorplan evsurvey can read. "
                               "Use a PNG, JPEG, BMP, WebP or SVG image, a PDF or a DXF drawing.")


# -- image headers ----------------------------------------------------------------------------
def image_header_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width_px, height_px) from the header of a PNG, JPEG, GIF, BMP or WebP; None if not one."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
        return "png", w, h
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return "gif", w, h
    if data[:2] == b"BM" and len(data) >= 26:
        header_size = struct.unpack("<I", data[14:18])[0]
        if header_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
            w, h = struct.unpack("<HH", data[18:22])
        else:
            w, h = struct.unpack("<ii", data[18:26])
        return "bmp", abs(w), abs(h)  # negative height = top-down rows
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        return ("webp",) + _webp_size(data)
    if data[:2] == b"\xff\xd8":
        size = _jpeg_size(data)
        return None if size is None else ("jpeg",) + size
    return None


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: 24-bit canvas size minus one
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8L":  # lossless: 14-bit sizes minus one after the 0x2f signature
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":  # lossy: key frame start code then 14-bit sizes
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    raise FloorplanImportError("This WebP image has an unknown layout; convert it to PNG and import that.")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the marker segments to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC).
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > n:
                return None
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


def check_image_size(width_px: int, height_px: int, name: str = "The image") -> None:
    """Raise :class:`ImageTooLargeError` when decoding would exceed :data:`MAX_IMAGE_PIXELS`."""
    if width_px <= 0 or height_px <= 0:
        raise FloorplanImportError(f"{name} says it is {width_px} x {height_px} pixels; the file is damaged.")
    if width_px * height_px > MAX_IMAGE_PIXELS:
        raise ImageTooLargeError(
            f"{name} is {width_px} x {height_px} pixels ({width_px * height_px / 1e6:.0f} megapixels); "
            f"evsurvey opens plans up to {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels. "
            "Scale it down (or export the plan again at a lower resolution) and import it again.")


def check_image_bytes(data: bytes, name: str = "The image") -> tuple[str, int, int] | None:
    """Header check of a raster image; returns (format, w, h) or None when the header is not a known one."""
    size = image_header_size(data)
    if size is not None:
        check_image_size(size[1], size[2], name)
    return size


def provisional_metres_per_px(width_px: int, height_px: int) -> float:
    return PROVISIONAL_LONG_SIDE_M / max(width_px, height_px, 1)


# -- PNG encoding (for rendered PDF pages) ---------------------------------------------------------
def encode_png(rgb: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, 3) uint8 RGB array.

    Written here with zlib because the project has no imaging library below the GUI
    (Pillow is not a dependency) and the format is a few chunks: signature, IHDR, one
    IDAT of filter-0 rows, IEND.
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, channels = rgb.shape
    if channels != 3:
        raise ValueError("encode_png expects RGB")
    rows = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit truecolour, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


# -- PDF ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderedPage:
    """A PDF page as a PNG: its pixel size, the resolution used, and a provisional scale."""

    png: bytes
    width_px: int
    height_px: int
    dpi: float
    page_index: int
    page_count: int

    @property
    def provisional_metres_per_px(self) -> float:
        return PDF_PROVISIONAL_M_PER_POINT * 72.0 / self.dpi


def _open_pdf(data: bytes, name: str):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError, OSError) as exc:
        raise FloorplanImportError(f"{name} is not a readable PDF ({exc}). Export the plan to PDF again, "
                                   "or save the page as a PNG and import that.") from None


def pdf_page_count(data: bytes, name: str = "The PDF") -> int:
    pdf = _open_pdf(data, name)
    try:
        count = len(pdf)
    finally:
        pdf.close()
    if count == 0:
        raise FloorplanImportError(f"{name} has no pages.")
    return count


def render_pdf_page(data: bytes, page_index: int = 0, name: str = "The PDF") -> RenderedPage:
    """Render one page (0-based) to PNG at a resolution fit for tracing walls over it."""
    import pypdfium2 as pdfium

    pdf = _open_pdf(data, name)
    try:
        count = len(pdf)
        if not 0 <= page_index < count:
            raise FloorplanImportError(f"{name} has {count} page(s); there is no page {page_index + 1}.")
        try:
            page = pdf[page_index]
            width_pt, height_pt = page.get_size()
            dpi = 72.0 * PDF_TARGET_LONG_SIDE_PX / max(width_pt, height_pt, 1.0)
            dpi = min(max(dpi, PDF_MIN_DPI), PDF_MAX_DPI)
            w_px, h_px = math.ceil(width_pt * dpi / 72.0), math.ceil(height_pt * dpi / 72.0)
            check_image_size(w_px, h_px, f"Page {page_index + 1} of {name}")
            bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True)  # RGB(A) byte order
            pixels = bitmap.to_numpy()
        except pdfium.PdfiumError as exc:
            raise FloorplanImportError(f"Page {page_index + 1} of {name} cannot be drawn ({exc}).") from None
    finally:
        pdf.close()
    rgb = pixels[:, :, :3]
    return RenderedPage(png=encode_png(rgb), width_px=rgb.shape[1], height_px=rgb.shape[0], dpi=dpi,
                        page_index=page_index, page_count=count)


# -- DXF -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DxfDrawing:
    """Wall-candidate segments of a DXF in metres (DXF frame, y up), grouped by layer."""

    segments_by_layer: dict[str, tuple[tuple[float, float, float, float], ...]]
    metres_per_unit: float
    units_note: str  # what the units came from, for the status bar

    @property
    def layer_counts(self) -> dict[str, int]:
        return {layer: len(segs) for layer, segs in self.segments_by_layer.items()}


def read_dxf(data: bytes, name: str = "The DXF") -> DxfDrawing:
    """Parse a DXF (ASCII or binary) and collect its line segments per layer, in metres."""
    import ezdxf
    from ezdxf import recover
    from ezdxf.units import InsertUnits, conversion_factor, unit_name

    try:
        doc, auditor = recover.read(io.BytesIO(data))
    except (ezdxf.DXFStructureError, ezdxf.DXFError, UnicodeDecodeError, ValueError, EOFError) as exc:
        raise FloorplanImportError(f"{name} is not a readable DXF ({exc}). Export it again from the CAD "
                                   "program as DXF (R2000 or later).") from None
    if auditor.has_errors:
        log.warning("%s: %d DXF errors repaired on load", name, len(auditor.errors))
    insunits = int(doc.header.get("$INSUNITS", 0) or 0)
    if insunits == 0:
        metric = int(doc.header.get("$MEASUREMENT", 1)) == 1
        insunits = _UNITLESS_METRIC if metric else _UNITLESS_IMPERIAL
        note = f"the DXF does not state its units; assumed {unit_name(insunits)}"
    else:
        note = f"units from the DXF header: {unit_name(insunits)}"
    try:
        factor = conversion_factor(insunits, InsertUnits.Meters)
    except (KeyError, ValueError, ZeroDivisionError):
        raise FloorplanImportError(f"{name} uses drawing units evsurvey does not know ($INSUNITS={insunits}).") from None

    segments: dict[str, list[tuple[float, float, float, float]]] = {}

    def add(layer: str, a, b) -> None:
        if (a[0], a[1]) != (b[0], b[1]):
            segments.setdefault(layer, []).append((a[0] * factor, a[1] * factor, b[0] * factor, b[1] * factor))

    def collect(entity, layer_override: str | None = None) -> None:
        kind = entity.dxftype()
        layer = layer_override or entity.dxf.get("layer", "0")
        if kind == "LINE":
            add(layer, entity.dxf.start, entity.dxf.end)
        elif kind == "LWPOLYLINE":
            points = [(p[0], p[1]) for p in entity.get_points("xy")]
            _add_polyline(add, layer, points, entity.closed)
        elif kind == "POLYLINE" and not (entity.is_poly_face_mesh or entity.is_polygon_mesh):
            points = [(v.dxf.location[0], v.dxf.location[1]) for v in entity.vertices]
            _add_polyline(add, layer, points, entity.is_closed)
        elif kind == "INSERT":
            # Blocks (a standard wall segment drawn once and inserted many times).
            try:
                for sub in entity.virtual_entities():
                    collect(sub, layer if sub.dxf.get("layer", "0") == "0" else None)
            except (ezdxf.DXFError, ValueError, ZeroDivisionError):
                log.warning("%s: block %s skipped (cannot be exploded)", name, entity.dxf.get("name", "?"))

    for entity in doc.modelspace():
        collect(entity)
    if not segments:
        raise FloorplanImportError(f"{name} has no lines or polylines in its model space; nothing to turn into walls.")
    return DxfDrawing({k: tuple(v) for k, v in segments.items()}, factor, note)


def _add_polyline(add, layer, points, closed) -> None:
    for a, b in zip(points, points[1:]):
        add(layer, a, b)
    if closed and len(points) > 2:
        add(layer, points[-1], points[0])


def dxf_walls(drawing: DxfDrawing, layers, material_id: str, margin_m: float = 1.0) -> tuple[Wall, ...]:
    """Walls from the segments on *layers*: y flipped (site y points down), the drawing's
    bounding box moved to (*margin_m*, *margin_m*)."""
    chosen = [seg for layer in layers for seg in drawing.segments_by_layer.get(layer, ())]
    if not chosen:
        raise FloorplanImportError("The chosen layers have no lines; choose the layers the walls are drawn on.")
    arr = np.array(chosen, dtype=float)
    x_min = min(arr[:, 0].min(), arr[:, 2].min())
    y_max = max(arr[:, 1].max(), arr[:, 3].max())
    return tuple(Wall(float(x1 - x_min + margin_m), float(y_max - y1 + margin_m),
                      float(x2 - x_min + margin_m), float(y_max - y2 + margin_m), material_id)
                 for x1, y1, x2, y2 in arr)
