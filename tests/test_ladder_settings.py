"""Settings before hardware, the charger's own reading and honest confidence."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from test_analysis_sites import PROFILE, line_of_sight_site, steel_door_site

from survey.analysis.findings import find_issues, setting_changes
from survey.analysis.recommend import recommend
from survey.analysis.survey_analysis import analyse_survey, with_charger_reading
from survey.analysis.verdict import verdict_at_charger
from survey.cli import main
from survey.errors import UserInputError
from survey.project.model import ChargerProfile, Observation, TargetNetwork
from survey.project.store import ProjectStore

HOME = TargetNetwork("HomeNet")


def obs(bssid, band, channel, rssi, auth=("WPA2-PSK",), ssid="HomeNet"):
    freq = 2407 + 5 * channel if band == "2.4" else 5000 + 5 * channel
    return Observation(bssid, ssid, rssi, float(freq), channel, band, auth=auth, ciphers=("CCMP",), wps=False)


def test_findings_carry_the_setting_that_fixes_them():
    only_5 = find_issues([obs("aa:00:00:00:00:05", "5", 36, -50)], HOME)
    assert [c.code for c in setting_changes(only_5)] == ["enable_24ghz"]
    # Not heard at all under its name, but the router's own 5 GHz BSS was: 2.4 GHz is off.
    router_5 = find_issues(
        [obs("aa:00:00:00:00:05", "5", 36, -50, ssid="Other")],
        HOME,
        router_bssids=("aa:00:00:00:00:05", "aa:00:00:00:00:02"),
    )
    assert [f.code for f in router_5] == ["target_no_24ghz"] and setting_changes(router_5)[0].blocking
    sae = find_issues([obs("aa:00:00:00:00:02", "2.4", 6, -50, auth=("WPA3-SAE",))], HOME)
    assert "transition_mode" in [c.code for c in setting_changes(sae)]
    crowded = [obs("aa:00:00:00:00:02", "2.4", 6, -50)] + [
        obs(f"bb:00:00:00:00:0{i}", "2.4", 6, -60, ssid=f"N{i}") for i in range(4)
    ]
    changes = setting_changes(find_issues(crowded, HOME))
    assert changes and changes[0].code == "channel" and changes[0].value in (1, 11) and not changes[0].blocking


def test_settings_rung_is_chosen_when_the_signal_is_good_but_a_setting_blocks():
    project = line_of_sight_site()
    survey = project.surveys[0]
    sae = tuple(
        replace(
            s,
            scans=tuple(
                replace(sc, observations=tuple(replace(o, auth=("WPA3-SAE",)) for o in sc.observations))
                for sc in s.scans
            ),
        )
        for s in survey.samples
    )
    project = replace(project, surveys=(replace(survey, samples=sae),))
    rec = recommend(project, profile=PROFILE)
    assert rec.verdict.status == "GOOD"
    options = {o.kind: o for o in rec.options}
    assert options["nothing"].status == "rejected" and "cannot join" in options["nothing"].reason
    assert rec.chosen.kind == "settings" and rec.chosen.setting_changes[0].code == "transition_mode"


def test_power_rung_states_the_cap_of_the_region():
    project = steel_door_site()
    eu = {o.kind: o for o in recommend(project, profile=PROFILE).options}["router_power"]
    assert "ETSI EN 300 328" in eu.reason
    project.settings["region"] = "US"
    us = {o.kind: o for o in recommend(project, profile=PROFILE).options}["router_power"]
    assert "FCC 15.247" in us.reason and "weaker direction" in us.reason


def test_confidence_is_never_high_within_the_error_of_a_boundary():
    profile = ChargerProfile(id="t", name="t", reception_offset_db=0.0)
    xy = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])

    class Map:  # a heatmap with a 3 dB leave-one-out error reading ``value`` everywhere
        loo_rmse_db = 3.0

        def __init__(self, value):
            self.value = value

        def predict(self, pts):
            return np.full(len(np.atleast_2d(pts)), self.value)

    def verdict(value):
        return verdict_at_charger(
            (0.2, 0.0), xy, np.array([value, value - 4, value + 6]), profile, heatmap=Map(value), heatmap_words="m"
        )

    near = verdict(-66.0)  # 1 dB from -65 with a 3 dB error: could be GOOD
    assert near.status == "MARGINAL" and near.confidence == "medium"
    clear = verdict(-70.0)  # 5 dB from both -65 and -75
    assert clear.status == "MARGINAL" and clear.confidence == "high"


def test_charger_reading_sets_the_offset_and_after_keeps_the_before_offset():
    project = steel_door_site()
    before = project.surveys[0]
    laptop = analyse_survey(project, before, profile=PROFILE).verdict.chosen.rssi_dbm
    project = with_charger_reading(project, -80.0, "Before")
    a = analyse_survey(project, before, profile=PROFILE)
    assert a.verdict.rssi_at_charger_dbm == -80.0 and a.verdict.confidence == "high"
    assert a.verdict.reception_offset_db == pytest.approx(round(laptop + 80.0, 1))
    assert a.profile.reception_offset_db == a.verdict.reception_offset_db
    assert "The charger itself reported -80.0 dBm" in a.verdict.explanation
    # The After survey (here the same samples under another name) uses the Before offset.
    after = replace(before, name="After", id=2)
    project = replace(project, surveys=(before, after))
    b = analyse_survey(project, after, profile=PROFILE)
    assert b.verdict.reception_offset_db == a.verdict.reception_offset_db
    assert b.verdict.offset_source == "charger_reading"
    with pytest.raises(UserInputError, match="between -100 and -10 dBm"):
        with_charger_reading(project, 12.0)


def test_set_and_recommend_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "garage.evsurvey"
    ProjectStore.create(path, steel_door_site()).close()
    assert main(["set", str(path), "--charger-reading", "-79", "--region", "US", "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert stored["charger_reading"] == {"rssi_dbm": -79.0, "survey": "Before"} and stored["region"] == "US"
    assert main(["recommend", str(path), "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["verdict"]["rssi_at_charger_dbm"] == -79.0 and rec["verdict"]["offset_source"] == "charger_reading"
    # For one run only, without storing it:
    assert main(["recommend", str(path), "--charger-reading", "-70", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"]["rssi_at_charger_dbm"] == -70.0
    assert main(["set", str(path), "--charger-reading", "none"]) == 0
    capsys.readouterr()
    assert main(["set", str(path), "--charger-reading", "5"]) == 2
    assert "between -100 and -10 dBm" in capsys.readouterr().err
    assert main(["set", str(path), "--reception-offset", "90"]) == 2
    assert "not plausible" in capsys.readouterr().err
    with ProjectStore.open(path, read_only=True) as store:
        assert store.load().settings.get("charger_reading") is None
