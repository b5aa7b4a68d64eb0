"""Before/after comparison: the numbers the PDF and the GUI print."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.report.garage import MESH_BSSID, ROUTER_BSSID, TARGET_SSID, make_project  # noqa: E402

from survey.analysis.compare import (  # noqa: E402
    GOOD_DBM,
    ComparisonError,
    compare_surveys,
    coverage_good_pct,
    pick_before_after,
)
from survey.analysis.survey_analysis import analyse_survey, building_mask  # noqa: E402
from survey.analysis.target import project_target, target_samples  # noqa: E402
from survey.errors import UserInputError  # noqa: E402
from survey.project.model import Survey, TargetNetwork  # noqa: E402


@pytest.fixture(scope="module")
def project():
    return make_project()


@pytest.fixture(scope="module")
def comparison(project):
    return compare_surveys(project, project.surveys[0], project.surveys[1])


def test_target_rssi_is_best_bss_per_sample(project):
    after = project.surveys[1]
    xy, rssi, _heard = target_samples(after, project_target(project).network)
    assert xy.shape == (len(after.samples), 2)
    for (x, y), value in zip(xy, rssi):
        sample = next(s for s in after.samples if (s.x_m, s.y_m) == (x, y))
        mine = [o.rssi_dbm for o in sample.observations if o.bssid in (ROUTER_BSSID, MESH_BSSID)]
        assert value == pytest.approx(max(mine))


def test_without_target_the_strongest_ssid_is_used(project):
    untargeted = replace(project, target=None, devices=tuple(d for d in project.devices if d.kind.value != "router"))
    assert project_target(untargeted).network.ssid == TARGET_SSID


def test_after_with_mesh_node_is_better(comparison):
    assert comparison.charger_rssi_after_dbm > comparison.charger_rssi_before_dbm
    assert comparison.charger_delta_db == pytest.approx(
        comparison.charger_rssi_after_dbm - comparison.charger_rssi_before_dbm
    )
    assert comparison.coverage_good_pct_after > comparison.coverage_good_pct_before
    assert 0 <= comparison.coverage_good_pct_before <= 100


def test_one_grid_one_colour_scale(comparison):
    c = comparison
    assert c.before.grid is c.after.grid
    b, a = c.before.target_map.values, c.after.target_map.values
    assert b.shape == a.shape == c.difference_db.shape == c.area_mask.shape
    inside = np.concatenate([b[c.area_mask], a[c.area_mask]])
    assert c.vmin_dbm == pytest.approx(inside.min())
    assert c.vmax_dbm == pytest.approx(inside.max())


def test_difference_map_is_after_minus_before_inside_the_area(comparison):
    c = comparison
    m = c.area_mask
    np.testing.assert_allclose(c.difference_db[m], c.after.target_map.values[m] - c.before.target_map.values[m])
    assert np.isnan(c.difference_db[~m]).all()


def test_coverage_share_is_of_the_common_measured_building_area(project, comparison):
    c = comparison
    expected_mask = building_mask(project, c.grid) & c.before.covered & c.after.covered
    np.testing.assert_array_equal(c.area_mask, expected_mask)
    manual = 100.0 * (c.before.target_map.values[expected_mask] >= GOOD_DBM).sum() / expected_mask.sum()
    assert c.coverage_good_pct_before == pytest.approx(manual)
    assert c.area_m2 == pytest.approx(expected_mask.sum() * c.grid.step_m**2)


def test_coverage_of_empty_area_is_zero():
    assert coverage_good_pct(np.zeros((2, 2)), np.zeros((2, 2), dtype=bool)) == 0.0


def test_as_dict_and_summary_agree(comparison):
    d = comparison.as_dict()
    assert d["charger_delta_db"] == pytest.approx(round(comparison.charger_delta_db, 1))
    text = " ".join(comparison.summary_lines())
    assert f"{comparison.charger_delta_db:+.1f} dB" in text
    assert f"{comparison.coverage_good_pct_after:.0f} %" in text


def test_same_survey_twice_is_refused(project):
    with pytest.raises(ComparisonError):
        compare_surveys(project, project.surveys[0], project.surveys[0])


def test_empty_survey_is_a_user_error(project):
    empty = Survey("Empty", 0.0, (), id=9)
    with pytest.raises(UserInputError):
        compare_surveys(project, project.surveys[0], empty)


def test_pick_before_after(project):
    before, after = pick_before_after(project)
    assert (before.name, after.name) == ("Before", "After")
    assert pick_before_after(make_project(with_after=False)) is None


def test_target_by_bssid(project):
    only_mesh = replace(project, target=TargetNetwork(TARGET_SSID, bssids=(MESH_BSSID,)))
    _, rssi_before, heard = target_samples(project.surveys[0], project_target(only_mesh).network)
    assert (rssi_before == -95.0).all() and not heard.any()  # the mesh node did not exist before


def test_charger_figures_are_the_verdicts(project, comparison):
    before = analyse_survey(project, project.surveys[0])
    assert comparison.charger_rssi_before_dbm == before.verdict.rssi_at_charger_dbm
    assert comparison.before.map_words == before.map_words
