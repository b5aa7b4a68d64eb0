"""Raster images from untrusted files and project blobs, checked before anything decodes them.

Every image evsurvey decodes (a floorplan being imported, the plan image stored in a
project when the report or the window draws it) passes :func:`image_info` first:

* an allow-list of formats recognised by their magic bytes: PNG, JPEG, BMP, WebP, GIF,
  TIFF. Anything else (EPS/PostScript, PDF, SVG, ICO, ...) is refused with a message.
  Pillow would hand an EPS file to Ghostscript, an external program (CVE-2023-36664 and
  others; an 80-byte EPS can keep it busy forever), so Pillow is only ever called with
  ``formats=[the one format the magic bytes name]`` and never tries its other plugins.
* the pixel size read from the header, refused above :data:`MAX_IMAGE_PIXELS`, before a
  single pixel is decoded - on import and again on every load, since a project file is
  mailed around and its blob may not be what evsurvey stored.

Qt-free: the report decodes with Pillow (:func:`open_image`), the GUI with Qt after the
same check (``survey.ui.floorplan_view``).
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from survey.errors import UserInputError

#: Largest decoded image accepted, in pixels. Qt refuses to allocate more than 256 MB for
#: one image by default (QImageReader::allocationLimit, Qt 6); at 4 bytes per pixel
#: (ARGB32, what a decoded plan becomes) that is 67 Mpx. 60 Mpx (e.g. 9000 x 6600) keeps
#: under that limit and is far more than a scanned A1 sheet at 200 dpi (6600 x 4700).
MAX_IMAGE_PIXELS = 60_000_000

#: The formats evsurvey decodes, by magic bytes -> Pillow's plugin name. Qt's image plugin
#: names are the keys.
ALLOWED_FORMATS = {"png": "PNG", "jpeg": "JPEG", "bmp": "BMP", "webp": "WEBP", "gif": "GIF", "tiff": "TIFF"}
ALLOWED_NAMES = "PNG, JPEG, BMP, WebP, GIF or TIFF"
#: How messages name the image a project file carries (the report and the window check it).
STORED_PLAN_NAME = "The plan image stored in this project"

#: What a refused file most likely is, to name it in the message (magic bytes -> name).
_KNOWN_OTHERS = (
    (b"%!PS", "a PostScript (EPS) file"),
    (b"\xc5\xd0\xd3\xc6", "a PostScript (EPS) file"),
    (b"%PDF", "a PDF document"),
    (b"<?xml", "an XML/SVG document"),
    (b"<svg", "an SVG drawing"),
    (b"\x00\x00\x01\x00", "a Windows icon"),
    (b"8BPS", "a Photoshop document"),
)


class ImageError(UserInputError):
    """An image that evsurvey will not decode (unknown format, damaged, too large)."""


class ImageTooLargeError(ImageError):
    """The image would need too much memory to open."""


@dataclass(frozen=True)
class ImageInfo:
    """What the header of an allowed image says: its format (a key of ALLOWED_FORMATS) and size."""

    format: str
    width_px: int
    height_px: int


def sniff_format(data: bytes) -> str | None:
    """The allowed format the magic bytes name ("png", "jpeg", ...), or None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # TIFF and BigTIFF
        return "tiff"
    return None


def header_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width_px, height_px) from the header of an allowed image; None if it is not one
    or the header is too short to say. Nothing is decoded."""
    fmt = sniff_format(data)
    if fmt == "png":
        if len(data) >= 24 and data[12:16] == b"IHDR":
            return ("png",) + struct.unpack(">II", data[16:24])
        return None
    if fmt == "gif":
        return ("gif",) + struct.unpack("<HH", data[6:10]) if len(data) >= 10 else None
    if fmt == "bmp":
        if len(data) < 26:
            return None
        if struct.unpack("<I", data[14:18])[0] == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
            w, h = struct.unpack("<HH", data[18:22])
        else:
            w, h = struct.unpack("<ii", data[18:26])
        return "bmp", abs(w), abs(h)  # negative height = top-down rows
    if fmt == "webp":
        return ("webp",) + _webp_size(data) if len(data) >= 30 else None
    if fmt == "jpeg":
        size = _jpeg_size(data)
        return None if size is None else ("jpeg",) + size
    if fmt == "tiff":
        return ("tiff",) + _tiff_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: 24-bit canvas size minus one
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L":  # lossless: 14-bit sizes minus one after the 0x2f signature
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":  # lossy: key frame start code then 14-bit sizes
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    raise ImageError("This WebP image has an unknown layout; convert it to PNG and use that.")


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
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > n:
                return None
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None


def _tiff_size(data: bytes) -> tuple[int, int]:
    # TIFF keeps the size in a tag of the first IFD, which may sit anywhere in the file:
    # Pillow's TIFF plugin reads that directory (and nothing else) when opened lazily.
    image = _pillow_open(data, "tiff", "The TIFF image")
    return image.size


def what_it_is(data: bytes) -> str:
    """A few words naming a refused file ("a PostScript (EPS) file"), for messages."""
    head = data[:64].lstrip()
    for magic, name in _KNOWN_OTHERS:
        if head.startswith(magic):
            return name
    return "not an image format evsurvey knows"


def check_image_size(width_px: int, height_px: int, name: str = "The image") -> None:
    """Raise :class:`ImageTooLargeError` when decoding would exceed :data:`MAX_IMAGE_PIXELS`."""
    if width_px <= 0 or height_px <= 0:
        raise ImageError(f"{name} says it is {width_px} x {height_px} pixels; the file is damaged.")
    if width_px * height_px > MAX_IMAGE_PIXELS:
        raise ImageTooLargeError(
            f"{name} is {width_px} x {height_px} pixels ({width_px * height_px / 1e6:.0f} megapixels); "
            f"evsurvey opens images up to {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels. "
            "Scale it down (or export the plan again at a lower resolution) and import it again."
        )


def image_info(data: bytes, name: str = "The image") -> ImageInfo:
    """Format and size of an allowed image, its size checked; :class:`ImageError` otherwise.

    Only magic bytes and the header are read. ``name`` starts the messages ("plan.png",
    "The plan image stored in this project").
    """
    if sniff_format(data) is None:
        raise ImageError(f"{name} is {what_it_is(data)}, not a {ALLOWED_NAMES} image; evsurvey opens only those.")
    size = header_size(data)
    if size is None:
        raise ImageError(f"{name} is cut short or damaged (its header cannot be read).")
    fmt, width_px, height_px = size
    check_image_size(width_px, height_px, name)
    return ImageInfo(fmt, width_px, height_px)


def _pillow_open(data: bytes, fmt: str, name: str):
    """``PIL.Image.open`` restricted to the one plugin of ``fmt`` (lazy: nothing decoded yet)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=[ALLOWED_FORMATS[fmt]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLargeError(
            f"{name} is too large to open (more than {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels)."
        ) from None
    except (OSError, ValueError, SyntaxError, struct.error, EOFError) as exc:
        raise ImageError(f"{name} is damaged and cannot be opened ({exc}).") from None


def open_image(data: bytes, name: str = "The image"):
    """A PIL image of checked ``data`` (see :func:`image_info`), not decoded yet: the caller
    may still ask for a reduced JPEG decode (``draft``) before loading.

    Pillow's own size must agree with the header's, so no plugin decodes more than was checked.
    """
    info = image_info(data, name)
    image = _pillow_open(data, info.format, name)
    width_px, height_px = image.size
    check_image_size(width_px, height_px, name)
    return image


def load_image(image, name: str = "The image"):
    """Decode an image from :func:`open_image`; damage becomes :class:`ImageError`."""
    from PIL import Image

    try:
        image.load()
    except Image.DecompressionBombError:
        raise ImageTooLargeError(f"{name} is too large to open.") from None
    except (OSError, ValueError, SyntaxError, struct.error, EOFError, MemoryError) as exc:
        raise ImageError(f"{name} is damaged and cannot be decoded ({exc}).") from None
    return image
