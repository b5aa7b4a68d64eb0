"""Render the evsurvey icon SVGs to the PNG, ICO and ICNS files the installers need.

assets/icons/evsurvey.svg draws 48 px and up; evsurvey-small.svg (pixel-hinted) 16 and 32 px.

Run from the repository root after editing the SVG, and commit the outputs:

    uv run python packaging/render_icons.py

Qt's own SVG renderer (QtSvg ships in PySide6-Essentials) draws the PNGs, so no extra
tool (Inkscape, rsvg-convert) is needed; Pillow, already installed as a dependency of
reportlab, packs them into the Windows .ico and the macOS .icns.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "assets" / "icons"
SVG_NAME = "evsurvey.svg"
#: The same picture redrawn on a 16-unit pixel grid without the bolt: scaled down, the
#: 256-unit drawing blurs its pins into one blob at 16 px.
SMALL_SVG_NAME = "evsurvey-small.svg"
SMALL_MAX_PX = 32

#: PNG sizes committed to assets/icons: the freedesktop hicolor sizes (16..512) cover the
#: Linux menus and docks; the same files feed the .ico and .icns.
PNG_SIZES_PX = (16, 32, 48, 64, 128, 256, 512)
#: Windows Explorer picks from these; 256 is the largest an ICO entry may be.
ICO_SIZES_PX = (16, 32, 48, 64, 128, 256)
#: macOS wants up to 1024 (the 512@2x Retina slot); it is rendered for the .icns only.
ICNS_EXTRA_SIZE_PX = 1024


def png_name(size_px: int) -> str:
    """File name of the square PNG of *size_px* pixels inside assets/icons."""
    return f"evsurvey-{size_px}.png"


def render_png(svg_path: Path, size_px: int) -> bytes:
    """The SVG drawn into a transparent *size_px* square, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise SystemExit(f"{svg_path} is not an SVG Qt can draw; fix it and run again")
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICON_DIR, help="output folder (default assets/icons)")
    args = parser.parse_args(argv)

    from PIL import Image

    svg_path, small_svg_path = ICON_DIR / SVG_NAME, ICON_DIR / SMALL_SVG_NAME
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    images: dict[int, Image.Image] = {}
    for size_px in (*PNG_SIZES_PX, ICNS_EXTRA_SIZE_PX):
        png = render_png(small_svg_path if size_px <= SMALL_MAX_PX else svg_path, size_px)
        images[size_px] = Image.open(io.BytesIO(png)).convert("RGBA")
        if size_px in PNG_SIZES_PX:
            (out / png_name(size_px)).write_bytes(png)

    # Pillow takes the exact-size renderings through append_images instead of scaling the
    # largest one down, so the 16 and 32 px entries stay as crisp as the PNGs.
    ico_base = images[max(ICO_SIZES_PX)]
    ico_base.save(
        out / "evsurvey.ico",
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES_PX],
        append_images=[images[s] for s in ICO_SIZES_PX if s != max(ICO_SIZES_PX)],
    )
    icns_sizes = (16, 32, 64, 128, 256, 512, ICNS_EXTRA_SIZE_PX)
    images[ICNS_EXTRA_SIZE_PX].save(
        out / "evsurvey.icns", format="ICNS", append_images=[images[s] for s in icns_sizes if s != ICNS_EXTRA_SIZE_PX]
    )
    print(f"wrote {len(PNG_SIZES_PX)} PNGs, evsurvey.ico and evsurvey.icns to {out}")  # noqa: T201 - a script
    return 0


if __name__ == "__main__":
    sys.exit(main())
