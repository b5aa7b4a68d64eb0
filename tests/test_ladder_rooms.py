"""Rooms and the building footprint from the walls (survey.project.rooms)."""

from __future__ import annotations

import time

import numpy as np

from survey.project.model import Device, DeviceKind, Project, Wall
from survey.project.rooms import detached, place_words, room_at, site_rooms, wall_at


def box(x0, y0, x1, y1, material="brick"):
    return [
        Wall(x0, y0, x1, y0, material),
        Wall(x1, y0, x1, y1, material),
        Wall(x1, y1, x0, y1, material),
        Wall(x0, y1, x0, y0, material),
    ]


def project(walls, devices=(), rooms=None):
    settings = {} if rooms is None else {"rooms": rooms}
    return Project(walls=tuple(walls), devices=tuple(devices), settings=settings)


def test_closed_loop_is_one_room_and_outside_is_outside():
    p = project(box(0, 0, 6, 4))
    rooms = site_rooms(p)
    assert rooms.closed and len(rooms.rooms) == 1
    assert abs(rooms.rooms[0].area_m2 - 24.0) < 1.5
    assert rooms.inside([(3, 2), (0.2, 0.2), (5.9, 3.9)]).all()
    assert not rooms.inside([(-0.4, 2), (6.4, 2), (3, 4.4), (30, 30)]).any()


def test_small_gaps_close_and_doorways_do_not():
    # A wall end that misses its corner by 0.3 m still closes the room...
    walls = [
        Wall(0, 0, 6, 0, "brick"),
        Wall(6, 0, 6, 4, "brick"),
        Wall(6, 4, 0, 4, "brick"),
        Wall(0, 3.7, 0, 0, "brick"),
    ]
    assert site_rooms(project(walls)).closed
    # ...a 0.9 m doorway left open in the outside wall opens it to the outdoors.
    walls = [
        Wall(0, 0, 6, 0, "brick"),
        Wall(6, 0, 6, 4, "brick"),
        Wall(6, 4, 0, 4, "brick"),
        Wall(0, 3.1, 0, 0, "brick"),
    ]
    assert not site_rooms(project(walls)).closed


def test_t_junctions_split_rooms_of_one_building():
    walls = box(0, 0, 10, 6) + [Wall(5, 0, 5, 6, "drywall")]  # a partition meeting both long walls
    rooms = site_rooms(project(walls))
    assert len(rooms.rooms) == 2
    a, b = rooms.room_index_at([(2, 3), (8, 3)])
    assert a != b and rooms.rooms[a].building == rooms.rooms[b].building


def test_detached_buildings_and_words_for_places():
    walls = box(0, 0, 10, 8) + box(25, 0, 31, 6, "metal_siding")
    devices = (Device(DeviceKind.ROUTER, 2, 4), Device(DeviceKind.CHARGER, 30.95, 3))  # charger on its wall
    p = project(walls, devices)
    assert detached(p, (2, 4), (30.9, 3))
    assert not detached(p, (2, 4), (8, 7))
    assert place_words(p, (28, 3)) == "the garage"  # the charger's room
    assert place_words(p, (5, 4)) == "the house"
    assert place_words(p, (18, 3)) == "outdoors"
    wall = wall_at(p, (31.0, 2.0))
    assert wall is not None and wall.material_id == "metal_siding"


def test_installer_names_marks_outdoors_and_draws_rooms():
    walls = box(0, 0, 10, 8) + [Wall(5, 0, 5, 8, "drywall")]
    marks = [
        {"name": "Workshop", "x_m": 7, "y_m": 4},
        {"name": "Carport", "x_m": 2, "y_m": 4, "outdoor": True},
        {"name": "Shed", "polygon": [[20, 0], [23, 0], [23, 3], [20, 3]]},
        # Two captions in one room (an archway joins them): neither names it.
        {"name": "Dining", "x_m": 6, "y_m": 2},
    ]
    p = project(walls, rooms=marks)
    rooms = site_rooms(p)
    assert room_at(p, (7, 4)).name == ""  # Workshop and Dining in the same room
    assert place_words(p, (21.5, 1.5)) == "the Shed"
    assert not rooms.inside([(2, 4)])[0], "marked outdoors"
    assert place_words(p, (2, 4)) == "the Carport"
    p2 = project(walls, rooms=marks[:3])
    assert place_words(p2, (7, 4)) == "the Workshop"


def test_no_closed_outline_means_no_rooms():
    p = project([Wall(0, 0, 5, 0, "brick"), Wall(5, 0, 5, 5, "brick")])
    rooms = site_rooms(p)
    assert not rooms.closed and place_words(p, (2, 2)) == ""
    assert not site_rooms(Project()).closed


def test_two_hundred_walls_are_quick():
    rng = np.random.default_rng(0)
    walls = box(0, 0, 45, 45) + [
        Wall(float(x), 0.0, float(x), float(y), "drywall")
        for x, y in zip(rng.uniform(1, 44, 196), rng.uniform(5, 45, 196))
    ]
    started = time.perf_counter()
    rooms = site_rooms(project(walls))
    assert rooms.closed
    assert time.perf_counter() - started < 2.0  # once per plan; remembered after that
