import math

import numpy as np
import pytest

from survey.rf.interpolation import NoSamplesError, average_repeats, fit_heatmap
from survey.rf.propagation import PropagationModel, site_grid


def smooth_field(xy):
    r2 = (xy[:, 0] - 3.0) ** 2 + (xy[:, 1] - 4.0) ** 2
    return -45.0 - 12.5 * np.log10(1.0 + r2 / 4.0) + 2.0 * np.sin(xy[:, 0] / 3.0)


def lattice(nx=12, ny=8, step=1.0):
    gx, gy = np.meshgrid(np.arange(nx) * step, np.arange(ny) * step)
    return np.column_stack([gx.ravel(), gy.ravel()])


def test_average_repeats_in_mw_and_drops_nan():
    xy = [[0, 0], [0, 0], [1, 1], [2, 2]]
    xy2, z2 = average_repeats(xy, [-50.0, -60.0, -70.0, float("nan")])
    assert xy2.shape == (2, 2)
    at0 = z2[np.all(xy2 == 0, axis=1)][0]
    assert at0 == pytest.approx(10 * math.log10((1e-5 + 1e-6) / 2))
    assert at0 > -55.0  # a dBm mean would give -55


def test_no_samples():
    with pytest.raises(NoSamplesError):
        fit_heatmap(np.zeros((2, 2)), [np.nan, np.nan])
    with pytest.raises(NoSamplesError):
        fit_heatmap(np.zeros((0, 2)), [])


def test_single_and_few_samples_use_idw():
    hm = fit_heatmap([[1.0, 1.0]], [-60.0])
    assert hm.method == "idw" and hm.n_points == 1 and math.isnan(hm.loo_rmse_db)
    assert hm.predict([[5.0, 5.0]])[0] == pytest.approx(-60.0)
    hm3 = fit_heatmap([[0, 0], [4, 0], [0, 4]], [-50.0, -60.0, -70.0])
    assert hm3.method == "idw" and hm3.n_points == 3
    np.testing.assert_allclose(hm3.predict([[0, 0], [4, 0], [0, 4]]), [-50, -60, -70])
    assert np.isfinite(hm3.loo_rmse_db)
    std = hm3.std_db([[1, 1], [0, 0]])
    assert np.isfinite(std).all() and std[1] < std[0]  # surer at a sample than between
    assert np.isnan(hm.std_db([[1.0, 1.0]])).all()  # one sample: nothing to tell it from
    grid = site_grid((0, 0, 4, 4), step_m=0.1)
    m = hm3.predict_grid(grid)
    assert m[0, 0] == pytest.approx(-50.0)  # IDW drawn at full resolution keeps its peaks


def test_near_exact_at_dense_samples_and_between():
    xy = lattice()
    z = smooth_field(xy)
    hm = fit_heatmap(xy, z)
    np.testing.assert_allclose(hm.predict(xy), z, atol=0.5)
    mid = xy[:-1] + 0.5
    mid = mid[(mid[:, 0] < 11) & (mid[:, 1] < 7)]
    np.testing.assert_allclose(hm.predict(mid), smooth_field(mid), atol=1.5)
    assert hm.loo_rmse_db < 1.5


@pytest.mark.parametrize("methods", [["idw"], ["tps"], ["gp"], None])
def test_no_strong_signal_invented_far_from_samples(methods):
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 6, (40, 2))
    z = -80.0 + 6.0 * xy[:, 0] + rng.normal(0, 1.0, 40)  # rising steeply towards +x
    hm = fit_heatmap(xy, z, methods=methods)
    far = np.array([[40.0, 3.0], [100.0, 3.0], [-60.0, -60.0], [3.0, 80.0]])
    assert (hm.predict(far) <= z.max() + 1e-9).all()
    assert (hm.predict(far) >= z.min() - 1e-9).all()
    grid = site_grid((-20, -20, 40, 30), step_m=0.5)
    assert hm.predict_grid(grid).max() <= z.max() + 1e-9


def test_gp_std_and_grid_fast_path_close_to_direct():
    rng = np.random.default_rng(1)
    xy = rng.uniform([0, 0], [20, 12], (120, 2))
    z = smooth_field(xy) + rng.normal(0, 1.5, 120)
    hm = fit_heatmap(xy, z, methods=["gp"])
    assert hm.method == "gp"
    near, far = hm.std_db([[10.0, 6.0]])[0], hm.std_db([[60.0, 60.0]])[0]
    assert 0 <= near < far
    grid = site_grid((0, 0, 20, 12), step_m=0.1)
    fast = hm.predict_grid(grid)
    direct = hm.predict(grid.xy_m).reshape(grid.shape)
    assert np.abs(fast - direct).max() <= 0.3


def test_log_distance_trend_candidate_and_model_trend():
    rng = np.random.default_rng(2)
    ap = (2.0, 2.0)
    xy = rng.uniform(0, 15, (25, 2))
    d = np.maximum(np.hypot(xy[:, 0] - ap[0], xy[:, 1] - ap[1]), 0.5)
    z = -35.0 - 28.0 * np.log10(d) + rng.normal(0, 1.0, 25)
    hm = fit_heatmap(xy, z, ap_xy_m=ap)
    assert any(name.endswith("+log-distance") for name in hm.cv_rmse_db)
    assert hm.loo_rmse_db <= min(hm.cv_rmse_db.values()) + 1e-12
    walls = np.array([[8.0, 0.0, 8.0, 15.0]])
    model = PropagationModel(ap, 5.0, walls, np.array([10.0]), exponent=2.8)
    z2 = model(xy) + rng.normal(0, 1.0, 25)
    hm2 = fit_heatmap(xy, z2, model=model)
    assert hm2.method.endswith("+model")
    grid = site_grid((0, 0, 15, 15), step_m=0.1)
    fast = hm2.predict_grid(grid)
    assert np.abs(fast - hm2.predict(grid.xy_m).reshape(grid.shape)).max() <= 0.3
    # The wall's shadow stays sharp on the display grid.
    row = fast[int(round(2.0 / 0.1))]
    assert row[79] - row[81] > 7.0


def test_model_trend_with_a_single_sample():
    model = PropagationModel((0.0, 0.0), 20.0)
    hm = fit_heatmap([[5.0, 0.0]], [float(model([[5.0, 0.0]])[0]) - 4.0], model=model)
    assert hm.method == "idw+model"
    np.testing.assert_allclose(hm.predict([[2.0, 0.0], [9.0, 0.0]]), model([[2.0, 0.0], [9.0, 0.0]]) - 4.0)


def test_distance_and_coverage_alpha():
    hm = fit_heatmap([[0, 0], [10, 0]], [-50.0, -60.0])
    d = hm.distance_to_nearest_m([[0, 0], [0, 3], [5, 0]])
    np.testing.assert_allclose(d, [0, 3, 5])
    a = hm.coverage_alpha([[0, 1], [0, 3.5], [0, 9], [5, 0]])
    np.testing.assert_allclose(a, [1.0, 0.5, 0.0, 0.0])
    with pytest.raises(ValueError):
        hm.coverage_alpha([[0, 0]], full_m=5, zero_m=2)


def test_samples_along_one_straight_line_still_fit():
    # A corridor walk: every sample on one line makes the thin-plate spline singular.
    x = np.linspace(0.0, 10.0, 12)
    xy = np.column_stack([x, np.full_like(x, 2.0)])
    rssi = -40.0 - 2.0 * x
    heatmap = fit_heatmap(xy, rssi)
    assert not heatmap.method.startswith("tps")
    assert np.isfinite(heatmap.predict(np.array([[5.0, 2.0]]))).all()


# -- reusing a previous fit's selection (live survey: a refit after every sample) ----------


def noisy_walk(n, seed=5):
    rng = np.random.default_rng(seed)
    xy = rng.uniform([0, 0], [20, 12], (n, 2))
    return xy, smooth_field(xy) + rng.normal(0, 1.5, n)


def assert_same_fit(a, b):
    assert a.method == b.method and not a.selection_reused and not b.selection_reused
    assert a.loo_rmse_db == b.loo_rmse_db and a.cv_rmse_db == b.cv_rmse_db
    grid = site_grid((0, 0, 20, 12), step_m=0.5)
    np.testing.assert_array_equal(a.predict_grid(grid), b.predict_grid(grid))


def test_previous_reused_after_a_few_new_samples_gives_the_full_fits_answer():
    xy, z = noisy_walk(110)
    before = fit_heatmap(xy[:100], z[:100])
    full = fit_heatmap(xy, z)
    reused = fit_heatmap(xy, z, previous=before)
    assert reused.selection_reused and not full.selection_reused
    assert reused.method == full.method == before.method
    assert reused.n_points == 110 and reused.cv_rmse_db == {reused.method: reused.loo_rmse_db}
    assert reused.loo_rmse_db == pytest.approx(full.loo_rmse_db, abs=0.1)
    grid = site_grid((0, 0, 20, 12), step_m=0.1)
    diff = np.abs(reused.predict_grid(grid) - full.predict_grid(grid))
    assert diff.max() <= 0.5 and diff.mean() <= 0.1
    # The new samples are in the fit, not only the old ones.
    np.testing.assert_allclose(reused.predict(xy[100:]), full.predict(xy[100:]), atol=0.3)


def test_previous_reuse_counts_growth_from_the_last_full_selection():
    xy, z = noisy_walk(130)
    first = fit_heatmap(xy[:100], z[:100])
    step1 = fit_heatmap(xy[:110], z[:110], previous=first)
    step2 = fit_heatmap(xy[:120], z[:120], previous=step1)
    assert step1.selection_reused and step2.selection_reused
    step3 = fit_heatmap(xy[:121], z[:121], previous=step2)  # 21 % more than at the selection
    assert not step3.selection_reused
    assert fit_heatmap(xy[:125], z[:125], previous=step3).selection_reused


@pytest.mark.parametrize(
    "case", ["too_few", "grew_too_much", "other_values", "other_ap", "other_methods", "fewer_spots"]
)
def test_previous_not_reused_unless_it_is_the_same_grown_data_set(case):
    xy, z = noisy_walk(140)
    n_prev, n_now, z_now, kwargs = 100, 110, z, {}
    if case == "too_few":
        n_prev, n_now = 25, 28
    elif case == "grew_too_much":
        n_now = 140
    elif case == "other_values":  # another network heard at the same spots
        z_now = z - 3.0
    elif case == "other_ap":
        kwargs = {"ap_xy_m": (3.0, 4.0)}
    elif case == "other_methods":
        kwargs = {"methods": ["gp", "idw"]}
    elif case == "fewer_spots":
        n_now = 90
    previous = fit_heatmap(xy[:n_prev], z[:n_prev])
    with_previous = fit_heatmap(xy[:n_now], z_now[:n_now], previous=previous, **kwargs)
    assert_same_fit(with_previous, fit_heatmap(xy[:n_now], z_now[:n_now], **kwargs))


def test_import_pulls_in_neither_scipy_nor_sklearn():
    # The GUI imports this module while starting (through survey.analysis); scipy's
    # submodules and scikit-learn are loaded on the first fit, in a worker thread.
    import subprocess
    import sys

    code = (
        "import sys, survey.rf.interpolation; "
        "print(sorted(m for m in ('scipy.interpolate', 'scipy.optimize', 'scipy.spatial', 'sklearn') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_few_samples_use_the_mean_of_the_families():
    from survey.rf.interpolation.heatmap import _fit_parts

    rng = np.random.default_rng(3)
    xy = rng.uniform(0.0, 12.0, size=(12, 2))
    rssi = -40.0 - 20.0 * np.log10(1.0 + np.hypot(xy[:, 0] - 2.0, xy[:, 1] - 3.0)) + rng.normal(0, 2.0, 12)
    heatmap = fit_heatmap(xy, rssi)
    assert heatmap.method.startswith("mean(")
    # Its prediction is the mean of the members' own fits, and its cross-validated error
    # (averaged residuals) equals refitting the mean on every fold.
    query = np.array([[6.0, 6.0], [1.0, 11.0]])
    members = [fit_heatmap(xy, rssi, methods=(family,)) for family in ("idw", "tps", "gp")]
    assert np.allclose(heatmap.predict(query), np.mean([m.predict(query) for m in members], axis=0), atol=1e-6)
    best = heatmap._selection.choice.best
    refitted = np.empty(len(rssi))
    for i in range(len(rssi)):
        train = np.arange(len(rssi)) != i
        parts = _fit_parts(best, xy[train], {"": rssi[train]}, {"": None})
        pred = np.mean([np.clip(p.interp(xy[i : i + 1]), p.lo, p.hi) for p in parts])
        refitted[i] = pred - rssi[i]
    # (The GP member's closed form keeps the normalisation of all samples: a small difference.)
    assert heatmap.loo_rmse_db == pytest.approx(float(np.sqrt(np.mean(refitted**2))), abs=0.05)


def test_spots_come_in_the_order_of_their_coordinates_whatever_the_spot_tolerance():
    """The folds of the cross-validation follow the spots' order, so it must not depend on
    the lattice that finds repeats: x first, then y, as the coordinates say."""
    xy = np.array([[1.004, 5.0], [1.001, 2.0], [0.2, 9.0], [1.002, 7.0], [1.001, 2.004]])
    spots, rssi = average_repeats(xy, np.array([-50.0, -60.0, -70.0, -55.0, -60.0]))
    assert spots[:, 0].tolist() == sorted(spots[:, 0].tolist())  # x first
    assert spots.tolist() == [[0.2, 9.0], [1.001, 2.0], [1.002, 7.0], [1.004, 5.0]]
    assert rssi.tolist() == pytest.approx([-70.0, -60.0, -55.0, -50.0])  # the two readings 4 mm apart: one spot
