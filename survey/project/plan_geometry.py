"""Plan geometry for editing: snapping, hit-testing and placing the floorplan image (Qt-free).

Everything is in site metres (x right, y down) except where ``_px`` says pixels. The UI
converts its pixel tolerances to metres (``tolerance_m = tolerance_px * metres per
screen pixel``) before calling in here, so these functions never see the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

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


def nearest_point(x_m: float, y_m: float, points: Sequence[tuple[float, float]],
                  tolerance_m: float) -> tuple[float, float] | None:
    """The point of *points* closest to (x, y) if it is within *tolerance_m*, else None."""
    best = None
    best_d = tolerance_m
    for px, py in points:
        d = math.hypot(px - x_m, py - y_m)
        if d <= best_d:
            best, best_d = (px, py), d
    return best


def snap_angle(anchor: tuple[float, float], x_m: float, y_m: float,
               step_deg: float = ANGLE_STEP_DEG) -> tuple[float, float]:
    """Rotate (x, y) about *anchor* onto the nearest multiple of *step_deg*, keeping its distance."""
    ax, ay = anchor
    dx, dy = x_m - ax, y_m - ay
    length = math.hypot(dx, dy)
    if length == 0.0:
        return x_m, y_m
    angle = math.degrees(math.atan2(dy, dx))
    snapped = math.radians(round(angle / step_deg) * step_deg)
    return ax + length * math.cos(snapped), ay + length * math.sin(snapped)


def snap_point(x_m: float, y_m: float, *, anchor: tuple[float, float] | None,
               endpoints: Sequence[tuple[float, float]], tolerance_m: float,
               angle_snap: bool = True) -> SnapResult:
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
        value = mantissa * 10.0 ** exponent
        if value <= max_length:
            return value
    return 10.0 ** exponent


# -- rooms: closed loops of walls -----------------------------------------------------------------
#
# Kept small and self-contained on purpose (a building-footprint module for placement is
# being written beside it): rooms are the bounded faces of the planar graph the walls make.

#: Wall ends closer than this are one corner (hand-drawn and imported plans rarely meet
#: exactly; the wall tool snaps, a PDF trace or a DXF may be off by a few centimetres).
CORNER_TOLERANCE_M = 0.05
#: Loops smaller than this are not rooms (a wall drawn twice, a sliver between two lines).
MIN_ROOM_AREA_M2 = 1.0
#: A point this close to a room counts as in it: a device is mounted on a wall, exactly on
#: the room's outline.
IN_ROOM_TOLERANCE_M = 0.4
#: A device this close to a wall is "on" that wall.
ON_WALL_M = 0.6


@dataclass(frozen=True)
class Room:
    """A closed loop of walls: its outline (site metres, in order) and the walls its sides
    lie on (a wall that only juts into the room, with the room on both its sides, is not
    one of them)."""

    outline_m: tuple[tuple[float, float], ...]
    walls: frozenset[Wall]

    @property
    def area_m2(self) -> float:
        return abs(_signed_area(self.outline_m))

    def contains(self, x_m: float, y_m: float, tolerance_m: float = 0.0) -> bool:
        """Inside the outline, or within ``tolerance_m`` of it."""
        if _point_in_polygon(x_m, y_m, self.outline_m):
            return True
        return tolerance_m > 0 and self.distance_m(x_m, y_m) <= tolerance_m

    def distance_m(self, x_m: float, y_m: float) -> float:
        """Distance (m) from the point to the outline (0 on it)."""
        pts = self.outline_m
        return min(point_segment_distance(x_m, y_m, *pts[i], *pts[(i + 1) % len(pts)]) for i in range(len(pts)))


def _signed_area(points) -> float:
    return 0.5 * sum(points[i][0] * points[(i + 1) % len(points)][1] - points[(i + 1) % len(points)][0] * points[i][1]
                     for i in range(len(points)))


def _point_in_polygon(x: float, y: float, points) -> bool:
    inside = False
    n = len(points)
    for i in range(n):
        (x1, y1), (x2, y2) = points[i], points[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _split_points(walls: Sequence[Wall], tolerance_m: float) -> list[list[float]]:
    """For each wall, the parameters t in [0, 1] where it must be cut: its ends, where
    another wall's end touches it (a T) and where another wall crosses it."""
    cuts = [[0.0, 1.0] for _ in walls]
    for i, a in enumerate(walls):
        ax, ay, bx, by = a.x1_m, a.y1_m, a.x2_m, a.y2_m
        dx, dy = bx - ax, by - ay
        length_sq = dx * dx + dy * dy
        if length_sq == 0.0:
            continue
        for j, b in enumerate(walls):
            if i == j:
                continue
            for px, py in ((b.x1_m, b.y1_m), (b.x2_m, b.y2_m)):  # b's ends on a
                t = ((px - ax) * dx + (py - ay) * dy) / length_sq
                if 0.0 < t < 1.0 and point_segment_distance(px, py, ax, ay, bx, by) <= tolerance_m:
                    cuts[i].append(t)
            ex, ey = b.x2_m - b.x1_m, b.y2_m - b.y1_m  # a proper crossing
            denom = dx * ey - dy * ex
            if abs(denom) > 1e-12:
                t = ((b.x1_m - ax) * ey - (b.y1_m - ay) * ex) / denom
                u = ((b.x1_m - ax) * dy - (b.y1_m - ay) * dx) / denom
                if 0.0 < t < 1.0 and 0.0 < u < 1.0:
                    cuts[i].append(t)
    return [sorted(set(c)) for c in cuts]


def rooms(walls: Sequence[Wall], tolerance_m: float = CORNER_TOLERANCE_M) -> tuple[Room, ...]:
    """The rooms the walls enclose: the bounded faces of the graph of wall pieces (each wall
    cut where another meets or crosses it, corners within ``tolerance_m`` merged), larger
    than :data:`MIN_ROOM_AREA_M2`. A wall with a gap (an opening left undrawn) closes no room."""
    walls = [w for w in walls if w.length_m > tolerance_m]
    corners: list[tuple[float, float]] = []

    def corner(x: float, y: float) -> int:
        for k, (cx, cy) in enumerate(corners):
            if math.hypot(cx - x, cy - y) <= tolerance_m:
                return k
        corners.append((x, y))
        return len(corners) - 1

    edges: dict[tuple[int, int], Wall] = {}  # (corner a, corner b), a < b -> the wall it is part of
    for wall, cuts in zip(walls, _split_points(walls, tolerance_m)):
        points = [corner(wall.x1_m + t * (wall.x2_m - wall.x1_m), wall.y1_m + t * (wall.y2_m - wall.y1_m))
                  for t in cuts]
        for a, b in zip(points, points[1:]):
            if a != b:
                edges.setdefault((min(a, b), max(a, b)), wall)
    neighbours: dict[int, list[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    for k, around in neighbours.items():  # counter-clockwise on screen (y down): by angle
        cx, cy = corners[k]
        around.sort(key=lambda n: math.atan2(corners[n][1] - cy, corners[n][0] - cx))
    seen: set[tuple[int, int]] = set()
    found: list[Room] = []
    for start in [(a, b) for a, b in edges] + [(b, a) for a, b in edges]:
        if start in seen:
            continue
        face, (u, v) = [], start
        while (u, v) not in seen:
            seen.add((u, v))
            face.append((u, v))
            around = neighbours[v]
            # Turn as far as possible one way at each corner: traces one face.
            u, v = v, around[(around.index(u) - 1) % len(around)]
        outline = tuple(corners[a] for a, _b in face)
        if len(outline) >= 3 and _signed_area(outline) > MIN_ROOM_AREA_M2:
            pieces = {(min(a, b), max(a, b)) for a, b in face}
            # A piece walked both ways has the room on both sides: it juts in, it bounds nothing.
            sides = frozenset(edges[k] for k in pieces if not ((k[0], k[1]) in face and (k[1], k[0]) in face))
            found.append(Room(outline, sides))
    return tuple(found)


def room_at(rooms_: Sequence[Room], x_m: float, y_m: float) -> Room | None:
    """The smallest room holding the point (or within :data:`IN_ROOM_TOLERANCE_M` of it)."""
    inside = [r for r in rooms_ if r.contains(x_m, y_m)]
    if not inside:
        near = [r for r in rooms_ if r.distance_m(x_m, y_m) <= IN_ROOM_TOLERANCE_M]
        inside = sorted(near, key=lambda r: r.distance_m(x_m, y_m))[:1]
    return min(inside, key=lambda r: r.area_m2) if inside else None


def place_words(project, x_m: float, y_m: float) -> str:
    """Where (x_m, y_m) is, in words a customer understands: the room, the wall it is on and
    how far from the charger, e.g. "in the garage, on the wall shared with the house, 1.20 m
    from the charger". The room with the charger is the garage, the one with the router
    "the room with the router"; without closed walls it says where from the charger it is."""
    from survey.project.units import format_length  # project layer: no import cycle at load

    found = rooms(project.walls)
    charger, router = project.charger, project.router
    garage = room_at(found, charger.x_m, charger.y_m) if charger is not None else None
    router_room = room_at(found, router.x_m, router.y_m) if router is not None else None
    here = room_at(found, x_m, y_m)

    def name(room: Room | None) -> str:
        if room is None:
            return "outside the walls drawn on the plan"
        if room is garage:
            return "in the garage"
        if room is router_room:
            return "in the room with the router"
        if garage is not None and room.walls & garage.walls:
            return "in the room next to the garage"
        return "in another room of the house"

    parts = [name(here)]
    # The nearest wall within reach that bounds a room: one jutting into a room says nothing.
    bounding = [w for w in project.walls if any(w in r.walls for r in found)]
    wall = nearest_wall(x_m, y_m, bounding, ON_WALL_M)
    if wall is not None:
        sides = [r for r in found if wall in r.walls]
        material = project.material(wall.material_id)
        if len(sides) >= 2:
            other = next((r for r in sides if r is not here), sides[0])
            shared = ("the house" if garage is not None and garage in sides and other is not garage
                      else "the garage" if other is garage
                      else "the room with the router" if other is router_room else "the next room")
            parts.append(f"on the wall shared with {shared}")
        elif material is not None and "door" in material.id:
            parts.append(f"on the {material.name.lower()}")
        else:
            parts.append("on an outside wall")
    if charger is not None:
        distance = math.hypot(x_m - charger.x_m, y_m - charger.y_m)
        parts.append(f"{format_length(distance, project.units)} from the charger")
    return ", ".join(parts)


def wall_doubled(wall: Wall, walls: Iterable[Wall], tolerance_m: float = 0.15) -> bool:
    """Whether an existing wall already runs along ``wall`` (parallel, within ``tolerance_m``,
    covering most of it): adding ``wall`` would count the same wall's loss twice."""
    if wall.length_m == 0:
        return False
    for other in walls:
        # Most of five points along the new wall lie on the other one.
        on = sum(point_segment_distance(wall.x1_m + t * (wall.x2_m - wall.x1_m), wall.y1_m + t * (wall.y2_m - wall.y1_m),
                                        other.x1_m, other.y1_m, other.x2_m, other.y2_m) <= tolerance_m
                 for t in (0.1, 0.3, 0.5, 0.7, 0.9))
        if on >= 4:
            return True
    return False
