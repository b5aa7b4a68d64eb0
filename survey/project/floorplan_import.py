"""Reading floorplans from untrusted files without Qt: raster images, PDF pages, SVG, DXF walls.

A floorplan comes from a customer's mail or a builder's CAD export, so every reader here is
bounded in memory, time and element count *before* the expensive library call, and runs in
a separate process (:mod:`survey.project.plan_worker`) that the GUI can cancel and that
has its own memory ceiling:

* Images: allow-listed formats only, the pixel size read from the header and refused above
  the limit before anything is decoded (:mod:`survey.project.images`).
* PDF: the page's declared size gives the pixel size of the render (capped), and every
  stream the page draws is decoded first with pypdf under a byte cap - pdfium's own page
  parser holds ~17x the content size in memory and aborts the process when an allocation
  fails (a 3 MB PDF inflating to 1.5 GB took 7.9 GB and ended in SIGABRT; a 105 MB content
  stream alone took 1.7 GB and 31 s). Form XObjects drawn inside forms are counted with
  their repeats, so a small file cannot ask for a billion copies. Annotations and form
  fields are not drawn.
* SVG: parsed with the standard library, entity declarations refused, elements counted with
  every ``<use>`` expanded, nesting depth bounded, and **no external reference resolved**:
  ``href``s other than ``#fragment`` (and ``data:`` images that pass the image checks),
  ``url()``s other than ``url(#id)`` and ``@import`` are removed before Qt sees the file,
  so an ``<image href="/home/me/secret.png">`` cannot copy a local file into a project
  that is then mailed. The cleaned SVG is rasterised by the GUI's Qt code.
* DXF: file size and object count checked before ezdxf parses anything; block inserts
  expanded with a segment budget, a nesting-depth limit and a check for blocks that insert
  themselves. Lines and polylines on chosen layers become walls, in metres from the
  header's ``$INSUNITS``; DXF's y axis points up, the site's down, so y is flipped.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import math
import re
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from survey.errors import UserInputError
from survey.project import images
from survey.project.model import Wall

if TYPE_CHECKING:  # imported where it is used, on import of an SVG
    import xml.etree.ElementTree as ET

log = logging.getLogger(__name__)

#: Largest floorplan file read at all (bytes). A plan PDF or a photo is a few MB; a file
#: far above this is not a floorplan and would only fill memory.
MAX_FILE_BYTES = 200 * 1024 * 1024

#: PDF pages render so that the longer side has about this many pixels (enough to read
#: dimension text on an A3/A1 plan when zoomed in), at no less than 72 and no more than
#: 300 dpi (a vector page gains nothing above print resolution).
PDF_TARGET_LONG_SIDE_PX = 3000
PDF_MIN_DPI = 72.0
PDF_MAX_DPI = 300.0
#: Decoded bytes of all the streams one page draws (content, forms, fonts, patterns), images
#: aside. pdfium keeps ~17 bytes of page objects per byte of path operators (measured:
#: 105 MB -> 1.7 GB), so 32 MiB stays near 550 MB; a detailed CAD plan page is a few MB.
PDF_MAX_STREAM_BYTES = 32 * 1024 * 1024
#: Form XObjects a page may draw, counting every repeat of a form drawn inside another.
PDF_MAX_FORM_DRAWS = 100_000
#: Objects the page check may visit (the whole object graph one page reaches).
PDF_MAX_OBJECTS = 200_000
#: Pixels of one image embedded in a PDF page (pdfium decodes it whole before scaling):
#: an A0 sheet scanned at 300 dpi (14043 x 9933) fits.
PDF_MAX_IMAGE_PIXELS = 150_000_000

#: A PDF page of unknown drawing scale gets this provisional scale until calibrated:
#: one PDF point (1/72 in) = 1 cm, i.e. a 1:28 drawing - close to the 1:20 / 1:50 scales
#: plans are drawn at, so the first view is the right order of magnitude.
PDF_PROVISIONAL_M_PER_POINT = 0.01

#: SVG plans are rasterised so that the longer side has this many pixels: sharp enough
#: to trace walls over when zoomed in, far below the image size limit.
SVG_LONG_SIDE_PX = 3000
#: Elements an SVG may draw, every <use> counted with what it copies. A house plan exported
#: from a CAD or drawing program has a few thousand; Qt draws 100,000 in a few seconds.
SVG_MAX_ELEMENTS = 100_000
#: Nesting depth of SVG elements, references through <use> included (Qt's renderer
#: recurses per level; real drawings nest a dozen levels at most).
SVG_MAX_DEPTH = 64

#: A raster image without a scale gets this provisional metres-per-pixel until the user
#: calibrates it: its longer side is shown 20 m long (a house with its garage).
PROVISIONAL_LONG_SIDE_M = 20.0

#: Largest DXF file parsed. ezdxf holds ~20x the file in memory and reads ~10 MB/s on a
#: 2-core laptop (11.5 MB of 100,000 lines: 250 MB, 8-16 s); a floor's walls are far smaller.
DXF_MAX_BYTES = 50 * 1024 * 1024
#: Objects (entities, table entries, ...) in a DXF file, counted before ezdxf parses it.
DXF_MAX_OBJECTS = 100_000
#: Wall-candidate segments collected, every block insert expanded.
DXF_MAX_SEGMENTS = 50_000
#: Entities visited while expanding blocks (a block of blocks of blocks...).
DXF_MAX_VISITS = 100_000
#: Blocks inside blocks (AutoCAD drawings nest a few levels: a door in a wall in a unit).
DXF_MAX_BLOCK_DEPTH = 8

#: DXF files that do not say their units ($INSUNITS = 0): metric drawings are nearly
#: always in millimetres, imperial ones in inches ($MEASUREMENT 1 / 0; AutoCAD DXF reference).
_UNITLESS_METRIC = 4  # millimetres
_UNITLESS_IMPERIAL = 1  # inches

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tif", ".tiff")

#: Progress callback of the long readers: a short sentence and the share done (None = unknown).
Progress = Callable[[str, "float | None"], None]


def no_progress(_text: str, _fraction: float | None = None) -> None:
    """A :data:`Progress` that reports nowhere."""
    return None


class FloorplanImportError(UserInputError):
    """A floorplan file cannot be imported (unreadable, corrupt, unsupported, too big)."""


def detect_kind(name: str, data: bytes) -> str:
    """``"pdf"``, ``"dxf"``, ``"svg"`` or ``"image"`` from the content, falling back to the suffix."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return "svg"
    if images.sniff_format(data) is not None:
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
    raise FloorplanImportError(
        f"{Path(name).name} is not a floorplan evsurvey can read. Use a PNG, JPEG, BMP, "
        "WebP, GIF, TIFF or SVG image, a PDF or a DXF drawing."
    )


def read_plan_file(path: str | Path) -> bytes:
    """The bytes of a plan file, refused above :data:`MAX_FILE_BYTES` before reading."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FloorplanImportError(
            f"{path.name} is {size / 2**20:.0f} MB; that is not a floorplan evsurvey can "
            f"open (up to {MAX_FILE_BYTES / 2**20:.0f} MB). Export the plan page on its own."
        )
    return path.read_bytes()


def provisional_metres_per_px(width_px: int, height_px: int) -> float:
    return PROVISIONAL_LONG_SIDE_M / max(width_px, height_px, 1)


@dataclass(frozen=True)
class PlanImage:
    """A raster plan ready to be stored: the bytes (PNG or JPEG), their size, a provisional
    scale, the name to show, and a note for the status bar (what was left out, the dpi)."""

    image: bytes
    image_format: str
    width_px: int
    height_px: int
    metres_per_px: float
    source_name: str
    note: str = ""


# -- raster images ------------------------------------------------------------------------------
def import_image(data: bytes, name: str = "The image", progress: Progress = no_progress) -> PlanImage:
    """Check and decode a raster plan once (so a damaged file is refused now, not at every
    load); PNG and JPEG are stored as they are, the other formats as PNG."""
    progress(f"Decoding {name}…", None)
    image = images.load_image(images.open_image(data, name), name)
    fmt = images.sniff_format(data)
    width_px, height_px = image.size
    if fmt in ("png", "jpeg"):
        stored = data
    else:  # keep what every consumer (report, other tools) reads: PNG
        progress(f"Converting {name} to PNG…", None)
        if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
            image = image.convert("RGBA")
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=3)
        stored, fmt = buf.getvalue(), "png"
    return PlanImage(stored, fmt, width_px, height_px, provisional_metres_per_px(width_px, height_px), Path(name).name)


# -- PNG encoding (for rendered PDF pages) ---------------------------------------------------------
def encode_png(rgb: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, 3) uint8 RGB array.

    Written here with zlib (a few chunks: signature, IHDR, one IDAT of filter-0 rows, IEND)
    so that rendering a page needs no imaging library besides pdfium.
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, channels = rgb.shape
    if channels != 3:
        raise ValueError("encode_png expects RGB")
    rows = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit truecolour, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


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
        raise FloorplanImportError(
            f"{name} is not a readable PDF ({exc}). Export the plan to PDF again, "
            "or save the page as a PNG and import that."
        ) from None


def pdf_page_count(data: bytes, name: str = "The PDF") -> int:
    pdf = _open_pdf(data, name)
    try:
        count = len(pdf)
    finally:
        pdf.close()
    if count == 0:
        raise FloorplanImportError(f"{name} has no pages.")
    return count


#: A content-stream operator drawing an XObject by name: "/Name Do". Bounded pieces only
#: (a name is a run of regular characters, then whitespace, then Do), so it is linear.
_PDF_DO = re.compile(rb"/([^\s/<>\[\]()%{}]{1,127})\s{0,16}Do(?![A-Za-z])")


class _PdfPageCheck:
    """Decoded-size, form-repeat and image-size checks of one page, read with pypdf under
    our byte caps (pypdf stops inflating at the cap, so the check itself stays small)."""

    def __init__(self, name: str):
        self.name = name
        self.stream_bytes = 0
        self.form_draws = 0
        self.objects = 0
        self._draws_memo: dict[int, int] = {}

    def refuse(self, what: str) -> FloorplanImportError:
        return FloorplanImportError(
            f"{self.name} {what}; evsurvey does not draw pages that big. Export the plan "
            "page again (e.g. print it to PDF at a lower detail) or save it as a PNG."
        )

    def resolve(self, obj):
        from pypdf.generic import IndirectObject

        while isinstance(obj, IndirectObject):
            self.objects += 1
            if self.objects > PDF_MAX_OBJECTS:
                raise self.refuse(f"refers to more than {PDF_MAX_OBJECTS:,} objects from one page")
            obj = obj.get_object()
        return obj

    def decoded(self, stream) -> bytes:
        data = stream.get_data()
        self.stream_bytes += len(data)
        if self.stream_bytes > PDF_MAX_STREAM_BYTES:
            raise self.refuse(
                f"has more than {PDF_MAX_STREAM_BYTES / 2**20:.0f} MB of drawing instructions on this page"
            )
        return data

    def check_image(self, stream) -> None:
        width = int(self.resolve(stream.get("/Width", 0)) or 0)
        height = int(self.resolve(stream.get("/Height", 0)) or 0)
        filters = self.resolve(stream.get("/Filter"))
        if (list(filters) if isinstance(filters, list) else [filters]) == ["/DCTDecode"]:
            header = images.header_size(stream.get_data())  # a JPEG: pdfium decodes what its header says
            if header is not None:
                width, height = max(width, header[1]), max(height, header[2])
        if width * height > PDF_MAX_IMAGE_PIXELS:
            raise self.refuse(f"holds an image of {width} x {height} pixels")

    def walk(self, obj, seen: set[int]) -> None:
        """Decode every non-image stream reachable from ``obj`` once; check every image."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                if item.idnum in seen:
                    continue
                seen.add(item.idnum)
            item = self.resolve(item)
            if isinstance(item, StreamObject):
                if item.get("/Subtype") == "/Image":
                    self.check_image(item)
                else:
                    self.decoded(item)
            if isinstance(item, DictionaryObject):
                stack.extend(v for k, v in item.items() if k not in ("/Parent", "/P", "/Annots", "/Length"))
            elif isinstance(item, ArrayObject):
                stack.extend(item)

    def draws(self, content: bytes, resources, depth: int = 0) -> int:
        """Forms drawn by ``content`` with every repeat inside forms counted."""
        from pypdf.generic import IndirectObject

        if depth > 32:  # pdfium stops at 40 nested forms; deeper is never a plan
            raise self.refuse("nests forms inside forms more than 32 levels deep")
        xobjects = self.resolve(self.resolve(resources).get("/XObject", {})) if resources is not None else {}
        total = 0
        for raw_name, repeats in Counter(_PDF_DO.findall(content)).items():
            ref = xobjects.get("/" + raw_name.decode("latin-1"))
            form = self.resolve(ref)
            if form is None or form.get("/Subtype") != "/Form":
                total += repeats
                continue
            key = ref.idnum if isinstance(ref, IndirectObject) else id(form)
            if key not in self._draws_memo:
                self._draws_memo[key] = -1  # a form that draws itself counts as too many
                inner = self.draws(form.get_data(), form.get("/Resources", resources), depth + 1)
                self._draws_memo[key] = inner
            inner = self._draws_memo[key]
            if inner < 0:
                raise self.refuse("has a form that draws itself")
            total += repeats * (1 + inner)
            if total > PDF_MAX_FORM_DRAWS:
                raise self.refuse(f"draws more than {PDF_MAX_FORM_DRAWS:,} copies of its forms")
        return total


def check_pdf_page(data: bytes, page_index: int, name: str = "The PDF") -> None:
    """Refuse a page whose streams would make pdfium use too much memory or time (see the
    module docstring); :class:`FloorplanImportError` with a plain message."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    cap = PDF_MAX_STREAM_BYTES + 1
    check = _PdfPageCheck(f"Page {page_index + 1} of {name}")
    # pypdf never runs its external JBIG2 decoder here (jbig2dec_binary=None).
    with apply_configuration(
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        jbig2dec_binary=None,
        maximum_declared_stream_length=MAX_FILE_BYTES,
    ):
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            page = reader.pages[page_index]
            seen: set[int] = set()
            check.walk(page.get("/Contents"), seen)
            check.walk(page.get("/Resources"), seen)
            contents = check.resolve(page.get("/Contents"))
            parts = contents if isinstance(contents, list) else [contents] if contents is not None else []
            content = b"\n".join(check.resolve(part).get_data() for part in parts)
            check.draws(content, page.get("/Resources"))
        except LimitReachedError:
            raise check.refuse(f"has a stream that inflates past {PDF_MAX_STREAM_BYTES / 2**20:.0f} MB") from None
        except FloorplanImportError:
            raise
        except (
            PyPdfError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
            AttributeError,
            RecursionError,
            zlib.error,
        ) as exc:
            # pypdf is stricter than pdfium about some damage; pdfium (in its memory-capped
            # worker) gets the last word then.
            log.info("%s: pypdf could not check the page (%s); drawing it anyway", name, exc)


#: Long side (px) of the page pictures the import dialog shows (it scales them down for the
#: thumbnails), and how many pages get one: a long set of drawings still opens at once.
PDF_PREVIEW_PX = 520
PDF_MAX_PREVIEWS = 40

#: (left, top, right, bottom) as shares 0..1 of a page's width and height.
Crop = tuple[float, float, float, float]


def pdf_previews(
    data: bytes, name: str = "The PDF", long_side_px: int = PDF_PREVIEW_PX, max_pages: int = PDF_MAX_PREVIEWS
) -> tuple[bytes | None, ...]:
    """A small PNG of each of the first ``max_pages`` pages, None for a page that cannot be
    drawn (or is refused by :func:`check_pdf_page`): the import dialog shows them. When no
    page can be drawn, the first page's refusal is raised: there is nothing to choose from."""
    import pypdfium2 as pdfium

    pdf = _open_pdf(data, name)
    first_error: FloorplanImportError | None = None
    try:
        out: list[bytes | None] = []
        for index in range(min(len(pdf), max_pages)):
            try:
                check_pdf_page(data, index, name)
                width_pt, height_pt = pdf.get_page_size(index)
                page = pdf[index]
                bitmap = page.render(
                    scale=long_side_px / max(width_pt, height_pt, 1.0),
                    rev_byteorder=True,
                    may_draw_forms=False,
                    draw_annots=False,
                )
                out.append(encode_png(np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])))
            except (FloorplanImportError, pdfium.PdfiumError) as exc:
                log.info("%s: no preview of page %d (%s)", name, index + 1, exc)
                if first_error is None:
                    first_error = (
                        exc
                        if isinstance(exc, FloorplanImportError)
                        else FloorplanImportError(f"Page {index + 1} of {name} cannot be drawn ({exc}).")
                    )
                out.append(None)
    finally:
        pdf.close()
    if first_error is not None and not any(out):
        raise first_error
    return tuple(out)


def crop_pixels(rgb: np.ndarray, crop: Crop | None) -> np.ndarray:
    """``rgb`` (H, W, 3) cut to ``crop``; the whole array when None. The scale of the page is
    unchanged: metres per pixel do not change when pixels are cut away."""
    if crop is None:
        return rgb
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = (min(max(float(v), 0.0), 1.0) for v in crop)
    left, top = round(min(x0, x1) * w), round(min(y0, y1) * h)
    right, bottom = max(left + 1, round(max(x0, x1) * w)), max(top + 1, round(max(y0, y1) * h))
    return rgb[top:bottom, left:right]


def render_pdf_page(
    data: bytes, page_index: int = 0, name: str = "The PDF", progress: Progress = no_progress, crop: Crop | None = None
) -> RenderedPage:
    """Render one page (0-based) to PNG at a resolution fit for tracing walls over it, cut to
    ``crop`` (the drawing without the title block and margins) when given."""
    import pypdfium2 as pdfium

    pdf = _open_pdf(data, name)
    try:
        count = len(pdf)
        if not 0 <= page_index < count:
            raise FloorplanImportError(f"{name} has {count} page(s); there is no page {page_index + 1}.")
        width_pt, height_pt = pdf.get_page_size(page_index)  # the declared size: nothing parsed yet
        dpi = 72.0 * PDF_TARGET_LONG_SIDE_PX / max(width_pt, height_pt, 1.0)
        dpi = min(max(dpi, PDF_MIN_DPI), PDF_MAX_DPI)
        w_px, h_px = math.ceil(width_pt * dpi / 72.0), math.ceil(height_pt * dpi / 72.0)
        images.check_image_size(w_px, h_px, f"Page {page_index + 1} of {name}")
        progress(f"Checking page {page_index + 1} of {name}…", None)
        check_pdf_page(data, page_index, name)
        progress(f"Drawing page {page_index + 1} of {name}…", None)
        try:
            page = pdf[page_index]
            bitmap = page.render(
                scale=dpi / 72.0,
                rev_byteorder=True,  # RGB(A) byte order
                may_draw_forms=False,
                draw_annots=False,
            )
            pixels = bitmap.to_numpy()
        except pdfium.PdfiumError as exc:
            raise FloorplanImportError(f"Page {page_index + 1} of {name} cannot be drawn ({exc}).") from None
    finally:
        pdf.close()
    rgb = np.ascontiguousarray(crop_pixels(pixels[:, :, :3], crop))
    progress(f"Encoding page {page_index + 1} of {name}…", None)
    return RenderedPage(
        png=encode_png(rgb),
        width_px=rgb.shape[1],
        height_px=rgb.shape[0],
        dpi=dpi,
        page_index=page_index,
        page_count=count,
    )


def import_pdf_page(
    data: bytes, page_index: int, name: str, progress: Progress = no_progress, crop: Crop | None = None
) -> PlanImage:
    page = render_pdf_page(data, page_index, name, progress, crop)
    return PlanImage(
        page.png,
        "png",
        page.width_px,
        page.height_px,
        page.provisional_metres_per_px,
        f"{Path(name).name} (page {page_index + 1}{', cropped' if crop else ''})",
        f"page {page_index + 1} of {page.page_count} at {page.dpi:.0f} dpi",
    )


# -- SVG ------------------------------------------------------------------------------------------------
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"

#: SVG elements kept (what a plan draws with); everything else - script, foreignObject,
#: filters and feImage, animation, fonts, markers, other namespaces - is dropped.
_SVG_KEPT = frozenset(
    {
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "switch",
        "a",
        "title",
        "desc",
        "style",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "image",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
    }
)
#: Attributes that may hold a url(): fill="url(#g)" is internal, url(other.svg#g) is not.
_URL = re.compile(r"url\(\s{0,16}(['\"]?)([^)'\"]{0,4096})\1\s{0,16}\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)


@dataclass(frozen=True)
class CleanSvg:
    """An SVG with every external reference removed and its size counted.

    ``svg``: the cleaned document (UTF-8), ``drawn_elements``: elements with <use> expanded,
    ``removed_references``: external references taken out (each would have been a file or
    URL read by the renderer), ``removed_elements``: elements outside the kept set.
    """

    svg: bytes
    drawn_elements: int
    removed_references: int
    removed_elements: int

    @property
    def note(self) -> str:
        parts = []
        if self.removed_references:
            parts.append(
                f"{self.removed_references} external reference(s) not loaded (evsurvey never reads files "
                "or addresses an SVG points to)"
            )
        if self.removed_elements:
            parts.append(f"{self.removed_elements} unsupported element(s) left out")
        return "; ".join(parts)


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _refuse_svg(name: str, what: str) -> FloorplanImportError:
    return FloorplanImportError(
        f"{name} {what}; evsurvey does not import it. Export the plan again as a plain SVG (or a PNG) and import that."
    )


def _parse_svg(data: bytes, name: str) -> ET.Element:
    """The element tree, parsed incrementally so that the element count and the depth are
    checked while reading (a huge or deeply nested file stops early)."""
    import xml.etree.ElementTree as ET

    # Entity declarations are how XML bombs ("billion laughs") and external entities are
    # built; a drawing program never writes them.
    if b"<!ENTITY" in data or b"<!entity" in data:
        raise _refuse_svg(name, "declares XML entities")
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    depth = count = 0
    root = None
    try:
        for offset in range(0, len(data), 1 << 16):
            parser.feed(data[offset : offset + (1 << 16)])
            # Only "start" and "end" were asked for, and those give (event, element); the
            # stub's union also covers the namespace and comment events.
            for event, element in cast("Iterator[tuple[str, ET.Element]]", parser.read_events()):
                if event == "start":
                    root = element if root is None else root
                    count += 1
                    depth += 1
                    if count > SVG_MAX_ELEMENTS:
                        raise _refuse_svg(name, f"has more than {SVG_MAX_ELEMENTS:,} elements")
                    if depth > SVG_MAX_DEPTH:
                        raise _refuse_svg(name, f"nests elements more than {SVG_MAX_DEPTH} levels deep")
                else:
                    depth -= 1
        parser.close()
    except ET.ParseError as exc:
        raise FloorplanImportError(
            f"{name} is not a valid SVG drawing ({exc}). Export it again or use a PNG."
        ) from None
    if root is None or _local(root.tag) != (SVG_NS, "svg"):
        raise FloorplanImportError(f"{name} is not an SVG drawing (its root element is not <svg>).")
    return root


def _data_uri_ok(value: str, pixels_left: int) -> int | None:
    """Pixels of a ``data:`` URI holding an allowed raster image, None if it is anything else."""
    header, comma, payload = value.partition(",")
    if not comma or ";base64" not in header.lower():
        return None
    try:
        blob = base64.b64decode(payload, validate=False)
        info = images.image_info(blob, "An image inside the SVG")
    except (binascii.Error, ValueError, images.ImageError):
        return None
    pixels = info.width_px * info.height_px
    return pixels if pixels <= pixels_left else None


def sanitize_svg(data: bytes, name: str = "The SVG") -> CleanSvg:
    """Check and clean an SVG for rasterising: see the module docstring."""
    import xml.etree.ElementTree as ET

    root = _parse_svg(data, name)
    removed_refs = removed_elements = 0
    embedded_pixels_left = images.MAX_IMAGE_PIXELS

    def clean_urls(text: str) -> str:
        nonlocal removed_refs

        def keep_internal(match: re.Match) -> str:
            nonlocal removed_refs
            if match.group(2).strip().startswith("#"):
                return match.group(0)
            removed_refs += 1
            return "none"

        return _URL.sub(keep_internal, text)

    by_id: dict[str, ET.Element] = {}
    stack = [root]
    while stack:
        element = stack.pop()
        for child in list(element):
            ns, local = _local(child.tag) if isinstance(child.tag, str) else ("", "")
            if ns != SVG_NS or local not in _SVG_KEPT:
                element.remove(child)
                removed_elements += 1
                continue
            stack.append(child)
        ns, local = _local(element.tag)
        for attr in list(element.attrib):
            attr_ns, attr_local = _local(attr)
            value = element.attrib[attr]
            if (
                attr_ns not in ("", XLINK_NS, _XML_NS)
                or attr_local.lower().startswith("on")
                or (attr_ns == _XML_NS and attr_local == "base")
            ):
                del element.attrib[attr]
            elif attr_local == "href":
                if value.strip().startswith("#"):
                    continue
                pixels = _data_uri_ok(value.strip(), embedded_pixels_left) if local == "image" else None
                if pixels is None:
                    del element.attrib[attr]
                    removed_refs += 1
                else:
                    embedded_pixels_left -= pixels
            elif "url(" in value.lower():
                element.attrib[attr] = clean_urls(value)
        if local == "style" and element.text:
            if _CSS_IMPORT.search(element.text):
                element.text = ""
                removed_refs += 1
            else:
                element.text = clean_urls(element.text)
        if "id" in element.attrib:
            by_id.setdefault(element.attrib["id"], element)

    drawn = _drawn_elements(root, by_id, name)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return CleanSvg(ET.tostring(root, encoding="utf-8"), drawn, removed_refs, removed_elements)


def _drawn_elements(root, by_id: dict, name: str) -> int:
    """Elements drawn with every <use> replaced by what it refers to; refuses a reference
    cycle, a depth above :data:`SVG_MAX_DEPTH` and a total above :data:`SVG_MAX_ELEMENTS`.

    Memoised per element (count, height), so it is linear in the file however the uses fan out.
    """
    memo: dict[int, tuple[int, int]] = {}
    visiting: set[int] = set()

    def size(element, depth: int) -> tuple[int, int]:
        key = id(element)
        if key in visiting:
            raise _refuse_svg(name, "has a <use> that refers to itself")
        if key not in memo:
            visiting.add(key)
            count, height = 1, 0
            children = list(element)
            if _local(element.tag)[1] == "use":
                href = element.attrib.get(f"{{{XLINK_NS}}}href") or element.attrib.get("href") or ""
                target = by_id.get(href.strip()[1:]) if href.strip().startswith("#") else None
                if target is not None:
                    children.append(target)
            for child in children:
                child_count, child_height = size(child, depth + 1)
                count += child_count
                height = max(height, child_height + 1)
                if count > SVG_MAX_ELEMENTS:
                    raise _refuse_svg(
                        name, f"draws more than {SVG_MAX_ELEMENTS:,} elements once its <use> copies are counted"
                    )
            visiting.discard(key)
            memo[key] = (count, height)
        count, height = memo[key]
        if depth + height > SVG_MAX_DEPTH:
            raise _refuse_svg(name, f"nests elements (through <use>) more than {SVG_MAX_DEPTH} levels deep")
        return count, height

    return size(root, 0)[0]


# -- DXF -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DxfDrawing:
    """Wall-candidate segments of a DXF in metres (DXF frame, y up), grouped by layer."""

    segments_by_layer: dict[str, tuple[tuple[float, float, float, float], ...]]
    metres_per_unit: float
    units_note: str  # what the units came from, for the status bar
    skipped_note: str = ""  # blocks left out (inserting themselves, nested too deep)

    @property
    def layer_counts(self) -> dict[str, int]:
        return {layer: len(segs) for layer, segs in self.segments_by_layer.items()}


#: An ASCII DXF group code 0 line ("  0") followed by its value, an object type name: the
#: start of one object. Value lines that read "0" are followed by a group code (digits),
#: never by a letter, so they do not match. Anchored and bounded: linear.
_DXF_OBJECT = re.compile(rb"^[ \t]{0,8}0[ \t]{0,8}\r?\n[A-Za-z_$]", re.MULTILINE)


def count_dxf_objects(data: bytes, stop_after: int = DXF_MAX_OBJECTS) -> int:
    """Objects in an ASCII DXF (stops counting past ``stop_after``); binary DXF counts its bytes / 32."""
    if data.startswith(b"AutoCAD Binary DXF"):
        return len(data) // 32  # a binary entity is some 30+ bytes: an upper bound of the count
    count = 0
    for _ in _DXF_OBJECT.finditer(data):
        count += 1
        if count > stop_after:
            break
    return count


def read_dxf(data: bytes, name: str = "The DXF", progress: Progress = no_progress) -> DxfDrawing:
    """Parse a DXF (ASCII or binary) and collect its line segments per layer, in metres."""
    if len(data) > DXF_MAX_BYTES:
        raise FloorplanImportError(
            f"{name} is {len(data) / 2**20:.0f} MB; evsurvey imports DXF drawings up to "
            f"{DXF_MAX_BYTES / 2**20:.0f} MB. Export only the wall layers of the floor "
            "(e.g. with WBLOCK or LAYISO) and import that."
        )
    if count_dxf_objects(data) > DXF_MAX_OBJECTS:
        raise FloorplanImportError(
            f"{name} has more than {DXF_MAX_OBJECTS:,} drawing objects; evsurvey imports "
            "drawings up to that. Export only the wall layers of the floor "
            "(e.g. with WBLOCK or LAYISO) and import that."
        )
    import ezdxf
    from ezdxf import recover
    from ezdxf.units import InsertUnits, conversion_factor, unit_name

    progress(f"Reading {name}…", None)
    try:
        doc, auditor = recover.read(io.BytesIO(data))
    except (ezdxf.DXFStructureError, ezdxf.DXFError, UnicodeDecodeError, ValueError, EOFError) as exc:
        raise FloorplanImportError(
            f"{name} is not a readable DXF ({exc}). Export it again from the CAD program as DXF (R2000 or later)."
        ) from None
    if auditor.has_errors:
        log.warning("%s: %d DXF errors found on load", name, len(auditor.errors))
    insunits = int(doc.header.get("$INSUNITS", 0) or 0)
    if insunits == 0:
        metric = int(doc.header.get("$MEASUREMENT", 1)) == 1
        insunits = _UNITLESS_METRIC if metric else _UNITLESS_IMPERIAL
        note = f"the DXF does not state its units; assumed {unit_name(insunits)}"
    else:
        note = f"units from the DXF header: {unit_name(insunits)}"
    try:
        factor = conversion_factor(InsertUnits(insunits), InsertUnits.Meters)
    except (KeyError, ValueError, TypeError, ZeroDivisionError):  # TypeError: a unit ezdxf cannot convert
        raise FloorplanImportError(
            f"{name} uses drawing units evsurvey does not know ($INSUNITS={insunits})."
        ) from None

    collector = _DxfCollector(name, factor, progress)
    modelspace = doc.modelspace()
    total = max(len(modelspace), 1)
    for index, entity in enumerate(modelspace):
        collector.collect(entity, None, ())
        if index % 500 == 0:
            progress(f"Collecting walls from {name}…", index / total)
    if not collector.segments:
        raise FloorplanImportError(f"{name} has no lines or polylines in its model space; nothing to turn into walls.")
    return DxfDrawing({k: tuple(v) for k, v in collector.segments.items()}, factor, note, collector.skipped_note)


class _DxfCollector:
    """Segments per layer from entities, block inserts expanded within the budgets."""

    def __init__(self, name: str, factor: float, progress: Progress):
        self.name = name
        self.factor = factor
        self.progress = progress
        self.segments: dict[str, list[tuple[float, float, float, float]]] = {}
        self.count = 0
        self.visits = 0
        self.skipped: Counter[tuple[str, str]] = Counter()  # (block, why skipped) -> inserts

    @property
    def skipped_note(self) -> str:
        return "; ".join(
            f"{n} insert(s) of block {block} skipped ({why})" for (block, why), n in sorted(self.skipped.items())
        )

    def too_big(self, what: str) -> FloorplanImportError:
        return FloorplanImportError(
            f"{self.name} {what}; evsurvey imports up to {DXF_MAX_SEGMENTS:,} lines. "
            "Export only the wall layers of the floor (e.g. with WBLOCK or LAYISO) and "
            "import that."
        )

    def add(self, layer: str, a, b) -> None:
        if (a[0], a[1]) != (b[0], b[1]):
            self.count += 1
            if self.count > DXF_MAX_SEGMENTS:
                raise self.too_big(f"has more than {DXF_MAX_SEGMENTS:,} lines once its blocks are drawn")
            f = self.factor
            self.segments.setdefault(layer, []).append((a[0] * f, a[1] * f, b[0] * f, b[1] * f))

    def polyline(self, layer: str, points, closed: bool) -> None:
        if len(points) > DXF_MAX_SEGMENTS:
            raise self.too_big(f"has a polyline of {len(points):,} points")
        for a, b in zip(points, points[1:]):
            self.add(layer, a, b)
        if closed and len(points) > 2:
            self.add(layer, points[-1], points[0])

    def collect(self, entity, layer_override: str | None, blocks: tuple[str, ...]) -> None:
        import ezdxf

        self.visits += 1
        if self.visits > DXF_MAX_VISITS:
            raise self.too_big(f"has more than {DXF_MAX_VISITS:,} drawing objects once its blocks are expanded")
        kind = entity.dxftype()
        layer = layer_override or entity.dxf.get("layer", "0")
        if kind == "LINE":
            self.add(layer, entity.dxf.start, entity.dxf.end)
        elif kind == "LWPOLYLINE":
            self.polyline(layer, [(p[0], p[1]) for p in entity.get_points("xy")], entity.closed)
        elif kind == "POLYLINE" and not (entity.is_poly_face_mesh or entity.is_polygon_mesh):
            self.polyline(layer, [(v.dxf.location[0], v.dxf.location[1]) for v in entity.vertices], entity.is_closed)
        elif kind == "INSERT":
            # Blocks (a standard wall segment drawn once and inserted many times), expanded
            # one level at a time so the budgets above stop a block of blocks of blocks early.
            block = entity.dxf.get("name", "?")
            if block in blocks:
                self.skipped[(block, "it inserts itself")] += 1
                return
            if len(blocks) >= DXF_MAX_BLOCK_DEPTH:
                self.skipped[(block, f"nested more than {DXF_MAX_BLOCK_DEPTH} blocks deep")] += 1
                return
            copies = entity.multi_insert() if entity.mcount > 1 else (entity,)
            try:
                for copy in copies:
                    for sub in copy.virtual_entities():
                        self.collect(sub, layer if sub.dxf.get("layer", "0") == "0" else None, blocks + (block,))
            except (ezdxf.DXFError, ValueError, ZeroDivisionError, KeyError):
                self.skipped[(block, "it cannot be exploded")] += 1


def dxf_walls(drawing: DxfDrawing, layers, material_id: str, margin_m: float = 1.0) -> tuple[Wall, ...]:
    """Walls from the segments on *layers*: y flipped (site y points down), the drawing's
    bounding box moved to (*margin_m*, *margin_m*)."""
    chosen = [seg for layer in layers for seg in drawing.segments_by_layer.get(layer, ())]
    if not chosen:
        raise FloorplanImportError("The chosen layers have no lines; choose the layers the walls are drawn on.")
    arr = np.array(chosen, dtype=float)
    x_min = min(arr[:, 0].min(), arr[:, 2].min())
    y_max = max(arr[:, 1].max(), arr[:, 3].max())
    return tuple(
        Wall(
            float(x1 - x_min + margin_m),
            float(y_max - y1 + margin_m),
            float(x2 - x_min + margin_m),
            float(y_max - y2 + margin_m),
            material_id,
        )
        for x1, y1, x2, y2 in arr
    )
