"""Rooms and the building footprint, from the walls on the plan (Qt-free).

Where a device may go depends on what is inside the building: a mesh node belongs on a
shelf in a room, not 0.75 m outside the garage door. The walls are drawn as segments with
small gaps where clicks missed an end point and T-junctions where a partition meets an
outside wall, so the rooms are found on a raster rather than by chaining segments:

1. the walls are drawn onto a fine grid and thickened by :data:`GAP_TOLERANCE_M`, which
   closes gaps up to twice that wide (a doorway left open on the plan, 0.8 m and more,
   stays open and joins two rooms);
2. every free cell that cannot be reached from the plan's border is inside the building
   (``scipy.ndimage.binary_fill_holes``), and the connected pieces of it are the rooms
   (``scipy.ndimage.label``); T-junctions, overlaps and walls drawn twice need no special
   case;
3. the thickened walls are given back to the nearest room, so a point on or next to a
   wall belongs to the room it faces.

scipy.ndimage does the work (a raster hole-fill is the textbook way to find enclosed
regions and tolerates gaps by construction); the raster pitch (5 cm, coarser on very large
sites) is far finer than where a device can be mounted.

The installer may name rooms and add rooms the walls do not close, in
``project.settings["rooms"]`` (the site file's ``rooms``)::

    [{"name": "Garage", "x_m": 10.7, "y_m": 4.0},                 # names the room at that point
                                                                   # (two names in one room: unnamed)
     {"name": "Carport", "x_m": 3.0, "y_m": 12.0, "outdoor": true},  # a walled area that is outdoors
     {"name": "Shed", "polygon": [[20, 0], [24, 0], [24, 3], [20, 3]]}]   # a room drawn by hand

Use :func:`site_rooms` for the whole picture and :func:`room_at`, :func:`place_words`,
:func:`describe_place` and :func:`wall_at` for one point (the customer's PDF says "the garage" or "the house").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from survey.project.model import Project, Wall

#: Setting (and site-file key) holding the installer's room marks.
ROOMS_SETTING = "rooms"
#: Half the width of the thickened walls (m): gaps up to 2 x 0.25 m between wall ends close.
#: Ends that miss each other by a few centimetres are the usual drawing slip; 0.5 m is
#: narrower than any doorway (the narrowest interior door leaf is 0.6 m).
GAP_TOLERANCE_M = 0.25
#: Raster pitch (m), and the cell count above which it gets coarser.
RASTER_STEP_M = 0.05
MAX_RASTER_CELLS = 1_500_000
#: Free margin around the walls so the outside is connected all round.
_BORDER_M = 1.0


@dataclass(frozen=True)
class Room:
    """One room: an index, the installer's name ("" when unnamed), its floor area (m²), the
    building it belongs to (rooms that touch form one building) and whether the installer
    marked it as outdoors."""

    index: int
    name: str
    area_m2: float
    building: int
    outdoor: bool = False
    centroid_xy_m: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True, eq=False)
class SiteRooms:
    """The rooms of a plan on a raster: ``labels[row, col]`` is the room index + 1 of the cell
    whose centre is (``x0_m + col * step_m``, ``y0_m + row * step_m``), 0 outside.

    ``closed`` is False when the walls enclose nothing (no outline drawn yet): then no point
    is inside and callers fall back to what they did without rooms, saying so.
    """

    labels: np.ndarray
    x0_m: float
    y0_m: float
    step_m: float
    rooms: tuple[Room, ...]

    @property
    def closed(self) -> bool:
        return any(not r.outdoor for r in self.rooms)

    def room_index_at(self, xy_m) -> np.ndarray:
        """(M,) room index of each point (M, 2), -1 outside every room."""
        pts = np.asarray(xy_m, dtype=float).reshape(-1, 2)
        col = np.rint((pts[:, 0] - self.x0_m) / self.step_m).astype(int)
        row = np.rint((pts[:, 1] - self.y0_m) / self.step_m).astype(int)
        h, w = self.labels.shape
        ok = (row >= 0) & (row < h) & (col >= 0) & (col < w)
        out = np.full(len(pts), -1, dtype=int)
        out[ok] = self.labels[row[ok], col[ok]].astype(int) - 1
        return out

    def nearest_room_index(self, xy_m, reach_m: float) -> int:
        """The room of one point, else of the nearest room cell within ``reach_m`` (a charger
        clicked onto the wall line, or a hair outside it, still hangs in its room); -1."""
        idx = int(self.room_index_at([xy_m])[0])
        if idx >= 0 or reach_m <= 0:
            return idx
        r = int(math.ceil(reach_m / self.step_m))
        col = int(round((xy_m[0] - self.x0_m) / self.step_m))
        row = int(round((xy_m[1] - self.y0_m) / self.step_m))
        h, w = self.labels.shape
        r0, r1, c0, c1 = max(row - r, 0), min(row + r + 1, h), max(col - r, 0), min(col + r + 1, w)
        window = self.labels[r0:r1, c0:c1]
        cells = np.argwhere(window > 0)
        if len(cells) == 0:
            return -1
        d = np.hypot(cells[:, 0] + r0 - row, cells[:, 1] + c0 - col)
        best = int(np.argmin(d))
        if d[best] * self.step_m > reach_m:
            return -1
        return int(window[cells[best][0], cells[best][1]]) - 1

    def inside(self, xy_m) -> np.ndarray:
        """(M,) bool: the point is inside the building (a room not marked outdoors)."""
        idx = self.room_index_at(xy_m)
        indoor = np.array([not r.outdoor for r in self.rooms] + [False], dtype=bool)
        return indoor[idx]  # index -1 picks the trailing False

    def building_at(self, xy_m) -> np.ndarray:
        """(M,) building index of each point, -1 outside every indoor room."""
        idx = self.room_index_at(xy_m)
        buildings = np.array([-1 if r.outdoor else r.building for r in self.rooms] + [-1], dtype=int)
        return buildings[idx]


def _marks(project: Project) -> tuple[tuple, ...]:
    marks = project.settings.get(ROOMS_SETTING) or ()
    out = []
    for m in marks if isinstance(marks, (list, tuple)) else ():
        if not isinstance(m, dict):
            continue
        polygon = m.get("polygon")
        poly = tuple((float(x), float(y)) for x, y in polygon) if polygon else None
        point = None if m.get("x_m") is None or m.get("y_m") is None else (float(m["x_m"]), float(m["y_m"]))
        name = m.get("name", m.get("label", ""))  # "label": the demo drawing's room captions
        out.append((str(name or ""), point, poly, bool(m.get("outdoor", False))))
    return tuple(out)


def site_rooms(project: Project) -> SiteRooms:
    """The rooms of ``project`` (walls plus the installer's marks); remembered per plan."""
    walls = tuple((w.x1_m, w.y1_m, w.x2_m, w.y2_m) for w in project.walls)
    return _site_rooms(walls, _marks(project))


def _points_in_polygon(px: np.ndarray, py: np.ndarray, polygon) -> np.ndarray:
    """Even-odd rule over a grid of points (``px`` row, ``py`` column broadcast)."""
    inside = np.zeros(np.broadcast(px, py).shape, dtype=bool)
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (py >= min(y1, y2)) & (py < max(y1, y2))
        x_at = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < x_at)
    return inside


@lru_cache(maxsize=32)
def _site_rooms(walls: tuple, marks: tuple) -> SiteRooms:
    from scipy import ndimage  # scipy loads in the analysis workers, not at start-up

    polys = [m[2] for m in marks if m[2]]
    xs = [v for w in walls for v in (w[0], w[2])] + [p[0] for poly in polys for p in poly]
    ys = [v for w in walls for v in (w[1], w[3])] + [p[1] for poly in polys for p in poly]
    if not xs:
        return SiteRooms(np.zeros((1, 1), dtype=np.int32), 0.0, 0.0, RASTER_STEP_M, ())
    x0, y0 = min(xs) - _BORDER_M, min(ys) - _BORDER_M
    x1, y1 = max(xs) + _BORDER_M, max(ys) + _BORDER_M
    step = max(RASTER_STEP_M, math.sqrt((x1 - x0) * (y1 - y0) / MAX_RASTER_CELLS))
    nx, ny = int(math.ceil((x1 - x0) / step)) + 1, int(math.ceil((y1 - y0) / step)) + 1

    lines = np.zeros((ny, nx), dtype=bool)
    for ax, ay, bx, by in walls:
        n = max(2, int(math.hypot(bx - ax, by - ay) / (step / 2)) + 2)
        t = np.linspace(0.0, 1.0, n)
        cols = np.rint((ax + t * (bx - ax) - x0) / step).astype(int)
        rows = np.rint((ay + t * (by - ay) - y0) / step).astype(int)
        lines[rows, cols] = True
    # Distance of every cell to the nearest wall cell: the thickened walls in one pass.
    thick = ndimage.distance_transform_edt(~lines) * step <= GAP_TOLERANCE_M
    enclosed = ndimage.binary_fill_holes(thick) & ~thick
    labels, count = ndimage.label(enclosed)

    gx = x0 + step * np.arange(nx)[None, :]
    gy = y0 + step * np.arange(ny)[:, None]
    for _name, _point, poly, _outdoor in marks:
        if poly:
            drawn = _points_in_polygon(gx, gy, poly) & (labels == 0)
            if drawn.any():
                count += 1
                labels[drawn] = count
    if count == 0:
        return SiteRooms(np.zeros((ny, nx), dtype=np.int32), x0, y0, step, ())

    # Give the thickened walls back to the nearest room, up to the wall's own line (a room's
    # cells stop GAP_TOLERANCE_M short of it): a point on or beside a wall belongs to the
    # room it faces, and nothing beyond an outside wall's line is inside.
    dist, (ri, ci) = ndimage.distance_transform_edt(labels == 0, return_indices=True)
    labels = np.where((labels == 0) & (dist * step <= GAP_TOLERANCE_M + step), labels[ri, ci], labels)
    labels = labels.astype(np.int32)

    # Buildings: rooms whose (thickened) cells touch are one building.
    grown = ndimage.binary_dilation(labels > 0, iterations=1)
    components, _ = ndimage.label(grown)
    index = np.arange(1, count + 1)
    areas = ndimage.sum_labels(np.ones_like(labels), labels, index) * step * step
    centres = ndimage.center_of_mass(labels > 0, labels, index)
    names: list[set[str]] = [set() for _ in range(count)]
    outdoor = [False] * count
    for name, point, poly, is_outdoor in marks:
        if point is not None:
            col, row = int(round((point[0] - x0) / step)), int(round((point[1] - y0) / step))
            hit = labels[row, col] - 1 if 0 <= row < ny and 0 <= col < nx else -1
        elif poly:
            cx, cy = np.mean([p[0] for p in poly]), np.mean([p[1] for p in poly])
            col, row = int(round((cx - x0) / step)), int(round((cy - y0) / step))
            hit = labels[row, col] - 1 if 0 <= row < ny and 0 <= col < nx else -1
        else:
            hit = -1
        if hit >= 0:
            if name:
                names[hit].add(name)
            outdoor[hit] = outdoor[hit] or is_outdoor
    rooms = []
    for k in range(count):
        r, c = centres[k]
        cell = np.argwhere(labels == k + 1)[0]
        # Two names on one room (captions of rooms an open archway joins): neither is its name.
        name = next(iter(names[k])) if len(names[k]) == 1 else ""
        rooms.append(
            Room(
                k,
                name,
                float(areas[k]),
                int(components[cell[0], cell[1]]) - 1,
                outdoor[k],
                (float(x0 + c * step), float(y0 + r * step)),
            )
        )
    return SiteRooms(labels, x0, y0, step, tuple(rooms))


# -- one point ---------------------------------------------------------------------------------


def room_at(project: Project, xy_m, reach_m: float = 0.0) -> Room | None:
    """The room the point (x, y) m is in (or the nearest within ``reach_m``), or None
    outdoors / without a closed outline."""
    rooms = site_rooms(project)
    idx = rooms.nearest_room_index((float(xy_m[0]), float(xy_m[1])), reach_m)
    return rooms.rooms[idx] if idx >= 0 else None


#: A device drawn onto its wall (or a hair outside it) still belongs to the room it hangs in.
DEVICE_REACH_M = 0.5


def charger_room(project: Project) -> Room | None:
    """The room of the charger's mounting point (it hangs on a wall: the nearest room within 0.5 m)."""
    charger = project.charger
    return None if charger is None else room_at(project, (charger.x_m, charger.y_m), DEVICE_REACH_M)


def place_words(project: Project, xy_m) -> str:
    """Where a point is, in the words of a customer's report: the installer's room name
    ("the Workshop"), else "the garage" for the charger's room, "the house" for any other room
    (of either building), "outdoors" outside, "" when the plan has no closed outline."""
    rooms = site_rooms(project)
    if not rooms.closed:
        return ""
    return _room_words(project, room_at(project, xy_m))


def _room_words(project: Project, room: Room | None) -> str:
    if room is None:
        return "outdoors"
    if room.outdoor:
        return f"the {room.name}" if room.name else "outdoors"
    if room.name:
        return f"the {room.name}"
    here = charger_room(project)
    if here is not None and here.index == room.index:
        return "the garage"
    return "the house"


#: A point this close to a wall (m) is "on" it: a device is mounted on a wall.
ON_WALL_M = 0.6


def describe_place(project: Project, xy_m) -> str:
    """A place on the plan as the report and the Analysis panel say it: the room, the wall it
    is on and how far from the charger, e.g. "in the garage, on the wall shared with the
    house, 3.1 m from the charger"."""
    from survey.project.units import format_length  # units imports nothing of the plan

    x, y = float(xy_m[0]), float(xy_m[1])
    # A device hangs on a wall: it is in the room it faces (as for the charger, DEVICE_REACH_M).
    here = room_at(project, (x, y), DEVICE_REACH_M)
    where = _room_words(project, here) if site_rooms(project).closed else ""
    parts = ["outdoors" if where == "outdoors" else f"in {where}" if where else "outside the walls drawn on the plan"]
    wall = wall_at(project, (x, y), ON_WALL_M)
    if wall is not None and site_rooms(project).closed:
        a, b = _rooms_either_side(project, wall, (x, y))
        material = project.material(wall.material_id)
        if a is not None and b is not None and a.index != b.index:
            other = b if here is not None and here.index == a.index else a
            parts.append(f"on the wall shared with {_room_words(project, other)}")
        elif material is not None and "door" in material.id:
            parts.append(f"on the {material.name.lower()}")
        elif (a is None) != (b is None):
            parts.append("on an outside wall")
    charger = project.charger
    if charger is not None:
        parts.append(f"{format_length(math.hypot(x - charger.x_m, y - charger.y_m), project.units)} from the charger")
    return ", ".join(parts)


def _rooms_either_side(project: Project, wall: Wall, xy_m) -> tuple[Room | None, Room | None]:
    """The rooms just beyond each face of ``wall`` at its point nearest ``xy_m`` (None
    outside): one None for an outside wall, one room twice for a wall jutting into a room."""
    rooms = site_rooms(project)
    dx, dy = wall.x2_m - wall.x1_m, wall.y2_m - wall.y1_m
    length = math.hypot(dx, dy)
    if length == 0:
        return None, None
    t = min(max(((xy_m[0] - wall.x1_m) * dx + (xy_m[1] - wall.y1_m) * dy) / (length * length), 0.0), 1.0)
    px, py = wall.x1_m + t * dx, wall.y1_m + t * dy
    off = GAP_TOLERANCE_M + 2 * rooms.step_m  # past the thickened wall, into the room's own cells
    nx, ny = -dy / length * off, dx / length * off
    left, right = (int(i) for i in rooms.room_index_at([(px + nx, py + ny), (px - nx, py - ny)]))
    return (rooms.rooms[left] if left >= 0 else None), (rooms.rooms[right] if right >= 0 else None)


def wall_at(project: Project, xy_m, tolerance_m: float = 0.5) -> Wall | None:
    """The wall the point (x, y) m is on or next to (within ``tolerance_m``), nearest first."""
    from survey.project.plan_geometry import nearest_wall

    return nearest_wall(float(xy_m[0]), float(xy_m[1]), project.walls, tolerance_m)


def detached(project: Project, a_xy_m, b_xy_m) -> bool:
    """Whether two points are in different buildings (a garage apart from the house)."""
    rooms = site_rooms(project)
    if not rooms.closed:
        return False
    ba, bb = rooms.building_at([a_xy_m, b_xy_m])
    return bool(ba >= 0 and bb >= 0 and ba != bb)
