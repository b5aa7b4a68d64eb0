import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.errors import UserInputError
from survey.project.model import Material, Project, Wall
from survey.rf.materials import UnknownMaterialError
from survey.rf.propagation import (
    MIN_DISTANCE_M,
    REF_LOSS_DB,
    PropagationModel,
    predicted_grid_dbm,
    predicted_map,
    predicted_rssi_dbm,
    site_grid,
    wall_crossings,
    wall_loss_grid_db,
    walls_arrays,
)

AP = (0.0, 0.0)


def crosses(wall, point, ap=AP):
    return bool(wall_crossings(ap, np.array([wall]), np.array([point]))[0, 0])


def test_reference_loss_is_friis_at_2437():
    assert REF_LOSS_DB == pytest.approx(40.2, abs=0.05)


def test_free_space_log_distance():
    pts = np.array([[1.0, 0.0], [10.0, 0.0], [0.0, 0.1]])
    rssi = predicted_rssi_dbm(AP, 20.0, np.zeros((0, 4)), np.zeros(0), pts, exponent=2.0)
    assert rssi[0] == pytest.approx(20 - 40.2)
    assert rssi[1] == pytest.approx(20 - 40.2 - 20)
    assert rssi[2] == pytest.approx(20 - 40.2 - 20 * math.log10(MIN_DISTANCE_M))  # clamped


def test_proper_crossing_and_no_crossing():
    wall = (2.0, -1.0, 2.0, 1.0)
    assert crosses(wall, (4.0, 0.0))
    assert crosses(wall, (4.0, 1.5))  # the ray passes x=2 at y=0.75
    assert not crosses(wall, (4.0, 2.5))  # passes above the wall's end
    assert not crosses(wall, (1.0, 0.0))  # in front of the wall
    assert not crosses(wall, (-4.0, 0.0))  # behind the AP


def test_parallel_and_collinear_paths_never_cross():
    assert not crosses((0.0, 1.0, 5.0, 1.0), (6.0, 1.0 - 1e-12 + 0.0))  # parallel, beside
    assert not crosses((1.0, 0.0, 3.0, 0.0), (5.0, 0.0))  # collinear, runs along the wall
    assert not crosses((-1.0, 0.0, 3.0, 0.0), (5.0, 0.0))  # AP on the wall's line
    assert not crosses((2.0, 2.0, 2.0, 2.0), (5.0, 5.0))  # zero-length wall


def test_touching_an_end_point_counts_on_one_side_only():
    # Path from AP through (2, 1) exactly: the end point of wall_up and of wall_down.
    wall_up = (2.0, 1.0, 2.0, 3.0)
    wall_down = (2.0, -1.0, 2.0, 1.0)
    point = (4.0, 2.0)
    assert crosses(wall_up, point) != crosses(wall_down, point)


def test_wall_split_in_two_counts_once_on_the_seam_ray():
    # One wall x = 2 drawn as two pieces meeting at (2, 1); points on the ray through the seam.
    walls = np.array([[2.0, -3.0, 2.0, 1.0], [2.0, 1.0, 2.0, 5.0]])
    pts = np.array([[4.0, 2.0], [6.0, 3.0], [8.0, 4.0], [3.0, 1.5]])
    assert (wall_crossings(AP, walls, pts).sum(axis=1) == 1).all()
    # Same with the second piece drawn the other way round.
    walls_rev = np.array([[2.0, -3.0, 2.0, 1.0], [2.0, 5.0, 2.0, 1.0]])
    assert (wall_crossings(AP, walls_rev, pts).sum(axis=1) == 1).all()


def test_grid_has_no_leak_through_a_seam():
    walls = np.array([[2.0, -3.0, 2.0, 1.0], [2.0, 1.0, 2.0, 5.0]])
    grid = site_grid((2.5, -2.0, 9.0, 4.0), step_m=0.5)  # contains (4, 2), (6, 3), (8, 4) exactly
    loss = wall_loss_grid_db(AP, walls, np.array([10.0, 10.0]), grid)
    assert loss.min() == pytest.approx(10.0) and loss.max() == pytest.approx(10.0)


def test_multiwall_sum():
    walls = np.array([[2.0, -1.0, 2.0, 1.0], [3.0, -1.0, 3.0, 1.0], [4.0, 5.0, 4.0, 6.0]])
    loss = np.array([3.0, 12.0, 100.0])
    rssi = predicted_rssi_dbm(AP, 20.0, walls, loss, np.array([[5.0, 0.0]]), exponent=2.0)
    assert rssi[0] == pytest.approx(20 - 40.2 - 20 * math.log10(5) - 15)


def random_walls(rng, n, size=20.0):
    a = rng.uniform(-size, size, (n, 2))
    b = a + rng.uniform(-4, 4, (n, 2))
    return np.hstack([a, b])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_grid_path_equals_point_path(seed):
    rng = np.random.default_rng(seed)
    # Walls on a 0.5 m lattice and an AP on the grid make many exact touching cases.
    walls = np.round(random_walls(rng, 30) * 2) / 2
    ap = (float(np.round(rng.uniform(-5, 5) * 2) / 2), float(np.round(rng.uniform(-5, 5) * 2) / 2))
    losses = rng.uniform(1, 20, 30)
    grid = site_grid((-10, -8, 10, 8), step_m=0.25)
    on_grid = predicted_grid_dbm(ap, 18.0, walls, losses, grid)
    points = predicted_rssi_dbm(ap, 18.0, walls, losses, grid.xy_m).reshape(grid.shape)
    np.testing.assert_allclose(on_grid, points, atol=1e-9)


def test_crossing_matches_segment_intersection_for_generic_points():
    rng = np.random.default_rng(3)
    walls = random_walls(rng, 40)
    pts = rng.uniform(-20, 20, (500, 2))
    ap = np.array([0.3, -0.7])
    got = wall_crossings(ap, walls, pts)

    def orient(p, q, r):
        return (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])

    e1, e2 = walls[None, :, :2], walls[None, :, 2:]
    p = pts[:, None, :]
    a = np.broadcast_to(ap, p.shape)
    expected = (np.sign(orient(e1, e2, a)) * np.sign(orient(e1, e2, p)) < 0) & (
        np.sign(orient(a, p, e1)) * np.sign(orient(a, p, e2)) < 0
    )
    assert (got == expected).all()


def test_site_grid_shape_and_errors():
    grid = site_grid((0, 0, 30, 20), step_m=0.1)
    assert grid.shape == (201, 301)
    assert grid.xy_m.shape == (201 * 301, 2)
    assert grid.xy_m[1, 0] == pytest.approx(0.1) and grid.xy_m[301, 1] == pytest.approx(0.1)
    with pytest.raises(UserInputError):
        site_grid((0, 0, 10, 10), step_m=0)
    with pytest.raises(UserInputError):
        site_grid((0, 0, 1e4, 1e4), step_m=0.001)


def test_walls_arrays_and_predicted_map():
    mine = Material("brick", "Brick here", 6.0, 2.0, 8.0, "measured")
    project = Project(walls=(Wall(2, -1, 2, 1, "brick"), Wall(3, -1, 3, 1, "poured_concrete")), materials=(mine,))
    xy, loss = walls_arrays(project)
    assert xy.shape == (2, 4)
    assert loss[0] == 6.0 and loss[1] == pytest.approx(11.5, abs=0.3)
    grid = site_grid((0, -2, 6, 2), step_m=0.5)
    m = predicted_map(project, (0.0, 0.0), 20.0, grid)
    assert m.shape == grid.shape
    model = PropagationModel((0.0, 0.0), 20.0, xy, loss)
    np.testing.assert_allclose(model.predict_grid(grid).ravel(), model(grid.xy_m))
    np.testing.assert_allclose(m, model.predict_grid(grid))
    with pytest.raises(UnknownMaterialError):
        walls_arrays(Project(walls=(Wall(0, 0, 1, 1, "adamantium"),)))
    empty_xy, empty_loss = walls_arrays(Project())
    assert empty_xy.shape == (0, 4) and empty_loss.shape == (0,)
