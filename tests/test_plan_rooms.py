"""A place on the plan in a customer's words (survey.project.rooms.describe_place), and walls
drawn twice (Qt-free)."""

from __future__ import annotations

from survey.project.garage import TWO_CAR, build_garage
from survey.project.model import Device, DeviceKind, Project, Wall
from survey.project.plan_geometry import wall_doubled
from survey.project.rooms import describe_place, site_rooms
from survey.rf.materials import DEFAULT_MATERIALS


def house_and_garage(units: str = "m") -> Project:
    """A two-car garage (x 1-7.1, y 1-7.1, door at the bottom) under a house sharing its top
    wall, the house split by an inside wall, and a short wall jutting into one room."""
    garage = build_garage(TWO_CAR)
    house = (
        Wall(1.0, 1.0, 1.0, -4.0, "brick"),
        Wall(1.0, -4.0, 7.1, -4.0, "brick"),
        Wall(7.1, -4.0, 7.1, 1.0, "brick"),
        Wall(4.0, -4.0, 4.0, 1.0, "drywall"),
        Wall(2.0, -2.0, 3.0, -2.0, "drywall"),
    )
    devices = (Device(DeviceKind.CHARGER, 6.9, 4.0), Device(DeviceKind.ROUTER, 2.0, -3.0))
    return Project(walls=garage + house, materials=DEFAULT_MATERIALS, devices=devices, units=units)


def test_the_walls_close_the_garage_and_two_rooms_of_the_house():
    areas = sorted(round(r.area_m2) for r in site_rooms(house_and_garage()).rooms)
    assert len(areas) == 3 and areas[-1] in (36, 37)  # the garage, 6.1 m square


def test_describe_place_names_the_room_the_wall_and_the_distance():
    project = house_and_garage()
    assert (
        describe_place(project, (5.5, 1.2))
        == "in the garage, on the wall shared with the house, 3.13 m from the charger"
    )
    assert describe_place(project, (4.0, 7.05)).startswith("in the garage, on the steel roll-up garage door")
    assert describe_place(project, (7.0, 3.0)).startswith("in the garage, on an outside wall")
    assert describe_place(project, (2.0, -1.0)).startswith("in the house, ")
    jutting = describe_place(project, (2.5, -2.0))
    assert jutting.startswith("in the house, ") and "wall" not in jutting  # a wall inside one room is no side
    assert describe_place(project, (12.0, 3.0)).startswith("outdoors, ")
    assert "ft from the charger" in describe_place(house_and_garage("ft"), (5.5, 1.2))


def test_without_closed_walls_the_place_is_given_from_the_charger():
    project = Project(
        walls=(Wall(0, 0, 4, 0, "brick"),), materials=DEFAULT_MATERIALS, devices=(Device(DeviceKind.CHARGER, 0.0, 0.5),)
    )
    assert describe_place(project, (3.0, 4.5)) == "outside the walls drawn on the plan, 5.00 m from the charger"


def test_a_wall_along_an_existing_one_is_doubled():
    shared = Wall(1.0, 1.0, 7.1, 1.0, "brick")
    assert wall_doubled(Wall(1.05, 1.05, 7.0, 1.05, "drywall"), [shared])
    assert not wall_doubled(Wall(1.0, 1.6, 7.1, 1.6, "drywall"), [shared])
    assert not wall_doubled(Wall(1.0, 1.0, 1.0, 7.0, "drywall"), [shared])
