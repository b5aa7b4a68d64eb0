"""Garage builder geometry and the plan-editing maths (snapping, hit-tests, image placement)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.project import plan_geometry as pg
from survey.project.garage import ONE_CAR, PRESETS, TWO_CAR, GarageSpecError, build_garage, garage_extent_m
from survey.project.model import Floorplan, Wall


def perimeter(walls) -> float:
    return sum(w.length_m for w in walls)


@pytest.mark.parametrize("spec", list(PRESETS.values()))
def test_presets_make_a_closed_rectangle_with_door_and_house_wall(spec):
    walls = build_garage(spec)
    assert perimeter(walls) == pytest.approx(2 * (spec.width_m + spec.depth_m))
    doors = [w for w in walls if w.material_id == spec.door_material_id]
    assert len(doors) == 1 and doors[0].length_m == pytest.approx(spec.door_width_m)
    house = [w for w in walls if w.material_id == spec.house_wall_material_id]
    assert len(house) == 1 and house[0].y1_m == house[0].y2_m == pytest.approx(spec.margin_m)  # top side
    # Every endpoint is shared by exactly two walls: the outline is closed.
    ends = [p for w in walls for p in ((round(w.x1_m, 9), round(w.y1_m, 9)), (round(w.x2_m, 9), round(w.y2_m, 9)))]
    assert all(ends.count(p) == 2 for p in ends)


def test_door_on_the_left_and_detached():
    spec = replace(ONE_CAR, door_side="left", door_width_m=2.4, house_side=None)
    walls = build_garage(spec)
    door = next(w for w in walls if w.material_id == "steel_garage_door")
    assert door.x1_m == door.x2_m == pytest.approx(spec.margin_m)
    assert abs(door.y1_m - door.y2_m) == pytest.approx(2.4)
    assert {w.material_id for w in walls} == {"concrete_block", "steel_garage_door"}
    assert garage_extent_m(spec) == pytest.approx((0, 0, spec.width_m + 2, spec.depth_m + 2))


def test_door_as_wide_as_its_wall_leaves_no_slivers():
    walls = build_garage(replace(TWO_CAR, door_width_m=TWO_CAR.width_m))
    assert len(walls) == 4


@pytest.mark.parametrize(
    "change,message",
    [
        ({"width_m": 0.3}, "width"),
        ({"door_width_m": 9.0}, "door"),
        ({"house_side": "bottom"}, "shared with the house"),
        ({"door_side": "north"}, "sides"),
    ],
)
def test_bad_specs_refused_with_a_reason(change, message):
    with pytest.raises(GarageSpecError, match=message):
        build_garage(replace(TWO_CAR, **change))


def test_snap_prefers_endpoints_then_angles():
    ends = [(0.0, 0.0), (4.0, 0.0)]
    hit = pg.snap_point(3.95, 0.04, anchor=(0.0, 3.0), endpoints=ends, tolerance_m=0.1)
    assert (hit.kind, hit.x_m, hit.y_m) == ("endpoint", 4.0, 0.0)
    angled = pg.snap_point(2.0, 3.1, anchor=(0.0, 3.0), endpoints=ends, tolerance_m=0.1)
    assert angled.kind == "angle" and angled.y_m == pytest.approx(3.0)
    assert angled.x_m == pytest.approx(math.hypot(2.0, 0.1))
    free = pg.snap_point(2.0, 3.1, anchor=(0.0, 3.0), endpoints=ends, tolerance_m=0.1, angle_snap=False)
    assert (free.kind, free.x_m, free.y_m) == ("none", 2.0, 3.1)


@given(st.floats(-50, 50), st.floats(-50, 50))
def test_angle_snap_keeps_length_and_lands_on_15_degrees(x, y):
    sx, sy = pg.snap_angle((1.0, 2.0), x, y)
    length = math.hypot(x - 1.0, y - 2.0)
    assert math.hypot(sx - 1.0, sy - 2.0) == pytest.approx(length, abs=1e-9)
    if length > 1e-6:
        angle = math.degrees(math.atan2(sy - 2.0, sx - 1.0))
        assert abs(angle / 15.0 - round(angle / 15.0)) < 1e-6


def test_hit_tests():
    walls = [Wall(0, 0, 4, 0, "brick", id=1), Wall(4, 0, 4, 3, "brick", id=2)]
    assert pg.nearest_wall(2.0, 0.05, walls, 0.1).id == 1
    assert pg.nearest_wall(2.0, 0.5, walls, 0.1) is None
    assert pg.wall_end_near(walls[0], 3.98, 0.0, 0.1) == 2
    assert pg.wall_end_near(walls[0], 2.0, 0.0, 0.1) is None
    assert pg.point_segment_distance(0, 5, 0, 0, 0, 0) == 5


@pytest.mark.parametrize(
    "rotation,corner_uv,expected",
    [
        (0, (10, 0), (10 * 0.5 + 1, 2)),
        (90, (0, 0), (1 + 0.5 * 20, 2)),  # top-left pixel goes to the top-right corner
        (180, (0, 0), (1 + 0.5 * 10, 2 + 0.5 * 20)),
        (270, (0, 0), (1, 2 + 0.5 * 10)),
    ],
)
def test_image_affine_rotations(rotation, corner_uv, expected):
    fp = Floorplan(
        b"", "png", width_px=10, height_px=20, metres_per_px=0.5, origin_x_m=1, origin_y_m=2, rotation_deg=rotation
    )
    m11, m12, m21, m22, dx, dy = pg.image_to_site_affine(fp)
    u, v = corner_uv
    assert (m11 * u + m21 * v + dx, m12 * u + m22 * v + dy) == pytest.approx(expected)
    # Whatever the rotation, the whole image covers [origin, origin + size_m].
    corners = [(m11 * a + m21 * b + dx, m12 * a + m22 * b + dy) for a in (0, 10) for b in (0, 20)]
    w_m, h_m = fp.size_m
    assert min(c[0] for c in corners) == pytest.approx(1) and max(c[0] for c in corners) == pytest.approx(1 + w_m)
    assert min(c[1] for c in corners) == pytest.approx(2) and max(c[1] for c in corners) == pytest.approx(2 + h_m)


def test_nice_scale_length():
    assert pg.nice_scale_length(3.7) == 2.0
    assert pg.nice_scale_length(0.8) == 0.5
    assert pg.nice_scale_length(10.0) == 10.0
