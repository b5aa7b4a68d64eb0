"""The sampling workflow without Qt (survey.scan.sampling): which scans become a sample, and
where a continuous walk puts them; the demo's walk and saved-scan import take the same path."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from survey.demo import build_demo_project
from survey.project.model import Observation, SampleMode, ScanResult
from survey.scan.sampling import (
    STALE_SCAN_S,
    NothingHeard,
    ScanRefused,
    Walk,
    Waypoint,
    accept_point,
    first_hold,
    place_along_path,
    place_walk_scans,
    scan_problem,
)
from survey.scan.saved import SavedScan, sample_of
from survey.simulate import walk_survey

NOW = 1_700_000_000.0


def scan(
    started_at: float,
    finished_at: float | None = None,
    *,
    rssi_dbm=-60.0,
    last_seen: float | None = None,
    fresh: bool = True,
    heard: bool = True,
) -> ScanResult:
    finished_at = started_at + 2.0 if finished_at is None else finished_at
    seen = finished_at if last_seen is None else last_seen
    heard_bss = Observation("aa:bb:cc:00:00:01", "Home", rssi_dbm, freq_mhz=2437.0, last_seen=seen)
    observations = (heard_bss,) if heard else ()
    return ScanResult(observations, started_at=started_at, finished_at=finished_at, backend="test", fresh=fresh)


# -- acceptance and staleness ------------------------------------------------------------------


def test_fresh_recent_scans_with_networks_are_accepted_as_one_point_sample():
    scans = (scan(NOW - 6), scan(NOW - 3))
    assert scan_problem(scans, NOW) is None
    sample = accept_point(scans, (1.5, 2), NOW)
    assert (sample.x_m, sample.y_m, sample.mode) == (1.5, 2.0, SampleMode.POINT)
    assert sample.scans == scans
    assert sample.taken_at == NOW - 1  # the last scan's end


@pytest.mark.parametrize(
    "scans, words",
    [
        ((), "no scan"),
        ((scan(NOW - 3, heard=False),), "no networks"),
        ((scan(NOW - 3, fresh=False),), "cached results"),
    ],
)
def test_no_scan_an_empty_one_or_a_cached_one_is_refused_with_the_reason(scans, words):
    assert words in scan_problem(scans, NOW)
    with pytest.raises(ScanRefused, match=words):
        accept_point(scans, (0, 0), NOW)


def test_a_scan_whose_newest_reading_is_older_than_the_limit_is_stale():
    old = scan(NOW - 60, last_seen=NOW - STALE_SCAN_S - 5)
    assert scan_problem((old,), NOW) == f"the newest reading is {STALE_SCAN_S + 5:.0f} s old (stale); retry"
    just_in_time = scan(NOW - 60, last_seen=NOW - STALE_SCAN_S + 1)
    assert scan_problem((just_in_time,), NOW) is None
    # Saved files are old by nature: their age is not held against them, emptiness still is.
    assert scan_problem((old,), NOW, max_age_s=None) is None


def test_a_saved_scan_becomes_a_sample_through_the_same_acceptance():
    day_old = scan(NOW - 86400)  # saved yesterday, imported today
    sample = sample_of([SavedScan("garage.txt", None, day_old)], (3, 4))
    assert (sample.x_m, sample.y_m, sample.scans, sample.taken_at) == (3.0, 4.0, (day_old,), day_old.finished_at)
    with pytest.raises(ScanRefused, match="cached"):
        sample_of([SavedScan("garage.txt", None, scan(NOW, fresh=False))], (3, 4))


def test_the_first_feature_that_holds_sampling_says_why():
    assert first_hold([]) == ""
    assert first_hold([lambda: "", lambda: "a link test is measuring", lambda: "other"]) == "a link test is measuring"


# -- continuous walk -------------------------------------------------------------------------------

PATH = [Waypoint(0.0, 0.0, NOW), Waypoint(4.0, 0.0, NOW + 4), Waypoint(4.0, 3.0, NOW + 10)]


def test_positions_interpolate_in_time_between_clicks_and_clamp_at_the_ends():
    xy = place_along_path(PATH, [NOW - 5, NOW + 1, NOW + 4, NOW + 7, NOW + 99])
    np.testing.assert_allclose(xy, [[0, 0], [1, 0], [4, 0], [4, 1.5], [4, 3]])
    with pytest.raises(ValueError):
        place_along_path(list(reversed(PATH)), [NOW])


def test_walk_scans_on_the_path_become_walk_samples_at_their_mid_time():
    scans = [scan(NOW + 0, NOW + 2), scan(NOW + 6, NOW + 8), scan(NOW + 9, NOW + 13)]
    placed = place_walk_scans(PATH, scans, now=NOW + 12)
    assert [(s.x_m, s.y_m, s.taken_at, s.mode) for s in placed.samples] == [
        (1.0, 0.0, NOW + 1, SampleMode.WALK),
        (4.0, 1.5, NOW + 7, SampleMode.WALK),
    ]
    assert placed.waiting == (scans[2],)  # mid-time past the last click: its path is not clicked yet
    assert placed.dropped == 0
    final = place_walk_scans(PATH, placed.waiting, now=NOW + 14, final=True)
    assert final.samples == () and final.waiting == () and final.dropped == 1


def test_walk_drops_scans_before_the_start_and_empty_ones():
    scans = [scan(NOW - 10, NOW - 8), scan(NOW + 1, NOW + 3, heard=False), scan(NOW + 2, NOW + 4)]
    placed = place_walk_scans(PATH, scans, now=NOW + 10)
    assert [(s.x_m, s.y_m) for s in placed.samples] == [(3.0, 0.0)]
    assert placed.dropped == 2


def test_a_walk_with_one_click_places_nothing_yet():
    scans = [scan(NOW, NOW + 2)]
    placed = place_walk_scans(PATH[:1], scans, now=NOW + 3)
    assert placed.samples == () and placed.waiting == tuple(scans) and placed.dropped == 0


def test_a_walk_placed_as_it_is_clicked_saves_each_scan_once():
    walk = Walk.start(0.0, 0.0, NOW)
    assert walk.walking and not Walk().walking
    walk = walk.heard(scan(NOW + 0, NOW + 2)).turn(4.0, 0.0, NOW + 4).heard(scan(NOW + 4, NOW + 6))
    walk, placed = walk.place(now=NOW + 6)
    assert [(s.x_m, s.y_m) for s in placed.samples] == [(1.0, 0.0)]
    assert len(walk.scans) == 1  # after the last click: waits for the next one
    walk = walk.finish(NOW + 7)
    assert not walk.walking and walk.finished
    walk, placed = walk.place(now=NOW + 7, final=True)
    assert placed.samples == () and placed.dropped == 1 and walk.scans == ()
    assert not Walk.ended().walking and Walk.ended().finished


def test_a_walk_of_one_click_finishes_standing_there():
    walk = Walk.start(2.0, 3.0, NOW).heard(scan(NOW + 1, NOW + 3)).finish(NOW + 5)
    assert walk.waypoints == (Waypoint(2.0, 3.0, NOW), Waypoint(2.0, 3.0, NOW + 5))
    _, placed = walk.place(now=NOW + 5, final=True)
    assert [(s.x_m, s.y_m, s.mode) for s in placed.samples] == [(2.0, 3.0, SampleMode.WALK)]


# -- the demo's walk ---------------------------------------------------------------------------------


class SilentScanner:
    """A scanner in a Faraday cage: every scan comes back (fresh, or the OS's cached list) with no network."""

    def __init__(self, fresh: bool = True):
        self.fresh = fresh

    def move_to(self, x_m: float, y_m: float) -> None:
        pass

    def scan(self, timeout_s: float = 20.0) -> ScanResult:
        return scan(NOW, heard=False, fresh=self.fresh)


def test_walk_survey_saves_a_dead_spot_and_refuses_a_cached_scan_like_the_survey_tool(tmp_path, caplog):
    with build_demo_project(tmp_path / "site.evsurvey") as store:
        before = store.load().survey_named("Before")
        # The simulated field is the truth: nothing heard inside a metal garage is a dead spot.
        assert walk_survey(store, before.id, SilentScanner(), np.array([[1.0, 1.0]])) == 1
        (dead,) = store.load().survey_named("Before").samples
        assert dead.observations == () and (dead.x_m, dead.y_m) == (1.0, 1.0)
        with caplog.at_level(logging.WARNING, logger="survey.simulate"):
            taken = walk_survey(store, before.id, SilentScanner(fresh=False), np.array([[2.0, 1.0]]))
        assert taken == 0 and len(store.load().survey_named("Before").samples) == 1
    assert "No sample saved at (2.0, 1.0) m: the scanner returned cached results" in caplog.text


def test_nothing_heard_is_refused_once_and_saved_as_a_dead_spot_when_confirmed():
    silent = (scan(NOW - 3, heard=False),)
    with pytest.raises(NothingHeard, match="second scan that hears nothing here is saved as a dead spot"):
        accept_point(silent, (1.0, 2.0), NOW)
    assert accept_point(silent, (1.0, 2.0), NOW, nothing_heard_ok=True).observations == ()
    with pytest.raises(ScanRefused) as refused:  # confirming a dead spot does not accept a cached list
        accept_point((scan(NOW - 3, heard=False, fresh=False),), (1.0, 2.0), NOW, nothing_heard_ok=True)
    assert not isinstance(refused.value, NothingHeard)
