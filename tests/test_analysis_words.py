"""The rules the report used to hold, now below it so the window and the CLI can say the same:
the verdict line, the change between surveys in words, the troubleshooting evidence, what is
heard at the charger, the simulated-data note and the measured coverage."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.report.garage import MESH_BSSID, ROUTER_BSSID, TARGET_SSID, make_project  # noqa: E402
from test_report_network_checks import CHECKS  # noqa: E402

from survey.analysis.at_charger import AT_CHARGER_RADIUS_M, channel_at_charger, observations_at_charger  # noqa: E402
from survey.analysis.change_words import change_sentence, change_short  # noqa: E402
from survey.analysis.compare import compare_surveys  # noqa: E402
from survey.analysis.coverage import measured_coverage  # noqa: E402
from survey.analysis.recommend import recommend  # noqa: E402
from survey.analysis.troubleshooting import TROUBLESHOOTING, evidence, status_word, symptom_of  # noqa: E402
from survey.analysis.verdict_words import VERDICT_ANSWERS, verdict_line  # noqa: E402
from survey.project.model import (  # noqa: E402
    Device,
    DeviceKind,
    Observation,
    Sample,
    ScanResult,
    Survey,
    TargetNetwork,
)
from survey.project.preflight import (  # noqa: E402
    TROUBLE_DROPS,
    TROUBLE_LOCAL_API,
    TROUBLE_OFFLINE,
    TROUBLE_SETUP_99,
    Status,
)
from survey.project.simulated import all_surveys_simulated, simulated_note, simulated_surveys  # noqa: E402
from survey.project.survey_devices import SiteChange  # noqa: E402


@pytest.fixture(scope="module")
def site():
    project = make_project()
    before, after = project.surveys
    comparison = compare_surveys(project, before, after)
    plan = recommend(project, analysis=comparison.before)
    main = recommend(project, analysis=comparison.after)
    return project, main, plan, comparison


def test_verdict_line_gives_the_verdict_and_the_measured_change(site):
    project, main, plan, comparison = site
    line = verdict_line(project, main, plan.chosen, comparison)
    assert line.startswith(f"{main.verdict.status}: ")
    assert f"'Before' -> 'After': {comparison.before.verdict.status}" in line
    assert main.verdict.status in VERDICT_ANSWERS


def test_verdict_line_without_a_charger_says_what_to_do():
    project = make_project(with_after=False)
    project = replace(project, devices=tuple(d for d in project.devices if d.kind is not DeviceKind.CHARGER))
    rec = recommend(project)
    assert rec.verdict.status == "UNKNOWN"
    assert verdict_line(project, rec, rec.chosen, None).startswith("No verdict yet: ")


def test_change_words():
    mesh = Device(DeviceKind.MESH_NODE, 9.0, 2.0)
    router = Device(DeviceKind.ROUTER, 2.0, 4.0)
    change = SiteChange(added=(mesh,), moved=((router, 2.0),), removed=())
    assert change_short(change) == (
        f"{DeviceKind.MESH_NODE.label.lower()} added, {DeviceKind.ROUTER.label.lower()} moved"
    )


def test_change_sentence_without_a_record_of_the_devices_says_so(site):
    project, _main, plan, comparison = site
    sentence = change_sentence(project, comparison, plan.chosen)
    assert sentence.startswith("This project has no record of the devices on the plan at survey 'Before'")
    assert change_sentence(project, None, plan.chosen) == ""


def test_troubleshooting_evidence(site):
    _project, main, plan, _comparison = site
    v, findings = main.verdict, plan.findings
    assert evidence(TROUBLE_OFFLINE, v, findings, None).startswith("not checked: run Analysis")
    assert evidence(TROUBLE_OFFLINE, v, findings, CHECKS) == "DNS api.zaptec.com: FAIL"
    assert evidence(TROUBLE_LOCAL_API, v, findings, CHECKS) == "checked, all 1 passed"
    assert evidence(TROUBLE_DROPS, v, findings, None).endswith(" at the charger")
    assert evidence(TROUBLE_SETUP_99, v, (), None) == "not seen in the scans"
    assert symptom_of(None) == "–" and symptom_of(TROUBLE_OFFLINE) == TROUBLESHOOTING[0].symptom
    assert status_word(Status.SKIP) == "skipped"


def _sample(x_m: float, bssid: str, rssi_dbm: float, backend: str = "nl80211") -> Sample:
    obs = Observation(
        bssid=bssid,
        ssid=TARGET_SSID,
        rssi_dbm=rssi_dbm,
        freq_mhz=2437.0,
        channel=6,
        band="2.4",
        auth=("WPA2-PSK",),
        ciphers=("CCMP",),
        wps=False,
    )
    return Sample(x_m, 0.0, 0.0, (ScanResult((obs,), 0.0, 1.0, backend),))


def test_what_is_heard_at_the_charger():
    survey = Survey("s", 0.0, (_sample(0.0, ROUTER_BSSID, -50.0), _sample(10.0, MESH_BSSID, -60.0)))
    near = Device(DeviceKind.CHARGER, 10.0 - AT_CHARGER_RADIUS_M / 2, 0.0)
    assert [o.bssid for o in observations_at_charger(survey, near)] == [MESH_BSSID]
    far = Device(DeviceKind.CHARGER, 3.0, 5.0)  # no sample within the radius: the nearest one
    assert [o.bssid for o in observations_at_charger(survey, far)] == [ROUTER_BSSID]
    everywhere = observations_at_charger(survey, None)
    assert {o.bssid for o in everywhere} == {ROUTER_BSSID, MESH_BSSID}
    assert channel_at_charger(everywhere, TargetNetwork(TARGET_SSID)) == 6
    assert channel_at_charger(everywhere, None) is None
    assert observations_at_charger(None, near) == ()


def test_simulated_note(site):
    project = site[0]
    assert simulated_surveys(project) == ("Before", "After") and all_surveys_simulated(project)
    assert simulated_note(project).startswith("Simulated data: the samples of survey 'Before', 'After'")
    measured = replace(project, surveys=(Survey("Walk", 0.0, (_sample(1.0, ROUTER_BSSID, -55.0),)),))
    assert simulated_note(measured) == "" and not all_surveys_simulated(measured)


def test_measured_coverage(site):
    coverage = measured_coverage(site[3].after)
    assert coverage is not None and coverage.area_m2 > 0
    assert 0.0 <= coverage.loss_pct <= 100.0 - coverage.good_pct
