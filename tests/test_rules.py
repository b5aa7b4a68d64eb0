"""Each rule the survey applies is one function: its edges, and every caller agreeing with it.

Qt-free: the GUI calls the same functions (survey/ui imports them from survey.rf.channels and
survey.analysis.target).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from survey.analysis.checklist import build_checklist
from survey.analysis.map_layer import cochannel_at_sample
from survey.analysis.survey_analysis import target_channel
from survey.analysis.target import target_rssi_at_sample
from survey.project.model import Observation, Sample, ScanResult, Survey, TargetNetwork
from survey.project.profiles import get_profile
from survey.rf.channels import (
    band_of,
    channel_occupancy,
    channel_of,
    is_24ghz,
    observation_band,
    observation_channel,
)
from survey.scan.observations import build_observation
from survey.scan.parsers.nmcli_fields import band_of_value


def _obs(bssid: str, rssi_dbm: float = -50.0, **fields) -> Observation:
    return build_observation(bssid, ssid="Home", rssi_dbm=rssi_dbm, **fields)


def _sample(*observations: Observation, x_m: float = 0.0, y_m: float = 0.0) -> Sample:
    return Sample(x_m, y_m, 0.0, (ScanResult(tuple(observations), 0.0, 1.0, "test"),))


# -- 1. which band, which channel ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freq_mhz", "band"),
    [
        (2399.0, None),
        (2400.0, "2.4"),
        (2412.0, "2.4"),
        (2484.0, "2.4"),
        (2500.0, "2.4"),
        (2501.0, None),
        (4899.0, None),
        (4900.0, "5"),
        (4910.0, "5"),
        (4940.0, "5"),
        (5150.0, "5"),
        (5885.0, "5"),
        (5925.0, "6"),
        (5935.0, "6"),
        (7125.0, "6"),
        (7126.0, None),
        (58320.0, None),  # 802.11ad: a frequency outside every band is on none, whatever its channel
    ],
)
def test_band_edges_are_802_11_annex_e(freq_mhz, band):
    assert band_of(freq_mhz) == band
    assert band_of(freq_mhz, channel=2) == band


def test_band_from_label_then_frequency_then_channel():
    assert band_of(band_hint="2,4") == "2.4"  # netsh in German
    assert band_of(5180.0, band_hint="5 GHz") == "5"
    assert band_of(None, 5, "6") == "6"  # 6 GHz channel 5, named by the scanner
    assert band_of(band_hint="60") is None
    assert band_of(channel=14) == "2.4"
    assert band_of(channel=36) == "5"
    assert band_of(channel=0) is None
    assert band_of() is None


def test_channel_from_frequency_else_reported():
    assert channel_of(2484.0) == 14
    assert channel_of(2484000.0) == 14  # kHz
    assert channel_of(2414.5, 2) == 2  # off the raster: the reported number
    assert channel_of(None, 6) == 6
    assert channel_of() is None


def _band_item(observations):
    items = build_checklist(observations, TargetNetwork(ssid="Home"), get_profile(None))
    return next(i for i in items if i.code == "band_24ghz")


def test_4910_mhz_is_5ghz_everywhere():
    """A 4.9/5.0 GHz BSS of the target is 5 GHz for the parser, the coverage, the channel
    chart and the checklist: the charger's 2.4 GHz radio does not hear it."""
    assert _obs("aa:00:00:00:00:01", freq_mhz=4910.0).band == "5"
    # As a project file may hold it: no band, only the frequency.
    bare = Observation(bssid="aa:00:00:00:00:02", ssid="Home", rssi_dbm=-50.0, freq_mhz=4910.0)
    assert observation_band(bare) == "5" and not is_24ghz(bare)
    target = TargetNetwork(ssid="Home")
    sample = _sample(bare)
    assert target_rssi_at_sample(sample, target) is None
    assert target_channel(Survey(1, "Before", (sample,)), target) is None
    assert all(o.bss_count == 0 for o in channel_occupancy([bare]))
    assert "5/6 GHz" in _band_item([bare]).detail
    on_24 = _obs("aa:00:00:00:00:03", freq_mhz=2437.0)
    assert "band steering" in _band_item([on_24, bare]).detail


def test_2484_mhz_is_channel_14_everywhere():
    obs = _obs("aa:00:00:00:00:01", freq_mhz=2484.0)
    assert (obs.band, obs.channel) == ("2.4", 14)
    assert observation_channel(obs) == 14
    neighbour = _obs("bb:00:00:00:00:01", rssi_dbm=-60.0, freq_mhz=2484.0)
    assert cochannel_at_sample(_sample(neighbour), TargetNetwork(ssid="Other"), 14) == 1
    assert target_channel(Survey(1, "Before", (_sample(obs),)), TargetNetwork(ssid="Home")) == 14


def test_parsers_set_the_band_through_the_rule():
    assert band_of_value("2,4 ГГц") == "2.4"
    assert band_of_value("6 GHz") == "6"
    assert band_of_value("--") is None
    assert _obs("aa:00:00:00:00:01", channel=36).band == "5"  # airport: a bare channel number
    assert _obs("aa:00:00:00:00:01", channel=11).freq_mhz == 2462.0


# -- 2. which network is the target -----------------------------------------------------------------


def _two_networks_project(target: TargetNetwork | None = None):
    from survey.project.model import Project

    samples = tuple(
        _sample(
            _obs(f"aa:00:00:00:00:0{i}", -70.0 + i, freq_mhz=2437.0),
            build_observation(f"bb:00:00:00:00:0{i}", ssid="Neighbour", rssi_dbm=-80.0, freq_mhz=2412.0),
            x_m=float(i),
            y_m=float(i % 2),
        )
        for i in range(6)
    )
    return Project(surveys=(Survey(1, "Before", samples),), active_survey_id=1, target=target)


@pytest.mark.parametrize("target", [None, TargetNetwork(ssid="Neighbour")])
def test_every_caller_maps_the_network_project_target_names(target):
    from survey.analysis.recommend import recommend
    from survey.analysis.survey_analysis import analyse_survey
    from survey.analysis.target import project_target

    project = _two_networks_project(target)
    resolved = project_target(project)
    assert resolved.network.ssid == ("Home" if target is None else "Neighbour")
    assert resolved.assumed is (target is None)
    assert project_target(project) is resolved  # the same project value: resolved once
    assert analyse_survey(project).target == resolved
    assert recommend(project).target_ssid == resolved.network.ssid


def test_the_simulated_fix_changes_the_resolved_network():
    """`evsurvey demo`'s "make the fix" changes the router of the network the recommendation was
    made for, also when the project names none (the strongest heard is assumed)."""
    from survey.analysis.findings import SettingChange
    from survey.scan.simulated import SIMULATION_SETTING
    from survey.simulate import _setting_with_changes

    bss = [
        {"bssid": "aa:00:00:00:00:09", "ssid": "Home", "channel": 11, "band": "2.4"},
        {"bssid": "bb:00:00:00:00:09", "ssid": "Neighbour", "channel": 1, "band": "2.4"},
    ]
    project = replace(_two_networks_project(), settings={SIMULATION_SETTING: {"bss": bss}})
    setting, done = _setting_with_changes(project, [SettingChange("channel", "channel 6", False, 6)])
    assert done and [e["channel"] for e in setting["bss"]] == [6, 1]


# -- 3. readings at one spot are averaged in mW -------------------------------------------------------


def test_mean_dbm_averages_power():
    from survey.project.model import mean_dbm

    assert mean_dbm([-50.0]) == pytest.approx(-50.0)
    assert mean_dbm([-50.0, -60.0]) == pytest.approx(-52.6, abs=0.05)  # a dBm mean would say -55
    assert list(mean_dbm([-50.0, -60.0, -70.0], np.array([0, 0, 1]))) == pytest.approx([-52.6, -70.0], abs=0.05)


@pytest.mark.parametrize(("apart_m", "spots"), [(0.004, 1), (0.03, 2)])
def test_every_average_groups_spots_alike(apart_m, spots):
    """The target's readings per spot, the heatmap's and a sample's scans all average alike."""
    from survey.analysis.target import target_samples
    from survey.project.model import mean_dbm, merge_observations
    from survey.rf.interpolation import average_repeats

    a = _sample(_obs("aa:00:00:00:00:01", -50.0, freq_mhz=2437.0), x_m=1.0)
    b = _sample(_obs("aa:00:00:00:00:01", -60.0, freq_mhz=2437.0), x_m=1.0 + apart_m)
    xy, rssi, _heard = target_samples(Survey(1, "Before", (a, b)), TargetNetwork(ssid="Home"))
    xy2, rssi2 = average_repeats(np.array([[1.0, 0.0], [1.0 + apart_m, 0.0]]), [-50.0, -60.0])
    assert len(rssi) == len(rssi2) == spots
    if spots == 1:
        merged = merge_observations(a.scans + b.scans)
        assert rssi[0] == pytest.approx(rssi2[0]) == pytest.approx(merged[0].rssi_dbm)
        assert rssi[0] == pytest.approx(mean_dbm([-50.0, -60.0]))


# -- 4. one name for one thing --------------------------------------------------------------------------


def test_one_analysis_class_and_one_analyse_function():
    """A survey's analysis is SurveyAnalysis, made by analyse_survey: nothing else takes either name."""
    import ast
    from pathlib import Path

    import survey

    classes, functions = [], []
    for path in Path(survey.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Analysis"):
                classes.append(node.name)
            elif isinstance(node, ast.FunctionDef) and node.name.startswith(("analyse", "analyze")):
                functions.append(node.name)
    assert (classes, functions) == (["SurveyAnalysis"], ["analyse_survey"])
