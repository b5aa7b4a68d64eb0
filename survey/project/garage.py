"""Garage builder: a rectangular garage from a few numbers -> walls with materials (Qt-free).

The plan's frame is the site frame (metres, x right, y down); the garage's inside
corner sits at (``margin_m``, ``margin_m``) so the walls do not touch the view's edge.
Sides are named as on the plan: ``top`` (y small), ``bottom``, ``left`` (x small), ``right``.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.errors import UserInputError
from survey.project.model import Wall

SIDES = ("top", "right", "bottom", "left")


class GarageSpecError(UserInputError):
    """The garage dimensions do not make a garage."""


@dataclass(frozen=True)
class GarageSpec:
    """What the installer types in. Lengths in metres; materials are material ids."""

    width_m: float  # along top/bottom
    depth_m: float  # along left/right
    door_side: str = "bottom"
    door_width_m: float = 2.7
    house_side: str | None = "top"  # None: a detached garage
    house_wall_material_id: str = "fire_rated_drywall"
    exterior_material_id: str = "concrete_block"
    door_material_id: str = "steel_garage_door"
    margin_m: float = 1.0


# Presets. Sizes are the common US minimums: a one-car garage 12 x 20 ft (3.66 x 6.10 m)
# with a 9 ft (2.74 m) door, a two-car garage 20 x 20 ft (6.10 x 6.10 m) with a 16 ft
# (4.88 m) door (the standard residential sectional/roll-up door widths). The wall to the
# house is fire-rated gypsum (IRC R302.6 requires 5/8 in Type X board on the garage side
# where habitable rooms are above, 1/2 in elsewhere).
ONE_CAR = GarageSpec(width_m=3.66, depth_m=6.10, door_side="bottom", door_width_m=2.74, house_side="top")
TWO_CAR = GarageSpec(width_m=6.10, depth_m=6.10, door_side="bottom", door_width_m=4.88, house_side="top")
PRESETS: dict[str, GarageSpec] = {"One-car garage": ONE_CAR, "Two-car garage": TWO_CAR}

# Smallest sensible garage side and door: anything smaller is a typo (cm typed as m...).
MIN_SIDE_M = 1.5
MAX_SIDE_M = 60.0
MIN_DOOR_M = 0.7


def _corners(spec: GarageSpec) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    x0 = y0 = spec.margin_m
    x1, y1 = x0 + spec.width_m, y0 + spec.depth_m
    # Each side from its start to its end going clockwise on screen (y down).
    return {
        "top": ((x0, y0), (x1, y0)),
        "right": ((x1, y0), (x1, y1)),
        "bottom": ((x1, y1), (x0, y1)),
        "left": ((x0, y1), (x0, y0)),
    }


def validate(spec: GarageSpec) -> None:
    for name, value in (("width", spec.width_m), ("depth", spec.depth_m)):
        if not MIN_SIDE_M <= value <= MAX_SIDE_M:
            raise GarageSpecError(
                f"The garage {name} must be between {MIN_SIDE_M} m and {MAX_SIDE_M} m (got {value:g} m)."
            )
    if spec.door_side not in SIDES:
        raise GarageSpecError(f"The door must be on one of the sides {', '.join(SIDES)}.")
    if spec.house_side is not None and spec.house_side not in SIDES:
        raise GarageSpecError(f"The house must adjoin one of the sides {', '.join(SIDES)}, or none.")
    if spec.house_side == spec.door_side:
        raise GarageSpecError("The car door cannot be in the wall shared with the house; pick another side.")
    door_wall_m = spec.width_m if spec.door_side in ("top", "bottom") else spec.depth_m
    if not MIN_DOOR_M <= spec.door_width_m <= door_wall_m:
        raise GarageSpecError(
            f"The door must be between {MIN_DOOR_M} m and the wall's {door_wall_m:g} m wide "
            f"(got {spec.door_width_m:g} m)."
        )


def build_garage(spec: GarageSpec) -> tuple[Wall, ...]:
    """The garage's walls: three or four solid sides and the door side split around a centred door."""
    validate(spec)
    walls: list[Wall] = []
    for side, ((ax, ay), (bx, by)) in _corners(spec).items():
        material = spec.house_wall_material_id if side == spec.house_side else spec.exterior_material_id
        if side != spec.door_side:
            walls.append(Wall(ax, ay, bx, by, material))
            continue
        length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
        ux, uy = (bx - ax) / length, (by - ay) / length
        lead = (length - spec.door_width_m) / 2.0
        p1 = (ax + ux * lead, ay + uy * lead)
        p2 = (ax + ux * (lead + spec.door_width_m), ay + uy * (lead + spec.door_width_m))
        if lead > 1e-9:
            walls.append(Wall(ax, ay, p1[0], p1[1], material))
        walls.append(Wall(p1[0], p1[1], p2[0], p2[1], spec.door_material_id))
        if lead > 1e-9:
            walls.append(Wall(p2[0], p2[1], bx, by, material))
    return tuple(walls)


def garage_extent_m(spec: GarageSpec) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) of the garage including its margin on every side."""
    return (0.0, 0.0, spec.width_m + 2 * spec.margin_m, spec.depth_m + 2 * spec.margin_m)
