"""Plan geometry for editing: snapping, hit-testing and placing the floorplan image (Qt-free).

Everything is in site metres (x right, y down) except where ``_px`` says pixels. The UI
converts its pixel tolerances to metres (``tolerance_m = tolerance_px * metres per
screen pixel``) before calling in here, so these functions never see the screen.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from survey.project.model import Device, Floorplan, Wall

#: Wall drawing snaps its direction to multiples of this angle (0°, 15°, 30°, 45°, 90°, ...):
#: plans are drawn with right angles and the odd 45° bay; 15° covers both and the
#: occasional 30°/60° corner without making arbitrary angles hard to hit.
ANGLE_STEP_DEG = 15.0


@dataclass(frozen=True)
class SnapResult:
    """Where a pointer position ended up and why (``"endpoint"``, ``"angle"`` or ``"none"``)."""

    x_m: float
    y_m: float
    kind: str


def wall_endpoints(walls: Iterable[Wall]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for w in walls:
        points.append((w.x1_m, w.y1_m))
        points.append((w.x2_m, w.y2_m))
    return points


def nearest_point(
    x_m: float, y_m: float, points: Sequence[tuple[float, float]], tolerance_m: float
) -> tuple[float, float] | None:
    """The point of *points* closest to (x, y) if it is within *tolerance_m*, else None."""
    best = None
    best_d = tolerance_m
    for px, py in points:
        d = math.hypot(px - x_m, py - y_m)
        if d <= best_d:
            best, best_d = (px, py), d
    return best


def snap_angle(
    anchor: tuple[float, float], x_m: float, y_m: float, step_deg: float = ANGLE_STEP_DEG
) -> tuple[float, float]:
    """Rotate (x, y) about *anchor* onto the nearest multiple of *step_deg*, keeping its distance."""
    ax, ay = anchor
    dx, dy = x_m - ax, y_m - ay
    length = math.hypot(dx, dy)
    if length == 0.0:
        return x_m, y_m
    angle = math.degrees(math.atan2(dy, dx))
    snapped = math.radians(round(angle / step_deg) * step_deg)
    return ax + length * math.cos(snapped), ay + length * math.sin(snapped)


def snap_point(
    x_m: float,
    y_m: float,
    *,
    anchor: tuple[float, float] | None,
    endpoints: Sequence[tuple[float, float]],
    tolerance_m: float,
    angle_snap: bool = True,
) -> SnapResult:
    """Where a click at (x, y) puts a wall end.

    An existing endpoint within *tolerance_m* wins (walls must meet exactly, or signal
    leaks through the gap in the model); otherwise, with an *anchor* (the chain's last
    point) and *angle_snap*, the direction from the anchor snaps to 15° steps.
    """
    hit = nearest_point(x_m, y_m, endpoints, tolerance_m)
    if hit is not None:
        return SnapResult(hit[0], hit[1], "endpoint")
    if anchor is not None and angle_snap:
        sx, sy = snap_angle(anchor, x_m, y_m)
        return SnapResult(sx, sy, "angle")
    return SnapResult(x_m, y_m, "none")


def point_segment_distance(x_m: float, y_m: float, x1: float, y1: float, x2: float, y2: float) -> float:
    """Shortest distance (m) from a point to the segment (x1, y1)-(x2, y2)."""
    dx, dy = x2 - x1, y2 - y1
    length_sq = dx * dx + dy * dy
    if length_sq == 0.0:
        return math.hypot(x_m - x1, y_m - y1)
    t = max(0.0, min(1.0, ((x_m - x1) * dx + (y_m - y1) * dy) / length_sq))
    return math.hypot(x_m - (x1 + t * dx), y_m - (y1 + t * dy))


def nearest_wall(x_m: float, y_m: float, walls: Iterable[Wall], tolerance_m: float) -> Wall | None:
    best, best_d = None, tolerance_m
    for w in walls:
        d = point_segment_distance(x_m, y_m, w.x1_m, w.y1_m, w.x2_m, w.y2_m)
        if d <= best_d:
            best, best_d = w, d
    return best


def nearest_device(x_m: float, y_m: float, devices: Iterable[Device], tolerance_m: float) -> Device | None:
    best, best_d = None, tolerance_m
    for d in devices:
        dist = math.hypot(d.x_m - x_m, d.y_m - y_m)
        if dist <= best_d:
            best, best_d = d, dist
    return best


def wall_end_near(wall: Wall, x_m: float, y_m: float, tolerance_m: float) -> int | None:
    """1 or 2 when (x, y) is within *tolerance_m* of that end of *wall* (the closer one), else None."""
    d1 = math.hypot(wall.x1_m - x_m, wall.y1_m - y_m)
    d2 = math.hypot(wall.x2_m - x_m, wall.y2_m - y_m)
    if min(d1, d2) > tolerance_m:
        return None
    return 1 if d1 <= d2 else 2


def image_to_site_affine(fp: Floorplan) -> tuple[float, float, float, float, float, float]:
    """(m11, m12, m21, m22, dx, dy) taking image pixel (u, v) to site metres.

    ``x = m11·u + m21·v + dx`` and ``y = m12·u + m22·v + dy`` (Qt's QTransform order).
    The image is turned clockwise by ``rotation_deg`` first, then its top-left corner is
    put at the floorplan origin, one pixel being ``metres_per_px`` wide.
    """
    s = fp.metres_per_px
    w, h = fp.width_px, fp.height_px
    ox, oy = fp.origin_x_m, fp.origin_y_m
    rotation = fp.rotation_deg % 360
    if rotation == 90:
        return (0.0, s, -s, 0.0, ox + s * h, oy)
    if rotation == 180:
        return (-s, 0.0, 0.0, -s, ox + s * w, oy + s * h)
    if rotation == 270:
        return (0.0, -s, s, 0.0, ox, oy + s * w)
    return (s, 0.0, 0.0, s, ox, oy)


def scale_about(x_m: float, y_m: float, origin: tuple[float, float], factor: float) -> tuple[float, float]:
    """(x, y) moved away from *origin* by *factor* (what re-scaling a calibrated plan does)."""
    return origin[0] + (x_m - origin[0]) * factor, origin[1] + (y_m - origin[1]) * factor


def nice_scale_length(max_length: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above *max_length* (a scale bar's round length)."""
    if max_length <= 0 or not math.isfinite(max_length):
        return 1.0
    exponent = math.floor(math.log10(max_length))
    for mantissa in (5.0, 2.0, 1.0):
        value = mantissa * 10.0**exponent
        if value <= max_length:
            return value
    return 10.0**exponent


def wall_doubled(wall: Wall, walls: Iterable[Wall], tolerance_m: float = 0.15) -> bool:
    """Whether an existing wall already runs along ``wall`` (parallel, within ``tolerance_m``,
    covering most of it): adding ``wall`` would count the same wall's loss twice."""
    if wall.length_m == 0:
        return False
    for other in walls:
        # Most of five points along the new wall lie on the other one.
        on = sum(
            point_segment_distance(
                wall.x1_m + t * (wall.x2_m - wall.x1_m),
                wall.y1_m + t * (wall.y2_m - wall.y1_m),
                other.x1_m,
                other.y1_m,
                other.x2_m,
                other.y2_m,
            )
            <= tolerance_m
            for t in (0.1, 0.3, 0.5, 0.7, 0.9)
        )
        if on >= 4:
            return True
    return False
