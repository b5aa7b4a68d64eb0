"""Rooms from closed loops of walls, and a place on the plan in a customer's words (Qt-free)."""

from __future__ import annotations

import pytest

from survey.project.garage import TWO_CAR, build_garage
from survey.project.model import Device, DeviceKind, Project, Wall
from survey.project.plan_geometry import place_words, room_at, rooms, wall_doubled
from survey.rf.materials import DEFAULT_MATERIALS


def house_and_garage() -> Project:
    """A two-car garage (x 1-7.1, y 1-7.1, door at the bottom) under a house sharing its top
    wall, the house split by an inside wall that stops short (a T on the shared wall)."""
    garage = build_garage(TWO_CAR)
    house = (Wall(1.0, 1.0, 1.0, -4.0, "brick"), Wall(1.0, -4.0, 7.1, -4.0, "brick"),
             Wall(7.1, -4.0, 7.1, 1.0, "brick"), Wall(4.0, -4.0, 4.0, 1.0, "drywall"),
             Wall(2.0, -2.0, 3.0, -2.0, "drywall"))  # a short wall jutting into the room
    devices = (Device(DeviceKind.CHARGER, 6.9, 4.0), Device(DeviceKind.ROUTER, 2.0, -3.0))
    return Project(walls=garage + house, materials=DEFAULT_MATERIALS, devices=devices)


def test_closed_loops_are_rooms_t_junctions_and_crossings_cut_walls():
    project = house_and_garage()
    found = sorted(rooms(project.walls), key=lambda r: r.area_m2)
    assert [round(r.area_m2, 2) for r in found] == [15.0, 15.5, 37.21]
    garage = room_at(found, 4.0, 4.0)
    assert garage.area_m2 == pytest.approx(6.1 * 6.1)
    shared = next(w for w in project.walls if w.material_id == "fire_rated_drywall")
    # The garage's top wall bounds the garage and both rooms of the house (cut at the T).
    assert sum(shared in r.walls for r in found) == 3
    jutting = next(w for w in project.walls if w.y1_m == -2.0)
    assert not any(jutting in r.walls for r in found)


def test_a_gap_in_the_walls_closes_no_room():
    walls = (Wall(0, 0, 4, 0, "brick"), Wall(4, 0, 4, 4, "brick"), Wall(4, 4, 0, 4, "brick"), Wall(0, 4, 0, 1, "brick"))
    assert rooms(walls) == ()
    assert len(rooms(walls + (Wall(0, 1.03, 0, 0, "brick"),))) == 1  # within the corner tolerance


def test_place_words_name_the_room_the_wall_and_the_distance():
    project = house_and_garage()
    assert place_words(project, 5.5, 1.2) == "in the garage, on the wall shared with the house, 3.13 m from the charger"
    assert place_words(project, 4.0, 7.05).startswith("in the garage, on the steel roll-up garage door")
    assert place_words(project, 7.0, 3.0).startswith("in the garage, on an outside wall")
    assert place_words(project, 2.0, -1.0).startswith("in the room with the router, ")
    assert place_words(project, 5.5, -1.5).startswith("in the room next to the garage, ")
    assert place_words(project, 2.5, -2.0) == "in the room with the router, 7.44 m from the charger"  # a jutting wall is no side
    assert place_words(project, 12.0, 3.0).startswith("outside the walls drawn on the plan")
    assert "ft from the charger" in place_words(Project(walls=project.walls, devices=project.devices,
                                                        units="ft"), 5.5, 1.2)


def test_a_wall_along_an_existing_one_is_doubled():
    shared = Wall(1.0, 1.0, 7.1, 1.0, "brick")
    assert wall_doubled(Wall(1.05, 1.05, 7.0, 1.05, "drywall"), [shared])
    assert not wall_doubled(Wall(1.0, 1.6, 7.1, 1.6, "drywall"), [shared])
    assert not wall_doubled(Wall(1.0, 1.0, 1.0, 7.0, "drywall"), [shared])
