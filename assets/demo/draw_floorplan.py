"""Draw the demo site's floorplan (assets/demo/floorplan.png) from assets/demo/site.json.

The PNG is committed; re-run this script after changing the geometry in site.json:

    uv run python assets/demo/draw_floorplan.py

It draws like an architect's plan: white paper, walls as filled bands whose thickness
and tone follow their material, window symbols, door leaves with their swing arcs, the
roll-up door, room names, the two cars in their bays, a north arrow and a scale bar.
Pixels map to site metres through ``floorplan.metres_per_px`` and ``origin_*_m`` in
site.json, which is exactly how evsurvey places the image, so walls in the data and
walls in the picture coincide.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONTS = HERE.parent / "fonts"

# Drawn thickness per material, metres. Typical built thicknesses: 200 mm concrete
# block (8" CMU), ~250 mm brick veneer on a framed wall, 2 x 15.9 mm type X board on
# studs ~160 mm, 12.7 mm board on 89 mm studs ~115 mm.
THICKNESS_M = {
    "concrete_block": 0.20,
    "poured_concrete": 0.20,
    "brick": 0.25,
    "metal_siding": 0.15,
    "fire_rated_drywall": 0.16,
    "drywall": 0.115,
    "glass": 0.20,
    "low_e_glass": 0.20,
    "steel_garage_door": 0.08,
    "wood_door": 0.12,
}
FILL = {
    "concrete_block": (45, 45, 45),
    "poured_concrete": (45, 45, 45),
    "brick": (120, 120, 120),
    "metal_siding": (70, 70, 90),
    "fire_rated_drywall": (95, 95, 95),
    "drywall": (175, 175, 175),
}
INK = (20, 20, 20)
FAINT = (150, 150, 150)


class Plan:
    """Site metres -> image pixels for one site.json."""

    def __init__(self, site: dict):
        fp = site["floorplan"]
        self.m_per_px = float(fp["metres_per_px"])
        self.ox, self.oy = float(fp["origin_x_m"]), float(fp["origin_y_m"])
        self.size_px = (round(fp["width_m"] / self.m_per_px), round(fp["height_m"] / self.m_per_px))

    def px(self, x_m: float, y_m: float) -> tuple[float, float]:
        return ((x_m - self.ox) / self.m_per_px, (y_m - self.oy) / self.m_per_px)

    def len_px(self, d_m: float) -> float:
        return d_m / self.m_per_px


def _font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size_px)


def _band(plan: Plan, wall: dict, thickness_m: float, extend_m: float) -> list[tuple[float, float]]:
    """The wall segment as a rectangle of the given thickness, ends extended to close corners."""
    x1, y1, x2, y2 = wall["x1_m"], wall["y1_m"], wall["x2_m"], wall["y2_m"]
    length = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    nx, ny = -uy * thickness_m / 2, ux * thickness_m / 2
    ax, ay = x1 - ux * extend_m, y1 - uy * extend_m
    bx, by = x2 + ux * extend_m, y2 + uy * extend_m
    return [plan.px(ax + nx, ay + ny), plan.px(bx + nx, by + ny), plan.px(bx - nx, by - ny), plan.px(ax - nx, ay - ny)]


def _dashed_line(draw: ImageDraw.ImageDraw, a, b, dash_px: float, fill, width: int) -> None:
    length = math.dist(a, b)
    steps = max(1, int(length // dash_px))
    for i in range(0, steps, 2):
        t0, t1 = i / steps, min(1.0, (i + 1) / steps)
        draw.line([(a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0),
                   (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)], fill=fill, width=width)


def draw_walls(draw: ImageDraw.ImageDraw, plan: Plan, walls: list[dict]) -> None:
    solid = [w for w in walls if w["material_id"] in FILL]
    # Lighter partitions first so exterior walls cover their ends at the junctions.
    for wall in sorted(solid, key=lambda w: THICKNESS_M[w["material_id"]]):
        t = THICKNESS_M[wall["material_id"]]
        draw.polygon(_band(plan, wall, t, t / 2), fill=FILL[wall["material_id"]], outline=INK)
    for wall in walls:
        mat = wall["material_id"]
        if mat in ("glass", "low_e_glass"):
            # Window: the opening left white, sill lines on both faces and the glazing line.
            band = _band(plan, wall, THICKNESS_M[mat], 0.0)
            draw.polygon(band, fill="white", outline=INK)
            mid_a = ((band[0][0] + band[3][0]) / 2, (band[0][1] + band[3][1]) / 2)
            mid_b = ((band[1][0] + band[2][0]) / 2, (band[1][1] + band[2][1]) / 2)
            draw.line([mid_a, mid_b], fill=INK, width=2)
        elif mat == "steel_garage_door":
            band = _band(plan, wall, THICKNESS_M[mat], 0.0)
            draw.polygon(band, fill=(235, 235, 235), outline=INK)
            # The overhead track of a roll-up door, dashed as things above the cut plane are drawn.
            x1, y1, x2, y2 = wall["x1_m"], wall["y1_m"], wall["x2_m"], wall["y2_m"]
            for x in (x1 + 0.05, x2 - 0.05):
                _dashed_line(draw, plan.px(x, y1), plan.px(x, y1 - 2.3), plan.len_px(0.15), FAINT, 2)
            font = _font(15)
            cx, cy = plan.px((x1 + x2) / 2, (y1 + y2) / 2 - 0.25)
            draw.text((cx, cy), "steel roll-up door", fill=INK, font=font, anchor="mm")
        elif mat == "wood_door":
            # The opening in the wall is white; the leaf and swing come from drawing.doors.
            draw.polygon(_band(plan, wall, 0.26, 0.0), fill="white")


def draw_doors(draw: ImageDraw.ImageDraw, plan: Plan, doors: list[dict]) -> None:
    for door in doors:
        hx, hy = door["hinge"]
        cx, cy = door["closed_end"]
        ox, oy = door["open_end"]
        radius_m = math.hypot(cx - hx, cy - hy)
        a_closed = math.degrees(math.atan2(cy - hy, cx - hx))
        a_open = math.degrees(math.atan2(oy - hy, ox - hx))
        start, end = sorted((a_closed, a_open))
        if end - start > 180:  # take the quarter turn, not the long way round
            start, end = end, start + 360
        box = [plan.px(hx - radius_m, hy - radius_m), plan.px(hx + radius_m, hy + radius_m)]
        draw.arc([box[0][0], box[0][1], box[1][0], box[1][1]], start, end, fill=INK, width=1)
        draw.line([plan.px(hx, hy), plan.px(ox, oy)], fill=INK, width=4)


def draw_cars(draw: ImageDraw.ImageDraw, plan: Plan, cars: list[dict]) -> None:
    for car in cars:
        x, y, w, length = car["x_m"], car["y_m"], car["width_m"], car["length_m"]
        a, b = plan.px(x, y), plan.px(x + w, y + length)
        draw.rounded_rectangle([a, b], radius=plan.len_px(0.35), outline=FAINT, width=3)
        # Windscreen and rear window, so the car reads as a car and shows its nose.
        for frac, inset in ((0.30, 0.15), (0.78, 0.22)):
            ya = y + length * frac
            draw.line([plan.px(x + inset, ya), plan.px(x + w - inset, ya)], fill=FAINT, width=3)
        for side in (x - 0.12, x + w + 0.02):  # mirrors
            draw.rectangle([plan.px(side, y + length * 0.33), plan.px(side + 0.10, y + length * 0.37)], fill=FAINT)


def draw_labels(draw: ImageDraw.ImageDraw, plan: Plan, rooms: list[dict]) -> None:
    for room in rooms:
        outdoor = room.get("outdoor", False)
        font = _font(20, bold=not outdoor)
        draw.text(plan.px(room["x_m"], room["y_m"]), room["label"], fill=FAINT if outdoor else INK,
                  font=font, anchor="mm")


def draw_scale_and_title(draw: ImageDraw.ImageDraw, plan: Plan, site: dict) -> None:
    x0_m, y_m = 0.0, 11.0
    bar_h = plan.len_px(0.12)
    for i in range(5):
        a = plan.px(x0_m + i, y_m)
        b = plan.px(x0_m + i + 1, y_m)
        draw.rectangle([a[0], a[1], b[0], a[1] + bar_h], fill=INK if i % 2 == 0 else "white", outline=INK)
    font = _font(14)
    for i in range(6):
        x, y = plan.px(x0_m + i, y_m)
        draw.text((x, y - 4), f"{i}" if i < 5 else "5 m", fill=INK, font=font, anchor="ms")
    px_per_m = 1.0 / plan.m_per_px
    note = f"Scale: 1 px = {plan.m_per_px * 1000:g} mm ({px_per_m:g} px per metre)"
    draw.text(plan.px(x0_m + 5.4, y_m + 0.06), note, fill=INK, font=font, anchor="lm")
    title = site["drawing"].get("title", "")
    draw.text(plan.px(x0_m, y_m - 0.55), title, fill=INK, font=_font(16, bold=True), anchor="ls")


def draw_north(draw: ImageDraw.ImageDraw, plan: Plan, north_deg: float) -> None:
    cx, cy = plan.px(14.3, -0.45)
    r = plan.len_px(0.38)
    ang = math.radians(north_deg)  # clockwise from "up" on the plan
    ux, uy = math.sin(ang), -math.cos(ang)  # unit vector towards north, in pixels
    px_, py_ = -uy, ux  # perpendicular
    tip = (cx + r * ux, cy + r * uy)
    base_l = (cx - r * ux + 0.45 * r * px_, cy - r * uy + 0.45 * r * py_)
    base_r = (cx - r * ux - 0.45 * r * px_, cy - r * uy - 0.45 * r * py_)
    draw.polygon([tip, base_l, (cx - 0.4 * r * ux, cy - 0.4 * r * uy), base_r], fill=INK)
    label = (cx + 1.55 * r * ux, cy + 1.55 * r * uy)
    draw.text(label, "N", fill=INK, font=_font(16, bold=True), anchor="mm")


def render(site: dict) -> Image.Image:
    plan = Plan(site)
    img = Image.new("RGB", plan.size_px, "white")
    draw = ImageDraw.Draw(img)
    drawing = site["drawing"]
    draw_cars(draw, plan, drawing.get("cars", []))
    draw_walls(draw, plan, site["walls"])
    draw_doors(draw, plan, drawing.get("doors", []))
    draw_labels(draw, plan, drawing.get("rooms", []))
    draw_scale_and_title(draw, plan, site)
    north = site.get("site", {}).get("north_deg")
    if north is not None:
        draw_north(draw, plan, float(north))
    return img


def main(argv: list[str]) -> int:
    site_path = Path(argv[1]) if len(argv) > 1 else HERE / "site.json"
    site = json.loads(site_path.read_text(encoding="utf-8"))
    out = site_path.parent / site["floorplan"]["file"]
    render(site).save(out, optimize=True)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
